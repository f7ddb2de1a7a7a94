"""The experiment views the selector offers, in order.

To add one (the exercises of issue 4): subclass `ExperimentView` in a module here and
append the class to `VIEWS`. The app builds the selector, the command palette entries and
the ContentSwitcher from this list; nothing else needs to change.
"""

from __future__ import annotations

from typing import Final

from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.views.gradients import GradientsView
from linreg_tui.ui.views.history import HistoryView
from linreg_tui.ui.views.lr_grid import LrGridView
from linreg_tui.ui.views.mean_vs_sum import MeanVsSumView
from linreg_tui.ui.views.robust import RobustLossView
from linreg_tui.ui.views.single_run import SingleRunView
from linreg_tui.ui.views.sizes import SizesView

VIEWS: Final[list[type[ExperimentView]]] = [SingleRunView]
VIEWS.extend([MeanVsSumView, RobustLossView, GradientsView])  # d2l 3.5 ex. 1-3
VIEWS.extend([LrGridView, SizesView])  # d2l 3.5 ex. 4 and 5
VIEWS.append(HistoryView)  # issue 7: past runs from the history database

__all__ = ["VIEWS", "ExperimentView", "SingleRunView"]
