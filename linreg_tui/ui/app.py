"""LinregApp: compose the panes, bind the keys, start workers, route their messages.

| key | action |
| --- | --- |
| ctrl+r | run (also enter in a field) |
| escape | cancel the run |
| ctrl+l | log-y toggle |
| f1 | help: every key |
| f2 / f3 | focus the form / the results table |
| f4 | next experiment view |
| ctrl+p | command palette |
| ctrl+q | quit |
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Input, Select
from textual.worker import Worker, WorkerState, get_current_worker

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.ui.messages import (
    EpochsCompleted,
    RunFinished,
    RunProgressed,
    RunStarted,
    TorchReady,
)
from linreg_tui.ui.palette import GuardedCommandPalette
from linreg_tui.ui.runner import run_job
from linreg_tui.ui.views import VIEWS, ExperimentView
from linreg_tui.ui.widgets.config_pane import ConfigPane
from linreg_tui.ui.widgets.help_screen import HelpScreen, binding_rows
from linreg_tui.ui.widgets.results_table import ResultsTable
from linreg_tui.ui.widgets.status_bar import JobProgress, StatusBar


class LinregApp(App[None]):
    """The terminal lab: configure, run, watch the loss and compare runs."""

    CSS_PATH = "app.tcss"
    TITLE = "linreg-tui"
    AUTO_FOCUS = "#lr"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "run", "Run", tooltip="Train with the form's settings"),
        Binding("escape", "cancel", "Cancel", tooltip="Stop the run between two SGD steps"),
        Binding("ctrl+l", "toggle_log_y", "Log y", tooltip="Switch the chart's y axis: log/linear"),
        Binding("f1", "help", "Help", tooltip="List every key"),
        Binding("f2", "focus_form", "Form", show=False, tooltip="Focus the form"),
        Binding("f3", "focus_results", "Results", show=False, tooltip="Focus the results"),
        Binding("f4", "next_view", "Next view", show=False, tooltip="Next experiment view"),
        Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="Quit (cancels a run)"),
    ]

    running: reactive[bool] = reactive(False, bindings=True)
    """True from ctrl+r until the worker's last RunFinished; refreshes the footer."""
    log_y: reactive[bool] = reactive(True)
    """Charts plot log10 of the MSE (the default: SGD's MSE falls by decades)."""

    def __init__(self, config: RunConfig | None = None, *, warm_torch: bool = True) -> None:
        super().__init__()
        self.config = config or RunConfig()
        self.warm_torch = warm_torch
        """Load torch in the background after the first frame (off in snapshot tests)."""
        self.torch_ready = False
        self.run_id = 0
        """Id of the current job; messages with another id are stale and dropped."""
        self.job: JobProgress | None = None
        self.job_view: ExperimentView | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield ConfigPane(self.config, [(v.TITLE, v.VIEW_ID) for v in VIEWS], id="config")
            with ContentSwitcher(initial=VIEWS[0].VIEW_ID, id="views"):
                for view in VIEWS:
                    yield view()
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.form = self.query_one(ConfigPane)
        self.status = self.query_one(StatusBar)
        self.switcher = self.query_one(ContentSwitcher)
        for view in self.query(ExperimentView):
            view.preview(self.config)
        self.set_interval(0.25, self._tick)
        self.call_after_refresh(self._after_first_frame)

    def on_resize(self) -> None:
        self.screen.set_class(self.size.height < 30, "-short")

    def _after_first_frame(self) -> None:
        gc.freeze()  # NOTES: full collections of start-up objects stalled the UI 110-200 ms
        if self.warm_torch:
            self.load_torch()

    @property
    def view(self) -> ExperimentView:
        """The experiment view on screen."""
        return self.switcher.query_one(f"#{self.switcher.current}", ExperimentView)

    # -- workers ------------------------------------------------------------------------

    @work(thread=True, group="warm-up", exit_on_error=False)
    def load_torch(self) -> None:
        """Import torch and build one SGD optimizer so the first run does not wait."""
        start = time.perf_counter()
        import torch

        from linreg_tui.engine.train import setup_torch

        setup_torch()
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        self.post_message(TorchReady(time.perf_counter() - start))

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def train_runs(self, runs: list[RunConfig], run_id: int) -> None:
        """Iterate the engine for each run; only posts messages, never touches a widget."""
        worker = get_current_worker()
        run_job(runs, run_id, self.post_message, lambda: worker.is_cancelled)

    # -- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return None if self.running else True  # None: shown greyed out
        if action == "cancel":
            return self.running  # False lets escape reach selects and screens
        return True

    def action_run(self) -> None:
        """Validate the form and train what the current view plans from it."""
        if self.running:
            return
        config = self.form.read_config()
        if isinstance(config, ConfigError):
            self.status.say(f"not run: {config}", "error")
            return
        view = self.view
        runs = view.plan(config)
        self.run_id += 1
        self.job_view = view
        self.job = JobProgress(len(runs), sum(r.total_steps for r in runs))
        self.job.epochs = runs[0].total_epochs
        self.running = True
        self.status.show(self.job, "" if self.torch_ready else "loading torch")
        self.train_runs(runs, self.run_id)

    def action_cancel(self) -> None:
        """Ask the worker to stop; it ends between two SGD steps and reports back."""
        self.workers.cancel_group(self, "training")
        if self.job is not None:
            self.job.cancelling = True
        self.status.say("cancelling…", "warning")

    def action_toggle_log_y(self) -> None:
        """Linear or log10 y on every chart."""
        self.log_y = not self.log_y

    def watch_log_y(self, log_y: bool) -> None:
        if self.is_mounted:  # held references: a modal screen may be on top
            for view in self.switcher.query(ExperimentView):
                view.set_log_y(log_y)

    def action_help(self) -> None:
        """Show every key."""
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        display = {"escape": "esc"}
        rows = binding_rows("everywhere", self.BINDINGS, display)
        rows += binding_rows("in the table", ResultsTable.BINDINGS, display)
        self.push_screen(HelpScreen(rows))

    def action_focus_form(self) -> None:
        """Focus the form (the field that had focus last, else the first)."""
        self.form.focus_field()

    def action_focus_results(self) -> None:
        """Focus the current view's results."""
        widget = self.view.results_widget()
        if widget is not None:
            widget.focus()

    def action_next_view(self) -> None:
        """Cycle the experiment selector."""
        ids = [v.VIEW_ID for v in VIEWS]
        following = ids[(ids.index(self.switcher.current or ids[0]) + 1) % len(ids)]
        self.show_view(following)

    def show_view(self, view_id: str) -> None:
        """Switch the experiment view (and the selector with it)."""
        self.form.query_one("#experiment", Select).value = view_id
        self.switcher.current = view_id

    def action_command_palette(self) -> None:
        if self.use_command_palette and not GuardedCommandPalette.is_open(self):
            self.push_screen(GuardedCommandPalette(id="--command-palette"))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action != "quit":
                action = getattr(self, f"action_{binding.action}")
                yield SystemCommand(binding.description, binding.tooltip, action)
        for view in VIEWS:
            yield SystemCommand(
                f"View: {view.TITLE}",
                view.DESCRIPTION,
                lambda view_id=view.VIEW_ID: self.show_view(view_id),
            )

    # -- messages -----------------------------------------------------------------------

    def _current(self, run_id: int) -> bool:
        """Whether a worker message belongs to the live job (and the app still runs)."""
        return self.is_running and run_id == self.run_id and self.job_view is not None

    @on(RunStarted)
    def _run_started(self, event: RunStarted) -> None:
        if not self._current(event.run_id) or self.job is None:
            return
        self.job.run, self.job.epoch, self.job.steps = event.index, 0, 0
        self.job.epochs = event.config.total_epochs
        self.job_view.run_started(event)  # type: ignore[union-attr]

    @on(EpochsCompleted)
    def _epochs_completed(self, event: EpochsCompleted) -> None:
        if not self._current(event.run_id) or self.job is None:
            return
        self.job.epoch, self.job.steps = event.records[-1].epoch, event.records[-1].steps
        self.torch_ready = True  # a record means torch is loaded
        self.job_view.epochs_completed(event)  # type: ignore[union-attr]
        self._tick()

    @on(RunProgressed)
    def _run_progressed(self, event: RunProgressed) -> None:
        if self._current(event.run_id) and self.job is not None:
            self.job.steps = event.steps
            self._tick()

    @on(RunFinished)
    def _run_finished(self, event: RunFinished) -> None:
        if not self._current(event.run_id) or self.job is None:
            return
        self.job_view.run_finished(event)  # type: ignore[union-attr]
        self.job.steps_before += event.last.steps if event.last else 0
        self.job.steps = 0
        if event.job_done:
            self.running = False
            severity = "" if event.status == "done" else "warning"
            self.status.finish(f"{event.status} · {self.job.text()}", severity, self.job)
            self.job = None

    @on(TorchReady)
    def _torch_ready(self, event: TorchReady) -> None:
        self.torch_ready = True
        gc.freeze()  # again: torch's own objects need not be scanned either

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{type(error).__name__}: {error}", title="run failed", severity="error")
            if event.worker.group == "training":
                self.running = False

    @on(Input.Submitted)
    def _field_submitted(self) -> None:
        self.action_run()

    @on(Select.Changed, "#experiment")
    def _experiment_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.switcher.current = event.value

    def _tick(self) -> None:
        if self.running and self.job is not None and not self.job.cancelling:
            self.status.show(self.job, "" if self.torch_ready else "loading torch")
