"""A program in a real pseudo-terminal, as a user runs it: its output read as it comes,
keys sent, and the moment a pattern first appears timed."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time

CTRL_Q = b"\x11"


class Terminal:
    """A child process on a pseudo-terminal of a given size, with its output collected."""

    def __init__(
        self, argv: list[str], cols: int = 100, rows: int = 30, cwd: str | None = None
    ) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)}
        env["LINREG_TUI_DB"] = "/tmp/linreg-bench-history.sqlite3"
        self.start = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, cwd=cwd
        )
        os.close(slave)
        self.buffer = b""

    def wait_for(self, pattern: bytes, since: int = 0, timeout: float = 60.0) -> float:
        """Read until `pattern` appears after offset `since`; return the time it appeared."""
        deadline = time.perf_counter() + timeout
        regex = re.compile(pattern)
        while not regex.search(self.buffer, since):
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{pattern!r} not seen in {timeout} s")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if ready:
                try:
                    self.buffer += os.read(self.master, 65536)
                except OSError:
                    break
        return time.perf_counter()

    def drain(self, seconds: float) -> None:
        """Keep reading (so the app never blocks on a full pipe) for `seconds`."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                self.buffer += os.read(self.master, 65536)

    def send(self, data: bytes) -> int:
        """Send keys; return the output offset at that moment."""
        os.write(self.master, data)
        return len(self.buffer)

    def close(self) -> None:
        self.send(CTRL_Q)
        try:
            self.drain(0.5)
            self.proc.wait(timeout=5)
        except (subprocess.TimeoutExpired, OSError):
            self.proc.kill()
        os.close(self.master)

    def settle(self, quiet: float = 0.3, limit: float = 10.0) -> None:
        """Read until nothing has come for `quiet` seconds (at most `limit`): what a key
        started is drawn, so output after this point is the next key's."""
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            ready, _, _ = select.select([self.master], [], [], quiet)
            if not ready:
                return
            self.buffer += os.read(self.master, 65536)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        """Closed however the block ends: a timeout must not leave the app running."""
        self.close()
