"""The run history store: round trips, filters, schema versions, crashes and concurrency."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys
import textwrap
import threading
from dataclasses import fields, replace
from pathlib import Path

import pytest

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.training import EpochRecord, train
from linreg_tui.store import schema as history_module
from linreg_tui.store.history import History, HistoryError, RunNotFound, resolve_path

TINY = RunConfig(num_train=32, num_val=32, epochs=2)
DIVERGING = replace(TINY, lr=50.0, batch_size=1)  # 32 steps an epoch at lr=50: overflows


@pytest.fixture(autouse=True)
def no_real_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here may touch the user's real data folder."""
    monkeypatch.setenv("LINREG_TUI_DB", str(tmp_path / "env-history.sqlite3"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "history.sqlite3"


def record_run(history: History, cfg: RunConfig) -> tuple[int, list[EpochRecord]]:
    run_id = history.start_run("run", cfg, "cli")
    records = []
    for record in train(cfg):
        history.add_epochs(run_id, [record])
        records.append(record)
    history.finish(run_id, "diverged" if records[-1].diverged else "done")
    return run_id, records


def same(a: object, b: object) -> bool:
    """Equal, with nan equal to nan."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def raw(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


# --- where ---------------------------------------------------------------------------------


def test_db_argument_beats_env_var_beats_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve_path(tmp_path / "a.sqlite3") == tmp_path / "a.sqlite3"
    assert resolve_path() == tmp_path / "env-history.sqlite3"
    monkeypatch.delenv("LINREG_TUI_DB")
    assert resolve_path().parts[-2:] == ("linreg-tui", "history.sqlite3")


def test_opening_creates_missing_folders(db: Path) -> None:
    with History(db):
        pass
    assert db.exists()


# --- round trips ---------------------------------------------------------------------------


def test_a_real_run_reads_back_exactly_as_trained(db: Path) -> None:
    with History(db) as history:
        run_id, records = record_run(history, TINY)
    with History(db) as history:  # a fresh connection: nothing comes from memory
        stored = history.get(run_id)
    assert (stored.kind, stored.source, stored.status) == ("run", "cli", "done")
    assert stored.config == TINY
    # the history leaves out the live chart's chunks of the epoch (EpochRecord.loss_chunks)
    assert [e.to_record() for e in stored.records] == [replace(r, loss_chunks=()) for r in records]
    assert records[-1].loss_chunks  # ...which the run did have
    assert stored.records[0].values["weight_grad"] is None  # epoch 0 has no gradient
    assert stored.finished_at is not None and stored.started_at <= stored.finished_at


def test_a_diverged_run_stores_strict_json_and_reads_back_its_own_non_finite_kind(
    db: Path,
) -> None:
    with History(db) as history:
        run_id, records = record_run(history, DIVERGING)
        stored = history.get(run_id)
    last = records[-1]
    assert last.diverged and not math.isfinite(last.val_mse)
    for (text,) in raw(db, "SELECT record FROM epochs"):  # strict JSON: no Infinity or NaN
        json.loads(str(text), parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))
    back = stored.records[-1].to_record()
    for f in fields(EpochRecord):  # inf stays inf, nan stays nan, never None (issue 12)
        want = getattr(last, f.name) if f.name != "loss_chunks" else ()  # not stored
        assert same(getattr(back, f.name), want), f.name
    assert stored.status == "diverged"


def test_inf_and_nan_keep_their_kind_and_old_nulls_read_as_nan(db: Path) -> None:
    row = {"size": 5, "val_mse": math.inf, "train_mse": -math.inf, "b_error": math.nan}
    with History(db) as history:
        run_id = history.start_run("sweep-sizes", TINY, "app", params={"sizes": [5]})
        history.add_sweep_rows(run_id, [row])
        history.finish(run_id, "diverged", {"val_mse": math.inf})
    with sqlite3.connect(db) as conn:  # a row as versions before issue 12 stored it
        conn.execute(
            "INSERT INTO sweep_rows (run_id, idx, row) VALUES (?, 1, ?)",
            (run_id, '{"size": 6, "val_mse": null}'),
        )
    conn.close()
    with History(db) as history:
        stored = history.get(run_id)
    new, old = stored.rows
    assert (new["val_mse"], new["train_mse"]) == (math.inf, -math.inf)
    assert math.isnan(new["b_error"]) and math.isnan(old["val_mse"]) and old["size"] == 6
    assert stored.summary == {"val_mse": math.inf}


def test_the_chunks_of_an_epoch_are_not_stored_and_old_records_read_back(db: Path) -> None:
    """The chart's per-chunk losses are live only: ~16 floats an epoch would double a
    stored record; records written before the field existed lack it and still load."""
    with History(db) as history:
        run_id, records = record_run(history, TINY)
        stored = history.get(run_id)
    assert all(len(r.loss_chunks) == 1 for r in records[1:])  # TINY: one step an epoch
    for (text,) in raw(db, "SELECT record FROM epochs"):
        assert "loss_chunks" not in json.loads(str(text))
    old = {k: v for k, v in stored.records[-1].values.items() if k != "loss_chunks"}
    assert replace(stored.records[-1], values=old).to_record().loss_chunks == ()


def test_sweep_rows_keep_their_order_across_calls(db: Path) -> None:
    with History(db) as history:
        run_id = history.start_run("sweep-sizes", TINY, "app", params={"sizes": [5, 10]})
        history.add_sweep_rows(run_id, [{"size": 5, "val_mse": 1.0}])
        history.add_sweep_rows(run_id, [{"size": 10, "val_mse": math.inf}, {"size": 20}])
        history.finish(run_id, "done", {"val_mse": 1.0})
        stored = history.get(run_id)
    assert [r["size"] for r in stored.rows] == [5, 10, 20]
    assert stored.rows[1]["val_mse"] == math.inf
    assert stored.params == {"sizes": [5, 10]} and stored.summary == {"val_mse": 1.0}


def test_unknown_ids_and_bad_values_are_refused(db: Path) -> None:
    with History(db) as history:
        with pytest.raises(RunNotFound, match="no run with id 7"):
            history.get(7)
        with pytest.raises(RunNotFound):
            history.add_epochs(7, [{"epoch": 0}])
        with pytest.raises(RunNotFound):
            history.finish(7, "done")
        with pytest.raises(ValueError):
            history.start_run("walk", TINY, "cli")  # type: ignore[arg-type]
    with pytest.raises(HistoryError, match="closed"):
        history.list_runs()


# --- listing -------------------------------------------------------------------------------


def test_filters_match_runs_and_the_sweeps_that_cover_them(db: Path) -> None:
    with History(db) as history:
        mean = history.start_run("run", TINY, "cli")
        huber = history.start_run("run", replace(TINY, loss="huber", lr=0.3), "app")
        big = history.start_run("run", replace(TINY, num_train=100), "cli")
        losses = history.start_run("sweep-loss", TINY, "cli")
        lrs = history.start_run("sweep-lr", TINY, "cli", params={"lrs": [0.3, 3.0]})
        sizes = history.start_run("sweep-sizes", TINY, "cli", params={"sizes": [5, 100]})

        def ids(**filters: object) -> list[int]:
            return [run.id for run in history.list_runs(**filters)]  # type: ignore[arg-type]

        assert ids() == [sizes, lrs, losses, big, huber, mean]  # newest first
        assert ids(loss="huber") == [losses, huber]
        assert ids(lr=0.3) == [lrs, huber]
        assert ids(lr=0.1 + 0.2) == [lrs, huber]  # 0.30000000000000004 is still 0.3
        assert ids(size=100) == [sizes, big]
        assert ids(kind="run", loss="mse-mean") == [big, mean]
        assert ids(limit=2) == [sizes, lrs]


def test_a_running_run_shows_running_in_its_own_process(db: Path) -> None:
    with History(db) as history:
        history.start_run("run", TINY, "cli")
        assert [run.status for run in history.list_runs()] == ["running"]


def test_delete_removes_the_run_and_its_records_and_never_reuses_its_id(db: Path) -> None:
    with History(db) as history:
        keep, _ = record_run(history, TINY)
        gone, _ = record_run(history, TINY)
        assert history.delete(gone) is True
        assert history.delete(gone) is False
        assert [run.id for run in history.list_runs()] == [keep]
        assert history.start_run("run", TINY, "cli") > gone
    assert raw(db, f"SELECT count(*) FROM epochs WHERE run_id = {gone}") == [(0,)]
    assert raw(db, f"SELECT count(*) FROM epochs WHERE run_id = {keep}") == [(3,)]


# --- schema versions and bad files ---------------------------------------------------------


def test_an_empty_file_is_given_the_current_schema(db: Path) -> None:
    db.parent.mkdir()
    db.touch()
    with History(db) as history:
        assert history.list_runs() == []
    assert raw(db, "PRAGMA user_version") == [(len(history_module.MIGRATIONS),)]
    assert raw(db, "PRAGMA journal_mode") == [("wal",)]


def test_an_older_database_is_migrated_and_keeps_its_runs(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with History(db) as history:
        run_id, _ = record_run(history, TINY)
    old = len(history_module.MIGRATIONS)
    monkeypatch.setattr(
        history_module, "MIGRATIONS", [*history_module.MIGRATIONS, ["ALTER TABLE runs ADD note"]]
    )
    with History(db) as history:
        assert len(history.get(run_id).records) == 3
    assert raw(db, "PRAGMA user_version") == [(old + 1,)]
    assert "note" in [column[1] for column in raw(db, "PRAGMA table_info(runs)")]


def test_a_failing_migration_changes_nothing(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with History(db) as history:
        run_id, _ = record_run(history, TINY)
    old = len(history_module.MIGRATIONS)
    broken = ["ALTER TABLE runs ADD note", "ALTER TABLE nowhere ADD x"]
    with monkeypatch.context() as patch:
        patch.setattr(history_module, "MIGRATIONS", [*history_module.MIGRATIONS, broken])
        with pytest.raises(HistoryError, match=f"version {old + 1}.*left at version {old}"):
            History(db)
    assert raw(db, "PRAGMA user_version") == [(old,)]
    assert "note" not in [column[1] for column in raw(db, "PRAGMA table_info(runs)")]
    with History(db) as history:
        assert history.get(run_id).status == "done"


def test_a_database_from_a_newer_version_is_refused_untouched(db: Path) -> None:
    db.parent.mkdir()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE runs (future TEXT)")
        conn.execute("PRAGMA user_version = 99")
    before = db.read_bytes()
    with pytest.raises(HistoryError, match=r"newer linreg-tui.*version 99"):
        History(db)
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"w = [2.0, -3.4]\n" * 100, "not a linreg-tui history"), (None, "another program")],
)
def test_a_file_that_is_not_our_database_is_refused_untouched(
    db: Path, content: bytes | None, problem: str
) -> None:
    db.parent.mkdir()
    if content is None:
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE contacts (name TEXT)")
    else:
        db.write_bytes(content)
    before = db.read_bytes()
    with pytest.raises(HistoryError, match=problem):
        History(db)
    assert db.read_bytes() == before


def test_a_path_that_cannot_be_created_is_a_history_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(HistoryError, match="cannot open the history database"):
        History(tmp_path / "file" / "history.sqlite3")
    with pytest.raises(HistoryError, match="cannot open the history database"):
        History(tmp_path)  # a folder


# --- crashes and concurrency ---------------------------------------------------------------


def python(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True
    )


def test_killing_the_process_mid_sweep_keeps_the_finished_rows(db: Path) -> None:
    child = python(
        f"""
        import os
        from linreg_tui.engine.config import RunConfig
        from linreg_tui.store.history import History
        history = History({str(db)!r})
        run_id = history.start_run("sweep-sizes", RunConfig(), "cli", params={{"sizes": [5]}})
        for size in (5, 10, 20):
            history.add_sweep_rows(run_id, [{{"size": size, "val_mse": 1.0 / size}}])
        print(run_id, flush=True)
        os._exit(1)  # killed: no finish, no close
        """
    )
    out, _ = child.communicate(timeout=30)
    assert child.returncode == 1
    assert raw(db, "PRAGMA integrity_check") == [("ok",)]
    with History(db) as history:
        stored = history.get(int(out))
        assert [row["size"] for row in stored.rows] == [5, 10, 20]
        assert stored.status == "interrupted"  # its process is gone
        history.finish(stored.id, "cancelled")  # and the database still takes writes
        assert history.get(stored.id).status == "cancelled"


def test_two_processes_and_many_threads_write_one_database(db: Path) -> None:
    with History(db) as history:
        mine = history.start_run("sweep-lr", TINY, "app")
        theirs = history.start_run("sweep-lr", TINY, "cli")
        child = python(
            f"""
            from linreg_tui.store.history import History
            with History({str(db)!r}) as history:
                for i in range(150):
                    history.add_sweep_rows({theirs}, [{{"i": i}}])
            """
        )

        def write_mine() -> None:
            for i in range(50):
                history.add_sweep_rows(mine, [{"i": i}])

        # one History shared by threads, while the other process writes too
        threads = [threading.Thread(target=write_mine) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert child.wait(timeout=30) == 0
        assert [row["i"] for row in history.get(theirs).rows] == list(range(150))
        assert len(history.get(mine).rows) == 150
    assert raw(db, "PRAGMA integrity_check") == [("ok",)]
    assert raw(db, f"SELECT count(DISTINCT idx) FROM sweep_rows WHERE run_id = {mine}") == [(150,)]
