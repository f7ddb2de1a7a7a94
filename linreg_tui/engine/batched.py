"""Many runs of one shape trained together as one batched tensor program.

Sweeps train the seeds of one dataset size, or the learning rates of one grid column,
side by side: K independent models stacked along a leading axis, each with its own data,
initial weights, shuffles and learning rate drawn from its own generator in the same order
as `train()`. The gradient of each loss is written out (it is one line per loss), so one
step of all K models costs a few batched matmuls instead of K trips through autograd. A
test holds every record equal to the one-run-at-a-time `train()` to 1e-5.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.data import make_data
from linreg_tui.engine.model import initial_parameters
from linreg_tui.engine.training import EpochRecord, StopCheck, divergence_limit, setup_torch

_SHAPE_FIELDS = (
    "num_train", "num_val", "batch_size", "epochs", "loss", "delta", "steps", "average",
)  # fmt: skip


@dataclass(frozen=True)
class _Loss:
    """A loss as two elementwise maps of the residual r = prediction - label."""

    value: Callable[[torch.Tensor], torch.Tensor]
    """Per-example loss."""
    step: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    """(r, coef) -> lr * d(objective)/d(prediction), with coef = lr / m (mean) or lr (sum)."""
    reduction: str


def _loss(cfg: RunConfig) -> _Loss:
    delta = cfg.delta

    def huber(r: torch.Tensor) -> torch.Tensor:
        a = r.abs()
        return torch.where(a < delta, 0.5 * r * r, delta * (a - 0.5 * delta))

    def smooth_l1(r: torch.Tensor) -> torch.Tensor:
        a = r.abs()
        return torch.where(a < delta, 0.5 * r * r / delta, a - 0.5 * delta)

    square = lambda r: r * r  # noqa: E731
    twice = lambda r, c: r * (2 * c)  # noqa: E731
    table = {
        "mse-mean": _Loss(square, twice, "mean"),
        "mse-sum": _Loss(square, twice, "sum"),
        "huber": _Loss(huber, lambda r, c: r.clamp(-delta, delta) * c, "mean"),
        "smooth-l1": _Loss(smooth_l1, lambda r, c: r.clamp(-delta, delta) * (c / delta), "mean"),
    }
    return table[cfg.loss]


def _batch_objective(loss: _Loss, r: torch.Tensor, bs: int) -> torch.Tensor:
    """The objective of each minibatch of r (K, m, 1), in order, averaged over them: (K,)."""
    values = loss.value(r).squeeze(2)
    m = values.shape[1]
    full = m // bs
    reduce = torch.mean if loss.reduction == "mean" else torch.sum
    parts = [reduce(values[:, : full * bs].reshape(-1, full, bs), dim=2)] if full else []
    if m > full * bs:
        parts.append(reduce(values[:, full * bs :], dim=1, keepdim=True))
    per_batch = torch.cat(parts, dim=1)
    return per_batch.double().mean(dim=1)


def train_batched(
    cfgs: Sequence[RunConfig], should_stop: StopCheck | None = None
) -> list[list[EpochRecord]] | None:
    """Train every config to its end; return each run's records as `train()` yields them.

    The configs must share their shape (sizes, batch, epochs, loss, steps, averaging) and
    feature count; seeds, learning rates, true parameters, noise and init may differ.
    Returns None when `should_stop` answered True.
    """
    result = train_batched_with_data(cfgs, should_stop)
    return None if result is None else result[0]


def lstsq_batched(X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Closed-form least squares per model, in float64 with a bias column: (K, d), (K,)."""
    A = torch.cat([X.double(), torch.ones(*X.shape[:2], 1, dtype=torch.float64)], dim=2)
    AT = A.transpose(1, 2)
    gram = torch.bmm(AT, A)  # (K, d+1, d+1): well conditioned for X ~ N(0, 1)
    coef, info = torch.linalg.solve_ex(gram, torch.bmm(AT, y.double()))
    if X.shape[1] <= X.shape[2] or bool(info.any()):  # rank-deficient: minimum-norm solution
        coef = torch.linalg.lstsq(A, y.double(), driver="gelsd").solution
    coef = coef.squeeze(2)
    return coef[:, :-1], coef[:, -1]


def train_batched_with_data(
    cfgs: Sequence[RunConfig], should_stop: StopCheck | None = None, final_only: bool = False
) -> tuple[list[list[EpochRecord]], torch.Tensor, torch.Tensor] | None:
    """`train_batched`, also returning the stacked training data X (K, n, d), y (K, n, 1).

    With `final_only`, each run gets just its last record, with no evaluation pass over
    the data after every other epoch: equal to `train_batched`'s last record, except that
    a run that diverged says so at the last epoch rather than at the epoch it happened.
    """
    if not cfgs:
        return [], torch.empty(0), torch.empty(0)
    first = cfgs[0]
    for cfg in cfgs:
        if any(getattr(cfg, f) != getattr(first, f) for f in _SHAPE_FIELDS) or (
            cfg.features != first.features
        ):
            raise ValueError("train_batched needs configs of one shape")
    setup_torch()
    start = time.perf_counter()
    gens = [torch.Generator().manual_seed(cfg.seed) for cfg in cfgs]
    datas = [make_data(cfg, gen) for cfg, gen in zip(cfgs, gens)]
    params = [initial_parameters(cfg.features, g, cfg.init) for g, cfg in zip(gens, cfgs)]
    K, n, bs = len(cfgs), first.num_train, first.batch_size
    X = torch.stack([d.train_X for d in datas])  # (K, n, d)
    y = torch.stack([d.train_y for d in datas])  # (K, n, 1)
    vX = torch.stack([d.val_X for d in datas])
    vy = torch.stack([d.val_y for d in datas])
    W = torch.stack([w.reshape(-1, 1) for w, _ in params])  # (K, d, 1)
    b = torch.stack([b.reshape(1, 1) for _, b in params])  # (K, 1, 1)
    lr = torch.tensor([cfg.lr for cfg in cfgs]).reshape(K, 1, 1)
    true_w = torch.tensor([cfg.w for cfg in cfgs])  # (K, d)
    true_b = torch.tensor([cfg.b for cfg in cfgs])
    loss = _loss(first)
    last_epoch, total_steps = first.total_epochs, first.total_steps
    out: list[list[EpochRecord]] = [[] for _ in cfgs]
    alive = [True] * K
    start_mse = (torch.baddbmm(b, X, W) - y).square().mean(dim=(1, 2)).tolist()
    limits = [divergence_limit(m) for m in start_mse]
    rows = torch.arange(K).reshape(K, 1)
    no_grad: torch.Tensor | None = None
    if not final_only:
        objective0 = _batch_objective(loss, torch.baddbmm(b, X, W) - y, bs)
        _emit(out, alive, 0, 0, objective0, X, y, vX, vy, W, b, no_grad, no_grad,
              true_w, true_b, start, limits)  # fmt: skip
    # lr folded into the per-example step: coef = lr / m for a mean over m examples
    coef = {m: lr / m if loss.reduction == "mean" else lr for m in {bs, n % bs or bs}}
    steps = 0
    for epoch in range(1, last_epoch + 1):
        perms = torch.stack([torch.randperm(n, generator=g) for g in gens])
        Xs, ys = X[rows, perms], y[rows, perms]
        XsT = Xs.transpose(1, 2)
        averaging = first.average and epoch == last_epoch
        evaluate = not final_only or epoch == last_epoch
        W_sum, b_sum = torch.zeros_like(W), torch.zeros_like(b)
        residuals: list[torch.Tensor] = []
        for lo in range(0, n, bs):
            if should_stop is not None and should_stop():
                return None
            Xb = Xs[:, lo : lo + bs]
            r = torch.baddbmm(b, Xb, W) - ys[:, lo : lo + bs]
            g = loss.step(r, coef[Xb.shape[1]])  # lr * dL/dprediction
            XbT = XsT[:, :, lo : lo + bs]
            W = torch.baddbmm(W, XbT, g, alpha=-1)
            b = b - g.sum(dim=1, keepdim=True)
            if evaluate:
                residuals.append(r)
            steps += 1
            if averaging:
                W_sum += W
                b_sum += b
            if steps == total_steps:
                break
        if not evaluate:
            continue
        gW, gb = torch.bmm(XbT, g) / lr, g.sum(dim=1, keepdim=True) / lr  # the last step's
        if averaging:
            W, b = W_sum / len(residuals), b_sum / len(residuals)
        objective = _batch_objective(loss, torch.cat(residuals, dim=1), bs)
        _emit(out, alive, epoch, steps, objective, X, y, vX, vy, W, b, gW, gb,
              true_w, true_b, start, limits)  # fmt: skip
    return out, X, y


def _emit(
    out: list[list[EpochRecord]],
    alive: list[bool],
    epoch: int,
    steps: int,
    train_loss: torch.Tensor,
    X: torch.Tensor,
    y: torch.Tensor,
    vX: torch.Tensor,
    vy: torch.Tensor,
    W: torch.Tensor,
    b: torch.Tensor,
    gW: torch.Tensor | None,
    gb: torch.Tensor | None,
    true_w: torch.Tensor,
    true_b: torch.Tensor,
    start: float,
    limits: list[float],
) -> None:
    # float32 is enough here: torch reduces pairwise, so 10^4 terms keep ~7 digits
    train_mse = (torch.baddbmm(b, X, W) - y).square().mean(dim=(1, 2)).tolist()
    val_mse = (torch.baddbmm(b, vX, W) - vy).square().mean(dim=(1, 2)).tolist()
    w_hat = W.reshape(W.shape[0], -1)
    b_hat = b.reshape(-1)
    w_err = (true_w - w_hat).abs().tolist()
    b_err = (true_b - b_hat).abs().tolist()
    w_list, b_list, losses = w_hat.tolist(), b_hat.tolist(), train_loss.tolist()
    wg = None if gW is None else gW.reshape(gW.shape[0], -1).tolist()
    bg = None if gb is None else gb.reshape(-1).tolist()
    elapsed = time.perf_counter() - start
    for k in range(len(out)):
        if not alive[k]:
            continue
        values = (losses[k], train_mse[k], val_mse[k], b_list[k], *w_list[k])
        finite = all(v == v and abs(v) != float("inf") for v in values)
        diverged = not finite or train_mse[k] > limits[k]
        out[k].append(
            EpochRecord(
                epoch=epoch,
                steps=steps,
                train_loss=losses[k],
                train_mse=train_mse[k],
                val_mse=val_mse[k],
                w_hat=tuple(w_list[k]),
                b_hat=b_list[k],
                w_error=tuple(w_err[k]),
                b_error=b_err[k],
                weight_grad=None if wg is None else tuple(wg[k]),
                bias_grad=None if bg is None else bg[k],
                diverged=diverged,
                elapsed=elapsed,
            )
        )
        if diverged:
            alive[k] = False
