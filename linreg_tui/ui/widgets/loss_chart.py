"""Live train/validation MSE per epoch, with a log-y view that survives resizes."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual.app import RenderResult
from textual.color import Color
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from linreg_tui.lab.text import fmt_g

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord

LINEAR_LIMIT = 1e15
"""Larger values are left out on a linear axis: plotext garbles ticks near 1e100 and
overflows near 1e300 (NOTES); the title says how many points are off-scale."""


def decimate(n: int, limit: int) -> list[int]:
    """Indices of at most `limit` points spread evenly over `n`, always first and last."""
    if n <= limit:
        return list(range(n))
    if limit < 2:
        return [n - 1]
    return sorted({round(i * (n - 1) / (limit - 1)) for i in range(limit)})


def log_ticks(low: float, high: float, most: int = 8) -> tuple[list[float], list[str]]:
    """Ticks (log10 units) inside [low, high], labelled like '1e-3', at most `most`.

    Whole decades when the range holds two or more, else 1-2-5 marks plus the ends.
    """
    ticks = [float(d) for d in range(math.ceil(low), math.floor(high) + 1)]
    if len(ticks) > most:  # keep labels legible: every k-th decade
        ticks = ticks[:: math.ceil(len(ticks) / most)]
    if len(ticks) < 2:
        marks = {
            d + math.log10(m)
            for d in range(math.floor(low), math.ceil(high) + 1)
            for m in (1, 2, 5)
        }
        gap = (high - low) / 4  # keep marks off the ends' labels
        inside = sorted(t for t in marks if low + gap < t < high - gap)
        ticks = sorted({low, high, *inside[: max(most - 2, 0)]})
    return ticks, [log_label(t) for t in ticks]


def log_label(tick: float) -> str:
    """10**tick as '1e-3', '2e-4' or '9.5e-5'."""
    mantissa, _, exponent = f"{10**tick:.1e}".partition("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


class LossChart(PlotextPlot):
    """MSE per epoch of one run, from epoch 0; owns its records and redraws itself.

    The legend and the run's state (epoch, divergence) live in the border titles, so they
    never hide the first points of a falling curve as plotext's own legend would.
    """

    log_y: reactive[bool] = reactive(True)
    """Plot log10 of the values on a linear axis with labelled ticks (plotext's own log
    scale corrupts its data on the second build, i.e. at the first resize)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.records: list[EpochRecord] = []
        """Every record of the current run; the plot shows a decimated view of them."""
        self.total_epochs: int | None = None
        self.off_scale = {False: 0, True: 0}
        """Values left out of the plot, for the linear (False) and the log (True) axis."""

    def on_mount(self) -> None:
        super().on_mount()
        self._update_titles()

    def start(self, total_epochs: int | None = None) -> None:
        """Forget the previous run."""
        self.records = []
        self.total_epochs = total_epochs
        self.off_scale = {False: 0, True: 0}
        self._update_titles()
        self.refresh()

    def add(self, records: Iterable[EpochRecord]) -> None:
        """Append records and redraw."""
        for record in records:
            self.records.append(record)
            for value in (record.train_mse, record.val_mse):
                self.off_scale[False] += plottable(value, False) is None
                self.off_scale[True] += plottable(value, True) is None
        self._update_titles()
        self.refresh()

    def watch_log_y(self) -> None:
        self._update_titles()
        self.refresh()

    def render(self) -> RenderResult:
        """Rebuild the figure at the current size, then let PlotextPlot draw it."""
        self._draw(max(self.size.width, 1))
        return super().render()

    def _series(self) -> list[tuple[str, str, str]]:
        """(record field, legend label, colour) of each curve, coloured by the theme."""
        variables = self.app.theme_variables
        return [
            ("train_mse", "train", variables.get("primary", "#0178D4")),
            ("val_mse", "val", variables.get("warning", "#FFA62B")),
        ]

    def _draw(self, width: int) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.xlabel("epoch")
        plt.ylabel("MSE (log)" if self.log_y else "MSE")
        records = self.records
        x_max = max(self.total_epochs or 0, records[-1].epoch if records else 0, 1)
        plt.xlim(0, x_max)
        plt.xticks(epoch_ticks(x_max, width))
        if not records:
            return
        shown = [records[i] for i in decimate(len(records), 2 * width)]  # once for both
        series = [
            ([(r.epoch, getattr(r, get)) for r in shown], "braille", Color.parse(colour).rgb)
            for get, _, colour in self._series()
        ]
        plot_series(plt, series, self.log_y, width, self.size.height)

    def _update_titles(self) -> None:
        last = self.records[-1] if self.records else None
        parts = ["MSE (log scale)" if self.log_y else "MSE"]
        if last is not None:
            of = f"/{self.total_epochs}" if self.total_epochs else ""
            parts.append(f"epoch {last.epoch}{of}")
        off_scale = self.off_scale[self.log_y]
        if last is not None and last.diverged:  # first: a narrow border truncates the end
            parts.insert(0, f"[b $error]DIVERGED at epoch {last.epoch}[/]")
        elif off_scale:
            parts.insert(0, f"[$warning]{off_scale} off-scale[/]")
        self.border_title = " · ".join(parts)
        # latest values in the legend: train and val often overlap on the plot
        self.border_subtitle = "  ".join(
            f"[{colour}]━ {label}"
            + (f" {fmt_g(getattr(last, get), '.2e')}" if last else "")
            + "[/]"
            for get, label, colour in self._series()
        )


Series = tuple[Sequence[tuple[float, float]], str, tuple[int, int, int]]
"""(x, value) points, a plotext marker and an RGB colour."""


def epoch_ticks(x_max: int, width: int) -> list[int]:
    """Whole epochs for the x axis, about one per 8 columns (x counts epochs: no 0.75)."""
    step = math.ceil(x_max / max(min(x_max, width // 8), 1))
    return list(range(0, x_max + 1, step))


def plot_series(plt: Any, series: Iterable[Series], log_y: bool, width: int, height: int) -> None:
    """Plot each series decimated to the width (braille: two dots per cell), without the
    values plotext cannot take (`plottable`), and label a log axis for the rows there are.
    Every chart of the lab draws its curves through this."""
    lows: list[float] = []
    highs: list[float] = []
    for pairs, marker, rgb in series:
        shown = [pairs[i] for i in decimate(len(pairs), 2 * width)]
        points = [(x, y) for x, v in shown if (y := plottable(v, log_y)) is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            plt.plot(xs, ys, marker=marker, color=rgb)
            lows.append(min(ys))
            highs.append(max(ys))
    if log_y and lows:
        rows = max(height - 4, 2)  # minus x axis, its labels and the frame
        plt.yticks(*log_ticks(min(lows), max(highs), most=max(rows // 2, 2)))


def plottable(value: float, log_y: bool) -> float | None:
    """The y plotext gets for a value, or None: never inf, nan or absurd (NOTES)."""
    if not math.isfinite(value):
        return None
    if log_y:
        return math.log10(value) if value > 0 else None
    return value if abs(value) <= LINEAR_LIMIT else None
