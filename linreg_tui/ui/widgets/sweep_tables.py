"""Tables of the sweep views: the lr x epochs heatmap and the per-size summary.

Columns have fixed widths (see results_table.py: Textual 8.2.8's DataTable can keep the
widths of an empty table for a row added in a busy frame).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import JustifyMethod
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widgets import DataTable

from linreg_tui.lab.text import fmt_ratio, fmt_short

if TYPE_CHECKING:
    from linreg_tui.engine.results import GridCell, SizeSummary, Spread

CELL_WIDTH = 9
"""The narrowest grid cell: two lines of at most 8 characters ('diverged', '1.2e-4', then
'w 1.2e-4' for ||w - w_hat||) and one blank column, so that no cell runs into the next
where the cells' colours do not show (plain text, a screen reader, a copied screen:
'w 5.7e-1w 1.2e-2', issue 12)."""
MAX_CELL_WIDTH = 20
"""The widest: a wide terminal spreads the grid over the view instead of leaving 3/4 of
it blank (issue 12: 45 of 166 columns at 200x50)."""


def spread(s: Spread) -> str:
    """'1.2e-3±4e-4' (mean ± std over seeds)."""
    if not math.isfinite(s.mean):
        return "·"
    std = f"{s.std:.0e}".replace("e-0", "e-").replace("e+0", "e")
    return f"{fmt_short(s.mean)}±{std}"


class GridTable(DataTable[Text]):
    """One row per learning rate, one column per epoch count; cells coloured by log10 of
    the validation MSE (low: the theme's success colour, high: its error colour)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="cell", cell_padding=0)
        self.lrs: tuple[float, ...] = ()
        self.epochs: tuple[int, ...] = ()
        self.cells: dict[tuple[float, int], GridCell] = {}
        self.cell_width = CELL_WIDTH

    def on_mount(self) -> None:
        self.border_title = "val MSE / ‖w−ŵ‖ after k epochs"

    def on_resize(self) -> None:
        """Cells as wide as the view allows (CELL_WIDTH..MAX_CELL_WIDTH); the grid is
        rebuilt, cursor kept, when that changes."""
        if self._fitted_width(len(self.epochs)) == self.cell_width:
            return
        if self.epochs:
            cursor, cells = self.cursor_coordinate, list(self.cells.values())
            self.start(self.lrs, self.epochs)
            self.add(cells)
            self.cursor_coordinate = cursor

    def _fitted_width(self, columns: int) -> int:
        room = self.size.width - LABEL_WIDTH - 2  # 2: a vertical scrollbar
        return min(max(room // max(columns, 1), CELL_WIDTH), MAX_CELL_WIDTH)

    def start(self, lrs: Sequence[float], epochs: Sequence[int]) -> None:
        """An empty grid of the planned shape, '…' in every cell."""
        self.lrs, self.epochs, self.cells = tuple(lrs), tuple(epochs), {}
        self.clear(columns=True)
        self.add_column(Text("lr".rjust(LABEL_WIDTH - 1)), key="lr", width=LABEL_WIDTH)
        self.cell_width = width = self._fitted_width(len(self.epochs))
        for e in self.epochs:
            self.add_column(Text(f"{e} ep".center(width - 1)), key=str(e), width=width)
        waiting = Text("\n".join([self._centred("…"), ""]))
        for i, lr in enumerate(self.lrs):
            self.add_row(_label(lr, ""), *[waiting] * len(self.epochs), key=str(i), height=2)

    def add(self, cells: Sequence[GridCell]) -> None:
        """Fill in cells, then recolour the grid (the colour scale spans every cell)."""
        for cell in cells:
            self.cells[(cell.lr, cell.epochs)] = cell
        finite = [math.log10(c.val_mse) for c in self.cells.values() if _plain(c)]
        low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
        for (lr, epochs), cell in self.cells.items():
            if lr in self.lrs and epochs in self.epochs:
                row = str(self.lrs.index(lr))
                self.update_cell(row, str(epochs), self._cell_text(cell, low, high))
                self.update_cell(row, "lr", _label(lr, cell.predicted))

    def cell_at(self, row: int, column: int) -> GridCell | None:
        """The cell under a cursor position; the lr column gives that lr's longest run."""
        if not 0 <= row < len(self.lrs) or not self.epochs:
            return None
        epochs = self.epochs[column - 1] if column >= 1 else self.epochs[-1]
        return self.cells.get((self.lrs[row], epochs))

    def _cell_text(self, cell: GridCell, low: float, high: float) -> Text:
        if cell.diverged:
            lines = ("diverged", f"@{cell.diverged_at}" if cell.diverged_at else "")
            bg = self._colour(1.0, "error")
        else:
            mark = "↑" if cell.worse_than_start else ""
            lines = (mark + fmt_short(cell.val_mse), f"w {fmt_short(cell.w_error_norm)}")
            if cell.val_mse > 0:
                t = 0.5 if high <= low else (math.log10(cell.val_mse) - low) / (high - low)
            else:
                t = 0.0
            bg = self._colour(t)
        style = Style(bgcolor=bg.rich_color, color=bg.get_contrast_text(1.0).rich_color)
        return Text("\n".join(self._centred(line) for line in lines), style=style)

    def _centred(self, line: str) -> str:
        """A cell's line centred with one blank column after it: no cell touches the next."""
        return line.center(self.cell_width - 1) + " "

    def _colour(self, t: float, only: str | None = None) -> Color:
        """success -> warning -> error as t goes 0 -> 1, darkened to keep text legible."""
        theme = self.app.theme_variables
        stops = [Color.parse(theme.get(n, d)) for n, d in _STOPS]
        if only is not None:
            colour = Color.parse(theme.get(only, "#ba3c5b"))
        elif t <= 0.5:
            colour = stops[0].blend(stops[1], t * 2)
        else:
            colour = stops[1].blend(stops[2], (t - 0.5) * 2)
        return colour.darken(0.15)


_STOPS = (("success", "#4EBF71"), ("warning", "#ffa62b"), ("error", "#ba3c5b"))
LABEL_WIDTH = 9
"""The lr column: the lr, and under it the verdict the theory predicted for it."""
PREDICTED_STYLE = {"stable": "green", "edge": "yellow", "diverges": "red", "bounces": "yellow"}


def _label(lr: float, predicted: str) -> Text:
    """A row's label: the lr in bold, the predicted verdict under it ('' until known)."""
    width = LABEL_WIDTH - 1  # padded here: a trailing space of a right-justified line is lost
    first = f"{lr:g}".rjust(width) + "\n"
    label = Text(first + predicted.rjust(width), style="bold")
    label.stylize(PREDICTED_STYLE.get(predicted, ""), len(first), len(label))
    return label


def _plain(cell: GridCell) -> bool:
    return not cell.diverged and math.isfinite(cell.val_mse) and cell.val_mse > 0


SIZE_COLUMNS = {
    "n": 6,
    "regime": 13,
    "×floor": 6,
    "floor ‖w‖": 9,
    "floor b": 7,
    "train MSE": 9,
    "val MSE": 8,
}
"""Label -> width; the |w_i - ŵ_i| and |b - b̂| columns (mean ± std) go after ×floor."""
REGIME_STYLE = {"at floor": "green", "lr plateau": "yellow", "too few steps": "red"}
MAX_COMPONENTS = 3
"""Weight components with a column each; more features show ‖w−ŵ‖ instead."""


def fit_text(text: Text, width: int) -> Text:
    """`text`, ending in "…" if it is wider than `width`: a number is never cut silently."""
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    return text


class SizeTable(DataTable[Text]):
    """One row per dataset size: SGD's errors (mean ± std over seeds) beside the floor."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.features = 0

    def on_mount(self) -> None:
        self.border_title = "per size: mean ± std over seeds"

    def start(self, features: int) -> None:
        """Forget the last sweep; columns for `features` weights."""
        self.features = features
        self.clear(columns=True)
        labels = list(SIZE_COLUMNS)
        error_columns = (
            [f"|w{i + 1}−ŵ{i + 1}|" for i in range(features)]
            if features <= MAX_COMPONENTS
            else ["‖w−ŵ‖"]
        )
        for label in [*labels[:3], *error_columns, "|b−b̂|", *labels[3:]]:
            width = SIZE_COLUMNS.get(label, 13)
            justify: JustifyMethod = "left" if label == "regime" else "right"
            self.add_column(Text(label, justify=justify), key=label, width=width)

    def show(self, summaries: Sequence[SizeSummary], regimes: Sequence[str]) -> None:
        """Replace the rows with these sizes."""
        self.clear()
        for s, regime in zip(summaries, regimes, strict=True):
            ratio = s.w_error_norm.mean / s.lstsq_w_error_norm.mean
            errors = s.w_error if self.features <= MAX_COMPONENTS else (s.w_error_norm,)
            cells = [
                Text(str(s.size), justify="right"),
                Text(regime, style=REGIME_STYLE.get(regime, "bold red")),
                Text(fmt_ratio(ratio), justify="right"),
                *[Text(spread(e), justify="right") for e in errors],
                Text(spread(s.b_error), justify="right"),
                Text(fmt_short(s.lstsq_w_error_norm.mean), justify="right"),
                Text(fmt_short(s.lstsq_b_error.mean), justify="right"),
                Text(fmt_short(s.train_mse.mean), justify="right"),
                Text(fmt_short(s.val_mse.mean), justify="right"),
            ]
            widths = [column.width for column in self.ordered_columns]
            self.add_row(*map(fit_text, cells, widths), key=str(s.size))
