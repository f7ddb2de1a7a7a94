"""The Textual front end; `from linreg_tui.ui import LinregApp`. torch loads only later."""

from __future__ import annotations

from linreg_tui.ui.app import LinregApp

__all__ = ["LinregApp"]
