"""The Textual front end; `from linreg_tui.ui import LinregApp`. torch loads only later.

`LinregApp` loads on first use (PEP 562): the training process imports
`linreg_tui.ui.trainer` and the runner without loading the whole app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from linreg_tui.ui.app import LinregApp

__all__ = ["LinregApp"]


def __getattr__(name: str) -> Any:
    if name == "LinregApp":
        from linreg_tui.ui.app import LinregApp

        return LinregApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
