"""The default view: one run, its live loss chart, parameters and a table of past runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget

from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.widgets.loss_chart import LossChart
from linreg_tui.ui.widgets.params_pane import ParamsPane
from linreg_tui.ui.widgets.results_table import ResultsTable

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.lab.events import EpochsCompleted, RunFinished, RunStarted


class SingleRunView(ExperimentView, view_id="single-run"):
    """Train the form's config once; every finished run adds a row to the table.

    Its keys (BINDINGS, in the footer and F1) work while the chart or the table has focus
    (F3, tab): the form's fields take letters as text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("z", "zoom_chart(1)", "Zoom", tooltip="The single run's chart: all epochs, "
                "the first 10%, the first 1% (F3 or tab first)"),
        Binding("Z", "zoom_chart(-1)", "Zoom out", False, tooltip="Zoom the chart back out"),
    ]  # fmt: skip

    SUGGESTED: ClassVar[dict[str, object] | None] = {}  # the book's run

    EXPORT_STEM = "run"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID)
        self.config: RunConfig | None = None

    def compose(self) -> ComposeResult:
        yield LossChart(id="chart")
        with Horizontal(id="run-details"):  # side by side: the chart keeps the rows
            yield ParamsPane(id="params")
            yield ResultsTable(id="results")

    def preview(self, config: RunConfig) -> None:
        self.query_one(ParamsPane).show(config)
        self.query_one(LossChart).name_loss(config.loss)

    def run_started(self, event: RunStarted) -> None:
        self.config = event.config
        self.query_one(LossChart).start(event.config.total_epochs, event.config.loss)
        self.query_one(ParamsPane).show(event.config)

    def epochs_completed(self, event: EpochsCompleted) -> None:
        self.query_one(LossChart).add(event.records)
        if self.config is not None:
            self.query_one(ParamsPane).show(self.config, event.records[-1])

    def run_finished(self, event: RunFinished) -> None:
        if self.config is not None:
            records = self.query_one(LossChart).records
            first = records[0] if records else None
            self.query_one(ResultsTable).add_result(self.config, event.status, event.last, first)

    def action_zoom_chart(self, by: int) -> None:
        self.query_one(LossChart).action_zoom(by)

    def on_descendant_focus(self) -> None:
        self.query_one(LossChart).show_keys(True)

    def on_descendant_blur(self) -> None:
        self.query_one(LossChart).show_keys(False)

    def set_log_y(self, log_y: bool) -> None:
        self.query_one(LossChart).log_y = log_y

    def results_widget(self) -> Widget | None:
        return self.query_one(ResultsTable)

    def export_rows(self) -> list[dict[str, object]]:
        """Every epoch record of the last run (vectors spread over w_hat_1, w_hat_2...)."""

        rows: list[dict[str, object]] = []
        for r in self.query_one(LossChart).records:
            row: dict[str, object] = {"epoch": r.epoch, "steps": r.steps}
            row.update(train_loss=r.train_loss, train_mse=r.train_mse, val_mse=r.val_mse)
            row.update(_spread("w_hat", r.w_hat), b_hat=r.b_hat)
            row.update(_spread("w_error", r.w_error), b_error=r.b_error)
            grad = r.weight_grad or (None,) * len(r.w_hat)
            row.update(_spread("weight_grad", grad), bias_grad=r.bias_grad)
            row.update(diverged=r.diverged)
            rows.append(row)
        return rows


def _spread(key: str, values: tuple[float | None, ...]) -> dict[str, float | None]:
    return {f"{key}_{i}": v for i, v in enumerate(values, start=1)}
