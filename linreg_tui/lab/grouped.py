"""Runs of one shape trained side by side: a job of many runs as a few tensor programs.

A RunsPlan of several runs (mean vs sum's 43, robust loss's 3 or 6) is grouped by shape
(`engine.batched.shape_of`: sizes, batch, epochs, loss, delta, steps, averaging, feature
count). A group trains with the batched engine when its first run comes up; then each run's
events go out in plan order, as trained one at a time: RunStarted, its records (one
EpochsCompleted), RunFinished. A front end sees the same events per run index in the same
order, and the same numbers to the roundoff of another computation path (a test holds them
to it). While a group trains, RunProgressed counts the steps of all its runs, and a cancel
ends the job with a "cancelled" RunFinished for the run whose group it stopped.

A single run never comes here: it streams epoch by epoch (`run.run_job`). A group holds all
its runs' data at once, so it is cut into parts within one run's data limit
(MAX_DATA_BYTES, as `limits.work_of` counts it), as the sweeps are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from linreg_tui.engine.config import MAX_DATA_BYTES, RunConfig
from linreg_tui.lab.events import EpochsCompleted, RunFinished, RunStarted
from linreg_tui.lab.limits import work_of
from linreg_tui.lab.posting import GroupSteps, Post, ended_by

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord
    from linreg_tui.lab.plans import RunsPlan


def capacity(cfg: RunConfig, budget: int = MAX_DATA_BYTES) -> int:
    """How many runs of `cfg` fit side by side in `budget` bytes of data (at least one)."""
    return max(1, budget // work_of([(cfg, 1)]).peak_bytes)


def groups(runs: Sequence[RunConfig], budget: int = MAX_DATA_BYTES) -> list[list[int]]:
    """Indices of the runs that train together: runs of one shape, in plan order, cut into
    parts that fit `budget`; the groups in the order of their first run."""
    from linreg_tui.engine.batched import shape_of  # loads torch: where runs train

    open_parts: dict[tuple[object, ...], list[int]] = {}
    out: list[list[int]] = []
    for index, cfg in enumerate(runs):
        key = shape_of(cfg)
        part = open_parts.get(key)
        if part is None or len(part) >= capacity(cfg, budget):
            part = open_parts[key] = []
            out.append(part)
        part.append(index)
    return out


def run_grouped(plan: RunsPlan, run_id: int, post: Post, is_cancelled: Callable[[], bool]) -> None:
    """Train `plan`'s runs group by group; emit each run's events in plan order.

    Statuses as one at a time: "done", "diverged" (the run's last record says so),
    "cancelled" (the job ends there), "failed" (re-raised, as `run.run_job` does).
    """
    from linreg_tui.engine.batched import train_batched  # loads torch: where runs train

    runs = plan.runs
    group_of = {index: part for part in groups(runs) for index in part}
    trained: dict[int, list[EpochRecord]] = {}
    for index, cfg in enumerate(runs):
        post(RunStarted(run_id, index, len(runs), cfg))
        if index not in trained:
            part = group_of[index]
            steps = GroupSteps(run_id, index, post, is_cancelled, len(part))
            try:
                result = train_batched([runs[i] for i in part], steps.should_stop)
            except BaseException as error:
                steps.flush()
                post(RunFinished(run_id, index, ended_by(error), None, job_done=True))
                raise
            if result is None:  # the engine only returns None when asked to stop
                steps.flush()
                post(RunFinished(run_id, index, "cancelled", None, job_done=True))
                return
            trained.update(zip(part, result))
        records = trained.pop(index)
        post(EpochsCompleted(run_id, index, tuple(records)))
        last = records[-1]
        status = "diverged" if last.diverged else "done"
        post(RunFinished(run_id, index, status, last, job_done=index == len(runs) - 1))
