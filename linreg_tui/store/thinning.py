"""A run keeps a bounded number of epoch records: thinned as they come, first and last kept.

`run --num-train 1 --batch-size 1 --epochs 5000000` stored a 472-byte record per epoch,
2.4 GB in all, and `history show` of it took 29 s and 1.78 GB (issue 16). Each (run,
variant) now keeps the epochs that are multiples of a stride, plus its newest record; when
more than MAX_STORED_EPOCHS are kept, the stride doubles and the others are deleted. So a
run keeps between half and all of MAX_STORED_EPOCHS records, evenly spread: epoch 0 (a
multiple of every stride), every 2^k-th epoch, and the last one (a diverged run's last
record is the one that matters). A run of up to MAX_STORED_EPOCHS epochs keeps them all.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, Final

from linreg_tui.store.schema import dumps

MAX_STORED_EPOCHS: Final = 2000
"""Epoch records kept per run (and per variant of a multi-run job): ~1 MB of history."""


class Thinning:
    """The stride of each (run, variant) this connection writes, and its newest epoch."""

    def __init__(self) -> None:
        self._state: dict[tuple[int, str], tuple[int, int | None]] = {}

    def add(
        self,
        conn: sqlite3.Connection,
        run_id: int,
        variant: str,
        values: Sequence[Mapping[str, Any]],
    ) -> None:
        """Insert `values` (each with an "epoch"), keeping the run within the bound."""
        if not values:
            return
        key = (run_id, variant)
        stride, newest = self._state.get(key, (1, None))
        last = int(values[-1]["epoch"])
        if newest is not None and newest % stride:
            _delete(conn, run_id, variant, "epoch = ?", newest)  # newest no longer
        kept = [v for v in values if int(v["epoch"]) % stride == 0 or v is values[-1]]
        conn.executemany(
            "INSERT INTO epochs (run_id, variant, epoch, record) VALUES (?, ?, ?, ?)",
            [(run_id, variant, int(v["epoch"]), dumps(v)) for v in kept],
        )
        count = _count(conn, run_id, variant)
        while count > MAX_STORED_EPOCHS:
            stride *= 2
            _delete(conn, run_id, variant, "epoch % ? != 0 AND epoch != ?", stride, last)
            count = _count(conn, run_id, variant)
        self._state[key] = (stride, last)


def _count(conn: sqlite3.Connection, run_id: int, variant: str) -> int:
    query = "SELECT count(*) FROM epochs WHERE run_id = ? AND variant = ?"
    return int(conn.execute(query, (run_id, variant)).fetchone()[0])


def _delete(conn: sqlite3.Connection, run_id: int, variant: str, where: str, *args: int) -> None:
    conn.execute(
        f"DELETE FROM epochs WHERE run_id = ? AND variant = ? AND {where}", (run_id, variant, *args)
    )


def read_epochs(conn: sqlite3.Connection, run_id: int) -> list[tuple[str, int, str]]:
    """(variant, epoch, record text) of a run, in order; a run stored before thinning
    existed is thinned the same way as it is read, so reading it needs bounded memory."""
    counts = conn.execute(
        "SELECT variant, count(*), max(epoch) FROM epochs WHERE run_id = ? GROUP BY variant",
        (run_id,),
    ).fetchall()
    found: list[tuple[str, int, str]] = []
    for variant, count, newest in counts:
        stride = 1
        if count > MAX_STORED_EPOCHS:
            stride = 2 ** math.ceil(math.log2(count / MAX_STORED_EPOCHS))
        found += conn.execute(
            "SELECT variant, epoch, record FROM epochs WHERE run_id = ? AND variant = ?"
            " AND (epoch % ? = 0 OR epoch = ?) ORDER BY rowid",
            (run_id, variant, stride, newest),
        ).fetchall()
    return found
