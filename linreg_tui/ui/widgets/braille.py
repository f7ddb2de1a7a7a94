"""Braille bitmaps: 2 x 4 dots per terminal cell, lines clipped to the bitmap, and the frame
that maps the parameter plane onto it with equal scales (a braille dot is about square)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
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
    """A braille bitmap of `width` x `height` cells; lines are drawn many at a time."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells = bytearray(width * height)

    def dot(self, x: float, y: float) -> None:
        if 0 <= x < 2 * self.width and 0 <= y < 4 * self.height:
            ix, iy = int(x), int(y)
            self.cells[(iy >> 2) * self.width + (ix >> 1)] |= BITS[iy & 3][ix & 1]

    def polyline(self, xs: np.ndarray, ys: np.ndarray, closed: bool = False) -> None:
        """Dots along the segments through (xs[i], ys[i]), in dot coordinates, each clipped
        to the bitmap; a segment with a non-finite end is left out (a diverged step has
        nowhere to be drawn). A path of 100,000 steps draws in tens of milliseconds."""
        if closed and len(xs):
            xs, ys = np.append(xs, xs[:1]), np.append(ys, ys[:1])
        if len(xs) == 1:
            self.dot(float(xs[0]), float(ys[0]))
        if len(xs) < 2:
            return
        x0, y0, dx, dy = xs[:-1], ys[:-1], np.diff(xs), np.diff(ys)
        lo, hi = clip(x0, y0, dx, dy, 2 * self.width, 4 * self.height)
        keep = np.flatnonzero(lo <= hi)
        x0, y0, dx, dy, lo, hi = x0[keep], y0[keep], dx[keep], dy[keep], lo[keep], hi[keep]
        x0, y0, dx, dy = x0 + lo * dx, y0 + lo * dy, dx * (hi - lo), dy * (hi - lo)
        for part in np.array_split(np.arange(len(x0)), max(1, len(x0) // CHUNK)):
            self._segments(x0[part], y0[part], dx[part], dy[part])

    def _segments(self, x0: np.ndarray, y0: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> None:
        if not len(x0):
            return
        count = (np.maximum(np.abs(dx), np.abs(dy)) * 1.5).astype(np.int64) + 1
        first = np.repeat(np.cumsum(count) - count, count)
        which = np.repeat(np.arange(len(count)), count)
        t = (np.arange(int(count.sum())) - first) / np.repeat(np.maximum(count - 1, 1), count)
        ix = np.clip((x0[which] + dx[which] * t).astype(np.int64), 0, 2 * self.width - 1)
        iy = np.clip((y0[which] + dy[which] * t).astype(np.int64), 0, 4 * self.height - 1)
        cells = np.frombuffer(self.cells, dtype=np.uint8)
        np.bitwise_or.at(cells, (iy >> 2) * self.width + (ix >> 1), BIT_TABLE[iy & 3, ix & 1])


CHUNK = 20_000
"""Segments rasterized at once (bounds the temporary arrays)."""
BIT_TABLE = np.array(BITS, dtype=np.uint8)


def clip(
    x0: np.ndarray, y0: np.ndarray, dx: np.ndarray, dy: np.ndarray, width: float, height: float
) -> tuple[np.ndarray, np.ndarray]:
    """Liang–Barsky for many segments: the parameters [lo, hi] of the part of each inside
    [0, width) x [0, height); lo > hi for a segment outside or with a non-finite end."""
    lo, hi = np.zeros(len(x0)), np.ones(len(x0))
    with np.errstate(all="ignore"):
        for p, q in ((-dx, x0), (dx, width - 1e-9 - x0), (-dy, y0), (dy, height - 1e-9 - y0)):
            t = q / p
            lo = np.where(p < 0, np.maximum(lo, t), lo)
            hi = np.where(p > 0, np.minimum(hi, t), hi)
            hi = np.where((p == 0) & (q < 0), -1.0, hi)
    finite = np.isfinite(x0) & np.isfinite(y0) & np.isfinite(dx) & np.isfinite(dy)
    return lo, np.where(finite, hi, -1.0)


class Layer:
    """A path drawn on a bitmap up to a step; more steps draw only their new segments."""

    def __init__(self) -> None:
        self.key: object = None
        self.upto = -1
        self.dots = Dots(0, 0)

    def draw(self, frame: Frame, xs: list[float], ys: list[float], upto: int) -> Dots:
        """Steps 0..upto of the path (xs, ys in world coordinates) on `frame`."""
        upto = min(upto, len(xs) - 1)
        if frame != self.key or upto < self.upto:
            self.key, self.upto, self.dots = frame, -1, Dots(frame.width, frame.height)
        if upto > self.upto:
            lo = max(self.upto, 0)  # the segment from the last step drawn on
            px = (np.array(xs[lo : upto + 1]) - frame.left) / frame.scale
            py = (frame.top - np.array(ys[lo : upto + 1])) / frame.scale
            self.dots.polyline(px, py)
            self.upto = upto
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
