"""What the History view shows of recorded runs, as plain functions (tested without an app).

Rows for the table, the curves a run has, the configuration fields where runs differ,
the filters typed above the table, and the view a run is re-run in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linreg_tui.engine.config import FIELD_NAMES, LOSS_NAMES
from linreg_tui.lab.text import fmt_g
from linreg_tui.ui.widgets.fields import to_text
from linreg_tui.ui.widgets.results_table import STATUS_STYLE, Cell, num

if TYPE_CHECKING:
    from linreg_tui.store.history import RunSummary, StoredRun

COLUMNS: list[tuple[str, int, bool]] = [
    ("#", 5, True),
    ("status", 9, False),
    ("loss", 9, False),
    ("lr", 9, True),
    ("val MSE", 8, True),
    ("batch", 5, True),
    ("ep/size", 11, True),
    ("kind", 11, False),
    ("when", 11, False),
]
"""(label, width, numeric). Outcome and the usual knobs first: the table scrolls sideways
beside the form at 80 columns. Fixed widths, as in ResultsTable."""
VIEW_FOR_KIND = {"run": "single-run", "sweep-loss": "mean-vs-sum", "sweep-lr": "lr-grid"}
VIEW_FOR_KIND["sweep-sizes"] = "sizes"
"""The view that re-runs a kind when the run's label names no view (CLI runs)."""
STATUS_STYLE_ALL = {**STATUS_STYLE, "failed": "red", "interrupted": "yellow", "running": "cyan"}


def id_cell(run: RunSummary, colour: str | None = None) -> Cell:
    """'● 12' in the colour of the run's curve while it is overlaid, else ' 12'."""
    if colour is None:
        return Cell(run.id, f"  {run.id}")
    return Cell(run.id, f"● {run.id}", f"bold {colour}")


def row_cells(run: RunSummary, colour: str | None = None) -> list[Cell]:
    """The table row of a run; `colour` is its curve's while it is overlaid."""
    cfg, params = run.config, run.params
    loss = "swept" if run.kind == "sweep-loss" else cfg.loss
    lr: Cell = num(cfg.lr, ".3g")
    extent = Cell(cfg.total_epochs, f"{cfg.steps} st" if cfg.steps else str(cfg.epochs))
    if run.kind == "sweep-lr":
        lr = Cell(min(params.get("lrs") or [math.nan]), span(params.get("lrs")))
        extent = Cell(max(params.get("epochs_list") or [0]), span(params.get("epochs_list")))
    elif run.kind == "sweep-sizes":
        extent = Cell(max(params.get("sizes") or [0]), "n " + span(params.get("sizes")))
    val = run.summary.get("val_mse")
    when = run.started_at.astimezone()
    return [
        id_cell(run, colour),
        Cell(run.status, run.status, STATUS_STYLE_ALL.get(run.status, "")),
        Cell(loss, loss),
        lr,
        num(val if isinstance(val, (int, float)) else None, ".2e"),
        Cell(cfg.batch_size, str(cfg.batch_size)),
        extent,
        Cell(run.kind, run.kind),
        Cell(when.timestamp(), when.strftime("%m-%d %H:%M")),
    ]


def span(values: Any) -> str:
    """'0.001..3' for a list of numbers, '?' for none."""
    if not values:
        return "?"
    low, high = min(values), max(values)
    return f"{low:g}" if low == high else f"{low:g}..{high:g}"


def curves(run: StoredRun) -> list[tuple[str, list[tuple[float, float]]]]:
    """(variant, [(epoch, train MSE)]) per variant with epoch records, in recorded order.

    A single run has one variant, ''; a loss sweep one per loss; the lr and size sweeps
    keep only final rows, so they have none.
    """
    found: dict[str, list[tuple[float, float]]] = {}
    for epoch in run.records:
        value = epoch.values.get("train_mse")
        y = value if isinstance(value, (int, float)) else math.nan
        found.setdefault(epoch.variant, []).append((epoch.epoch, y))
    return list(found.items())


def differences(runs: Sequence[RunSummary]) -> list[tuple[str, list[str]]]:
    """(field, one text per run) for every setting that is not the same in all runs."""
    table: list[tuple[str, list[str]]] = []
    kinds: list[str] = [run.kind for run in runs]
    if len(set(kinds)) > 1:
        table.append(("kind", kinds))
    for name in FIELD_NAMES:
        values = [getattr(run.config, name) for run in runs]
        if any(v != values[0] for v in values[1:]):
            table.append((name, [to_text(name, v) for v in values]))
    keys = sorted({k for run in runs for k in run.params})
    for key in keys:
        texts = [_plain(run.params.get(key)) for run in runs]
        if len(set(texts)) > 1:
            table.append((key, texts))
    return table


def describe(run: RunSummary) -> str:
    """A run's settings and outcome as a few lines of markup, for the details pane."""
    cfg = run.config
    source = "app" if run.source == "app" else "CLI"
    when = run.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    head = f"[b]#{run.id}[/b] {run.kind} · {source}"
    head += f" ({run.label})" if run.label else ""
    head += f" · {when} · [{STATUS_STYLE_ALL.get(run.status, '')}]{run.status}[/]"
    settings = "  ".join(
        f"{name} [b]{to_text(name, getattr(cfg, name))}[/b]" for name in FIELD_NAMES
    )
    lines = [head, settings]
    if run.params:
        lines.append("  ".join(f"{k} [b]{_plain(v)}[/b]" for k, v in run.params.items()))
    if run.summary:
        shown = ("val_mse", "train_mse", "w_error_norm", "b_error", "rows", "diverged")
        lines.append("  ".join(f"{k} {_plain(run.summary[k])}" for k in shown if k in run.summary))
    return "\n".join(lines)


def _plain(value: Any) -> str:
    if value is None:
        return "·"  # a setting this kind of run does not have
    if isinstance(value, (list, tuple)):
        return ",".join(_plain(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return fmt_g(value, ".4g")
    return str(value)


@dataclass(frozen=True)
class Filters:
    """What the History list is narrowed to (None: any)."""

    loss: str | None = None
    lr: float | None = None
    size: int | None = None

    def words(self) -> str:
        """'loss huber, lr 0.1' for the table title; '' when nothing is filtered."""
        parts = [f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in self._set()]
        return ", ".join(parts)

    def _set(self) -> list[tuple[str, object]]:
        pairs = (("loss", self.loss), ("lr", self.lr), ("n", self.size))
        return [(k, v) for k, v in pairs if v is not None]


def parse_lr(text: str) -> float | None:
    """The lr filter: blank is none; ValueError unless a positive finite number."""
    if not text.strip():
        return None
    value = float(text)
    if not 0 < value < math.inf:
        raise ValueError(f"lr filter must be a positive number, not {text.strip()!r}")
    return value


def parse_size(text: str) -> int | None:
    """The size filter (num_train): blank is none; ValueError unless a whole number >= 1."""
    if not text.strip():
        return None
    value = int(text)
    if value < 1:
        raise ValueError(f"size filter must be at least 1, not {value}")
    return value


LOSS_CHOICES: list[tuple[str, str]] = [("any loss", ""), *((n, n) for n in LOSS_NAMES)]


def view_for(run: RunSummary, views: Sequence[tuple[str, str]]) -> str:
    """The view id a run is re-run in: the view its label names (app runs), else by kind.

    Args:
        views: (title, view id) of the listed views.
    """
    for title, view_id in views:
        if run.label == title:
            return view_id
    return VIEW_FOR_KIND.get(run.kind, "single-run")
