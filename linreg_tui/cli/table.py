"""Aligned plain-text tables for the command line, printed row by row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from linreg_tui.lab.text import Formatter


@dataclass(frozen=True)
class Column:
    """One table column: a header, a minimum width and how to format a value."""

    header: str
    width: int
    fmt: Formatter = str
    left: bool = False


class Table:
    """A table printed row by row, so a long run shows each line as it happens."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.widths = [max(c.width, len(c.header)) for c in self.columns]

    def _line(self, cells: Iterable[str]) -> str:
        parts = [
            cell.ljust(w) if col.left else cell.rjust(w)
            for cell, w, col in zip(cells, self.widths, self.columns, strict=True)
        ]
        return "  ".join(parts).rstrip()

    def header(self) -> str:
        """The header line and a rule under it."""
        heads = self._line(c.header for c in self.columns)
        return heads + "\n" + "-" * len(heads)

    def row(self, values: Sequence[Any]) -> str:
        """One formatted line."""
        return self._line(c.fmt(v) for c, v in zip(self.columns, values, strict=True))
