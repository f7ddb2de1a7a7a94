"""The thread side without an app: batching, statuses, the last record always sent."""

from __future__ import annotations

from dataclasses import replace

from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.events import EpochsCompleted, Event, RunFinished, RunProgressed, RunStarted
from linreg_tui.lab.plans import RunsPlan
from linreg_tui.lab.run import run_job


def collect(runs: list[RunConfig], stop_after: int | None = None) -> list[Event]:
    """Messages of one job; with `stop_after`, cancel once that many steps were asked."""
    posted: list[Event] = []
    asked = 0

    def is_cancelled() -> bool:
        nonlocal asked
        asked += 1
        return stop_after is not None and asked > stop_after

    run_job(RunsPlan.of(*runs), 7, posted.append, is_cancelled)
    return posted


def test_many_fast_epochs_are_batched_and_the_last_is_sent() -> None:
    cfg = RunConfig(num_train=20, num_val=20, batch_size=20, epochs=300)
    posted = collect([cfg])
    finished = posted[-1]
    assert isinstance(posted[0], RunStarted) and isinstance(finished, RunFinished)
    batches = [m for m in posted if isinstance(m, EpochsCompleted)]
    epochs = [r.epoch for m in batches for r in m.records]
    assert epochs == list(range(301))
    assert len(batches) < 301 / 3  # 300 epochs take well under a second: few posts
    assert finished.status == "done" and finished.last is not None
    assert finished.last.epoch == 300
    assert all(m.run_id == 7 for m in posted)  # type: ignore[attr-defined]


def test_a_cancel_ends_between_steps_with_a_cancelled_status() -> None:
    cfg = RunConfig(num_train=1000, num_val=10, batch_size=1, epochs=2)
    posted = collect([cfg], stop_after=10)
    finished = posted[-1]
    assert isinstance(finished, RunFinished) and finished.job_done
    assert finished.status == "cancelled"
    assert finished.last is not None and finished.last.epoch == 0  # stopped inside epoch 1
    assert not any(isinstance(m, RunProgressed) and m.steps > 10 for m in posted)


def test_a_job_goes_on_after_a_diverged_run_and_says_when_it_is_done() -> None:
    ok = RunConfig(num_train=50, num_val=10, epochs=1)
    bad = replace(ok, num_train=200, batch_size=10, lr=3.0, epochs=3)
    finished = [m for m in collect([bad, ok]) if isinstance(m, RunFinished)]
    assert [(m.index, m.status, m.job_done) for m in finished] == [
        (0, "diverged", False),
        (1, "done", True),
    ]


LOAD_ENGINE = """
import gc, sys
from linreg_tui.lab.run import load_engine
collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info))
assert "torch" not in sys.modules
load_engine()
assert "torch" in sys.modules
assert not collections, f"{len(collections)} collections while torch loaded"
assert gc.isenabled() and gc.get_freeze_count() > 10_000
gc.disable()
load_engine()  # again, with collections off (the app's start-up): left off
assert not gc.isenabled()
"""


def test_the_engine_loads_without_collections_and_leaves_them_as_they_were() -> None:
    """lab.run.load_engine: torch's objects frozen, not scanned by ~0.15 s of collections."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", LOAD_ENGINE], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
