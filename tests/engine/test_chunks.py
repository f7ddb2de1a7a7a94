"""The training objective within an epoch (EpochRecord.loss_chunks): each chunk's mean
minibatch loss, against the same losses read the plain way, one `.item()` a step."""

from __future__ import annotations

import pytest
import torch

from linreg_tui.engine.chunks import FLUSH, ChunkLosses
from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.data import make_data
from linreg_tui.engine.losses import LOSSES
from linreg_tui.engine.model import build_model
from linreg_tui.engine.records import CHUNKS_PER_EPOCH, chunk_count, chunk_ends
from linreg_tui.engine.training import train

REL = 1e-12
"""Both sides average the very same float32 losses in float64, the engine a flush's
values at a time, the hand loop one by one: only float64 roundings apart."""


def hand_chunks(cfg: RunConfig) -> list[list[float]]:
    """Per epoch, the chunk means of a hand-written loop's `loss.item()`s: the engine's
    data, minibatches and initial weights, torch.optim.SGD for the step."""
    gen = torch.Generator().manual_seed(cfg.seed)
    data = make_data(cfg, gen)
    model = build_model(data.X, gen, cfg.init)
    loss_fn = LOSSES[cfg.loss].build(cfg)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    n, bs, left = cfg.num_train, cfg.batch_size, cfg.total_steps
    epochs = []
    for _ in range(cfg.total_epochs):
        perm = torch.randperm(n, generator=gen)
        X, y = data.train_X[perm], data.train_y[perm]
        losses = []
        for lo in range(0, n, bs):
            if left == 0:
                break
            loss = loss_fn(model(X[lo : lo + bs]), y[lo : lo + bs])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            left -= 1
        ends = chunk_ends(len(losses), chunk_count(len(losses)))
        epochs.append([sum(losses[a:b]) / (b - a) for a, b in zip([0, *ends], ends)])
    return epochs


@pytest.mark.parametrize(
    "cfg",
    [
        RunConfig(),  # the book's run: 32 steps an epoch, 16 chunks of 2
        RunConfig(batch_size=7, loss="huber", delta=0.5, epochs=2),  # 143 steps: uneven
        RunConfig(num_train=100, batch_size=32, steps=10),  # 4 steps, the last epoch 2
        RunConfig(num_train=2500, batch_size=1, epochs=1, lr=0.003),  # flushes mid-chunk
    ],
    ids=["book", "uneven-huber", "short-epochs", "long-epoch"],
)
def test_chunk_means_equal_a_hand_loops_per_step_losses(cfg: RunConfig) -> None:
    records = list(train(cfg))
    assert records[0].loss_chunks == ()  # epoch 0: no step yet
    want = hand_chunks(cfg)
    got = [list(r.loss_chunks) for r in records[1:]]
    assert [len(g) for g in got] == [len(w) for w in want]
    for g, w in zip(got, want, strict=True):
        assert g == pytest.approx(w, rel=REL)


def test_the_book_run_has_sixteen_points_an_epoch_whose_mean_is_the_epochs_loss() -> None:
    records = list(train(RunConfig()))
    for r in records[1:]:
        assert len(r.loss_chunks) == CHUNKS_PER_EPOCH
        # equal chunks: their mean is the epoch's (a float32 running sum, ~1e-7 apart)
        assert sum(r.loss_chunks) / CHUNKS_PER_EPOCH == pytest.approx(r.train_loss, rel=1e-5)
    assert records[1].loss_chunks[0] > 10 * records[1].loss_chunks[-1]  # the descent


@pytest.mark.parametrize("steps", [1, 5, 16, 17, 100, FLUSH + 3, 3 * FLUSH])
def test_chunks_cover_every_step_once_in_order(steps: int) -> None:
    chunks = ChunkLosses(steps)
    for v in range(steps):
        chunks.add(torch.tensor(float(v)))
    ends = chunk_ends(steps, chunk_count(steps))
    assert ends[-1] == steps and len(ends) == min(steps, CHUNKS_PER_EPOCH)
    want = [sum(range(a, b)) / (b - a) for a, b in zip([0, *ends], ends)]
    assert list(chunks.means()) == pytest.approx(want, rel=1e-15)


def test_a_short_epoch_keeps_only_the_chunks_it_finished() -> None:
    chunks = ChunkLosses(32)
    for v in range(5):
        chunks.add(torch.tensor(float(v)))
    assert chunks.means() == (0.5, 2.5)  # 2 steps a chunk: (0, 1), (2, 3); 4 is unfinished
