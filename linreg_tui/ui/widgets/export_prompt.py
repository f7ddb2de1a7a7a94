"""The ctrl+e modal: where to write the view's results; stays open until the write works."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from linreg_tui.ui.text import plain, printable
from linreg_tui.ui.widgets.dialog import Dialog, closed

Attempt = Callable[[str], str | None]
"""Writes for a typed path; returns an error message, or None on success."""


class ExportPrompt(Dialog[str | None]):
    """Enter writes; an error shows under the path and nothing typed is lost.

    Dismissed with the path that worked, or None on escape.
    """

    DEFAULT_CSS = """
    ExportPrompt { align: center middle; }
    ExportPrompt #export-box {
        width: 70; max-width: 95%; height: auto;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ExportPrompt #export-error { color: $error; height: auto; }
    ExportPrompt .export-note { color: $text-muted; }
    """
    AUTO_FOCUS = "#export-path"  # the app's own ("#lr") is not on this screen
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, path: str, attempt: Attempt, rows: int) -> None:
        super().__init__()
        self.path, self.attempt, self.rows = path, attempt, rows
        self.error = ""
        """The message shown under the path ('' when none)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box") as box:
            box.border_title = f"export {self.rows} rows"
            box.border_subtitle = "enter: write · escape: cancel"
            yield Static("CSV file (a .json with the same name is written beside it):")
            yield Input(self.path, id="export-path", select_on_focus=False)
            yield Static("", id="export-error")
            yield Static("Both files appear only once both are complete.", classes="export-note")

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()  # the app runs training on a field's enter: not this one
        if closed(self):
            return  # a second enter queued behind the one that closed it: write nothing
        problem = self.attempt(event.value)
        if problem is None:
            self.dismiss(event.value.strip())
        else:
            self.error = printable(problem)  # a file's key may hold escape sequences
            self.query_one("#export-error", Static).update(plain(problem))  # paths may hold [

    def action_cancel(self) -> None:
        """Close without writing."""
        self.dismiss(None)
