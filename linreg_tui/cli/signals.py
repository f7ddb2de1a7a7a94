"""SIGTERM and SIGHUP stop a command the way ctrl+c does.

Their default action ended the process on the spot: the history kept the run as
"running", and a `--csv` being written left its temporary file behind. Raised as an
exception instead, they take ctrl+c's path: the job stops between two SGD steps, the run
is recorded as cancelled, a half-written output is removed, and the command exits with
128 + the signal's number, as a shell reports a killed command. A signal the command was
started ignoring (`nohup` ignores SIGHUP) stays ignored. The app handles its own
(`ui/signals.py`).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

from linreg_tui.lab.posting import STOP_SIGNALS


class Terminated(KeyboardInterrupt):
    """The command was told to stop by a signal; a KeyboardInterrupt, so everything that
    cleans up after ctrl+c cleans up after it."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.exit_status = 128 + number


def _raise(number: int, frame: FrameType | None) -> None:
    raise Terminated(number)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise `Terminated` (unless ignored on entry)."""
    previous = {}
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)  # Windows has no SIGHUP
        if number is None:
            continue
        with contextlib.suppress(ValueError, OSError):  # not the main thread: leave it be
            if signal.getsignal(number) is signal.SIG_DFL:
                previous[number] = signal.signal(number, _raise)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
