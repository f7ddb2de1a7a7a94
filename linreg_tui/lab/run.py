"""The thread side of training: iterate the engine, post batched messages, touch no widget.

`run_job` is plain Python so it can be tested without an app; the app's thread worker
calls it with its own `post_message` (thread-safe) and the worker's `is_cancelled`. A job
is either a list of RunConfigs, trained one by one with `train()`, or a `SweepPlan`, whose
rows (e.g. the batched sweep engine's GridCells) are posted as they come.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

from linreg_tui.lab.events import (
    EpochsCompleted,
    RunFinished,
    RunProgressed,
    RunStarted,
    RunStatus,
    SweepRowsCompleted,
)

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.records import EpochRecord

Post = Callable[[Message], object]
POST_INTERVAL = 0.1
"""Seconds between two posts: at most ~10 UI updates a second (NOTES: GIL contention)."""


class _Batcher:
    """Counts a job's SGD steps and batches what it yields into at most one post per
    interval; a subclass says what a post holds (`flush`)."""

    def __init__(
        self, run_id: int, index: int, post: Post, is_cancelled: Callable[[], bool]
    ) -> None:
        self.run_id, self.index = run_id, index
        self.post, self.is_cancelled = post, is_cancelled
        self.pending: list[Any] = []
        self.steps = self.posted_steps = 0
        self.posted_at = -math.inf
        self.stopped = False
        """True once a stop was answered: what the job yielded is incomplete."""

    def should_stop(self) -> bool:
        """Asked by the engine before every SGD step: count it, maybe post, maybe stop."""
        if self.is_cancelled():
            self.stopped = True
            return True
        self.steps += 1
        if self.due():
            self.flush()
        return False

    def due(self) -> bool:
        """An interval has passed since the last post."""
        return time.monotonic() - self.posted_at >= POST_INTERVAL

    def flush(self) -> None:
        raise NotImplementedError


class _Stream(_Batcher):
    """Batches one run's records and step counts."""

    def add(self, record: EpochRecord) -> None:
        """Queue a record; epoch 0 and records after a quiet interval go out at once."""
        self.pending.append(record)
        self.steps = record.steps
        if record.epoch == 0 or self.due():
            self.flush()

    def flush(self) -> None:
        """Post queued records, or the step count if no epoch ended since the last post."""
        if self.pending:
            self.post(EpochsCompleted(self.run_id, self.index, tuple(self.pending)))
            self.pending = []
        elif self.steps != self.posted_steps:
            self.post(RunProgressed(self.run_id, self.index, self.steps))
        else:
            return
        self.posted_steps = self.steps
        self.posted_at = time.monotonic()


@dataclass(frozen=True)
class SweepPlan:
    """A sweep job: `run(should_stop)` yields result rows; the runner posts them batched.

    A view returns one from `plan()` instead of a list of runs when it needs the batched
    sweep engine. `run` is called in the worker thread, so it may import torch.
    """

    config: RunConfig
    """The base configuration (RunStarted carries it)."""
    run: Callable[[Callable[[], bool]], Iterable[Any]]
    """Yields rows; must ask `should_stop` between SGD steps and end when it says True."""
    total_rows: int
    """Rows a complete sweep yields, for the status line."""
    total_steps: int
    """`should_stop` calls a complete sweep makes (one per batched SGD step)."""
    unit: str = "rows"
    """What a row is, for the status line ('cells', 'points')."""
    kind: str = ""
    """What the run history records it as ('sweep-lr', 'sweep-sizes'); '' records nothing."""
    params: dict[str, Any] = field(default_factory=dict)
    """The sweep's own settings for the history, e.g. {"lrs": [...], "epochs_list": [...]}."""


class _Rows(_Batcher):
    """Batches a sweep's rows and step counts (a sweep is one run: index 0)."""

    def add(self, row: Any) -> None:
        """Queue a row; it goes out now if the last post was an interval ago."""
        self.pending.append(row)
        if self.due():
            self.flush()

    def flush(self) -> None:
        """Post queued rows and the step count, if either changed."""
        if self.pending:
            self.post(SweepRowsCompleted(self.run_id, tuple(self.pending)))
            self.pending = []
        if self.steps != self.posted_steps:
            self.post(RunProgressed(self.run_id, self.index, self.steps))
            self.posted_steps = self.steps
        self.posted_at = time.monotonic()


def run_sweep(plan: SweepPlan, run_id: int, post: Post, is_cancelled: Callable[[], bool]) -> None:
    """Run a sweep: RunStarted, batched SweepRowsCompleted and RunProgressed, RunFinished.

    Status "done" when the sweep ran to its end, "cancelled" when it was stopped, "error"
    (then re-raised, so the worker ends in the ERROR state) when it raised.
    """
    post(RunStarted(run_id, 0, 1, plan.config))
    rows = _Rows(run_id, 0, post, is_cancelled)
    try:
        for row in plan.run(rows.should_stop):
            rows.add(row)
            if is_cancelled():  # between rows too: a row-only sweep stops here
                rows.stopped = True
                break
    except BaseException:
        rows.flush()
        post(RunFinished(run_id, 0, "error", None, job_done=True))
        raise
    rows.flush()
    status: RunStatus = "cancelled" if rows.stopped else "done"
    post(RunFinished(run_id, 0, status, None, job_done=True))


def run_job(
    runs: Sequence[RunConfig] | SweepPlan,
    run_id: int,
    post: Post,
    is_cancelled: Callable[[], bool],
) -> None:
    """Train each run in turn, posting RunStarted, batched records and RunFinished.

    The engine asks `should_stop` between SGD steps, so a cancel takes effect within one
    step. An exception is reported as an "error" RunFinished, then re-raised so the
    worker ends in the ERROR state. A SweepPlan goes to `run_sweep`.
    """
    if isinstance(runs, SweepPlan):
        run_sweep(runs, run_id, post, is_cancelled)
        return
    from linreg_tui.engine.training import train  # loads torch: never at UI import time

    for index, cfg in enumerate(runs):
        post(RunStarted(run_id, index, len(runs), cfg))
        stream = _Stream(run_id, index, post, is_cancelled)
        last: EpochRecord | None = None
        status: RunStatus = "done"
        try:
            for record in train(cfg, should_stop=stream.should_stop):
                last = record
                stream.add(record)
        except BaseException:
            stream.flush()
            post(RunFinished(run_id, index, "error", last, job_done=True))
            raise
        stream.flush()  # the last record goes out now, not at the next interval
        if last is not None and last.diverged:
            status = "diverged"
        elif last is None or last.steps < cfg.total_steps:
            status = "cancelled"  # the engine only ends early when asked to stop
        job_done = status == "cancelled" or index == len(runs) - 1
        post(RunFinished(run_id, index, status, last, job_done=job_done))
        if job_done:
            return
