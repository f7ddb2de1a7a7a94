"""Running a job: iterate the engine and emit batched events (`events`), nothing else.

`run_job` is plain Python with no front end in sight: the app's worker thread (or the
training process, `process`) calls it with a thread-safe `post` and a stop check; the
command line calls it with a `post` that prints. A job is either a `RunsPlan`, whose single
run streams its records epoch by epoch from `train()` and whose several runs train side by
side by shape (`grouped`), or a `SweepPlan`, whose rows (e.g. the batched sweep engine's
GridCells) are emitted as they come. What gets posted how often: `posting`.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING

from linreg_tui.lab.events import Event, RunFinished, RunStarted, RunStatus
from linreg_tui.lab.grouped import run_grouped
from linreg_tui.lab.plans import Plan, SweepPlan
from linreg_tui.lab.posting import POST_INTERVAL, Post, Rows, Stream, ended_by

__all__ = ["POST_INTERVAL", "Post", "ended_by", "iter_job", "load_engine", "run_job", "run_sweep"]

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord


def run_sweep(plan: SweepPlan, run_id: int, post: Post, is_cancelled: Callable[[], bool]) -> None:
    """Run a sweep: RunStarted, batched SweepRowsCompleted and RunProgressed, RunFinished.

    Status "done" when the sweep ran to its end, "diverged" when the plan says a row shows
    its one run diverged (a trace), "cancelled" when it was stopped, "failed"
    (then re-raised, so the worker ends in the ERROR state) when it raised.
    """
    post(RunStarted(run_id, 0, 1, plan.config))
    rows = Rows(run_id, 0, post, is_cancelled)
    diverged = False
    try:
        for row in plan.run(rows.should_stop):
            rows.add(row)
            diverged = diverged or (plan.diverged is not None and plan.diverged(row))
            if is_cancelled():  # between rows too: a row-only sweep stops here
                rows.stopped = True
                break
    except BaseException as error:
        rows.flush()
        post(RunFinished(run_id, 0, ended_by(error), None, job_done=True))
        raise
    rows.flush()
    status: RunStatus = "cancelled" if rows.stopped else "diverged" if diverged else "done"
    post(RunFinished(run_id, 0, status, None, job_done=True))


def run_job(plan: Plan, run_id: int, post: Post, is_cancelled: Callable[[], bool]) -> None:
    """Train each run in turn, emitting RunStarted, batched records and RunFinished
    (several runs: grouped by shape, `grouped.run_grouped`, with the same events).

    The engine asks `is_cancelled` between SGD steps, so a cancel takes effect within one
    step. An exception is reported as a "failed" RunFinished (Ctrl-C: "cancelled"), then
    re-raised so the worker ends in the ERROR state. A SweepPlan goes to `run_sweep`.
    """
    if isinstance(plan, SweepPlan):
        run_sweep(plan, run_id, post, is_cancelled)
        return
    if plan.batched and len(plan.runs) > 1:
        run_grouped(plan, run_id, post, is_cancelled)  # runs of one shape side by side
        return
    from linreg_tui.engine.training import train  # loads torch: never at UI import time

    runs = plan.runs
    for index, cfg in enumerate(runs):
        post(RunStarted(run_id, index, len(runs), cfg))
        stream = Stream(run_id, index, post, is_cancelled)
        last: EpochRecord | None = None
        status: RunStatus = "done"
        try:
            for record in train(cfg, should_stop=stream.should_stop):
                last = record
                stream.add(record)
        except BaseException as error:
            stream.flush()
            post(RunFinished(run_id, index, ended_by(error), last, job_done=True))
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


class _Raised:
    """An exception of the job's thread, carried to the thread that iterates the job."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def load_engine() -> None:
    """Import the engine, and so torch, with the garbage collector off; then freeze what
    they built out of every later collection.

    Importing torch allocates objects by the hundred thousand and keeps them all: the
    collections this triggers free nothing and cost ~0.15 s of CPU, 12% of the import
    (median of five here). The command line and the training process call this first.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        import linreg_tui.engine.training  # noqa: F401  (loads torch)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def iter_job(plan: Plan, tap: Callable[[Post], Post] = lambda post: post) -> Iterator[Event]:
    """The events of `plan`, trained in a thread of their own, for a front end that pulls
    (the command line prints them as they come). `tap` wraps the thread's post (the
    recorder). Leaving the loop early (Ctrl-C, a closed pipe) stops the job within one SGD
    step and waits for its last event; the job's own exception is raised here."""
    load_engine()
    queue: SimpleQueue[Event | _Raised | None] = SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        try:
            run_job(plan, 1, tap(queue.put), stop.is_set)
        except BaseException as error:
            queue.put(_Raised(error))
        finally:
            queue.put(None)

    thread = threading.Thread(target=work, name="linreg-job", daemon=True)
    thread.start()
    try:
        while True:
            try:
                item = queue.get(timeout=POLL)  # a timeout: Ctrl-C gets through at once
            except Empty:
                continue
            if item is None:
                return
            if isinstance(item, _Raised):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()


POLL = 0.1
"""Seconds the command line waits for an event before it looks for a Ctrl-C again."""
