"""Argparse value types of the command line's own flags (paths, ids, counts).

Each raises argparse.ArgumentTypeError with the rule and a cut echo of what was typed, so
that the parser reports it in one line under the flag's name and exits with status 2.
"""

from __future__ import annotations

import argparse

from linreg_tui.engine.config import MAX_WHOLE
from linreg_tui.store.paths import PathProblem, shown, user_path


def file_name(text: str) -> str:
    """A path that names something (an empty --csv wrote nothing and said it had)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file name, not an empty string")
    return text


def db_path(text: str) -> str:
    """A --db path: not empty (it fell back to the default database, silently), and with a
    `~user` this machine knows."""
    try:
        user_path(text)
    except PathProblem as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _whole(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}, not {shown(text)}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    if value > MAX_WHOLE:  # SQLite's INTEGER is 64 bits: an OverflowError traceback
        digits = len(text.strip().lstrip("+"))
        raise argparse.ArgumentTypeError(f"must be at most 2**63 - 1, not a {digits}-digit number")
    return value


def at_least_one(text: str) -> int:
    """A whole number from 1 to 2**63 - 1 (SQLite reads LIMIT -1 as no limit)."""
    return _whole(text, "a whole number")


def run_id(text: str) -> int:
    """A run's id as listed: a whole number from 1 to 2**63 - 1."""
    return _whole(text, "a run's id (a whole number)")
