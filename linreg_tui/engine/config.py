"""Run configuration: one frozen dataclass that rejects bad values by field name.

This module imports neither torch nor any UI library, so the app can build its form and
the command line its parser before torch is loaded.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Final, Literal, get_args

from linreg_tui.engine.cost import STEP_SECONDS, budget_problem, format_count, format_duration

__all__ = ["STEP_SECONDS", "ConfigError", "RunConfig", "format_count", "format_duration"]

LossName = Literal["mse-mean", "mse-sum", "huber", "smooth-l1"]
InitName = Literal["book", "torch-default"]
LOSS_NAMES: Final[tuple[LossName, ...]] = get_args(LossName)
INIT_NAMES: Final[tuple[InitName, ...]] = get_args(InitName)

LOSS_HELP: Final[dict[LossName, str]] = {
    "mse-mean": "squared error averaged over the minibatch: nn.MSELoss() (the book's choice)",
    "mse-sum": "squared error summed over the minibatch: nn.MSELoss(reduction='sum'); "
    "gradients grow with the batch size, so divide lr by it (d2l 3.5 ex. 1)",
    "huber": "nn.HuberLoss(delta): r^2/2 inside delta, delta*(|r| - delta/2) beyond",
    "smooth-l1": "nn.SmoothL1Loss(beta=delta), the book's form: r^2/(2*delta) inside delta, "
    "|r| - delta/2 beyond",
}
INIT_HELP: Final[dict[InitName, str]] = {
    "book": "weights ~ N(0, 0.01), bias 0, applied after LazyLinear is materialized "
    "(what the book intends)",
    "torch-default": "torch's default Linear init (uniform, +-1/sqrt(d)): what the book's code "
    "really trains, because it initializes LazyLinear before the layer exists and the "
    "first forward pass resets it",
}

# Sweep defaults live here, not in sweep.py, so that forms and parsers can show them
# without loading torch.
DEFAULT_SIZES: Final[tuple[int, ...]] = tuple(5 * 2**k for k in range(12))
"""5, 10, 20, ... 10240: log spacing, since errors fall like a power of n (d2l 3.5 ex. 5)."""
DEFAULT_SEEDS: Final = 5
DEFAULT_LRS: Final[tuple[float, ...]] = (0.003, 0.03, 0.3, 3.0)
DEFAULT_EPOCHS_LIST: Final[tuple[int, ...]] = (1, 3, 10, 30)
DIVERGENCE_FACTOR: Final = 1e6
"""A run whose training MSE grows more than this factor above max(its start, 1) has
diverged, even before anything overflows to inf (e.g. lr 1 at the defaults: 33 -> 5e10)."""
SIZE_SWEEP_B: Final = 4.0
"""The exercise's true bias for the size sweep."""
NEAR_FLOOR: Final = 5.0
"""How close to the least-squares floor SGD must come for a size to count as converged."""

# Resource bounds: refuse up front rather than run out of memory or train for hours.
MAX_FEATURES: Final = 10_000
MAX_DATA_BYTES: Final = 2 * 1024**3
"""Float32 storage of X and y of the runs a sweep trains side by side (lab/lists.py); one
run is held to its whole peak memory instead (cost.MAX_MEMORY_BYTES)."""
MAX_STEPS: Final = 5_000_000
"""SGD steps in one run (about 17 minutes at ~200 us a step on this machine kind, shared)."""
MAX_SAMPLE_PASSES: Final = 2_000_000_000
"""epochs x (num_train + num_val) x (features + 1): the arithmetic of one run."""
# The cost model (seconds, peak memory) and its limits: engine/cost.py. Its formatters and
# STEP_SECONDS are read from here by lab/limits.py.


class ConfigError(ValueError):
    """A configuration value broke a rule; `field` names the setting."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines one training run; equal configs give equal numbers."""

    w: tuple[float, ...] = field(default=(2.0, -3.4), metadata=_help("true weights"))
    b: float = field(default=4.2, metadata=_help("true bias"))
    noise: float = field(default=0.01, metadata=_help("label noise sigma"))
    num_train: int = field(default=1000, metadata=_help("training examples"))
    num_val: int = field(default=1000, metadata=_help("validation examples"))
    batch_size: int = field(default=32, metadata=_help("minibatch size (last short batch kept)"))
    epochs: int = field(default=3, metadata=_help("passes over the training set"))
    lr: float = field(default=0.03, metadata=_help("SGD learning rate"))
    loss: LossName = field(default="mse-mean", metadata=_help("training objective"))
    delta: float = field(default=1.0, metadata=_help("Huber delta / smooth-L1 beta"))
    init: InitName = field(default="book", metadata=_help("initial weights"))
    seed: int = field(default=0, metadata=_help("random seed for data, init and shuffling"))
    outliers: float = field(
        default=0.0, metadata=_help("fraction of training labels corrupted (0..1)")
    )
    outlier_scale: float = field(
        default=10.0, metadata=_help("outliers get scale * N(0, 1) added to their label")
    )
    steps: int = field(
        default=0, metadata=_help("if > 0: train exactly this many SGD steps (overrides epochs)")
    )
    average: bool = field(
        default=False, metadata=_help("report iterates averaged over the last epoch")
    )
    scales: tuple[float, ...] = field(default=(1.0,), metadata=_help("std of each feature of X"))
    correlation: float = field(default=0.0, metadata=_help("correlation of features 1 and 2"))

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "w", _weights(self.w))
        set_(self, "scales", _weights(self.scales, "scales"))
        for name in ("b", "noise", "lr", "delta", "outliers", "outlier_scale", "correlation"):
            set_(self, name, _finite(name, getattr(self, name)))
        for name in ("num_train", "num_val", "batch_size", "epochs", "seed", "steps"):
            set_(self, name, _whole(name, getattr(self, name)))
        if not isinstance(self.average, bool):
            raise ConfigError("average", RULES["average"])
        _check_rules(self)

    @property
    def features(self) -> int:
        """Number of input features, len(w)."""
        return len(self.w)

    @property
    def batches_per_epoch(self) -> int:
        """Minibatches in one epoch; the last one may be short."""
        return math.ceil(self.num_train / self.batch_size)

    @property
    def total_steps(self) -> int:
        """SGD steps the run will take."""
        return self.steps if self.steps > 0 else self.epochs * self.batches_per_epoch

    @property
    def total_epochs(self) -> int:
        """Epochs the run will yield records for (the last may be partial with `steps`)."""
        return math.ceil(self.total_steps / self.batches_per_epoch)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON/TOML-ready values."""
        data = asdict(self)
        data["w"], data["scales"] = list(self.w), list(self.scales)
        return data

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: RunConfig | None = None) -> RunConfig:
        """Build from a mapping (a config file); unknown keys are refused by name."""
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise ConfigError(str(key), f"is not a setting (known: {', '.join(sorted(known))})")
        values = (base or cls()).to_dict()
        values.update(data)
        return cls(**values)


FIELD_NAMES: Final[tuple[str, ...]] = tuple(f.name for f in fields(RunConfig))
FIELD_HELP: Final[dict[str, str]] = {f.name: f.metadata["help"] for f in fields(RunConfig)}


RULES: Final[dict[str, str]] = {
    "w": "must be a list of finite numbers, e.g. 2,-3.4",
    "b": "must be a finite number",
    "noise": "must be zero or a positive finite number",
    "lr": "must be a positive finite number",
    "delta": "must be a positive finite number",
    "outliers": "must be a fraction between 0 and 1",
    "outlier_scale": "must be zero or a positive finite number",
    "num_train": "must be a whole number of at least 1",
    "num_val": "must be a whole number of at least 1",
    "batch_size": "must be a whole number of at least 1",
    "epochs": "must be a whole number of at least 1",
    "steps": "must be 0 (train for `epochs`) or a positive whole number",
    "seed": "must be a whole number from 0 to 2**63 - 1",
    "average": "must be true or false",
    "scales": "must be positive finite numbers, one per weight or one for all, e.g. 1,0.2",
    "correlation": "must be above -1 and below 1 (and 0 with a single weight)",
}
"""The rule each field must follow, worded for messages and help."""


MAX_WHOLE: Final = 2**63 - 1
"""The largest count or seed: torch's int64. A count typed as 1 and 400 zeros overflowed
the cost estimate's float and ended the app (issue 16)."""
FLOAT32_TINY: Final = 2.0**-149
"""The smallest positive float32; a nonzero value below about half of it is 0 there."""


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(name, RULES[name])
    number = float(value) if not isinstance(value, int) or abs(value) < 2**1023 else math.inf
    if not math.isfinite(number):
        raise ConfigError(name, RULES[name])
    if number != 0 and abs(number) < 1 and _float32(number) == 0:
        # torch trains in float32: --lr 1e-320 was accepted and then trained nothing
        raise ConfigError(
            name,
            f"{RULES[name]}; {number:g} is 0 in float32, where training computes "
            f"(the smallest nonzero float32 is about {FLOAT32_TINY:.1e})",
        )
    return number


def _float32(number: float) -> float:
    """`number` rounded to float32 (|number| < 1: no overflow)."""
    return float(struct.unpack("f", struct.pack("f", number))[0])


def _whole(name: str, value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(name, RULES[name])
    if abs(value) > MAX_WHOLE:
        digits = int(value.bit_length() * math.log10(2)) + 1  # str() of 4,300+ digits raises
        raise ConfigError(
            name, f"{RULES[name]}, at most 2**63 - 1 (got a number of about {digits:,} digits)"
        )
    return value


def _weights(value: object, name: str = "w") -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ConfigError(name, RULES[name])
    if not value:
        raise ConfigError(name, "must have at least one weight" if name == "w" else RULES[name])
    if len(value) > MAX_FEATURES:
        name_s = "weights" if name == "w" else name
        raise ConfigError(name, f"has {len(value)} {name_s}; the limit is {MAX_FEATURES}")
    return tuple(_finite(name, v) for v in value)


def _check_rules(cfg: RunConfig) -> None:
    broken = {
        "lr": not cfg.lr > 0,
        "delta": not cfg.delta > 0,
        "noise": cfg.noise < 0,
        "outlier_scale": cfg.outlier_scale < 0,
        "outliers": not 0 <= cfg.outliers <= 1,
        "num_train": cfg.num_train < 1,
        "num_val": cfg.num_val < 1,
        "batch_size": cfg.batch_size < 1,
        "epochs": cfg.epochs < 1,
        "steps": cfg.steps < 0,
        "seed": not 0 <= cfg.seed < 2**63,
        "scales": not all(s > 0 for s in cfg.scales) or len(cfg.scales) not in (1, cfg.features),
        "correlation": not -1 < cfg.correlation < 1 or (cfg.correlation and cfg.features < 2),
    }
    for name, is_broken in broken.items():
        if is_broken:
            raise ConfigError(name, RULES[name])
    if cfg.loss not in LOSS_NAMES:
        raise ConfigError("loss", f"must be one of {', '.join(LOSS_NAMES)}, not {cfg.loss!r}")
    if cfg.init not in INIT_NAMES:
        raise ConfigError("init", f"must be one of {', '.join(INIT_NAMES)}, not {cfg.init!r}")
    _check_budget(cfg)


def _check_budget(cfg: RunConfig) -> None:
    """Refuse a run whose peak memory or duration is beyond the limits (engine/cost.py)."""
    problem = budget_problem(cfg, MAX_STEPS, MAX_SAMPLE_PASSES)
    if problem is not None:
        raise ConfigError(*problem)
