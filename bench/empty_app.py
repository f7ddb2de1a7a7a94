"""The baseline for the first frame: an empty Textual app (a Static and a Footer).

Its Static has a rounded border, as the app's panels do: bench_ui.py waits for the first
rounded corner, so both are timed by the same measure, launch to the first frame painted
in the terminal (a footer's keys come a frame later).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class EmptyApp(App[None]):
    CSS = "Static { border: round $primary; }"

    def compose(self) -> ComposeResult:
        yield Static("configuration")
        yield Footer()


if __name__ == "__main__":
    EmptyApp().run()
