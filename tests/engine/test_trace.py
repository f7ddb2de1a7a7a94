"""Traces (issue 14): the SGD trace is the run, step by step; the full-batch trace is
gradient descent as the closed form has it."""

from __future__ import annotations

import struct
from dataclasses import replace

import numpy as np
import pytest
import torch

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.engine.model import initial_parameters
from linreg_tui.engine.plane import TraceRows
from linreg_tui.engine.theory import training_inputs
from linreg_tui.engine.trace import trace_gd, trace_sgd
from linreg_tui.engine.training import train


def bits(values: tuple[float, ...]) -> bytes:
    """The float32 bit patterns: equal even where both are nan."""
    return struct.pack(f"{len(values)}f", *values)


def steps(blocks: list[TraceRows]) -> list[dict[str, object]]:
    return [line for block in blocks for line in block.lines()]


CONFIGS = {
    "book": RunConfig(),
    "ravine": RunConfig(scales=(1.0, 0.2), correlation=0.5, lr=0.4, epochs=4),
    "sum-short-batch": RunConfig(loss="mse-sum", lr=0.001, batch_size=30, epochs=2),
    "huber-steps": RunConfig(loss="huber", w=(1.0, 2.0, 3.0), steps=45, init="torch-default"),
    "one-weight": RunConfig(w=(1.5,), num_train=100, batch_size=7, epochs=3),
    "diverges": RunConfig(lr=3.0, batch_size=10, epochs=3),  # ends in nan at epoch 1
    "grows": RunConfig(lr=1.2, epochs=5),  # finite, a millionfold: diverged at epoch 1
}


@pytest.mark.parametrize("cfg", CONFIGS.values(), ids=CONFIGS.keys())
def test_sgd_trace_ends_on_the_runs_result_bit_for_bit(cfg: RunConfig) -> None:
    records = list(train(cfg))
    blocks = list(trace_sgd(cfg))
    lines = steps(blocks)
    last = records[-1]
    assert [line["step"] for line in lines] == list(range(last.steps + 1))
    assert lines[-1]["epoch"] == last.epoch
    assert bits(tuple(lines[-1]["w_hat"])) == bits(last.w_hat)  # type: ignore[arg-type]
    assert bits((lines[-1]["b_hat"],)) == bits((last.b_hat,))  # type: ignore[arg-type]
    assert blocks[-1].diverged == last.diverged
    # every epoch's end is that epoch's record, too
    ends = {line["epoch"]: line for line in lines}
    for record in records:
        assert bits(tuple(ends[record.epoch]["w_hat"])) == bits(record.w_hat)  # type: ignore[arg-type]


def test_step_zero_is_the_initial_weights_and_the_loss_is_each_minibatchs() -> None:
    cfg = RunConfig(num_train=64, num_val=8, batch_size=16, epochs=2)
    lines = steps(list(trace_sgd(cfg)))
    X, y, theta0 = training_inputs(cfg)
    assert lines[0]["w_hat"] == pytest.approx(theta0[:2].tolist(), abs=0)
    assert lines[0]["epoch"] == 0 and lines[0]["batch_loss"] is None
    assert [line["epoch"] for line in lines[1:]] == [1] * 4 + [2] * 4
    # step 1's loss is the first shuffled minibatch's MSE at the initial weights
    gen = torch.Generator().manual_seed(cfg.seed)
    torch.randn(72, 2, generator=gen), torch.randn(72, 1, generator=gen)
    initial_parameters(2, gen, cfg.init)
    first = torch.randperm(64, generator=gen)[:16].numpy()
    residual = X[first] @ theta0[:2] + theta0[2] - y[first]
    assert lines[1]["batch_loss"] == pytest.approx(float(np.mean(residual**2)), rel=1e-5)


def test_a_stop_ends_the_trace_between_two_steps() -> None:
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 40

    lines = steps(list(trace_sgd(RunConfig(), should_stop=stop)))
    assert lines[-1]["step"] == 32  # epoch 2 never finished: only whole epochs come out


def test_averaging_is_refused() -> None:
    with pytest.raises(ConfigError) as refused:
        next(trace_sgd(RunConfig(average=True)))
    assert refused.value.field == "average"


GD = {
    "book": RunConfig(lr=0.03),
    "zig-zag": RunConfig(scales=(1.0, 0.22), lr=0.9),  # κ ≈ 20, steep direction flips sign
    "one-weight": RunConfig(w=(1.5,), lr=0.5, num_train=50),
}


@pytest.mark.parametrize("cfg", GD.values(), ids=GD.keys())
def test_full_batch_trace_is_the_closed_form(cfg: RunConfig) -> None:
    """e_k = (I − ηH)^k e_0 with H = (2/n) X̃ᵀX̃ and e = θ − θ̂, in float64 (THEORY.md)."""
    X, y, theta0 = training_inputs(cfg)
    n = len(X)
    Xt = np.hstack([X, np.ones((n, 1))])
    fit = np.linalg.lstsq(Xt, y, rcond=None)[0]
    step = np.eye(Xt.shape[1]) - cfg.lr * 2 * Xt.T @ Xt / n
    lines = steps(list(trace_gd(cfg)))
    assert [line["step"] for line in lines] == list(range(cfg.total_steps + 1))
    assert [line["epoch"] for line in lines] == [line["step"] for line in lines]
    e = theta0 - fit
    for line in lines:
        theta = np.array([*line["w_hat"], line["b_hat"]])  # type: ignore[misc]
        # float32 training: its rounding (~1e-7 of |θ| ≈ 5) against an e that shrinks
        assert np.linalg.norm(theta - fit - e) <= 1e-4 * max(np.linalg.norm(e), 1e-2)
        e = step @ e
    assert np.linalg.norm(theta - fit) < 0.1 * np.linalg.norm(theta0 - fit)  # it got there


def test_full_batch_starts_where_sgd_starts_and_takes_as_many_steps() -> None:
    cfg = RunConfig(epochs=2)
    sgd, gd = steps(list(trace_sgd(cfg))), steps(list(trace_gd(cfg)))
    assert (sgd[0]["w_hat"], sgd[0]["b_hat"]) == (gd[0]["w_hat"], gd[0]["b_hat"])
    assert len(gd) == len(sgd) == cfg.total_steps + 1
    blocks = list(trace_gd(replace(cfg, lr=5.0)))  # past 2/λ₁: grows, then stops
    assert blocks[-1].diverged and sum(map(len, blocks)) < cfg.total_steps + 1
