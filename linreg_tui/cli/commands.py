"""Every command of `linreg-tui`: run, sweep, history, serve, and the app with settings.

`run` and `sweep` never import Textual, and `--help` does not even import torch: the
engine is imported inside the commands.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from linreg_tui.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    OutputError,
    any_config_flag,
    csv_output,
    describe_config,
    emit,
    record_fields,
    save_config_if_asked,
)
from linreg_tui.cli.history import add_history_parser, run_history
from linreg_tui.cli.jobs import records, run_plan
from linreg_tui.cli.parser import UsageError, build_parser, glue_negative_values
from linreg_tui.cli.serve import add_serve_parser, serve_command
from linreg_tui.cli.settings import config_from_args
from linreg_tui.cli.signals import Terminated, stop_on_signals
from linreg_tui.cli.sweep import SWEEPS, add_sweep_parsers
from linreg_tui.cli.table import Column, Table
from linreg_tui.cli.theory import add_theory_parser, theory_command
from linreg_tui.cli.trace import add_trace_parser, trace_command
from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.events import Event
from linreg_tui.lab.plans import Plan, single_run
from linreg_tui.lab.text import diverged_marker, fmt_fixed, fmt_sci, fmt_vector
from linreg_tui.lab.verdicts import ROSE, outcome
from linreg_tui.store.files import flatten, to_json
from linreg_tui.store.paths import reason

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status (0, 1 on I/O failure, 2 on bad
    input, 130 on Ctrl-C, 128 + the signal on SIGTERM or SIGHUP)."""
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "tui": tui_command,
        "run": run_command,
        "history": run_history,
        "serve": serve_command,
        "theory": theory_command,
        "trace": trace_command,
        **SWEEPS,
    }
    tokens = glue_negative_values(sys.argv[1:] if argv is None else argv)
    try:

        def add_more(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
            add_sweep_parsers(sub)
            add_trace_parser(sub)
            add_history_parser(sub)
            add_serve_parser(sub)
            add_theory_parser(sub)

        args = build_parser(add_more).parse_args(tokens)
        if args.command and args.app_config:
            raise UsageError(args.prog, "put --config after the command, e.g. run --config FILE")
        command = args.command or "tui"  # no command: the app
        if command in ("tui", "serve"):  # they handle their own signals
            return commands[command](args)
        with stop_on_signals():
            return commands[command](args)
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else EXIT_OK
    except UsageError as error:
        print(error.line(), file=sys.stderr, flush=True)
        return EXIT_USAGE
    except OutputError as error:
        if error.closed_pipe:
            _silence_stdout()
        print(f"linreg-tui: error: {error}", file=sys.stderr, flush=True)
        return EXIT_USAGE if error.usage else EXIT_FAILED
    except Terminated as stopped:  # SIGTERM, SIGHUP: cleaned up as after ctrl+c
        return stopped.exit_status
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `linreg-tui run --json | head -1`: stop quietly
        _silence_stdout()
        return EXIT_OK
    except OSError as error:  # anything the commands did not name: still one line
        _silence_stdout()
        print(f"linreg-tui: error: {reason(error)}", file=sys.stderr, flush=True)
        return EXIT_FAILED


def _silence_stdout() -> None:
    """Point stdout at devnull so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a stdout without a file descriptor
        pass


# --- tui --------------------------------------------------------------------------------


def tui_command(args: argparse.Namespace) -> int:
    """Start the Textual app, with the settings from flags or --config if any were given."""
    if args.command is None and args.app_config:
        args = argparse.Namespace(**{**vars(args), "config": args.app_config})
    config = config_from_args(args) if any_config_flag(args) else None
    save_config_if_asked(args, config or RunConfig())
    from linreg_tui.cli import start_app

    settings: dict[str, Any] = {} if config is None else {"config": config}
    if getattr(args, "db", None):
        settings["db"] = args.db  # else the app reads $LINREG_TUI_DB, then the default
    if getattr(args, "no_record", False):
        settings["record"] = False
    return start_app(**settings)


# --- run --------------------------------------------------------------------------------


def run_table(d: int) -> Table:
    """The columns of `run`'s table for `d` features."""
    vec_w = 8 * min(d, 4) + min(d, 4) - 1
    return Table(
        [
            Column("epoch", 5),
            Column("steps", 6),
            Column("train loss", 10, fmt_sci),
            Column("train MSE", 9, fmt_sci),
            Column("val MSE", 9, fmt_sci),
            Column("w_hat", vec_w, fmt_vector(fmt_fixed, 8)),
            Column("b_hat", 8, fmt_fixed),
            Column("|w-w_hat|", vec_w, fmt_vector(fmt_sci, 8)),
            Column("|b-b_hat|", 9, fmt_sci),
            Column("", 0, diverged_marker, left=True),
        ]
    )


def run_row(record: EpochRecord) -> list[Any]:
    """The values of one table row, in `run_table`'s order."""
    r = record
    values = [r.epoch, r.steps, r.train_loss, r.train_mse, r.val_mse, r.w_hat, r.b_hat]
    return [*values, r.w_error, r.b_error, r.diverged]


def run_command(args: argparse.Namespace) -> int:
    """Train one model; print a table row (or a JSON line) per epoch, and maybe a CSV."""
    return run_plan(args, single_run(config_from_args(args)), print_run)


def print_run(args: argparse.Namespace, plan: Plan, events: Iterable[Event]) -> int:
    """A row per epoch as it comes, and why a diverged run ended."""
    cfg = plan.config
    vectors = {"w_hat": cfg.features, "w_error": cfg.features, "weight_grad": cfg.features}
    table = run_table(cfg.features)
    first = last = None
    with csv_output(args) as csv_file:  # opened first: a bad --csv path writes nothing
        save_config_if_asked(args, cfg)
        if not args.json:
            emit(describe_config(cfg))
            emit(table.header())
        for _, record in records(events):
            emit(to_json(record) if args.json else table.row(run_row(record)))
            if csv_file is not None:
                csv_file.add(flatten(record_fields(record), vectors))
            first, last = first or record, record
    said = outcome("done", first, last)
    if said.startswith(ROSE) and not args.json:
        emit(f"# {said}: the validation MSE ended above its start; try a smaller --lr ({cfg.lr:g})")
    if last is not None and last.diverged and not args.json:
        emit(
            f"# diverged at epoch {last.epoch} after {last.steps} steps: a loss or parameter "
            "became inf/nan, or the training MSE grew a millionfold; "
            f"try a smaller --lr (now {cfg.lr:g})"
        )
    return EXIT_OK
