"""Which view is on screen and whether the form is: LayoutApp, between JobApp (jobs.py)
and LinregApp (app.py).

The views behind the first mount after the first frame, one at a time; a view asked for
before it is mounted shows once it is. Below NARROW columns the view gets every column:
the form opens when a field gets focus (F2, a refused setting) and steps aside on F2 or
when a run starts.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from textual import events
from textual.events import DescendantFocus
from textual.geometry import Size
from textual.widgets import ContentSwitcher, Select

from linreg_tui.ui.jobs import JobApp
from linreg_tui.ui.startup import settle_gc
from linreg_tui.ui.views import VIEWS, ExperimentView

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.theory_records import Theory
    from linreg_tui.ui.widgets.config_pane import ConfigPane

NARROW = 110
"""Terminals narrower than this give the view every column: the form opens on demand (F2)."""
TINY = 70
"""Narrower than this, the open form takes every column (beside it a view kept 26 of 60,
issue 12); F2 or a run gives them back to the view."""
LOW = 22
"""Lower than this (60x20), charts keep 6 plot rows instead of 8, so the tables under them
keep theirs."""


class LayoutApp(JobApp):
    """The views' mounting and switching, and the form's place in a narrow terminal."""

    form: ConfigPane
    switcher: ContentSwitcher
    views: list[ExperimentView]
    config: RunConfig
    log_y: bool
    pending_view: str | None
    mounting_views: asyncio.Event | None
    theories: tuple[RunConfig, dict[str, Theory]] | None

    def size_classes(self, size: Size | None = None) -> bool:
        """Set the classes app.tcss lays out by (the chart gets the rows of a short
        terminal, a narrow one opens the form on demand); True if narrow. Called from
        compose too, before there is anything to restyle: set on the first Resize, they
        restyled every widget before the first frame (~30 ms)."""
        width, height = self.size if size is None else size
        narrow = width < NARROW  # the form opens on demand
        wanted = {
            "-short": height < 30,
            "-low": height < LOW,
            "-tiny": width < TINY,
            "-narrow": narrow,
        }
        changed = False
        for name, on in wanted.items():
            if self.has_class(name) != on:
                self.set_class(on, name, update=False)
                changed = True
        if changed:  # one restyle of every widget, not one per class (~0.1 s each)
            self.update_node_styles()
        return narrow

    def on_resize(self, event: events.Resize) -> None:
        # event.size: when this handler runs, self.size is still the size before (the
        # classes lagged one resize behind: 80x24 laid out as 60x20 after a round trip)
        narrow = self.size_classes(event.size)
        focused = self.focused  # a hidden field must never hold the focus
        if narrow and focused is not None and getattr(self, "form", None) is not None:
            self.open_form(self.form in focused.ancestors_with_self)

    def open_form(self, open_: bool = True) -> None:
        """Show (or, when the terminal is narrow, hide) the form; hidden, it gives the
        focus to the view."""
        self.set_class(open_, "-form-open")
        if open_ or getattr(self, "form", None) is None:  # (a resize before the mount)
            return
        for select in self.form.query(Select):
            select.expanded = False  # no list left open under a hidden form
        focused = self.focused
        if focused is not None and self.form in focused.ancestors_with_self:
            results = self.view.results_widget()
            if results is not None and results.focusable:
                results.focus()
            else:
                self.set_focus(None)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """In a narrow terminal a field that gets focus opens the form (F2, a refusal,
        a loaded file); it closes on F2 or when a run starts, never under an open list."""
        if self.has_class("-narrow") and self.form in event.widget.ancestors_with_self:
            self.open_form()

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
            if self.theories is not None:  # what the stability meter computed meanwhile
                view.predicted(*self.theories)
        self.views.extend(others)
        settle_gc()  # start-up objects frozen, collections back on (ui/startup.py)
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
            if not self.running:  # a job's progress shows whichever view is on screen
                self.status.switch(view_id)
        else:
            self.pending_view = view_id

    @property
    def view(self) -> ExperimentView:
        """The experiment view on screen."""
        return self.switcher.query_one(f"#{self.switcher.current}", ExperimentView)

    def action_focus_form(self) -> None:
        """Focus the form (the field that had focus last, else the first); in a narrow
        terminal, F2 opens the form, and closes it again."""
        if self.has_class("-narrow") and self.has_class("-form-open"):
            self.open_form(False)
            return
        self.open_form()
        self.call_after_refresh(self.form.focus_field)

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
