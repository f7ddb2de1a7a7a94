from __future__ import annotations

import itertools
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, replace

import numpy as np
import pytest
import torch

from linreg_tui.engine.batched import train_batched
from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.data import make_data
from linreg_tui.engine.losses import LOSSES
from linreg_tui.engine.model import build_model
from linreg_tui.engine.sweep import lstsq_fit
from linreg_tui.engine.training import EpochRecord, train
from tests.engine.roundoff import RUN_ABS, RUN_REL


def numbers(record: EpochRecord) -> tuple[object, ...]:
    """Everything but the wall-clock time."""
    return astuple(replace(record, elapsed=0.0))


def test_records_start_at_epoch_zero_and_count_steps(tiny_config: RunConfig) -> None:
    records = list(train(tiny_config))
    assert [r.epoch for r in records] == [0, 1, 2, 3]
    assert [r.steps for r in records] == [0, 4, 8, 12]
    assert records[0].weight_grad is None and records[0].bias_grad is None
    assert records[-1].train_mse < records[0].train_mse / 2
    assert not any(r.diverged for r in records)
    faster = list(train(replace(tiny_config, lr=0.3)))
    assert faster[-1].train_mse < faster[0].train_mse / 1000


def test_default_run_lands_where_d2ls_trainer_does() -> None:
    """d2l 1.0.3's Trainer, same setup, torch-default init, 50 seeds (see issue 2):
    w = [1.994 +- 0.003, -3.390 +- 0.004], b = 4.189 +- 0.003."""
    runs = train_batched([RunConfig(seed=s, init="torch-default") for s in range(50)])
    assert runs is not None
    w = np.array([r[-1].w_hat for r in runs])
    b = np.array([r[-1].b_hat for r in runs])
    # statistics against another program's: the means' standard error is 0.004 / sqrt(50)
    assert w.mean(axis=0) == pytest.approx([1.994, -3.390], abs=0.0015)
    assert b.mean() == pytest.approx(4.189, abs=0.0015)
    assert w.std(axis=0) == pytest.approx([0.003, 0.004], abs=0.0015)


def test_full_batch_gd_converges_to_least_squares() -> None:
    cfg = RunConfig(num_train=200, num_val=10, batch_size=200, epochs=400, lr=0.3, noise=0.5)
    last = list(train(cfg))[-1]
    w, b = lstsq_fit(cfg)
    # float32 GD vs float64 least squares: float32 alone would allow ~1e-6; the rest is
    # room for the last few digits GD has not converged yet
    assert last.w_hat == pytest.approx(w, abs=1e-4)
    assert last.b_hat == pytest.approx(b, abs=1e-4)


def test_recorded_gradient_is_the_one_the_last_step_took() -> None:
    """Full batch: one step per epoch, so w_k = w_(k-1) - lr * grad_k exactly."""
    cfg = RunConfig(num_train=100, num_val=10, batch_size=100, epochs=4, lr=0.1)
    records = list(train(cfg))
    for before, after in itertools.pairwise(records):
        assert after.weight_grad is not None and after.bias_grad is not None
        stepped = [w - cfg.lr * g for w, g in zip(before.w_hat, after.weight_grad)]
        # the step in float64 vs torch's float32 add_: one float32 rounding of the result,
        # at most half an ulp (2.4e-7 below 4, where these parameters stay)
        assert after.w_hat == pytest.approx(stepped, abs=1e-6)
        assert after.b_hat == pytest.approx(before.b_hat - cfg.lr * after.bias_grad, abs=1e-6)
    assert records[-1].grad_norm is not None and records[-1].grad_norm < records[1].grad_norm  # type: ignore[operator]


def test_sum_loss_at_lr_over_batch_size_follows_mean_loss() -> None:
    mean = RunConfig(batch_size=50, lr=0.03)  # 1000 % 50 == 0: every batch is full
    summed = replace(mean, loss="mse-sum", lr=0.03 / 50)
    for a, b in zip(train(mean), train(summed)):
        # equal in exact arithmetic, not in float32 (lr/50 times 50 x the mean's gradient)
        assert a.w_hat == pytest.approx(b.w_hat, rel=RUN_REL, abs=RUN_ABS)
        assert a.b_hat == pytest.approx(b.b_hat, rel=RUN_REL, abs=RUN_ABS)
    wrong = list(train(replace(summed, lr=0.03)))[-1]
    assert wrong.w_error_norm > 100 * list(train(mean))[-1].w_error_norm


@pytest.mark.parametrize("lr", [3.0, 30.0, 1e6])
def test_a_too_large_lr_ends_in_a_diverged_record_within_the_first_epoch(lr: float) -> None:
    records = list(train(RunConfig(lr=lr)))
    assert records[-1].diverged and records[-1].epoch == 1
    assert not records[0].diverged


def test_a_millionfold_growth_is_diverged_before_anything_overflows() -> None:
    """lr 1 at the defaults: train MSE 33 -> 2e4 -> 3e4 -> 5e10 (finite, but diverged)."""
    records = list(train(RunConfig(lr=1.0)))
    assert [r.diverged for r in records] == [False, False, False, True]
    assert math.isfinite(records[-1].train_mse)
    # the batched path rounds differently, but 3e4 and 5e10 sit far from the limit (3.3e7)
    batched = train_batched([RunConfig(lr=1.0)])
    assert batched is not None and [r.diverged for r in batched[0]] == [False] * 3 + [True]


def test_huge_noise_is_a_result_not_an_exception() -> None:
    records = list(train(RunConfig(noise=1e30, epochs=2)))
    assert records[-1].diverged


def test_two_threads_with_one_seed_give_identical_records() -> None:
    cfg = RunConfig(epochs=5, seed=11, init="torch-default")
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda c: [numbers(r) for r in train(c)], [cfg, cfg])
    assert a == b  # exact: one program, the same kernels on the same numbers
    assert a != [numbers(r) for r in train(replace(cfg, seed=12))]


def test_stop_is_honoured_between_steps() -> None:
    calls = 0

    def stop() -> bool:
        nonlocal calls
        calls += 1
        return calls > 5

    records = list(train(RunConfig(), should_stop=stop))
    assert [r.epoch for r in records] == [0]  # stopped after 5 of 32 steps of epoch 1
    assert calls == 6


def test_steps_trains_exactly_that_many_sgd_steps() -> None:
    records = list(train(RunConfig(num_train=100, batch_size=32, steps=10)))
    assert [r.steps for r in records] == [0, 4, 8, 10]


def test_averaging_reports_the_mean_iterate_of_the_last_epoch() -> None:
    plain = list(train(RunConfig(num_train=4000, epochs=2)))
    averaged = list(train(RunConfig(num_train=4000, epochs=2, average=True)))
    assert numbers(plain[1]) == numbers(averaged[1])  # exact: averaging starts at epoch 2
    assert averaged[-1].w_hat != plain[-1].w_hat
    assert averaged[-1].w_error_norm < plain[-1].w_error_norm


@pytest.mark.parametrize("loss", ["mse-mean", "mse-sum", "huber"])
def test_starting_objective_is_the_mean_over_minibatches_short_last_one_included(
    loss: str,
) -> None:
    """Epoch 0's train_loss: the loss module itself on each minibatch, averaged."""
    cfg = RunConfig(num_train=100, batch_size=32, loss=loss, delta=0.5)  # type: ignore[arg-type]
    start = next(iter(train(cfg)))
    gen = torch.Generator().manual_seed(cfg.seed)
    data = make_data(cfg, gen)
    model = build_model(data.X, gen, cfg.init)
    loss_fn = LOSSES[cfg.loss].build(cfg)
    with torch.no_grad():
        each = [
            loss_fn(model(X), y).item()
            for X, y in zip(data.train_X.split(32), data.train_y.split(32))
        ]
    assert len(each) == 4  # 32 + 32 + 32 + 4
    # one reduction per minibatch vs all minibatches as rows at once: float32 sums of 32
    # terms in another order (eps 1.2e-7 each)
    assert start.train_loss == pytest.approx(sum(each) / 4, rel=1e-6)


def test_train_loss_is_the_configured_objective() -> None:
    start = next(iter(train(RunConfig(batch_size=25))))  # full batches: mean of means
    # float32 means of 25 losses vs a float64 MSE over 1000: float32 reductions err by
    # ~log2(n) eps ~ 1e-6 relative
    assert start.train_loss == pytest.approx(start.train_mse, rel=1e-5)
    summed = next(iter(train(RunConfig(batch_size=25, loss="mse-sum"))))
    assert summed.train_loss == pytest.approx(25 * summed.train_mse, rel=1e-5)
    assert all(math.isfinite(x) for x in (start.val_mse, start.b_error))
