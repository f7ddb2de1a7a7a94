"""The experiment views: `registry.VIEWS` lists them, `base.ExperimentView` is their base."""

from __future__ import annotations

from linreg_tui.ui.views.base import ExperimentView, ViewEntry
from linreg_tui.ui.views.registry import VIEWS, LazyView

__all__ = ["VIEWS", "ExperimentView", "LazyView", "ViewEntry"]
