"""One row per finished run, sortable by any column from the keyboard."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import JustifyMethod
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from linreg_tui.lab.text import fmt_g
from linreg_tui.lab.verdicts import outcome

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.records import EpochRecord
    from linreg_tui.lab.events import RunStatus

COLUMNS = {
    "#": 2,
    "status": 9,
    "lr": 7,
    "batch": 5,
    "epochs": 9,
    "val MSE": 8,
    "|w-ŵ|": 8,
    "|b-b̂|": 8,
    "train MSE": 9,
    "loss": 9,
}
"""Label -> fixed width. Outcomes and the usual knobs first: narrow tables scroll sideways.
Fixed widths also dodge a Textual 8.2.8 DataTable cache that can keep drawing a row
added during a busy frame with the widths of the empty table."""
TEXT_COLUMNS = frozenset({"status", "loss"})
"""Left-aligned columns; the rest hold numbers and align right."""
STATUS_STYLE = {
    "done": "green",
    "cancelled": "yellow",
    "diverged": "bold red",
    "rose": "bold red",
    "failed": "red",
}
"""By the first word of a run's outcome (lab.verdicts.outcome)."""


@dataclass(frozen=True)
class Cell:
    """A table cell that shows `text` and sorts by `value` (non-finite numbers last)."""

    value: float | str
    text: str
    style: str = ""

    def __rich__(self) -> Text:
        justify: JustifyMethod = "left" if isinstance(self.value, str) else "right"
        return Text(self.text, style=self.style, justify=justify)

    @property
    def sort_key(self) -> tuple[int, float | str]:
        if isinstance(self.value, str):
            return (0, self.value)
        return (0, self.value) if math.isfinite(self.value) else (1, 0.0)


def fit(cell: Cell, width: int) -> Cell:
    """`cell`, its text ending in "…" if it is wider than `width` (0: any width)."""
    if not width or len(cell.text) <= width:
        return cell
    return Cell(cell.value, cell.text[: width - 1] + "…", cell.style)


def num(value: float | None, spec: str = ".3g") -> Cell:
    """A numeric cell; None (no record) sorts and shows like a non-finite value."""
    return Cell(math.nan if value is None else value, fmt_g(value, spec))


class SortableTable(DataTable[Cell]):
    """A table of Cells that `s` sorts by the cursor's column (again: the other way); the
    border title says by what. The lab's three tables share this."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort", "Sort", tooltip="Sort by the column under the cursor"),
    ]

    def __init__(self, title: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="cell", zebra_stripes=True)
        self.title = title
        """The border title when unsorted."""
        self.sorted_by: tuple[int, bool] | None = None
        """(column index, reversed) of the last sort."""

    def add_row(self, *cells: Cell, **kwargs: Any) -> RowKey:  # type: ignore[override]
        """Add a row; a cell wider than its (fixed) column ends in "…", never cut silently
        (a sizes sweep's "n 5..10240" read "n 5..1024")."""
        fitted = [fit(cell, column.width) for cell, column in zip(cells, self.ordered_columns)]
        return super().add_row(*fitted, *cells[len(fitted) :], **kwargs)

    def action_sort(self) -> None:
        """Sort by the cursor's column; again on the same column reverses the order."""
        column = self.cursor_column
        self.sort_by(column, self.sorted_by == (column, False))

    def sort_by(self, column: int, reverse: bool) -> None:
        """Sort by column `column` (non-finite numbers last) and say so in the title."""
        spec = self.ordered_columns[column]
        self.sort(spec.key, key=lambda cell: cell.sort_key, reverse=reverse)
        self.sorted_by = (column, reverse)
        self.border_title = f"{self.title} · by {spec.label.plain} {'↓' if reverse else '↑'}"

    def unsorted(self) -> None:
        """Forget the sort (the rows were replaced in their own order)."""
        self.sorted_by = None
        self.border_title = self.title


class ResultsTable(SortableTable):
    """Finished runs: loss, lr, batch, epochs, MSEs, errors and how the run ended."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("results", id=id, classes=classes)

    def on_mount(self) -> None:
        self.border_title = self.title
        for label, width in COLUMNS.items():
            justify: JustifyMethod = "left" if label in TEXT_COLUMNS else "right"
            self.add_column(Text(label, justify=justify), key=label, width=width)

    def add_result(
        self,
        cfg: RunConfig,
        status: RunStatus,
        last: EpochRecord | None,
        first: EpochRecord | None = None,
    ) -> None:
        """Append a finished run (its outcome from its first and last records) and move the
        cursor to it."""
        said = outcome(status, first, last)
        number = self.row_count + 1
        epochs = last.epoch if last is not None else 0
        reached = str(epochs) if epochs == cfg.total_epochs else f"{epochs}/{cfg.total_epochs}"
        self.add_row(
            Cell(number, str(number)),
            Cell(said, said, STATUS_STYLE.get(said.split()[0], "")),
            num(cfg.lr),
            Cell(cfg.batch_size, str(cfg.batch_size)),
            Cell(epochs, reached),
            num(last.val_mse if last else None, ".2e"),
            num(last.w_error_norm if last else None, ".2e"),
            num(last.b_error if last else None, ".2e"),
            num(last.train_mse if last else None, ".2e"),
            Cell(cfg.loss, cfg.loss),
        )
        self.move_cursor(row=self.row_count - 1)
