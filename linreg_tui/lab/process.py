"""Training in a warm process of its own, so that drawing and training never share a GIL.

Trained in a thread of the app, a long run drawn live went at 0.80 x the engine's speed
(bench/bench_ui.py, target 4): the UI thread and the training thread took turns at one
interpreter. `TrainerProcess` keeps one child process that has loaded torch and built an
optimizer. It sends the child each job (a lab plan: `plans.RunsPlan` or `plans.SweepPlan`);
the child runs `run.run_job` there and sends back the events it emits (frozen dataclasses
of plain values, pickled). The app's worker thread passes them on as they are. That thread
mostly sleeps in a pipe read, and the child never sees a widget.

The child is a fresh interpreter that imports `process_child.main` with the app's own
`sys.path` (so it loads the same linreg_tui and torch, whatever the working directory),
not a fork: the app has threads, and a forked copy of a process with threads may
deadlock; nor multiprocessing's "spawn", which re-runs the parent's main script. Its
stdout goes to /dev/null and its stderr to a scratch file (the terminal belongs to the
app; the file's tail explains a child that dies). It ignores SIGINT: cancel and quit come
through the app. Jobs and replies travel over two pipes as pickles (multiprocessing's
Connection), each reply tagged with its job's number. A cancel is that number, written
into an 8-byte memory-mapped cell the child reads before every SGD step (a memory load).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection

from linreg_tui.lab.events import EpochsCompleted, RunFinished, RunStarted
from linreg_tui.lab.plans import Plan
from linreg_tui.lab.process_child import CELL
from linreg_tui.lab.remote import RemoteError
from linreg_tui.lab.run import Post

__all__ = ["RemoteError", "TrainerGone", "TrainerProcess"]

POLL_INTERVAL = 0.05
"""Seconds between two looks at the app's cancel flag and the child's health."""
STOP_ALL = 2**62
"""Written to the cancel cell on close: above every job number, so whatever runs stops."""
_ENTRY = "import sys; sys.path[:] = {path!r}; from linreg_tui.lab.process_child import main; main()"


class TrainerGone(RuntimeError):
    """The training process ended (killed, or out of memory) before the job did."""


class TrainerProcess:
    """One warm training process, shared by the jobs of an app (one job at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._jobs: Connection | None = None
        self._replies: Connection | None = None
        self._cell_file = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as self; unlinked)
        self._cell_file.truncate(CELL.size)
        self._cancel = mmap.mmap(self._cell_file.fileno(), CELL.size)
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (the child's stderr)
        self._jobs_sent = 0
        """Jobs numbered here, not by the caller's run id: a cancel stops only its job."""
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
            seconds = self._ensure(lambda: False)
        assert seconds is not None  # only a cancel returns None
        return seconds

    def _ensure(self, is_cancelled: Callable[[], bool]) -> float | None:
        """A ready process (started if need be) and its load time; None if cancelled while
        it loads torch (it goes on loading, for the next job)."""
        if self._closed:
            raise TrainerGone("the app is closing")
        if self.ready:
            return 0.0
        if self._process is None or self._process.poll() is not None:
            self._start()
        replies, process = self._replies, self._process
        assert replies is not None and process is not None
        try:
            while not replies.poll(POLL_INTERVAL):
                if is_cancelled():
                    return None
                if process.poll() is not None:
                    break  # dead without an EOF: let recv say so
            kind, seconds = replies.recv()
        except (EOFError, OSError, ValueError):
            kind, seconds = "died", None
        if kind != "ready":
            raise TrainerGone(f"the training process failed to start {self._bury(process)}")
        self._ready = True
        return float(seconds)

    def _start(self) -> None:
        self._stop_process()
        self._log.seek(0)
        self._log.truncate()
        job_r, job_w = os.pipe()
        reply_r, reply_w = os.pipe()
        child_fds = (job_r, reply_w, self._cell_file.fileno())
        argv = [*map(str, child_fds), str(os.getpid())]  # the pid: the child watches us
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _ENTRY.format(path=sys.path), *argv],
                pass_fds=child_fds,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,  # the terminal is the app's
            )
        except BaseException:
            os.close(job_w)
            os.close(reply_r)
            raise
        finally:
            os.close(job_r)  # the child's ends: closed here, the child's death is an EOF
            os.close(reply_w)
        self._jobs = Connection(job_w, readable=False)
        self._replies = Connection(reply_r, writable=False)

    def _bury(self, process: subprocess.Popen[bytes]) -> str:
        """Wait for a dead (or dying) child, let it go, and say how it ended: '(exit code
        N): <the last line it wrote to stderr>'."""
        code = process.wait()
        self._stop_process()
        self._log.seek(0)
        lines = self._log.read()[-2000:].decode(errors="replace").strip().splitlines()
        return f"(exit code {code})" + (f": {lines[-1]}" if lines else "")

    def run(self, plan: Plan, run_id: int, post: Post, is_cancelled: Callable[[], bool]) -> None:
        """`run.run_job` with the training done in the process: the same events and
        statuses, and the same exception at the end if the job raised (a builtin one as
        itself, any other as a RemoteError)."""
        payload = pickle.dumps(plan)  # a job that cannot travel fails here, in the app
        while not self._lock.acquire(timeout=POLL_INTERVAL):  # e.g. the warm-up holds it
            if is_cancelled():
                post(RunFinished(run_id, 0, "cancelled", None, job_done=True))
                return
        try:
            self._run(payload, run_id, post, is_cancelled)
        finally:
            self._lock.release()

    def _run(
        self, payload: bytes, run_id: int, post: Post, is_cancelled: Callable[[], bool]
    ) -> None:
        if self._ensure(is_cancelled) is None:
            post(RunFinished(run_id, 0, "cancelled", None, job_done=True))
            return
        jobs, replies, process = self._jobs, self._replies, self._process
        assert jobs is not None and replies is not None and process is not None
        self._jobs_sent += 1
        number = self._jobs_sent
        index, last = 0, None  # the run going on, and its last record so far
        failure: Exception | None = None  # the job's own exception, raised in the process
        try:
            jobs.send((number, run_id, payload))
            cancelled = False
            while True:
                if not cancelled and is_cancelled():
                    CELL.pack_into(self._cancel, 0, number)
                    cancelled = True
                if not replies.poll(POLL_INTERVAL):
                    if process.poll() is not None:
                        raise EOFError  # dead, and somehow no EOF (an inherited pipe end)
                    continue
                kind, sent_for, *rest = replies.recv()
                if sent_for != number:
                    continue  # an older job's, which cannot happen: the stream is ours
                if kind == "event":
                    event = rest[0]
                    if isinstance(event, RunStarted):
                        index, last = event.index, None
                    elif isinstance(event, EpochsCompleted):
                        last = event.records[-1]
                    post(event)
                elif kind == "error":
                    failure = rest[0]
                    break
                else:
                    return
        except (EOFError, OSError):
            how = self._bury(process)
            # killed by close() (the app quits, or a signal ends it): the user's stop
            post(RunFinished(run_id, index, "cancelled" if self._closed else "failed", last, True))
            raise TrainerGone(
                f"the training process ended {how}; the next run starts a new one"
            ) from None
        except BaseException:
            # not the child's error but ours (e.g. `post` raised): the child may still be
            # in the job, and its replies would reach the next one. A new process, then.
            self._kill_process()
            raise
        assert failure is not None
        raise failure

    def _kill_process(self) -> None:
        if self._process is not None:
            self._process.kill()
        self._stop_process()

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
        CELL.pack_into(self._cancel, 0, STOP_ALL)
        if self._lock.acquire(timeout=timeout):
            try:
                self._stop_process()
            finally:
                self._lock.release()
        elif (process := self._process) is not None:
            process.kill()  # the thread waiting on it gets an EOF and ends
