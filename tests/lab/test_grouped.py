"""A job of several runs trained side by side by shape (lab.grouped) sends what the same
runs trained one at a time send: the same events per run index in the same order, the same
statuses, and the same numbers to the roundoff of another computation path."""

from __future__ import annotations

from dataclasses import replace

import pytest

from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.events import EpochsCompleted, Event, RunFinished, RunProgressed, RunStarted
from linreg_tui.lab.grouped import capacity, groups
from linreg_tui.lab.limits import work_of
from linreg_tui.lab.plans import RunsPlan, loss_plan, robust_plan
from linreg_tui.lab.run import run_job
from tests.engine.roundoff import assert_close_to_single_run

BOOK = RunConfig(num_train=1024)
"""The mean vs sum view's suggested settings."""
EDGE = replace(BOOK, lr=0.04)
"""... at a larger lr: every sum at lr diverges (at 0.03 none does) while its group's sums
at lr / B train on."""


def events(plan: RunsPlan, stop_after: int | None = None) -> list[Event]:
    """A job's events; with `stop_after`, cancelled once that many steps were asked."""
    posted: list[Event] = []
    asked = 0

    def is_cancelled() -> bool:
        nonlocal asked
        asked += 1
        return stop_after is not None and asked > stop_after

    run_job(plan, 3, posted.append, is_cancelled)
    return posted


def outline(posted: list[Event]) -> list[tuple[str, int]]:
    """(kind, run index) of each event, records and step counts left out."""
    return [
        (type(e).__name__, e.index)
        for e in posted
        if isinstance(e, (RunStarted, RunFinished))  # records: below, by index
    ]


def records(posted: list[Event]) -> dict[int, list]:
    by_run: dict[int, list] = {}
    for e in posted:
        if isinstance(e, EpochsCompleted):
            by_run.setdefault(e.index, []).extend(e.records)
    return by_run


@pytest.mark.parametrize(
    "plan",
    [
        loss_plan(BOOK, seeds=20),
        loss_plan(EDGE, seeds=20),
        robust_plan(RunConfig(outliers=0.1, outlier_scale=100.0)),
    ],
    ids=["mean-vs-sum-43", "mean-vs-sum-diverging", "robust-6"],
)
def test_a_grouped_job_equals_its_runs_one_at_a_time(plan: RunsPlan) -> None:
    together, alone = events(plan), events(replace(plan, batched=False))
    assert outline(together) == outline(alone)
    n = len(plan.runs)
    assert outline(together) == [(k, i) for i in range(n) for k in ("RunStarted", "RunFinished")]
    # each run's RunStarted, records, RunFinished come before the next run's RunStarted
    order = [e.index for e in together if not isinstance(e, RunProgressed)]
    assert order == sorted(order)
    finished = [e for e in together if isinstance(e, RunFinished)]
    assert [(e.status, e.job_done) for e in finished] == [
        (e.status, e.job_done) for e in alone if isinstance(e, RunFinished)
    ]
    if plan.config == EDGE:
        assert sum(e.status == "diverged" for e in finished) == 20  # half of a group
    grouped, single = records(together), records(alone)
    for i, cfg in enumerate(plan.runs):
        assert len(grouped[i]) == len(single[i])
        # the sum at the mean's lr sits at (or past) the edge of stability: no contraction
        edge = cfg.loss == "mse-sum" and cfg.lr == plan.config.lr
        for a, b in zip(grouped[i], single[i]):
            assert_close_to_single_run(a, b, cfg, contracting=not edge)  # see roundoff.py
        assert finished[i].last == grouped[i][-1]


def test_a_cancel_ends_the_job_at_the_run_whose_group_it_stopped() -> None:
    plan = loss_plan(RunConfig(num_train=200, num_val=20), seeds=3)  # mean, then 6 sums
    steps = plan.runs[0].total_steps
    posted = events(plan, stop_after=steps + 5)  # run 0 alone, then 5 steps into the sums
    last = posted[-1]
    assert isinstance(last, RunFinished) and last.job_done
    assert (last.index, last.status, last.last) == (1, "cancelled", None)
    assert [(e.index, e.status) for e in posted if isinstance(e, RunFinished)] == [
        (0, "done"),
        (1, "cancelled"),
    ]
    progress = [e.steps for e in posted if isinstance(e, RunProgressed) and e.index == 1]
    assert progress and progress[-1] == 5 * 6  # 5 batched steps of the 6 sums


def test_runs_group_by_shape_and_within_the_data_limit() -> None:
    base = RunConfig(num_train=100, num_val=100)
    runs = [
        base,
        replace(base, loss="mse-sum"),
        replace(base, seed=1),
        replace(base, batch_size=10),
        replace(base, lr=0.1, outliers=0.2),  # lr, seed, data: not the shape
        replace(base, w=(1.0, 2.0, 3.0)),  # a third feature is
    ]
    assert groups(runs) == [[0, 2, 4], [1], [3], [5]]
    one = work_of([(base, 1)]).peak_bytes
    assert capacity(base, budget=2 * one) == 2 and capacity(base, budget=1) == 1
    assert groups(runs, budget=2 * one) == [[0, 2], [1], [3], [4], [5]]


def test_a_single_run_streams_and_a_plan_may_ask_for_one_at_a_time() -> None:
    cfg = RunConfig(num_train=20, num_val=20, batch_size=20, epochs=200)
    alone = events(RunsPlan.of(cfg))  # one run: epoch 0 goes out at once, then batches
    assert len([e for e in alone if isinstance(e, EpochsCompleted)]) >= 2
    both = RunsPlan.of(cfg, replace(cfg, seed=1))
    assert len([e for e in events(both) if isinstance(e, EpochsCompleted)]) == 2
    streamed = events(replace(both, batched=False))
    assert len([e for e in streamed if isinstance(e, EpochsCompleted)]) >= 4
