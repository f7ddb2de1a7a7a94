"""A yes/no question over the app: y or enter says yes, n or escape says no."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismissed with True (y, enter) or False (n, escape)."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    #confirm-box {
        width: 60; max-width: 100%; height: auto;  /* not auto: a 1fr Static gave 0 */
        border: round $error; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, title: str = "confirm") -> None:
        super().__init__()
        self.question, self.title_text = question, title

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = "y: yes · n: no"
            yield Static(self.question)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def dismiss(self, result: bool | None = None) -> AwaitComplete:
        # a second key queued behind the one that closed it must not pop the screen below
        # (Textual 8.2.8 dismisses whatever is on top; the monkey test found it elsewhere)
        if not self.is_active:
            return AwaitComplete.nothing()
        return super().dismiss(result)
