"""The UI-free engine: configuration, data, model, losses, training and sweeps.

`config` is importable without torch; every other name loads torch on first use
(PEP 562 lazy attributes), so a UI can show its first frame before paying for torch.
"""

from __future__ import annotations

from linreg_tui.engine.config import (
    FIELD_HELP,
    FIELD_NAMES,
    INIT_HELP,
    INIT_NAMES,
    LOSS_HELP,
    LOSS_NAMES,
    ConfigError,
    InitName,
    LossName,
    RunConfig,
)
from linreg_tui.lazy import lazy_attributes

_LAZY = {
    "EpochRecord": "records",
    "train": "training",
    "setup_torch": "training",
    "SyntheticData": "data",
    "make_data": "data",
    "build_model": "model",
    "LOSSES": "losses",
    "LossSpec": "losses",
}

__all__ = [
    "FIELD_HELP",
    "FIELD_NAMES",
    "INIT_HELP",
    "INIT_NAMES",
    "LOSS_HELP",
    "LOSS_NAMES",
    "ConfigError",
    "InitName",
    "LossName",
    "RunConfig",
    *_LAZY,
]

__getattr__ = lazy_attributes(__name__, _LAZY)
