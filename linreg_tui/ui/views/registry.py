"""The experiment views the selector offers, in order: each one's id, title, description
and where its class is, written once.

To add a view: a plan builder in `lab/plans.py` (and its verdicts in `lab/verdicts.py`),
a module here with `class MyView(ExperimentView, view_id="my-view")`, and its entry in
`VIEWS`. The app builds the selector, the command palette entries and the ContentSwitcher
from this list; the class takes its id, title and description from its entry.

The app imports only the first view's module before its first frame; the others (and
their widgets) load when it mounts them, just after: importing them all first made the
first frame ~0.3 s later (measured here; Textual's `Lazy` defers the mount, not the
import). A view class itself can be listed too: it has the same attributes and `load()`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from linreg_tui.ui.views.base import ExperimentView, ViewEntry


@dataclass(frozen=True)
class LazyView:
    """A view listed by name: `load()` imports its module. A test holds the id, title and
    description here equal to the class's."""

    VIEW_ID: str
    TITLE: str
    DESCRIPTION: str
    module: str
    """Module under linreg_tui.ui.views."""
    name: str
    """Class name in that module."""

    def load(self) -> type[ExperimentView]:
        module = importlib.import_module(f"linreg_tui.ui.views.{self.module}")
        view: type[ExperimentView] = getattr(module, self.name)
        return view


VIEWS: Final[list[ViewEntry]] = [
    LazyView(
        "single-run",
        "single run",
        "Train the form's configuration once and watch the loss",
        "single_run",
        "SingleRunView",
    ),
    LazyView(  # d2l 3.5 exercises 1 to 5
        "mean-vs-sum",
        "mean vs sum (ex. 1)",
        "Averaged vs summed loss: lr / batch size takes the same steps (d2l 3.5 ex. 1)",
        "mean_vs_sum",
        "MeanVsSumView",
    ),
    LazyView(
        "robust-loss",
        "robust loss (ex. 2)",
        "MSE vs Huber vs smooth-L1, with and without outliers (d2l 3.5 ex. 2)",
        "robust",
        "RobustLossView",
    ),
    LazyView(
        "gradients",
        "gradients (ex. 3)",
        "weight.grad and bias.grad after each epoch; their norm (d2l 3.5 ex. 3)",
        "gradients",
        "GradientsView",
    ),
    LazyView(
        "lr-grid",
        "lr × epochs (ex. 4)",
        "Grid of learning rates by epochs: which converge, how fast, which diverge",
        "lr_grid",
        "LrGridView",
    ),
    LazyView(
        "sizes",
        "dataset size (ex. 5)",
        "Error against n on log-log axes: SGD beside the least-squares floor",
        "sizes",
        "SizesView",
    ),
    LazyView(  # issue 14: the parameter plane, step by step
        "sgd-path",
        "SGD path",
        "Each SGD step on the loss contours, beside GD; replay, zoom; κ as a setting",
        "sgd_path",
        "SgdPathView",
    ),
    LazyView(  # issue 7: past runs from the history database
        "history",
        "history",
        "Past runs: filter, overlay their curves, see what differs, re-run one",
        "history",
        "HistoryView",
    ),
]

BY_ID: Final[dict[str, LazyView]] = {entry.VIEW_ID: entry for entry in VIEWS}  # type: ignore[misc]
"""The listed views by id: a view class reads its title and description here."""
