"""SIGTERM and SIGHUP end the app the way ctrl+q does: the job is cancelled and recorded
as such, the training process stops, and the terminal is given back as it was.

Without this, `kill <pid>` (or an SSH disconnect, which sends SIGHUP) ended the Python
process on the spot: the terminal stayed in the alternate screen with mouse reporting on,
the history kept the run as "running", and the training process trained on, orphaned
(issue 16). The training process also watches the app itself (`lab.process_child`), so
it ends within a second even when the app is killed with SIGKILL, which nothing can catch.

A hung-up terminal also fails every write (EIO). Textual's writer thread (textual 8.2)
dies on the first failed write and its queue holds 30 writes, so the 31st frame blocked
the event loop for good, before it could run the SIGHUP handler: the app hung instead of
quitting (seen under load in CI). `terminal_driver` keeps the writer alive by dropping
output once the terminal is gone, and takes the lost terminal for a hangup: that also
ends an app whose hangup never came as a signal (it did not lead its session).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from functools import partial
from typing import IO, TYPE_CHECKING, Any

from linreg_tui.lab.posting import STOP_SIGNALS

if TYPE_CHECKING:
    from textual.app import App
    from textual.driver import Driver

    from linreg_tui.ui.jobs import JobApp

HANGUP = int(getattr(signal, "SIGHUP", 1))


def handle_signals(app: JobApp) -> None:
    """Make SIGTERM and SIGHUP quit `app`; in a real terminal or a browser only (a headless
    test app must not take over its test process's signals)."""
    if app.is_headless:
        return
    loop = asyncio.get_running_loop()
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is None:  # Windows has no SIGHUP
            continue
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, quit_on_signal, app, number)


def quit_on_signal(app: App[Any], number: int) -> None:
    """Cancel the job and exit with 128 + the signal's number, as a shell reports it."""
    stop = getattr(app, "stop_training", None)  # a JobApp's; the worker sees it and
    if stop is not None:  # records the run as "cancelled"
        stop.set()  # the worker sees it at its next step and records "cancelled"
    app.exit(return_code=128 + number)


class TerminalOutput:
    """The terminal as Textual's writer thread sees it: writes and flushes that fail (the
    terminal hung up) are dropped, and the first failure calls `lost` once."""

    def __init__(self, file: IO[str], lost: Callable[[], object]) -> None:
        self._file = file
        self._lost = lost
        self.gone = False
        """True once a write failed: nothing more is written."""

    def _failed(self) -> None:
        if not self.gone:
            self.gone = True
            self._lost()

    def write(self, text: str) -> None:
        if not self.gone:
            try:
                self._file.write(text)
            except OSError:
                self._failed()

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except OSError:
                self._failed()

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, encoding: the terminal's own
        return getattr(self._file, name)


def terminal_driver(default: type[Driver]) -> type[Driver]:
    """The driver for `JobApp.get_driver_class`: Textual's own for a browser or Windows,
    its Linux/macOS terminal driver with output that survives a hangup otherwise."""
    if default.__name__ != "LinuxDriver":
        return default
    from textual.drivers.linux_driver import LinuxDriver  # termios: not on Windows

    class HangupSafeDriver(LinuxDriver):
        def __init__(self, app: App[Any], **options: Any) -> None:
            super().__init__(app, **options)
            # LinuxDriver keeps its output in `_file` (sys.__stderr__) and hands it to its
            # writer thread in start_application_mode (tests/ui/test_signals.py: a terminal
            # gone without a hangup signal hangs the app if that ever changes).
            lost = partial(app.call_later, quit_on_signal, app, HANGUP)
            self._file = TerminalOutput(self._file, lost)

    return HangupSafeDriver
