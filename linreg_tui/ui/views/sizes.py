"""d2l 3.5 ex. 5: error against dataset size, SGD beside the least-squares floor."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from linreg_tui.engine.config import (
    DEFAULT_SEEDS,
    DEFAULT_SIZES,
    SIZE_SWEEP_B,
    ConfigError,
)
from linreg_tui.lab.compare import size_checks
from linreg_tui.lab.limits import MAX_RUNS, too_many_seeds, whole
from linreg_tui.lab.lists import parse_b, parse_seeds, parse_sizes, parse_steps
from linreg_tui.lab.plans import SweepPlan, sizes_plan
from linreg_tui.lab.text import fmt_slope
from linreg_tui.lab.verdicts import size_findings, size_regime
from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.views.exercise_parts import finite
from linreg_tui.ui.widgets.sweep_charts import Series, SizeChart
from linreg_tui.ui.widgets.sweep_fields import FieldSpec, SweepFields
from linreg_tui.ui.widgets.sweep_tables import SizeTable

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.results import SizePoint, SizeSummary
    from linreg_tui.lab.events import RunFinished, RunStarted, SweepRowsCompleted

EQUAL_STEPS = 2000
"""SGD steps every size trains with "equal steps" on: 62 epochs of 32 at n = 1000, enough
for n = 10 to reach its floor, and a few epochs even at n = 10240."""

HINT = "[dim]each n: num_train = num_val = n · b = 4 as in the exercise · rest: the form[/]"

EXPLANATION = """\
[b]Why log-spaced sizes[/b]
Estimation error falls like a power of n, c·n^k. On log–log axes that is a straight line \
of slope k, and doubling n (5, 10, 20 … 10240) spaces the sizes evenly along it; with \
linear spacing every small n would crowd into one corner of the chart.

[b]Three regimes[/b] (at the book's settings: lr 0.03, batch 32, 3 epochs)
• [b]n ≲ 640, too few steps[/b]: 3 epochs of n/32 minibatches are too few SGD steps to \
travel from the start to the answer, so the error is optimization error, close to |w| \
itself (the weights start near 0).
• [b]The floor[/b], exact least squares on the same n examples, is the best any fit of \
this data can do: it falls like n^(−1/2), slope ≈ −0.5, at every n.
• [b]n ≳ 2560, lr plateau[/b]: SGD with a constant learning rate keeps jumping around the \
minimum by an amount set by lr, batch size and the label noise, not by n. Its error \
flattens at a few 10⁻⁴ and never reaches the floor.
Switch on [b]equal steps[/b] (every n trains the same number of steps) to remove the \
first regime, or [b]average[/b] (report the mean of the last epoch's iterates, which \
cancels the jumping) to bring SGD down onto the floor."""

FIELDS = [
    [FieldSpec("sizes", "sizes", ", ".join(map(str, DEFAULT_SIZES)), "dataset sizes n",
               parse_sizes)],
    [FieldSpec("seeds", "seeds", str(DEFAULT_SEEDS), "runs per size", parse_seeds, width=6),
     FieldSpec("b", "b", f"{SIZE_SWEEP_B:g}", "true bias (the exercise's: 4)", parse_b, width=6)],
    [FieldSpec("equal_steps", "equal steps", False, "every size trains this many SGD steps"),
     FieldSpec("steps", "steps", str(EQUAL_STEPS), "SGD steps per size", parse_steps, width=7),
     FieldSpec("average", "average", False, "report iterates averaged over the last epoch")],
]  # fmt: skip
"""The view's own settings, a row of the form per list."""


class SizesView(ExperimentView, view_id="sizes"):
    """Size sweep: per-size table, log-log chart with slopes, the regimes explained."""

    SUGGESTED: ClassVar[dict[str, object] | None] = {}  # the book's settings, b = 4
    PREMISE: ClassVar[dict[str, object]] = {"lr": 0.03, "batch_size": 32, "epochs": 3}

    EXPORT_STEM = "sizes"

    DEFAULT_CSS = """
    SizesView { height: 1fr; }
    SizesView SizeTable { height: auto; max-height: 16; scrollbar-size-horizontal: 1; }
    """  # the rest: app.tcss, "sweep views", shared with the other sweep view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID)
        self.planned: tuple[tuple[int, ...], int] = ((), 0)
        self.points: list[SizePoint] = []
        self.summaries: list[SizeSummary] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="sizes-body"):
            yield SweepFields("sizes", FIELDS)
            yield Static(HINT, classes="sweep-hint")
            yield SizeChart(id="sizes-chart")  # the chart first: the lesson is its slopes
            yield SizeTable(id="sizes-table")
            yield Static(EXPLANATION, classes="explanation", id="sizes-explanation")

    def on_mount(self) -> None:
        self.fields = self.query_one(SweepFields)
        self.table = self.query_one(SizeTable)
        self.chart = self.query_one(SizeChart)
        self.explanation = self.query_one("#sizes-explanation", Static)
        self.explanation.border_title = "what to see"

    def plan(self, config: RunConfig) -> SweepPlan:
        try:
            values = self.fields.read()
        except ConfigError as error:
            raise self._with_cost(error, config) from None
        sizes: tuple[int, ...] = values["sizes"]  # type: ignore[assignment]
        seeds: int = values["seeds"]  # type: ignore[assignment]
        steps = values["steps"] if values["equal_steps"] else 0
        b, average = values["b"], values["average"]
        try:
            plan = sizes_plan(config, sizes, seeds, b=b, steps=steps, average=average)  # type: ignore[arg-type]
        except ConfigError as error:
            raise self.fields.refuse(error.field, error) from None
        self.planned = (sizes, seeds)
        return plan

    def _with_cost(self, error: ConfigError, config: RunConfig) -> ConfigError:
        """Too many seeds: the refusal says what they would cost (sizes are valid here)."""
        seeds = whole(self.fields.controls["seeds"].value)  # type: ignore[arg-type]
        if error.field != "seeds" or seeds <= MAX_RUNS:
            return error
        sizes = parse_sizes(str(self.fields.controls["sizes"].value))
        cost = too_many_seeds(config, sizes, seeds)
        return self.fields.refuse("seeds", ConfigError("seeds", f"{error.problem}: {cost}"))

    def run_started(self, event: RunStarted) -> None:
        self.points, self.summaries = [], []
        self.table.start(event.config.features)
        self.table.border_title = "per size: mean ± std over seeds"
        self._redraw()

    def sweep_rows_completed(self, event: SweepRowsCompleted) -> None:
        self.points.extend(event.rows)
        self._redraw()

    def run_finished(self, event: RunFinished) -> None:
        if event.status != "done":
            done = len(self.summaries)
            self.table.border_title = f"{event.status} after {done} of {len(self.planned[0])} sizes"

    def _redraw(self) -> None:
        from linreg_tui.engine.results import size_slopes, summarize_sizes

        counts = Counter(p.size for p in self.points)
        whole = [p for p in self.points if counts[p.size] == self.planned[1]]  # every seed in
        self.summaries = summarize_sizes(whole)
        self.table.show(self.summaries, [size_regime(s) for s in self.summaries])
        slopes = size_slopes(self.summaries)
        sizes = [s.size for s in self.summaries]
        means = [s.w_error_norm.mean for s in self.summaries]
        floors = [s.lstsq_w_error_norm.mean for s in self.summaries]
        self.chart.show(
            [
                Series(f"SGD {fmt_slope(slopes.sgd_w)}", sizes, means, "warning",
                       slopes.sgd_sizes),
                Series(f"floor {fmt_slope(slopes.floor_w)}", sizes, floors, "primary",
                       sizes),
                Series("predicted", sizes, [s.predicted_w_error for s in self.summaries],
                       "success", dashed=True),
            ]
        )  # fmt: skip
        text = EXPLANATION
        if self.summaries:
            lines = size_findings(self.summaries, slopes)
            text = "[b]Measured here[/b]\n" + "\n".join(lines) + "\n\n" + EXPLANATION
            checks = size_checks(self.summaries)
            if checks:
                text = "[b]Predicted vs measured[/b]\n" + "\n".join(checks) + "\n\n" + text
        self.explanation.update(text)

    def set_log_y(self, log_y: bool) -> None:
        """Always log-log: the point is the slope of a power law."""

    def results_widget(self) -> Widget | None:
        return self.table

    def export_rows(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for s in self.summaries:
            row: dict[str, object] = {"size": s.size, "seeds": s.seeds, "regime": size_regime(s)}
            for i, e in enumerate(s.w_error, start=1):
                row[f"w_error_{i}_mean"], row[f"w_error_{i}_std"] = e.mean, e.std
            row["b_error_mean"], row["b_error_std"] = s.b_error.mean, s.b_error.std
            row["w_error_norm_mean"] = s.w_error_norm.mean
            row["floor_w_error_norm_mean"] = s.lstsq_w_error_norm.mean
            row["floor_b_error_mean"] = s.lstsq_b_error.mean
            row["train_mse_mean"], row["val_mse_mean"] = s.train_mse.mean, s.val_mse.mean
            row["predicted_w_error"] = finite(s.predicted_w_error)
            row["predicted_b_error"] = finite(s.predicted_b_error)
            row["diverged"] = s.diverged
            rows.append(row)
        return rows
