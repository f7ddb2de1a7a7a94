"""What the history holds, as plain values: the vocabulary of kinds, sources and statuses,
and a recorded run read back."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.records import FinalStatus
from linreg_tui.store.schema import HistoryError

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord

RunKind = Literal["run", "sweep-sizes", "sweep-lr", "sweep-loss"]
Source = Literal["cli", "app"]
RunStatus = Literal["running", FinalStatus]
ShownStatus = Literal[RunStatus, "interrupted"]
KINDS: Final[tuple[str, ...]] = get_args(RunKind)
SOURCES: Final[tuple[str, ...]] = get_args(Source)


class RunNotFound(HistoryError):
    """No run has this id."""

    def __init__(self, run_id: int) -> None:
        super().__init__(f"no run with id {run_id}")
        self.run_id = run_id


@dataclass(frozen=True)
class RunSummary:
    """One recorded run or sweep, without its records."""

    id: int
    kind: RunKind
    source: Source
    label: str | None
    config: RunConfig
    """The run's settings; for a sweep, the base the sweep varies."""
    params: dict[str, Any]
    """A sweep's own settings, e.g. {"sizes": [...], "seeds": 5}."""
    status: ShownStatus
    started_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any]
    """What `finish` stored, e.g. the final val_mse."""


@dataclass(frozen=True)
class StoredEpoch:
    """One epoch record as stored; `variant` names a loss-sweep variant ('' for a run)."""

    variant: str
    epoch: int
    values: dict[str, Any]

    def to_record(self) -> EpochRecord:
        """The engine's EpochRecord again."""
        from linreg_tui.engine.records import EpochRecord

        names = {f.name for f in fields(EpochRecord)}
        return EpochRecord(**{k: v for k, v in self.values.items() if k in names})


@dataclass(frozen=True)
class StoredRun(RunSummary):
    """A run with everything recorded for it, in the order it was recorded."""

    records: tuple[StoredEpoch, ...]
    rows: tuple[dict[str, Any], ...]
