"""What the theory predicts for one run, as plain numbers: importable without torch.

`linreg_tui.engine.theory` computes it from the run's data; the app may receive it from
another process, so this module (like `records` and `results`) must not load torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from linreg_tui.engine.config import LossName
from linreg_tui.engine.theory_moments import epoch_factor

Stability = Literal["stable", "edge", "diverges", "bounces"]
"""stable: below η_MS. edge: between η_MS and η_GD, some seeds grow. diverges: past η_GD
(MSE). bounces: past η_GD with Huber or smooth-L1, whose gradient is clipped beyond δ: the
iterates cannot run away, they bounce around the fit instead of settling."""
ROBUST_LOSSES = ("huber", "smooth-l1")


@dataclass(frozen=True)
class Theory:
    """What the linear model predicts for one run, from its own data; plain numbers only.

    Learning rates are in the config's units: for mse-sum, the lr that multiplies the summed
    gradient (so every edge is the mean loss's divided by the batch size).
    """

    loss: LossName
    lr: float
    batch: int
    """Rows in a full minibatch: min(batch_size, num_train)."""
    short_batch: int
    """Rows in each epoch's last, shorter batch; 0 when every batch is full."""
    batches_per_epoch: int
    short_step_scale: float
    """Curvature of an epoch's last step relative to a full one: short_batch/batch for
    mse-sum (a sum of fewer rows), else 1."""
    steps: int
    """k, the SGD steps the predictions are for (the config's total_steps)."""
    eigenvalues: tuple[float, ...]
    """Of H, the full-data curvature a full minibatch step sees (THEORY.md table), descending."""
    condition_number: float
    """λ₁/λ_{d+1}; inf when H is singular (fewer rows than parameters)."""
    lr_gd_max: float
    """η_GD = 2/λ₁: above it full-batch gradient descent diverges."""
    lr_gd_best: float
    """2/(λ₁ + λ_{d+1}): the single lr that contracts full-batch GD fastest."""
    lr_ms_max: float
    """η_MS: above it minibatch SGD's mean square error grows (η_MS ≤ η_GD, equal at B ≥ n)."""
    growth_per_step: float
    """|1 − ηλ₁|: the top direction's factor per full-batch step at the configured lr."""
    growth_per_step_max: float
    """max over directions of |1 − ηλᵢ|."""
    growth_per_epoch: float
    """max over directions of the factor over one epoch (the short last batch of mse-sum
    takes a smaller step: this is what decides divergence)."""
    verdict: Stability
    """`stability(lr, self)` at the configured lr."""
    diverges: bool
    """growth_per_epoch > 1 with an MSE loss: the expected error grows without bound."""
    fit_w: tuple[float, ...]
    fit_b: float
    """θ̂, least squares on the training data (the solution nearest the truth if not unique)."""
    lstsq_w_error: float
    lstsq_b_error: float
    """The floor as it fell on this data: ‖ŵ − w*‖, |b̂ − b*| of the fit θ̂."""
    floor_w_error: float
    floor_b_error: float
    """The statistical floor, RMS over label noise: √(σ² tr((X̃ᵀX̃)⁻¹)) per block (σ² includes
    the outliers' variance)."""
    noise_ball: tuple[tuple[float, ...], ...]
    """Stationary covariance Σ of θ around θ̂ under constant-lr SGD, (d+1) x (d+1), bias
    last; zeros when a batch holds every row, inf when lr ≥ η_MS."""
    noise_ball_w: float
    noise_ball_b: float
    """√tr of Σ's w block, √Σ_bb: the RMS size of the ball."""
    expected_w: tuple[float, ...]
    expected_b: float
    """Mean of the reported parameters after k steps: θ̂ + (I − ηH)^k (θ₀ − θ̂) (averaged over
    the last epoch's iterates with `average`)."""
    transient_w: float
    transient_b: float
    """‖expected − θ̂‖ per block: what is left of the start."""
    ball_w: float
    ball_b: float
    """SGD's RMS spread around the expected parameters at step k (the noise ball as far as
    it has formed, plus the minibatch spread of the transient); 0 with `average`."""
    predicted_w_error: float
    predicted_b_error: float
    """RMS error against the truth after k steps: √(transient² + ball² + floor²); inf when
    the lr diverges, nan when it bounces (the clipped dynamics are not this theory's)."""
    predicted_w_error_mean: float
    predicted_b_error_mean: float
    """Expected ‖w − w*‖, |b − b*| for a Gaussian of the same mean and spread: what a mean
    over seeds measures (≈ 0.8-0.9 x the RMS once the noise dominates)."""
    quadratic_fraction: float
    """Share of training rows with |residual| < δ at θ̂ (1 for MSE): where Huber and smooth-L1
    are the quadratic this theory assumes."""
    notes: tuple[str, ...]
    """Why a number is inf or only approximate, in words; empty when nothing to say."""


def growth_at(lr: float, theory: Theory) -> tuple[float, float]:
    """At another lr on the same data: (|1 − ηλ₁| per full step, the max factor per epoch)."""
    lam = np.array(theory.eigenvalues)
    per_epoch = epoch_factor(lam, lr, theory.batches_per_epoch, theory.short_step_scale)
    return abs(1 - lr * lam[0]), float(per_epoch.max())


def stability(lr: float, theory: Theory) -> Stability:
    """Whether `lr` is "stable", "edge", "diverges" or "bounces" on this data (see Stability).

    Precisely, past η_GD means the expected error grows over an epoch: with mse-sum the
    short last batch of an epoch steps less and can pull it back a little above η_GD.
    """
    if growth_at(lr, theory)[1] > 1 + 1e-12:
        return "bounces" if theory.loss in ROBUST_LOSSES else "diverges"
    return "stable" if lr < theory.lr_ms_max else "edge"
