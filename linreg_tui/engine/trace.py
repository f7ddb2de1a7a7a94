"""Per-step traces: the run's own SGD iterates, and full-batch gradient descent from the
same start, step by step; and the parameter plane they are drawn on (issue 14).

`trace_sgd` trains exactly as `training.train` does (the same data, initial weights,
shuffles, loss and update `p.add_(p.grad, alpha=-lr)`, which is torch.optim.SGD's step for
these settings) and writes each step's w, b and minibatch loss into one tensor allocated
up front: no object per step. It stops after the epoch at which `train` stops, so its last
step is the run's result, bit for bit. Blocks of rows leave as plain numbers (`TraceRows`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.engine.data import SyntheticData, make_data
from linreg_tui.engine.losses import LOSSES
from linreg_tui.engine.model import build_model
from linreg_tui.engine.plane import PathName, Plane, TraceRows
from linreg_tui.engine.theory import theory_of_data, training_inputs
from linreg_tui.engine.training import StopCheck, divergence_limit, setup_torch

__all__ = ["plane_of", "trace_gd", "trace_sgd"]


class _Tracer:
    """One model trained step by step, its every step written to a preallocated tensor."""

    def __init__(self, cfg: RunConfig, steps: int, data: SyntheticData | None) -> None:
        if cfg.average:
            raise ConfigError("average", "is for runs: a trace shows the iterates themselves")
        setup_torch()
        self.cfg, self.gen = cfg, torch.Generator().manual_seed(cfg.seed)
        self.data = make_data(cfg, self.gen) if data is None else data
        self.model = build_model(self.data.X, self.gen, cfg.init)
        self.loss_fn = LOSSES[cfg.loss].build(cfg)
        d = cfg.features
        self.rows = torch.empty(steps + 1, d + 2)
        """Row k: w (d), b, the loss of step k's minibatch (nan for step 0: none)."""
        self.w, self.b = self.rows[:, :d], self.rows[:, d]
        self.loss = self.rows[:, d + 1]
        with torch.no_grad():
            self.w[0] = self.model.weight.reshape(-1)
            self.b[0] = self.model.bias[0]
            self.loss[0] = math.nan
        self.sent = 0
        self.limit = divergence_limit(self.train_mse())

    def step(self, k: int, X: torch.Tensor, y: torch.Tensor) -> None:
        """SGD step k on (X, y), as `train` takes it; its row written."""
        model, lr = self.model, self.cfg.lr
        loss = self.loss_fn(model(X), y)
        model.weight.grad = model.bias.grad = None  # optimizer.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            model.weight.add_(model.weight.grad, alpha=-lr)
            model.bias.add_(model.bias.grad, alpha=-lr)
            self.w[k] = model.weight.reshape(-1)
            self.b[k] = model.bias[0]
            self.loss[k] = loss

    @torch.no_grad()
    def train_mse(self) -> float:
        """As `train` measures it: float64 mean over the training set."""
        X, y = self.data.train_X, self.data.train_y
        return float(((self.model(X) - y).double() ** 2).mean().item())

    @torch.no_grad()
    def diverged(self, upto: int, val: bool) -> bool:
        """`train`'s test at the end of an epoch: a non-finite loss, parameter or MSE, or a
        training MSE past the limit its start set."""
        mse = self.train_mse()
        losses = self.loss[self.sent + (self.sent == 0) : upto + 1].double()
        values = [mse, float(losses.sum()), float(self.rows[upto, :-1].double().sum())]
        if val:
            X, y = self.data.val_X, self.data.val_y
            values.append(float(((self.model(X) - y).double() ** 2).mean()))
        return not all(map(math.isfinite, values)) or mse > self.limit

    def block(self, path: PathName, upto: int, epoch_of: list[int], diverged: bool) -> TraceRows:
        """Rows sent .. upto as plain numbers (one `tolist` per column)."""
        lo, self.sent = self.sent, upto + 1
        losses: list[float | None] = self.loss[lo : upto + 1].tolist()
        if lo == 0:
            losses[0] = None  # no minibatch before the first step
        return TraceRows(
            path=path,
            first_step=lo,
            epochs=tuple(epoch_of),
            w_hat=tuple(map(tuple, self.w[lo : upto + 1].tolist())),
            b_hat=tuple(self.b[lo : upto + 1].tolist()),
            batch_loss=tuple(losses),
            diverged=diverged,
        )


def trace_sgd(
    cfg: RunConfig, should_stop: StopCheck | None = None, data: SyntheticData | None = None
) -> Iterator[TraceRows]:
    """The run `train(cfg)` trains, step by step: a block of rows per epoch (the first
    starts with step 0, the initial weights). Ends after a diverged epoch, like `train`;
    `should_stop` is asked before every step and ends the trace early when it says True."""
    tracer = _Tracer(cfg, cfg.total_steps, data)
    X, y = tracer.data.train_X, tracer.data.train_y
    n, batch, total = cfg.num_train, cfg.batch_size, cfg.total_steps
    k = 0
    for epoch in range(1, cfg.total_epochs + 1):
        perm = torch.randperm(n, generator=tracer.gen)
        Xs, ys = X[perm], y[perm]  # as `train`: one gather per epoch, then slices
        for lo in range(0, n, batch):
            if should_stop is not None and should_stop():
                return
            k += 1
            tracer.step(k, Xs[lo : lo + batch], ys[lo : lo + batch])
            if k == total:
                break
        diverged = tracer.diverged(k, val=True)
        epochs = [0] * (tracer.sent == 0) + [epoch] * (k - max(tracer.sent, 1) + 1)
        yield tracer.block("sgd", k, epochs, diverged)
        if diverged:
            return


def trace_gd(
    cfg: RunConfig,
    steps: int | None = None,
    should_stop: StopCheck | None = None,
    data: SyntheticData | None = None,
) -> Iterator[TraceRows]:
    """Full-batch gradient descent on the run's training set, with its loss, lr and
    initial weights, for `steps` steps (the run's own count by default): a block of rows
    per `batches_per_epoch` steps, so that its blocks pair with `trace_sgd`'s. Step k is
    the k-th pass over the data (its epoch); it ends after a block that diverged."""
    steps = cfg.total_steps if steps is None else steps
    tracer = _Tracer(cfg, steps, data)
    X, y = tracer.data.train_X, tracer.data.train_y
    block = cfg.batches_per_epoch
    for k in range(1, steps + 1):
        if should_stop is not None and should_stop():
            return
        tracer.step(k, X, y)
        if k % block == 0 or k == steps:
            diverged = tracer.diverged(k, val=False)
            yield tracer.block("gd", k, list(range(tracer.sent, k + 1)), diverged)
            if diverged:
                return


def plane_of(cfg: RunConfig) -> Plane:
    """The MSE's contours over (w1, w2) with the rest profiled out, or over (w1, b) with a
    single weight, and the theory's fit, noise ball and edges for `cfg` (float64)."""
    X, y, theta0 = training_inputs(cfg)
    th = theory_of_data(cfg, X, y, theta0)
    n, d = X.shape
    Xt = np.hstack([X, np.ones((n, 1))])
    G = Xt.T @ Xt / n
    on = [0, 1] if d >= 2 else [0, d]
    off = [i for i in range(d + 1) if i not in on]
    Q = G[np.ix_(on, on)]
    if off:  # the Schur complement: the other coordinates at their best for each point
        Q = Q - G[np.ix_(on, off)] @ np.linalg.pinv(G[np.ix_(off, off)]) @ G[np.ix_(off, on)]
    Q = (Q + Q.T) / 2
    fit = np.array([*th.fit_w, th.fit_b])
    truth = np.array([*cfg.w, cfg.b])
    ball = np.array(th.noise_ball)[np.ix_(on, on)]
    names = [f"w{i + 1}" for i in range(d)] + ["b"]
    rest = [names[i] for i in off]
    return Plane(
        axes=(names[on[0]], names[on[1]]),
        index=(on[0], on[1]),
        profiled=", ".join(rest) if len(rest) <= 3 else f"{rest[0]}…{rest[-2]}, b",
        fit=(float(fit[on[0]]), float(fit[on[1]])),
        truth=(float(truth[on[0]]), float(truth[on[1]])),
        form=_matrix(Q),
        min_mse=float(np.mean((Xt @ fit - y) ** 2)),
        ball=_matrix(ball) if np.isfinite(ball).all() and ball.any() else None,
        lr=cfg.lr,
        lr_gd_max=th.lr_gd_max,
        lr_ms_max=th.lr_ms_max,
        verdict=th.verdict,
        condition_number=th.condition_number,
        eigenvalues=th.eigenvalues,
        batches_per_epoch=cfg.batches_per_epoch,
    )


def _matrix(m: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    return ((float(m[0, 0]), float(m[0, 1])), (float(m[1, 0]), float(m[1, 1])))
