"""The numbers a learner sees do not depend on which CPU kernels torch picks (issue 11).

torch dispatches its own kernels by the CPU's instruction set (ATEN_CPU_CAPABILITY: AVX512
on the AMD EPYC this suite was written on, AVX2 on many Intel Xeons, DEFAULT without
either) and MKL picks its code path by CPU too (MKL_CBWR=COMPATIBLE takes the portable
one). Here the command line runs the book's defaults in fresh processes forced onto the
other paths, and its numbers must agree with this process's to `roundoff`'s tolerances:
the same run on another machine prints the same result to what float32 can promise.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.engine.roundoff import RUN_ABS, RUN_REL

PATHS = {
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "COMPATIBLE"},
    "default": {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"},
}
THEORY_REL = 1e-6
"""The theory is float64, but of float32 data: on other kernels the labels may differ by an
ulp (1.2e-7 relative, `roundoff.label_tolerance`), and the curvature, edges and growth
move by about that (measured: 1.4e-8 on the DEFAULT path)."""
ERROR_REL = 1e-3
"""An error or a noise-ball spread is a difference of nearly equal numbers (|w - w_fit|
~1e-4 of weights ~2): the labels' 1.2e-7 grows by their ratio, 2e4, to 2.4e-3 at worst
(measured: 3.2e-5). Relative to the key's largest value: a covariance's tiny off-diagonal
entries move by as much as its diagonal ones."""


def cli_json(env: dict[str, str], *argv: str) -> Any:
    out = subprocess.run(
        [sys.executable, "-m", "linreg_tui", *argv, "--json"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def numbers(value: Any) -> list[float]:
    """Every number in a JSON value, in order (keys sorted)."""
    if isinstance(value, dict):
        return [x for key in sorted(value) for x in numbers(value[key])]
    if isinstance(value, list):
        return [x for item in value for x in numbers(item)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    return []


@pytest.fixture(scope="module")
def here() -> dict[str, Any]:
    return {
        "run": cli_json({}, "run", "--no-record"),
        "theory": cli_json({}, "theory"),
    }


@pytest.mark.parametrize("name", sorted(PATHS))
def test_the_book_run_and_its_theory_agree_on_other_kernels(
    here: dict[str, Any], name: str
) -> None:
    run = cli_json(PATHS[name], "run", "--no-record")
    for key in ("w_hat", "b_hat", "train_loss", "train_mse", "val_mse", "weight_grad"):
        for a, b in zip(numbers(here["run"][key]), numbers(run[key]), strict=True):
            assert math.isclose(a, b, rel_tol=RUN_REL, abs_tol=RUN_ABS), (key, a, b)
    assert run["steps"] == here["run"]["steps"]
    theory = cli_json(PATHS[name], "theory")
    assert theory.keys() == here["theory"].keys()
    for key in sorted(theory):
        mine, theirs = here["theory"][key], theory[key]
        if isinstance(mine, str):
            assert mine == theirs, key  # the verdict
            continue
        values = numbers(mine)
        rel = ERROR_REL if "error" in key or "ball" in key else THEORY_REL
        scale = max((abs(x) for x in values), default=0.0)
        for a, b in zip(values, numbers(theirs), strict=True):
            assert abs(a - b) <= rel * scale, (key, a, b)
