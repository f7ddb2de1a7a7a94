"""The parameter plane in braille: the MSE's contours, the SGD and GD paths, ★ and +, the
noise ball and the eigen-axes; replayed step by step from the recorded trace.

The canvas holds the traced numbers as they came (a replay is the recorded run, bit for
bit) and draws steps 0..k of both paths. Its keys (BINDINGS, in the footer and F1) work
while it has focus (F3).
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from linreg_tui.engine.plane import (
    Plane,
    Point,
    TracedPath,
    TraceRows,
    ball_axes,
    contour_levels,
    eig2,
    ellipse,
)
from linreg_tui.ui.widgets.braille import Dots, Frame, Layer, to_text

SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
"""Playback speeds, steps per second."""
FPS = 20
HINT = "ctrl+r traces the form's run here"


class PlaneCanvas(Widget, can_focus=True):
    """The plane of one traced run, replayed step by step."""

    DEFAULT_CSS = "PlaneCanvas { width: 1fr; height: 1fr; min-height: 12; min-width: 32; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "play", "Play", tooltip="Replay from here or pause (F3: the plane)"),
        Binding("full_stop", "step(1)", "Step", key_display=".", tooltip="One minibatch step on"),
        Binding("comma", "step(-1)", "Back", False, key_display=",", tooltip="One step back"),
        Binding("greater_than_sign", "epoch(1)", "Epoch", False, key_display=">",
                tooltip="To the end of the next epoch"),
        Binding("less_than_sign", "epoch(-1)", "Epoch back", False, key_display="<",
                tooltip="To the end of the epoch before"),
        Binding("home", "jump(0)", "Start", False, tooltip="Step 0: the initial weights"),
        Binding("end", "jump(-1)", "End", False, tooltip="The last step"),
        Binding("z", "zoom(1)", "Zoom", tooltip="Zoom toward ★ by 10 (whole path, ±1 … ±1e-4)"),
        Binding("Z", "zoom(-1)", "Zoom out", False, tooltip="Zoom back out"),
        Binding("plus,equals_sign", "speed(1)", "Faster", False, key_display="+",
                tooltip="Play faster"),
        Binding("minus", "speed(-1)", "Slower", False, key_display="-", tooltip="Play slower"),
    ]  # fmt: skip

    step: reactive[int] = reactive(0)
    """The step on show: paths drawn from 0 to here."""
    zoom: reactive[int] = reactive(0)
    """0: the whole path; n: ±10^(...) around ★ (`halves`)."""
    playing: reactive[bool] = reactive(False)
    speed: reactive[int] = reactive(4)
    """Index into SPEEDS."""

    class Changed(Message):
        """The step, zoom or playback changed: the view rewrites its readout."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plane: Plane | None = None
        self.sgd, self.gd = TracedPath((0, 1)), TracedPath((0, 1))
        self.total = 0
        """Steps the run takes (K): 'step k of K'."""
        self.following = True
        """Show each step as it arrives, until the learner moves."""
        self.path_layers = {"sgd": Layer(), "gd": Layer()}
        self._still: tuple[object, list[tuple[str, Dots]]] | None = None
        self._credit = 0.0
        self._whole: tuple[object, Frame] | None = None
        self._timer: Timer | None = None
        self.palette: dict[str, str] = {}

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / FPS, self._tick, pause=True)
        self.watch(self.app, "theme", self._restyle)

    def _restyle(self) -> None:
        self.palette = self.app.get_css_variables()
        self._still = None
        self.refresh()

    # -- data ------------------------------------------------------------------------

    def start(self, total: int) -> None:
        """A new run: forget the last one."""
        self.plane, self.total, self.following, self.playing = None, total, True, False
        self.sgd, self.gd = TracedPath((0, 1)), TracedPath((0, 1))
        self._still = None
        self.zoom = 0
        self.step = 0
        self.refresh()

    def add(self, plane: Plane | None, sgd: TraceRows | None, gd: TraceRows | None) -> None:
        """Steps of either path (and, first, the plane) as they arrive."""
        if plane is not None:
            self.plane = plane
            self.sgd, self.gd = TracedPath(plane.index), TracedPath(plane.index)
            self.speed = _speed_for(self.total)
        if sgd is not None:
            self.sgd.add(sgd)
        if gd is not None:
            self.gd.add(gd)
        self._still = None  # the whole-path window may have grown
        if self.following:
            self.step = self.last
        self.refresh()

    def finish(self) -> None:
        """The run ended (done, diverged or cancelled): K is what was traced."""
        self.total = self.last
        if self.following:
            self.step = self.last
        self.post_message(self.Changed())

    @property
    def last(self) -> int:
        return max(len(self.sgd.points) - 1, 0)

    def point(self, step: int | None = None) -> tuple[int, tuple[float, ...], float, float | None]:
        """(epoch, w, b, minibatch loss) of the SGD step on show (or `step`)."""
        return self.sgd.row(self.step if step is None else step)

    # -- keys ------------------------------------------------------------------------

    def _move(self, step: int) -> None:
        self.following = False
        self.step = max(0, min(step, self.last))

    def action_step(self, by: int) -> None:
        self.playing = False
        self._move(self.step + by)

    def action_epoch(self, by: int) -> None:
        self.playing = False
        per = self.plane.batches_per_epoch if self.plane else 1
        self._move((self.step // per + 1) * per if by > 0 else (self.step - 1) // per * per)

    def action_jump(self, to: int) -> None:
        self.playing = False
        self._move(self.last if to < 0 else to)

    def action_play(self) -> None:
        if not self.playing and self.step >= self.last:
            self._move(0)  # at the end: replay from the start
        self.following = False
        self.playing = not self.playing and self.last > 0

    def action_zoom(self, by: int) -> None:
        self.zoom = (self.zoom + by) % len(self.halves())

    def action_speed(self, by: int) -> None:
        self.speed = max(0, min(self.speed + by, len(SPEEDS) - 1))

    def watch_playing(self, playing: bool) -> None:
        if self._timer is not None:
            self._timer.resume() if playing else self._timer.pause()
        self._credit = 0.0
        self.post_message(self.Changed())

    def _tick(self) -> None:
        self._credit += SPEEDS[self.speed] / FPS
        whole = int(self._credit)
        if whole:
            self._credit -= whole
            self.step = min(self.step + whole, self.last)
        if self.step >= self.last:
            self.playing = False

    def watch_step(self) -> None:
        self.refresh()
        self.post_message(self.Changed())

    def watch_zoom(self) -> None:
        self.refresh()
        self.post_message(self.Changed())

    def watch_speed(self) -> None:
        self.post_message(self.Changed())

    # -- drawing ---------------------------------------------------------------------

    def whole(self, width: int, height: int) -> Frame:
        """The window holding both paths (every step traced so far), ★ and +."""
        key = (len(self.sgd.points), len(self.gd.points), width, height, self.plane)
        if self._whole is None or self._whole[0] != key:
            marks = [self.plane.fit, self.plane.truth] if self.plane else []
            points = self.sgd.points + self.gd.points + marks
            self._whole = (key, Frame.holding(points, width, height))
        return self._whole[1]

    def halves(self) -> list[float]:
        """The window's half-size at each zoom: the whole path's, then powers of 10 below
        it (at most 10) down to 1e-4."""
        size = self.content_size
        half = self.whole(max(size.width, 1), max(size.height, 1)).half
        top = math.floor(math.log10(min(half, 10.0) / 1.5)) if half > 0 else 0
        return [half] + [10.0**k for k in range(top, -5, -1)]

    def frame(self) -> Frame | None:
        """The window on show, or None before the plane arrives."""
        size = self.content_size
        if self.plane is None or size.width < 2 or size.height < 2:
            return None
        if self.zoom == 0:
            return self.whole(size.width, size.height)
        halves = self.halves()
        half = halves[min(self.zoom, len(halves) - 1)]
        return Frame.around(self.plane.fit, half, size.width, size.height)

    def render(self) -> RenderableType:
        frame, plane = self.frame(), self.plane
        if frame is None or plane is None:
            return Text(HINT, style="dim", justify="center")
        colors = self.palette
        layers = list(self._fixed(frame, plane, colors))
        layers.append(
            (
                colors["success"],
                self.path_layers["gd"].draw(frame, self.gd.xs, self.gd.ys, self.step),
            )
        )
        layers.append(
            (
                colors["accent"],
                self.path_layers["sgd"].draw(frame, self.sgd.xs, self.sgd.ys, self.step),
            )
        )
        marks: dict[tuple[int, int], tuple[str, str]] = {}
        gd = self.gd.points[min(self.step, len(self.gd.points) - 1)] if self.gd.points else None
        for point, glyph, color in (
            (gd, "○", colors["success"]),
            (plane.truth, "+", colors["foreground"]),
            (plane.fit, "★", colors["foreground"]),
            (self.sgd.points[self.step] if self.sgd.points else None, "●", colors["accent"]),
        ):
            cell = frame.cell(point) if point is not None else None
            if cell is not None:
                marks[cell] = (glyph, color)
        return to_text(frame, layers, marks)

    def _fixed(self, frame: Frame, plane: Plane, colors: dict[str, str]) -> list[tuple[str, Dots]]:
        """Contours, eigen-axes and the noise ball: they change only with the window."""
        if self._still is not None and self._still[0] == frame:
            return self._still[1]
        xs, ys = (frame.left, frame.right), (frame.top, frame.bottom)
        reach = max(math.dist(plane.fit, (x, y)) for x in xs for y in ys)
        contours, axes, ball = (Dots(frame.width, frame.height) for _ in range(3))
        levels = contour_levels(plane.form, reach, 2 * frame.scale)
        for level in levels:
            _outline(contours, frame, ellipse(plane.fit, plane.form, level))
        for value, (vx, vy) in eig2(plane.form):
            if levels and value > 0:
                r = math.sqrt(levels[0] / value)
                (cx, cy), (dx, dy) = plane.fit, (r * vx, r * vy)
                _outline(axes, frame, [(cx - dx, cy - dy), (cx + dx, cy + dy)], closed=False)
        form = ball_axes(plane.ball) if plane.ball is not None else None
        if form is not None:
            _outline(ball, frame, ellipse(plane.fit, form, 1.0))
        background = Color.parse(colors["background"])
        dim = Color.parse(colors["primary"]).blend(background, 0.45).hex
        grey = Color.parse(colors["foreground"]).blend(background, 0.45).hex
        fixed = [(dim, contours), (grey, axes), (colors["error"], ball)]
        self._still = (frame, fixed)
        return fixed


def _outline(dots: Dots, frame: Frame, points: list[Point], closed: bool = True) -> None:
    """A polyline through world points on `frame`."""
    xs = (np.array([p[0] for p in points]) - frame.left) / frame.scale
    ys = (frame.top - np.array([p[1] for p in points])) / frame.scale
    dots.polyline(xs, ys, closed)


def _speed_for(total: int) -> int:
    """The speed that replays `total` steps in about five seconds."""
    wanted = total / 5
    return next((i for i, s in enumerate(SPEEDS) if s >= wanted), len(SPEEDS) - 1)
