"""What the history holds, as plain values: the vocabulary of kinds, sources and statuses,
and a recorded run read back."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.engine.records import FinalStatus
from linreg_tui.store.schema import HistoryError, alive, revive, timestamp

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord

RunKind = Literal["run", "sweep-sizes", "sweep-lr", "sweep-loss"]
Source = Literal["cli", "app"]
RunStatus = Literal["running", FinalStatus]
ShownStatus = Literal[RunStatus, "interrupted"]
KINDS: Final[tuple[str, ...]] = get_args(RunKind)
SOURCES: Final[tuple[str, ...]] = get_args(Source)
HOST: Final = socket.gethostname()
COLUMNS: Final = (
    "id, kind, source, label, config, params, status, started_at, finished_at, summary, pid, host"
)
"""The runs table's columns, in the order `summary_from_row` reads them."""


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


def summary_from_row(row: tuple[Any, ...]) -> RunSummary:
    """A `runs` row (COLUMNS) read back; HistoryError naming the run if it is damaged (a
    config that is not JSON, a start time that is not a number...)."""
    id_, kind, source, label, config, params, status, started, finished, summary, pid, host = row
    if status == "running" and host == HOST and not alive(pid):
        status = "interrupted"
    known = {f.name for f in fields(RunConfig)}
    try:
        values = json.loads(config)
        cfg = RunConfig.from_mapping({k: v for k, v in values.items() if k in known})
        return RunSummary(
            id=id_,
            kind=kind,
            source=source,
            label=label,
            config=cfg,
            params=dict(json.loads(params)),
            status=status,
            started_at=timestamp(started),
            finished_at=None if finished is None else timestamp(finished),
            summary=dict(revive(json.loads(summary))),
        )
    except ConfigError as error:
        raise HistoryError(f"run {id_} has a configuration this version refuses: {error}") from None
    except (ValueError, TypeError, AttributeError, OverflowError, OSError) as error:
        kind_ = type(error).__name__
        raise HistoryError(f"run {id_} is damaged in the database ({kind_}: {error})") from None
