"""Conditioning as a data setting (issue 14): Cov(X) = diag(s)·R·diag(s), and at the
defaults the very X d2l draws."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.engine.data import make_data, make_data_stack


def draw(cfg: RunConfig) -> torch.Tensor:
    return make_data(cfg, torch.Generator().manual_seed(cfg.seed)).X


@pytest.mark.parametrize(
    "cfg",
    [RunConfig(), RunConfig(scales=(1.0, 1.0)), RunConfig(scales=(1,), correlation=0.0)],
    ids=["defaults", "two-ones", "int-one"],
)
def test_the_defaults_give_d2ls_x_bit_for_bit(cfg: RunConfig) -> None:
    torch.manual_seed(cfg.seed)  # d2l: torch.manual_seed(s); X = torch.randn(n, d)
    assert torch.equal(draw(cfg), torch.randn(2000, 2))


def requested(scales: tuple[float, ...], rho: float) -> np.ndarray:
    d = len(scales)
    R = np.eye(d)
    if d > 1:
        R[0, 1] = R[1, 0] = rho
    return np.diag(scales) @ R @ np.diag(scales)


def kappa(m: np.ndarray) -> float:
    values = np.linalg.eigvalsh(m)
    return float(values[-1] / values[0])


@pytest.mark.parametrize(
    ("scales", "rho"),
    [((1.0, 0.2), 0.0), ((1.0, 1.0), 0.9), ((3.0, 1.0), -0.5), ((1.0, 0.5, 2.0), 0.3)],
)
def test_kappa_of_the_drawn_x_is_the_requested_one(scales: tuple[float, ...], rho: float) -> None:
    cfg = RunConfig(w=(1.0,) * len(scales), scales=scales, correlation=rho, num_train=10_000)
    X = draw(cfg)[:10_000].double().numpy()
    cov = np.cov(X.T, bias=True)
    assert kappa(cov) == pytest.approx(kappa(requested(scales, rho)), rel=0.05)
    assert cov == pytest.approx(requested(scales, rho), abs=0.05 * max(scales) ** 2)


def test_labels_follow_the_conditioned_x_and_sweeps_draw_the_same() -> None:
    cfg = RunConfig(scales=(2.0, 0.1), correlation=0.7, num_train=50, num_val=10, noise=0.0)
    data = make_data(cfg, torch.Generator().manual_seed(0))
    assert torch.allclose(data.y, data.X @ torch.tensor([[2.0], [-3.4]]) + 4.2, atol=1e-5)
    X, y = make_data_stack([cfg, cfg], [torch.Generator().manual_seed(0) for _ in range(2)])
    assert torch.equal(X[1], data.X)
    assert torch.allclose(y[1], data.y, atol=1e-6)  # stacked arithmetic, same numbers


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scales": (1.0, 2.0, 3.0)}, "scales"),  # three scales for two weights
        ({"scales": (0.0,)}, "scales"),
        ({"scales": (-1.0, 1.0)}, "scales"),
        ({"scales": ()}, "scales"),
        ({"scales": (float("inf"),)}, "scales"),
        ({"correlation": 1.0}, "correlation"),
        ({"correlation": -1.5}, "correlation"),
        ({"correlation": float("nan")}, "correlation"),
        ({"correlation": 0.5, "w": (1.0,)}, "correlation"),  # a single feature
    ],
)
def test_bad_conditioning_is_refused_by_name(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as refused:
        RunConfig(**changes)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_conditioning_round_trips_through_a_mapping() -> None:
    cfg = RunConfig(scales=(1.0, 0.25), correlation=-0.3)
    data = cfg.to_dict()
    assert data["scales"] == [1.0, 0.25] and data["correlation"] == -0.3
    assert RunConfig.from_mapping(data) == cfg
    assert RunConfig.from_mapping({"w": [1, 2, 3]}).scales == (1.0,)  # one scale for all
