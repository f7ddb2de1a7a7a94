from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
import torch

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.data import make_data
from linreg_tui.engine.sweep import (
    DEFAULT_SIZES,
    SIZE_SWEEP_B,
    fit_slope,
    loss_variants,
    lstsq_fit,
    size_slopes,
    summarize_sizes,
    sweep_loss,
    sweep_lr,
    sweep_seeds,
    sweep_sizes,
)
from linreg_tui.engine.training import train
from tests.engine.roundoff import RUN_ABS, RUN_REL, label_tolerance

BOOK = RunConfig(b=SIZE_SWEEP_B)


def test_default_sizes_are_log_spaced_from_5_to_10240() -> None:
    assert DEFAULT_SIZES[0] == 5 and DEFAULT_SIZES[-1] == 10240
    assert all(b == 2 * a for a, b in itertools.pairwise(DEFAULT_SIZES))


def test_floor_is_the_least_squares_solution_of_the_training_data() -> None:
    cfg = RunConfig(num_train=50, num_val=5, noise=0.3, seed=4)
    w, b = lstsq_fit(cfg)
    data = make_data(cfg, torch.Generator().manual_seed(4))
    A = np.hstack([data.train_X.double().numpy(), np.ones((50, 1))])
    y = data.train_y.double().numpy().reshape(-1)
    normal = np.linalg.solve(A.T @ A, A.T @ y)  # another route to the same minimizer
    # two float64 solvers on the same data: eps 2.2e-16 times cond(A^T A) (~10 for X ~ N(0, 1))
    # times |coef| ~ 4 is ~1e-14; 1e-10 keeps 10^4 of room and is still exact next to the
    # noise (0.3 / sqrt(50)) any other minimizer would be off by
    assert [*w, b] == pytest.approx(normal.tolist(), abs=1e-10)


def test_size_sweep_yields_every_size_and_seed_with_its_floor() -> None:
    points = list(sweep_sizes(BOOK, sizes=(5, 40), seeds=3))
    assert [(p.size, p.seed) for p in points] == [(5, 0), (5, 1), (5, 2), (40, 0), (40, 1), (40, 2)]
    cfg = replace(BOOK, num_train=40, num_val=40, seed=1)
    _w, b = lstsq_fit(cfg)
    # The sweep's labels come from make_data_stack, lstsq_fit's from make_data: equal to
    # label_tolerance (two matmul kernels, see roundoff.py). The floor's bias is linear in
    # the labels with the weights of A's pseudo-inverse, so it moves by at most their
    # weighted sum; float64 least squares adds ~1e-15.
    data = make_data(cfg, torch.Generator().manual_seed(1))
    A = np.hstack([data.train_X.double().numpy(), np.ones((40, 1))])
    label_tol = label_tolerance(data.train_X, cfg.w, cfg.b, data.train_y).numpy().reshape(-1)
    bias_tol = float(np.abs(np.linalg.pinv(A)[-1]) @ label_tol) + 1e-12
    assert points[4].lstsq_b_error == pytest.approx(abs(4.0 - b), rel=0, abs=bias_tol)
    # batched SGD on stacked data vs train() on make_data's: two paths (roundoff.py)
    assert points[4].w_error == pytest.approx(
        list(train(cfg))[-1].w_error, rel=RUN_REL, abs=RUN_ABS
    )


@pytest.fixture(scope="module")
def book_sweeps() -> dict[str, list]:  # type: ignore[type-arg]
    return {
        "constant": summarize_sizes(sweep_sizes(BOOK, seeds=5)),
        "average": summarize_sizes(sweep_sizes(replace(BOOK, average=True), seeds=5)),
    }


def test_the_floor_falls_like_one_over_root_n(book_sweeps: dict[str, list]) -> None:  # type: ignore[type-arg]
    slopes = size_slopes(book_sweeps["constant"])
    assert slopes.floor_w is not None and -0.7 < slopes.floor_w < -0.3
    assert slopes.floor_b is not None and -0.7 < slopes.floor_b < -0.3


def test_three_regimes_of_constant_lr_sgd(book_sweeps: dict[str, list]) -> None:  # type: ignore[type-arg]
    by_size = {s.size: s for s in book_sweeps["constant"]}
    # few steps: the error is nearly |w| itself
    assert by_size[20].w_error_norm.mean > 0.5 * np.hypot(2.0, 3.4)
    assert not by_size[640].converged
    # large n: flat at a few 1e-4, well above the floor
    big = by_size[10240]
    assert 2e-4 < big.w_error_norm.mean < 8e-4
    assert 2 < big.w_error_norm.mean / big.lstsq_w_error_norm.mean < 5
    slopes = size_slopes(book_sweeps["constant"])
    assert 10240 in slopes.sgd_sizes and 640 not in slopes.sgd_sizes
    assert slopes.sgd_w is not None and slopes.sgd_w > -0.3  # flatter than the floor


def test_averaged_iterates_reach_the_floor_at_large_n(book_sweeps: dict[str, list]) -> None:  # type: ignore[type-arg]
    big = {s.size: s for s in book_sweeps["average"]}[10240]
    assert big.w_error_norm.mean < 1.5 * big.lstsq_w_error_norm.mean


def test_fit_slope_recovers_a_power_law_and_skips_bad_points() -> None:
    sizes = [10, 100, 1000, 10000]
    assert fit_slope(sizes, [n**-0.5 for n in sizes]) == pytest.approx(-0.5)
    assert fit_slope(sizes, [1.0, float("nan"), 0.0, float("inf")]) is None


def test_lr_grid_cells_equal_runs_of_that_many_epochs() -> None:
    cells = list(sweep_lr(RunConfig(num_train=200), lrs=(0.03, 1e4), epochs_list=(1, 4)))
    assert [(c.lr, c.epochs) for c in cells] == [(0.03, 1), (0.03, 4), (1e4, 1), (1e4, 4)]
    direct = list(train(RunConfig(num_train=200, epochs=4)))[-1]
    # the grid trains batched, `direct` one run alone: two paths (roundoff.py)
    assert cells[1].val_mse == pytest.approx(direct.val_mse, rel=RUN_REL, abs=RUN_ABS)
    assert len(cells[1].curve) == 5 and cells[1].curve[-1] == cells[1].val_mse  # one number
    assert not cells[0].diverged and cells[2].diverged and cells[3].diverged
    assert cells[2].curve == cells[3].curve  # one run: no epoch after the diverged one
    slow = next(iter(sweep_lr(RunConfig(num_train=200), lrs=(1.1,), epochs_list=(1,))))
    assert not slow.diverged and slow.worse_than_start  # 33 -> 307: growing, still finite


def test_loss_sweep_trains_five_variants_on_identical_data_and_init() -> None:
    base = RunConfig(batch_size=25, epochs=2)
    assert [label for label, _ in loss_variants(base)][2] == "mse-sum lr=0.03/25"
    runs = list(sweep_loss(base))
    assert len(runs) == 5
    starts = {r.records[0].w_hat for r in runs}
    assert len(starts) == 1  # exact: the same draws from the same seed, nothing computed yet
    mean, _, scaled = runs[0].records[-1], runs[1], runs[2].records[-1]
    # the sum at lr/25 is the mean at lr in exact arithmetic, not in float32: each step
    # rounds lr/25 * (25 x the mean's gradient) differently; RUN_ABS as for any two paths
    assert scaled.w_hat == pytest.approx(mean.w_hat, rel=RUN_REL, abs=RUN_ABS)


def test_sweeps_stop_quietly_when_asked() -> None:
    assert list(sweep_sizes(BOOK, sizes=(5, 10), seeds=2, should_stop=lambda: True)) == []
    assert list(sweep_lr(BOOK, should_stop=lambda: True)) == []
    assert list(sweep_loss(BOOK, should_stop=lambda: True)) == []


def test_summed_loss_at_the_means_lr_blows_up_on_some_seeds_only() -> None:
    """d2l 3.5 ex. 1: on the edge of stability, the seed decides."""
    summed = sweep_seeds(RunConfig(loss="mse-sum"), seeds=30)
    assert summed is not None and len(summed) == 30
    blown = sum(o.blew_up for o in summed)
    assert 0 < blown < 15
    scaled = sweep_seeds(RunConfig(loss="mse-sum", lr=0.03 / 32), seeds=30)
    assert scaled is not None and not any(o.blew_up for o in scaled)
