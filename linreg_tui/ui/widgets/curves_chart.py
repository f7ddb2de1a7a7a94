"""Several named curves on one plotext chart, log-y safe, legend in the border subtitle."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from textual.app import RenderResult
from textual.color import Color
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from linreg_tui.ui.widgets.climb import ESCAPE, plot_climb
from linreg_tui.ui.widgets.loss_chart import epoch_ticks, plottable

COLOURS: dict[str, str] = {
    "primary": "#0178D4",
    "warning": "#FFA62B",
    "success": "#4EBF71",
    "error": "#BA3C5B",
    "mauve": "#B48EAD",
    "cyan": "#56B6C2",
}
"""Curve colours: theme variables where the theme has them (fallbacks here), else fixed."""


@dataclass
class Curve:
    """One series: its legend label, colour name, plotext marker and (x, y) points."""

    label: str
    colour: str
    marker: str = "braille"
    in_legend: bool = True
    points: list[tuple[float, float]] = field(default_factory=list)


class CurvesChart(PlotextPlot):
    """Overlaid curves keyed by name; owns its data and redraws itself.

    Like LossChart, the legend lives in the border subtitle so it never covers the
    curves' first points, and values plotext cannot draw are counted in the title.
    """

    log_y: reactive[bool] = reactive(True)
    """Plot log10 of the values on a linear axis with labelled ticks (plotext's own log
    scale corrupts its data on the second build)."""

    def __init__(
        self,
        title: str,
        *,
        join_hidden: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.join_hidden = join_hidden
        """Join the legend entry of a curve drawn within one dot of a later one to it; off,
        only the owner's `set_same` joins entries (a claim of equality it computed)."""
        self.same: dict[str, tuple[str, str]] = {}
        """Curve key -> (key of the curve it equals, markup of their joint entry)."""
        self.note = ""
        """Extra words after the title (e.g. a verdict), set by the owner."""
        self.curves: dict[str, Curve] = {}
        self.x_max = 1.0

    def on_mount(self) -> None:
        super().on_mount()
        self._update_titles()

    def reset(self, x_max: float = 1.0) -> None:
        """Forget every curve; the x axis will span 0 .. x_max (or further)."""
        self.curves = {}
        self.same = {}
        self.x_max = x_max
        self._changed()

    def add_curve(
        self, key: str, label: str, colour: str, marker: str = "braille", in_legend: bool = True
    ) -> None:
        """Start (or restart) curve `key`."""
        self.curves[key] = Curve(label, colour, marker, in_legend)
        self._changed()

    def extend(self, key: str, points: Iterable[tuple[float, float]]) -> None:
        """Append points to curve `key` and redraw."""
        curve = self.curves[key]
        curve.points.extend(points)
        if curve.points:
            self.x_max = max(self.x_max, curve.points[-1][0])
        self._changed()

    def set_same(self, key: str, into: str | None, label: str = "") -> None:
        """Say curve `key` equals curve `into` (the owner's computation, to its tolerance):
        one legend entry, reading `label` (markup), for both; `into=None` takes it back."""
        if into is None:
            self.same.pop(key, None)
        else:
            self.same[key] = (into, label)
        self._update_titles()

    def set_note(self, note: str) -> None:
        """Words shown after the title."""
        self.note = note
        self._update_titles()

    def watch_log_y(self) -> None:
        self._changed()

    def render(self) -> RenderResult:
        """Rebuild the figure at the current size, then let PlotextPlot draw it."""
        self._draw(max(self.size.width, 1))
        return super().render()

    def colour_of(self, name: str) -> Color:
        """A colour name, read from the theme when the theme defines it."""
        value = self.app.theme_variables.get(name) if self.is_attached else None
        return Color.parse(value or COLOURS.get(name, name))

    def _changed(self) -> None:
        self._update_titles()
        self.refresh()

    def _draw(self, width: int) -> None:
        plt = self.plt
        plt.clear_figure()  # no axis labels: the title names both, and the row is precious
        x_max = max(math.ceil(self.x_max), 1)
        plt.xlim(0, x_max)
        plt.xticks(epoch_ticks(x_max, width))
        series = [(c.points, c.marker, self.colour_of(c.colour).rgb) for c in self.curves.values()]
        escape = self.colour_of("error").rgb  # a diverging curve climbs off the top: ▲
        plot_climb(plt, series, self.log_y, width, self.size.height, escape)

    def _update_titles(self) -> None:
        off = sum(
            plottable(v, self.log_y) is None for c in self.curves.values() for _, v in c.points
        )
        parts = [f"[$warning]{off} off-scale {ESCAPE}[/]"] if off else []
        parts.append(self.title + (" (log)" if self.log_y else ""))
        if self.note:
            parts.append(self.note)
        self.border_title = " · ".join(parts)
        self.border_subtitle = "  ".join(self._legend())

    def on_resize(self) -> None:
        self._update_titles()  # what coincides depends on the rows a dot spans

    def _legend(self) -> list[str]:
        """'━ label' per curve; curves hidden under a later one join its entry, so the
        legend never names a colour the chart does not show ('━ mean=sum/B')."""
        under = self._hidden_under() if self.join_hidden else {}
        under.update({k: into for k, (into, _) in self.same.items() if into in self.curves})
        labels = {into: label for into, label in self.same.values()}
        entries = []
        for key, curve in self.curves.items():
            if not curve.in_legend or key in under:
                continue
            joined = [c for k, c in self.curves.items() if under.get(k) == key]
            names = labels.get(key) or "=".join(
                f"[{self.colour_of(c.colour).hex}]{c.label}[/]" for c in [*joined, curve]
            )
            entries.append(f"[{self.colour_of(curve.colour).hex}]━[/] {names}")
        return entries

    def _hidden_under(self) -> dict[str, str]:
        """Curve key -> key of the curve drawn later within one braille dot at every x."""
        series = {
            key: [(x, plottable(v, self.log_y)) for x, v in curve.points]
            for key, curve in self.curves.items()
            if curve.in_legend
        }
        ys = [
            y
            for curve in self.curves.values()
            for _, v in curve.points
            if (y := plottable(v, self.log_y)) is not None
        ]  # the plot's range, drawn from every curve
        if not ys:
            return {}
        dot = (max(ys) - min(ys)) / max((self.size.height - 4) * 4, 4)  # braille: 4 dots/row
        keys = list(series)
        under: dict[str, str] = {}
        for i, key in enumerate(keys):
            for later in keys[i + 1 :]:
                a, b = series[key], series[later]
                if (
                    a
                    and len(a) == len(b)
                    and all(
                        xa == xb and ya is not None and yb is not None and abs(ya - yb) <= dot
                        for (xa, ya), (xb, yb) in zip(a, b)
                    )
                ):
                    under[key] = later  # the last one drawn covers it
        return under
