"""A diverging curve's climb: its off-scale points drawn on the chart's top edge.

plotext must never get a non-finite or absurd value (NOTES), so `plot_series` leaves such
points out. A run that goes from 32 to inf in one epoch then shows one dot at 32: nothing
says it climbed. `plot_climb` draws every curve through `plot_series`, then, for each
point that went off-scale upwards (inf, or beyond what the axis can take), a ▲ on the top
edge of the plot, joined to the curve's last drawn point: the climb leaves the chart. A
nan counts as escaped too: in SGD it comes from an overflow (inf - inf, 0 * inf).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from linreg_tui.ui.widgets.loss_chart import LINEAR_LIMIT, Series, log_ticks, plot_series, plottable

ESCAPE = "▲"
"""The marker of a point above the chart's top edge; chart titles name it."""


def off_scale(values: Sequence[float], log_y: bool) -> int:
    """How many of `values` the chart cannot draw where they are."""
    return sum(plottable(v, log_y) is None for v in values)


def escaped(value: float) -> bool:
    """Off the top of any axis: not a finite number (a loss goes inf, then nan), or too
    large for a linear one. A loss of 0 on a log axis is off-scale, but not escaped."""
    return not math.isfinite(value) or value > LINEAR_LIMIT


def plot_climb(
    plt: Any,
    series: Sequence[Series],
    log_y: bool,
    width: int,
    height: int,
    escape_rgb: tuple[int, int, int],
) -> bool:
    """`plot_series`, plus each series' escaped points as ESCAPE on the top edge, joined to
    the series' last point below them; True if any point escaped."""
    plot_series(plt, series, log_y, width, height)
    shown = [
        y for pairs, _, _ in series for _, v in pairs if (y := plottable(v, log_y)) is not None
    ]
    climbs = []
    for pairs, _, rgb in series:
        last: tuple[float, float] | None = None
        for x, v in pairs:
            y = plottable(v, log_y)
            if y is not None:
                last = (x, y)
            elif escaped(v):
                climbs.append((last, x, rgb))
                last = None  # one line up per climb: the next points start afresh
    if not climbs:
        return False
    low = min(shown, default=0.0)
    high = max(shown, default=1.0)
    top = high + max((high - low) * 0.25, 1.0 if log_y else abs(high) * 0.25, 1e-9)
    for last, x, rgb in climbs:
        if last is not None:  # the climb: from the last drawn point up off the chart
            plt.plot([last[0], x], [last[1], top], marker="braille", color=rgb)
        plt.scatter([x], [top], marker=ESCAPE, color=escape_rgb)
    plt.ylim(low, top)
    if log_y:
        rows = max(height - 4, 2)
        plt.yticks(*log_ticks(low, top, most=max(rows // 2, 2)))
    return True
