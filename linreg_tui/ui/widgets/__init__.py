"""Widgets of the lab: each owns its data and redraws itself."""

from __future__ import annotations

from linreg_tui.ui.widgets.config_pane import ConfigPane
from linreg_tui.ui.widgets.help_screen import HelpScreen
from linreg_tui.ui.widgets.loss_chart import LossChart
from linreg_tui.ui.widgets.params_pane import ParamsPane
from linreg_tui.ui.widgets.results_table import ResultsTable
from linreg_tui.ui.widgets.status_bar import StatusBar

__all__ = ["ConfigPane", "HelpScreen", "LossChart", "ParamsPane", "ResultsTable", "StatusBar"]
