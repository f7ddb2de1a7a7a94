"""Messages the training thread posts to the app; every one carries its run id.

A job is the list of runs one `ctrl+r` starts (one for a single run, several for an
experiment view), or one sweep (`runner.SweepPlan`). `run_id` names the job, `index` the
run inside it: handlers drop any message whose `run_id` is not the current one, so a
cancelled job's late updates vanish.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from textual.message import Message

if TYPE_CHECKING:  # the engine's records module imports torch: only for type checkers
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.records import EpochRecord

RunStatus = Literal["done", "cancelled", "diverged", "error"]


@dataclass
class RunStarted(Message):
    """Run `index` of `total` in job `run_id` is about to train."""

    run_id: int
    index: int
    total: int
    config: RunConfig


@dataclass
class EpochsCompleted(Message):
    """Records of one or more epochs, batched so the UI gets at most ~10 a second."""

    run_id: int
    index: int
    records: tuple[EpochRecord, ...]


@dataclass
class RunProgressed(Message):
    """SGD steps taken so far in a run whose epoch is still going (long epochs)."""

    run_id: int
    index: int
    steps: int


@dataclass
class RunFinished(Message):
    """A run ended; `last` is its final record (None if it never produced one)."""

    run_id: int
    index: int
    status: RunStatus
    last: EpochRecord | None
    job_done: bool
    """True when no further run of this job will start."""


@dataclass
class SweepRowsCompleted(Message):
    """Results of a sweep job (e.g. the engine's GridCell or SizePoint records), batched
    like EpochsCompleted; a sweep posts RunStarted, these, RunProgressed and RunFinished."""

    run_id: int
    rows: tuple[Any, ...]


@dataclass
class TorchReady(Message):
    """torch and one optimizer are loaded: the next run starts without waiting."""

    seconds: float
