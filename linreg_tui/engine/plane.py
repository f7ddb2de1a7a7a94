"""The parameter plane as plain numbers: what a trace sends, and the geometry of its contours.

`engine.trace` fills these from a run's own data (THEORY.md, "The parameter plane"); the app
receives them from the training process, so this module loads neither torch nor numpy:
the geometry is of 2 x 2 symmetric matrices, in closed form.

For the MSE, L(θ) − L(θ̂) = (θ − θ̂)ᵀ G (θ − θ̂) with G = X̃ᵀX̃/n. Minimising over the
parameters off the plane (b, and the weights after the second) leaves the quadratic form
of the Schur complement Q on the plane's two coordinates: the contours are the ellipses
(p − p̂)ᵀ Q (p − p̂) = L − L(θ̂), with axes along Q's eigenvectors.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

PathName = Literal["sgd", "gd"]
Point = tuple[float, float]
Matrix = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class TraceRows:
    """Consecutive steps of one traced path, from `first_step` on: no object per step,
    one tuple per column."""

    path: PathName
    """sgd: the run's own minibatch steps; gd: full-batch gradient descent from its start."""
    first_step: int
    epochs: tuple[int, ...]
    """The epoch each step belongs to (0 for step 0; a GD step is an epoch of its own)."""
    w_hat: tuple[tuple[float, ...], ...]
    b_hat: tuple[float, ...]
    batch_loss: tuple[float | None, ...]
    """The loss of the minibatch step k descended on, taken before the step (None at step
    0, which descended on nothing)."""
    diverged: bool = False
    """The path ends here because it diverged (the run stops at the same epoch)."""

    def __len__(self) -> int:
        return len(self.b_hat)

    def lines(self) -> Iterator[dict[str, object]]:
        """One mapping per step: step, epoch, w_hat (list), b_hat, batch_loss."""
        for i, (epoch, w, b, loss) in enumerate(
            zip(self.epochs, self.w_hat, self.b_hat, self.batch_loss)
        ):
            yield {"step": self.first_step + i, "epoch": epoch, "w_hat": list(w), "b_hat": b,
                   "batch_loss": loss}  # fmt: skip


@dataclass(frozen=True)
class Plane:
    """The contours of the training MSE over two coordinates of θ = (w, b), and what the
    theory predicts there; plain numbers."""

    axes: tuple[str, str]
    """('w1', 'w2'); ('w1', 'b') with a single weight."""
    index: tuple[int, int]
    """Where the two coordinates sit in θ = (w1 … wd, b)."""
    profiled: str
    """What is minimised out ('b', 'b, w3…w5'), '' for none."""
    fit: Point
    """★: the least-squares fit θ̂, on the plane."""
    truth: Point
    """+: the true parameters."""
    form: Matrix
    """Q: the MSE over the plane is min_mse + (p − fit)ᵀ Q (p − fit)."""
    min_mse: float
    """L(θ̂), the least-squares MSE."""
    ball: Matrix | None
    """The predicted noise ball's covariance on the plane (None: no ball, or unbounded)."""
    lr: float
    lr_gd_max: float
    lr_ms_max: float
    verdict: str
    """The theory's word for lr: stable, edge, diverges or bounces."""
    condition_number: float
    """κ of H over all of θ: λ₁ caps the lr, λ_min sets the speed."""
    eigenvalues: tuple[float, ...]
    """Of H, descending."""
    batches_per_epoch: int

    def mse(self, p: Point) -> float:
        """The training MSE at p, the other parameters at their best (profiled)."""
        return self.min_mse + quad(self.form, (p[0] - self.fit[0], p[1] - self.fit[1]))


@dataclass(frozen=True)
class TracePart:
    """What a trace job yields per epoch of the SGD run: its steps, the GD steps with the
    same numbers, and (with the first) the plane."""

    epoch: int
    sgd: TraceRows | None
    gd: TraceRows | None
    plane: Plane | None = None


class TracedPath:
    """One traced path as it arrives: its rows, and its points on a plane (`index` into θ)."""

    def __init__(self, index: tuple[int, int]) -> None:
        self.index = index
        self.rows: list[TraceRows] = []
        self.points: list[Point] = []
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.diverged = False

    def add(self, rows: TraceRows) -> None:
        self.rows.append(rows)
        i, j = self.index
        new = [((*w, b)[i], (*w, b)[j]) for w, b in zip(rows.w_hat, rows.b_hat)]
        self.points += new
        self.xs += [x for x, _ in new]
        self.ys += [y for _, y in new]
        self.diverged = self.diverged or rows.diverged

    def row(self, step: int) -> tuple[int, tuple[float, ...], float, float | None]:
        """(epoch, w, b, minibatch loss) of `step`, exactly as traced."""
        for rows in self.rows:
            if rows.first_step <= step < rows.first_step + len(rows):
                k = step - rows.first_step
                return rows.epochs[k], rows.w_hat[k], rows.b_hat[k], rows.batch_loss[k]
        raise IndexError(step)


def quad(m: Matrix, e: Point) -> float:
    """eᵀ m e."""
    (a, b), (c, d) = m
    return a * e[0] * e[0] + (b + c) * e[0] * e[1] + d * e[1] * e[1]


def eig2(m: Matrix) -> tuple[tuple[float, Point], tuple[float, Point]]:
    """Eigenvalues and unit eigenvectors of a symmetric 2 x 2 matrix, largest first."""
    (a, b), (_, d) = m
    mean, half = (a + d) / 2, math.hypot((a - d) / 2, b)
    big, small = mean + half, mean - half
    if b == 0.0:  # already diagonal: the axes themselves
        first: Point = (1.0, 0.0) if a >= d else (0.0, 1.0)
    else:
        x, y = big - d, b  # (m − small·I) has the big eigenvector as its columns
        norm = math.hypot(x, y)
        first = (x / norm, y / norm)
    return (big, first), (small, (-first[1], first[0]))


def ellipse(center: Point, m: Matrix, level: float, count: int = 256) -> list[Point]:
    """`count` points p with (p − center)ᵀ m (p − center) = level (m positive definite)."""
    (l1, v1), (l2, v2) = eig2(m)
    if not (l2 > 0 and level > 0):
        return []
    r1, r2 = math.sqrt(level / l1), math.sqrt(level / l2)
    points = []
    for i in range(count):
        t = 2 * math.pi * i / count
        a, c = r1 * math.cos(t), r2 * math.sin(t)
        points.append((center[0] + a * v1[0] + c * v2[0], center[1] + a * v1[1] + c * v2[1]))
    return points


def contour_levels(m: Matrix, reach: float, finest: float, ratio: float = 4.0) -> list[float]:
    """Excess losses L − L(θ̂) whose ellipses span from `reach` (the longest semi-axis of the
    first) down to `finest`: each next one `ratio` times lower (half as wide for 4)."""
    (_, _), (small, _) = eig2(m)
    if not (small > 0 and reach > finest > 0):
        return []
    level, levels = small * reach * reach, []
    while math.sqrt(level / small) >= finest and len(levels) < 40:
        levels.append(level)
        level /= ratio
    return levels


def ball_axes(cov: Matrix, sigmas: float = 2.0) -> Matrix | None:
    """The quadratic form whose level-1 ellipse is the `sigmas`-σ ellipse of `cov`."""
    (a, b), (_, d) = cov
    det = a * d - b * b
    if not (det > 0 and a > 0) or not all(map(math.isfinite, (a, b, d))):
        return None
    s = sigmas * sigmas
    return ((d / det / s, -b / det / s), (-b / det / s, a / det / s))
