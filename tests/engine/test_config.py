from __future__ import annotations

import math
from dataclasses import replace

import pytest

from linreg_tui.engine.config import FIELD_NAMES, ConfigError, RunConfig


def test_defaults_are_the_books() -> None:
    cfg = RunConfig()
    assert (cfg.w, cfg.b, cfg.noise) == ((2.0, -3.4), 4.2, 0.01)
    assert (cfg.num_train, cfg.num_val, cfg.batch_size, cfg.epochs, cfg.lr) == (
        1000, 1000, 32, 3, 0.03,
    )  # fmt: skip
    assert cfg.batches_per_epoch == 32  # 31 full batches and one of 8: the short one is kept
    assert cfg.total_steps == 96


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("lr", 0.0, "lr must be a positive finite number"),
        ("lr", -1.0, "lr must be a positive finite number"),
        ("lr", math.nan, "lr must be a positive finite number"),
        ("lr", math.inf, "lr must be a positive finite number"),
        ("lr", 10**400, "lr must be a positive finite number"),
        ("lr", "0.1", "lr must be a positive finite number"),
        ("delta", 0.0, "delta must be a positive"),
        ("noise", -0.1, "noise must be zero or a positive"),
        ("batch_size", 0, "batch_size must be a whole number of at least 1"),
        ("epochs", 2.5, "epochs must be a whole number"),
        ("epochs", True, "epochs must be a whole number"),
        ("num_train", -3, "num_train must be a whole number of at least 1"),
        ("outliers", 1.5, "outliers must be a fraction between 0 and 1"),
        ("seed", -1, "seed must be a whole number from 0"),
        ("loss", "l1", "loss must be one of mse-mean, mse-sum, huber, smooth-l1"),
        ("init", "xavier", "init must be one of book, torch-default"),
        ("w", (), "w must have at least one weight"),
        ("w", (1.0, math.nan), "w must be a list of finite numbers"),
        ("w", "2,-3.4", "w must be a list of finite numbers"),
        ("average", "yes", "average must be true or false"),
    ],
)
def test_bad_values_are_refused_by_field_and_rule(field: str, value: object, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        replace(RunConfig(), **{field: value})
    assert info.value.field == field
    assert words in str(info.value)


def test_batch_larger_than_training_set_is_one_batch() -> None:
    cfg = RunConfig(num_train=10, batch_size=100)
    assert cfg.batches_per_epoch == 1


def test_whole_floats_become_ints_and_ints_become_floats() -> None:
    cfg = RunConfig(epochs=3.0, lr=1, w=[2, -3])  # type: ignore[arg-type]
    assert cfg.epochs == 3 and isinstance(cfg.epochs, int)
    assert isinstance(cfg.lr, float) and cfg.w == (2.0, -3.0)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"num_train": 10**10}, "num_train", "GiB of memory"),
        ({"epochs": 10**9}, "epochs", "SGD steps would take about"),
        ({"steps": 10**8}, "steps", "the limit is"),
        ({"w": (1.0,) * 20_000}, "w", "the limit is 10000"),
    ],
)
def test_runs_beyond_the_machine_are_refused_with_an_estimate(
    changes: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ConfigError) as info:
        replace(RunConfig(), **changes)
    assert info.value.field == field
    assert words in str(info.value)


def test_from_mapping_names_unknown_keys_and_round_trips() -> None:
    cfg = RunConfig(lr=0.1, w=(1.0, 2.0, 3.0), loss="huber")
    assert RunConfig.from_mapping(cfg.to_dict()) == cfg
    with pytest.raises(ConfigError) as info:
        RunConfig.from_mapping({"learning_rate": 0.1})
    assert info.value.field == "learning_rate"
    assert set(RunConfig().to_dict()) == set(FIELD_NAMES)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"epochs": 10**7}, "epochs"),
        ({"num_train": 14_000_000, "num_val": 10, "batch_size": 8}, "num_train"),
        ({"num_train": 10**7, "num_val": 10, "batch_size": 1}, "batch_size"),
    ],
)
def test_too_many_steps_blames_the_factor_that_makes_them(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ConfigError) as info:
        replace(RunConfig(), **changes)
    assert info.value.field == field
    assert "SGD steps would take about" in str(info.value)
    assert "epochs x" in str(info.value)
