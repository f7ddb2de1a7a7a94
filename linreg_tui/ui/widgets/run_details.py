"""Below the History table: one run's settings, or where the overlaid runs differ."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from linreg_tui.store.history import RunSummary
from linreg_tui.ui.history_parts import describe, differences


class RunDetails(VerticalScroll):
    """The cursor's run in words; with two or more runs overlaid, a table of only the
    settings that differ between them, each column in its curve's colour."""

    def compose(self) -> ComposeResult:
        yield Static("", id="details-body")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.differing: list[tuple[str, list[str]]] = []
        """The rows of the last differences table: (setting, one text per run)."""

    def on_mount(self) -> None:
        self.body = self.query_one("#details-body", Static)
        self.border_title = "settings"

    def show_run(self, run: RunSummary | None, note: str = "") -> None:
        """One run's settings and outcome (or `note` when there is none)."""
        self.border_title = "settings" if run is None else f"settings of #{run.id}"
        self.body.update(describe(run) if run is not None else note)

    def show_differences(self, runs: Sequence[RunSummary], colours: Sequence[str]) -> None:
        """Only the fields that differ between `runs`; says so when none does."""
        rows = self.differing = differences(runs)
        names = " ".join(f"#{run.id}" for run in runs)
        self.border_title = f"where {names} differ"
        if not rows:
            self.body.update(f"{names}: the same settings (so the same data, init and curve)")
            return
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("setting", style="bold")
        for run, colour in zip(runs, colours, strict=True):
            table.add_column(Text(f"#{run.id}", style=f"bold {colour}"), style=colour)
        for name, texts in rows:
            table.add_row(name, *texts)
        self.body.update(table)
