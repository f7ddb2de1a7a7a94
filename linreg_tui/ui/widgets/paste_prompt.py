"""The ctrl+o dialog of a browser tab: paste a configuration file's text into it.

Served (`linreg-tui serve`), the app runs on the server and must not read the server's
files for a browser's user (issue 16: ctrl+o reported key names and parse positions of
other files). The browser's paste reaches the app as text, so the file to load is pasted:
an upload that needs no file access at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from linreg_tui.ui.text import plain, printable
from linreg_tui.ui.widgets.dialog import Dialog, closed

Load = Callable[[str], str | None]
"""Loads pasted text; returns an error message, or None on success."""


class PastePrompt(Dialog[bool]):
    """A text area for a pasted .toml or .json file; ctrl+r loads it, escape cancels.

    Dismissed with True once loaded; an error is shown under the text, which stays.
    """

    DEFAULT_CSS = """
    PastePrompt { align: center middle; }
    PastePrompt TextArea { height: 10; }
    """
    AUTO_FOCUS = "#paste-text"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "load", "Load", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, load: Load) -> None:
        super().__init__()
        self.load = load
        self.error = ""
        """The message shown under the text ('' when none)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="path-box") as box:
            box.border_title = "load configuration"
            box.border_subtitle = "ctrl+r: load · escape: cancel"
            yield Static(
                "Paste the text of a .toml or .json configuration file here (your "
                "browser's paste); the server's files are not read.",
                classes="path-label",
            )
            yield TextArea(id="paste-text", soft_wrap=False, show_line_numbers=False)
            yield Static("", id="path-error")

    def action_load(self) -> None:
        """Load the pasted text; close once it is in the form.

        Through the text area's own queue: ctrl+r is a binding, handled as soon as the key
        arrives, while keys typed just before it still wait in the text area's queue (a
        browser sends them together): read now, the text would miss them."""
        area = self.query_one(TextArea)
        area.call_later(self._load, area)

    def _load(self, area: TextArea) -> None:
        if closed(self):
            return
        problem = self.load(area.text)
        if problem is None:
            self.dismiss(True)
        else:
            self.error = printable(problem)
            self.query_one("#path-error", Static).update(plain(problem))

    def action_cancel(self) -> None:
        """Close without loading anything."""
        self.dismiss(False)
