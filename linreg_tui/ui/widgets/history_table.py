"""The recorded runs, one row each: sortable, and the keys that act on the cursor's run.

| key | action |
| --- | --- |
| space | overlay the run's curves on the chart, or take them off |
| r | load: its settings into the form, its view on screen (ctrl+r re-runs it) |
| s | sort by the cursor's column (again: reverse) |
| delete | delete the run (asks first) |
| c | take every run off the chart |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.console import JustifyMethod
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets.data_table import RowDoesNotExist

from linreg_tui.ui.history_parts import COLUMNS, id_cell, row_cells
from linreg_tui.ui.widgets.results_table import SortableTable

if TYPE_CHECKING:
    from linreg_tui.store.history import RunSummary


class HistoryTable(SortableTable):
    """Past runs, newest first until sorted; the cursor's run is the one keys act on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "overlay", "Overlay", tooltip="Overlay the run's curves, or remove them"),
        Binding(
            "r",
            "rerun",
            "Load",
            tooltip="Load the run's settings into the form and its view (ctrl+r runs)",
        ),
        *SortableTable.BINDINGS,
        Binding("delete", "delete", "Delete", show=False, tooltip="Delete the run (asks first)"),
        Binding("c", "clear", "Clear chart", show=False, tooltip="Take every run off the chart"),
    ]

    @dataclass
    class Asked(Message):
        """A key asked for `action` ('overlay', 'rerun', 'delete', 'clear') on run `run_id`."""

        action: str
        run_id: int | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("runs", id=id)  # its sort is kept across reloads
        self.runs: dict[int, RunSummary] = {}
        """The listed runs by id."""

    def on_mount(self) -> None:
        self.border_title = self.title
        self.border_subtitle = "space overlay · r load · s sort · del"
        for label, width, numeric in COLUMNS:
            justify: JustifyMethod = "right" if numeric else "left"
            self.add_column(Text(label, justify=justify), key=label, width=width)

    def show_runs(self, runs: Sequence[RunSummary], colours: Mapping[int, str], title: str) -> None:
        """Replace the rows, keeping the sort order and the cursor on the same run (on
        the first row if it was there: new runs come in at the top, and it follows)."""
        current = self.current_id() if self.cursor_row > 0 else None
        column = self.cursor_column
        self.clear()
        self.runs = {run.id: run for run in runs}
        for run in runs:
            self.add_row(*row_cells(run, colours.get(run.id)), key=str(run.id))
        self.title = title
        if self.sorted_by is not None:
            self.sort_by(*self.sorted_by)
        else:
            self.border_title = title
        if self.row_count:
            row = self._index_of(current) if current is not None else 0
            self.move_cursor(row=row if row is not None else 0, column=column)

    def mark(self, colours: Mapping[int, str]) -> None:
        """Re-colour the id cells: a dot in its curve's colour for each overlaid run."""
        for run_id, run in self.runs.items():
            self.update_cell(str(run_id), "#", id_cell(run, colours.get(run_id)))

    def current_id(self) -> int | None:
        """The id of the run under the cursor, None when the table is empty."""
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def current(self) -> RunSummary | None:
        """The run under the cursor."""
        run_id = self.current_id()
        return None if run_id is None else self.runs.get(run_id)

    def _index_of(self, run_id: int) -> int | None:
        try:
            return self.get_row_index(str(run_id))
        except RowDoesNotExist:
            return None

    def action_overlay(self) -> None:
        """Overlay the cursor's run on the chart, or take it off."""
        self.post_message(self.Asked("overlay", self.current_id()))

    def action_rerun(self) -> None:
        """Load the cursor's run into the form and switch to its view."""
        self.post_message(self.Asked("rerun", self.current_id()))

    def action_delete(self) -> None:
        """Delete the cursor's run, after a confirmation."""
        self.post_message(self.Asked("delete", self.current_id()))

    def action_clear(self) -> None:
        """Take every run off the chart."""
        self.post_message(self.Asked("clear", None))

    def sort_by(self, column: int, reverse: bool) -> None:
        """Sort, keeping the cursor on the same run."""
        current = self.current_id()
        super().sort_by(column, reverse)
        row = self._index_of(current) if current is not None else None
        if row is not None:
            self.move_cursor(row=row, column=column)
