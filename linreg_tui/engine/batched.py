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
from linreg_tui.engine.data import make_data_stack
from linreg_tui.engine.model import initial_parameters
from linreg_tui.engine.training import EpochRecord, StopCheck, divergence_limit, setup_torch

_SHAPE_FIELDS = (
    "num_train", "num_val", "batch_size", "epochs", "loss", "delta", "steps", "average",
)  # fmt: skip


def shape_of(cfg: RunConfig) -> tuple[object, ...]:
    """What runs trained together must share: equal shapes may be batched, others not."""
    return (*(getattr(cfg, f) for f in _SHAPE_FIELDS), cfg.features)


@dataclass(frozen=True)
class _Loss:
    """A loss as two elementwise maps of the residual r = prediction - label."""

    value: Callable[[torch.Tensor], torch.Tensor]
    """Per-example loss."""
    step: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    """(r, coef) -> lr * d(objective)/d(prediction), coef from `coef` below."""
    scale: float
    """d(loss)/dr = scale * r near 0: 2 for the squared error, 1 / delta for smooth-L1."""
    reduction: str

    def coef(self, lr: torch.Tensor, m: int) -> torch.Tensor:
        """The per-example step factor for a batch of m: lr * scale, over m for a mean."""
        return lr * (self.scale / m if self.reduction == "mean" else self.scale)


def _loss(cfg: RunConfig) -> _Loss:
    delta = cfg.delta

    def huber(r: torch.Tensor) -> torch.Tensor:
        a = r.abs()
        return torch.where(a < delta, 0.5 * r * r, delta * (a - 0.5 * delta))

    def smooth_l1(r: torch.Tensor) -> torch.Tensor:
        a = r.abs()
        return torch.where(a < delta, 0.5 * r * r / delta, a - 0.5 * delta)

    square = lambda r: r * r  # noqa: E731
    linear = torch.mul  # the squared error's gradient is linear in r
    clamped = lambda r, c: r.clamp(-delta, delta) * c  # noqa: E731
    table = {
        "mse-mean": _Loss(square, linear, 2.0, "mean"),
        "mse-sum": _Loss(square, linear, 2.0, "sum"),
        "huber": _Loss(huber, clamped, 1.0, "mean"),
        "smooth-l1": _Loss(smooth_l1, clamped, 1 / delta, "mean"),
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
    return _train(cfgs, [cfg.seed for cfg in cfgs], should_stop, final_only)


def train_seeds(
    cfg: RunConfig,
    seeds: Sequence[int],
    should_stop: StopCheck | None = None,
    final_only: bool = False,
) -> tuple[list[list[EpochRecord]], torch.Tensor, torch.Tensor] | None:
    """`train_batched_with_data` of `cfg` at each of `seeds`.

    The same as passing `replace(cfg, seed=s)` for each seed, without building (and
    validating) a config per seed: the size sweep trains hundreds of runs.
    """
    return _train([cfg] * len(seeds), seeds, should_stop, final_only)


def _train(
    cfgs: Sequence[RunConfig],
    seeds: Sequence[int],
    should_stop: StopCheck | None,
    final_only: bool,
) -> tuple[list[list[EpochRecord]], torch.Tensor, torch.Tensor] | None:
    """Train run k from config k with seed k (its config's own seed is not read)."""
    if not cfgs:
        return [], torch.empty(0), torch.empty(0)
    first = cfgs[0]
    shape = shape_of(first)
    if any(cfg is not first and shape_of(cfg) != shape for cfg in cfgs):
        raise ValueError("train_batched needs configs of one shape")
    setup_torch()
    start = time.perf_counter()
    K, n, bs, d = len(cfgs), first.num_train, first.batch_size, first.features
    gens = [torch.Generator().manual_seed(seed) for seed in seeds]
    X, y = make_data_stack(cfgs, gens)  # (K, N, d), (K, N, 1): training rows, then validation
    params = [initial_parameters(d, gen, cfg.init) for gen, cfg in zip(gens, cfgs)]
    # Each example as a row [x, 1, -y] and each model as theta = [w; b; 1]: a residual
    # (prediction - label) is then a row times theta, and an SGD step updates theta[:d + 1]
    # by [x, 1]^T g. Two batched matmuls and one product per step, however many runs.
    rows = torch.empty(K, X.shape[1], d + 2)
    rows[..., :d] = X
    rows[..., d] = 1
    torch.neg(y, out=rows[..., d + 1 :])
    train_rows, val_rows = rows[:, :n], rows[:, n:]
    theta = torch.ones(K, d + 2, 1)
    theta[:, :d, 0] = torch.cat([w for w, _ in params])
    theta[:, d, 0] = torch.cat([b for _, b in params])
    lr = torch.tensor([cfg.lr for cfg in cfgs]).reshape(K, 1, 1)
    true_w = torch.tensor([cfg.w for cfg in cfgs])  # (K, d)
    true_b = torch.tensor([cfg.b for cfg in cfgs])
    loss = _loss(first)
    last_epoch, total_steps = first.total_epochs, first.total_steps
    out: list[list[EpochRecord]] = [[] for _ in cfgs]
    alive = [True] * K
    start_mse = _residuals(train_rows, theta).square().mean(dim=(1, 2)).tolist()
    limits = [divergence_limit(m) for m in start_mse]
    if not final_only:
        objective0 = _batch_objective(loss, _residuals(train_rows, theta), bs)
        _emit(out, alive, 0, 0, objective0, train_rows, val_rows, theta, None,
              true_w, true_b, start, limits)  # fmt: skip
    # lr folded into the per-example step; every batch is full but maybe the last
    batches = first.batches_per_epoch
    coefs = [loss.coef(lr, bs)] * (batches - 1) + [loss.coef(lr, n - (batches - 1) * bs)]
    weights = theta[:, : d + 1]  # a view: the steps update theta in place
    flat_rows = rows.view(-1, d + 2)
    offsets = torch.arange(K).reshape(K, 1) * rows.shape[1]  # of each run's rows in flat_rows
    perms = torch.empty(K, n, dtype=torch.long)
    shuffled = torch.empty(K, n, d + 2)  # reused: a fresh 3 MB buffer per epoch page-faults
    steps = 0
    for epoch in range(1, last_epoch + 1):
        for k, gen in enumerate(gens):  # each run's own shuffle, exactly as train() draws it
            torch.randperm(n, generator=gen, out=perms[k])
        # every run's training rows shuffled by one index_select (X[rows, perms] is slower)
        torch.index_select(flat_rows, 0, (perms + offsets).view(-1), out=shuffled.view(-1, d + 2))
        batch_rows = shuffled.split(bs, dim=1)
        batch_inputs_t = shuffled[..., : d + 1].transpose(1, 2).split(bs, dim=2)
        averaging = first.average and epoch == last_epoch
        evaluate = not final_only or epoch == last_epoch
        theta_sum = torch.zeros_like(theta)
        residuals: list[torch.Tensor] = []
        for R, AT, coef in zip(batch_rows, batch_inputs_t, coefs):
            if should_stop is not None and should_stop():
                return None
            r = torch.bmm(R, theta)  # prediction - label, (K, m, 1)
            g = loss.step(r, coef)  # lr * dL/dprediction
            weights.baddbmm_(AT, g, alpha=-1)
            if evaluate:
                residuals.append(r)
            steps += 1
            if averaging:
                theta_sum += theta
            if steps == total_steps:
                break
        if not evaluate:
            continue
        grad = torch.bmm(AT, g) / lr  # the last step's gradient, (K, d + 1, 1)
        if averaging:
            theta = theta_sum / len(residuals)  # Polyak-style: its last entry stays 1
            weights = theta[:, : d + 1]
        objective = _batch_objective(loss, torch.cat(residuals, dim=1), bs)
        _emit(out, alive, epoch, steps, objective, train_rows, val_rows, theta, grad,
              true_w, true_b, start, limits)  # fmt: skip
    return out, X[:, :n], y[:, :n]


def _residuals(rows: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Prediction - label of every row (K, m, d + 2) under theta (K, d + 2, 1): (K, m, 1).

    Computed as (theta^T rows^T)^T: the same numbers as rows theta, but torch's CPU matmul
    is several times faster with the long dimension last.
    """
    return torch.matmul(theta.transpose(1, 2), rows.transpose(1, 2)).transpose(1, 2)


def _emit(
    out: list[list[EpochRecord]],
    alive: list[bool],
    epoch: int,
    steps: int,
    train_loss: torch.Tensor,
    train_rows: torch.Tensor,
    val_rows: torch.Tensor,
    theta: torch.Tensor,
    grad: torch.Tensor | None,
    true_w: torch.Tensor,
    true_b: torch.Tensor,
    start: float,
    limits: list[float],
) -> None:
    # float32 is enough here: torch reduces pairwise, so 10^4 terms keep ~7 digits
    train_mse = _residuals(train_rows, theta).square().mean(dim=(1, 2)).tolist()
    val_mse = _residuals(val_rows, theta).square().mean(dim=(1, 2)).tolist()
    w_hat, b_hat = theta[:, :-2, 0], theta[:, -2, 0]
    w_err = (true_w - w_hat).abs().tolist()
    b_err = (true_b - b_hat).abs().tolist()
    w_list, b_list, losses = w_hat.tolist(), b_hat.tolist(), train_loss.tolist()
    wg = None if grad is None else grad[:, :-1, 0].tolist()
    bg = None if grad is None else grad[:, -1, 0].tolist()
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
