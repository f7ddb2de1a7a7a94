"""`python -m linreg_tui.ui`: the app with default settings."""

from __future__ import annotations

from linreg_tui.ui.app import LinregApp

LinregApp().run()
