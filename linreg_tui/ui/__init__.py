"""The Textual front end; `from linreg_tui.ui import LinregApp`. torch loads only later.

`LinregApp` loads on first use (PEP 562): the training process imports
`linreg_tui.ui.trainer` and the runner without loading the whole app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linreg_tui.lazy import lazy_attributes

if TYPE_CHECKING:
    from linreg_tui.ui.app import LinregApp

__all__ = ["LinregApp"]

__getattr__ = lazy_attributes(__name__, {"LinregApp": "app"})
