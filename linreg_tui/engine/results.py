"""What the sweeps report, and its summaries: plain numbers, importable without torch.

The app reads sweep rows that may come from another process (`linreg_tui.lab.process`)
and summarizes them on its own thread, so none of this may load torch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from linreg_tui.engine.config import NEAR_FLOOR, RunConfig
from linreg_tui.engine.records import EpochRecord

# ---------------------------------------------------------------- dataset size


@dataclass(frozen=True)
class SizePoint:
    """One (size, seed) of the size sweep: SGD's final fit and the least-squares floor."""

    size: int
    seed: int
    steps: int
    train_mse: float
    val_mse: float
    w_hat: tuple[float, ...]
    b_hat: float
    w_error: tuple[float, ...]
    b_error: float
    lstsq_w_error: tuple[float, ...]
    lstsq_b_error: float
    diverged: bool
    predicted_w_error: float = math.nan
    predicted_b_error: float = math.nan
    """The theory's RMS ‖w − w*‖, |b − b*| for this run, from its own data before it
    trained (engine.theory): inf when its lr diverges."""
    predicted_terms_w: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    """What predicted_w_error is made of: (what is left of the start, SGD's noise ball,
    the floor); the largest names the regime."""

    @property
    def w_error_norm(self) -> float:
        return _norm(self.w_error)

    @property
    def lstsq_w_error_norm(self) -> float:
        return _norm(self.lstsq_w_error)


@dataclass(frozen=True)
class Spread:
    """Mean and standard deviation over seeds (population std; 0 for one seed)."""

    mean: float
    std: float


@dataclass(frozen=True)
class SizeSummary:
    """All seeds of one size, summarized."""

    size: int
    seeds: int
    diverged: int
    w_error: tuple[Spread, ...]
    b_error: Spread
    w_error_norm: Spread
    lstsq_w_error: tuple[Spread, ...]
    lstsq_b_error: Spread
    lstsq_w_error_norm: Spread
    train_mse: Spread
    val_mse: Spread
    converged: bool
    """SGD's mean error within NEAR_FLOOR x the floor's: its optimization error is spent."""
    predicted_w_error: float = math.nan
    predicted_b_error: float = math.nan
    """Means over seeds of the points' predictions (inf if one diverges)."""
    predicted_terms_w: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    """Means over seeds of the points' (transient, noise ball, floor)."""


def summarize_sizes(points: Iterable[SizePoint]) -> list[SizeSummary]:
    """Group points by size (in order of first appearance) and summarize each group."""
    groups: dict[int, list[SizePoint]] = {}
    for p in points:
        groups.setdefault(p.size, []).append(p)
    out = []
    for size, group in groups.items():
        d = len(group[0].w_error)
        sgd = _spread(p.w_error_norm for p in group)
        floor = _spread(p.lstsq_w_error_norm for p in group)
        out.append(
            SizeSummary(
                size=size,
                seeds=len(group),
                diverged=sum(p.diverged for p in group),
                w_error=tuple(_spread(p.w_error[i] for p in group) for i in range(d)),
                b_error=_spread(p.b_error for p in group),
                w_error_norm=sgd,
                lstsq_w_error=tuple(_spread(p.lstsq_w_error[i] for p in group) for i in range(d)),
                lstsq_b_error=_spread(p.lstsq_b_error for p in group),
                lstsq_w_error_norm=floor,
                train_mse=_spread(p.train_mse for p in group),
                val_mse=_spread(p.val_mse for p in group),
                converged=math.isfinite(sgd.mean) and sgd.mean <= NEAR_FLOOR * floor.mean + 1e-12,
                predicted_w_error=_mean(p.predicted_w_error for p in group),
                predicted_b_error=_mean(p.predicted_b_error for p in group),
                predicted_terms_w=(
                    _mean(p.predicted_terms_w[0] for p in group),
                    _mean(p.predicted_terms_w[1] for p in group),
                    _mean(p.predicted_terms_w[2] for p in group),
                ),
            )
        )
    return out


@dataclass(frozen=True)
class SizeSlopes:
    """Fitted log-log slopes of the mean error against n (None: too few usable sizes)."""

    floor_w: float | None
    floor_b: float | None
    sgd_w: float | None
    sgd_b: float | None
    sgd_sizes: tuple[int, ...]
    """The sizes SGD's slopes were fitted on: those where it converged."""


def fit_slope(sizes: Sequence[float], errors: Sequence[float]) -> float | None:
    """Least-squares slope of log10(error) on log10(size) over finite positive errors."""
    pairs = [(s, e) for s, e in zip(sizes, errors) if s > 0 and math.isfinite(e) and e > 0]
    if len({s for s, _ in pairs}) < 2:
        return None
    x = np.log10([s for s, _ in pairs])
    y = np.log10([e for _, e in pairs])
    return float(np.polyfit(x, y, 1)[0])


def size_slopes(summaries: Sequence[SizeSummary]) -> SizeSlopes:
    """The floor's slope over every size, SGD's over the sizes where it converged."""
    sizes = [s.size for s in summaries]
    good = [s for s in summaries if s.converged]
    return SizeSlopes(
        floor_w=fit_slope(sizes, [s.lstsq_w_error_norm.mean for s in summaries]),
        floor_b=fit_slope(sizes, [s.lstsq_b_error.mean for s in summaries]),
        sgd_w=fit_slope([s.size for s in good], [s.w_error_norm.mean for s in good]),
        sgd_b=fit_slope([s.size for s in good], [s.b_error.mean for s in good]),
        sgd_sizes=tuple(s.size for s in good),
    )


# ---------------------------------------------------------------- learning rate x epochs


@dataclass(frozen=True)
class GridCell:
    """One (lr, epochs) cell: the state after `epochs` epochs at `lr`."""

    lr: float
    epochs: int
    train_mse: float
    val_mse: float
    w_error_norm: float
    b_error: float
    diverged: bool
    curve: tuple[float, ...]
    """Validation MSE from epoch 0 up to this cell's epoch (or the diverged one)."""
    diverged_at: int | None = None
    """The epoch the run diverged in, when it did (by this cell's epoch or later)."""
    predicted: str = ""
    """The theory's verdict at this lr on the run's data, before it trained: "stable",
    "edge", "diverges" or "bounces" (engine.theory_records.Stability); "" when too costly
    to predict (theory_moments.predictable)."""
    lr_ms_max: float = math.nan
    lr_gd_max: float = math.nan
    """The edges it was judged against, η_MS and η_GD, in the config's lr units."""

    @property
    def worse_than_start(self) -> bool:
        """Ended above its starting loss: diverging even if not yet overflowed."""
        return self.diverged or not self.val_mse <= self.curve[0]


# ---------------------------------------------------------------- loss comparison


@dataclass(frozen=True)
class LossRun:
    """One variant of the loss comparison, with every record of its run."""

    label: str
    config: RunConfig
    records: tuple[EpochRecord, ...]


def loss_variants(base: RunConfig) -> list[tuple[str, RunConfig]]:
    """mean at lr, sum at lr, sum at lr / batch_size, Huber, smooth-L1: same data and init."""
    lr, bs = base.lr, base.batch_size
    return [
        (f"mse-mean lr={lr:g}", replace(base, loss="mse-mean")),
        (f"mse-sum lr={lr:g}", replace(base, loss="mse-sum")),
        (f"mse-sum lr={lr:g}/{bs}", replace(base, loss="mse-sum", lr=lr / bs)),
        (f"huber d={base.delta:g}", replace(base, loss="huber")),
        (f"smooth-l1 b={base.delta:g}", replace(base, loss="smooth-l1")),
    ]


@dataclass(frozen=True)
class SeedOutcome:
    """How one seed of a configuration ended."""

    seed: int
    start: EpochRecord
    final: EpochRecord

    @property
    def blew_up(self) -> bool:
        """Diverged, or ended with a validation MSE above where it started."""
        return self.final.diverged or not self.final.val_mse <= self.start.val_mse


def _norm(values: Iterable[float]) -> float:
    return math.sqrt(sum(v * v for v in values))


def _mean(values: Iterable[float]) -> float:
    """The mean; inf if a value is inf (a diverging prediction), nan if one is nan."""
    return float(np.mean(list(values)))


def _spread(values: Iterable[float]) -> Spread:
    arr = np.asarray(list(values), dtype=float)
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        return Spread(math.nan, math.nan)
    return Spread(float(arr.mean()), float(arr.std()))
