"""The run history's one recorder: a job's events, written as they go by.

The app and the command line both wrap a job's `post` with `Recorder.tap`: each event is
written to the history first (in the thread that trains, through the store's lock), then
passed on, so by the time a front end sees a job's last RunFinished its record is final.
A failing database never stops a job: the first failure goes to `warn` once and the
session carries on unrecorded.

| plan (app view, command) | kind | records |
| --- | --- | --- |
| one run (single run, gradients; `run`) | run | its epochs |
| several runs (mean vs sum, robust; `sweep loss`) | sweep-loss | epochs by label, a row per run |
| a SweepPlan (lr grid, sizes; `sweep lr/sizes`) | sweep-lr/sizes | its rows |

A run's status is how it ended; a sweep's is done even if some of its runs diverged.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from linreg_tui.lab.events import (
    EpochsCompleted,
    Event,
    RunFinished,
    RunStarted,
    SweepRowsCompleted,
)
from linreg_tui.lab.plans import Plan, RunsPlan
from linreg_tui.lab.run import Post, ended_by, iter_job
from linreg_tui.store.history import History, HistoryError, RunStatus, Source, resolve_path


class HistoryHandle:
    """A history database opened on first use and shared between threads (the recorder's
    and, in the app, the history view's loader)."""

    def __init__(self, db: str | os.PathLike[str] | None = None, record: bool = True) -> None:
        self.path: Path = resolve_path(db)
        """`--db`, else $LINREG_TUI_DB, else the user data folder."""
        self.record = record
        """False with --no-record: the history is read but nothing is written."""
        self.failure: str | None = None
        """Why recording stopped, once it has."""
        self._store: History | None = None
        self._lock = threading.Lock()

    def store(self, create: bool = True) -> History | None:
        """The open database; None if `create` is False and there is no file yet (reading
        never creates one). Raises HistoryError. Off the UI thread: opening may wait for
        another process's migration."""
        with self._lock:
            if self._store is None:
                if not create and not self.path.exists():
                    return None
                self._store = History(self.path)
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


class Recorder:
    """Writes one job's events to the history as they go by (see the module docstring)."""

    def __init__(
        self,
        plan: Plan,
        history: HistoryHandle,
        *,
        source: Source,
        label: str | None = None,
        warn: Callable[[str], object] = lambda reason: None,
        recorded: Callable[[int], object] = lambda history_id: None,
    ) -> None:
        self.plan, self.history, self.source, self.label = plan, history, source, label
        self.warn, self.recorded = warn, recorded
        self.kind = plan.kind or None
        """None: a plan the history does not keep."""
        self.labels = plan.labels if isinstance(plan, RunsPlan) and plan.kind != "run" else ()
        """The variant name of each run of a multi-run plan."""
        self.active = history.record and history.failure is None and self.kind is not None
        self.run_id: int | None = None
        """The job's id in the history, once its first event is recorded."""
        self.finished = False
        self.last: dict[str, Any] = {}
        """The latest epoch record of each label ('' for a single run)."""
        self.finals: list[Any] = []
        """A sweep's rows, or a multi-run job's last records: what the summary reads."""
        self._post: Post = lambda event: None
        self._stopped_by: RunStatus | None = None
        """How the front end stopped the job, if it did (see `events`)."""

    def tap(self, post: Post) -> Post:
        """`post`, recording each event first."""
        self._post = post
        return self.post

    def post(self, event: Event) -> None:
        if self.active:
            try:
                self._record(event)
            except Exception as error:  # a broken history must not stop the run
                self._fail(error)
        self._post(event)
        if self.finished and self.run_id is not None and _job_done(event):
            self.recorded(self.run_id)

    @contextlib.contextmanager
    def events(self) -> Iterator[Iterator[Event]]:
        """The plan's events for a front end that pulls them (`run.iter_job`), recorded.
        An exception in the loop stops the job, which is recorded as the exception ended
        it: cancelled (Ctrl-C, a closed pipe) or failed (e.g. the output file failed)."""
        events = iter_job(self.plan, self.tap)
        try:
            yield events
        except BaseException as error:
            self._stopped_by = ended_by(error)
            raise
        finally:
            events.close()  # stops the job, and waits for its last event

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """A job that ended without its last RunFinished is recorded as an exception ends
        it: cancelled by Ctrl-C or a closed pipe, else failed."""
        if self.active and self.run_id is not None and not self.finished:
            try:
                self._finish("failed" if exc is None else ended_by(exc))
            except Exception as error:  # as above
                self._fail(error)

    def _record(self, event: Event) -> None:
        if isinstance(event, RunStarted) and self.run_id is None:
            store = self.history.store()
            assert store is not None and self.kind is not None  # create=True never gives None
            params = dict(getattr(self.plan, "params", {}))
            self.run_id = store.start_run(
                self.kind,  # type: ignore[arg-type]
                self.plan.config,
                self.source,
                self.label,
                params,
            )
        store = self.history.store()
        if store is None or self.run_id is None:
            return
        if isinstance(event, EpochsCompleted):
            label = self.labels[event.index] if self.labels else ""
            store.add_epochs(self.run_id, event.records, label)
            self.last[label] = event.records[-1]
        elif isinstance(event, SweepRowsCompleted):
            store.add_sweep_rows(self.run_id, event.rows)
            self.finals.extend(event.rows)
        elif isinstance(event, RunFinished):
            if self.labels:
                cfg = self.plan.runs[event.index]  # type: ignore[union-attr]
                row = {"label": self.labels[event.index], "config": cfg.to_dict()}
                store.add_sweep_rows(self.run_id, [row | {"status": event.status}])
                if event.last is not None:
                    self.finals.append(event.last)
            if event.job_done:
                self._finish(self._status(event))

    def _status(self, last: RunFinished) -> RunStatus:
        if last.status == "cancelled" and self._stopped_by is not None:
            return self._stopped_by
        if self.kind == "run" or last.status in ("cancelled", "failed"):
            return last.status
        return "done"  # a sweep is done even if some of its runs diverged

    def _finish(self, status: RunStatus) -> None:
        store = self.history.store()
        assert store is not None and self.run_id is not None
        self.finished = True
        store.finish(self.run_id, status, self.summary())

    def summary(self) -> dict[str, Any]:
        """A run's final numbers; a sweep's row count, best final val_mse and blow-ups."""
        if self.kind == "run":
            last = self.last.get("")
            if last is None:
                return {}
            keys = ("epoch", "steps", "train_mse", "val_mse", "b_error", "diverged")
            return {k: getattr(last, k) for k in keys} | {"w_error_norm": last.w_error_norm}
        val = [v for r in self.finals if math.isfinite(v := r.val_mse)]
        return {
            "rows": len(self.finals),
            "val_mse": min(val, default=math.nan),
            "diverged": sum(bool(r.diverged) for r in self.finals),
        }

    def _fail(self, error: Exception) -> None:
        self.active = False
        reason = (
            str(error) if isinstance(error, HistoryError) else f"{type(error).__name__}: {error}"
        )
        if self.history.failure is None:  # the first failure of the session is the one told
            self.history.failure = reason
            self.warn(reason)


def _job_done(event: Event) -> bool:
    return isinstance(event, RunFinished) and event.job_done
