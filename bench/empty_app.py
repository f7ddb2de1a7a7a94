"""The baseline for the first frame: an empty Textual app (a Static and a Footer).

Its Static says "configuration", the word bench_ui.py waits for in the app's first frame,
so both are timed by the same measure: launch to that word painted in the terminal.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class EmptyApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("configuration")
        yield Footer()


if __name__ == "__main__":
    EmptyApp().run()
