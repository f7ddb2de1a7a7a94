"""`linreg-tui sweep sizes|lr|loss`: the lab's sweep plans, printed as tables, JSON or CSV.

Lists are read and checked by `lab.lists`, plans built by `lab.plans` (the app's views
build the very same plans); this module only maps flags to settings and refusals to flags.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from linreg_tui.cli.jobs import run_plan
from linreg_tui.cli.parser import UsageError, add_command, add_io_flags
from linreg_tui.cli.settings import config_from_args
from linreg_tui.engine.config import (
    DEFAULT_EPOCHS_LIST,
    DEFAULT_LRS,
    DEFAULT_SEEDS,
    DEFAULT_SIZES,
    SIZE_SWEEP_B,
    ConfigError,
    RunConfig,
)
from linreg_tui.lab.limits import MAX_RUNS, too_many_seeds, whole
from linreg_tui.lab.lists import SWEEP_RULES, parse_seeds, sweep_values
from linreg_tui.lab.plans import loss_plan, lr_plan, sizes_plan

SWEPT: dict[str, dict[str, str]] = {
    "sizes": {
        "num_train": "each size sets num_train = num_val = n; use --sizes",
        "num_val": "each size sets num_train = num_val = n; use --sizes",
    },
    "lr": {
        "lr": "the sweep sets it; use --lrs",
        "epochs": "the sweep sets it; use --epochs-list",
        "steps": "every cell trains whole epochs",
        "average": "every cell reports the plain last iterate",
    },
    "loss": {"loss": "the sweep trains every variant"},
}
"""Settings a sweep sets itself, with why a flag for them is refused."""


def add_sweep_parsers(commands: argparse._SubParsersAction) -> None:
    """Add `sweep` and its subcommands."""
    summary = "sweep dataset size, learning rate x epochs, or the loss"
    parser = add_command(
        commands,
        "sweep",
        summary,
        "Train many models over one setting and print a table, JSON lines or CSV.",
        defaults=None,
    )
    kinds = parser.add_subparsers(title="sweeps", metavar="SWEEP", required=True)
    sizes = add_command(
        kinds,
        "sizes",
        "error against dataset size, with the least-squares floor (d2l 3.5 ex. 5)",
        "For each size n (num_train = num_val = n), train --seeds runs and fit closed-form "
        "least squares on the same data: the statistical floor. Prints each (size, seed), "
        "then mean +- std per size and the fitted log-log slopes of error against n.",
        defaults=RunConfig(b=SIZE_SWEEP_B),
        hidden=SWEPT["sizes"],
    )
    _list_flag(sizes, "sizes", "dataset sizes n", "N1,N2,...", DEFAULT_SIZES)
    sizes.add_argument(
        "--seeds",
        metavar="S",
        help=f"runs per size, seeds seed..seed+S-1; {SWEEP_RULES['seeds']} "
        f"(default: {DEFAULT_SEEDS})",
    )
    add_io_flags(sizes, "also write one row per (size, seed) to this CSV file")
    lr = add_command(
        kinds,
        "lr",
        "final error over a grid of learning rates x epochs",
        "Train one run per learning rate for the largest --epochs-list value and report "
        "each (lr, epochs) cell.",
        hidden=SWEPT["lr"],
    )
    _list_flag(lr, "lrs", "learning rates", "X1,X2,...", DEFAULT_LRS)
    _list_flag(lr, "epochs_list", "epochs to report", "E1,E2,...", DEFAULT_EPOCHS_LIST)
    add_io_flags(lr, "also write one row per (lr, epochs) cell to this CSV file")
    loss = add_command(
        kinds,
        "loss",
        "mse-mean, mse-sum, mse-sum at lr/batch, huber, smooth-l1 on the same data",
        "Train the loss variants on identical data and initial weights: mse-mean at --lr, "
        "mse-sum at --lr, mse-sum at --lr / --batch-size, huber and smooth-l1 (with --delta).",
        hidden=SWEPT["loss"],
    )
    add_io_flags(loss, "also write one row per variant per epoch to this CSV file")
    for sub in (sizes, lr, loss):
        sub.set_defaults(command=f"sweep {sub.prog.split()[-1]}")


def _list_flag(
    parser: argparse.ArgumentParser, name: str, what: str, metavar: str, default: Any
) -> None:
    shown = ",".join(f"{v:g}" for v in default)
    parser.add_argument(
        "--" + name.replace("_", "-"),
        dest=name,
        metavar=metavar,
        help=f"{what}; {SWEEP_RULES[name]} (default: {shown})",
    )


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def read_list(
    args: argparse.Namespace, name: str, default: Sequence[Any], kind: Callable[[str], Any]
) -> list[Any]:
    """A --sizes/--lrs/--epochs-list value, each element checked against its rule."""
    text = getattr(args, name)
    if text is None:
        return list(default)
    return refused_as_flag(args, sweep_values, name, text, kind)


def read_seeds(args: argparse.Namespace, base: RunConfig, sizes: Sequence[int]) -> int:
    """The --seeds value: a whole number from 1 to MAX_RUNS (over it: what it would cost)."""
    if args.seeds is None:
        return DEFAULT_SEEDS
    seeds = whole(args.seeds)
    if seeds > MAX_RUNS:
        cost = too_many_seeds(base, sizes, seeds)
        raise UsageError(args.prog, f"--seeds {SWEEP_RULES['seeds']} (got {args.seeds!r}: {cost})")
    return refused_as_flag(args, parse_seeds, args.seeds)


def refused_as_flag(args: argparse.Namespace, build: Callable[..., Any], *values: Any) -> Any:
    """`build(*values)`; its ConfigError becomes a usage error naming the setting's flag."""
    try:
        return build(*values)
    except ConfigError as error:
        raise UsageError(args.prog, f"{_flag(error.field)} {error.problem}") from None


def base_config(args: argparse.Namespace, defaults: RunConfig) -> RunConfig:
    """Defaults, then --config, then flags; a flag for a setting the sweep sets is refused."""
    for name, why in SWEPT[args.command.split()[-1]].items():
        if getattr(args, name, None) is not None:
            raise UsageError(args.prog, f"{_flag(name)} does not apply here: {why}")
    return config_from_args(args, defaults)


def sizes_command(args: argparse.Namespace) -> int:
    """`sweep sizes`."""
    from linreg_tui.cli.sweep_output import print_sizes

    base = base_config(args, RunConfig(b=SIZE_SWEEP_B))
    sizes = read_list(args, "sizes", DEFAULT_SIZES, int)
    seeds = read_seeds(args, base, sizes)
    plan = refused_as_flag(args, sizes_plan, base, sizes, seeds)
    return run_plan(args, plan, print_sizes)


def lr_command(args: argparse.Namespace) -> int:
    """`sweep lr`."""
    from linreg_tui.cli.sweep_output import print_lr

    base = base_config(args, RunConfig())
    base = replace(base, steps=0, average=False)  # what the sweep trains, also in a file
    lrs = read_list(args, "lrs", DEFAULT_LRS, float)
    epochs_list = read_list(args, "epochs_list", DEFAULT_EPOCHS_LIST, int)
    plan = refused_as_flag(args, lr_plan, base, lrs, epochs_list)
    return run_plan(args, plan, print_lr)


def loss_command(args: argparse.Namespace) -> int:
    """`sweep loss`."""
    from linreg_tui.cli.sweep_output import print_loss

    base = base_config(args, RunConfig())
    plan = refused_as_flag(args, loss_plan, base)
    return run_plan(args, plan, print_loss)


SWEEPS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sweep sizes": sizes_command,
    "sweep lr": lr_command,
    "sweep loss": loss_command,
}
