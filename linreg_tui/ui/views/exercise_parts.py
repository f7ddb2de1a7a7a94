"""Small helpers the exercise views share: numbers for cells, rows and verdicts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from linreg_tui.lab.text import fmt_g
from linreg_tui.lab.verdicts import outcome
from linreg_tui.ui.widgets.results_table import STATUS_STYLE, Cell, num

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.records import EpochRecord


def finite(value: float | None) -> float | None:
    """The value for an export row: None for a missing or non-finite number."""
    return value if value is not None and math.isfinite(value) else None


def vector(prefix: str, values: Sequence[float] | None, size: int) -> dict[str, float | None]:
    """`prefix_1 ... prefix_size` columns of an export row (None when absent)."""
    items = list(values) if values is not None else [None] * size
    return {f"{prefix}_{i}": finite(v) for i, v in enumerate(items, start=1)}


def vector_cell(values: Sequence[float] | None, spec: str = ".4g") -> Cell:
    """A cell showing '1.994, -3.393', sorted by the first component."""
    if values is None:
        return num(None)
    return Cell(values[0], ", ".join(fmt_g(v, spec) for v in values))


def status_cell(status: str, records: Sequence[EpochRecord] = ()) -> Cell:
    """How a run ended (lab.verdicts.outcome: "rose ×N" for a done run that blew up)."""
    said = outcome(status, records[0], records[-1]) if records else status
    return Cell(said, said, STATUS_STYLE.get(said.split()[0] if said else said, ""))


def last_batch(cfg: RunConfig) -> int:
    """Examples in the epoch's last minibatch (batch_size when every batch is full)."""
    return cfg.num_train % cfg.batch_size or cfg.batch_size


def ratio_text(a: float, b: float) -> str:
    """'80×' for how many times a is b, or '?' when it cannot be said."""
    if not (math.isfinite(a) and math.isfinite(b)) or b <= 0:
        return "?"
    return f"{a / b:.2g}×"
