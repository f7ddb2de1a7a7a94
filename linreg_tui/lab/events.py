"""What a job emits as it trains: frozen dataclasses of plain values, nothing else.

A job is the runs one `ctrl+r` or one command trains: a list of RunConfigs trained one by
one, or one sweep (`plans.SweepPlan`). `run_id` names the job, `index` the run inside it.
`run.run_job` emits these in the thread or process that trains; the only things that cross
a thread or process boundary are these events. The app wraps each in one Textual message
(`ui.jobs.JobEvent`) and drops those of a job that is no longer current; the command line
prints them; `record.Recorder` writes them to the history on their way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linreg_tui.engine.records import FinalStatus

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.records import EpochRecord

RunStatus = FinalStatus
"""How a run ended: the one status vocabulary (engine.records.FINAL_STATUSES)."""


@dataclass(frozen=True)
class RunStarted:
    """Run `index` of `total` in job `run_id` is about to train."""

    run_id: int
    index: int
    total: int
    config: RunConfig


@dataclass(frozen=True)
class EpochsCompleted:
    """Records of one or more epochs, batched so a front end gets at most ~10 a second."""

    run_id: int
    index: int
    records: tuple[EpochRecord, ...]


@dataclass(frozen=True)
class RunProgressed:
    """SGD steps taken so far in a run whose epoch is still going (long epochs)."""

    run_id: int
    index: int
    steps: int


@dataclass(frozen=True)
class RunFinished:
    """A run ended; `last` is its final record (None if it never produced one)."""

    run_id: int
    index: int
    status: RunStatus
    last: EpochRecord | None
    job_done: bool
    """True when no further run of this job will start."""


@dataclass(frozen=True)
class SweepRowsCompleted:
    """Rows of a sweep job (the engine's GridCell or SizePoint records), batched like
    EpochsCompleted; a sweep emits RunStarted, these, RunProgressed and RunFinished."""

    run_id: int
    rows: tuple[Any, ...]


@dataclass(frozen=True)
class TorchReady:
    """torch is loaded where runs train: the next run starts without waiting."""

    seconds: float


Event = RunStarted | EpochsCompleted | RunProgressed | RunFinished | SweepRowsCompleted | TorchReady
"""Everything a job (or the training process warming up) emits."""
