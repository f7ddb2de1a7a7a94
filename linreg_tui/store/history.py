"""Run history: every run and sweep with its records, in one local SQLite database.

Standard library `sqlite3` and platformdirs only (no torch, no UI library), so `linreg-tui
history` starts fast and the app can record from its worker thread.

- Where: `db` argument (`--db PATH`) > `$LINREG_TUI_DB` > the user data folder.
- Every write is one transaction (WAL mode): a process killed mid-sweep leaves every
  finished row and a database that opens; several processes may share one file.
- Status: a run stays "running" until `finish`. Read back, a "running" run whose process
  is gone (same host, its pid no longer alive) shows as "interrupted"; a run recorded on
  another host cannot be checked and stays "running".
- Numbers: strict JSON, so inf, -inf and nan are stored as the strings "inf", "-inf" and
  "nan" and read back as the same floats; null (what older versions stored for all three)
  reads back as nan, except epoch 0's weight_grad and bias_grad: it has no gradient (None).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.records import FINAL_STATUSES
from linreg_tui.store.files import json_safe
from linreg_tui.store.paths import PathProblem, user_path
from linreg_tui.store.runs import (
    COLUMNS,
    HOST,
    KINDS,
    SOURCES,
    RunKind,
    RunNotFound,
    RunStatus,
    RunSummary,
    Source,
    StoredEpoch,
    StoredRun,
    summary_from_row,
)
from linreg_tui.store.schema import (
    ENV_VAR,
    HistoryError,
    check_integrity,
    connect,
    dumps,
    load_record,
    revive,
    rollback,
)
from linreg_tui.store.thinning import Thinning, read_epochs


def resolve_path(db: str | os.PathLike[str] | None = None) -> Path:
    """`db`, else $LINREG_TUI_DB, else history.sqlite3 in the user data folder. A `~user`
    this machine does not know is left as typed: opening it says so (HistoryError)."""
    chosen = db or os.environ.get(ENV_VAR)
    if chosen:
        try:
            return user_path(chosen)
        except PathProblem:
            return Path(chosen)
    return Path(platformdirs.user_data_dir("linreg-tui", appauthor=False)) / "history.sqlite3"


class History:
    """The run history database; safe to share between threads, one transaction per write."""

    def __init__(self, db: str | os.PathLike[str] | None = None, readonly: bool = False) -> None:
        self.path = resolve_path(db)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = connect(self.path, readonly)
        self.skipped: list[str] = []
        """What the last read left out, one line each: rows damaged in the file (a config
        that is not JSON...). One bad row no longer hides the whole history."""
        self._thinning = Thinning()

    def start_run(
        self,
        kind: RunKind,
        config: RunConfig,
        source: Source,
        label: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> int:
        """Record a new run as "running" and return its id."""
        if kind not in KINDS or source not in SOURCES:
            raise ValueError(f"kind must be one of {KINDS} and source one of {SOURCES}")
        swept = {"sweep-loss": "loss", "sweep-lr": "lr", "sweep-sizes": "size"}.get(kind)
        columns = {"loss": config.loss, "lr": config.lr, "size": config.num_train}
        row: dict[str, Any] = {k: None if swept == k else v for k, v in columns.items()}
        row |= {"kind": kind, "source": source, "label": label, "config": dumps(config.to_dict())}
        row |= {"params": dumps(params or {}), "status": "running", "started_at": time.time()}
        row |= {"pid": os.getpid(), "host": HOST}  # to tell a dead run from a live one
        with self._write() as conn:
            cursor = conn.execute(
                f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})",
                row,
            )
            return int(cursor.lastrowid or 0)

    def add_epochs(self, run_id: int, records: Iterable[Any], variant: str = "") -> None:
        """Store epoch records (EpochRecord or mappings with an `epoch`) in one transaction;
        a run keeps at most MAX_STORED_EPOCHS of them per variant (thinning.py)."""
        values = [json_safe(r, keep_kind=True) for r in records]
        with self._write() as conn:
            _require(conn, run_id)
            self._thinning.add(conn, run_id, variant, values)

    def add_sweep_rows(self, run_id: int, rows: Iterable[Any]) -> None:
        """Append sweep rows (dataclasses or mappings) after the run's earlier rows."""
        texts = [dumps(r) for r in rows]
        with self._write() as conn:
            _require(conn, run_id)
            (start,) = conn.execute(
                "SELECT COALESCE(MAX(idx) + 1, 0) FROM sweep_rows WHERE run_id = ?", (run_id,)
            ).fetchone()
            conn.executemany(
                "INSERT INTO sweep_rows (run_id, idx, row) VALUES (?, ?, ?)",
                [(run_id, start + i, text) for i, text in enumerate(texts)],
            )

    def finish(self, run_id: int, status: RunStatus, summary: dict[str, Any] | None = None) -> None:
        """Mark a run done, cancelled, diverged or failed, with an optional summary."""
        if status not in FINAL_STATUSES:
            raise ValueError(f"status must be one of {FINAL_STATUSES}, not {status!r}")
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE runs SET status = ?, finished_at = ?, summary = ? WHERE id = ?",
                (status, time.time(), dumps(summary or {}), run_id),
            )
            if cursor.rowcount == 0:
                raise RunNotFound(run_id)

    def list_runs(
        self,
        loss: str | None = None,
        lr: float | None = None,
        size: int | None = None,
        kind: RunKind | None = None,
        limit: int = 200,
    ) -> list[RunSummary]:
        """Newest first. A filter also matches the sweeps that cover its value (the loss
        sweep trains every loss; an lr or size sweep matches the values it lists)."""
        lo, hi = (None, None) if lr is None else (lr * (1 - 1e-9), lr * (1 + 1e-9))
        self.skipped = []
        with self._read() as conn:
            found = conn.execute(
                f"SELECT {COLUMNS} FROM runs WHERE (:kind IS NULL OR kind = :kind)"
                " AND (:loss IS NULL OR loss = :loss OR kind = 'sweep-loss')"
                " AND (:lo IS NULL OR lr BETWEEN :lo AND :hi OR (kind = 'sweep-lr' AND EXISTS"
                "  (SELECT 1 FROM json_each(params, '$.lrs') WHERE value BETWEEN :lo AND :hi)))"
                " AND (:size IS NULL OR size = :size OR (kind = 'sweep-sizes' AND EXISTS"
                "  (SELECT 1 FROM json_each(params, '$.sizes') WHERE value = :size)))"
                " ORDER BY id DESC LIMIT :limit",
                {"kind": kind, "loss": loss, "lo": lo, "hi": hi, "size": size, "limit": limit},
            ).fetchall()
        runs = []
        for row in found:
            try:
                runs.append(summary_from_row(row))
            except HistoryError as error:
                self.skipped.append(str(error))
        return runs

    def get(self, run_id: int) -> StoredRun:
        """A run with its epoch records and sweep rows; RunNotFound if there is none,
        HistoryError if its row is damaged. Damaged records are left out (`skipped`), and a
        run stored before records were thinned is thinned as it is read (bounded memory)."""
        self.skipped = []
        with self._read() as conn:
            row = conn.execute(f"SELECT {COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise RunNotFound(run_id)
            epochs = read_epochs(conn, run_id)
            rows = conn.execute(
                "SELECT row FROM sweep_rows WHERE run_id = ? ORDER BY idx", (run_id,)
            ).fetchall()
        summary = summary_from_row(row)
        records = self._loaded(
            f"run {run_id}: epoch", epochs, lambda v, e, t: (v, e, load_record(t))
        )
        return StoredRun(
            **{f.name: getattr(summary, f.name) for f in fields(RunSummary)},
            records=tuple(StoredEpoch(*parts) for parts in records),
            rows=tuple(self._loaded(f"run {run_id}: sweep row", rows, _revived)),
        )

    def _loaded(self, what: str, rows: list[Any], load: Any) -> list[Any]:
        """`load(*row)` for each row; a damaged one is skipped and noted in `skipped`."""
        loaded = []
        for row in rows:
            try:
                loaded.append(load(*row))
            except (ValueError, TypeError) as error:  # JSONDecodeError is a ValueError
                self.skipped.append(f"{what} {row[1] if len(row) > 1 else ''} is damaged: {error}")
        return loaded

    def delete(self, run_id: int) -> bool:
        """Delete a run and its records; False if there was no such run; HistoryError, and
        nothing deleted, if the database is damaged."""
        with self._write() as conn:
            check_integrity(conn, self.path)
            return conn.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount > 0

    def close(self) -> None:
        """Close the connection; later calls raise HistoryError."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._transaction("BEGIN") as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front: a deferred transaction that must upgrade
        # later fails at once with "database is locked" instead of waiting busy_timeout
        with self._transaction("BEGIN IMMEDIATE") as conn:
            yield conn

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn
            if conn is None:
                raise HistoryError(f"the history {self.path} is closed")
            try:
                conn.execute(begin)
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as error:
                rollback(conn)
                raise HistoryError(f"history database {self.path}: {error}") from error
            except BaseException:
                rollback(conn)
                raise


def _revived(text: str) -> Any:
    return revive(json.loads(text))


def _require(conn: sqlite3.Connection, run_id: int) -> None:
    if conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
        raise RunNotFound(run_id)
