"""`--csv` and every other output file: written atomically only over a regular file or a new
name; straight through to devices, FIFOs and this process's stdout; a symlink followed;
anything else never replaced (issue 16: `--csv /dev/null`, as root, replaced the device)."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from linreg_tui.cli import main
from linreg_tui.store.files import AtomicFile, write_text

RUN = ["run", "--no-record", "--epochs", "1", "--num-train", "64", "--num-val", "16"]
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def device(path: Path, major: int, minor: int) -> Path:
    """A character device node like /dev/null (1, 3) or /dev/full (1, 7), in a tmp folder:
    the real ones are shared with everyone on the machine."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    return path


@pytest.mark.skipif(
    not ROOT, reason="only root may make device nodes (and only root's rename hurt)"
)
def test_a_character_device_is_written_through_and_stays_a_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    null = device(tmp_path / "null", 1, 3)
    assert main([*RUN, "--csv", str(null)]) == 0
    assert stat.S_ISCHR(os.stat(null).st_mode), "the device node was replaced by a file"
    assert os.listdir(tmp_path) == ["null"]  # no temp file either


@pytest.mark.skipif(not ROOT, reason="only root may make device nodes")
def test_a_full_device_is_one_line_and_stays_a_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = device(tmp_path / "full", 1, 7)
    assert main([*RUN, "--csv", str(full)]) == 1
    assert "No space left on device" in one_line_error(capsys)
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_a_fifo_is_written_through_to_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "rows"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    assert main([*RUN, "--csv", str(fifo)]) == 0
    reader.join(10)
    assert got and got[0].startswith("epoch,steps,") and got[0].count("\n") == 3
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "data" / "rows.csv"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    assert main([*RUN, "--csv", str(link)]) == 0
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text().startswith("epoch,steps,")
    assert sorted(os.listdir(target.parent)) == ["rows.csv"]  # the temp file went too


def test_a_socket_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert main([*RUN, "--csv", str(path)]) == 2
        assert "not a regular file" in one_line_error(capsys)
        assert stat.S_ISSOCK(os.stat(path).st_mode)


def test_own_stdout_is_written_through_a_duplicate(tmp_path: Path) -> None:
    """`--csv /proc/self/fd/1 > out`: the CSV joins what is printed, instead of replacing
    (or truncating) the file stdout goes to. /dev/stdout names the same descriptor."""
    out = tmp_path / "out.txt"
    with out.open("w") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "linreg_tui", *RUN, "--json", "--csv", "/proc/self/fd/1"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert sum(line.startswith("{") for line in lines) == 2  # epochs 0 and 1, as JSON
    assert sum(line[:1].isdigit() for line in lines) == 2  # and as CSV rows
    assert "epoch,steps," in out.read_text()
    from linreg_tui.store.paths import own_stream

    assert [own_stream(p) for p in ("/dev/stdout", "/dev/stderr", "/dev/fd/1")] == [1, 2, 1]
    assert own_stream("/dev/null") is None


def test_a_full_disk_mid_csv_is_one_line_and_keeps_the_old_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise OSError(28, "No space left on device")

    real = os.fdopen

    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        if kwargs.get("newline") == "" and "buffering" not in kwargs:  # AtomicFile's temp
            os.close(fd)
            return io.TextIOWrapper(
                io.BufferedWriter(Full(), 16), encoding="utf-8", write_through=True
            )
        return real(fd, *args, **kwargs)  # type: ignore[arg-type]

    target = tmp_path / "rows.csv"
    target.write_text("old\n")
    monkeypatch.setattr(os, "fdopen", fdopen)
    assert main([*RUN, "--csv", str(target)]) == 1
    assert "No space left on device" in one_line_error(capsys)
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["rows.csv"]


def test_stdout_on_a_full_disk_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "linreg_tui", *RUN],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr == "linreg-tui: error: cannot write to stdout: No space left on device\n"


def test_write_text_to_a_folder_or_a_long_name_fails_before_writing(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_text(tmp_path, "x")
    with pytest.raises(OSError, match="too long"):
        AtomicFile(tmp_path / ("x" * 300))
    assert os.listdir(tmp_path) == []
