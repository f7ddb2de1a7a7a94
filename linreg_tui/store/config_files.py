"""Run configurations in files: TOML or JSON by suffix, flat keys named as in RunConfig.

w = [2.0, -3.4]
lr = 0.03
loss = "mse-mean"
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from linreg_tui.engine.config import RunConfig
from linreg_tui.store.files import write_text
from linreg_tui.store.paths import PathProblem, clipped, kind, reason

MAX_BYTES = 1024 * 1024
"""A run configuration is a few hundred bytes; refuse anything far larger unread."""

SUFFIXES = (".toml", ".json")
FILES_ENV = "LINREG_TUI_FILES"
"""The folder `linreg-tui serve --files` shares with browser tabs (their only readable one)."""
MAX_KEY = 40
"""Longer keys are not settings; a message quoting a 100 000-character key would be."""


class ConfigFileError(ValueError):
    """A config file could not be read or holds something that is not a setting."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        super().__init__(f"{clipped(path)}: {problem}")
        self.path = str(path)
        self.problem = problem


def read_mapping(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The flat table a config file holds; the values are checked later by RunConfig."""
    path = Path(path)
    suffix = _kind(path)
    if kind(path) not in ("file", "missing"):  # a FIFO would block
        raise ConfigFileError(path, "is not a regular file")
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise ConfigFileError(path, f"cannot read it: {reason(error)}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigFileError(path, f"is larger than {MAX_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigFileError(path, "is not UTF-8 text") from None
    return parse_mapping(text, suffix, path)


def parse_mapping(text: str, suffix: str, where: str | os.PathLike[str]) -> dict[str, Any]:
    """The flat table in `text`, TOML or JSON by `suffix` (".toml", ".json"); `where` names
    it in errors (a file, or the text pasted into a browser tab)."""
    if len(text) > MAX_BYTES:
        raise ConfigFileError(where, f"is larger than {MAX_BYTES // 1024} KiB")
    path = Path(where)
    data = _parse_toml(path, text) if suffix == ".toml" else _parse_json(path, text)
    if not isinstance(data, dict):
        raise ConfigFileError(path, f"must hold one table of settings, not a {_type(data)}")
    for key, value in data.items():
        if len(key) > MAX_KEY:
            shown = f"{key[:MAX_KEY]!r}…"
            raise ConfigFileError(path, f"has a key of {len(key):,} characters ({shown})")
        if isinstance(value, Mapping):
            raise ConfigFileError(path, f"{key} is a table; settings are flat (e.g. lr = 0.03)")
    return data


def suffix_of(name: str | os.PathLike[str]) -> str:
    """ ".toml" or ".json", from a file name only (nothing is looked at on disk)."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigFileError(name, f"must end in .toml or .json, not {suffix or 'nothing'!r}")
    return suffix


def _kind(path: Path) -> str:
    """The suffix, checked; ConfigFileError for a folder or a path that cannot be looked at
    (a name over 255 bytes ended the app: issue 16)."""
    try:
        found = kind(path)
    except PathProblem as error:
        raise ConfigFileError(path, error.reason) from None
    if found == "folder":  # also "" and ".": Path("") is the current folder
        raise ConfigFileError(path, "is a folder; name a .toml or .json file")
    return suffix_of(path)


def _parse_toml(path: Path, text: str) -> Any:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            raise ConfigFileError(
                path, "reading TOML needs Python 3.11+ (or tomli); use .json"
            ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigFileError(path, f"is not valid TOML: {error}") from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise ConfigFileError(path, "is nested too deeply to be a config") from None
    except ValueError:  # an integer of more than 4300 digits (sys.int_info)
        raise ConfigFileError(path, "holds a number too long to read") from None


def _parse_json(path: Path, text: str) -> Any:
    def refuse(name: str) -> None:
        raise ConfigFileError(path, f"holds {name}, which is not JSON; write a finite number")

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as error:
        raise ConfigFileError(path, f"is not valid JSON: {error}") from None
    except RecursionError:
        raise ConfigFileError(path, "is nested too deeply to be a config") from None
    except ConfigFileError:
        raise  # NaN or Infinity, from refuse()
    except ValueError:  # an integer of more than 4300 digits (sys.int_info)
        raise ConfigFileError(path, "holds a number too long to read") from None


def _type(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean"}.get(type(value), type(value).__name__)


def load_config(path: str | os.PathLike[str], base: RunConfig | None = None) -> RunConfig:
    """A RunConfig from a file; keys it leaves out come from `base` (or the defaults)."""
    return RunConfig.from_mapping(read_mapping(path), base=base)


def dumps_toml(values: Mapping[str, Any]) -> str:
    """Flat TOML for scalars and lists of numbers (tomllib reads but cannot write)."""
    return "".join(f"{key} = {_toml_value(value)}\n" for key, value in values.items())


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"TOML config values must be finite, not {value}")
        return repr(value)  # shortest text that reads back to the same float
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps_config(cfg: RunConfig, suffix: str) -> str:
    """The text of `cfg` as a .toml or .json file."""
    data = cfg.to_dict()
    if suffix == ".toml":
        return dumps_toml(data)
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


def save_config(cfg: RunConfig, path: str | os.PathLike[str]) -> None:
    """Write `cfg` atomically, as TOML or JSON by the file's suffix."""
    path = Path(path)
    write_text(path, dumps_config(cfg, _kind(path)))
