"""JobApp: the job side of the app, from ctrl+r to the last message of the job.

It starts the training (in the warm child process of `trainer.py` in a real terminal, in
a worker thread when headless), routes the worker's messages to the view that planned the
job, drops stale ones, and keeps the status line. `LinregApp` (app.py) adds the form, the
views and the keys on top, and calls `start_job` once the form and the view agree.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
from collections.abc import Callable
from typing import Literal

from textual import on, work
from textual.app import App
from textual.driver import Driver
from textual.message import Message
from textual.reactive import reactive
from textual.worker import Worker, WorkerState, get_current_worker

from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.events import (
    EpochsCompleted,
    Event,
    RunFinished,
    RunProgressed,
    RunStarted,
    SweepRowsCompleted,
    TorchReady,
)
from linreg_tui.lab.plans import Plan
from linreg_tui.lab.process import RemoteError, TrainerProcess
from linreg_tui.lab.record import HistoryHandle, Recorder
from linreg_tui.lab.run import Post, run_job
from linreg_tui.ui.signals import terminal_driver
from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.widgets.status_bar import JobProgress, StatusBar

Trainer = Literal["process", "thread"]
SHOW_INTERVAL = 0.1
"""Seconds between two progress updates of the status line on job events (a job posts at
most ~10 a second, but runs trained side by side arrive together: lab.grouped)."""


class JobEvent(Message):
    """A lab event (`lab.events`) from the thread or process that trains: the one message
    that carries training into the app."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event


class HistoryUnavailable(Message):
    """Recording failed; the session carries on unrecorded (the app warns once)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class RunRecorded(Message):
    """A job's record is complete in the history (the History view reloads)."""

    def __init__(self, history_id: int) -> None:
        super().__init__()
        self.history_id = history_id


class JobApp(App[None]):
    """Workers, the training process and the routing of their messages to views."""

    running: reactive[bool] = reactive(False, bindings=True)
    """True from ctrl+r until the worker's last RunFinished; refreshes the footer."""
    status: StatusBar
    """The status line (the subclass composes it and sets this on mount)."""

    def __init__(
        self, history: HistoryHandle, *, warm_torch: bool, trainer: Trainer | None
    ) -> None:
        super().__init__()
        self.history = history
        """The run history every job is recorded in."""
        self.warm_torch = warm_torch
        """Load torch in the background after the first frame (off in snapshot tests)."""
        self.trainer = trainer
        """Where runs train: "process" (a warm child process: drawing barely slows training
        down), "thread" (a worker thread of this process); None: the process in a real
        terminal on a POSIX system, else the thread (headless: tests, screenshots)."""
        self.trainer_process: TrainerProcess | None = None
        self.torch_ready = False
        self.run_id = 0
        """Id of the current job; messages with another id are stale and dropped."""
        self.job: JobProgress | None = None
        self.stop_training = threading.Event()
        """Set by cancel; the job's thread polls it (a new Event per job)."""
        self.job_view: ExperimentView | None = None
        self._shown_at = -1.0
        """When the status line last showed the job's progress (monotonic seconds)."""

    def get_driver_class(self) -> type[Driver]:
        return terminal_driver(super().get_driver_class())  # survives a hangup

    def start_jobs(self) -> None:
        """Called on mount: choose where runs train and keep the status line ticking."""
        default = "thread" if self.is_headless or os.name != "posix" else "process"
        if (self.trainer or default) == "process":  # the process needs POSIX (pass_fds)
            self.trainer_process = TrainerProcess()  # started by load_torch or the first run
        self.set_interval(0.25, self._tick)

    async def _shutdown(self) -> None:
        if self.trainer_process is not None:
            await asyncio.to_thread(self.trainer_process.close)
        await super()._shutdown()

    def start_job(self, view: ExperimentView, plan: Plan, config: RunConfig) -> None:
        """Train the plan `view` made from `config` (the form's), recorded as one job."""
        if self.trainer_process is not None:  # e.g. a new one after the last one was killed
            self.torch_ready = self.trainer_process.ready
        self.run_id += 1
        view.planned_from = config
        self.job_view = view
        self.job = JobProgress.for_job(plan)
        self.running = True
        self.stop_training = threading.Event()
        self.status.show(self.job, "" if self.torch_ready else "loading torch")
        recorder = Recorder(
            plan,
            self.history,
            source="app",
            label=view.TITLE,
            warn=lambda reason: self.post_message(HistoryUnavailable(reason)),
            recorded=lambda history_id: self.post_message(RunRecorded(history_id)),
        )
        self.train_runs(plan, self.run_id, recorder)
        if broken := view.premise_broken(config):
            self.notify(
                f"{view.TITLE}: {'; '.join(broken)}. F5 runs its suggested settings.",
                title="not the lesson's settings",
                severity="warning",
                timeout=8,
            )

    def compute(
        self, plan: Plan, run_id: int, post: Post, is_cancelled: Callable[[], bool]
    ) -> None:
        """Run a small plan (the meter's theories) where runs train; from a worker thread."""
        run = run_job if self.trainer_process is None else self.trainer_process.run
        run(plan, run_id, post, is_cancelled)

    @work(thread=True, group="warm-up", exit_on_error=False)
    def load_torch(self) -> None:
        """Import torch and train a 2-step run so the first run does not wait: in the
        training process when there is one, else here."""
        if self.trainer_process is not None:
            import linreg_tui.engine.results  # noqa: F401  (numpy, for summaries: not on the UI thread)

            self.post_message(JobEvent(TorchReady(self.trainer_process.warm())))
            return
        start = time.perf_counter()
        from linreg_tui.engine.training import warm_up

        warm_up()
        self.post_message(JobEvent(TorchReady(time.perf_counter() - start)))

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def train_runs(self, plan: Plan, run_id: int, recorder: Recorder) -> None:
        """Run the plan; only posts events (recorded on the way to the history, in this
        thread), never touches a widget."""
        worker = get_current_worker()
        stop = self.stop_training  # this job's: a new job cannot start before this one ends
        run = run_job if self.trainer_process is None else self.trainer_process.run
        with recorder:
            run(
                plan,
                run_id,
                recorder.tap(lambda event: self.post_message(JobEvent(event))),
                lambda: worker.is_cancelled or stop.is_set(),
            )

    def action_cancel(self) -> None:
        """Ask the worker to stop; it ends between two SGD steps and reports back.

        Not Worker.cancel: a worker cancelled before its thread starts never runs, so no
        RunFinished would ever come and the app would stay 'cancelling…' with ctrl+r
        greyed out (ctrl+r then escape queued together did it: tests/ui/test_monkey.py).
        The thread always starts, sees the flag at its first step and reports back.
        """
        if not self.running:
            return  # the palette's Cancel with nothing running
        self.stop_training.set()
        if self.job is not None:
            self.job.cancelling = True
        self.status.say("cancelling…", "warning")

    def _live(self, run_id: int) -> tuple[JobProgress, ExperimentView] | None:
        """The job and its view if a job's event belongs to them, else None (stale)."""
        if not self.is_running or run_id != self.run_id:
            return None  # a cancelled job's late message, or the app is shutting down
        if self.job is None or self.job_view is None:
            return None
        return self.job, self.job_view

    @on(JobEvent)
    def _job_event(self, message: JobEvent) -> None:
        event = message.event
        if isinstance(event, TorchReady):
            self.torch_ready = True
            gc.freeze()  # again: torch's own objects need not be scanned either
            return
        live = self._live(event.run_id)
        if live is None:
            return
        job, view = live
        if isinstance(event, RunStarted):
            job.run, job.epoch, job.steps = event.index, 0, 0
            job.epochs = event.config.total_epochs
            view.run_started(event)
            return
        if isinstance(event, RunFinished):
            self._run_finished(event, job, view)
            return
        self.torch_ready = True  # records, rows or steps mean torch is loaded
        if isinstance(event, EpochsCompleted):
            job.epoch, job.steps = event.records[-1].epoch, event.records[-1].steps
            view.epochs_completed(event)
        elif isinstance(event, SweepRowsCompleted):
            job.rows += len(event.rows)
            view.sweep_rows_completed(event)
        elif isinstance(event, RunProgressed):
            job.steps = event.steps
        if time.monotonic() - self._shown_at >= SHOW_INTERVAL:
            self._tick()  # not once per event of a burst: a grouped job sends 3 a run at once

    def _run_finished(self, event: RunFinished, job: JobProgress, view: ExperimentView) -> None:
        view.run_finished(event)
        job.steps_before += event.last.steps if event.last else job.steps  # sweep: no record
        job.steps = 0
        if event.job_done:
            severity = "" if event.status == "done" else "warning"
            complete = event.status in ("done", "diverged")
            self.status.finish(f"{event.status} · {job.text()}", severity, job, complete)
            self._end_job()

    def _end_job(self) -> None:
        self.running = False
        self.job = None

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        training = event.worker.group == "training"
        title = "run failed" if training else "loading torch failed"
        shown = str(error) if isinstance(error, RemoteError) else f"{type(error).__name__}: {error}"
        self.notify(shown, title=title, severity="error", markup=False)
        if training and self.running:
            self.status.say(f"failed · {shown}", "error")
            self._end_job()

    def _tick(self) -> None:
        if self.running and self.job is not None and not self.job.cancelling:
            self.status.show(self.job, "" if self.torch_ready else "loading torch")
            self._shown_at = time.monotonic()
