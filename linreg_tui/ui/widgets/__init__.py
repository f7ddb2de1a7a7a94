"""Widgets of the lab: each owns its data and redraws itself.

The names below load their module on first use (PEP 562): importing one widget's module
does not import every other widget (and plotext) before the app's first frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linreg_tui.lazy import lazy_attributes

if TYPE_CHECKING:
    from linreg_tui.ui.widgets.config_pane import ConfigPane
    from linreg_tui.ui.widgets.help_screen import HelpScreen
    from linreg_tui.ui.widgets.loss_chart import LossChart
    from linreg_tui.ui.widgets.params_pane import ParamsPane
    from linreg_tui.ui.widgets.results_table import ResultsTable
    from linreg_tui.ui.widgets.status_bar import StatusBar

_LAZY = {
    "ConfigPane": "config_pane",
    "HelpScreen": "help_screen",
    "LossChart": "loss_chart",
    "ParamsPane": "params_pane",
    "ResultsTable": "results_table",
    "StatusBar": "status_bar",
}

__all__ = ["ConfigPane", "HelpScreen", "LossChart", "ParamsPane", "ResultsTable", "StatusBar"]

__getattr__ = lazy_attributes(__name__, _LAZY)
