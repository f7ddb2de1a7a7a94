"""The answer an exercise view teaches: a verdict read from its numbers, then the why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static


class Explanation(VerticalScroll):
    """Scrollable from the keyboard (tab to it, then arrows / page keys).

    While it has focus its view gets the class `-reading`, and app.tcss hands it the
    chart's rows: at 80x24 there is no room for both a chart and a page of text.
    """

    def __init__(self, body: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.body = body
        self.verdict: list[str] = []
        """The claims as checked on the numbers on screen (plain text, one per line)."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="verdict")
        yield Static(self.body, classes="why")

    def on_mount(self) -> None:
        self.border_title = "what to see"
        self.border_subtitle = "tab here to read"
        self.set_verdict([])

    def on_focus(self) -> None:
        self._reading(True)

    def on_blur(self) -> None:
        self._reading(False)

    def _reading(self, reading: bool) -> None:
        if self.parent is not None:
            self.parent.set_class(reading, "-reading")
        self.border_subtitle = "↑↓ pgup pgdn scroll · tab leaves" if reading else "tab here to read"

    def set_body(self, body: str) -> None:
        """Replace the explanation (views word it with the run's own numbers)."""
        self.body = body
        self.query_one(".why", Static).update(body)

    def set_verdict(self, lines: Sequence[str]) -> None:
        """Show what this run's numbers say (or a prompt to run, when empty)."""
        self.verdict = list(lines)
        text = "\n".join(lines) if lines else "[$text-muted]ctrl+r runs this experiment[/]"
        verdict = self.query_one(".verdict", Static)
        verdict.update(text)
        verdict.set_class(bool(lines), "-shown")


class SuggestedSettings(Horizontal):
    """A button that runs the view's suggested settings, as F5 does."""

    @dataclass
    class Chosen(Message):
        """The learner asked for these settings; the app fills the form and runs them."""

        values: dict[str, Any]
        source: str

    def __init__(self, values: dict[str, Any], summary: str, source: str) -> None:
        super().__init__(classes="suggested")
        self.values, self.summary, self.source = values, summary, source

    def compose(self) -> ComposeResult:
        yield Button("suggested", compact=True, tooltip="Fill the form with these and run (F5)")
        yield Static(self.summary, classes="summary")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Chosen(dict(self.values), self.source))
