"""Predict a run before it trains: curvature, stability edges, noise ball, error after k steps.

The model is linear and the objective quadratic (inside δ for Huber and smooth-L1), so all of
this follows from the run's own training data (THEORY.md). Float64 numpy; torch only draws
the data and the initial weights exactly as the run does. No tensor leaves this module.

The error predicted is the one records and the size sweep report: against the *true*
parameters of the config, ‖w − w*‖ and |b − b*| (`EpochRecord.w_error`, `SizePoint.w_error`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Final

import numpy as np
import torch

from linreg_tui.engine.config import DEFAULT_SEEDS, DEFAULT_SIZES, LossName, RunConfig
from linreg_tui.engine.data import make_data
from linreg_tui.engine.model import initial_parameters
from linreg_tui.engine.theory_moments import (
    Moments,
    StepKind,
    epoch_factor,
    mean_factor,
    mean_norm,
    ms_bound,
    noise_ball,
    spread,
)
from linreg_tui.engine.theory_records import (
    ROBUST_LOSSES,
    Stability,
    Theory,
    growth_at,
    stability,
)

__all__ = [
    "Stability",
    "Theory",
    "growth_at",
    "stability",
    "theory",
    "theory_of_data",
    "theory_sizes",
    "training_inputs",
]

CURVATURE: Final[dict[LossName, float]] = {
    "mse-mean": 2.0,  # d/dr of r²
    "mse-sum": 2.0,  # and times the batch's size: the sum of m means
    "huber": 1.0,  # r²/2 inside δ (nn.HuberLoss)
    "smooth-l1": 1.0,  # r²/(2β) inside β: divided by β below
}
"""Per-example curvature of each loss in r = prediction − label, inside δ."""
MSE: Final = ("mse-mean", "mse-sum")


def training_inputs(cfg: RunConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The run's training X (n, d), y (n,) and initial θ₀ = (w₀, b₀) (d + 1,), in float64,
    drawn from `cfg.seed` exactly as `train()` and `train_batched()` draw them."""
    gen = torch.Generator().manual_seed(cfg.seed)
    data = make_data(cfg, gen)
    weight, bias = initial_parameters(cfg.features, gen, cfg.init)
    theta0 = torch.cat([weight.reshape(-1), bias]).double().numpy()
    return data.train_X.double().numpy(), data.train_y.double().numpy().reshape(-1), theta0


def theory(cfg: RunConfig) -> Theory:
    """Everything predictable about the run `cfg` describes, from its own data."""
    return theory_of_data(cfg, *training_inputs(cfg))


def theory_sizes(
    base: RunConfig, sizes: Sequence[int] = DEFAULT_SIZES, seeds: int = DEFAULT_SEEDS
) -> Iterator[tuple[int, int, Theory]]:
    """(size, seed, theory) for the runs `sweep_sizes(base, sizes, seeds)` trains: each
    size with num_train = num_val = size, seeds base.seed on. About 2.5 ms at n = 10240."""
    for size in sizes:
        for seed in range(base.seed, base.seed + seeds):
            yield size, seed, theory(replace(base, num_train=size, num_val=size, seed=seed))


def theory_of_data(cfg: RunConfig, X: np.ndarray, y: np.ndarray, theta0: np.ndarray) -> Theory:
    """`theory(cfg)` from data already drawn (a sweep has it): X (n, d), y (n,), θ₀ (d + 1,).

    n is X's row count; cfg gives the loss, batch size, lr, steps, noise and true θ*.
    """
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):  # diverging lrs: inf
        return _theory(cfg, X, y, theta0)


def _theory(cfg: RunConfig, X: np.ndarray, y: np.ndarray, theta0: np.ndarray) -> Theory:
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64).reshape(-1)
    theta0 = np.asarray(theta0, dtype=np.float64).reshape(-1)
    n, d = X.shape
    if n != cfg.num_train or d != cfg.features:
        raise ValueError(f"X is {n} x {d}; the config trains on {cfg.num_train} x {cfg.features}")
    Xt = np.hstack([X, np.ones((n, 1))])
    truth = np.array([*cfg.w, cfg.b])
    g, V, in_range, G_pinv, fit = _least_squares(Xt, y, truth)
    r = Xt @ fit - y

    batch = min(cfg.batch_size, n)
    per_epoch = math.ceil(n / batch)
    last = n - (per_epoch - 1) * batch
    a = CURVATURE[cfg.loss] / (cfg.delta if cfg.loss == "smooth-l1" else 1.0)
    summed = cfg.loss == "mse-sum"
    full = StepKind.of(g, a * (batch if summed else 1), batch, n)
    short = StepKind.of(g, a * (last if summed else 1), last, n) if last < batch else None
    short_scale = short.s / full.s if short is not None else 1.0
    lam, lr, k = full.lam, cfg.lr, cfg.total_steps
    smallest = lam[in_range][-1]

    # the mean error, direction by direction: (1 − ηλ) per full step, (1 − ηλ_short) per short
    f = 1 - lr * lam
    growth_epoch = float(epoch_factor(lam, lr, per_epoch, short_scale).max())
    past_gd = growth_epoch > 1 + 1e-12
    diverges = past_gd and cfg.loss not in ROBUST_LOSSES
    e0 = V.T @ (theta0 - fit)
    mean_k = e0 * mean_factor(f, 1 - lr * short_scale * lam, per_epoch, k, cfg.average)
    mean_k = np.where(np.isnan(mean_k), math.inf, mean_k)

    mom = Moments(Xt @ V, r, in_range)
    lr_ms = min(ms_bound(mom, full), 2 / lam[0])
    ball = noise_ball(mom, full, lr, lr_ms)
    notes = _notes(cfg, lr, lr_ms, 2 / lam[0], (abs(f[0]), growth_epoch), last, mom.dense)
    if past_gd:
        cov_k = np.full_like(ball, math.inf)
    elif cfg.average:  # THEORY: averaged iterates remove the ball
        cov_k = np.zeros_like(ball)
    elif mom.dense:
        cov_k = spread(mom, full, short, per_epoch, k, lr, e0)
    else:
        cov_k = ball  # the stationary ball, as THEORY allows once k ≫ 1/(ηλ_{d+1})
    cov_k = np.where(np.isnan(cov_k), math.inf, cov_k)

    outliers = round(cfg.outliers * cfg.num_train)
    sigma2 = cfg.noise**2 + cfg.outlier_scale**2 * outliers / max(cfg.num_train, 1)
    floor = sigma2 / n * G_pinv
    mean = np.where(np.isfinite(V @ mean_k), V @ mean_k, math.inf)
    cov = V @ cov_k @ V.T if np.isfinite(cov_k).all() else np.full_like(cov_k, math.inf)
    ball_orig = V @ ball @ V.T if np.isfinite(ball).all() else ball
    w, b = slice(0, d), slice(d, d + 1)
    transient = [float(np.linalg.norm(mean[s])) for s in (w, b)]
    spread_rms = [_rms(cov[s, s]) for s in (w, b)]
    floor_rms = [_rms(floor[s, s]) for s in (w, b)]
    predicted = [
        math.sqrt(t * t + s * s + fl * fl) for t, s, fl in zip(transient, spread_rms, floor_rms)
    ]
    predicted_mean = [mean_norm(mean[s], cov[s, s] + floor[s, s]) for s in (w, b)]
    if past_gd:  # inf for a diverging MSE run, nan for a bouncing robust one
        predicted = predicted_mean = [math.inf if diverges else math.nan] * 2
    inside = 1.0 if cfg.loss in MSE else float(np.mean(np.abs(r) < cfg.delta))
    return Theory(
        loss=cfg.loss,
        lr=lr,
        batch=batch,
        short_batch=last if short is not None else 0,
        batches_per_epoch=per_epoch,
        short_step_scale=short_scale,
        steps=k,
        eigenvalues=tuple(lam.tolist()),
        condition_number=float(lam[0] / lam[-1]) if in_range.all() else math.inf,
        lr_gd_max=float(2 / lam[0]),
        lr_gd_best=float(2 / (lam[0] + smallest)),
        lr_ms_max=float(lr_ms),
        growth_per_step=float(abs(f[0])),
        growth_per_step_max=float(np.abs(f).max()),
        growth_per_epoch=growth_epoch,
        verdict=_verdict(diverges, past_gd, lr < lr_ms),
        diverges=diverges,
        fit_w=tuple(fit[:d].tolist()),
        fit_b=float(fit[d]),
        lstsq_w_error=float(np.linalg.norm(fit[:d] - truth[:d])),
        lstsq_b_error=float(abs(fit[d] - truth[d])),
        floor_w_error=floor_rms[0],
        floor_b_error=floor_rms[1],
        noise_ball=tuple(tuple(row) for row in ball_orig.tolist()),
        noise_ball_w=_rms(ball_orig[w, w]),
        noise_ball_b=_rms(ball_orig[b, b]),
        expected_w=tuple((fit[:d] + mean[:d]).tolist()),
        expected_b=float(fit[d] + mean[d]),
        transient_w=transient[0],
        transient_b=transient[1],
        ball_w=spread_rms[0],
        ball_b=spread_rms[1],
        predicted_w_error=predicted[0],
        predicted_b_error=predicted[1],
        predicted_w_error_mean=predicted_mean[0],
        predicted_b_error_mean=predicted_mean[1],
        quadratic_fraction=inside,
        notes=notes + _quadratic_notes(cfg, inside, Xt @ theta0 - y),
    )


def _least_squares(
    Xt: np.ndarray, y: np.ndarray, truth: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """G = X̃ᵀX̃/n's eigenvalues (descending; exact zeros off its range) and eigenvectors,
    which eigenvalues are in its range, its pseudo-inverse, and the least-squares fit
    nearest the truth, θ* + pinv(X̃)(y − X̃θ*) (the fit itself when it is unique)."""
    n = Xt.shape[0]
    g, V = np.linalg.eigh(Xt.T @ Xt / n)
    g, V = g[::-1], V[:, ::-1]
    in_range = g > 1e-10 * g[0]
    g = np.where(in_range, g, 0.0)
    G_pinv = (V * np.divide(1.0, g, out=np.zeros_like(g), where=in_range)) @ V.T
    return g, V, in_range, G_pinv, truth + G_pinv @ (Xt.T @ (y - Xt @ truth)) / n


def _verdict(diverges: bool, past_gd: bool, below_ms: bool) -> Stability:
    """`stability(cfg.lr, ...)`, from what the theory already computed."""
    if past_gd:
        return "diverges" if diverges else "bounces"
    return "stable" if below_ms else "edge"


def _rms(block: np.ndarray) -> float:
    """√trace of a covariance block (clipped at 0 against rounding)."""
    return math.sqrt(max(float(np.trace(block)), 0.0))


def _notes(
    cfg: RunConfig,
    lr: float,
    lr_ms: float,
    lr_gd: float,
    growth: tuple[float, float],
    last: int,
    dense: bool,
) -> tuple[str, ...]:
    step, epoch = growth
    notes = []
    if epoch > 1 + 1e-12 and cfg.loss in ROBUST_LOSSES:
        notes.append(
            f"lr {lr:.3g} is past η_GD {lr_gd:.3g}: near the fit the error grows x{step:.3g} per"
            f" step until residuals pass δ {cfg.delta:g}, where the gradient is clipped: the"
            " iterates bounce around the fit instead of settling (predicted error: none)"
        )
    elif epoch > 1 + 1e-12:
        notes.append(
            f"lr {lr:.3g} is past η_GD {lr_gd:.3g}: the top direction grows x{step:.3g} per step"
            f" (x{epoch:.3g} per epoch), so the expected error diverges (predicted inf)"
        )
    elif lr > lr_gd:
        notes.append(
            f"lr {lr:.3g} is past η_GD {lr_gd:.3g} for a full batch (x{step:.3g} per step), but"
            f" each epoch's last batch of {last} takes a smaller step: x{epoch:.3g} per epoch"
        )
    elif lr >= lr_ms:
        notes.append(
            f"lr {lr:.3g} is between η_MS {lr_ms:.3g} and η_GD {lr_gd:.3g}: the mean converges"
            " but the spread grows with every step (no noise ball); some seeds blow up"
        )
    if not dense:
        notes.append(
            f"{cfg.features + 1} parameters: η_MS and the ball come from iterations, and the"
            " ball at k is taken as the stationary one"
        )
    return tuple(notes)


def _quadratic_notes(cfg: RunConfig, inside: float, start_residuals: np.ndarray) -> tuple[str, ...]:
    if cfg.loss in MSE:
        return ()
    notes = []
    if inside < 1:
        notes.append(
            f"{1 - inside:.0%} of residuals at the fit lie beyond δ {cfg.delta:g}: the loss is"
            " flatter there than the quadratic this theory assumes"
        )
    if float(np.max(np.abs(start_residuals))) >= cfg.delta:
        notes.append(
            f"residuals at the start exceed δ {cfg.delta:g}: the first steps are clipped, so"
            " the real transient is slower than predicted"
        )
    return tuple(notes)
