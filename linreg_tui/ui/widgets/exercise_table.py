"""A small sortable table of an exercise view's results, with fixed-width columns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import JustifyMethod
from rich.text import Text

from linreg_tui.ui.widgets.results_table import Cell, SortableTable

Column = tuple[str, int, bool]
"""(label, width, numeric): numeric columns align right."""


class ExerciseTable(SortableTable):
    """Rows replaced as a whole by the view that owns it; `s` sorts by the cursor's column.

    Widths are fixed, as in ResultsTable: Textual 8.2.8's DataTable can keep drawing a row
    added during a busy frame with the widths of the empty table.
    """

    def __init__(self, title: str, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(title, id=id)
        self.columns_spec = list(columns)

    def on_mount(self) -> None:
        self.border_title = self.title
        self._add_columns()

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Replace the columns (and drop the rows) when their layout changes."""
        if list(columns) == self.columns_spec:
            return
        self.columns_spec = list(columns)
        self.clear(columns=True)
        self._add_columns()

    def _add_columns(self) -> None:
        for label, width, numeric in self.columns_spec:
            justify: JustifyMethod = "right" if numeric else "left"
            self.add_column(Text(label, justify=justify), key=label, width=width)

    def show_rows(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Replace every row, keeping the cursor's row index where possible."""
        row = self.cursor_row
        self.clear()
        for cells in rows:
            self.add_row(*cells)
        self.unsorted()
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))

    def append_rows(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Add rows at the end and move the cursor to the last one."""
        for cells in rows:
            self.add_row(*cells)
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def column_texts(self, label: str) -> list[str]:
        """The texts of one column, top to bottom (tests and checks read these)."""
        return [cell.text for cell in self.get_column(label)]

    def action_sort(self) -> None:
        """Sort by the cursor's column; again on the same column reverses the order."""
        column = self.cursor_column
        reverse = self.sorted_by == (column, False)
        key = self.ordered_columns[column].key
        self.sort(key, key=lambda cell: cell.sort_key, reverse=reverse)
        self.sorted_by = (column, reverse)
        arrow = "↓" if reverse else "↑"
        self.border_title = f"{self.title} · by {self.columns_spec[column][0]} {arrow}"
