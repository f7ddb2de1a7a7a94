"""The syntax of settings typed as text: comma-separated lists and counts, with one rule
each, for the form, the sweep views' fields and the command line's flags alike.

Every parser raises ConfigError naming the setting, so the app marks that field and the
command line names its flag, in the same words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from linreg_tui.engine.config import MAX_DATA_BYTES, RULES, ConfigError, RunConfig
from linreg_tui.lab.limits import MAX_RUNS, whole
from linreg_tui.store.paths import shown

SWEEP_RULES = {
    "sizes": "must be whole numbers of at least 1, separated by commas, each once",
    "seeds": f"must be a whole number from 1 to {MAX_RUNS}",
    "lrs": "must be positive finite numbers, separated by commas, each once",
    "epochs_list": "must be whole numbers of at least 1, separated by commas, each once",
}
"""The rule of each sweep list, as the app's fields and the command line's flags word it."""


def number(name: str, text: str, kind: Callable[[str], Any]) -> Any:
    """`kind(text)`, else a float ("1e3" for a count, or a float RunConfig then refuses)."""
    try:
        return kind(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ConfigError(name, RULES.get(name, "must be a number")) from None


def parse_list(name: str, text: str, kind: Callable[[str], Any] = float) -> list[Any]:
    """Comma-separated numbers; an empty element or a stray separator is an error."""
    items = [item.strip() for item in text.split(",")]
    if any(not item for item in items):
        raise ConfigError(
            name,
            f"{RULES.get(name, 'must be numbers')}: an element is empty (separate with commas)",
        )
    values = []
    for item in items:
        try:
            values.append(number(name, item, kind))
        except ConfigError as error:
            raise ConfigError(name, f"{error.problem}: {shown(item)} is not a number") from None
    return values


def sweep_values(name: str, text: str, kind: Callable[[str], Any]) -> list[Any]:
    """'5, 10, 1e3' -> [5, 10, 1000] if every element follows the list's rule.

    Sizes and epochs are whole numbers of at least 1 ("1e3" counts), learning rates
    positive finite numbers, none listed twice, at most MAX_RUNS of them."""
    try:
        values = parse_list(name, text, kind)
    except ConfigError:
        values = []
    if kind is int:  # "1e3" is a fine size
        values = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    # a repeated value would be a grid cell or a size point twice: one of each
    if not values or not all(_fits(kind, v) for v in values) or len(set(values)) < len(values):
        raise ConfigError(name, f"{SWEEP_RULES[name]} (got {text.strip()!r})")
    if len(values) > MAX_RUNS:
        raise ConfigError(name, f"has {len(values)} values; the limit is {MAX_RUNS}")
    return values


def _fits(kind: Callable[[str], Any], value: Any) -> bool:
    if kind is int:
        return isinstance(value, int) and value >= 1
    return isinstance(value, float) and math.isfinite(value) and value > 0


def parse_lrs(text: str) -> tuple[float, ...]:
    """'0.003, 0.03' -> (0.003, 0.03)."""
    return tuple(sweep_values("lrs", text, float))


def parse_epochs_list(text: str) -> tuple[int, ...]:
    """'1, 3, 10' -> (1, 3, 10), sorted."""
    return tuple(sorted(sweep_values("epochs_list", text, int)))


def parse_sizes(text: str) -> tuple[int, ...]:
    """'5, 10, 1e3' -> (5, 10, 1000), in the order typed."""
    return tuple(sweep_values("sizes", text, int))


def parse_seeds(text: str) -> int:
    """Seeds per size: a whole number from 1 to MAX_RUNS ('1e3' is fine)."""
    seeds = whole(text)
    if not 1 <= seeds <= MAX_RUNS:
        raise ConfigError("seeds", f"{SWEEP_RULES['seeds']} (got {text.strip()!r})")
    return seeds


def parse_steps(text: str) -> int:
    """SGD steps for every size: a whole number of at least 1."""
    steps = whole(text)
    if steps < 1:
        raise ConfigError("steps", f"must be a whole number of at least 1 (got {text.strip()!r})")
    return steps


def parse_b(text: str) -> float:
    """The true bias: a finite number."""
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ConfigError("b", f"{RULES['b']} (got {text.strip()!r})")
    return value


def checked(base: RunConfig, name: str, shown: object, count: int, **changes: object) -> RunConfig:
    """`base` with `changes`, valid, and fitting in memory `count` times over (a sweep
    trains `count` runs side by side, each with its own data); else ConfigError(name)."""
    try:
        cfg = replace(base, **changes)  # type: ignore[arg-type]
    except ConfigError as error:
        raise ConfigError(name, f"{shown}: {error.field} {error.problem}") from None
    need = count * (cfg.num_train + cfg.num_val) * (cfg.features + 1) * 4
    if need > MAX_DATA_BYTES:
        raise ConfigError(
            name,
            f"{shown}: {count} runs of {cfg.num_train + cfg.num_val} examples train side by "
            f"side and would need about {need / 2**30:.1f} GiB of memory; the limit is "
            f"{MAX_DATA_BYTES / 2**30:.1f} GiB",
        )
    return cfg
