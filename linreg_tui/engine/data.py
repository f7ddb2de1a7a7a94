"""Synthetic data with the semantics of d2l's `SyntheticRegressionData` (section 3.3)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from linreg_tui.engine.config import RunConfig


@dataclass(frozen=True)
class SyntheticData:
    """X ~ N(0, 1) (conditioned by `condition`), y = Xw + b + noise; the first `num_train`
    rows train, the rest validate."""

    X: torch.Tensor
    y: torch.Tensor
    num_train: int
    outlier_rows: torch.Tensor
    """Indices of training rows whose labels were corrupted (empty without outliers)."""

    @property
    def train_X(self) -> torch.Tensor:
        return self.X[: self.num_train]

    @property
    def train_y(self) -> torch.Tensor:
        return self.y[: self.num_train]

    @property
    def val_X(self) -> torch.Tensor:
        return self.X[self.num_train :]

    @property
    def val_y(self) -> torch.Tensor:
        return self.y[self.num_train :]


def _draw(
    cfg: RunConfig, gen: torch.Generator, X: torch.Tensor, noise: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Everything a data set draws from `gen`, in d2l's order: X into `X` (n, d), the unit
    noise into `noise` (n, 1), then the outliers. Returns the outlier rows (long) and the
    shifts to add to their labels (count, 1); both empty without outliers."""
    torch.randn(X.shape, generator=gen, out=X)
    condition(cfg, X)
    torch.randn(noise.shape, generator=gen, out=noise)
    count = round(cfg.outliers * cfg.num_train)
    if not count:
        return torch.empty(0, dtype=torch.long), torch.empty(0, 1)
    rows = torch.randperm(cfg.num_train, generator=gen)[:count]
    return rows, cfg.outlier_scale * torch.randn(count, 1, generator=gen)


def condition(cfg: RunConfig, X: torch.Tensor) -> None:
    """Turn N(0, I) rows into rows of covariance diag(s)·R·diag(s), in place: R is the
    identity but for the correlation ρ of features 1 and 2 (x2 = ρ·z1 + √(1 − ρ²)·z2).

    At the defaults (s = 1, ρ = 0) nothing is touched, so X stays bit for bit d2l's.
    """
    rho = cfg.correlation
    if rho:
        X[:, 1].mul_(math.sqrt(1.0 - rho * rho)).add_(X[:, 0], alpha=rho)
    if any(s != 1.0 for s in cfg.scales):
        X.mul_(torch.tensor(cfg.scales, dtype=X.dtype))  # one scale broadcasts to all


def make_data(cfg: RunConfig, gen: torch.Generator) -> SyntheticData:
    """Draw the data set from `gen`: X first, then the noise, exactly as d2l does.

    With `gen = torch.Generator().manual_seed(s)` this gives the very tensors d2l's
    `SyntheticRegressionData` gives after `torch.manual_seed(s)`. Outliers are drawn
    afterwards, so the clean part of the data does not depend on them.
    """
    n = cfg.num_train + cfg.num_val
    w = torch.tensor(cfg.w, dtype=torch.float32)
    X, noise = torch.empty(n, len(w)), torch.empty(n, 1)
    rows, shifts = _draw(cfg, gen, X, noise)
    y = torch.matmul(X, w.reshape((-1, 1))) + cfg.b + noise * cfg.noise
    y[rows] += shifts
    return SyntheticData(X=X, y=y, num_train=cfg.num_train, outlier_rows=rows)


def make_data_stack(
    cfgs: Sequence[RunConfig], gens: Sequence[torch.Generator]
) -> tuple[torch.Tensor, torch.Tensor]:
    """`make_data(cfg, gen)` for each pair, stacked: X (K, N, d), y (K, N, 1).

    The configs must share their sizes and feature count. Each generator gives the same
    draws, in the same order, as in `make_data` (both call `_draw`); only the arithmetic
    after the draws runs once for all K data sets, which is most of the cost of K small
    ones.
    """
    first = cfgs[0]
    K, N, d = len(cfgs), first.num_train + first.num_val, first.features
    X, noise = torch.empty(K, N, d), torch.empty(K, N, 1)
    outliers = [_draw(cfg, gen, X[k], noise[k]) for k, (cfg, gen) in enumerate(zip(cfgs, gens))]
    w = torch.tensor([cfg.w for cfg in cfgs], dtype=torch.float32).reshape(K, d, 1)
    b = torch.tensor([cfg.b for cfg in cfgs], dtype=torch.float32).reshape(K, 1, 1)
    sigma = torch.tensor([cfg.noise for cfg in cfgs], dtype=torch.float32).reshape(K, 1, 1)
    # (w^T X^T)^T: the same numbers as X w, several times faster for one column
    y = torch.matmul(w.transpose(1, 2), X.transpose(1, 2)).transpose(1, 2)
    y += b
    y += noise.mul_(sigma)
    for k, (rows, shifts) in enumerate(outliers):
        y[k, rows] += shifts
    return X, y
