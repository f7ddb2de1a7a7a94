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

import torch

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.data import make_data
from linreg_tui.engine.model import initial_parameters
from linreg_tui.engine.train import EpochRecord, StopCheck, setup_torch

# (residual r, batch size) -> (per-batch objective, d objective / d prediction), shapes (K,B,1)
LossAndGrad = Callable[[torch.Tensor, int], tuple[torch.Tensor, torch.Tensor]]

_SHAPE_FIELDS = (
    "num_train", "num_val", "batch_size", "epochs", "loss", "delta", "steps", "average",
)  # fmt: skip


def _loss_and_grad(cfg: RunConfig) -> LossAndGrad:
    delta = cfg.delta

    def mse_mean(r: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        return (r * r).mean(dim=(1, 2)), r * (2 / n)

    def mse_sum(r: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        return (r * r).sum(dim=(1, 2)), 2 * r

    def huber(r: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        a = r.abs()
        value = torch.where(a < delta, 0.5 * r * r, delta * (a - 0.5 * delta))
        return value.mean(dim=(1, 2)), r.clamp(-delta, delta) / n

    def smooth_l1(r: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        a = r.abs()
        value = torch.where(a < delta, 0.5 * r * r / delta, a - 0.5 * delta)
        return value.mean(dim=(1, 2)), (r / delta).clamp(-1.0, 1.0) / n

    table: dict[str, LossAndGrad] = {
        "mse-mean": mse_mean,
        "mse-sum": mse_sum,
        "huber": huber,
        "smooth-l1": smooth_l1,
    }
    return table[cfg.loss]


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
    coef = torch.linalg.lstsq(A, y.double(), driver="gelsd").solution.squeeze(2)
    return coef[:, :-1], coef[:, -1]


def train_batched_with_data(
    cfgs: Sequence[RunConfig], should_stop: StopCheck | None = None
) -> tuple[list[list[EpochRecord]], torch.Tensor, torch.Tensor] | None:
    """`train_batched`, also returning the stacked training data X (K, n, d), y (K, n, 1)."""
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
    loss_and_grad = _loss_and_grad(first)
    last_epoch, total_steps = first.total_epochs, first.total_steps
    rows = torch.arange(K).reshape(K, 1)
    out: list[list[EpochRecord]] = [[] for _ in cfgs]
    alive = [True] * K
    no_grad: torch.Tensor | None = None
    objective0 = _objective(X, y, W, b, bs, loss_and_grad)
    _emit(out, alive, 0, 0, objective0, X, y, vX, vy, W, b, no_grad, no_grad,
          true_w, true_b, start)  # fmt: skip
    steps = 0
    for epoch in range(1, last_epoch + 1):
        perms = torch.stack([torch.randperm(n, generator=g) for g in gens])
        Xs, ys = X[rows, perms], y[rows, perms]
        averaging = first.average and epoch == last_epoch
        W_sum, b_sum = torch.zeros_like(W), torch.zeros_like(b)
        losses: list[torch.Tensor] = []
        batches = 0
        gW, gb = W, b
        for lo in range(0, n, bs):
            if should_stop is not None and should_stop():
                return None
            Xb, yb = Xs[:, lo : lo + bs], ys[:, lo : lo + bs]
            r = torch.baddbmm(b, Xb, W) - yb
            value, g = loss_and_grad(r, Xb.shape[1])
            gW = torch.bmm(Xb.transpose(1, 2), g)
            gb = g.sum(dim=1, keepdim=True)
            W = W - lr * gW
            b = b - lr * gb
            losses.append(value)
            batches += 1
            steps += 1
            if averaging:
                W_sum += W
                b_sum += b
            if steps == total_steps:
                break
        if averaging:
            W, b = W_sum / batches, b_sum / batches
        _emit(out, alive, epoch, steps, torch.stack(losses).sum(dim=0) / batches, X, y, vX, vy, W, b, gW, gb,
              true_w, true_b, start)  # fmt: skip
    return out, X, y


def _objective(
    X: torch.Tensor, y: torch.Tensor, W: torch.Tensor, b: torch.Tensor, bs: int,
    loss_and_grad: LossAndGrad,
) -> torch.Tensor:  # fmt: skip
    """Objective averaged over the in-order minibatches, per model (as train() does)."""
    r = torch.baddbmm(b, X, W) - y
    chunks = [loss_and_grad(c, c.shape[1])[0] for c in r.split(bs, dim=1)]
    return torch.stack(chunks).double().mean(dim=0)


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
) -> None:
    train_mse = ((torch.baddbmm(b, X, W) - y).double() ** 2).mean(dim=(1, 2)).tolist()
    val_mse = ((torch.baddbmm(b, vX, W) - vy).double() ** 2).mean(dim=(1, 2)).tolist()
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
        diverged = not all(v == v and abs(v) != float("inf") for v in values)
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
