"""The one recorder, fed by the one job runner: what the history keeps of a job, whichever
front end ran it (the command line's `iter_job` here; the app's worker in tests/ui)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.training import train
from linreg_tui.lab.events import EpochsCompleted
from linreg_tui.lab.plans import Plan, loss_plan, single_run, sizes_plan
from linreg_tui.lab.record import HistoryHandle, Recorder
from linreg_tui.store.history import History

TINY = RunConfig(num_train=32, num_val=32, epochs=2)
DIVERGING = replace(TINY, lr=50.0, batch_size=1)


def record(plan: Plan, handle: HistoryHandle | None = None, **kwargs: object) -> Recorder:
    """Train and record `plan` as the command line does; the recorder after the job."""
    handle = handle or HistoryHandle()
    recorder = Recorder(plan, handle, source="cli", **kwargs)  # type: ignore[arg-type]
    with recorder, recorder.events() as events:
        for _ in events:
            pass
    handle.close()
    return recorder


def stored(recorder: Recorder) -> object:
    assert recorder.run_id is not None
    with History() as h:
        return h.get(recorder.run_id)


def test_a_recorded_run_is_finished_with_its_final_numbers() -> None:
    records = list(train(TINY))
    run = stored(record(single_run(TINY), label="first try"))
    assert (run.status, run.label, len(run.records)) == ("done", "first try", 3)  # type: ignore[attr-defined]
    assert run.summary["val_mse"] == records[-1].val_mse  # type: ignore[attr-defined]
    assert run.summary["w_error_norm"] == pytest.approx(records[-1].w_error_norm)  # type: ignore[attr-defined]


def test_a_diverged_run_is_recorded_as_diverged() -> None:
    run = stored(record(single_run(DIVERGING)))
    assert run.status == "diverged" and math.isnan(run.summary["val_mse"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("error", "status"), [(KeyboardInterrupt, "cancelled"), (RuntimeError, "failed")]
)
def test_an_interrupted_or_crashed_job_keeps_its_epochs(
    error: type[BaseException], status: str
) -> None:
    """Ctrl-C (or a crash) in the front end while the job trains: the job is stopped, and
    the history keeps the epochs it reached, marked cancelled (or failed)."""
    cfg = replace(TINY, epochs=100_000, num_train=32, batch_size=32)  # seconds: stopped early
    plan = single_run(cfg)
    seen: list[int] = []
    recorder = Recorder(plan, HistoryHandle(), source="cli")
    with pytest.raises(error), recorder, recorder.events() as events:
        for event in events:
            if isinstance(event, EpochsCompleted):
                seen += [r.epoch for r in event.records]
                raise error
    run = stored(recorder)
    assert run.status == status  # type: ignore[attr-defined]
    epochs = [e.epoch for e in run.records]  # type: ignore[attr-defined]
    assert seen == [0] and epochs == list(range(len(epochs))) and len(epochs) < 100_000


def test_sweeps_record_their_rows_and_variants() -> None:
    sizes = record(sizes_plan(TINY, [5, 10], 2))
    losses = record(loss_plan(TINY))
    stored_sizes, stored_losses = stored(sizes), stored(losses)
    rows = [(r["size"], r["seed"]) for r in stored_sizes.rows]  # type: ignore[attr-defined]
    assert rows == [(5, 0), (5, 1), (10, 0), (10, 1)]
    assert stored_sizes.params == {"sizes": [5, 10], "seeds": 2}  # type: ignore[attr-defined]
    plan = loss_plan(TINY)
    assert [r["label"] for r in stored_losses.rows] == list(plan.labels)  # type: ignore[attr-defined]
    assert {r["status"] for r in stored_losses.rows} == {"done"}  # type: ignore[attr-defined]
    assert len(stored_losses.records) == 5 * 3  # type: ignore[attr-defined]


def test_a_job_that_fails_before_its_first_event_records_nothing(db: Path) -> None:
    with pytest.raises(OSError), Recorder(single_run(TINY), HistoryHandle(), source="cli"):
        raise OSError("--csv: cannot write")  # e.g. a bad output path, checked up front
    assert not db.exists()


def test_no_record_opens_no_database(db: Path) -> None:
    recorder = record(single_run(TINY), HistoryHandle(record=False))
    assert recorder.run_id is None and not db.exists()


def test_a_broken_database_warns_once_and_the_job_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database\n" * 100)
    warnings: list[str] = []
    plan = single_run(TINY)
    recorder = Recorder(plan, HistoryHandle(bad), source="cli", warn=warnings.append)
    with recorder, recorder.events() as events:
        seen = list(events)
    assert sum(isinstance(e, EpochsCompleted) for e in seen) >= 1
    assert len(warnings) == 1 and "not a linreg-tui history" in warnings[0]


def test_every_multi_run_plan_has_unique_labels() -> None:
    for plan in (loss_plan(TINY), loss_plan(TINY, seeds=20)):
        assert len(set(plan.labels)) == len(plan.runs)
    assert loss_plan(TINY, seeds=3).labels[5] == "mse-sum lr=0.03 seed=1"
