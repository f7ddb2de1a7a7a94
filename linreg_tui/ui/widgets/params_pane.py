"""True vs estimated parameters, their errors and the last step's gradients."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from linreg_tui.lab.text import fmt_g

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.records import EpochRecord

MAX_WEIGHT_ROWS = 3
"""Weights shown one per row; the rest are summarised by the norm of their error."""


class ParamsPane(Static):
    """w and b: true, estimated, |error| and the gradient of the epoch's last step."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.config: RunConfig | None = None
        self.record: EpochRecord | None = None
        self.widths: tuple[int, ...] = ()
        """Each column's widest cell at the last layout pass."""

    def on_mount(self) -> None:
        self.border_title = "parameters"

    def show(self, config: RunConfig, record: EpochRecord | None = None) -> None:
        """Show a run's true parameters and, if given, a record's estimates."""
        self.config, self.record = config, record
        self.border_title = "parameters" if record is None else f"parameters · epoch {record.epoch}"
        table = self._table()
        widths = tuple(max(map(len, map(str, c.cells)), default=0) for c in table.columns)
        # a layout pass per update costs frames: only when a column grows or shrinks (the
        # width measured with '·' placeholders squeezed the numbers and lost the row labels)
        relayout, self.widths = widths != self.widths, widths
        self.update(table, layout=relayout)

    def _table(self) -> Table:
        table = Table(box=None, padding=(0, 1), pad_edge=False)
        table.add_column("", style="bold", no_wrap=True, min_width=2)  # never 'w…' or '…'
        for header in ("true", "estimate", "|error|", "grad"):
            table.add_column(header, justify="right", no_wrap=True)
        cfg, rec = self.config, self.record
        if cfg is None:
            return table
        shown = min(cfg.features, MAX_WEIGHT_ROWS)
        for i in range(shown):
            table.add_row(
                f"w{i + 1}" if cfg.features > 1 else "w",
                fmt_g(cfg.w[i]),
                fmt_g(rec.w_hat[i] if rec else None),
                fmt_g(rec.w_error[i] if rec else None, ".2e"),
                fmt_g(rec.weight_grad[i] if rec and rec.weight_grad else None, ".2e"),
            )
        if cfg.features > shown:
            rest = rec.w_error[shown:] if rec else ()
            norm = math.sqrt(sum(e * e for e in rest)) if rec else None
            table.add_row(
                Text(f"+{cfg.features - shown}", style="dim"), "", "", fmt_g(norm, ".2e"), ""
            )
        table.add_row(
            "b",
            fmt_g(cfg.b),
            fmt_g(rec.b_hat if rec else None),
            fmt_g(rec.b_error if rec else None, ".2e"),
            fmt_g(rec.bias_grad if rec else None, ".2e"),
        )
        return table
