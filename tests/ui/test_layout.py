"""Every view, after a run, at 80x24, 120x40 and 200x50 (issue 12): its main chart has at
least 8 plot rows at 80x24, nothing the user can focus lies off screen without a scroll
container to bring it in, and no table cell is cut."""

from __future__ import annotations

import pytest
from textual.containers import ScrollableContainer
from textual.widget import Widget
from textual.widgets import DataTable
from textual_plotext import PlotextPlot

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.views import VIEWS
from tests.ui.conftest import make_app, run_to_end

SIZES = [(80, 24), (120, 40), (200, 50)]
CHART_CHROME = 4
"""Rows of a plotext chart that are not plot: frame top and bottom, x ticks, x label."""
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


def cut_cells(table: DataTable[object]) -> list[str]:
    """Cells whose text is wider than their column."""
    cut = []
    for row in range(table.row_count):
        for col, cell in enumerate(table.get_row_at(row)):
            text = (
                cell.__rich__().plain
                if hasattr(cell, "__rich__")
                else getattr(cell, "plain", str(cell))
            )
            width = table.ordered_columns[col].get_render_width(table) - 2 * table.cell_padding
            if max((len(line) for line in text.splitlines()), default=0) > width:
                cut.append(f"{text!r} in a column of {width}")
    return cut


async def shown_after_a_run(app: LinregApp, pilot: object, view_id: str) -> None:
    app.show_view(view_id)
    await pilot.pause()  # type: ignore[attr-defined]
    if view_id != "history":
        await run_to_end(pilot, app, timeout=120)  # type: ignore[arg-type]
    await pilot.pause()  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view_id", VIEW_IDS)
async def test_every_view_fits_after_a_run(view_id: str, size: tuple[int, int]) -> None:
    app = make_app(SMALL)
    async with app.run_test(size=size) as pilot:
        await shown_after_a_run(app, pilot, view_id)
        chart = main_chart(app)
        if chart is not None and size == (80, 24):
            assert chart.content_region.height - CHART_CHROME >= 8, view_id
        assert off_screen(app) == []
        for table in app.view.query(DataTable):
            if table.display:
                assert cut_cells(table) == [], f"{view_id}: {table.id}"
