"""Live train/validation MSE per epoch and the training objective within each epoch,
with a log-y view that survives resizes and a zoom on the first epochs (z, Z)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual.app import RenderResult
from textual.color import Color
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from linreg_tui.engine.records import CHUNKS_PER_EPOCH
from linreg_tui.lab.verdicts import diverged_at
from linreg_tui.ui.widgets.loss_points import (
    chunk_points,
    decimate,
    legends,
    point_count,
    widest_fitting,
    zoom_spans,
)

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord

LINEAR_LIMIT = 1e15
"""Larger values are left out on a linear axis: plotext garbles ticks near 1e100 and
overflows near 1e300 (NOTES); the title says how many points are off-scale."""


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


class LossChart(PlotextPlot, can_focus=True):
    """MSE per epoch of one run, from epoch 0, and the training objective within each
    epoch (a point per chunk of its steps, `EpochRecord.loss_chunks`, at the chunk's end);
    owns its records and redraws itself.

    The legend and the run's state (epoch, divergence, zoom) live in the border titles, so
    they never hide the first points of a falling curve as plotext's own legend would.
    `action_zoom` cycles its x range (the single run view's z and Z keys).
    """

    log_y: reactive[bool] = reactive(True)
    """Plot log10 of the values on a linear axis with labelled ticks (plotext's own log
    scale corrupts its data on the second build, i.e. at the first resize)."""
    zoom: reactive[int] = reactive(0)
    """Index into `zoom_spans(x_max)`: 0 shows every epoch."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.records: list[EpochRecord] = []
        """Every record of the current run; the plot shows a decimated view of them."""
        self.offsets = [0]
        """`point_offsets(records)`, kept as records come: a redraw's work does not grow
        with the run."""
        self.total_epochs: int | None = None
        self.loss = "loss"
        """The run's objective, named in the legend."""
        self.keys_shown = False
        """Whether the zoom keys work now (the view has focus): the title names them."""
        self.off_scale = {False: 0, True: 0}
        """Values left out of the plot, for the linear (False) and the log (True) axis."""

    def on_mount(self) -> None:
        super().on_mount()
        self._update_titles()

    def start(self, total_epochs: int | None = None, loss: str = "loss") -> None:
        """Forget the previous run (and the zoom)."""
        self.records = []
        self.offsets = [0]
        self.total_epochs = total_epochs
        self.off_scale = {False: 0, True: 0}
        self.zoom = 0
        self.name_loss(loss)
        self.refresh()

    def name_loss(self, loss: str) -> None:
        """The objective the legend names (the form's, before a run)."""
        self.loss = loss
        self.tooltip = (  # the legend's words in full, whatever the width
            f"━ {loss}: the training objective, the minibatch losses averaged over each chunk "
            "of an epoch's steps (up to 16), drawn at the chunk's end. • train, val: the MSE on"
            " the whole training and validation sets after each epoch. z/Z: zoom in/out."
        )
        self._update_titles()

    def add(self, records: Iterable[EpochRecord]) -> None:
        """Append records and redraw."""
        for record in records:
            self.records.append(record)
            self.offsets.append(self.offsets[-1] + point_count(record))
            for value in (record.train_mse, record.val_mse):
                self.off_scale[False] += plottable(value, False) is None
                self.off_scale[True] += plottable(value, True) is None
        self._update_titles()
        self.refresh()

    @property
    def x_max(self) -> int:
        """The run's last epoch (planned, or reached)."""
        last = self.records[-1].epoch if self.records else 0
        return max(self.total_epochs or 0, last, 1)

    @property
    def x_span(self) -> int:
        """The epochs on show, from 0: all of them, or the zoom's first 10% or 1%."""
        spans = zoom_spans(self.x_max)
        return spans[min(self.zoom, len(spans) - 1)]

    def action_zoom(self, by: int) -> None:
        """Cycle the x range: all epochs, the first 10%, the first 1% (those that differ)."""
        levels = len(zoom_spans(self.x_max))
        self.zoom = (min(self.zoom, levels - 1) + by) % levels

    def watch_zoom(self) -> None:
        self._update_titles()
        self.refresh()

    def watch_log_y(self) -> None:
        self._update_titles()
        self.refresh()

    def show_keys(self, shown: bool) -> None:
        """Name the zoom key in the title (while it works: the owner's focus)."""
        self.keys_shown = shown
        self._update_titles()

    def on_resize(self) -> None:
        self._update_titles()  # the legend's words depend on the width

    def render(self) -> RenderResult:
        """Rebuild the figure at the current size, then let PlotextPlot draw it."""
        self._draw(max(self.size.width, 1))
        return super().render()

    def _series(self) -> list[tuple[str, str, str]]:
        """(record field, legend label, colour) of each curve, coloured by the theme, in the
        order drawn: the objective's line first, the MSEs' dots over it."""
        variables = self.app.theme_variables
        return [
            ("loss_chunks", self.loss, variables.get("success", "#4EBF71")),
            ("train_mse", "train", variables.get("primary", "#0178D4")),
            ("val_mse", "val", variables.get("warning", "#FFA62B")),
        ]

    def _draw(self, width: int) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.xlabel("epoch")
        plt.ylabel("MSE (log)" if self.log_y else "MSE")
        span = self.x_span
        plt.xlim(0, span)
        plt.xticks(epoch_ticks(span, width))
        records = self.records
        count = bisect.bisect_right(records, span, key=lambda r: r.epoch)  # epochs 0..span
        if not count:
            return
        limit = 2 * width
        shown = [records[i] for i in decimate(count, limit)]  # once for both MSEs
        series: list[Series] = []
        for get, _, colour in self._series():
            rgb = Color.parse(colour).rgb
            if get == "loss_chunks":  # a line of many points...
                series.append((chunk_points(records, limit, count, self.offsets), "braille", rgb))
            else:  # ...and a dot at each epoch's MSE: a line over it would hide it
                series.append(([(r.epoch, getattr(r, get)) for r in shown], "dot", rgb))
        plot_series(plt, series, self.log_y, width, self.size.height, scatter=(1, 2))

    def _update_titles(self) -> None:
        last = self.records[-1] if self.records else None
        room = max(self.size.width - 4, 8)
        parts = ["MSE (log scale)" if self.log_y else "MSE"]
        if last is not None:
            of = f"/{self.total_epochs}" if self.total_epochs else ""
            parts.append(f"epoch {last.epoch}{of}")
        spans = zoom_spans(self.x_max)
        level = min(self.zoom, len(spans) - 1)
        if level:  # what is shown, first after a divergence: a narrow border cuts the end
            out = "zoom out" if level == len(spans) - 1 else "zoom in"
            parts[:0] = [f"epochs 0-{spans[level]} of {self.x_max}", f"z: {out}"]
        elif self.keys_shown and len(spans) > 1:
            parts.append(f"z: zoom to 0-{spans[1]}")
        off_scale = self.off_scale[self.log_y]
        if last is not None and last.diverged:  # first: a narrow border truncates the end
            parts.insert(0, f"[b $error]{diverged_at(last.epoch)}[/]")  # the lab's words
        elif off_scale:
            parts.insert(0, f"[$warning]{off_scale} off-scale[/]")
        self.border_title = " · ".join(parts)
        self.border_subtitle = widest_fitting(self._legends(last), room)

    def _legends(self, last: EpochRecord | None) -> list[tuple[str, str]]:
        """The legend, from the most words to the fewest, with the latest values (train
        and val often overlap on the plot)."""
        chunks = max((len(r.loss_chunks) for r in self.records[-2:]), default=0)
        chunks = chunks or CHUNKS_PER_EPOCH
        values: tuple[float | None, ...] = (None, None, None)
        if last is not None:
            values = ((last.loss_chunks or (last.train_loss,))[-1], last.train_mse, last.val_mse)
        colours = tuple(colour for _, _, colour in self._series())
        return legends(self.loss, chunks, values, colours)


Series = tuple[Sequence[tuple[float, float]], str, tuple[int, int, int]]
"""(x, value) points, a plotext marker and an RGB colour."""


def epoch_ticks(x_max: int, width: int) -> list[int]:
    """Whole epochs for the x axis, about one per 8 columns (x counts epochs: no 0.75)."""
    step = math.ceil(x_max / max(min(x_max, width // 8), 1))
    return list(range(0, x_max + 1, step))


def plot_series(
    plt: Any,
    series: Iterable[Series],
    log_y: bool,
    width: int,
    height: int,
    scatter: Collection[int] = (),
) -> None:
    """Plot each series decimated to the width (braille: two dots per cell), without the
    values plotext cannot take (`plottable`), and label a log axis for the rows there are;
    the series numbered in `scatter` as points, not joined. Every chart of the lab draws
    its curves through this."""
    lows: list[float] = []
    highs: list[float] = []
    for index, (pairs, marker, rgb) in enumerate(series):
        shown = [pairs[i] for i in decimate(len(pairs), 2 * width)]
        points = [(x, y) for x, v in shown if (y := plottable(v, log_y)) is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            draw = plt.scatter if index in scatter else plt.plot
            draw(xs, ys, marker=marker, color=rgb)
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
