"""Past runs from the history database: filter, overlay their curves, compare, re-run.

The database is read in thread workers (a database another process is migrating may
keep it waiting), and the results come back as messages. The list is read again when
the view is shown and after every job the app records. Keys on the table: see
`HistoryTable`; F3 focuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from linreg_tui.engine.config import ConfigError
from linreg_tui.lab.record import HistoryHandle
from linreg_tui.store.history import HistoryError, RunNotFound, RunSummary, StoredRun
from linreg_tui.ui.history_parts import (
    Filters,
    curves,
)
from linreg_tui.ui.history_rerun import rerun
from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.widgets.confirm_screen import ConfirmScreen
from linreg_tui.ui.widgets.curves_chart import CurvesChart
from linreg_tui.ui.widgets.history_filters import HistoryFilters
from linreg_tui.ui.widgets.history_table import HistoryTable
from linreg_tui.ui.widgets.run_details import RunDetails

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.ui.app import LinregApp

COLOURS = ("primary", "warning", "success", "error", "mauve", "cyan")
"""Curve colour of the 1st, 2nd, ... overlaid run; also the most runs overlaid at once."""


class HistoryView(ExperimentView, view_id="history"):
    """Recorded runs: a filtered table, the overlaid runs' curves and their differences."""

    EXPORT_STEM = "history"

    @dataclass
    class Listed(Message):
        """The list as read (or why it could not be)."""

        runs: list[RunSummary]
        error: str = ""

    @dataclass
    class Fetched(Message):
        """Runs read with their records, for the chart; `error` if the read failed."""

        runs: dict[int, StoredRun]
        error: str = ""

    @dataclass
    class Deleted(Message):
        run_id: int
        error: str = ""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID)
        self.filters = Filters()
        self.overlaid: list[int] = []
        """Ids of the runs on the chart, in the order they were added (their colours)."""
        self.stored: dict[int, StoredRun] = {}
        """Runs read with their records, by id."""
        self.error = ""

    def compose(self) -> ComposeResult:
        yield HistoryFilters(id="history-filters")
        yield HistoryTable(id="history-table")
        yield RunDetails(id="history-details")
        yield CurvesChart("train MSE per epoch", id="history-chart")

    def on_mount(self) -> None:
        self.table = self.query_one(HistoryTable)
        self.details = self.query_one(RunDetails)
        self.chart = self.query_one(CurvesChart)

    def on_show(self) -> None:
        self.reload()

    def plan(self, config: RunConfig) -> list[RunConfig]:
        raise ConfigError("history", "view trains nothing: r on a run loads it into its view")

    def set_log_y(self, log_y: bool) -> None:
        self.chart.log_y = log_y

    def results_widget(self) -> Widget | None:
        return self.table

    def export_rows(self) -> list[dict[str, object]]:
        """The listed runs: settings, status and final validation MSE."""
        return [
            {"id": run.id, "kind": run.kind, "source": run.source, "status": run.status,
             "started_at": run.started_at.isoformat(), **run.config.to_dict(),
             "val_mse": run.summary.get("val_mse")}
            for run in self.table.runs.values()
        ]  # fmt: skip

    # -- reading the database (thread workers) ------------------------------------------

    @property
    def history(self) -> HistoryHandle:
        """The app's history database (shared with its recorder)."""
        return cast("LinregApp", self.app).history

    def reload(self) -> None:
        """Read the list again with the current filters."""
        self._list(self.filters)

    def history_changed(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="history-list", exit_on_error=False)
    def _list(self, filters: Filters) -> None:
        try:
            store = self.history.store(create=False)  # reading never creates a database
            if store is None:
                message = self.Listed([], f"no runs recorded yet ({self.history.path})")
            else:
                message = self.Listed(store.list_runs(filters.loss, filters.lr, filters.size))
        except HistoryError as error:
            message = self.Listed([], str(error))
        self.post_message(message)

    @work(thread=True, exclusive=True, group="history-fetch", exit_on_error=False)
    def _fetch(self, ids: list[int]) -> None:
        found: dict[int, StoredRun] = {}
        try:
            store = self.history.store(create=False)
            for run_id in ids:
                if store is None:
                    break
                try:
                    found[run_id] = store.get(run_id)
                except RunNotFound:  # deleted meanwhile (by another instance too)
                    continue
        except HistoryError as error:
            self.post_message(self.Fetched(found, str(error)))
            return
        self.post_message(self.Fetched(found))

    @work(thread=True, group="history-delete", exit_on_error=False)
    def _delete(self, run_id: int) -> None:
        try:
            store = self.history.store(create=False)
            if store is not None:
                store.delete(run_id)
            self.post_message(self.Deleted(run_id))
        except HistoryError as error:
            self.post_message(self.Deleted(run_id, str(error)))

    @on(Listed)
    def _listed(self, event: Listed) -> None:
        self.error = event.error
        for run in event.runs:  # a run read while it was going may have moved on
            old = self.stored.get(run.id)
            if old is not None and (old.status, old.summary) != (run.status, run.summary):
                del self.stored[run.id]
        words = self.filters.words()
        count = f"{len(event.runs)} run{'s' if len(event.runs) != 1 else ''}"
        title = f"{count} with {words}" if words else count
        self.table.show_runs(event.runs, self.colours(), event.error or title)
        self._update()

    @on(Fetched)
    def _fetched(self, event: Fetched) -> None:
        self.stored.update(event.runs)
        if event.error:
            self.error = event.error
        self._draw()

    @on(Deleted)
    def _deleted(self, event: Deleted) -> None:
        if event.error:
            self.app.notify(event.error, title="not deleted", severity="error", markup=False)
            return
        if event.run_id in self.overlaid:
            self.overlaid.remove(event.run_id)
        self.stored.pop(event.run_id, None)
        self.app.notify(f"deleted run #{event.run_id}", timeout=3)
        self.reload()

    # -- what is shown ---------------------------------------------------------------------

    def colours(self) -> dict[int, str]:
        """Overlaid run id -> its curve's colour (hex)."""
        return {i: self.chart.colour_of(c).hex for i, c in zip(self.overlaid, COLOURS)}

    def charted(self) -> list[int]:
        """The overlaid runs, or the cursor's run when none is."""
        current = self.table.current_id()
        return list(self.overlaid) or ([current] if current is not None else [])

    def _update(self) -> None:
        known = {**self.table.runs, **self.stored}
        chosen = [known[i] for i in self.overlaid if i in known]
        if len(chosen) >= 2:
            colours = [self.colours()[run.id] for run in chosen]
            self.details.show_differences(chosen, colours)
        else:
            self.details.show_run(self.table.current(), self.error or "no run selected")
        missing = [i for i in self.charted() if i not in self.stored]
        if missing:
            self._fetch(missing)
        self._draw()

    def _draw(self) -> None:
        self.chart.reset()
        notes: list[str] = []
        for n, run_id in enumerate(self.charted()):
            run = self.stored.get(run_id)
            if run is None:
                notes.append(f"#{run_id} loading")
                continue
            found = curves(run)
            if not found:
                notes.append(f"#{run_id} has no curve ({run.kind})")
            for k, (variant, points) in enumerate(found):
                key = f"{run_id}/{variant}"
                label = f"#{run_id}" + (f" ×{len(found)}" if len(found) > 1 else "")
                self.chart.add_curve(key, label, COLOURS[n % len(COLOURS)], in_legend=k == 0)
                self.chart.extend(key, points)
        self.chart.set_note(" · ".join(notes))

    @on(HistoryTable.CellHighlighted)
    def _moved(self) -> None:
        if len(self.overlaid) < 2:  # the details follow the cursor, and the chart with none
            self._update()

    @on(HistoryTable.Asked)
    def _asked(self, event: HistoryTable.Asked) -> None:
        run = self.table.runs.get(event.run_id) if event.run_id is not None else None
        if event.action == "clear":
            self.overlaid = []
        elif run is None:
            return
        elif event.action == "overlay":
            self.toggle(run.id)
            return
        elif event.action == "rerun":
            rerun(cast("LinregApp", self.app), run)
            return
        elif event.action == "delete":
            question = f"Delete run #{run.id} ({run.kind}, {run.status}) and its records?"

            def answered(yes: bool | None) -> None:
                if yes:
                    self._delete(run.id)

            self.app.push_screen(ConfirmScreen(question, "delete"), answered)
            return
        self.table.mark(self.colours())
        self._update()

    def toggle(self, run_id: int) -> None:
        """Overlay a run on the chart, or take it off."""
        if run_id in self.overlaid:
            self.overlaid.remove(run_id)
        elif len(self.overlaid) >= len(COLOURS):
            self.app.notify(f"at most {len(COLOURS)} runs at once: space on one removes it")
            return
        else:
            self.overlaid.append(run_id)
        self.table.mark(self.colours())
        self._update()

    # -- filters ---------------------------------------------------------------------------

    @on(HistoryFilters.Changed)
    def _filter_changed(self, event: HistoryFilters.Changed) -> None:
        self.filters = event.filters
        self.reload()

    @on(Input.Submitted, "#history-lr, #history-size")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # the app trains on enter in a field: here enter goes to the table
        self.table.focus()
