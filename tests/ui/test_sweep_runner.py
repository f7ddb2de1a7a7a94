"""The thread side of sweep jobs, without an app: batching, statuses, cancel, errors."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from functools import partial

import pytest

from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.events import Event, RunFinished, RunProgressed, RunStarted, SweepRowsCompleted
from linreg_tui.lab.plans import SweepPlan
from linreg_tui.lab.run import run_job


def counting(
    rows: int, steps_per_row: int, pause: float, should_stop: Callable[[], bool]
) -> Iterator[int]:
    """A stand-in sweep: each row takes `steps_per_row` steps of `pause` seconds."""
    for row in range(rows):
        for _ in range(steps_per_row):
            if should_stop():
                return
            time.sleep(pause)
        yield row


def plan(rows: int = 5, steps: int = 10, pause: float = 0.0) -> SweepPlan:
    return SweepPlan(RunConfig(), partial(counting, rows, steps, pause), rows, rows * steps)


def collect(job: SweepPlan, stop_after: int | None = None) -> list[Event]:
    posted: list[Event] = []
    asked = 0

    def is_cancelled() -> bool:
        nonlocal asked
        asked += 1
        return stop_after is not None and asked > stop_after

    run_job(job, 3, posted.append, is_cancelled)
    return posted


def rows_of(posted: list[Event]) -> list[object]:
    return [r for m in posted if isinstance(m, SweepRowsCompleted) for r in m.rows]


def test_a_sweep_posts_started_batched_rows_and_done() -> None:
    posted = collect(plan(rows=200, steps=1))
    assert isinstance(posted[0], RunStarted) and posted[0].total == 1
    finished = posted[-1]
    assert isinstance(finished, RunFinished) and finished.job_done
    assert (finished.status, finished.last) == ("done", None)
    assert rows_of(posted) == list(range(200))
    batches = [m for m in posted if isinstance(m, SweepRowsCompleted)]
    assert len(batches) < 10  # 200 fast rows: a handful of posts, not 200
    assert all(m.run_id == 3 for m in posted)  # type: ignore[attr-defined]


def test_posts_are_at_most_ten_a_second() -> None:
    started = time.monotonic()
    posted = collect(plan(rows=40, steps=5, pause=0.002))  # ~0.4 s of steps
    seconds = time.monotonic() - started
    updates = [m for m in posted if isinstance(m, (SweepRowsCompleted, RunProgressed))]
    assert len(updates) <= 2 * (10 * seconds + 2)  # a flush posts rows and steps together
    steps = [m.steps for m in posted if isinstance(m, RunProgressed)]
    assert steps == sorted(steps) and steps[-1] == 200


def test_a_cancel_stops_between_steps_with_a_cancelled_status() -> None:
    posted = collect(plan(rows=10, steps=10), stop_after=35)
    finished = posted[-1]
    assert isinstance(finished, RunFinished) and finished.status == "cancelled"
    assert rows_of(posted) == [0, 1, 2]  # the 4th row was stopped inside
    assert not any(isinstance(m, RunProgressed) and m.steps > 35 for m in posted)


def test_an_error_is_reported_then_raised() -> None:
    def broken(should_stop: Callable[[], bool]) -> Iterator[int]:
        yield 1
        raise RuntimeError("boom")

    posted: list[Event] = []
    with pytest.raises(RuntimeError):
        run_job(SweepPlan(RunConfig(), broken, 2, 2), 1, posted.append, lambda: False)
    assert rows_of(posted) == [1]
    assert isinstance(posted[-1], RunFinished) and posted[-1].status == "failed"


def test_the_real_lr_sweep_yields_every_cell() -> None:
    from linreg_tui.engine.sweep import sweep_lr

    base = RunConfig(num_train=64, num_val=32, epochs=2)
    run = partial(sweep_lr, base, (0.03, 3.0), (1, 2))
    job = SweepPlan(base, lambda stop: run(should_stop=stop), 4, 2 * 2, "cells")
    posted = collect(job)
    cells = rows_of(posted)
    assert [(c.lr, c.epochs) for c in cells] == [(0.03, 1), (0.03, 2), (3.0, 1), (3.0, 2)]  # type: ignore[attr-defined]
    progressed = [m.steps for m in posted if isinstance(m, RunProgressed)]
    assert progressed[-1] == job.total_steps
