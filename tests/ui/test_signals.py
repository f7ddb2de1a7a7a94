"""Signals to the real app in a real terminal (a pty): SIGTERM and SIGHUP quit it as ctrl+q
does, terminal restored, job cancelled and recorded; the training process dies with the
app, SIGKILL included (issue 16, group 3)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LONG = ["--num-train", "200000", "--num-val", "100", "--batch-size", "1", "--epochs", "1"]
"""One epoch of 200,000 single-example steps: far longer than the test."""
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
MOUSE_OFF = b"\x1b[?1000l"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc, ptys")


@dataclass
class Terminal:
    """The app in a pty, with everything it wrote collected by a thread."""

    process: subprocess.Popen[bytes]
    master: int
    db: Path
    output: bytearray = field(default_factory=bytearray)

    def read_all(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the app closed the terminal's last handle
                return
            if not chunk:
                return
            self.output += chunk


def wait(what: str, condition: Callable[[], object], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                state, ppid = stat.rsplit(")", 1)[1].split()[:2]
                if int(ppid) == pid and state != "Z":
                    found.append(int(entry))
    return found


def gone(pid: int) -> bool:
    """True once `pid` has exited (a zombie waiting for its reaper counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def statuses(db: Path) -> list[str]:
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(db, timeout=5)) as conn:
        try:
            return [row[0] for row in conn.execute("SELECT status FROM runs")]
        except sqlite3.OperationalError:
            return []


def controlling_terminal() -> None:
    """In the child before exec: a session of its own, with the pty on stdin as its
    controlling terminal, as sshd sets up a login (a hangup then sends it SIGHUP)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.fixture
def app_training(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Terminal, int]]:
    """The app in a 100x30 pty, a long run started with ctrl+r and training in its child.

    Started from a shell, the app is not its session's leader (the shell is): a child of
    a killed app then gets no SIGHUP from the kernel. Indirect parameter True: the app
    leads its session with the pty as controlling terminal, as a login shell would."""
    leader = getattr(request, "param", False)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    db = tmp_path / "history.sqlite3"
    env = {**os.environ, "TERM": "xterm-256color", "LINREG_TUI_DB": str(db)}
    process = subprocess.Popen(
        [sys.executable, "-m", "linreg_tui", "tui", *LONG],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
        preexec_fn=controlling_terminal if leader else os.setpgrp,
    )
    os.close(slave)
    terminal = Terminal(process, master, db)
    reader = threading.Thread(target=terminal.read_all, daemon=True)
    reader.start()
    started: list[int] = []
    try:
        wait("the first frame", lambda: b"\x1b[?1049h" in terminal.output, 30)
        wait("the training process", lambda: children(process.pid), 30)
        started = children(process.pid)
        os.write(master, b"\x12")  # ctrl+r
        wait("the run to be recorded as running", lambda: statuses(db) == ["running"], 60)
        yield terminal, started[0]
    finally:
        for pid in [process.pid, *started]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
        if terminal.master >= 0:
            os.close(terminal.master)
        reader.join(5)


def test_sigterm_quits_cleanly_cancels_the_run_and_the_child(
    app_training: tuple[Terminal, int],
) -> None:
    terminal, child = app_training
    mark = len(terminal.output)
    os.kill(terminal.process.pid, signal.SIGTERM)
    terminal.process.wait(15)
    died = time.monotonic()
    assert terminal.process.returncode == 128 + signal.SIGTERM, terminal.output[-2000:]
    time.sleep(0.3)  # the reader drains what the app wrote last
    restored = bytes(terminal.output[mark:])
    assert LEAVE_ALT_SCREEN in restored and MOUSE_OFF in restored  # the terminal is back
    assert b"Traceback" not in restored
    wait("the training process to end", lambda: gone(child), 1.0 + (time.monotonic() - died))
    assert statuses(terminal.db) == ["cancelled"]


@pytest.mark.parametrize("app_training", [True, False], indirect=True, ids=["sighup", "no-sighup"])
def test_a_hangup_quits_cancels_the_run_and_the_child(app_training: tuple[Terminal, int]) -> None:
    """An SSH disconnect: the terminal goes away (its master side closes) and writes to it
    fail from then on. Leading its session, the app also gets SIGHUP from the kernel; not
    leading it, it gets no signal and its next frame fails to write. Textual's writer
    thread died on that failed write and the 31st frame blocked the event loop for good
    (CI's hang of the SIGHUP case, when the frames won the race against the signal): the
    app now takes a lost terminal for a hangup."""
    terminal, child = app_training
    os.close(terminal.master)
    terminal.master = -1
    terminal.process.wait(15)
    died = time.monotonic()
    assert terminal.process.returncode == 128 + signal.SIGHUP
    wait("the training process to end", lambda: gone(child), 1.0 + (time.monotonic() - died))
    assert statuses(terminal.db) == ["cancelled"]


def test_the_training_process_dies_within_a_second_of_a_killed_app(
    app_training: tuple[Terminal, int],
) -> None:
    terminal, child = app_training
    os.kill(terminal.process.pid, signal.SIGKILL)  # nothing can catch this one
    terminal.process.wait(5)
    wait("the orphaned training process to end", lambda: gone(child), 1.0)
