"""The training process's side of `process.TrainerProcess`: what runs in the child.

`main` is the child's entry (`python -c` with the app's sys.path, see process.py): it reads
jobs from one pipe, runs each with `run.run_job`, and writes the events back on another.
It also watches its parent: an app killed by SIGKILL (or dying any other way) left its
child training on, orphaned, until the child's next message (11.7 s and 3.4 GB on a run of
1e8 examples: issue 16). A thread of the child looks at its parent id a few times a second
and ends the child at once when the parent is gone. No UI library.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
import struct
import sys
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection

from linreg_tui.lab.events import Event
from linreg_tui.lab.remote import portable
from linreg_tui.lab.run import load_engine, run_job

CELL = struct.Struct("q")
"""The cancel cell: the number of the last job the app cancelled."""
PARENT_POLL = 0.2
"""Seconds between two looks at the parent: the child outlives it by at most this."""


def serve(jobs: Connection, replies: Connection, cancel: mmap.mmap) -> None:
    """The child process: warm torch up, say "ready", then run jobs until told to stop."""
    start = time.perf_counter()
    import gc

    load_engine()  # torch, without collections while it loads
    from linreg_tui.engine.training import warm_up

    warm_up()
    gc.freeze()
    replies.send(("ready", time.perf_counter() - start))
    while True:
        try:
            request = jobs.recv()
        except (EOFError, OSError):
            return  # the app is gone
        if request is None:
            return
        number, run_id, payload = request

        def post(event: Event, number: int = number) -> None:
            replies.send(("event", number, event))

        try:
            runs = pickle.loads(payload)  # here, so a job that does not load is its error
            run_job(runs, run_id, post, lambda: CELL.unpack_from(cancel)[0] >= number)  # noqa: B023
        except BaseException as error:
            replies.send(("error", number, portable(error)))
        else:
            replies.send(("end", number, None))


def watch_parent(parent: int, interval: float = PARENT_POLL) -> None:
    """End this process as soon as `parent` is no longer its parent (the app died, however:
    the child is then re-parented to init or a subreaper). Runs in a daemon thread."""
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(0)  # now: no cleanup is owed to anyone, and the memory goes back at once


def main(argv: Sequence[str] | None = None) -> None:
    """The child's entry: the three file descriptors the app passed it, and its pid."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a ctrl+c reaching the process group
    job_fd, reply_fd, cell_fd, parent = map(int, sys.argv[1:] if argv is None else argv)
    threading.Thread(target=watch_parent, args=(parent,), name="watch-parent", daemon=True).start()
    for fd in (job_fd, reply_fd, cell_fd):
        os.set_inheritable(fd, False)  # nothing the child starts may hold the pipes open
    cancel = mmap.mmap(cell_fd, CELL.size)
    serve(Connection(job_fd, writable=False), Connection(reply_fd, readable=False), cancel)
