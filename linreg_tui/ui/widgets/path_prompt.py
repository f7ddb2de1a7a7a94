"""A small modal that asks for a file path and stays open until the file work succeeds."""

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
"""Does the work for a path; returns an error message, or None on success."""


class PathPrompt(Dialog[str | None]):
    """Enter tries the path; an error is shown under it and nothing typed is lost.

    Dismissed with the path that worked, or None on escape.
    """

    AUTO_FOCUS = "#path-input"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        path: str,
        attempt: Attempt,
        verb: str = "ok",
        *,
        label: str = "file (.toml or .json):",
        note: str = "",
    ) -> None:
        super().__init__()
        self.title_text, self.path, self.attempt, self.verb = title, path, attempt, verb
        self.label, self.note = label, note
        self.error = ""
        """The message shown under the path ('' when none)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="path-box") as box:
            box.border_title = self.title_text
            box.border_subtitle = f"enter: {self.verb} · escape: cancel"
            yield Static(self.label, classes="path-label")
            yield Input(self.path, id="path-input", select_on_focus=False)
            yield Static("", id="path-error")
            if self.note:
                yield Static(self.note, classes="path-note")

    def on_mount(self) -> None:
        self.query_one(Input).action_end()  # type after the offered path, or edit it

    @on(Input.Submitted, "#path-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()  # the app runs training on a field's enter: not this one
        if closed(self):
            return  # a second enter queued behind the one that closed it: write nothing
        problem = self.attempt(event.value.strip())
        if problem is None:
            self.dismiss(event.value.strip())
        else:
            self.error = printable(problem)  # a file's key may hold escape sequences
            self.query_one("#path-error", Static).update(plain(problem))  # paths may hold [

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)
