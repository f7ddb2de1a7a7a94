"""Charts of the sweep views: one grid cell's loss curve, and error against n (log-log).

Both follow loss_chart.py's rules (NOTES): plotext gets log10 values on a linear axis with
ticks we label ourselves, never a non-finite value, and at most ~2 points per column.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import RenderResult
from textual.color import Color
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from linreg_tui.lab.text import fmt_short
from linreg_tui.lab.verdicts import curve_ending
from linreg_tui.ui.widgets.climb import ESCAPE, escaped, off_scale, plot_climb
from linreg_tui.ui.widgets.loss_chart import epoch_ticks, log_ticks, plottable

if TYPE_CHECKING:
    from linreg_tui.engine.results import GridCell


class CurveChart(PlotextPlot):
    """The validation MSE per epoch of the grid cell under the table's cursor."""

    log_y: reactive[bool] = reactive(True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cell: GridCell | None = None

    def on_mount(self) -> None:
        super().on_mount()
        self._titles()

    def show(self, cell: GridCell | None) -> None:
        """Plot this cell's curve (None: clear)."""
        self.cell = cell
        self._titles()
        self.refresh()

    def watch_log_y(self) -> None:
        self._titles()
        self.refresh()

    def render(self) -> RenderResult:
        self._draw(max(self.size.width, 1))
        return super().render()

    def _draw(self, width: int) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.xlabel("epoch")
        cell = self.cell
        # the x axis ends where the curve does: a run that diverged at epoch 1 of a 30-epoch
        # cell is drawn over 0..1, its climb across the chart, not as a dot at the left edge
        x_max = max(len(cell.curve) - 1 if cell else 1, 1)
        plt.xlim(0, x_max)
        plt.xticks(epoch_ticks(x_max, width))
        if cell is None:
            return
        theme = self.app.theme_variables
        colour = Color.parse(theme.get("warning", "#FFA62B")).rgb
        series = [(list(enumerate(cell.curve)), "braille", colour)]
        escape = Color.parse(theme.get("error", "#BA3C5B")).rgb
        plot_climb(plt, series, self.log_y, width, self.size.height, escape)

    def _titles(self) -> None:
        cell = self.cell
        scale = "val MSE (log scale)" if self.log_y else "val MSE"
        if cell is None:
            self.border_title = f"{scale} · move the cursor onto a cell"
            self.border_subtitle = ""
            return
        parts = [scale, f"lr {cell.lr:g} · {cell.epochs} epochs"]
        ending = curve_ending(cell.curve, cell.diverged_at if cell.diverged else None)
        off = off_scale(cell.curve, self.log_y)
        if off:  # first, with the ending: a narrow border truncates the end
            parts.insert(0, f"[$warning]{off} off-scale {ESCAPE}[/]")
        if ending:
            parts.insert(0, f"[b $error]{ending}[/]")
        self.border_title = " · ".join(parts)
        self.border_subtitle = f"start {fmt_short(cell.curve[0])} → end {fmt_short(cell.curve[-1])}"


@dataclass(frozen=True)
class Series:
    """One quantity against n: its means as dots, its fitted power law as a line."""

    label: str
    sizes: Sequence[int]
    errors: Sequence[float]
    colour: str
    """A theme variable name ('primary') or a colour."""
    fit_on: Sequence[int] = ()
    """The sizes the fitted line spans (those its slope was fitted on); () for none."""
    dashed: bool = False
    """A prediction: a dashed line through the values, no dots, no fit."""


def fit_line(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares (slope, intercept) of y on x, the engine's fit_slope in closed form."""
    if len({x for x, _ in points}) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return slope, my - slope * mx


class SizeChart(PlotextPlot):
    """Mean error of SGD and of the least-squares floor against n, on log-log axes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: list[Series] = []

    TITLE = "‖w−ŵ‖ vs n, log-log · ● mean ─ fit"

    def on_mount(self) -> None:
        super().on_mount()
        self.border_title = self.TITLE

    def show(self, series: list[Series]) -> None:
        """Replace the curves; the legend (with slopes) goes in the border subtitle."""
        self.series = series
        theme = self.app.theme_variables
        self.border_subtitle = "  ".join(
            f"[{theme.get(s.colour, s.colour)}]{'┄' if s.dashed else '●'} {s.label}[/]"
            for s in series
        )
        self.refresh()

    def render(self) -> RenderResult:
        self._draw()
        return super().render()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.xlabel("n (log)")
        plotted = []
        escapes: list[tuple[float, tuple[int, int, int]]] = []  # diverged sizes: ▲ on top
        for s in sorted(self.series, key=lambda s: not s.dashed):  # dashes under the dots
            rgb = Color.parse(self.app.theme_variables.get(s.colour, s.colour)).rgb
            points = []
            for n, e in zip(s.sizes, s.errors, strict=True):
                if n > 0 and (y := plottable(e, True)) is not None:
                    points.append((math.log10(n), y))
                elif n > 0 and not s.dashed and escaped(e):
                    escapes.append((math.log10(n), rgb))
            if not points:
                continue
            if s.dashed:
                xs, ys = dashes(points, max(self.size.width - 8, 8))
                if xs:
                    plt.scatter(xs, ys, marker="braille", color=rgb)
                plotted.extend(points)
                continue
            fitted = [(x, y) for x, y in points if round(10**x) in set(s.fit_on)]
            line = fit_line(fitted)
            if line is not None:
                ends = [min(x for x, _ in fitted), max(x for x, _ in fitted)]
                plt.plot(ends, [line[0] * x + line[1] for x in ends], marker="braille", color=rgb)
            xs, ys = zip(*points, strict=True)
            plt.scatter(xs, ys, marker="●", color=rgb)
            plotted.extend(points)
        if not plotted and not escapes:
            return
        every_x = [x for x, _ in plotted] + [x for x, _ in escapes]
        left, right = min(every_x), max(every_x)
        decades = list(range(math.ceil(left), math.floor(right) + 1))
        plt.xticks([float(d) for d in decades], [_decade(d) for d in decades])
        plt.xlim(left - 0.1, right + 0.1)
        ys = [y for _, y in plotted] or [0.0]
        low, high = math.floor(min(ys)), math.ceil(max(ys))  # whole decades: even ticks
        if escapes:  # a size whose runs diverged: its error is off the top of the chart
            high += 1
            for x, rgb in escapes:
                plt.scatter([x], [high], marker=ESCAPE, color=rgb)
        plt.ylim(low, high)
        rows = max(self.size.height - 4, 2)
        plt.yticks(*log_ticks(low, high, most=max(rows // 2, 2)))
        off = f" · [$warning]{len(escapes)} off-scale {ESCAPE}[/]" if escapes else ""
        self.border_title = self.TITLE + off


def dashes(
    points: Sequence[tuple[float, float]], columns: int, on: int = 2, off: int = 1
) -> tuple[list[float], list[float]]:
    """Braille dots along the polyline through `points`, `on` columns drawn and `off` left
    blank in turn over a plot `columns` wide: a dashed line (plotext draws none)."""
    if len(points) < 2:
        return [p[0] for p in points], [p[1] for p in points]
    span = points[-1][0] - points[0][0] or 1.0
    step = span / (2 * columns)  # braille: two dots per column
    xs, ys, k = [], [], 0
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        n = max(int((x1 - x0) / step), 1)
        for i in range(n):
            if (k // 2) % (on + off) < on:
                t = i / n
                xs.append(x0 + t * (x1 - x0))
                ys.append(y0 + t * (y1 - y0))
            k += 1
    xs.append(points[-1][0])
    ys.append(points[-1][1])
    return xs, ys


def _decade(k: int) -> str:
    """10**k for an axis: '10', '100', '1000', '1e4'."""
    return f"{10**k:g}" if 0 <= k <= 3 else f"1e{k}"
