"""The app's jobs in the run history: recorded from the worker thread, never blocking a run.

The app wraps its worker's `post` with `JobRecorder.post`: each message the runner posts
is written to the history first (in the worker thread, through the store's lock), then
passed on, so by the time the app sees a job's last RunFinished its record is final. A
failing database never stops a job: the first failure is posted as HistoryUnavailable
(the app warns once) and the session carries on unrecorded.

What a job is recorded as, following the command line's rules (`history_cli.Recorder`):

| job | kind | records |
| --- | --- | --- |
| one run (single run, gradients) | run | its epochs |
| several runs (mean vs sum, robust loss) | sweep-loss | epochs per variant, a row per run |
| a SweepPlan (lr grid, sizes) | the plan's `kind` | its rows |
"""

from __future__ import annotations

import math
import os
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from textual.message import Message

from linreg_tui.lab.events import EpochsCompleted, RunFinished, RunStarted, SweepRowsCompleted
from linreg_tui.lab.run import Post, SweepPlan
from linreg_tui.store.history import KINDS, History, HistoryError, RunKind, RunStatus, resolve_path

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig


@dataclass
class HistoryUnavailable(Message):
    """Recording failed; the session carries on unrecorded (the app warns once)."""

    reason: str


@dataclass
class RunRecorded(Message):
    """A job's record is complete in the history (the History view reloads)."""

    history_id: int


class AppHistory:
    """The app's history database: opened on first use, off the UI thread, and shared by
    the recorder (worker thread) and the History view (its loading thread)."""

    def __init__(self, db: str | os.PathLike[str] | None = None, record: bool = True) -> None:
        self.path: Path = resolve_path(db)
        """`--db`, else $LINREG_TUI_DB, else the user data folder."""
        self.record = record
        """False with --no-record: the app reads the history but writes nothing."""
        self.failure: str | None = None
        """Why recording stopped, once it has."""
        self._store: History | None = None
        self._lock = threading.Lock()

    def store(self, create: bool = True) -> History | None:
        """The open database; None if `create` is False and there is no file yet (reading
        never creates one). Raises HistoryError. Call it off the UI thread: opening may
        wait for another process's migration."""
        with self._lock:
            if self._store is None:
                if not create and not self.path.exists():
                    return None
                self._store = History(self.path)
            return self._store

    def recorder(
        self, job: list[RunConfig] | SweepPlan, base: RunConfig, label: str | None
    ) -> JobRecorder:
        """A recorder for one job; it records nothing with --no-record or after a failure."""
        return JobRecorder(self, job, base, label)


class JobRecorder:
    """Writes one job's messages to the history as they go by (see the module docstring)."""

    def __init__(
        self,
        history: AppHistory,
        job: list[RunConfig] | SweepPlan,
        base: RunConfig,
        label: str | None,
    ) -> None:
        self.history, self.job, self.label = history, job, label
        self.config, self.params = base, {}
        if isinstance(job, SweepPlan):
            kind, self.config, self.params = job.kind, job.config, dict(job.params)
        else:
            kind = "run" if len(job) == 1 else "sweep-loss"
            self.config = job[0] if len(job) == 1 else base
        self.kind: RunKind = kind  # type: ignore[assignment]
        self.active = history.record and history.failure is None and kind in KINDS
        """False with --no-record, after a failure, or for a plan without a kind."""
        self.variants = variant_labels(job) if self.kind == "sweep-loss" else []
        self.run_id: int | None = None
        self.store: History | None = None
        self.finished = False
        self.last: dict[str, Any] = {}
        """The latest epoch record of each variant ('' for a single run)."""
        self.finals: list[Any] = []
        """A sweep's rows, or a multi-run job's last records: what the summary reads."""
        self._post: Post = lambda message: None

    def tap(self, post: Post) -> Post:
        """`post`, recording each message first."""
        self._post = post
        return self.post

    def post(self, message: Message) -> None:
        if self.active:
            try:
                self._record(message)
            except Exception as error:  # a broken history must not stop the run
                self._fail(error)
        self._post(message)
        if self.finished and self.run_id is not None and _job_done(message):
            self._post(RunRecorded(self.run_id))

    def __enter__(self) -> JobRecorder:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """A job that ended without its last RunFinished (a crash) is recorded as failed."""
        if self.active and self.run_id is not None and not self.finished:
            try:
                self._finish("failed")
            except Exception as error:  # as above
                self._fail(error)

    def _record(self, message: Message) -> None:
        if isinstance(message, RunStarted) and self.store is None:
            self.store = self.history.store()
            assert self.store is not None  # create=True never gives None
            self.run_id = self.store.start_run(
                self.kind, self.config, "app", self.label, self.params
            )
        if self.store is None or self.run_id is None:
            return
        if isinstance(message, EpochsCompleted):
            variant = self.variants[message.index] if self.variants else ""
            self.store.add_epochs(self.run_id, message.records, variant)
            self.last[variant] = message.records[-1]
        elif isinstance(message, SweepRowsCompleted):
            self.store.add_sweep_rows(self.run_id, message.rows)
            self.finals.extend(message.rows)
        elif isinstance(message, RunFinished):
            if self.variants:
                label, cfg = self.variants[message.index], self.job[message.index]  # type: ignore[index]
                row = {"label": label, "config": cfg.to_dict(), "status": message.status}
                self.store.add_sweep_rows(self.run_id, [row])
                if message.last is not None:
                    self.finals.append(message.last)
            if message.job_done:
                self._finish(self._status(message))

    def _status(self, last: RunFinished) -> RunStatus:
        if last.status == "error":
            return "failed"
        if self.kind == "run" or last.status == "cancelled":
            return last.status
        return "done"  # a sweep is done even if some of its runs diverged (as on the CLI)

    def _finish(self, status: RunStatus) -> None:
        assert self.store is not None and self.run_id is not None
        self.finished = True
        self.store.finish(self.run_id, status, self.summary())

    def summary(self) -> dict[str, Any]:
        """A run's final numbers; a sweep's row count, best final val_mse and blow-ups."""
        if self.kind == "run":
            last = self.last.get("")
            if last is None:
                return {}
            keys = ("epoch", "steps", "train_mse", "val_mse", "b_error", "diverged")
            return {k: getattr(last, k) for k in keys} | {"w_error_norm": last.w_error_norm}
        val = [v for r in self.finals if math.isfinite(v := r.val_mse)]
        diverged = sum(bool(r.diverged) for r in self.finals)
        return {
            "rows": len(self.finals),
            "val_mse": min(val, default=math.nan),
            "diverged": diverged,
        }

    def _fail(self, error: Exception) -> None:
        self.active = False
        reason = (
            str(error) if isinstance(error, HistoryError) else f"{type(error).__name__}: {error}"
        )
        if self.history.failure is None:  # the first failure of the session is the one told
            self.history.failure = reason
            self._post(HistoryUnavailable(reason))


def _job_done(message: Message) -> bool:
    return isinstance(message, RunFinished) and message.job_done


def variant_labels(job: list[RunConfig] | SweepPlan) -> list[str]:
    """A unique name per run of a multi-run job: loss and lr, then whatever else varies."""
    if isinstance(job, SweepPlan):
        return []
    varying = [
        name
        for name in ("seed", "outliers", "batch_size", "delta", "epochs")
        if len({getattr(cfg, name) for cfg in job}) > 1
    ]
    labels = [
        " ".join([cfg.loss, f"lr={cfg.lr:g}", *(f"{n}={getattr(cfg, n):g}" for n in varying)])
        for cfg in job
    ]
    seen = Counter(labels)
    return [f"{label} #{i}" if seen[label] > 1 else label for i, label in enumerate(labels)]
