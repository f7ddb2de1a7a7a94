"""Output files: strict JSON lines, CSV rows, and files that appear only when complete.
No torch, no UI library."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any


def json_safe(value: Any) -> Any:
    """Plain JSON values: tuples become lists, and inf/nan become None (strict JSON has no
    Infinity or NaN, which `json.dumps` would otherwise write)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(value: Any, **extra: Any) -> str:
    """One strict JSON object on one line; `extra` keys come first."""
    obj = {**json_safe(extra), **json_safe(value)}
    return json.dumps(obj, allow_nan=False, separators=(", ", ": "))


def flatten(values: Mapping[str, Any], widths: Mapping[str, int]) -> dict[str, Any]:
    """Spread each vector `key` named in `widths` over `key_1 ... key_d` (1-based columns);
    a missing vector (None) gives empty cells, a bool gives true/false, None gives ''."""
    row: dict[str, Any] = {}
    for key, value in values.items():
        if key in widths:
            items = list(value) if value is not None else [None] * widths[key]
            for i, item in enumerate(items, start=1):
                row[f"{key}_{i}"] = _cell(item)
        else:
            row[key] = _cell(value)
    return row


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def vector_columns(key: str, d: int) -> list[str]:
    """`key_1 ... key_d`, the CSV columns `flatten` makes of a vector."""
    return [f"{key}_{i}" for i in range(1, d + 1)]


# --- files that appear only when complete -----------------------------------------------


class AtomicFile:
    """A text file written beside `path` and moved into place only on `commit`.

    The temporary file is created at once, so an unwritable path fails before any work is
    done; an interrupted or failed write leaves nothing behind (not even the temp file).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(self.path))
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".part"
        )
        self._tmp = Path(tmp)
        self.file: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        """Flush, then atomically replace `path` with what was written."""
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            os.chmod(self._tmp, 0o666 & ~_umask())  # mkstemp makes 0600; act like open()
            os.replace(self._tmp, self.path)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Close and delete the temporary file; `path` is left as it was."""
        try:
            with contextlib.suppress(OSError):  # a full disk fails the flush in close() too
                self.file.close()  # (the error that brought us here is on its way up)
        finally:
            self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write a whole text file atomically."""
    with AtomicFile(path) as out:
        out.file.write(text)


class CsvFile(AtomicFile):
    """An atomic CSV file whose header is the first row's keys (or `columns`)."""

    def __init__(self, path: str | os.PathLike[str], columns: Sequence[str] | None = None) -> None:
        super().__init__(path)
        self.columns = list(columns) if columns is not None else None
        self._writer: csv.DictWriter[str] | None = None

    def add(self, row: Mapping[str, Any]) -> None:
        """Write one row; a key outside the header is an error, a missing one is empty."""
        if self._writer is None:
            self.columns = self.columns or list(row)
            self._writer = csv.DictWriter(self.file, fieldnames=self.columns, lineterminator="\n")
            self._writer.writeheader()
        self._writer.writerow(row)

    def __enter__(self) -> CsvFile:
        return self
