"""Flags (plus a --config file) to a RunConfig, with every refusal naming its flag or key.

Every RunConfig field's flag is read as text (parser.add_config_flags), so that a bad value
is reported by RunConfig's own rule under the flag's name. No torch, no UI library.
"""

from __future__ import annotations

import argparse
from typing import Any

from linreg_tui.cli.parser import FLAGS, UsageError, is_int
from linreg_tui.engine.config import FIELD_NAMES, ConfigError, RunConfig
from linreg_tui.lab.lists import number, parse_list
from linreg_tui.store.config_files import ConfigFileError, read_mapping
from linreg_tui.store.paths import clipped, shown

_DEFAULTS = RunConfig()


def parse_flag(name: str, text: str) -> Any:
    """The value of field `name` from its flag's text (RunConfig then checks the rule)."""
    default = getattr(_DEFAULTS, name)
    if isinstance(default, tuple):
        return parse_list(name, text)
    if isinstance(default, (bool, str)):
        return text
    return number(name, text.strip(), int if is_int(default) else float)


def config_from_args(args: argparse.Namespace, base: RunConfig = _DEFAULTS) -> RunConfig:
    """`base`, then the --config file, then the flags given; errors name the flag or key."""
    prog = args.prog
    file_values: dict[str, Any] = {}
    if getattr(args, "config", None):
        try:
            file_values = read_mapping(args.config)
        except ConfigFileError as error:
            raise UsageError(prog, f"--config {error}") from None
    raw: dict[str, Any] = {}
    flag_values: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = getattr(args, name, None)
        if value is None:
            continue
        raw[name] = value
        try:
            flag_values[name] = parse_flag(name, value) if isinstance(value, str) else value
        except ConfigError as error:
            raise UsageError(prog, f"{FLAGS[name]} {error.problem} (got {shown(value)})") from None
    try:
        return RunConfig.from_mapping({**file_values, **flag_values}, base=base)
    except ConfigError as error:
        raise UsageError(prog, describe(error, raw, args.config, file_values)) from None


def describe(
    error: ConfigError, raw: dict[str, Any], path: str | None, file_values: dict[str, Any]
) -> str:
    """Name where a bad value came from: its flag, or the config file and its key."""
    if error.field in raw:
        return f"{FLAGS[error.field]} {error.problem} (got {shown(raw[error.field])})"
    if error.field in file_values:
        return f"--config {clipped(path or '')}: {error.field} {error.problem}"
    return f"{FLAGS.get(error.field, error.field)} {error.problem}"
