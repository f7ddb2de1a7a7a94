"""Divergence in every view: shown as diverged, charts and tables keep drawing (log and
linear, any size), and the exported CSV and JSON stay valid (strict JSON, no NaN)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.views.mean_vs_sum import SEEDS, SUM, MeanVsSumView
from linreg_tui.ui.widgets.climb import ESCAPE
from linreg_tui.ui.widgets.curves_chart import CurvesChart
from linreg_tui.ui.widgets.export_prompt import ExportPrompt
from linreg_tui.ui.widgets.loss_chart import LossChart
from linreg_tui.ui.widgets.results_table import ResultsTable
from linreg_tui.ui.widgets.sweep_charts import CurveChart, SizeChart
from linreg_tui.ui.widgets.sweep_tables import GridTable
from tests.ui.conftest import SIZE, make_app, run_to_end

DIVERGING = {
    "lr-3": {"lr": 3.0},
    "lr-30": {"lr": 30.0},
    "lr-1e6": {"lr": 1e6},
    "noise-1e30": {"noise": 1e30},
    "w-1e20": {"w": (1e20, -3.4)},
    "outliers-1e30": {"outliers": 0.5, "outlier_scale": 1e30},
    "b-1e300": {"b": 1e300},  # the MSE is inf from epoch 0
}
"""Settings that blow up within the book's 3 epochs on 1000 examples."""


def strict_json(text: str) -> Any:
    """Parse refusing NaN and Infinity, which json.loads would accept."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in exported JSON")

    return json.loads(text, parse_constant=refuse)


async def still_alive(pilot: Pilot[None], app: LinregApp) -> None:
    """Draw everything on screen, log and linear, at a tiny and a large size."""
    for log_y in (False, True):
        app.log_y = log_y
        for size in ((200, 60), (40, 12)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.05)
            assert app.export_screenshot()  # every widget on screen rendered
    await pilot.resize_terminal(*SIZE)
    assert app.is_running and app._exception is None


async def export(pilot: Pilot[None], app: LinregApp, base: Path) -> tuple[list[Any], Any]:
    """ctrl+e to `base`; the CSV rows and the JSON document, both parsed strictly."""
    await pilot.press("ctrl+e")
    prompt = app.screen
    assert isinstance(prompt, ExportPrompt)
    prompt.query_one(Input).value = str(base)
    await pilot.press("enter")
    assert not isinstance(app.screen, ExportPrompt), prompt.error
    text = base.with_suffix(".json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    document = strict_json(text)
    with base.with_suffix(".csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == len(document["rows"]) > 0
    return rows, document


@pytest.mark.parametrize("changes", DIVERGING.values(), ids=DIVERGING.keys())
async def test_a_diverging_run_is_shown_drawn_and_exported(
    changes: dict[str, object], tmp_path: Path
) -> None:
    app = make_app(replace(RunConfig(), **changes))  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        assert app.status.text.startswith("diverged"), app.status.text
        table = app.query_one(ResultsTable)
        assert "diverged" in [getattr(cell, "value", cell) for cell in table.get_row_at(0)]
        chart = app.query_one(LossChart)
        last = chart.records[-1]
        assert last.diverged and f"diverged at epoch {last.epoch}" in str(chart.border_title)
        await still_alive(pilot, app)
        rows, document = await export(pilot, app, tmp_path / "run")
        assert rows[-1]["diverged"] == "true" and document["rows"][-1]["diverged"] is True
        await run_to_end(pilot, app)  # and it runs again
        assert table.row_count == 2


async def test_absurd_but_finite_losses_are_drawn_and_exported(tmp_path: Path) -> None:
    """lr 2 for one epoch: MSE 1.8e33, finite, so not 'diverged' (NOTES: plotext overflows
    near 1e300 and dies on inf; the charts plot log10 or clip)."""
    app = make_app(RunConfig(lr=2.0, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        assert app.query_one(LossChart).records[-1].train_mse > 1e30
        await still_alive(pilot, app)
        _, document = await export(pilot, app, tmp_path / "run")
        assert document["rows"][-1]["train_mse"] > 1e30


async def test_summed_loss_blows_up_on_some_seeds_and_everything_stays_alive(
    tmp_path: Path,
) -> None:
    """mse-sum at the mean's lr 0.03 over 20 seeds (d2l 3.5 ex. 1): some blow up."""
    app = make_app(RunConfig(num_train=1024))
    async with app.run_test(size=SIZE) as pilot:
        app.show_view(MeanVsSumView.VIEW_ID)
        await pilot.pause()  # the view and its fields are mounted
        await run_to_end(pilot, app, timeout=60)
        view = app.query_one(MeanVsSumView)
        up, ended, _ = view.tally(SUM)
        assert ended == SEEDS and up >= 1
        await still_alive(pilot, app)
        rows, document = await export(pilot, app, tmp_path / "mvs")
        assert sum(r["blew_up"] == "true" for r in rows) >= up
        assert any(r["blew_up"] for r in document["rows"])


async def test_diverged_cells_and_sizes_in_the_sweep_views(tmp_path: Path) -> None:
    app = make_app(RunConfig(lr=3.0))
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("lr-grid")
        await pilot.pause()  # the view and its fields are mounted
        app.query_one("#grid-lrs", Input).value = "0.03, 3, 30, 1e6"
        app.query_one("#grid-epochs_list", Input).value = "1, 3"
        await pilot.pause(0.01)
        await run_to_end(pilot, app, timeout=60)
        await still_alive(pilot, app)
        _, document = await export(pilot, app, tmp_path / "grid")
        diverged = {row["lr"] for row in document["rows"] if row["diverged"]}
        assert {30.0, 1e6} <= diverged and 0.03 not in diverged
        chart = app.query_one(CurveChart)
        for log_y in (True, False):  # lr 3: 32 -> inf in epoch 1, once a lone dot at 32
            app.log_y = log_y
            app.query_one(GridTable).cursor_coordinate = (1, 2)
            await pilot.pause(0.05)
            assert chart.cell is not None and chart.cell.lr == 3.0
            assert "diverged at epoch 1" in str(chart.border_title)  # the lab's words
            assert f"1 off-scale {ESCAPE}" in str(chart.border_title)
            plot = drawn(chart)[2:-4]  # border and frame top; x axis, labels, frame, border
            assert ESCAPE in plot[0], "\n".join(plot)  # it leaves through the top edge
            columns = {i for row in plot for i, ch in enumerate(row) if "⠁" <= ch <= "⣿"}
            assert len(columns) > chart.size.width / 2, "\n".join(plot)  # a climb, not a dot

        app.show_view("sizes")  # the form's lr 3: every size blows up
        await pilot.pause()  # the view and its fields are mounted
        app.query_one("#sizes-sizes", Input).value = "500, 1000, 2000"
        app.query_one("#sizes-seeds", Input).value = "2"
        await pilot.pause(0.01)
        await run_to_end(pilot, app, timeout=60)
        await pilot.pause(0.05)
        sizes = app.query_one(SizeChart)  # a size whose error overflowed: ▲ on the top edge
        shown = drawn(sizes)
        escaped = "".join(shown[1:]).count(ESCAPE)  # below the border, which names it
        assert escaped >= 1, "\n".join(shown)
        assert f"{escaped} off-scale {ESCAPE}" in str(sizes.border_title)
        await still_alive(pilot, app)
        rows, document = await export(pilot, app, tmp_path / "sizes")
        assert [row["regime"] for row in rows] == ["2 diverged"] * 3
        assert all(row["diverged"] == 2 for row in document["rows"])


async def test_a_summed_loss_that_turns_nan_climbs_off_the_chart() -> None:
    """Mean vs sum at lr 1: the sum's MSE is nan after epoch 1; its curve climbs to a ▲."""
    app = make_app(RunConfig(lr=1.0))
    async with app.run_test(size=SIZE) as pilot:
        app.show_view(MeanVsSumView.VIEW_ID)
        await pilot.pause()
        await run_to_end(pilot, app, timeout=60)
        await pilot.pause(0.05)
        chart = app.query_one("#mvs-chart", CurvesChart)
        assert f"off-scale {ESCAPE}" in str(chart.border_title)
        assert ESCAPE in drawn(chart)[2]  # the first plot row: the top edge


def drawn(widget: Widget) -> list[str]:
    """The widget's rows as the terminal shows them."""
    strips = widget.render_lines(Region(0, 0, *widget.outer_size))  # on screen or not
    return ["".join(segment.text for segment in strip) for strip in strips]
