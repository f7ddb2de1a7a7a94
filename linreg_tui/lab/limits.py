"""The work of a whole job (several runs, a sweep) held to the limits of one run.

RunConfig refuses a single run that would train for hours (MAX_STEPS SGD steps,
MAX_SAMPLE_PASSES example-features). A job of many runs could still add up to hours:
43 runs of mean vs sum, 12 sizes x 1000 seeds, 1000 learning rates side by side. Here a
job may take at most what one run may, and a refusal says how long it would have taken.
Torch-free: the app and the command line check before anything is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from linreg_tui.engine.config import (
    DEFAULT_SEEDS,
    DEFAULT_SIZES,
    MAX_DATA_BYTES,
    MAX_FEATURES,
    MAX_SAMPLE_PASSES,
    MAX_STEPS,
    STEP_SECONDS,
    ConfigError,
    RunConfig,
    format_count,
    format_duration,
)
from linreg_tui.engine.cost import EPOCH_SECONDS, MAX_SECONDS

PASS_SECONDS = 20e-9
"""Rough cost of one example-feature of an epoch in runs trained side by side: measured
here, a batched step costs about 2 us per run at batch 32 with 2 features."""
MAX_RUNS = 1000
"""Seeds per size, or learning rates, trained side by side: each holds its own data."""

LIMITS = (
    f"A run, or a whole job (every run of an app view, a sweep), may take at most "
    f"{MAX_STEPS:,} SGD steps (about {MAX_STEPS * STEP_SECONDS / 60:.0f} min) and "
    f"{MAX_SAMPLE_PASSES:.0e} example-features (epochs x examples x (features + 1)); its "
    f"data may need at most {MAX_DATA_BYTES / 2**30:.0f} GiB of memory at once; w holds at "
    f"most {MAX_FEATURES:,} weights; a sweep takes at most {MAX_RUNS:,} sizes, seeds or "
    f"learning rates. Larger settings are refused up front, with an estimate of their cost."
)
"""The limits, worded for help texts (F1 in the app, --help on the command line)."""


@dataclass(frozen=True)
class Work:
    """What a job costs: steps one after another, arithmetic, memory at once."""

    runs: int
    steps: int
    """SGD steps in sequence (runs trained side by side share their steps)."""
    passes: int
    """Example-features over all epochs of all runs: the arithmetic."""
    peak_bytes: int
    """Float32 data held at once by the runs trained side by side."""
    epochs: int = 0
    """Epochs in sequence, each evaluated and recorded (issue 16: a cost left out)."""

    @property
    def seconds(self) -> float:
        """A rough duration, by RunConfig's own cost model."""
        return self.steps * STEP_SECONDS + self.epochs * EPOCH_SECONDS + self.passes * PASS_SECONDS


def work_of(parts: Iterable[tuple[RunConfig, int]]) -> Work:
    """The work of `(config, count)` parts trained one after another, each part being
    `count` runs of that config side by side (seeds or learning rates of a sweep)."""
    runs = steps = passes = peak = epochs = 0
    for cfg, count in parts:
        rows = cfg.num_train + cfg.num_val
        runs += count
        steps += cfg.total_steps
        epochs += cfg.total_epochs
        passes += count * cfg.total_epochs * rows * (cfg.features + 1)
        peak = max(peak, count * rows * (cfg.features + 1) * 4)
    return Work(runs, steps, passes, peak, epochs)


def over_limits(work: Work) -> str | None:
    """Why `work` is too much for one job (a phrase to follow a field name), or None."""
    if work.peak_bytes > MAX_DATA_BYTES:
        return (
            f"is too large: the runs trained side by side would need about "
            f"{work.peak_bytes / 2**30:.1f} GiB of memory; the limit is "
            f"{MAX_DATA_BYTES / 2**30:.0f} GiB"
        )
    within = work.steps <= MAX_STEPS and work.passes <= MAX_SAMPLE_PASSES
    if within and work.seconds <= MAX_SECONDS:
        return None
    if work.steps > MAX_STEPS:
        limit = f"the limit is {MAX_STEPS:,} SGD steps for a whole job"
    elif work.passes <= MAX_SAMPLE_PASSES:
        limit = f"the limit is about {format_duration(MAX_SECONDS)} for a whole job"
    else:
        limit = f"the limit is {MAX_SAMPLE_PASSES:.0e} example-features for a whole job"
    return (
        f"is too large: {work.runs:,} runs, {work.steps:,} SGD steps over "
        f"{work.passes:.1e} example-features, would take about {format_duration(work.seconds)}; "
        f"{limit}"
    )


def too_many_seeds(base: RunConfig, sizes: Sequence[int], seeds: int) -> str:
    """What `seeds` over MAX_RUNS would cost, to follow the rule in a refusal."""
    work = _sizes_work(base, sizes, seeds)
    return (
        f"{format_count(seeds)} seeds x {len(sizes)} sizes would be "
        f"{format_count(work.runs)} runs, about {format_duration(work.seconds)}, "
        f"with {format_count(work.peak_bytes / 2**30)} GiB of data at once"
    )


def whole(text: str) -> int:
    """A count typed as '5', ' 1000 ' or '1e6'; 0 if it is not a whole number."""
    try:
        value = float(text.strip())
    except ValueError:
        return 0
    return int(value) if value.is_integer() else 0


def blame(cfg: RunConfig) -> str:
    """The field that makes runs of `cfg` long, as RunConfig names it: steps if set, else
    epochs, or the number of batches per epoch when that is the larger factor."""
    if cfg.steps > 0:
        return "steps"
    if cfg.batches_per_epoch > cfg.epochs:
        return "batch_size" if cfg.batch_size < 8 else "num_train"
    return "epochs"


def check_runs(runs: Sequence[RunConfig]) -> None:
    """ConfigError naming the form field to change if runs one after another are too much."""
    problem = over_limits(work_of((cfg, 1) for cfg in runs)) if len(runs) > 1 else None
    if problem is not None:
        raise ConfigError(blame(runs[0]), f"{problem} ({len(runs)} runs in this view)")


def check_sizes(base: RunConfig, sizes: Sequence[int], seeds: int) -> None:
    """ConfigError naming sizes, seeds or steps if a size sweep is too much."""
    problem = over_limits(_sizes_work(base, sizes, seeds))
    if problem is None:
        return
    if base.steps > 0 and base.steps * len(sizes) > MAX_STEPS:
        name = "steps"  # equal steps: every size trains base.steps
    else:  # the setting furthest above its default: the view's seeds or sizes, the form's epochs
        ratios = {
            "seeds": seeds / DEFAULT_SEEDS,
            "sizes": sum(sizes) / sum(DEFAULT_SIZES),
            "epochs": base.epochs / RunConfig().epochs,
        }
        name = max(ratios, key=ratios.__getitem__)
    raise ConfigError(name, f"{problem} ({len(sizes)} sizes x {seeds:,} seeds)")


def _sizes_work(base: RunConfig, sizes: Sequence[int], seeds: int) -> Work:
    return work_of((replace(base, num_train=n, num_val=n), seeds) for n in sizes)


def check_grid(base: RunConfig, lrs: Sequence[float]) -> None:
    """ConfigError naming lrs or epochs_list if an lr grid (every lr side by side for
    base.epochs, the longest length) is too much."""
    problem = over_limits(work_of([(base, len(lrs))]))
    if problem is not None:
        fits_alone = over_limits(work_of([(base, 1)])) is None
        name = "lrs" if len(lrs) > 1 and fits_alone else "epochs_list"
        raise ConfigError(name, f"{problem} ({len(lrs)} learning rates side by side)")
