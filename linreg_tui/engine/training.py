"""Minibatch SGD as a generator of per-epoch records of plain numbers."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator

import torch
from torch import nn

from linreg_tui.engine.chunks import ChunkLosses
from linreg_tui.engine.config import DIVERGENCE_FACTOR, RunConfig
from linreg_tui.engine.data import SyntheticData, make_data
from linreg_tui.engine.losses import LOSSES
from linreg_tui.engine.model import build_model
from linreg_tui.engine.records import EpochRecord

__all__ = ["EpochRecord", "PlainSGD", "StopCheck", "divergence_limit", "setup_torch", "train"]

StopCheck = Callable[[], bool]


def divergence_limit(start_mse: float) -> float:
    """The training MSE beyond which a run that started at `start_mse` has diverged."""
    return DIVERGENCE_FACTOR * max(start_mse, 1.0) if math.isfinite(start_mse) else math.inf


def setup_torch() -> None:
    """One intra-op thread: fastest for a model this small (and steadier timings)."""
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


class PlainSGD:
    """`torch.optim.SGD(params, lr)` with its defaults (no momentum, no weight decay), bit
    for bit, without its import cost: the first `torch.optim.SGD` in a process imports
    torch._dynamo, 1-1.6 s, more than `import torch` itself (issue 15).

    On CPU torch's `step()` takes `_single_tensor_sgd` (its foreach kernels are for
    accelerators and `fused` is off by default), which for these settings is exactly
    `param.add_(grad, alpha=-lr)` with grad disabled; `zero_grad()` sets the gradients to
    None (`set_to_none=True`), so the next backward writes a fresh `.grad`. A test trains
    every loss with both and compares whole runs exactly.
    """

    def __init__(self, params: Iterable[torch.Tensor], lr: float) -> None:
        self.params = tuple(params)
        self.lr = lr

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        for p in self.params:
            if p.grad is not None:  # torch skips a parameter without a gradient too
                p.add_(p.grad, alpha=-self.lr)


def warm_up() -> None:
    """Load and run once what a first run would otherwise wait for (a few ms since
    `PlainSGD` replaced `torch.optim.SGD`, whose first construction imports dynamo)."""
    setup_torch()
    for _ in train(RunConfig(num_train=4, num_val=4, batch_size=2, epochs=1)):
        pass


def train(
    cfg: RunConfig, should_stop: StopCheck | None = None, data: SyntheticData | None = None
) -> Iterator[EpochRecord]:
    """Train one model, yielding a record for epoch 0 and after each epoch.

    A diverged record (non-finite loss or parameter) ends the run; `should_stop` is asked
    between SGD steps and, when it answers True, the generator ends without a record for
    the unfinished epoch.
    """
    setup_torch()
    start = time.perf_counter()
    gen = torch.Generator().manual_seed(cfg.seed)
    if data is None:
        data = make_data(cfg, gen)
    model = build_model(data.X, gen, cfg.init)
    spec = LOSSES[cfg.loss]
    loss_fn = spec.build(cfg)
    optimizer = PlainSGD(model.parameters(), lr=cfg.lr)
    true_w = torch.tensor(cfg.w)
    X, y = data.train_X, data.train_y
    n, batch = cfg.num_train, cfg.batch_size

    limit = math.inf  # of the training MSE, set from the start: see DIVERGENCE_FACTOR

    def record(
        epoch: int, steps: int, train_loss: float, chunks: tuple[float, ...] = ()
    ) -> EpochRecord:
        return _evaluate(model, data, cfg, true_w, epoch, steps, train_loss, start, limit, chunks)

    first = record(0, 0, _objective(model, data, cfg))
    limit = divergence_limit(first.train_mse)
    yield first
    if first.diverged:
        return
    steps = 0
    total_steps = cfg.total_steps
    per_epoch = -(-n // batch)
    for epoch in range(1, cfg.total_epochs + 1):
        perm = torch.randperm(n, generator=gen)
        Xs, ys = X[perm], y[perm]  # one gather per epoch, then cheap slices
        averaging = cfg.average and epoch == cfg.total_epochs
        w_sum = torch.zeros_like(model.weight) if averaging else None
        b_sum = torch.zeros_like(model.bias) if averaging else None
        loss_sum = torch.zeros(())
        chunks = ChunkLosses(min(per_epoch, total_steps - steps))  # for the chart only
        batches = 0
        for lo in range(0, n, batch):
            if should_stop is not None and should_stop():
                return
            loss = loss_fn(model(Xs[lo : lo + batch]), ys[lo : lo + batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step_loss = loss.detach()
            loss_sum += step_loss
            chunks.add(step_loss)
            batches += 1
            steps += 1
            if w_sum is not None and b_sum is not None:
                w_sum += model.weight.detach()
                b_sum += model.bias.detach()
            if steps == total_steps:
                break
        if w_sum is not None and b_sum is not None:
            with torch.no_grad():  # Polyak-style: report the mean iterate of the last epoch
                model.weight.copy_(w_sum / batches)
                model.bias.copy_(b_sum / batches)
        rec = record(epoch, steps, loss_sum.item() / batches, chunks.means())
        yield rec
        if rec.diverged:
            return


@torch.no_grad()
def _objective(model: nn.Linear, data: SyntheticData, cfg: RunConfig) -> float:
    """The configured objective averaged over the training minibatches, in order."""
    spec = LOSSES[cfg.loss]
    per_example = spec.per_example(cfg)(model(data.train_X), data.train_y).reshape(-1)
    batch = cfg.batch_size
    full = len(per_example) // batch
    reduce = torch.mean if spec.reduction == "mean" else torch.sum
    # the full batches as rows, reduced at once: one reduction per minibatch in a Python
    # loop cost 8-12 us each, as much as an SGD step is worth on a one-epoch run
    per_batch = reduce(per_example[: full * batch].reshape(full, batch), dim=1).tolist()
    if len(per_example) > full * batch:
        per_batch.append(reduce(per_example[full * batch :]).item())  # the short last one
    return float(sum(per_batch) / len(per_batch))


@torch.no_grad()
def _evaluate(
    model: nn.Linear,
    data: SyntheticData,
    cfg: RunConfig,
    true_w: torch.Tensor,
    epoch: int,
    steps: int,
    train_loss: float,
    start: float,
    limit: float,
    loss_chunks: tuple[float, ...] = (),
) -> EpochRecord:
    weight = model.weight.reshape(-1)
    bias = model.bias.reshape(())
    train_mse = _mse(model, data.train_X, data.train_y)
    val_mse = _mse(model, data.val_X, data.val_y)
    w_hat = tuple(weight.tolist())
    b_hat = float(bias.item())
    finite = all(map(math.isfinite, (train_loss, train_mse, val_mse, b_hat, *w_hat)))
    wg, bg = model.weight.grad, model.bias.grad
    return EpochRecord(
        epoch=epoch,
        steps=steps,
        train_loss=train_loss,
        train_mse=train_mse,
        val_mse=val_mse,
        w_hat=w_hat,
        b_hat=b_hat,
        w_error=tuple((true_w - weight).abs().tolist()),
        b_error=abs(cfg.b - b_hat),
        weight_grad=None if wg is None else tuple(wg.reshape(-1).tolist()),
        bias_grad=None if bg is None else float(bg.item()),
        diverged=not finite or train_mse > limit,
        elapsed=time.perf_counter() - start,
        loss_chunks=loss_chunks,
    )


def _mse(model: nn.Linear, X: torch.Tensor, y: torch.Tensor) -> float:
    # float64 for the reduction: a float32 sum of 10^4 squared residuals loses digits
    return float(((model(X) - y).double() ** 2).mean().item())
