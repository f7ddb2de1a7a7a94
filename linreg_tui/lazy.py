"""Package attributes that import their module on first use (PEP 562).

The engine, the UI and its widgets each re-export names whose modules are costly to import
(torch; Textual and every widget) before a first frame or a `--help`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: name -> its submodule, imported on first use
    and then kept in the package (later lookups are plain attribute reads)."""

    def __getattr__(name: str) -> Any:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
