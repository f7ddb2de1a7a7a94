"""d2l 3.5 ex. 4: learning rate x epochs as a heatmap, with the curve of the chosen cell."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Static

from linreg_tui.engine.config import DEFAULT_EPOCHS_LIST, ConfigError
from linreg_tui.lab.compare import grid_checks, grid_edges
from linreg_tui.lab.lists import parse_epochs_list, parse_lrs
from linreg_tui.lab.plans import SweepPlan, lr_plan
from linreg_tui.lab.predict import FINE_LRS
from linreg_tui.lab.text import fmt_short
from linreg_tui.lab.verdicts import grid_findings
from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.views.exercise_parts import finite
from linreg_tui.ui.widgets.sweep_charts import CurveChart
from linreg_tui.ui.widgets.sweep_fields import FieldSpec, SweepFields
from linreg_tui.ui.widgets.sweep_tables import GridTable

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.lab.events import RunFinished, RunStarted, SweepRowsCompleted

HINT = (
    "[dim]under each lr: its predicted verdict · ↑ ended above its start · the form's lr and "
    "epochs are unused here[/]"
)

EXPLANATION = """\
[b]What to look for[/b]
Each row is a learning rate, each column a training length; a cell shows the validation \
MSE after that many epochs, ‖w−ŵ‖ under it, coloured from green (low) to red (high) on a \
log scale. Each lr trains once, for the longest length; the shorter columns read that \
run's earlier epochs. Move the cursor onto a cell to see its loss curve.
• [b]Too small an lr[/b] keeps improving with every extra epoch, but slowly: it needs \
many epochs to get where a better lr gets in a few.
• [b]A good lr[/b] gets down to the noise level (val MSE ≈ noise²) within a few epochs; \
after that, more epochs change nothing.
• [b]Too large an lr[/b] overshoots the minimum further at every step: the loss grows \
instead of falling, the run diverges, and no number of epochs helps.
lr and epochs trade off only inside the stable range of lr."""

FIELDS = [
    [FieldSpec("lrs", "lrs", ", ".join(f"{lr:g}" for lr in FINE_LRS),
               "learning rates, one grid row each", parse_lrs)],
    [FieldSpec("epochs_list", "epochs", ", ".join(map(str, DEFAULT_EPOCHS_LIST)),
               "training lengths, one grid column each", parse_epochs_list)],
]  # fmt: skip
"""The view's own settings (the CLI's `sweep lr --lrs --epochs-list`)."""


TALL_FROM = 34
"""The view's rows that its fields, hint, a 15-row grid and a 14-row chart fill."""


class LrGridView(ExperimentView, view_id="lr-grid"):
    """The lr x epochs grid of final validation MSE and parameter error (d2l 3.5 ex. 4)."""

    SUGGESTED: ClassVar[dict[str, object] | None] = {}  # the book's settings

    EXPORT_STEM = "lr-grid"

    DEFAULT_CSS = """
    LrGridView { height: 1fr; }
    LrGridView GridTable { height: auto; max-height: 15; }
    """  # the rest: app.tcss, "sweep views", shared with the other sweep view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID)
        self.planned: tuple[tuple[float, ...], tuple[int, ...]] = ((), ())
        self.base: RunConfig | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="lr-grid-body"):
            yield SweepFields("grid", FIELDS)
            yield Static(HINT, classes="sweep-hint")
            yield GridTable(id="grid-table")
            yield CurveChart(id="grid-curve")
            yield Static(EXPLANATION, classes="explanation", id="grid-explanation")

    def on_mount(self) -> None:
        self.fields = self.query_one(SweepFields)
        self.table = self.query_one(GridTable)
        self.chart = self.query_one(CurveChart)
        self.explanation = self.query_one("#grid-explanation", Static)
        self.hint = self.query_one(".sweep-hint", Static)
        self.explanation.border_title = "what to see"

    def on_resize(self) -> None:
        """Rows beyond what an 80x24 terminal has go half to the grid, half to its chart
        (issue 12: at 200x50 the chart kept 8 plot rows under a 15-row grid)."""
        if not hasattr(self, "chart"):  # a resize before the mount
            return
        spare = max(self.size.height - TALL_FROM, 0)
        self.table.styles.max_height = 15 + spare // 2
        self.chart.styles.height = 14 + spare - spare // 2

    def plan(self, config: RunConfig) -> SweepPlan:
        values = self.fields.read()
        lrs: tuple[float, ...] = values["lrs"]  # type: ignore[assignment]
        epochs: tuple[int, ...] = values["epochs_list"]  # type: ignore[assignment]
        try:
            plan = lr_plan(config, lrs, epochs)
        except ConfigError as error:
            raise self.fields.refuse(error.field, error) from None
        self.planned = (lrs, epochs)
        return plan

    def run_started(self, event: RunStarted) -> None:
        self.base = event.config
        self.table.start(*self.planned)
        self.chart.show(None)
        self._explain()

    def sweep_rows_completed(self, event: SweepRowsCompleted) -> None:
        self.table.add(event.rows)
        self._follow_cursor()
        self._explain()

    def run_finished(self, event: RunFinished) -> None:
        if event.status != "done":
            self.table.border_title = f"{event.status} · no grid (every lr trains together)"
        self._explain()

    @on(DataTable.CellHighlighted, "#grid-table")
    def _cursor_moved(self) -> None:
        self._follow_cursor()

    def _follow_cursor(self) -> None:
        row, column = self.table.cursor_coordinate
        self.chart.show(self.table.cell_at(row, column))

    def _explain(self) -> None:
        lines = grid_findings(self.table.lrs, self.table.cells)
        cells = list(self.table.cells.values())
        edges = grid_edges(cells)
        self.hint.update(f"[b]{edges}[/]\n{HINT}" if edges else HINT)
        text = EXPLANATION
        if lines:
            noise = self.base.noise**2 if self.base is not None else math.nan
            text += f"\n\n[b]Measured here[/b] (noise² = {fmt_short(noise)}):\n" + "\n".join(lines)
        checks = grid_checks(cells)
        if checks:
            text += f"\n\n[b]Predicted vs measured[/b] ({edges}):\n" + "\n".join(checks)
        self.explanation.update(text)

    def set_log_y(self, log_y: bool) -> None:
        self.chart.log_y = log_y

    def results_widget(self) -> Widget | None:
        return self.table

    def export_rows(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for lr in self.table.lrs:
            for epochs in self.table.epochs:
                cell = self.table.cells.get((lr, epochs))
                if cell is None:
                    continue
                rows.append(
                    {
                        "lr": cell.lr,
                        "epochs": cell.epochs,
                        "train_mse": cell.train_mse,
                        "val_mse": cell.val_mse,
                        "w_error_norm": cell.w_error_norm,
                        "b_error": cell.b_error,
                        "predicted": cell.predicted,
                        "diverged": cell.diverged,
                        "diverged_at": cell.diverged_at,
                        "worse_than_start": cell.worse_than_start,
                        "lr_ms_max": finite(cell.lr_ms_max),
                        "lr_gd_max": finite(cell.lr_gd_max),
                    }
                )
        return rows
