"""SIGTERM and SIGHUP end the app the way ctrl+q does: the job is cancelled and recorded
as such, the training process stops, and the terminal is given back as it was.

Without this, `kill <pid>` (or an SSH disconnect, which sends SIGHUP) ended the Python
process on the spot: the terminal stayed in the alternate screen with mouse reporting on,
the history kept the run as "running", and the training process trained on, orphaned
(issue 16). The training process also watches the app itself (`lab.process_child`), so
it ends within a second even when the app is killed with SIGKILL, which nothing can catch.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linreg_tui.ui.jobs import JobApp

HANDLED = ("SIGTERM", "SIGHUP")


def handle_signals(app: JobApp) -> None:
    """Make SIGTERM and SIGHUP quit `app`; in a real terminal or a browser only (a headless
    test app must not take over its test process's signals)."""
    if app.is_headless:
        return
    loop = asyncio.get_running_loop()
    for name in HANDLED:
        number = getattr(signal, name, None)
        if number is None:  # Windows has no SIGHUP
            continue
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, _quit, app, number)


def _quit(app: JobApp, number: int) -> None:
    """Cancel the job and exit with 128 + the signal's number, as a shell reports it."""
    app.stop_training.set()  # the worker sees it at its next step and records "cancelled"
    app.exit(return_code=128 + number)
