"""The training process: the same messages as the thread, cancel, errors, a killed child.

One warm process is shared by the module's tests (starting one loads torch: ~2 s).
"""

from __future__ import annotations

import math
import operator
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from linreg_tui.engine.config import RunConfig
from linreg_tui.lab import process as trainer_module
from linreg_tui.lab.events import (
    EpochsCompleted,
    Event,
    RunFinished,
    RunStarted,
    SweepRowsCompleted,
)
from linreg_tui.lab.plans import RunsPlan, SweepPlan
from linreg_tui.lab.process import RemoteError, TrainerGone, TrainerProcess
from linreg_tui.lab.process_child import _portable
from linreg_tui.lab.run import run_job
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.views import VIEWS
from linreg_tui.ui.widgets.results_table import ResultsTable
from tests.ui.conftest import SIZE, run_to_end


@pytest.fixture(scope="module")
def trainer() -> Iterator[TrainerProcess]:
    process = TrainerProcess()
    process.warm()
    yield process
    process.close()


def shape(posted: list[Event]) -> list[tuple[object, ...]]:
    """What a view sees of a job, without the wall-clock parts of the records."""
    out: list[tuple[object, ...]] = []
    for m in posted:
        if isinstance(m, RunStarted):
            out.append(("started", m.index, m.config))
        elif isinstance(m, EpochsCompleted):
            out.extend(("record", m.index, replace(r, elapsed=0.0)) for r in m.records)
        elif isinstance(m, RunFinished):
            last = None if m.last is None else replace(m.last, elapsed=0.0)
            out.append(("finished", m.index, m.status, last, m.job_done))
        elif isinstance(m, SweepRowsCompleted):
            out.extend(("row", row) for row in m.rows)
    return out


def test_a_job_in_the_process_posts_what_the_thread_posts(trainer: TrainerProcess) -> None:
    ok = RunConfig(num_train=64, num_val=16, epochs=4)
    bad = replace(ok, lr=30.0, epochs=3)  # diverges
    in_thread: list[Event] = []
    in_process: list[Event] = []
    run_job(RunsPlan.of(ok, bad), 3, in_thread.append, lambda: False)
    trainer.run(RunsPlan.of(ok, bad), 3, in_process.append, lambda: False)
    assert shape(in_process) == shape(in_thread)
    statuses = [m.status for m in in_process if isinstance(m, RunFinished)]
    assert statuses == ["done", "diverged"]
    assert all(m.run_id == 3 for m in in_process)  # type: ignore[attr-defined]


async def test_every_views_job_travels_to_the_process_and_runs_as_in_the_thread(
    trainer: TrainerProcess,
) -> None:
    config = RunConfig(num_train=64, num_val=16, epochs=2)
    app = LinregApp(config=config, warm_torch=False)
    async with app.run_test(size=SIZE):
        jobs = {view.VIEW_ID: view.plan(config) for view in app.views if view.id != "history"}
    assert set(jobs) == {view.VIEW_ID for view in VIEWS} - {"history"}  # it trains nothing
    for run_id, (view_id, job) in enumerate(jobs.items(), start=100):
        in_thread: list[Event] = []
        in_process: list[Event] = []
        run_job(job, run_id, in_thread.append, lambda: False)
        trainer.run(job, run_id, in_process.append, lambda: False)
        assert shape(in_process) == shape(in_thread), view_id
        finished = [m for m in in_process if isinstance(m, RunFinished)]
        assert finished[-1].job_done and finished[-1].status == "done", view_id
    rows = [s for s in shape(in_process) if s[0] == "row"]  # the last: sizes, a SweepPlan
    assert isinstance(job, SweepPlan) and len(rows) == job.total_rows


async def test_the_app_trains_in_the_process_when_asked_to(tiny_config: RunConfig) -> None:
    app = LinregApp(config=tiny_config, warm_torch=False, trainer="process")
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        assert app.trainer_process is not None and app.trainer_process._process is not None
        child = app.trainer_process._process
        assert app.status.text.startswith("done")
        table = app.query_one(ResultsTable)
        assert table.row_count == 1
    assert child.poll() is not None  # quitting stopped the process


def test_a_cancel_stops_the_process_run_at_once(trainer: TrainerProcess) -> None:
    posted: list[Event] = []
    started = time.perf_counter()
    trainer.run(
        RunsPlan.of(RunConfig(epochs=100_000)),
        5,
        posted.append,
        lambda: time.perf_counter() - started > 0.3,
    )
    elapsed = time.perf_counter() - started
    finished = posted[-1]
    assert isinstance(finished, RunFinished) and finished.status == "cancelled"
    assert elapsed < 2.0  # 100k epochs would take minutes
    posted.clear()  # the cancel was for job 5 only: the next job runs to its end
    trainer.run(RunsPlan.of(RunConfig(epochs=2)), 6, posted.append, lambda: False)
    assert isinstance(posted[-1], RunFinished) and posted[-1].status == "done"


def test_an_error_in_the_process_is_reraised_after_an_error_status(
    trainer: TrainerProcess,
) -> None:
    plan = SweepPlan(RunConfig(), run=partial(math.sqrt, -1.0), total_rows=1, total_steps=1)
    posted: list[Event] = []
    with pytest.raises(TypeError):  # sqrt(-1.0, should_stop): a TypeError in the child
        trainer.run(plan, 7, posted.append, lambda: False)
    assert isinstance(posted[-1], RunFinished) and posted[-1].status == "failed"
    posted.clear()
    trainer.run(RunsPlan.of(RunConfig(epochs=1)), 8, posted.append, lambda: False)  # still serving
    assert isinstance(posted[-1], RunFinished) and posted[-1].status == "done"


def test_a_lab_exception_in_the_process_arrives_as_its_name_and_text(
    trainer: TrainerProcess,
) -> None:
    """ConfigError(field, problem) does not unpickle (two arguments), and a torch error
    would load torch in the app: only builtin exceptions travel as themselves."""
    plan = SweepPlan(RunConfig(), run=partial(RunConfig, lr=-1.0), total_rows=1, total_steps=1)
    posted: list[Event] = []
    with pytest.raises(RemoteError) as caught:  # RunConfig(should_stop, lr=-1): refused
        trainer.run(plan, 10, posted.append, lambda: False)
    assert caught.value.kind == "ConfigError" and "must be" in caught.value.text
    assert isinstance(_portable(ValueError("x")), ValueError)
    assert isinstance(_portable(KeyboardInterrupt()), RemoteError)  # never a BaseException


class Boom:
    """Pickles in the app; unpickling it (in the process) raises ZeroDivisionError."""

    def __reduce__(self) -> tuple[object, tuple[int, int]]:
        return operator.truediv, (1, 0)


def test_a_job_that_fails_to_load_in_the_process_is_its_error_and_the_process_lives(
    trainer: TrainerProcess,
) -> None:
    process = trainer._process
    plan = SweepPlan(RunConfig(), run=partial(math.sqrt), total_rows=1, total_steps=1,
                     params={"x": Boom()})  # fmt: skip
    with pytest.raises(ZeroDivisionError):
        trainer.run(plan, 11, [].append, lambda: False)
    posted: list[Event] = []
    trainer.run(RunsPlan.of(RunConfig(epochs=1)), 12, posted.append, lambda: False)
    assert isinstance(posted[-1], RunFinished) and posted[-1].status == "done"
    assert trainer._process is process  # still the warm one: no torch to load again


def test_a_job_that_cannot_travel_fails_in_the_app() -> None:
    plan = SweepPlan(RunConfig(), run=lambda stop: iter(()), total_rows=0, total_steps=0)
    with pytest.raises((pickle.PicklingError, AttributeError)):
        TrainerProcess().run(plan, 1, [].append, lambda: False)  # before any process starts


def test_when_posting_fails_the_next_job_gets_only_its_own_messages(
    trainer: TrainerProcess,
) -> None:
    def broken(message: Event) -> None:
        if isinstance(message, EpochsCompleted):
            raise RuntimeError("a handler broke")

    with pytest.raises(RuntimeError, match="handler"):
        trainer.run(RunsPlan.of(RunConfig(epochs=2000)), 13, broken, lambda: False)
    posted: list[Event] = []
    trainer.run(RunsPlan.of(RunConfig(epochs=2)), 14, posted.append, lambda: False)
    assert {m.run_id for m in posted} == {14}  # type: ignore[attr-defined]
    assert isinstance(posted[-1], RunFinished) and posted[-1].status == "done"


def test_a_cancel_stops_only_its_own_job_whatever_the_run_ids(trainer: TrainerProcess) -> None:
    posted: list[Event] = []
    trainer.run(RunsPlan.of(RunConfig(epochs=100_000)), 50, posted.append, lambda: len(posted) > 1)
    assert isinstance(posted[-1], RunFinished) and posted[-1].status == "cancelled"
    posted.clear()
    trainer.run(RunsPlan.of(RunConfig(epochs=3)), 20, posted.append, lambda: False)  # a lower id
    assert isinstance(posted[-1], RunFinished) and posted[-1].status == "done"


def test_a_cancel_while_torch_loads_ends_the_job_at_once() -> None:
    trainer = TrainerProcess()
    try:
        warming = threading.Thread(target=trainer.warm)
        warming.start()
        time.sleep(0.2)  # the warm-up holds the process, loading torch
        posted: list[Event] = []
        started = time.perf_counter()
        trainer.run(RunsPlan.of(RunConfig(epochs=3)), 1, posted.append, lambda: True)
        assert time.perf_counter() - started < 0.5
        assert isinstance(posted[-1], RunFinished) and posted[-1].status == "cancelled"
        warming.join(30)
        assert trainer.ready  # and the load went on, for the next run
    finally:
        trainer.close()


def test_a_process_that_fails_to_start_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trainer_module, "_ENTRY", "raise SystemExit('no torch here {path!r:.0}')")
    with pytest.raises(TrainerGone, match=r"failed to start.*no torch here"):
        TrainerProcess().warm()


def test_the_process_imports_what_the_app_imports_whatever_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "torch.py").write_text("raise ImportError('a stray torch.py')\n")
    monkeypatch.chdir(tmp_path)
    trainer = TrainerProcess()
    try:
        trainer.warm()  # python -c would put the folder first on the child's sys.path
        posted: list[Event] = []
        trainer.run(RunsPlan.of(RunConfig(epochs=1)), 1, posted.append, lambda: False)
        assert isinstance(posted[-1], RunFinished) and posted[-1].status == "done"
    finally:
        trainer.close()


def test_a_killed_process_ends_the_job_with_an_error_and_the_next_job_restarts_it() -> None:
    trainer = TrainerProcess()
    try:
        assert not trainer.ready
        trainer.warm()
        assert trainer.ready
        process = trainer._process
        assert process is not None
        threading.Timer(0.5, process.kill).start()
        posted: list[Event] = []
        with pytest.raises(TrainerGone, match="ended"):
            trainer.run(RunsPlan.of(RunConfig(epochs=100_000)), 1, posted.append, lambda: False)
        finished = posted[-1]
        assert isinstance(finished, RunFinished) and finished.status == "failed"
        records = [r for m in posted if isinstance(m, EpochsCompleted) for r in m.records]
        assert finished.last == records[-1] and finished.last.epoch > 0  # what it reached
        assert not trainer.ready  # the next job waits for a new process to load torch
        posted.clear()
        trainer.run(RunsPlan.of(RunConfig(epochs=1)), 2, posted.append, lambda: False)
        assert isinstance(posted[-1], RunFinished) and posted[-1].status == "done"
    finally:
        trainer.close()
    assert trainer._process is None


def test_close_while_loading_torch_is_quick() -> None:
    trainer = TrainerProcess()
    failures: list[BaseException] = []

    def warm() -> None:
        try:
            trainer.warm()
        except TrainerGone as error:
            failures.append(error)

    worker = threading.Thread(target=warm)
    worker.start()
    time.sleep(0.3)  # the child is importing torch
    started = time.perf_counter()
    trainer.close()
    worker.join(5)
    assert time.perf_counter() - started < 1.5
    assert not worker.is_alive()
    assert len(failures) == 1  # the warm-up was told the process is gone


def test_the_apps_process_never_loads_torch() -> None:
    script = (
        "import sys\n"
        "from linreg_tui.engine.config import RunConfig\n"
        "from linreg_tui.lab.process import TrainerProcess\n"
        "from linreg_tui.lab.plans import RunsPlan\n"
        "t = TrainerProcess(); got = []\n"
        "t.run(RunsPlan.of(RunConfig(epochs=3)), 1, got.append, lambda: False); t.close()\n"
        "print(got[-1].status, got[-1].last.epoch, 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["done", "3", "False"]
