"""LinregApp: compose the panes and bind the keys; the job side (workers, the training
process, routing their messages) is JobApp, in jobs.py.

The keys are in keys.py (and in the README's key table).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

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
from linreg_tui.ui.jobs import HistoryUnavailable, RunRecorded, Trainer
from linreg_tui.ui.keys import BINDINGS
from linreg_tui.ui.layout import LayoutApp
from linreg_tui.ui.palette import GuardedCommandPalette, lab_commands, theme_palette
from linreg_tui.ui.signals import handle_signals
from linreg_tui.ui.startup import auto_focus_now, defer_auto_focus, settle_gc
from linreg_tui.ui.views import VIEWS, ExperimentView
from linreg_tui.ui.widgets.config_pane import ConfigPane
from linreg_tui.ui.widgets.explanation import SuggestedSettings
from linreg_tui.ui.widgets.help_screen import HelpScreen
from linreg_tui.ui.widgets.results_table import ResultsTable
from linreg_tui.ui.widgets.stability_meter import StabilityMeter
from linreg_tui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from linreg_tui.engine.theory_records import Theory


class LinregApp(LayoutApp):
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
        self.theories: tuple[RunConfig, dict[str, Theory]] | None = None
        """The form's settings and the theories of its data the stability meter shows."""

    def compose(self) -> ComposeResult:
        self.open_form()  # a learner starts at the form; a narrow terminal hides it on F2 or a run
        lazy = not self.is_headless if self.lazy_views is None else self.lazy_views
        self.size_classes()  # before the widgets: their first styling has them (set on the
        # first Resize instead, they restyled every widget twice: a third of a start-up)
        if lazy:  # in a terminal: what the first frame need not wait for (ui/startup.py)
            defer_auto_focus(self)  # the first field is focused after the first frame
        with Horizontal(id="main"):
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
        self.status.view_id = self.switcher.current or ""
        self.views = list(self.query(ExperimentView))
        self.config_files = ConfigFiles(self, self.form, self.status)
        handle_signals(self)  # SIGTERM, SIGHUP: quit as ctrl+q does (ui/signals.py)
        self.form.meter.connect(self.compute, lambda: self.torch_ready)
        for view in self.views:
            view.preview(self.config)
        self.start_jobs()

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        # Textual 8.2.8: a key still queued when the app quits reaches here after the last
        # screen is gone, and its ScreenStackError ends the app with a traceback (escape,
        # ctrl+p typed fast, then quit: tests/ui/test_dialogs.py under load). Drop it.
        if not self._screen_stack:
            return True
        return await super()._check_bindings(key, priority)

    def on_ready(self) -> None:
        """The first frame is on screen (Textual's Ready event): mount the rest, load torch."""
        auto_focus_now(self)
        if len(self.views) < len(VIEWS) or self.form.lazy:
            # a task of its own, one view at a time: keys typed meanwhile are handled
            # between two mounts instead of after all of them (~0.3 s)
            self.run_worker(self._mount_other_views(), group="mount-views")
        else:
            settle_gc()  # start-up objects frozen, collections back on (ui/startup.py)
        if self.warm_torch:
            self.load_torch()

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
            self._refuse(config)
            return
        view = self.view
        try:
            plan = view.plan(config)  # a lab plan, checked; a view may refuse its own fields
        except ConfigError as error:
            if not view.owns_field(error.field):  # a view marks its own fields (sizes: b)
                self._refuse(error)
            else:
                self.status.say(f"not run: {error}", "error")
            return
        self.start_job(view, plan, config)
        if self.has_class("-narrow") and self.has_class("-form-open"):
            self.action_focus_form()  # narrow: the form steps aside for the run to show

    def _refuse(self, error: ConfigError) -> None:
        """Say why a run is refused, and open the form at the field to change."""
        self.open_form()
        self.call_after_refresh(self.form.refuse, error)  # shown first: hidden fields take no focus
        self.status.say(f"not run: {error}", "error")

    def action_run_suggested(self) -> None:
        """Fill the form with the view's suggested settings (every other setting at its
        default, the view's own lists too) and run them."""
        view = self.view
        if self.running or view.SUGGESTED is None:
            if view.SUGGESTED is None:
                self.status.say(f"{view.TITLE} has no suggested settings: it trains nothing")
            return
        self.config_files.apply(view.SUGGESTED, view.TITLE)
        view.reset_own_fields()
        self.action_run()

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
            from linreg_tui.ui.views.single_run import SingleRunView
            from linreg_tui.ui.widgets.history_table import HistoryTable  # not at start-up
            from linreg_tui.ui.widgets.plane_canvas import PlaneCanvas

            bindings = (self.BINDINGS, ResultsTable.BINDINGS, HistoryTable.BINDINGS,
                        PlaneCanvas.BINDINGS, SingleRunView.BINDINGS)  # fmt: skip
            self.push_screen(HelpScreen.for_bindings(*bindings))

    def action_save_config(self) -> None:
        """Save the form's configuration (TOML or JSON by the file's suffix)."""
        self.config_files.ask_save()

    def action_load_config(self) -> None:
        """Load a configuration file into the form."""
        self.config_files.ask_load()

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

    @on(StabilityMeter.Shown)
    def _predicted(self, event: StabilityMeter.Shown) -> None:
        self.theories = (event.config, event.theories)  # views mounted later get them too
        for view in self.views:
            view.predicted(*self.theories)

    @on(RunRecorded)
    def _run_recorded(self) -> None:
        for view in self.views:
            view.history_changed()

    @on(SuggestedSettings.Chosen)
    def _settings_suggested(self) -> None:
        self.action_run_suggested()

    @on(Input.Submitted)
    def _field_submitted(self) -> None:
        self.action_run()

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        if self.running or self.form not in event.input.ancestors:
            return  # a view's own field: its refusal stays until the view's next plan
        try:
            RunConfig(**self.form.values())  # type: ignore[arg-type]
        except ConfigError:
            return
        self.status.clear_refusal()  # the form is valid again: its refusal is over

    @on(Select.Changed, "#experiment")
    def _experiment_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._switch_to(event.value)
