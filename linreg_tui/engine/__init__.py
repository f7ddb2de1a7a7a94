"""The UI-free engine: configuration, data, model, losses, training and sweeps.

`config` is importable without torch; every other name loads torch on first use
(PEP 562 lazy attributes), so a UI can show its first frame before paying for torch.
"""

from __future__ import annotations

import importlib
from typing import Any

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"linreg_tui.engine.{module}"), name)
    globals()[name] = value
    return value
