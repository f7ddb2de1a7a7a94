"""LinregApp: compose the panes and bind the keys; the job side (workers, the training
process, routing their messages) is JobApp, in jobs.py.

The keys are in keys.py (and in the README's key table).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from collections.abc import Iterable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.command import CommandPalette
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Input, Select

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.lab.record import HistoryHandle
from linreg_tui.ui.config_io import ConfigFiles
from linreg_tui.ui.export import export_view
from linreg_tui.ui.jobs import HistoryUnavailable, JobApp, RunRecorded, Trainer
from linreg_tui.ui.keys import BINDINGS
from linreg_tui.ui.palette import GuardedCommandPalette, lab_commands, theme_palette
from linreg_tui.ui.views import VIEWS, ExperimentView
from linreg_tui.ui.widgets.config_pane import ConfigPane
from linreg_tui.ui.widgets.explanation import SuggestedSettings
from linreg_tui.ui.widgets.help_screen import HelpScreen
from linreg_tui.ui.widgets.results_table import ResultsTable
from linreg_tui.ui.widgets.status_bar import StatusBar


class LinregApp(JobApp):
    """The terminal lab: configure, run, watch the loss and compare runs."""

    CSS_PATH = "app.tcss"
    TITLE = "linreg-tui"
    AUTO_FOCUS = "#lr"
    BINDINGS: ClassVar[list[BindingType]] = BINDINGS

    log_y: reactive[bool] = reactive(True)
    """Charts plot log10 of the MSE (the default: SGD's MSE falls by decades)."""

    def __init__(
        self,
        config: RunConfig | None = None,
        *,
        warm_torch: bool = True,
        db: str | os.PathLike[str] | None = None,
        record: bool = True,
        lazy_views: bool | None = None,
        trainer: Trainer | None = None,
    ) -> None:
        history = HistoryHandle(db, record)  # `db` (--db) or $LINREG_TUI_DB; False: --no-record
        super().__init__(history, warm_torch=warm_torch, trainer=trainer)
        self.lazy_views = lazy_views
        """Mount the views behind the first, and the form's sections behind the first, after
        the first frame; None: in a real terminal only (headless tests and screenshots get
        everything from the start)."""
        self.config = config or RunConfig()
        self.views: list[ExperimentView] = []
        """Every experiment view, held from mount (a modal screen may be on top later)."""
        self.pending_view: str | None = None
        """A view asked for before the views behind the first one were mounted."""
        self.mounting_views: asyncio.Event | None = None
        """Set once the hidden views finished mounting; None while not started."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            lazy = not self.is_headless if self.lazy_views is None else self.lazy_views
            choices = [(v.TITLE, v.VIEW_ID) for v in VIEWS]
            yield ConfigPane(self.config, choices, lazy=lazy, id="config")
            with ContentSwitcher(initial=VIEWS[0].VIEW_ID, id="views"):
                for view in VIEWS[:1] if lazy else VIEWS:
                    yield view.load()()  # lazy: the others mount after the first frame
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.form = self.query_one(ConfigPane)
        self.status = self.query_one(StatusBar)
        self.switcher = self.query_one(ContentSwitcher)
        self.views = list(self.query(ExperimentView))
        self.config_files = ConfigFiles(self, self.form, self.status)
        for view in self.views:
            view.preview(self.config)
        self.start_jobs()

    def on_resize(self) -> None:
        self.set_class(self.size.height < 30, "-short")  # app.tcss gives the chart the rows

    def on_ready(self) -> None:
        """The first frame is on screen (Textual's Ready event): mount the rest, load torch."""
        if len(self.views) < len(VIEWS) or self.form.lazy:
            # a task of its own, one view at a time: keys typed meanwhile are handled
            # between two mounts instead of after all of them (~0.3 s)
            self.run_worker(self._mount_other_views(), group="mount-views")
        else:
            gc.freeze()  # NOTES: full collections of start-up objects stalled the UI 110-200 ms
        if self.warm_torch:
            self.load_torch()

    async def _mount_other_views(self) -> None:
        """Mount the form's sections and the views behind the first: composing them all
        before the first frame cost about 0.2 s of start-up (bench/bench_ui.py, target 1)."""
        if not self.is_running:
            return
        self.mounting_views = done = asyncio.Event()
        try:
            await self.form.mount_rest()
            others = [view.load()() for view in VIEWS[len(self.views) :]]
            for view in others:
                view.display = False
                await self.switcher.mount(view)
        finally:
            done.set()
        if not self.is_running:
            return
        for view in others:
            view.preview(self.config)
            view.set_log_y(self.log_y)
        self.views.extend(others)
        gc.freeze()  # NOTES: full collections of start-up objects stalled the UI 110-200 ms
        if self.pending_view is not None:
            self._switch_to(self.pending_view)

    async def _shutdown(self) -> None:
        # Widgets still mounting when Textual tears the app down compose nothing, and a
        # mount handler that queries its children then raises NoMatches (a traceback on
        # quit). Let a mount already under way finish first: it takes ~0.1 s.
        if self.mounting_views is not None and not self.mounting_views.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.mounting_views.wait(), 2.0)
        await super()._shutdown()

    def _switch_to(self, view_id: str) -> None:
        """Show a view now, or as soon as it is mounted."""
        if any(view.id == view_id for view in self.views):
            self.pending_view = None
            self.switcher.current = view_id
        else:
            self.pending_view = view_id

    @property
    def view(self) -> ExperimentView:
        """The experiment view on screen."""
        return self.switcher.query_one(f"#{self.switcher.current}", ExperimentView)

    # -- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return None if self.running else True  # None: shown greyed out
        if action == "cancel":
            return self.running  # False lets escape reach selects and screens
        if action == "export":  # a priority key: not over the palette, help or a prompt
            return len(self.screen_stack) == 1
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
        try:
            plan = view.plan(config)  # a lab plan, checked; a view may refuse its own fields
        except ConfigError as error:
            if not view.owns_field(error.field):  # a view marks its own fields (sizes: b)
                self.form.refuse(error)
            self.status.say(f"not run: {error}", "error")
            return
        self.start_job(view, plan, config)

    def action_toggle_log_y(self) -> None:
        """Linear or log10 y on every chart."""
        self.log_y = not self.log_y

    def watch_log_y(self, log_y: bool) -> None:
        for view in self.views:
            view.set_log_y(log_y)

    def action_export(self) -> None:
        """Write the current view's results to CSV and JSON (a download in a browser)."""
        export_view(self, self.view)

    def action_help(self) -> None:
        """Show every key (F1 again or escape closes)."""
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            from linreg_tui.ui.widgets.history_table import HistoryTable  # not at start-up
            from linreg_tui.ui.widgets.plane_canvas import PlaneCanvas

            bindings = (self.BINDINGS, ResultsTable.BINDINGS, HistoryTable.BINDINGS,
                        PlaneCanvas.BINDINGS)  # fmt: skip
            self.push_screen(HelpScreen.for_bindings(*bindings))

    def action_save_config(self) -> None:
        """Save the form's configuration (TOML or JSON by the file's suffix)."""
        self.config_files.ask_save()

    def action_load_config(self) -> None:
        """Load a configuration file into the form."""
        self.config_files.ask_load()

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
        self._switch_to(view_id)

    def action_command_palette(self) -> None:
        # No fixed id (Textual's "--command-palette"): a palette still being removed, or
        # one under the help, kept its id and a second ctrl+p raised DuplicateIds.
        palettes = [s for s in self.screen_stack if isinstance(s, CommandPalette)]
        if self.use_command_palette and not palettes:
            self.push_screen(GuardedCommandPalette())

    def search_themes(self) -> None:
        """The palette's Theme command, in the guarded palette (palette.py)."""
        self.push_screen(theme_palette())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from lab_commands(self, self.BINDINGS, VIEWS)

    # -- messages -----------------------------------------------------------------------

    @on(HistoryUnavailable)
    def _history_unavailable(self, event: HistoryUnavailable) -> None:
        self.notify(
            f"{event.reason}. Runs go on, unrecorded, until the app restarts.",
            title="not recording the history",
            severity="warning",
            timeout=10,
            markup=False,  # the reason may name a path with [ in it
        )

    @on(RunRecorded)
    def _run_recorded(self) -> None:
        for view in self.views:
            view.history_changed()

    @on(SuggestedSettings.Chosen)
    def _settings_suggested(self, event: SuggestedSettings.Chosen) -> None:
        self.config_files.apply(event.values, event.source)

    @on(Input.Submitted)
    def _field_submitted(self) -> None:
        self.action_run()

    @on(Select.Changed, "#experiment")
    def _experiment_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._switch_to(event.value)
