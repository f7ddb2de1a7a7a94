"""Training in a warm process of its own, so that drawing and training never share a GIL.

Trained in a thread of the app, a long run drawn live went at 0.80 x the engine's speed
(bench/bench_ui.py, target 4): the UI thread and the training thread took turns at one
interpreter. `TrainerProcess` keeps one child process that has loaded torch and built an
optimizer. It sends the child each job (a list of RunConfigs or a picklable SweepPlan);
the child runs `runner.run_job` there and sends back, as plain tuples, the messages that
`run_job` posts. The app's worker thread turns them back into the same messages. That
thread mostly sleeps in a pipe read, and the child never sees a widget.

The child is a fresh interpreter (`python -m linreg_tui.ui.trainer`), not a fork: the app
has threads, and a forked copy of a process with threads may deadlock; nor
multiprocessing's "spawn", which re-runs the parent's main script in the child. Its
stdout and stderr go to /dev/null, since the terminal belongs to the app. Jobs and replies
travel over two pipes as pickles (multiprocessing's Connection). A cancel is one 8-byte
integer, the id of the job to stop, in a memory-mapped scratch file both processes map:
the child reads it before every SGD step for the cost of a memory load.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import fields
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from linreg_tui.ui import messages
from linreg_tui.ui.runner import Post, SweepPlan, run_job

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig

Job = Sequence["RunConfig"] | SweepPlan
POLL_INTERVAL = 0.05
"""Seconds between two looks at the app's cancel flag while the child trains."""
STOP_ALL = 2**62
"""Written to the cancel cell on close: above every job id, so whatever runs stops."""
_CELL = struct.Struct("q")


class TrainerGone(RuntimeError):
    """The training process ended (killed, or out of memory) before the job did."""


class RemoteError(Exception):
    """An exception raised in the training process that could not travel back as is."""

    def __init__(self, kind: str, text: str) -> None:
        super().__init__(kind, text)
        self.kind, self.text = kind, text

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


def _portable(error: BaseException) -> BaseException:
    """The exception itself if it survives a pickle round trip, else a RemoteError."""
    try:
        copy = pickle.loads(pickle.dumps(error))
    except Exception:
        return RemoteError(type(error).__name__, str(error))
    return copy if isinstance(copy, BaseException) else RemoteError(type(error).__name__, "")


def _as_tuple(message: messages.Message) -> tuple[str, dict[str, Any]]:
    """A message of `messages` as (class name, fields): a Message is built in the process
    that posts it (Textual stamps it there), so only its fields travel."""
    names = [f.name for f in fields(message)]  # type: ignore[arg-type]
    return type(message).__name__, {name: getattr(message, name) for name in names}


def serve(jobs: Connection, replies: Connection, cancel: mmap.mmap) -> None:
    """The child process: warm torch up, say "ready", then run jobs until told to stop."""
    start = time.perf_counter()
    import gc

    import torch

    from linreg_tui.engine.training import setup_torch

    setup_torch()
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)  # imports torch._dynamo
    gc.freeze()
    replies.send(("ready", time.perf_counter() - start))
    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError):
            return  # the app is gone
        if job is None:
            return
        run_id, runs = job

        def post(message: messages.Message) -> None:
            replies.send(("message", *_as_tuple(message)))

        try:
            run_job(runs, run_id, post, lambda: _CELL.unpack_from(cancel)[0] >= run_id)  # noqa: B023
        except BaseException as error:
            replies.send(("error", _portable(error)))
        else:
            replies.send(("end", None))


class TrainerProcess:
    """One warm training process, shared by the jobs of an app (one job at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._jobs: Connection | None = None
        self._replies: Connection | None = None
        self._cell_file = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as self; unlinked)
        self._cell_file.truncate(_CELL.size)
        self._cancel = mmap.mmap(self._cell_file.fileno(), _CELL.size)
        self._closed = False
        self._ready = False

    @property
    def ready(self) -> bool:
        """A process is running, torch loaded (False before the first job or after a
        death: the next job waits for a new one to load torch)."""
        return self._ready and self._process is not None and self._process.poll() is None

    def warm(self) -> float:
        """Start the process if it is not running and wait until it is ready.

        Returns the seconds the child took to load torch (0 if it was already running).
        Blocks: call it from a worker thread.
        """
        with self._lock:
            return self._ensure()

    def _ensure(self) -> float:
        if self._closed:
            raise TrainerGone("the app is closing")
        if self._process is not None and self._process.poll() is None:
            return 0.0
        self._stop_process()
        job_r, job_w = os.pipe()
        reply_r, reply_w = os.pipe()
        child_fds = (job_r, reply_w, self._cell_file.fileno())
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "linreg_tui.ui.trainer", *map(str, child_fds)],
                pass_fds=child_fds,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # the terminal is the app's
            )
        finally:
            os.close(job_r)  # the child's ends: closed here, the child's death is an EOF
            os.close(reply_w)
        self._jobs = Connection(job_w, readable=False)
        self._replies = Connection(reply_r, writable=False)
        try:
            kind, seconds = self._replies.recv()
        except (EOFError, OSError):
            code = self._process.wait()
            self._stop_process()
            raise TrainerGone(f"the training process failed to start (exit code {code})") from None
        assert kind == "ready", kind
        self._ready = True
        return float(seconds)

    def run(self, runs: Job, run_id: int, post: Post, is_cancelled: Callable[[], bool]) -> None:
        """`runner.run_job` with the training done in the process: the same messages and
        statuses, and the same exception at the end if the job raised."""
        with self._lock:
            self._ensure()
            jobs, replies, process = self._jobs, self._replies, self._process
            assert jobs is not None and replies is not None and process is not None
            jobs.send((run_id, runs))
            cancelled = False
            index, last = 0, None  # the run going on, and its last record so far
            while True:
                if not cancelled and is_cancelled():
                    _CELL.pack_into(self._cancel, 0, run_id)
                    cancelled = True
                try:
                    if not replies.poll(POLL_INTERVAL):
                        continue
                    reply = replies.recv()
                except (EOFError, OSError):
                    code = process.wait()
                    self._stop_process()
                    post(messages.RunFinished(run_id, index, "error", last, job_done=True))
                    raise TrainerGone(
                        f"the training process ended (exit code {code}); the next run starts"
                        " a new one"
                    ) from None
                kind, *rest = reply
                if kind == "message":
                    name, values = rest
                    message = getattr(messages, name)(**values)
                    if isinstance(message, messages.RunStarted):
                        index, last = message.index, None
                    elif isinstance(message, messages.EpochsCompleted):
                        last = message.records[-1]
                    post(message)
                elif kind == "error":
                    raise rest[0]
                else:
                    return

    def _stop_process(self) -> None:
        process, jobs, replies = self._process, self._jobs, self._replies
        self._process = self._jobs = self._replies = None
        self._ready = False
        if jobs is not None:
            with contextlib.suppress(OSError, ValueError):
                jobs.send(None)
            jobs.close()
        if replies is not None:
            replies.close()
        if process is not None:
            try:
                process.wait(1.0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self, timeout: float = 0.5) -> None:
        """Stop the process: a job running in it is cancelled first, and a process still
        loading torch (or not stopping within `timeout`) is killed, so quitting is quick."""
        self._closed = True
        _CELL.pack_into(self._cancel, 0, STOP_ALL)
        if self._lock.acquire(timeout=timeout):
            try:
                self._stop_process()
            finally:
                self._lock.release()
        elif (process := self._process) is not None:
            process.kill()  # the thread waiting on it gets an EOF and ends


def main(argv: Sequence[str]) -> None:
    """The child's entry: the three file descriptors the app passed it."""
    job_fd, reply_fd, cell_fd = map(int, argv)
    cancel = mmap.mmap(cell_fd, _CELL.size)
    serve(Connection(job_fd, writable=False), Connection(reply_fd, readable=False), cancel)


if __name__ == "__main__":
    main(sys.argv[1:])
