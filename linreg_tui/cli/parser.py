"""The command line's parser, and turning its flags (plus a config file) into a RunConfig.

Every RunConfig field gets a flag read as text, so that a bad value is reported by
RunConfig's own rule under the flag's name. Imports neither torch nor any UI library.
"""

from __future__ import annotations

import argparse
import re
import shutil
import textwrap
from collections.abc import Callable, Collection, Sequence
from dataclasses import fields
from typing import Any, NoReturn

from linreg_tui import __version__
from linreg_tui.cli.flag_types import db_path, file_name
from linreg_tui.engine.config import (
    FIELD_HELP,
    FIELD_NAMES,
    INIT_HELP,
    INIT_NAMES,
    LOSS_HELP,
    LOSS_NAMES,
    RULES,
    RunConfig,
)
from linreg_tui.lab.limits import LIMITS

PROG = "linreg-tui"
FLAGS = {name: "--" + name.replace("_", "-") for name in FIELD_NAMES}
"""RunConfig field -> its flag (num_train -> --num-train)."""
CHOICES: dict[str, tuple[str, ...]] = {"loss": LOSS_NAMES, "init": INIT_NAMES}
CHOICE_HELP: dict[str, dict[str, str]] = {
    "loss": {k: v for k, v in LOSS_HELP.items()},
    "init": {k: v for k, v in INIT_HELP.items()},
}
_DEFAULTS = RunConfig()
MAX_LINE = 600
"""Characters of an error line; the values each message quotes are cut first (shown())."""
_NUMBER_LIKE = re.compile(r"-(?:[\d.]|inf|nan)", re.IGNORECASE)


class UsageError(Exception):
    """Bad input: `main` prints it as one line on stderr and exits with status 2."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog

    def line(self) -> str:
        """The whole report, on one line, with control characters escaped and an echo
        too long to read cut in the middle (a 100 KB value was printed whole)."""
        text = f"{self.prog}: error: {self} (see '{self.prog} --help')"
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
        if len(text) > MAX_LINE:
            cut = len(text) - MAX_LINE
            text = f"{text[: MAX_LINE // 2]}…({cut:,} characters cut)…{text[-MAX_LINE // 2 :]}"
        return text


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises UsageError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self.prog, message)


def _formatter(prog: str) -> argparse.HelpFormatter:
    # raw: descriptions and epilogs are wrapped by `wrap`, which keeps their paragraphs
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=30)


def wrap(text: str, indent: str = "", hang: str = "") -> str:
    """Wrap `text` to the terminal (at most 100 columns), like argparse would."""
    width = min(shutil.get_terminal_size().columns, 100) - 2
    return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent + hang)


def choices_epilog(hidden: Collection[str] = ()) -> str:
    """The loss and init choices, one paragraph each (shown under every settings help)."""
    parts = []
    for name, described in CHOICE_HELP.items():
        if name in hidden:
            continue
        parts.append(f"{FLAGS[name]} choices:")
        pad = max(map(len, described)) + 2
        parts += [wrap(f"{k.ljust(pad)}{v}", "  ", " " * pad) for k, v in described.items()]
    parts += ["limits:", wrap(LIMITS, "  ")]
    return "\n".join(parts)


def _esc(text: str) -> str:
    return text.replace("%", "%%")  # argparse %-formats help strings


def new_parser(prog: str, description: str, **kwargs: Any) -> Parser:
    """A parser with this CLI's conventions (no abbreviations: --epochs vs --epochs-list)."""
    return Parser(
        prog=prog,
        description=description,
        formatter_class=_formatter,
        allow_abbrev=False,
        **kwargs,
    )


def add_config_flags(
    parser: argparse.ArgumentParser, defaults: RunConfig = _DEFAULTS, hidden: Collection[str] = ()
) -> None:
    """One flag per RunConfig field, read as text (None when not given); `hidden` fields
    are left out of the help (a sweep sets them) but still parsed, to be refused by name."""
    group = parser.add_argument_group("run settings (override --config)")
    for f in fields(RunConfig):
        name, flag, default = f.name, FLAGS[f.name], getattr(defaults, f.name)
        kwargs: dict[str, Any] = {"dest": name}
        if isinstance(default, bool):
            kwargs["action"] = argparse.BooleanOptionalAction
            kwargs["help"] = f"{FIELD_HELP[name]} (default: {'on' if default else 'off'})"
        elif name in CHOICES:
            kwargs["choices"] = CHOICES[name]
            kwargs["metavar"] = "{" + ",".join(CHOICES[name]) + "}"
            kwargs["help"] = f"{FIELD_HELP[name]} (default: {default}; see the choices below)"
        else:
            tuple_ = isinstance(default, tuple)
            shown = ",".join(f"{v:g}" for v in default) if tuple_ else default
            letter = name[0].upper()  # --w W1,W2,..., --scales S1,S2,...
            kwargs["metavar"] = (
                f"{letter}1,{letter}2,..." if tuple_ else "N" if is_int(default) else "X"
            )
            kwargs["help"] = f"{FIELD_HELP[name]}; {RULES[name]} (default: {shown})"
        kwargs["help"] = argparse.SUPPRESS if name in hidden else _esc(kwargs["help"])
        group.add_argument(flag, **kwargs)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def add_io_flags(parser: argparse.ArgumentParser, csv_help: str | None = None) -> None:
    """--config, --save-config, and (when `csv_help`) --json and --csv."""
    group = parser.add_argument_group("files and output")
    group.add_argument(
        "--config",
        metavar="FILE",
        type=file_name,
        help="read settings from a .toml or .json file first",
    )
    group.add_argument(
        "--save-config",
        metavar="FILE",
        type=file_name,
        help="write the effective settings to a .toml or .json file (then carry on)",
    )
    if csv_help is not None:
        group.add_argument(
            "--json", action="store_true", help="print one JSON object per line instead of a table"
        )
        group.add_argument("--csv", metavar="PATH", type=file_name, help=_esc(csv_help))
    group.add_argument(
        "--db",
        metavar="PATH",
        type=db_path,
        help="history database (default: $LINREG_TUI_DB, else the user data folder)",
    )
    group.add_argument("--no-record", action="store_true", help="do not record this in the history")


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


def add_command(
    commands: argparse._SubParsersAction,
    name: str,
    summary: str,
    description: str,
    defaults: RunConfig | None = _DEFAULTS,
    hidden: Collection[str] = (),
) -> Parser:
    """A subcommand; with `defaults` it takes every settings flag (fresh, never shared:
    argparse parents share option objects between subcommands), `hidden` ones unlisted."""
    parser: Parser = commands.add_parser(
        name,
        help=summary,
        description=wrap(description),
        epilog=choices_epilog(hidden) if defaults is not None else None,
        formatter_class=_formatter,
        allow_abbrev=False,
    )
    if defaults is not None:
        add_config_flags(parser, defaults, hidden)
    parser.set_defaults(command=name, prog=parser.prog)
    return parser


def build_parser(add_sweeps: Callable[[argparse._SubParsersAction], None] | None = None) -> Parser:
    """The whole command line; `add_sweeps` adds the `sweep` subcommands."""
    parser = new_parser(
        PROG,
        wrap(
            "A terminal lab for linear regression with minibatch SGD (d2l 3.5). "
            "Without a command it starts the terminal app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--config", dest="app_config", metavar="FILE", help="settings for the app (.toml/.json)"
    )
    parser.set_defaults(command=None, prog=PROG)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    run = add_command(
        commands,
        "run",
        "train one model and print a row per epoch",
        "Train one model with minibatch SGD and print a row per epoch (epoch 0 is the "
        "starting point). A run that diverges ends with a row marked 'diverged'.",
    )
    add_io_flags(run, "also write one row per epoch to this CSV file (written atomically)")
    tui = add_command(
        commands,
        "tui",
        "start the terminal app (the default)",
        "Start the terminal app, optionally with settings from flags or a file.",
    )
    add_io_flags(tui)
    if add_sweeps is not None:
        add_sweeps(commands)
    return parser
