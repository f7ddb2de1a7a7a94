"""Output helpers: strict JSON, CSV flattening, table cells and atomic files."""

from __future__ import annotations

import io
import json
import math
import os
import stat
from pathlib import Path

import pytest

from linreg_tui.cli.table import Column, Table
from linreg_tui.lab.text import fmt_fixed, fmt_sci, fmt_vector
from linreg_tui.store.files import AtomicFile, CsvFile, flatten, json_safe, to_json, write_text


def strict_loads(line: str) -> object:
    """json.loads that refuses NaN and Infinity, which are not JSON."""

    def refuse(name: str) -> None:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(line, parse_constant=refuse)


def test_non_finite_numbers_become_null_at_any_depth() -> None:
    value = {"a": math.inf, "b": (1.0, -math.inf, math.nan), "c": [{"d": math.nan}], "e": 2}
    assert json_safe(value) == {"a": None, "b": [1.0, None, None], "c": [{"d": None}], "e": 2}


def test_to_json_is_one_strict_line_with_extra_keys_first() -> None:
    line = to_json({"loss": math.inf, "w": (1.5, math.nan)}, kind="epoch")
    assert "\n" not in line
    assert list(strict_loads(line)) == ["kind", "loss", "w"]  # type: ignore[arg-type]
    assert strict_loads(line) == {"kind": "epoch", "loss": None, "w": [1.5, None]}


def test_flatten_spreads_vectors_over_numbered_columns() -> None:
    row = flatten(
        {"epoch": 0, "w_hat": (1.0, 2.0, 3.0), "grad": None, "diverged": False, "g": None},
        {"w_hat": 3, "grad": 2},
    )
    assert row == {
        "epoch": 0,
        "w_hat_1": 1.0,
        "w_hat_2": 2.0,
        "w_hat_3": 3.0,
        "grad_1": "",
        "grad_2": "",
        "diverged": "false",
        "g": "",
    }


@pytest.mark.parametrize(
    ("value", "sci", "fixed"),
    [
        (0.5, "5.000e-01", "0.5000"),
        (-3.4, "-3.400e+00", "-3.4000"),
        (1.2e23, "1.200e+23", "1.200e+23"),
        (math.inf, "inf", "inf"),
        (math.nan, "nan", "nan"),
        (None, "-", "-"),
    ],
)
def test_number_cells_stay_short_and_readable(value: float | None, sci: str, fixed: str) -> None:
    assert (fmt_sci(value), fmt_fixed(value)) == (sci, fixed)


def test_long_vectors_are_elided_in_a_cell() -> None:
    cell = fmt_vector(fmt_fixed, 7)(tuple(float(i) for i in range(6)))
    assert cell.split() == ["0.0000", "1.0000", "2.0000", "3.0000", "...(+2)"]


def test_table_columns_line_up_under_their_headers() -> None:
    table = Table([Column("epoch", 3), Column("val MSE", 9, fmt_sci), Column("", 0, str, True)])
    header, rule = table.header().splitlines()
    rows = [table.row([1, 0.25, ""]), table.row([10, math.inf, "diverged"])]
    assert len(rule) == len(header)
    end = header.index("val MSE") + len("val MSE")  # right-aligned: cells end here
    for row, cell in zip(rows, ("2.500e-01", "inf"), strict=True):
        assert row[end - len(cell) : end] == cell
        assert row[end - len(cell) - 1] == " "
    assert rows[1].endswith("  diverged")


def test_atomic_file_appears_only_on_commit(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with AtomicFile(target) as out:
        out.file.write("hello\n")
        assert not target.exists()
        assert len(list(tmp_path.iterdir())) == 1  # only the temp file
    assert target.read_text() == "hello\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_committed_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "out.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o644  # not mkstemp's 0600


def test_failure_inside_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with pytest.raises(KeyboardInterrupt), AtomicFile(target) as out:
        out.file.write("half a")
        raise KeyboardInterrupt
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.txt"]


class FullDisk(io.RawIOBase):
    """A file on a full disk: every write fails with ENOSPC."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(28, "No space left on device")

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
        super().close()


def test_a_full_disk_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC comes at the flush, and again when discard() closes the file (close flushes
    what is buffered): the temp file was left behind until discard() ignored that."""

    def full_disk(fd: int, *args: object, **kwargs: object) -> io.TextIOWrapper:
        return io.TextIOWrapper(io.BufferedWriter(FullDisk(fd)), encoding="utf-8")

    target = tmp_path / "out.txt"
    target.write_text("old\n")
    monkeypatch.setattr(os, "fdopen", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_text(target, "new\n")
    monkeypatch.undo()
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_bad_paths_fail_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        AtomicFile(tmp_path / "missing" / "out.txt")
    with pytest.raises(IsADirectoryError):
        AtomicFile(tmp_path)
    assert os.listdir(tmp_path) == []


def test_csv_header_comes_from_the_first_row(tmp_path: Path) -> None:
    with CsvFile(tmp_path / "t.csv") as out:
        out.add({"a": 1, "b": "x"})
        out.add({"a": 2, "b": ""})
    assert (tmp_path / "t.csv").read_text() == "a,b\n1,x\n2,\n"
