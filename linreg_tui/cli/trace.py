"""`linreg-tui trace`: every SGD step of one run (or of full-batch GD from the same start).

The plan is `lab.plans.trace_plan`, the one the app's "SGD path" view trains; this module
maps flags to it and prints its steps as a table, JSON lines or CSV.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from typing import Any

from linreg_tui.cli.common import EXIT_OK, csv_output, describe_config, emit, save_config_if_asked
from linreg_tui.cli.jobs import rows, run_plan
from linreg_tui.cli.parser import UsageError, add_command, add_io_flags
from linreg_tui.cli.settings import config_from_args
from linreg_tui.cli.table import Column, Table
from linreg_tui.engine.config import ConfigError
from linreg_tui.lab.events import Event
from linreg_tui.lab.plans import Plan, trace_plan
from linreg_tui.lab.text import fmt_fixed, fmt_sci, fmt_vector
from linreg_tui.store.files import flatten, to_json

DESCRIPTION = (
    "Train one model as `run` does and print every SGD step: step 0 is the initial "
    "weights, step k the weights after the k-th minibatch, with the loss of that minibatch "
    "(taken before the step). The last step is what `run` reports for the same settings. "
    "--full-batch traces gradient descent on the whole training set instead, from the same "
    "initial weights, for as many steps."
)


def add_trace_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `trace`."""
    parser = add_command(commands, "trace", "print every SGD step of one run", DESCRIPTION)
    parser.add_argument(
        "--full-batch",
        action="store_true",
        help="trace full-batch gradient descent from the same start, for as many steps",
    )
    add_io_flags(parser, "also write one row per step to this CSV file")


def trace_command(args: argparse.Namespace) -> int:
    """Trace the run the flags describe and print its steps."""
    config = config_from_args(args)
    try:
        plan = trace_plan(config, ("gd",) if args.full_batch else ("sgd",), plane=False)
    except ConfigError as error:
        raise UsageError(args.prog, f"--{error.field.replace('_', '-')} {error.problem}") from None
    return run_plan(args, plan, print_trace)


def steps(events: Iterable[Event]) -> Iterator[tuple[dict[str, Any], bool]]:
    """Every traced step as a mapping, and whether its path diverged there."""
    for part in rows(events):
        for block in (part.sgd, part.gd):
            if block is not None:
                lines = list(block.lines())
                for i, line in enumerate(lines):
                    yield line, block.diverged and i == len(lines) - 1


def print_trace(args: argparse.Namespace, plan: Plan, events: Iterable[Event]) -> int:
    """A row (or a JSON line) per step, as the trace goes."""
    cfg = plan.config
    d = cfg.features
    vec = 8 * min(d, 4) + min(d, 4) - 1
    table = Table(
        [
            Column("step", 7),
            Column("epoch", 5),
            Column("batch loss", 10, fmt_sci),
            Column("w_hat", vec, fmt_vector(fmt_fixed, 8)),
            Column("b_hat", 8, fmt_fixed),
        ]
    )
    last = None
    with csv_output(args) as csv_file:
        save_config_if_asked(args, cfg)
        if not args.json:
            emit(describe_config(cfg) + (" path=full-batch-gd" if args.full_batch else ""))
            emit(table.header())
        for line, diverged in steps(events):
            loss = line["batch_loss"] if line["step"] else None  # step 0: '-', not nan
            values = [line["step"], line["epoch"], loss, line["w_hat"], line["b_hat"]]
            emit(to_json(line) if args.json else table.row(values))
            if csv_file is not None:
                csv_file.add(flatten(line, {"w_hat": d}))
            last = (line, diverged)
    if last is not None and last[1] and not args.json:
        emit(f"# diverged by step {last[0]['step']}: the run stops after this epoch")
    return EXIT_OK
