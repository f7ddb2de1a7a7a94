"""Plans: what one ctrl+r or one command trains, and which setting a refusal names."""

from __future__ import annotations

import pytest

from linreg_tui.engine.config import DEFAULT_SIZES, ConfigError, RunConfig
from linreg_tui.lab.plans import loss_plan, lr_plan, robust_plan, single_run, sizes_plan


def refused(build: object, *args: object, **kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        build(*args, **kwargs)  # type: ignore[operator]
    return caught.value


def test_a_run_too_long_blames_the_setting_furthest_above_its_default() -> None:
    """Reported: 1e8 typed into num_val was blamed on num_train (the form focused it)."""
    assert refused(RunConfig, num_val=100_000_000, epochs=10).field == "num_val"
    assert refused(RunConfig, num_train=100_000_000, epochs=10).field == "num_train"
    assert refused(RunConfig, epochs=10_000_000).field == "epochs"


def test_a_size_sweep_too_long_blames_the_setting_that_made_it_so() -> None:
    """Reported: epochs 3000 (the form's) in the sizes view was blamed on seeds."""
    base = RunConfig(b=4.0)
    assert refused(sizes_plan, RunConfig(b=4.0, epochs=5000), DEFAULT_SIZES, 5).field == "epochs"
    assert refused(sizes_plan, RunConfig(b=4.0, epochs=30), DEFAULT_SIZES, 1000).field == "seeds"
    assert refused(sizes_plan, base, [1_000_000 + k for k in range(40)], 5).field == "sizes"


def test_plans_count_their_runs_steps_and_rows() -> None:
    cfg = RunConfig(num_train=64, num_val=16, epochs=2, batch_size=16)
    assert single_run(cfg).runs == (cfg,) and single_run(cfg).total_steps == 8
    assert len(loss_plan(cfg).runs) == 5 and len(loss_plan(cfg, seeds=3).runs) == 9
    assert len(robust_plan(cfg).runs) == 3
    assert [c.outliers for c in robust_plan(RunConfig(outliers=0.1)).runs[3:]] == [0.1] * 3
    grid = lr_plan(cfg, [0.01, 0.1], [1, 3])
    assert (grid.total_rows, grid.config.epochs, grid.unit) == (4, 3, "cells")
    sweep = sizes_plan(cfg, [8, 16], 2)
    assert (sweep.total_rows, sweep.params) == (4, {"sizes": [8, 16], "seeds": 2})
