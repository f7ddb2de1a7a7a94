"""A modal screen that closes once, however many keys are queued behind the closing one.

Textual 8.2.8's `Screen.dismiss` pops the top of the stack without checking that the top
is the screen being dismissed. A fast typist (or a laggy SSH link) can queue two enters
in a dialog: the first one closes it, the second one is still delivered to it, and its
`dismiss` then pops the screen below (the help, another dialog) or, with only the main
screen left, raises ScreenStackError, which ends the app. The random-key test in
tests/ui/test_monkey.py found it; tests/ui/test_dialogs.py reproduces it key by key.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen

ResultType = TypeVar("ResultType")


def closed(screen: Screen[Any]) -> bool:
    """True once `screen` is no longer the active one (dismissed, or covered)."""
    return not screen.is_active


class Dialog(ModalScreen[ResultType]):
    """ModalScreen whose dismiss does nothing once it is no longer the active screen."""

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        if closed(self):  # a late key queued behind the one that closed it
            return AwaitComplete.nothing()
        return super().dismiss(result)
