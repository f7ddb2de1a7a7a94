"""Every view, after a run, at 60x20, 80x24, 120x40 and 200x50 (issue 12): its main chart
has at least 8 plot rows at 80x24 (6 at 60x20, where the tables under it keep theirs),
nothing the user can focus lies off screen without a scroll container to bring it in, no
table cell is cut, the parameters keep their row labels, the lr grid's cells never touch
(a blank column each) and at 200x50 the grid spans at least half the view."""

from __future__ import annotations

import pytest
from textual.containers import ScrollableContainer
from textual.widget import Widget
from textual.widgets import DataTable
from textual_plotext import PlotextPlot

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.views import VIEWS
from linreg_tui.ui.widgets.params_pane import ParamsPane
from linreg_tui.ui.widgets.sweep_tables import GridTable
from tests.ui.conftest import make_app, run_to_end

SIZES = [(60, 20), (80, 24), (120, 40), (200, 50)]
CHART_CHROME = 4
"""Rows of a plotext chart that are not plot: frame top and bottom, x ticks, x label."""
PLOT_ROWS = {(60, 20): 6, (80, 24): 8}
"""The least plot rows of a view's main chart, where the terminal is short."""
SMALL = RunConfig(num_train=256, num_val=64, epochs=3)
VIEW_IDS = [v.VIEW_ID for v in VIEWS]


def main_chart(app: LinregApp) -> PlotextPlot | None:
    """The view's largest chart on screen, if it has one."""
    charts = [c for c in app.view.query(PlotextPlot) if c.display and c.region.height]
    return max(charts, key=lambda c: c.region.height, default=None)


def off_screen(app: LinregApp) -> list[str]:
    """Focusable widgets outside the screen with no scrolling ancestor to bring them in."""
    screen = app.screen.region
    lost = []
    for widget in app.screen.query(Widget):
        shown = widget.display and all(a.display for a in widget.ancestors if isinstance(a, Widget))
        if not (widget.can_focus and shown and widget.visible):
            continue  # in a view not on screen, or hidden
        if screen.contains_region(widget.region) and widget.region.height:
            continue
        scrollers = [a for a in widget.ancestors if isinstance(a, ScrollableContainer)]
        if not any(s.allow_vertical_scroll or s.allow_horizontal_scroll for s in scrollers):
            lost.append(f"{type(widget).__name__}#{widget.id}")
    return lost


def cut_cells(table: DataTable[object], gap: bool = False) -> list[str]:
    """Cells whose text is wider than their column (with `gap`: as wide, i.e. touching the
    next cell where the cells' colours do not show)."""
    cut = []
    for row in range(table.row_count):
        for col, cell in enumerate(table.get_row_at(row)):
            text = (
                cell.__rich__().plain
                if hasattr(cell, "__rich__")
                else getattr(cell, "plain", str(cell))
            )
            width = table.ordered_columns[col].get_render_width(table) - 2 * table.cell_padding
            if max((len(line.rstrip()) for line in text.splitlines()), default=0) > width - gap:
                cut.append(f"{text!r} in a column of {width}")
    return cut


async def shown_after_a_run(app: LinregApp, pilot: object, view_id: str) -> None:
    app.show_view(view_id)
    await pilot.pause()  # type: ignore[attr-defined]
    if view_id != "history":
        await run_to_end(pilot, app, timeout=120)  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]


def misfits(app: LinregApp, view_id: str, size: tuple[int, int]) -> list[str]:
    """What does not fit in the view on screen at `size`."""
    found = []
    chart = main_chart(app)
    if chart is not None and size in PLOT_ROWS:
        rows = chart.content_region.height - CHART_CHROME
        if rows < PLOT_ROWS[size]:
            found.append(f"the chart has {rows} plot rows")
    found += [f"{name} is off screen" for name in off_screen(app)]
    for table in app.view.query(DataTable):
        if table.display:
            found += [
                f"#{table.id}: {cut}" for cut in cut_cells(table, gap=isinstance(table, GridTable))
            ]
    for pane in app.view.query(ParamsPane):
        lines = pane.render_lines(pane.region.reset_offset)
        labels = [strip.text[2:5].strip() for strip in lines[2:5]]  # border, header
        if labels != ["w1", "w2", "b"]:
            found.append(f"the parameters' row labels read {labels}")
    if view_id == "lr-grid" and size == (200, 50):
        grid = app.view.query_one(GridTable)
        used = sum(c.get_render_width(grid) for c in grid.ordered_columns)
        if used < app.view.size.width / 2:
            found.append(f"the grid uses {used} of {app.view.size.width} columns")
    return found


@pytest.mark.parametrize("view_id", VIEW_IDS)
async def test_every_view_fits_after_a_run(view_id: str) -> None:
    """Run at 80x24, the size the README promises, then resize through every size and back:
    the layout at each size is checked after a run and after a resize alike."""
    app = make_app(SMALL)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_after_a_run(app, pilot, view_id)
        found = {}
        for size in [(80, 24), *SIZES, (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            found[size] = misfits(app, view_id, size)
        assert found == {size: [] for size in found}
