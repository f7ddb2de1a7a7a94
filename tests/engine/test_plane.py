"""The parameter plane (issue 14): its contours are the MSE's level sets with the other
parameters minimised out, its ellipse geometry is numpy's, its noise ball the theory's."""

from __future__ import annotations

import numpy as np
import pytest

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.plane import ball_axes, contour_levels, eig2, ellipse, quad
from linreg_tui.engine.theory import theory, training_inputs
from linreg_tui.engine.trace import plane_of

PLANES = {
    "book": RunConfig(),
    "ravine": RunConfig(scales=(1.0, 0.2), correlation=0.6),
    "one-weight": RunConfig(w=(1.5,), num_train=200),  # the plane is (w1, b) itself
    "three-weights": RunConfig(w=(1.0, -2.0, 0.5), correlation=-0.4, num_train=300),
}


def profiled_mse(cfg: RunConfig, index: tuple[int, int], p: tuple[float, float]) -> float:
    """The oracle: the training MSE with θ[index] = p and every other parameter at its
    best, by least squares in float64 straight from the data."""
    X, y, _ = training_inputs(cfg)
    Xt = np.hstack([X, np.ones((len(X), 1))])
    on = list(index)
    off = [i for i in range(Xt.shape[1]) if i not in on]
    rest = y - Xt[:, on] @ np.array(p)
    if off:
        rest = rest - Xt[:, off] @ np.linalg.lstsq(Xt[:, off], rest, rcond=None)[0]
    return float(np.mean(rest**2))


@pytest.mark.parametrize("cfg", PLANES.values(), ids=PLANES.keys())
def test_each_contour_is_the_loss_at_every_point_on_it(cfg: RunConfig) -> None:
    plane = plane_of(cfg)
    assert plane.index == ((0, 1) if cfg.features > 1 else (0, cfg.features))
    assert profiled_mse(cfg, plane.index, plane.fit) == pytest.approx(plane.min_mse, rel=1e-9)
    levels = contour_levels(plane.form, reach=3.0, finest=1e-3)
    assert len(levels) >= 5
    for level in levels:
        for p in ellipse(plane.fit, plane.form, level, count=12):
            loss = profiled_mse(cfg, plane.index, p)
            assert loss == pytest.approx(plane.min_mse + level, rel=1e-6)
            assert loss - plane.min_mse == pytest.approx(level, rel=1e-6)
            assert plane.mse(p) == pytest.approx(loss, rel=1e-6)


def test_the_plane_carries_the_theory() -> None:
    cfg = RunConfig(scales=(1.0, 0.25), lr=0.1)
    plane, th = plane_of(cfg), theory(cfg)
    assert plane.fit == pytest.approx(th.fit_w)
    assert (plane.lr_gd_max, plane.lr_ms_max, plane.verdict) == (
        th.lr_gd_max,
        th.lr_ms_max,
        th.verdict,
    )
    assert plane.condition_number == pytest.approx(16, rel=0.1)  # 1/0.25², the bias at 1
    assert plane.ball is not None
    assert np.array(plane.ball) == pytest.approx(np.array(th.noise_ball)[:2, :2])
    # over (w1, w2) with b profiled out, the form is X's biased covariance (THEORY.md)
    X, _, _ = training_inputs(cfg)
    assert np.array(plane.form) == pytest.approx(np.cov(X.T, bias=True), rel=1e-9)
    assert plane_of(RunConfig(lr=2.0)).ball is None  # past η_MS: no stationary ball


def test_eig2_agrees_with_numpy() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = rng.normal(size=(2, 2)) * rng.choice([1e-3, 1.0, 1e3])
        m = a @ a.T
        matrix = ((m[0, 0], m[0, 1]), (m[1, 0], m[1, 1]))
        (l1, v1), (l2, v2) = eig2(matrix)
        values, vectors = np.linalg.eigh(m)
        assert (l1, l2) == pytest.approx((values[1], values[0]), rel=1e-9, abs=1e-12 * values[1])
        assert abs(np.dot(v1, vectors[:, 1])) == pytest.approx(1.0, abs=1e-6)
        assert np.dot(v1, v2) == pytest.approx(0.0, abs=1e-12)
    assert eig2(((2.0, 0.0), (0.0, 5.0))) == ((5.0, (0.0, 1.0)), (2.0, (-1.0, 0.0)))


def test_levels_halve_the_ellipse_from_reach_down_to_finest() -> None:
    form = ((20.0, 0.0), (0.0, 1.0))
    levels = contour_levels(form, reach=4.0, finest=0.01)
    widest = [np.sqrt(level / 1.0) for level in levels]  # the long semi-axis, along w2
    assert widest[0] == pytest.approx(4.0)
    assert widest == pytest.approx([4.0 / 2**j for j in range(len(levels))])
    assert widest[-1] >= 0.01 > widest[-1] / 2


def test_the_ball_ellipse_is_two_sigma() -> None:
    cov = ((4.0, 1.0), (1.0, 2.0))
    form = ball_axes(cov)
    assert form is not None
    for p in ellipse((0.0, 0.0), form, 1.0, count=16):
        # Mahalanobis distance 2 under cov
        assert quad(tuple(map(tuple, np.linalg.inv(cov))), p) == pytest.approx(4.0)  # type: ignore[arg-type]
    assert ball_axes(((0.0, 0.0), (0.0, 0.0))) is None


def test_what_the_app_reads_of_a_trace_loads_no_torch() -> None:
    """Traces come back from the training process; the view unpickles and draws them on
    the app's own thread, where importing torch would freeze it for ~1 s."""
    from tests.test_import_hygiene import loaded_after

    loaded = loaded_after(
        "import pickle\n"
        "import linreg_tui.ui.views.sgd_path\n"
        "from linreg_tui.engine.plane import Plane, TracePart, TraceRows\n"
        "rows = TraceRows('sgd', 0, (0,), ((1.0, 2.0),), (3.0,), (float('nan'),))\n"
        "plane = Plane(('w1', 'w2'), (0, 1), 'b', (0.0, 0.0), (0.0, 0.0), ((1.0, 0.0),"
        " (0.0, 1.0)), 0.0, None, 0.1, 1.0, 0.9, 'stable', 1.0, (2.0, 2.0, 2.0), 1)\n"
        "pickle.loads(pickle.dumps(TracePart(1, rows, rows, plane)))\n"
    )
    assert "linreg_tui.ui.widgets.plane_canvas" in loaded
    assert "torch" not in loaded
