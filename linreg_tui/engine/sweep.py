"""Sweeps over dataset size, learning rate x epochs, and loss, built on the training code.

The records they yield and their summaries live in the torch-free `results` module; this
module re-exports them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

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
from linreg_tui.engine.results import (
    GridCell,
    LossRun,
    SeedOutcome,
    SizePoint,
    SizeSlopes,
    SizeSummary,
    Spread,
    fit_slope,
    loss_variants,
    size_slopes,
    summarize_sizes,
)
from linreg_tui.engine.theory import Theory, stability, theory
from linreg_tui.engine.theory_moments import predictable
from linreg_tui.engine.training import StopCheck, train

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
        cheap = predictable(size, cfg.features)
        for seed, records, floor_w, floor_b in zip(
            seed_list, runs, floors_w.tolist(), floors_b.tolist()
        ):
            last = records[-1]
            th = theory(replace(cfg, seed=seed)) if cheap else None  # 2 ms at n = 10240
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
                **_predicted_errors(th),
            )


def _predicted_errors(th: Theory | None) -> dict[str, Any]:
    """A SizePoint's predicted fields from its theory (none: the defaults, nan)."""
    if th is None:
        return {}
    return {
        "predicted_w_error": th.predicted_w_error,
        "predicted_b_error": th.predicted_b_error,
        "predicted_terms_w": (th.transient_w, th.ball_w, th.floor_w_error),
    }


# ---------------------------------------------------------------- learning rate x epochs


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
    edges = theory(cfgs[0]) if predictable(base.num_train, base.features) else None
    for cfg, records in zip(cfgs, runs):
        predicted = stability(cfg.lr, edges) if edges else ""  # one theory judges every lr
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
                predicted=predicted,
                lr_ms_max=edges.lr_ms_max if edges else math.nan,
                lr_gd_max=edges.lr_gd_max if edges else math.nan,
            )


# ---------------------------------------------------------------- loss comparison


def sweep_loss(base: RunConfig, should_stop: StopCheck | None = None) -> Iterator[LossRun]:
    """Train each variant of `loss_variants` in turn; stop quietly when asked to."""
    for label, cfg in loss_variants(base):
        records = tuple(train(cfg, should_stop))
        if should_stop is not None and should_stop():
            return
        yield LossRun(label=label, config=cfg, records=records)


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
