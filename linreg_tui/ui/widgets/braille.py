"""Braille bitmaps: 2 x 4 dots per terminal cell, lines clipped to the bitmap, and the frame
that maps the parameter plane onto it with equal scales (a braille dot is about square)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from linreg_tui.engine.plane import Point

BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""The braille bit of the dot at [row][column] within a cell (U+2800 + bits)."""


@dataclass(frozen=True)
class Frame:
    """World coordinates of a window onto the plane: `left`, `top` and `scale` (world units
    per dot), `width` x `height` cells."""

    left: float
    top: float
    scale: float
    width: int
    height: int

    @classmethod
    def around(cls, center: Point, half: float, width: int, height: int) -> Frame:
        """A window with ±`half` around `center` along its shorter side."""
        scale = 2 * half / max(min(2 * width, 4 * height), 1)
        return cls(center[0] - width * scale, center[1] + 2 * height * scale, scale, width, height)

    @classmethod
    def holding(cls, points: Iterable[Point], width: int, height: int, pad: float = 0.06) -> Frame:
        """The smallest centred window holding every finite point, with a margin."""
        xs, ys = [], []
        for x, y in points:
            if math.isfinite(x) and math.isfinite(y):
                xs.append(x)
                ys.append(y)
        if not xs:
            return cls.around((0.0, 0.0), 1.0, width, height)
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-12)
        center = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
        scale = max(
            (max(xs) - min(xs)) / max(2 * width, 1), (max(ys) - min(ys)) / max(4 * height, 1)
        )
        scale = max(scale * (1 + 2 * pad), span * 1e-9)
        return cls(center[0] - width * scale, center[1] + 2 * height * scale, scale, width, height)

    @property
    def half(self) -> float:
        """Half the window along its shorter side, in world units."""
        return min(2 * self.width, 4 * self.height) * self.scale / 2

    @property
    def right(self) -> float:
        return self.left + 2 * self.width * self.scale

    @property
    def bottom(self) -> float:
        return self.top - 4 * self.height * self.scale

    def dots(self, p: Point) -> Point:
        """World point to dot coordinates (x right, y down; may lie outside)."""
        return (p[0] - self.left) / self.scale, (self.top - p[1]) / self.scale

    def cell(self, p: Point) -> tuple[int, int] | None:
        """The cell (column, row) holding p, or None outside the window."""
        x, y = self.dots(p)
        if not (0 <= x < 2 * self.width and 0 <= y < 4 * self.height):
            return None
        return int(x) // 2, int(y) // 4


class Dots:
    """A braille bitmap of `width` x `height` cells."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells = bytearray(width * height)

    def dot(self, x: float, y: float) -> None:
        if 0 <= x < 2 * self.width and 0 <= y < 4 * self.height:
            ix, iy = int(x), int(y)
            self.cells[(iy >> 2) * self.width + (ix >> 1)] |= BITS[iy & 3][ix & 1]

    def line(self, a: Point, b: Point) -> None:
        """Dots along the segment a-b (dot coordinates), clipped to the bitmap."""
        clipped = clip(a, b, 2 * self.width, 4 * self.height)
        if clipped is None:
            return
        (x0, y0), (x1, y1) = clipped
        count = max(int(max(abs(x1 - x0), abs(y1 - y0)) * 1.5), 1)
        for i in range(count + 1):
            t = i / count
            self.dot(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)

    def polygon(self, points: list[Point]) -> None:
        """A closed outline through `points` (dot coordinates)."""
        for a, b in zip(points, points[1:] + points[:1]):
            self.line(a, b)


def clip(a: Point, b: Point, width: float, height: float) -> tuple[Point, Point] | None:
    """Liang–Barsky: the part of a-b inside [0, width) x [0, height), or None. Non-finite
    ends give None (a diverged step has nowhere to be drawn)."""
    x0, y0 = a
    dx, dy = b[0] - x0, b[1] - y0
    if not all(map(math.isfinite, (x0, y0, dx, dy))):
        return None
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0), (dx, width - 1e-9 - x0), (-dy, y0), (dy, height - 1e-9 - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return None
    return (x0 + lo * dx, y0 + lo * dy), (x0 + hi * dx, y0 + hi * dy)


class Layer:
    """A path drawn on a bitmap up to a step; more steps draw only their new segments."""

    def __init__(self) -> None:
        self.key: object = None
        self.upto = -1
        self.dots = Dots(0, 0)

    def draw(self, frame: Frame, points: list[Point], upto: int) -> Dots:
        if frame != self.key or upto < self.upto:
            self.key, self.upto, self.dots = frame, 0, Dots(frame.width, frame.height)
            if points:
                self.dots.dot(*frame.dots(points[0]))
        for k in range(self.upto + 1, min(upto, len(points) - 1) + 1):
            self.dots.line(frame.dots(points[k - 1]), frame.dots(points[k]))
            self.upto = k
        return self.dots


def to_text(
    frame: Frame, layers: list[tuple[str, Dots]], marks: dict[tuple[int, int], tuple[str, str]]
) -> Text:
    """The cells as text: each shows its topmost layer's dots (or a mark), in its colour."""
    text = Text(no_wrap=True, overflow="crop")
    styles: dict[str, Style] = {}
    for row in range(frame.height):
        run, run_color = [], ""
        for col in range(frame.width):
            glyph, color = marks.get((col, row), (" ", ""))
            if glyph == " ":
                i = row * frame.width + col
                for layer_color, dots in reversed(layers):
                    if dots.cells[i]:
                        glyph, color = chr(0x2800 + dots.cells[i]), layer_color
                        break
            if color != run_color and run:
                text.append(
                    "".join(run), styles.setdefault(run_color, Style(color=run_color or None))
                )
                run = []
            run.append(glyph)
            run_color = color
        text.append("".join(run), styles.setdefault(run_color, Style(color=run_color or None)))
        if row < frame.height - 1:
            text.append("\n")
    return text
