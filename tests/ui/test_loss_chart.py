"""The loss chart: its pure helpers, its refusal to hand plotext anything unplottable, the
training objective within each epoch, and the zoom on the first epochs."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from textual.widgets import Footer

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.records import EpochRecord
from linreg_tui.ui.widgets.help_screen import HelpScreen
from linreg_tui.ui.widgets.loss_chart import (
    LINEAR_LIMIT,
    LossChart,
    decimate,
    epoch_ticks,
    log_ticks,
    plottable,
)
from linreg_tui.ui.widgets.loss_points import (
    chunk_points,
    legends,
    point_offsets,
    widest_fitting,
    zoom_spans,
)
from tests.ui.conftest import SIZE, make_app, run_to_end


def test_decimate_keeps_ends_and_the_limit() -> None:
    assert decimate(5, 10) == [0, 1, 2, 3, 4]
    picked = decimate(10_001, 160)
    assert picked[0] == 0 and picked[-1] == 10_000
    assert len(picked) <= 160 and picked == sorted(set(picked))


def test_log_ticks_stay_inside_the_data_and_are_labelled() -> None:
    ticks, labels = log_ticks(-4.02, 1.5, most=8)
    assert ticks == [-4.0, -3.0, -2.0, -1.0, 0.0, 1.0]
    assert labels == ["1e-4", "1e-3", "1e-2", "1e-1", "1e0", "1e1"]
    ticks, _ = log_ticks(0.0, 43.0, most=4)  # a diverging run: every k-th decade
    assert len(ticks) <= 4
    ticks, labels = log_ticks(-4.3, -4.25)  # under a decade: the ends at least
    assert len(ticks) >= 2 and all(-4.3 <= t <= -4.25 for t in ticks)
    assert labels[0] == "5e-5"


def test_nothing_unplottable_reaches_plotext() -> None:
    for value in (math.inf, -math.inf, math.nan):
        assert plottable(value, log_y=False) is None
        assert plottable(value, log_y=True) is None
    assert plottable(LINEAR_LIMIT * 10, log_y=False) is None
    assert plottable(1e300, log_y=True) == 300
    assert plottable(0.0, log_y=True) is None
    assert plottable(0.25, log_y=False) == 0.25


async def test_the_epoch_axis_has_whole_ticks() -> None:
    """It read 0.00 0.75 1.50 for a 3-epoch run (issue 12, point 11)."""
    assert epoch_ticks(3, 80) == [0, 1, 2, 3] and epoch_ticks(300, 80)[:3] == [0, 30, 60]
    app = make_app(RunConfig(num_train=200, num_val=50))
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        await pilot.pause()
        chart = app.query_one(LossChart)
        strips = chart.render_lines(chart.region.reset_offset)
        shown = "\n".join("".join(segment.text for segment in strip) for strip in strips)
        assert "epoch" in shown
        assert "0.75" not in shown and "1.50" not in shown


# --- the objective within each epoch, the zoom, the legend ---------------------------------


@contextmanager
def drawing(chart: LossChart) -> Iterator[list[tuple[str, Any, list[tuple[float, float]]]]]:
    """What the chart hands plotext while it renders: (plot or scatter, colour, points)."""
    calls: list[tuple[str, Any, list[tuple[float, float]]]] = []
    plt = chart.plt
    real = {"plot": plt.plot, "scatter": plt.scatter}

    def spy(kind: str) -> Any:
        def call(xs: Any, ys: Any, **kw: Any) -> Any:
            calls.append((kind, kw.get("color"), list(zip(xs, ys, strict=True))))
            return real[kind](xs, ys, **kw)

        return call

    plt.plot, plt.scatter = spy("plot"), spy("scatter")  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        plt.plot, plt.scatter = real["plot"], real["scatter"]  # type: ignore[method-assign]


def shown_text(chart: LossChart) -> str:
    strips = chart.render_lines(chart.region.reset_offset)
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def test_a_three_epoch_run_draws_the_loss_within_each_epoch() -> None:
    """It drew 4 points for 3 epochs; d2l's board draws the training loss within epochs
    (issue 12, point 11): now 16 chunk means an epoch, at fractional epochs, as a line."""
    app = make_app(RunConfig())  # the book's run: 3 epochs of 32 steps
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        await pilot.pause()
        chart = app.query_one(LossChart)
        with drawing(chart) as calls:
            chart.render()
        lines = [points for kind, _, points in calls if kind == "plot"]
        assert len(lines) == 1 and len(lines[0]) == 1 + 3 * 16 > 4  # epoch 0, then chunks
        xs = [x for x, _ in lines[0]]
        assert xs == sorted(xs) and xs[-1] == 3
        assert sum(x != int(x) for x in xs) == 3 * 15  # inside the epochs
        dots = [points for kind, _, points in calls if kind == "scatter"]
        assert [[x for x, _ in d] for d in dots] == [[0, 1, 2, 3]] * 2  # train, val MSE
        legend = str(chart.border_subtitle)
        assert "/16" in legend and "train" in legend and "val" in legend


async def test_z_zooms_the_x_axis_into_the_first_epochs_at_80x24() -> None:
    app = make_app(RunConfig(num_train=64, num_val=64, epochs=300))
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        await pilot.press("f3")  # the results table: the view's keys work from there
        chart = app.query_one(LossChart)
        footer = " ".join(str(key.render()) for key in app.query_one(Footer).children)
        assert "Zoom" in footer
        assert "300" in shown_text(chart).splitlines()[-3]  # the x axis' last tick
        seen = []
        for _ in range(3):
            await pilot.press("z")
            await pilot.pause()
            with drawing(chart) as calls:
                chart.render()
            top = max(x for _, _, points in calls for x, _ in points)
            seen.append((chart.x_span, top, str(chart.border_title)))
        (s1, top1, title1), (s2, top2, title2), (s3, top3, title3) = seen
        assert (s1, top1) == (30, 30) and "epochs 0-30 of 300 · z: zoom in" in title1
        assert (s2, top2) == (3, 3) and "epochs 0-3 of 300 · z: zoom out" in title2
        assert (s3, top3) == (300, 300) and "epochs 0-" not in title3  # round again
        await pilot.press("z")
        await pilot.pause()
        axis = shown_text(chart).splitlines()[-3]
        assert "30" in axis and "300" not in axis
        await pilot.press("Z")
        assert chart.x_span == 300
        await pilot.press("f1")  # and the help lists the keys
        assert isinstance(app.screen, HelpScreen)
        keys = {keys for where, keys, _ in app.screen.rows if where == "on the chart"}
        assert {"z", "Z"} <= keys


async def test_nothing_non_finite_of_a_diverged_run_reaches_plotext() -> None:
    app = make_app(RunConfig(lr=30.0))
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        chart = app.query_one(LossChart)
        last = chart.records[-1]
        assert last.diverged and not all(math.isfinite(v) for v in last.loss_chunks)
        for log_y in (True, False):
            chart.log_y = log_y
            with drawing(chart) as calls:
                chart.render()
            values = [v for _, _, points in calls for point in points for v in point]
            assert values and all(math.isfinite(v) and abs(v) < 1e300 for v in values)
        assert f"diverged at epoch {chart.records[-1].epoch}" in str(chart.border_title)


def record(epoch: int, steps: int, chunks: tuple[float, ...], loss: float = 1.0) -> EpochRecord:
    return EpochRecord(epoch, steps, loss, 1.0, 1.0, (0.0,), 0.0, (0.0,), 0.0, None, None,
                       False, 0.0, chunks)  # fmt: skip


def test_chunk_points_sit_at_each_chunks_end_decimated_and_cut_at_the_zoom() -> None:
    records = [record(0, 0, (), loss=9.0), record(1, 5, (4.0, 3.0, 2.0)), record(2, 10, ())]
    points = chunk_points(records, limit=100)
    # epoch 1 has 5 steps in 3 chunks ending at steps 1, 3, 5; epoch 2 has no chunks: its mean
    assert points == [(0.0, 9.0), (0.2, 4.0), (0.6, 3.0), (1.0, 2.0), (2.0, 1.0)]
    assert chunk_points(records, limit=100, count=2) == points[:4]  # zoomed to epochs 0-1
    assert point_offsets(records) == [0, 1, 4, 5]
    long = [record(0, 0, ())] + [record(e, 32 * e, (1.0,) * 16) for e in range(1, 301)]
    few = chunk_points(long, limit=80, offsets=point_offsets(long))
    assert len(few) <= 80 and few[0][0] == 0 and few[-1][0] == 300
    assert few == sorted(few, key=lambda p: p[0])


def test_zoom_spans_never_go_under_one_epoch_nor_repeat() -> None:
    assert zoom_spans(300) == [300, 30, 3]
    assert zoom_spans(25) == [25, 3, 1]
    assert zoom_spans(3) == [3, 1]
    assert zoom_spans(1) == [1]


@pytest.mark.parametrize("room", [200, 60, 40, 10])
def test_the_legend_says_what_the_line_is_at_the_widest_that_fits(room: int) -> None:
    ways = legends("mse-mean", 16, (1e-4, 2e-4, 3e-4), ("green", "blue", "orange"))
    assert [len(plain) for _, plain in ways] == sorted((len(p) for _, p in ways), reverse=True)
    markup = widest_fitting(ways, room)
    plain = dict(ways)[markup]
    assert len(plain) <= room or markup == ways[-1][0]
    if room >= 200:
        assert "mean of each 1/16 epoch at its end" in plain
    if room >= 40:  # 80x24: the values of train and val stay
        assert re.search(r"train( MSE)? 2\.0+e-04", plain) and re.search(r"val.* 3\.0+e-04", plain)
