"""One line under the panes: what is happening, and a progress bar while training."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from linreg_tui.lab.plans import Plan, SweepPlan
from linreg_tui.ui.text import plain

IDLE_TEXT = "ready · ctrl+r runs · F1 lists every key"


@dataclass
class JobProgress:
    """Where the current job is: run i of M, epoch k of N, steps, start time."""

    runs: int
    total_steps: int
    run: int = 0
    epoch: int = 0
    epochs: int = 0
    steps_before: int = 0
    """Steps of the job's runs that already finished."""
    steps: int = 0
    """Steps of the current run."""
    started: float = field(default_factory=time.monotonic)
    cancelling: bool = False
    unit: str = ""
    """Set for a sweep job: what its rows are ('cells'); the text counts rows, not epochs."""
    rows: int = 0
    total_rows: int = 0

    @classmethod
    def for_job(cls, plan: Plan) -> JobProgress:
        """The progress of a job as a view planned it: runs, or one sweep."""
        if isinstance(plan, SweepPlan):
            return cls(1, plan.total_steps, unit=plan.unit, total_rows=plan.total_rows)
        return cls(len(plan.runs), plan.total_steps, epochs=plan.runs[0].total_epochs)

    def text(self) -> str:
        """'epoch k of N · run i of M · 1.2 s', or 'k of N cells · 1.2 s' for a sweep."""
        if self.unit:
            parts = [f"{self.rows} of {self.total_rows} {self.unit}"]
        else:
            parts = [f"epoch {self.epoch} of {self.epochs}"]
        if self.runs > 1:
            parts.append(f"run {self.run + 1} of {self.runs}")
        parts.append(f"{time.monotonic() - self.started:.1f} s")
        return " · ".join(parts)

    @property
    def done(self) -> int:
        """Steps taken in the whole job."""
        return self.steps_before + self.steps


@dataclass(frozen=True)
class Shown:
    """What the line shows: a message, and the bar (its fraction done) or no bar."""

    text: str = IDLE_TEXT
    severity: str = ""
    done: float | None = None


class StatusBar(Horizontal):
    """A message or the job's progress on the left, a progress bar on the right.

    A message belongs to the view it was said in: switching views shows the other view's
    last message (or "ready"), and a refusal goes once the form is valid again."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view_id = ""
        """The view whose message is on show."""
        self.shown = Shown()
        self.by_view: dict[str, Shown] = {}
        """Each other view's last message."""

    def switch(self, view_id: str) -> None:
        """Show `view_id`'s last message instead of the current view's."""
        if view_id == self.view_id:
            return
        self.by_view[self.view_id] = self.shown
        self.view_id = view_id
        self._restore(self.by_view.pop(view_id, Shown()))

    def clear_refusal(self) -> None:
        """Back to "ready" if the line shows a refusal ("not run: ...")."""
        if self.shown.text.startswith("not "):
            self._restore(Shown())

    def _restore(self, shown: Shown) -> None:
        if shown.done is None:
            self.say(shown.text, shown.severity)
            return
        self._message(shown.text, shown.severity)
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=1000, progress=round(1000 * shown.done))
        self.shown = shown

    def compose(self) -> ComposeResult:
        yield Label(IDLE_TEXT, id="status-text")
        yield ProgressBar(total=100, show_eta=False, id="status-progress")

    @property
    def text(self) -> str:
        """The message on show, as plain text."""
        return str(self.query_one("#status-text", Label).content)

    def say(self, text: str, severity: str = "") -> None:
        """Show a message, across the whole line (the bar steps aside: a refusal at 80
        columns was cut off); severity 'error' or 'warning' colours it."""
        self._message(text, severity)
        self.query_one(ProgressBar).display = False
        self.shown = Shown(text, severity)

    def _message(self, text: str, severity: str) -> None:
        label = self.query_one("#status-text", Label)
        label.update(plain(text), layout=False)  # fixed size (1fr x 1): no layout pass
        label.set_class(severity == "error", "-error")
        label.set_class(severity == "warning", "-warning")

    def show(self, job: JobProgress, waiting: str = "") -> None:
        """Show a job's progress; `waiting` (e.g. 'loading torch') makes the bar pulse."""
        self._message(f"{waiting} · {job.text()}" if waiting else job.text(), "")
        bar = self.query_one(ProgressBar)
        bar.display = True
        if waiting:
            bar.update(total=None)
        else:
            bar.update(total=max(job.total_steps, 1), progress=job.done)

    def finish(self, text: str, severity: str, job: JobProgress, complete: bool) -> None:
        """Show how a job ended: the bar full if it ran to its end (runs that diverged
        stop early but are over), else where it stopped."""
        self._message(text, severity)
        bar = self.query_one(ProgressBar)
        bar.display = True
        total = max(job.total_steps, 1)
        bar.update(total=total, progress=total if complete else job.done)
        self.shown = Shown(text, severity, 1.0 if complete else min(job.done / total, 1.0))
