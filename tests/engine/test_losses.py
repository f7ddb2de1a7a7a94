from __future__ import annotations

import pytest
import torch

from linreg_tui.engine.config import LOSS_NAMES, RunConfig
from linreg_tui.engine.losses import LOSSES

RESIDUALS = [-5.0, -2.0, -0.5, 0.0, 0.3, 1.9, 2.1, 7.0]


def huber(r: float, delta: float) -> float:
    return 0.5 * r * r if abs(r) < delta else delta * (abs(r) - 0.5 * delta)


def smooth_l1(r: float, beta: float) -> float:
    """d2l 3.5 ex. 2's form: |r| - beta/2 beyond beta, r^2/(2 beta) inside."""
    return r * r / (2 * beta) if abs(r) < beta else abs(r) - beta / 2


def test_registry_covers_every_configurable_loss() -> None:
    assert tuple(LOSSES) == LOSS_NAMES


@pytest.mark.parametrize("delta", [0.5, 2.0])
@pytest.mark.parametrize(("name", "formula"), [("huber", huber), ("smooth-l1", smooth_l1)])
def test_robust_losses_follow_their_formulas(name: str, formula: object, delta: float) -> None:
    cfg = RunConfig(loss=name, delta=delta)  # type: ignore[arg-type]
    r = torch.tensor(RESIDUALS).reshape(-1, 1)
    per_example = LOSSES[cfg.loss].per_example(cfg)(r, torch.zeros_like(r)).reshape(-1)
    expected = [formula(x, delta) for x in RESIDUALS]  # type: ignore[operator]
    # torch in float32 vs the formula in float64: a few float32 roundings (eps 1.2e-7 each)
    assert per_example.tolist() == pytest.approx(expected, rel=1e-6)
    mean = LOSSES[cfg.loss].build(cfg)(r, torch.zeros_like(r)).item()
    assert mean == pytest.approx(sum(expected) / len(expected), rel=1e-6)


def test_sum_and_mean_differ_by_the_batch_size() -> None:
    r = torch.tensor(RESIDUALS).reshape(-1, 1)
    zero = torch.zeros_like(r)
    mean = LOSSES["mse-mean"].build(RunConfig())(r, zero).item()
    total = LOSSES["mse-sum"].build(RunConfig())(r, zero).item()
    assert total == pytest.approx(mean * len(RESIDUALS), rel=1e-6)  # float32 sum vs mean
