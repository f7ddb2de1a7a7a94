"""Output files: strict JSON lines, CSV rows, and files that appear only when complete.
No torch, no UI library."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import errno
import json
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from linreg_tui.engine.records import exported_fields
from linreg_tui.store.paths import PathProblem, kind, own_stream


def json_safe(value: Any, keep_kind: bool = False) -> Any:
    """Plain JSON values: tuples become lists, and inf/nan become None (strict JSON has no
    Infinity or NaN, which `json.dumps` would otherwise write); with `keep_kind` (the
    history) they become the strings "inf", "-inf" and "nan" instead, which
    `store.schema.revive` reads back as the same floats."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = exported_fields(value)  # an EpochRecord's live-only chunks stay out
    if isinstance(value, Mapping):
        return {str(k): json_safe(v, keep_kind) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, keep_kind) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value) if keep_kind else None  # str: "inf", "-inf" or "nan"
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


class WriteFailed(OSError):
    """Writing an output file failed part-way (a full disk, a closed FIFO); `filename`
    names the file, so a front end can tell it from a failing stdout."""


class AtomicFile:
    """A text file written beside `path` and moved into place only on `commit`.

    The temporary file is created at once, so an unwritable path fails before any work is
    done; an interrupted or failed write leaves nothing behind (not even the temp file).
    What `path` names decides how (issue 16: a rename over /dev/null, as root, replaced the
    device with a regular file):

    - a regular file or a new name: the temp file + rename above; a symlink is followed, so
      the file it points to is replaced and the link stays a link;
    - a character device (/dev/null, a terminal) or a FIFO: written straight through, and
      this process's own stdout or stderr (/dev/stdout, /dev/fd/1) through a duplicate of
      its descriptor; what was written cannot be taken back by `discard`;
    - a folder: IsADirectoryError; anything else (a socket, a block device): OSError,
      never touched.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._tmp: Path | None = None
        self.target = self.path
        """Where the text goes: `path`, or the file a symlink at `path` points to."""
        fd = own_stream(self.path)
        if fd is not None:
            self.file: IO[str] = _open_fd(os.dup(fd))
            return
        try:
            found = kind(self.path)
        except PathProblem as error:
            raise OSError(errno.EINVAL, error.reason, str(self.path)) from None
        if found == "folder":
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(self.path))
        if found == "other":
            raise OSError(
                errno.EINVAL,
                "not a regular file, a character device or a FIFO: left untouched",
                str(self.path),
            )
        if found == "stream":  # blocks until a FIFO has a reader, as a shell's > does
            self.file = _open_fd(os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY))
            return
        self.target = Path(os.path.realpath(self.path))
        fd, tmp = tempfile.mkstemp(
            dir=self.target.parent, prefix=f".{_cut(self.target.name, 200)}.", suffix=".part"
        )
        self._tmp = Path(tmp)
        self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")

    @property
    def streaming(self) -> bool:
        """True when written straight through (a device, a FIFO, stdout): nothing to move."""
        return self._tmp is None

    def write(self, text: str) -> None:
        """Write `text`; WriteFailed names the file if the disk is full."""
        try:
            self.file.write(text)
        except OSError as error:
            raise self._failed(error) from error

    def commit(self) -> None:
        """Flush, then atomically replace the target with what was written."""
        try:
            self.file.flush()
            if self._tmp is None:
                self.file.close()
                return
            os.fsync(self.file.fileno())
            self.file.close()
            os.chmod(self._tmp, 0o666 & ~_umask())  # mkstemp makes 0600; act like open()
            os.replace(self._tmp, self.target)
        except BaseException as error:
            self.discard()
            if isinstance(error, OSError) and not isinstance(error, WriteFailed):
                raise self._failed(error) from error
            raise

    def discard(self) -> None:
        """Close and delete the temporary file; `path` is left as it was."""
        try:
            with contextlib.suppress(OSError):  # a full disk fails the flush in close() too
                self.file.close()  # (the error that brought us here is on its way up)
        finally:
            if self._tmp is not None:
                self._tmp.unlink(missing_ok=True)

    def _failed(self, error: OSError) -> WriteFailed:
        return WriteFailed(error.errno, error.strerror or str(error), str(self.path))

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


def _cut(name: str, limit: int) -> str:
    """`name` cut to `limit` bytes of UTF-8 (a temp name must stay under 255 bytes)."""
    return name.encode()[:limit].decode(errors="ignore")


def _open_fd(fd: int) -> IO[str]:
    """A text stream on `fd`, line-buffered: rows appear as they are written."""
    return os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write a whole text file atomically."""
    with AtomicFile(path) as out:
        out.write(text)


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
            try:
                self._writer.writeheader()
            except OSError as error:
                raise self._failed(error) from error
        try:
            self._writer.writerow(row)
        except OSError as error:
            raise self._failed(error) from error

    def __enter__(self) -> CsvFile:
        return self
