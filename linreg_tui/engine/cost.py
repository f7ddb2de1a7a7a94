"""What a run costs before it runs: its seconds and its peak memory, and how they are worded.

Torch-free: the form and the parser check a run before torch is loaded. The constants were
measured with `bench/bench_cost.py`, which prints this estimate against the measured time
and peak memory for a few shapes of run (README, Reliability), on this machine kind as it
is used: shared, about twice as slow as alone (a step: ~200 us, ~70 us alone).

Seconds: every SGD step, every epoch's own work (the shuffle, the evaluation of the train
and validation MSE, the record and its way to the front end) and the arithmetic over the
examples. Before issue 16 the epochs were left out: one example, batch 1 and 5,000,000
epochs was estimated at 8 min and would have taken 75.

Memory: the peak resident size of the process that trains, not only the data tensor: the
interpreter and torch, the data, each epoch's shuffled copy of it (two while the next one
is made) and its permutation, and the larger of one step's and one evaluation's temporaries
(1e8 examples: 1.2 GB of data, 5.0 GB at the peak).
"""

from __future__ import annotations

from typing import Final, Protocol

STEP_SECONDS: Final = 200e-6
"""One SGD step's fixed cost (forward, backward, optimizer step, the stop check)."""
EPOCH_SECONDS: Final = 250e-6
"""One epoch's fixed cost: evaluating both MSEs, the record, writing it out."""
EXAMPLE_SECONDS: Final = 100e-9
"""One example in one epoch: the shuffle (randperm, gather) and the evaluation's passes."""
FEATURE_SECONDS: Final = 4e-9
"""One example-feature in one epoch: the arithmetic of the steps and the evaluation."""
MAX_SECONDS: Final = 1200.0
"""A run (or a whole job) may take about 20 minutes by this estimate."""

BASE_BYTES: Final = 340 * 2**20
"""The training process before any data: Python, torch and one optimizer (~300 MB)."""
MAX_MEMORY_BYTES: Final = 2 * 1024**3
"""A run's estimated peak resident memory may be at most this."""


def run_seconds(steps: int, epochs: int, examples: int, features: int) -> float:
    """Seconds to train `steps` SGD steps over `epochs` epochs of `examples` (train and
    validation) with `features` features; making the data costs about one epoch more."""
    per_example = EXAMPLE_SECONDS + (features + 1) * FEATURE_SECONDS
    return steps * STEP_SECONDS + epochs * EPOCH_SECONDS + (epochs + 1) * examples * per_example


def run_peak_bytes(num_train: int, num_val: int, features: int, batch_size: int) -> int:
    """The peak resident memory of training one run (engine/training.py), in bytes."""
    width = (features + 1) * 4  # one float32 example and its label
    data = (num_train + num_val) * width
    making = (num_train + num_val) * 4 * 3  # noise, X @ w and their sum, beside X
    shuffled = 2 * num_train * width + num_train * 8  # old and new copy, an int64 perm
    step = min(batch_size, num_train) * 4 * 8  # the batch's output, residual, gradients
    # output, residual, float64 residual and square; the allocator keeps some (measured)
    evaluation = max(num_train, num_val) * 40
    return BASE_BYTES + data + max(making, shuffled + max(step, evaluation))


def budget_problem(cfg: Run, max_steps: int, max_passes: int) -> tuple[str, str] | None:
    """(field to blame, problem) if a run of `cfg` is beyond the limits: its peak memory,
    `max_steps` SGD steps, `max_passes` example-features, or about MAX_SECONDS."""
    rows = cfg.num_train + cfg.num_val
    peak = run_peak_bytes(cfg.num_train, cfg.num_val, cfg.features, cfg.batch_size)
    if peak > MAX_MEMORY_BYTES:
        name = "num_train" if cfg.num_train >= cfg.num_val else "num_val"
        return (
            name,
            f"is too large: the run would need about {format_bytes(peak)} of memory at its "
            f"peak (the data, {format_bytes(rows * (cfg.features + 1) * 4)}, each epoch's "
            f"shuffled copy and the evaluation); the limit is {format_bytes(MAX_MEMORY_BYTES)}",
        )
    steps = cfg.total_steps
    # blame the larger factor: many epochs, or many (small) batches per epoch
    name = "steps" if cfg.steps > 0 else "epochs"
    how = f"{format_count(steps)} SGD steps"
    if cfg.steps == 0:
        if cfg.batches_per_epoch > cfg.epochs:
            name = "batch_size" if cfg.batch_size < 8 else "num_train"
        how = (
            f"{format_count(cfg.epochs)} epochs x {format_count(cfg.batches_per_epoch)} batches of "
            f"{format_count(cfg.batch_size)} = {format_count(steps)} SGD steps"
        )
    passes = cfg.total_epochs * rows * (cfg.features + 1)
    seconds = run_seconds(steps, cfg.total_epochs, rows, cfg.features)
    if steps > max_steps:
        return (
            name,
            f"is too large: {how} would take about {format_duration(seconds)}; "
            f"the limit is {format_count(max_steps)} steps",
        )
    if passes > max_passes:
        # the factor furthest above its default (RunConfig's: 3 epochs, 1000 + 1000 rows, 2
        # weights) pushed the arithmetic over: 1e8 typed into num_val is num_val's doing
        ratios = {
            name: cfg.total_epochs / 3,
            "num_train": cfg.num_train / 1000,
            "num_val": cfg.num_val / 1000,
            "w": cfg.features / 2,
        }
        return (
            max(ratios, key=ratios.__getitem__),
            f"is too large: {format_count(cfg.total_epochs)} epochs over "
            f"{format_count(rows)} examples would take about {format_duration(seconds)}; "
            f"the limit is {max_passes:.0e} example-features",
        )
    if seconds > MAX_SECONDS:  # every epoch also evaluates: many tiny epochs add up
        return (
            name,
            f"is too large: {how}, each epoch then evaluated on {format_count(rows)} examples, "
            f"would take about {format_duration(seconds)}; the limit is about "
            f"{format_duration(MAX_SECONDS)}",
        )
    return None


class Run(Protocol):
    """What the budget reads of a RunConfig (engine/config.py imports this module)."""

    num_train: int
    num_val: int
    batch_size: int
    epochs: int
    steps: int

    @property
    def features(self) -> int: ...
    @property
    def batches_per_epoch(self) -> int: ...
    @property
    def total_steps(self) -> int: ...
    @property
    def total_epochs(self) -> int: ...


def format_count(n: float) -> str:
    """1,234,567 up to ten billion, then 1.2e+12: a refusal stays one readable line."""
    return f"{n:,.0f}" if n < 1e10 else f"{n:.1e}"


def format_bytes(n: float) -> str:
    """1.5 GiB, 3.0 TiB or 1.1e+286 PiB."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            if unit == "PiB" and n >= 1e4:
                return f"{n:.1e} PiB"
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def format_duration(seconds: float) -> str:
    """40 s, 12 min, 5 h, 3,171 days or 2.7e+290 years."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.0f} h"
    days = seconds / 86400
    return f"{days:,.0f} days" if days < 1e6 else f"{days / 365.25:.1e} years"
