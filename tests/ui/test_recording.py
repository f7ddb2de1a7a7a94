"""The app records its jobs in the history database, and a broken database stops nothing."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from linreg_tui.cli.commands import main
from linreg_tui.engine.config import RunConfig
from linreg_tui.store.history import History
from linreg_tui.ui.app import LinregApp
from tests.ui.conftest import SIZE, run_to_end, wait_for


def recorded(db: Path | None = None) -> History:
    return History(db)  # None: the test's $LINREG_TUI_DB (tests/conftest.py)


def warnings(app: LinregApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications if n.severity == "warning"]


async def test_a_run_is_recorded_with_its_epochs_and_status(tiny_config: RunConfig) -> None:
    app = LinregApp(config=tiny_config, warm_torch=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
    with recorded() as history:
        (summary,) = history.list_runs()
        run = history.get(summary.id)
    assert (run.kind, run.source, run.status, run.label) == ("run", "app", "done", "single run")
    assert run.config == tiny_config
    assert [e.epoch for e in run.records] == [0, 1, 2, 3]  # epoch 0: the start
    assert run.summary["epoch"] == 3
    assert run.summary["val_mse"] == pytest.approx(run.records[-1].values["val_mse"])


async def test_a_cancelled_run_is_recorded_as_cancelled(long_config: RunConfig) -> None:
    app = LinregApp(config=long_config, warm_torch=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("run")
        await wait_for(pilot, lambda: app.job is not None and app.job.steps > 0)
        await app.run_action("cancel")
        await wait_for(pilot, lambda: not app.running)
    with recorded() as history:
        (run,) = history.list_runs()
    assert run.status == "cancelled"


async def test_a_diverged_run_is_recorded_as_diverged(tiny_config: RunConfig) -> None:
    app = LinregApp(config=tiny_config, warm_torch=False)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#lr", Input).value = "50"
        await run_to_end(pilot, app)
    with recorded() as history:
        (run,) = history.list_runs()
    assert run.status == "diverged" and run.summary["diverged"] is True


async def test_a_multi_run_view_records_one_loss_sweep(tiny_config: RunConfig) -> None:
    app = LinregApp(config=tiny_config, warm_torch=False)
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("robust-loss")  # no outliers in the form: one run per loss (3)
        await run_to_end(pilot, app)
    with recorded() as history:
        (summary,) = history.list_runs()
        run = history.get(summary.id)
    assert (run.kind, run.label, run.status) == ("sweep-loss", "robust loss (ex. 2)", "done")
    labels = [row["label"] for row in run.rows]
    assert labels == ["mse-mean clean", "huber clean", "smooth-l1 clean"]
    assert {e.variant for e in run.records} == set(labels)
    assert run.summary["rows"] == 3


async def test_a_sweep_view_records_its_kind_params_and_rows() -> None:
    app = LinregApp(config=RunConfig(num_train=100, num_val=100), warm_torch=False)
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("lr-grid")
        app.query_one("#grid-lrs", Input).value = "0.01, 0.1"
        app.query_one("#grid-epochs_list", Input).value = "1, 2"
        await run_to_end(pilot, app)
    with recorded() as history:
        (summary,) = history.list_runs()
        run = history.get(summary.id)
    assert run.kind == "sweep-lr" and run.status == "done"
    assert run.params == {"lrs": [0.01, 0.1], "epochs_list": [1, 2]}
    assert len(run.rows) == 4 and run.summary["rows"] == 4


async def test_a_run_that_raises_is_recorded_as_failed(
    monkeypatch: pytest.MonkeyPatch, tiny_config: RunConfig
) -> None:
    import linreg_tui.engine.training as training

    def exploding(cfg: RunConfig, should_stop: object = None) -> Iterator[object]:
        raise RuntimeError("engine exploded")
        yield  # a generator, like train()

    monkeypatch.setattr(training, "train", exploding)
    app = LinregApp(config=tiny_config, warm_torch=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("run")
        await wait_for(pilot, lambda: not app.running)
    with recorded() as history:
        (run,) = history.list_runs()
    assert run.status == "failed"


@pytest.mark.parametrize("broken", ["directory", "not a database"])
async def test_a_broken_database_warns_once_and_runs_go_on(
    broken: str, tmp_path: Path, tiny_config: RunConfig
) -> None:
    db = tmp_path / "history.sqlite3"
    if broken == "directory":
        db.mkdir()
    else:
        db.write_text("these are my notes, not a database\n" * 100)
    app = LinregApp(config=tiny_config, warm_torch=False, db=db)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        await pilot.pause()
        assert "done" in str(app.status.query_one("#status-text").render())
        (warning,) = warnings(app)
        assert warning.startswith("not recording the history:") and str(db) in warning
        await run_to_end(pilot, app)  # the second run: no second warning
        await pilot.pause()
        assert len(warnings(app)) == 1
        assert not [n for n in app._notifications if n.severity == "error"]
    if broken == "not a database":
        assert db.read_text().startswith("these are my notes")  # left untouched


async def test_no_record_records_nothing(tmp_path: Path, tiny_config: RunConfig) -> None:
    db = tmp_path / "history.sqlite3"
    app = LinregApp(config=tiny_config, warm_torch=False, db=db, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        app.show_view("history")
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert not db.exists()  # not even created: the History view only reads


async def test_db_argument_picks_the_database(tmp_path: Path, tiny_config: RunConfig) -> None:
    db = tmp_path / "elsewhere.sqlite3"
    app = LinregApp(config=tiny_config, warm_torch=False, db=db)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
    with recorded(db) as history:
        assert len(history.list_runs()) == 1
    with recorded() as default:
        assert default.list_runs() == []


def test_the_tui_command_passes_db_and_no_record(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[dict[str, Any]] = []

    class FakeApp:
        def __init__(self, **kwargs: Any) -> None:
            calls.append(kwargs)

        def run(self) -> None:
            pass

    module = types.ModuleType("linreg_tui.ui.app")
    module.LinregApp = FakeApp  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "linreg_tui.ui.app", module)
    db = str(tmp_path / "h.sqlite3")
    assert main(["tui", "--db", db, "--no-record"]) == 0
    assert main(["tui"]) == 0
    assert calls == [{"db": db, "record": False}, {}]
