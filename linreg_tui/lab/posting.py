"""What a running job posts, and how often: at most one post per interval.

A job's thread counts SGD steps (the engine asks `should_stop` before each) and holds what
the engine yields until an interval has passed, so a front end gets at most ~10 updates a
second however fast the epochs go: `Stream` batches one run's records, `Rows` a sweep's
rows, `GroupSteps` only counts the steps of runs trained side by side (`lab.grouped`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from linreg_tui.lab.events import (
    EpochsCompleted,
    Event,
    RunProgressed,
    RunStatus,
    SweepRowsCompleted,
)

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord

Post = Callable[[Event], object]
POST_INTERVAL = 0.1
"""Seconds between two posts: at most ~10 UI updates a second (NOTES: GIL contention)."""


class Batcher:
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


class Stream(Batcher):
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


class Rows(Batcher):
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


STOP_SIGNALS = ("SIGTERM", "SIGHUP")
"""Signals that stop a job as ctrl+c does, in the app and on the command line alike: the
job is cancelled and the process exits with 128 + the signal's number."""


def ended_by(error: BaseException) -> RunStatus:
    """The status of a job an exception ended: Ctrl-C or a closed output pipe is the user
    stopping it ("cancelled"), anything else "failed"."""
    return "cancelled" if isinstance(error, (KeyboardInterrupt, BrokenPipeError)) else "failed"


class GroupSteps(Batcher):
    """Counts the batched steps of `size` runs trained side by side and posts them as
    the steps of run `index` (the group's first): one batched step is a step of each of
    them, so the job's progress (steps before + these) counts every run's steps."""

    def __init__(
        self, run_id: int, index: int, post: Post, is_cancelled: Callable[[], bool], size: int
    ) -> None:
        super().__init__(run_id, index, post, is_cancelled)
        self.size = size

    def flush(self) -> None:
        if self.steps != self.posted_steps:
            self.post(RunProgressed(self.run_id, self.index, self.steps * self.size))
            self.posted_steps = self.steps
        self.posted_at = time.monotonic()
