"""The history database's file: opening it, refusing a foreign or newer one, migrating its
schema in one transaction, and the strict-JSON encoding of its values."""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from linreg_tui.store.files import json_safe
from linreg_tui.store.paths import PathProblem, reason, user_path

ENV_VAR: Final = "LINREG_TUI_DB"
"""The environment variable naming the history database."""
BUSY_TIMEOUT_MS: Final = 10_000
"""How long a write waits for another process's transaction before giving up."""

MIGRATIONS: list[Sequence[str]] = [
    (  # version 1
        "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
        " source TEXT NOT NULL, label TEXT, config TEXT NOT NULL, params TEXT NOT NULL,"
        " loss TEXT, lr REAL, size INTEGER, status TEXT NOT NULL, started_at REAL NOT NULL,"
        " finished_at REAL, summary TEXT NOT NULL DEFAULT '{}', pid INTEGER, host TEXT)",
        "CREATE TABLE epochs (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
        " variant TEXT NOT NULL, epoch INTEGER NOT NULL, record TEXT NOT NULL,"
        " UNIQUE (run_id, variant, epoch))",
        "CREATE TABLE sweep_rows (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
        " idx INTEGER NOT NULL, row TEXT NOT NULL, PRIMARY KEY (run_id, idx))",
    ),
]
"""Schema steps; step k (1-based) takes a database from user_version k-1 to k. Append only."""


class HistoryError(Exception):
    """The history database cannot be opened, read or written; the message says why."""


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """An open history database, migrated to the current schema; `readonly`: opened for
    reading only (no lock taken, nothing created, migrated or written: `history` lists
    runs during another process's transaction and in a folder it cannot write)."""
    if str(path).startswith("~"):  # ~nouser: expanduser left it as it was
        try:
            user_path(path)
        except PathProblem as error:
            raise HistoryError(f"cannot open the history database {error}") from None
    if readonly:
        return _connect_readonly(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    except (OSError, sqlite3.Error) as error:
        raise HistoryError(f"cannot open the history database {path}: {_why(error)}") from None
    with _setting_up(conn, path):
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _refuse_foreign(conn, path)  # before anything writes to the file
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: safe if the process dies
        _migrate(conn, path)
    return conn


@contextlib.contextmanager
def _setting_up(conn: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Close `conn` if setting it up fails; a SQLite error becomes one HistoryError line."""
    try:
        yield
    except sqlite3.Error as error:
        conn.close()
        raise _open_error(path, error) from None
    except BaseException:
        conn.close()
        raise


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Read-only; in a folder where SQLite cannot create the WAL index (-shm), the file is
    read as immutable (it cannot change under us there: nobody can write beside it)."""
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    for suffix in ("", "&immutable=1"):
        try:
            conn = sqlite3.connect(
                uri + suffix, uri=True, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise HistoryError(f"cannot open the history database {path}: {error}") from None
        version: int | None = None
        with _setting_up(conn, path):
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            try:
                version = _refuse_foreign(conn, path)
            except sqlite3.OperationalError as error:
                if suffix or "unable to open" not in str(error):
                    raise
        if version is None:  # no -shm beside it: read it as immutable
            conn.close()
            continue
        if version < len(MIGRATIONS):
            conn.close()
            raise HistoryError(
                f"{path} has history schema version {version}, older than this linreg-tui's "
                f"{len(MIGRATIONS)}: a command that records (e.g. linreg-tui run) upgrades it"
            )
        return conn
    raise AssertionError("unreachable")


def _open_error(path: Path, error: sqlite3.Error) -> HistoryError:
    if getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB":
        return HistoryError(f"{path} is not a linreg-tui history database ({error})")
    return HistoryError(f"cannot open the history database {path}: {error}")


def _why(error: BaseException) -> str:
    return reason(error) if isinstance(error, OSError) else str(error)


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """HistoryError if SQLite finds the file damaged (`PRAGMA quick_check`): a delete in a
    damaged database may succeed and leave it worse (issue 16: `history rm` did)."""
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check(3)").fetchall()]
    except sqlite3.DatabaseError as error:
        found = [str(error)]
    if found != ["ok"]:
        raise HistoryError(
            f"the history database {path} is damaged ({'; '.join(found)[:200]}); nothing was "
            "changed. SQLite's `.recover` command can save what is left of it."
        )


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> int:
    """The file's schema version; HistoryError if it is newer or another program's."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version < 0:
        raise HistoryError(
            f"{path} has history schema version {version}, which no linreg-tui writes; point "
            f"--db or {ENV_VAR} at another file. The database was left untouched."
        )
    if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise HistoryError(
            f"{path} is an SQLite database of another program, not a linreg-tui history; "
            "choose another --db"
        )
    if version > len(MIGRATIONS):
        raise HistoryError(
            f"{path} was written by a newer linreg-tui (history schema version {version}; this "
            f"one reads up to {len(MIGRATIONS)}); upgrade linreg-tui, or point --db or "
            f"{ENV_VAR} at another file. The database was left untouched."
        )
    return version


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the missing MIGRATIONS steps in one transaction: all of them or none."""
    conn.execute("BEGIN IMMEDIATE")  # then re-read: another process may have just migrated
    try:
        version = _refuse_foreign(conn, path)
        for number in range(version + 1, len(MIGRATIONS) + 1):
            try:
                for statement in MIGRATIONS[number - 1]:
                    conn.execute(statement)
            except sqlite3.Error as error:
                raise HistoryError(
                    f"cannot upgrade the history database {path} to schema version {number}: "
                    f"{error}; it was left at version {version}"
                ) from None
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
"""How the history stores a non-finite number (strict JSON has none): as its own kind, so
a run that overflowed reads back inf and a NaN reads back nan (issue 12: `run` printed
inf where `history show` printed nan)."""


def dumps(value: Any) -> str:
    return json.dumps(json_safe(value, keep_kind=True), allow_nan=False, separators=(",", ":"))


def revive(value: Any) -> Any:
    """JSON back to record values: "inf", "-inf", "nan" -> those floats, null -> nan (rows
    stored before the kinds were kept), arrays -> tuples."""
    if value is None:
        return math.nan
    if isinstance(value, str) and value in NON_FINITE:
        return NON_FINITE[value]
    if isinstance(value, list):
        return tuple(revive(v) for v in value)
    if isinstance(value, dict):
        return {k: revive(v) for k, v in value.items()}
    return value


def load_record(text: str) -> dict[str, Any]:
    raw = json.loads(text)
    values: dict[str, Any] = revive(raw)
    if "weight_grad" in raw and raw["weight_grad"] is None:  # epoch 0: no gradient yet
        values["weight_grad"] = None
        if "bias_grad" in values:
            values["bias_grad"] = None
    return values


def timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def alive(pid: int | None) -> bool:
    if pid is None or pid <= 0 or os.name == "nt":  # on Windows os.kill(pid, 0) kills
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, owned by someone else
        return True
    return True
