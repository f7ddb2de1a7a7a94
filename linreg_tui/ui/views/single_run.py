"""The default view: one run, its live loss chart, parameters and a table of past runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widget import Widget

from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.widgets.loss_chart import LossChart
from linreg_tui.ui.widgets.params_pane import ParamsPane
from linreg_tui.ui.widgets.results_table import ResultsTable

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.ui.messages import EpochsCompleted, RunFinished, RunStarted


class SingleRunView(ExperimentView):
    """Train the form's config once; every finished run adds a row to the table."""

    VIEW_ID = "single-run"
    TITLE = "single run"
    DESCRIPTION = "Train the form's configuration once and watch the loss"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID)
        self.config: RunConfig | None = None

    def compose(self) -> ComposeResult:
        yield LossChart(id="chart")
        yield ParamsPane(id="params")
        yield ResultsTable(id="results")

    def preview(self, config: RunConfig) -> None:
        self.query_one(ParamsPane).show(config)

    def run_started(self, event: RunStarted) -> None:
        self.config = event.config
        self.query_one(LossChart).start(event.config.total_epochs)
        self.query_one(ParamsPane).show(event.config)

    def epochs_completed(self, event: EpochsCompleted) -> None:
        self.query_one(LossChart).add(event.records)
        if self.config is not None:
            self.query_one(ParamsPane).show(self.config, event.records[-1])

    def run_finished(self, event: RunFinished) -> None:
        if self.config is not None:
            self.query_one(ResultsTable).add_result(self.config, event.status, event.last)

    def set_log_y(self, log_y: bool) -> None:
        self.query_one(LossChart).log_y = log_y

    def results_widget(self) -> Widget | None:
        return self.query_one(ResultsTable)
