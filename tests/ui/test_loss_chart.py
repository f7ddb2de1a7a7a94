"""The chart's pure helpers and its refusal to hand plotext anything unplottable."""

from __future__ import annotations

import math

from linreg_tui.ui.widgets.loss_chart import LINEAR_LIMIT, decimate, log_ticks, plottable


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
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.ui.widgets.loss_chart import LossChart, epoch_ticks
    from tests.ui.conftest import SIZE, make_app, run_to_end

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
