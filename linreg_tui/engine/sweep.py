"""Sweeps over dataset size, learning rate x epochs, and loss, built on the training code."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from linreg_tui.engine.batched import lstsq_batched, train_batched, train_seeds
from linreg_tui.engine.config import (
    DEFAULT_EPOCHS_LIST,
    DEFAULT_LRS,
    DEFAULT_SEEDS,
    DEFAULT_SIZES,
    NEAR_FLOOR,
    SIZE_SWEEP_B,
    RunConfig,
)
from linreg_tui.engine.data import make_data
from linreg_tui.engine.training import EpochRecord, StopCheck, train

__all__ = [
    "DEFAULT_EPOCHS_LIST",
    "DEFAULT_LRS",
    "DEFAULT_SEEDS",
    "DEFAULT_SIZES",
    "NEAR_FLOOR",
    "SIZE_SWEEP_B",
    "GridCell",
    "LossRun",
    "SeedOutcome",
    "SizePoint",
    "SizeSlopes",
    "SizeSummary",
    "Spread",
    "fit_slope",
    "loss_variants",
    "lstsq_fit",
    "size_slopes",
    "summarize_sizes",
    "sweep_loss",
    "sweep_lr",
    "sweep_seeds",
    "sweep_sizes",
]


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

    @property
    def w_error_norm(self) -> float:
        return _norm(self.w_error)

    @property
    def lstsq_w_error_norm(self) -> float:
        return _norm(self.lstsq_w_error)


def lstsq_fit(cfg: RunConfig) -> tuple[tuple[float, ...], float]:
    """Closed-form least squares (float64, with a bias column) on the run's training data."""
    data = make_data(cfg, torch.Generator().manual_seed(cfg.seed))
    X = data.train_X.double().numpy()
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    coef, *_ = np.linalg.lstsq(A, data.train_y.double().numpy().reshape(-1), rcond=None)
    return tuple(float(c) for c in coef[:-1]), float(coef[-1])


def sweep_sizes(
    base: RunConfig,
    sizes: Sequence[int] = DEFAULT_SIZES,
    seeds: int = DEFAULT_SEEDS,
    should_stop: StopCheck | None = None,
) -> Iterator[SizePoint]:
    """For each size n (num_train = num_val = n), train `seeds` runs from base.seed on.

    The seeds of one size train together (`train_seeds`); the generator ends early,
    yielding nothing more, when `should_stop` answers True.
    """
    seed_list = [base.seed + k for k in range(seeds)]
    for size in sizes:
        cfg = replace(base, num_train=size, num_val=size)
        result = train_seeds(cfg, seed_list, should_stop, final_only=True)
        if result is None:
            return
        runs, X, y = result
        floors_w, floors_b = lstsq_batched(X, y)
        for seed, records, floor_w, floor_b in zip(
            seed_list, runs, floors_w.tolist(), floors_b.tolist()
        ):
            last = records[-1]
            yield SizePoint(
                size=size,
                seed=seed,
                steps=last.steps,
                train_mse=last.train_mse,
                val_mse=last.val_mse,
                w_hat=last.w_hat,
                b_hat=last.b_hat,
                w_error=last.w_error,
                b_error=last.b_error,
                lstsq_w_error=tuple(abs(t - e) for t, e in zip(cfg.w, floor_w)),
                lstsq_b_error=abs(cfg.b - floor_b),
                diverged=last.diverged,
            )


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

    @property
    def worse_than_start(self) -> bool:
        """Ended above its starting loss: diverging even if not yet overflowed."""
        return self.diverged or not self.val_mse <= self.curve[0]


def sweep_lr(
    base: RunConfig,
    lrs: Sequence[float] = DEFAULT_LRS,
    epochs_list: Sequence[int] = DEFAULT_EPOCHS_LIST,
    should_stop: StopCheck | None = None,
) -> Iterator[GridCell]:
    """All cells, lr-major. One run of max(epochs_list) epochs per lr gives every cell,
    because a seeded run's first k epochs do not depend on how many follow."""
    longest = max(epochs_list)
    cfgs = [replace(base, lr=lr, epochs=longest, steps=0, average=False) for lr in lrs]
    runs = train_batched(cfgs, should_stop)
    if runs is None:
        return
    for cfg, records in zip(cfgs, runs):
        diverged_at = records[-1].epoch if records[-1].diverged else None
        for epochs in epochs_list:
            rec = records[min(epochs, len(records) - 1)]
            yield GridCell(
                lr=cfg.lr,
                epochs=epochs,
                train_mse=rec.train_mse,
                val_mse=rec.val_mse,
                w_error_norm=rec.w_error_norm,
                b_error=rec.b_error,
                diverged=rec.diverged,
                curve=tuple(r.val_mse for r in records[: rec.epoch + 1]),
                diverged_at=diverged_at if rec.diverged else None,
            )


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


def sweep_loss(base: RunConfig, should_stop: StopCheck | None = None) -> Iterator[LossRun]:
    """Train each variant of `loss_variants` in turn; stop quietly when asked to."""
    for label, cfg in loss_variants(base):
        records = tuple(train(cfg, should_stop))
        if should_stop is not None and should_stop():
            return
        yield LossRun(label=label, config=cfg, records=records)


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


def sweep_seeds(
    base: RunConfig, seeds: int, should_stop: StopCheck | None = None
) -> list[SeedOutcome] | None:
    """Train seeds base.seed, base.seed + 1, ... together; None when stopped.

    d2l 3.5 ex. 1: mse-sum at the mean's lr sits on the edge of stability, so whether a
    run blows up depends on the seed; counting them shows it.
    """
    cfgs = [replace(base, seed=base.seed + k) for k in range(seeds)]
    runs = train_batched(cfgs, should_stop)
    if runs is None:
        return None
    return [SeedOutcome(cfg.seed, records[0], records[-1]) for cfg, records in zip(cfgs, runs)]


def _norm(values: Iterable[float]) -> float:
    return math.sqrt(sum(v * v for v in values))


def _spread(values: Iterable[float]) -> Spread:
    arr = np.asarray(list(values), dtype=float)
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        return Spread(math.nan, math.nan)
    return Spread(float(arr.mean()), float(arr.std()))
