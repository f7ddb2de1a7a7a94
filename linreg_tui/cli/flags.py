"""Reading the command line's settings: flag text and a --config file into one RunConfig
whose refusals name the flag or the file's key."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import Any

from linreg_tui.cli.parser import DEFAULTS, FLAGS, UsageError, is_int
from linreg_tui.engine.config import FIELD_NAMES, ConfigError, RunConfig
from linreg_tui.lab.lists import number, parse_list
from linreg_tui.store.config_files import ConfigFileError, read_mapping

_NUMBER_LIKE = re.compile(r"-(?:[\d.]|inf|nan)", re.IGNORECASE)


def glue_negative_values(argv: Sequence[str]) -> list[str]:
    """Let `--w -3.4,2` and `--b -1e3` mean what they say.

    argparse takes a token that starts with '-' for an option unless it looks like a
    plain negative number; this CLI has no option that starts with '-' and a digit, so
    such a token after a value flag is glued to it as `--w=-3.4,2`.
    """
    out: list[str] = []
    tokens = list(argv)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            out.extend(tokens[i:])
            break
        follows = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token.startswith("--") and "=" not in token and _NUMBER_LIKE.match(follows):
            out.append(f"{token}={follows}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def parse_flag(name: str, text: str) -> Any:
    """The value of field `name` from its flag's text (RunConfig then checks the rule)."""
    default = getattr(DEFAULTS, name)
    if isinstance(default, tuple):
        return parse_list(name, text)
    if isinstance(default, (bool, str)):
        return text
    return number(name, text.strip(), int if is_int(default) else float)


def config_from_args(args: argparse.Namespace, base: RunConfig = DEFAULTS) -> RunConfig:
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
            raise UsageError(prog, f"{FLAGS[name]} {error.problem} (got {value!r})") from None
    try:
        return RunConfig.from_mapping({**file_values, **flag_values}, base=base)
    except ConfigError as error:
        raise UsageError(prog, describe(error, raw, args.config, file_values)) from None


def describe(
    error: ConfigError, raw: dict[str, Any], path: str | None, file_values: dict[str, Any]
) -> str:
    """Name where a bad value came from: its flag, or the config file and its key."""
    if error.field in raw:
        return f"{FLAGS[error.field]} {error.problem} (got {raw[error.field]!r})"
    if error.field in file_values:
        return f"--config {path}: {error.field} {error.problem}"
    return f"{FLAGS.get(error.field, error.field)} {error.problem}"
