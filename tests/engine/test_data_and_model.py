from __future__ import annotations

import numpy as np
import pytest
import torch

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.data import make_data
from linreg_tui.engine.model import build_model


def test_data_matches_d2l_draw_order_under_the_global_seed() -> None:
    """d2l: torch.manual_seed(s); X = randn(n, d); noise = randn(n, 1) * sigma."""
    cfg = RunConfig(num_train=30, num_val=20, seed=7)
    data = make_data(cfg, torch.Generator().manual_seed(7))
    torch.manual_seed(7)
    X = torch.randn(50, 2)
    y = X @ torch.tensor([[2.0], [-3.4]]) + 4.2 + torch.randn(50, 1) * 0.01
    # exact: the same normal kernel draws from equal generator states, then the same ops
    # (X @ w, + b, + noise) on the same shapes run the same kernels in the same order
    assert torch.equal(data.X, X)
    assert torch.equal(data.y, y)
    assert data.train_X.shape == (30, 2) and data.val_X.shape == (20, 2)


def test_noise_level_is_sigma() -> None:
    cfg = RunConfig(num_train=20000, num_val=1, noise=0.5)
    data = make_data(cfg, torch.Generator().manual_seed(0))
    residual = data.train_y - data.train_X @ torch.tensor([[2.0], [-3.4]]) - 4.2
    assert residual.std().item() == pytest.approx(0.5, rel=0.03)  # sampling: 1/sqrt(2n) = 0.5%


def test_outliers_corrupt_the_requested_fraction_of_training_labels_only() -> None:
    clean_cfg = RunConfig(num_train=1000, num_val=500)
    dirty_cfg = RunConfig(num_train=1000, num_val=500, outliers=0.1, outlier_scale=50.0)
    clean = make_data(clean_cfg, torch.Generator().manual_seed(1))
    dirty = make_data(dirty_cfg, torch.Generator().manual_seed(1))
    # exact: one path twice; outliers are drawn after the clean data, which stays bit equal
    changed = (clean.y != dirty.y).reshape(-1).nonzero().reshape(-1)
    assert len(changed) == 100
    assert changed.max().item() < 1000  # validation labels stay clean
    assert torch.equal(clean.X, dirty.X)


def test_book_init_is_normal_001_and_zero_bias() -> None:
    gen = torch.Generator().manual_seed(0)
    model = build_model(torch.randn(4, 500, generator=gen), gen, "book")
    assert model.weight.shape == (1, 500)
    assert model.weight.std().item() == pytest.approx(0.01, rel=0.15)
    assert model.bias.item() == 0.0


def test_torch_default_init_is_what_the_books_code_really_trains_from() -> None:
    """d2l inits the lazy layer before it exists; its first forward resets it."""
    gen = torch.Generator().manual_seed(0)
    ours = build_model(torch.randn(4, 500, generator=gen), gen, "torch-default")
    book = torch.nn.LazyLinear(1)
    book.weight.data.normal_(0, 0.01)  # d2l 3.5, verbatim: silently acts on nothing
    book.bias.data.fill_(0)
    book(torch.randn(1, 500))  # materializing resets the parameters
    bound = 1 / np.sqrt(500)
    for model in (ours, book):
        assert model.weight.abs().max().item() <= bound
        assert model.weight.std().item() == pytest.approx(bound / np.sqrt(3), rel=0.15)
        assert model.weight.std().item() > 0.02  # not the intended 0.01
        assert abs(model.bias.item()) <= bound


def test_init_is_reproducible_from_the_seed() -> None:
    def weights(init: str) -> torch.Tensor:
        gen = torch.Generator().manual_seed(3)
        return build_model(torch.randn(2, 5, generator=gen), gen, init).weight  # type: ignore[arg-type]

    for init in ("book", "torch-default"):
        assert torch.equal(weights(init), weights(init))
