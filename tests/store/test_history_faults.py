"""The history under faults: odd schema versions, damaged rows and pages, locks held by
other processes, read-only folders, and runs with millions of epochs (issue 16)."""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from linreg_tui.cli import main
from linreg_tui.engine.config import RunConfig
from linreg_tui.store.history import History

MAX_STORED = 2000
"""store.thinning.MAX_STORED_EPOCHS, written out: these tests also run on older code."""


def record(db: Path, runs: int = 3, epochs: int = 3, pad: str = "") -> list[int]:
    """`runs` finished runs with `epochs` records each (record text padded with `pad`)."""
    ids = []
    with History(db) as history:
        for k in range(runs):
            run_id = history.start_run("run", RunConfig(), "cli")
            rows = [
                {"epoch": e, "val_mse": 0.5, "pad": f"{pad}{k}" if pad else ""}
                for e in range(epochs)
            ]
            history.add_epochs(run_id, rows)
            history.finish(run_id, "done", {"val_mse": 0.5})
            ids.append(run_id)
    return ids


def one_line(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return out, err


def test_a_negative_schema_version_is_one_line(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record(db, runs=1)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA user_version = -5")
    for argv in (["history"], ["run", "--epochs", "1", "--num-train", "8"]):
        main(argv)
        _, err = one_line(capsys)
        assert "schema version -5" in err and err.count("\n") == 1, err


def test_one_damaged_row_is_skipped_and_named(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, bad, last = record(db)
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE runs SET config = '{not json' WHERE id = ?", (bad,))
    assert main(["history"]) == 0
    out, err = one_line(capsys)
    listed = [int(line.split()[0]) for line in out.splitlines() if line[:4].strip().isdigit()]
    assert listed == [last, first]
    assert err.count("\n") == 1 and f"skipped run {bad} is damaged" in err
    assert main(["history", "show", str(bad)]) == 1
    _, err = one_line(capsys)
    assert err.count("\n") == 1 and f"run {bad} is damaged" in err


def test_reading_does_not_wait_for_another_writer(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sweep's write transaction in another process: `history` read nothing for 10 s
    (it took the write lock to migrate) and then failed with 'database is locked'."""
    (run_id,) = record(db, runs=1)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        start = time.monotonic()
        assert main(["history"]) == 0
        assert main(["history", "show", str(run_id)]) == 0
        assert time.monotonic() - start < 3
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    out, _ = one_line(capsys)
    assert f"# run {run_id}: run" in out


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` made read-only even for root (chattr +i), else by its mode bits."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("chattr +i is not available here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_history_in_a_read_only_folder_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "history.sqlite3"
    (run_id,) = record(db, runs=1)
    with read_only(folder):
        assert main(["history", "--db", str(db)]) == 0
        assert main(["history", "show", str(run_id), "--db", str(db)]) == 0
        assert main(["history", "rm", str(run_id), "--db", str(db)]) == 1  # writing: one line
        out, err = one_line(capsys)
        assert out.count(f"# run {run_id}: run") == 1 and err.count("\n") == 1


def test_rm_refuses_a_damaged_database_and_deletes_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, last = record(db, epochs=150, pad="MARK-" * 40)
    data = db.read_bytes()
    page = data.index(b"MARK-" * 40 + b"0") // 4096 * 4096  # a leaf of the first run's rows
    with db.open("r+b") as file:
        file.seek(page)
        file.write(b"\x00" * 8)  # page type 0: not a b-tree page
    assert main(["history", "rm", str(last)]) == 1
    _, err = one_line(capsys)
    assert err.count("\n") == 1 and "is damaged" in err and "nothing was changed" in err
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert (last,) in conn.execute("SELECT id FROM runs").fetchall()


def test_a_run_keeps_a_bounded_number_of_epoch_records(db: Path) -> None:
    epochs = 10_000
    with History(db) as history:
        run_id = history.start_run("run", RunConfig(), "cli")
        for start in range(0, epochs + 1, 37):  # batches as the runner posts them
            rows = [
                {"epoch": e, "val_mse": 1.0 / (e + 1)}
                for e in range(start, min(start + 37, epochs + 1))
            ]
            history.add_epochs(run_id, rows)
        history.finish(run_id, "done")
        stored = [e.epoch for e in history.get(run_id).records]
    assert MAX_STORED // 2 <= len(stored) <= MAX_STORED + 1
    assert stored[0] == 0 and stored[-1] == epochs  # the first and the last are kept
    gaps = {b - a for a, b in itertools.pairwise(stored[:-1])}
    assert len(gaps) == 1  # evenly spread


def test_a_run_stored_before_thinning_is_read_thinned(db: Path) -> None:
    (run_id,) = record(db, runs=1, epochs=1)
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany(
            "INSERT INTO epochs (run_id, variant, epoch, record) VALUES (?, '', ?, ?)",
            [(run_id, e, f'{{"epoch": {e}}}') for e in range(1, 50_001)],
        )
    with History(db) as history:
        stored = [e.epoch for e in history.get(run_id).records]
    assert len(stored) <= MAX_STORED + 1 and stored[0] == 0 and stored[-1] == 50_000
