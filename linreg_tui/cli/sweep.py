"""`linreg-tui sweep sizes|lr|loss`: the engine's sweeps, printed as tables, JSON or CSV.

The sweep engine imports torch, so its defaults are read only when `sweep` is on the
command line (`linreg-tui --help` stays torch-free).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from types import ModuleType
from typing import Any

from linreg_tui.cli.history import recorder_for
from linreg_tui.cli.parser import (
    UsageError,
    add_command,
    add_io_flags,
    config_from_args,
    parse_list,
)
from linreg_tui.engine.config import MAX_DATA_BYTES, ConfigError, RunConfig
from linreg_tui.lab.plans import MAX_RUNS, check_grid, check_sizes, too_many_seeds, whole

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

SWEEP_RULES = {
    "sizes": "must be whole numbers of at least 1, separated by commas, each once",
    "seeds": f"must be a whole number from 1 to {MAX_RUNS}",
    "lrs": "must be positive finite numbers, separated by commas, each once",
    "epochs_list": "must be whole numbers of at least 1, separated by commas, each once",
}


def add_sweep_parsers(commands: argparse._SubParsersAction, detailed: bool = True) -> None:
    """Add `sweep` and its subcommands; without `detailed`, only its line in the help."""
    summary = "sweep dataset size, learning rate x epochs, or the loss"
    if not detailed:
        commands.add_parser("sweep", help=summary)
        return
    sweep = sweep_engine()

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
        defaults=RunConfig(b=sweep.SIZE_SWEEP_B),
        hidden=SWEPT["sizes"],
    )
    _list_flag(sizes, "sizes", "dataset sizes n", "N1,N2,...", sweep.DEFAULT_SIZES)
    sizes.add_argument(
        "--seeds",
        metavar="S",
        help=f"runs per size, seeds seed..seed+S-1; {SWEEP_RULES['seeds']} "
        f"(default: {sweep.DEFAULT_SEEDS})",
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
    _list_flag(lr, "lrs", "learning rates", "X1,X2,...", sweep.DEFAULT_LRS)
    _list_flag(lr, "epochs_list", "epochs to report", "E1,E2,...", sweep.DEFAULT_EPOCHS_LIST)
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


def sweep_engine() -> ModuleType:
    """linreg_tui.engine.sweep, loaded now (it imports torch: not at parser build)."""
    from linreg_tui.engine import sweep

    return sweep


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
    values = sweep_values(name, text, kind)
    if values is None or len(values) > MAX_RUNS:
        raise UsageError(args.prog, f"{_flag(name)} {SWEEP_RULES[name]} (got {text!r})")
    return values


def sweep_values(name: str, text: str, kind: Callable[[str], Any]) -> list[Any] | None:
    """'5, 10, 1e3' -> [5, 10, 1000] if every element follows the list's rule, else None.

    Sizes and epochs are whole numbers of at least 1 ("1e3" counts), learning rates
    positive finite numbers, none listed twice; the count limit is the caller's to word."""
    try:
        values = parse_list(name, text, kind)
    except ConfigError:
        return None
    if kind is int:  # "1e3" is a fine size
        values = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    if not values or not all(_fits(kind, v) for v in values):
        return None
    if len(set(values)) < len(values):  # a grid cell or a size point twice: one of each
        return None
    return values


def _fits(kind: Callable[[str], Any], value: Any) -> bool:
    if kind is int:
        return isinstance(value, int) and value >= 1
    return isinstance(value, float) and math.isfinite(value) and value > 0


def read_seeds(
    args: argparse.Namespace, default: int, base: RunConfig, sizes: Sequence[int]
) -> int:
    """The --seeds value: a whole number from 1 to MAX_RUNS (over it: what it would cost)."""
    if args.seeds is None:
        return default
    seeds = whole(args.seeds)
    if not 1 <= seeds <= MAX_RUNS:
        cost = f": {too_many_seeds(base, sizes, seeds)}" if seeds > MAX_RUNS else ""
        raise UsageError(args.prog, f"--seeds {SWEEP_RULES['seeds']} (got {args.seeds!r}{cost})")
    return seeds


def checked(
    args: argparse.Namespace, flag: str, value: Any, base: RunConfig, count: int = 1, **changes: Any
) -> RunConfig:
    """`base` with `changes`, valid, and fitting in memory `count` times over (a sweep
    trains runs of one shape side by side, each with its own data)."""
    try:
        cfg = replace(base, **changes)
    except ConfigError as error:
        raise UsageError(args.prog, f"{flag} {value}: {error.field} {error.problem}") from None
    need = count * (cfg.num_train + cfg.num_val) * (cfg.features + 1) * 4
    if need > MAX_DATA_BYTES:
        raise UsageError(
            args.prog,
            f"{flag} {value}: {count} runs of {cfg.num_train + cfg.num_val} examples train side "
            f"by side and would need about {need / 2**30:.1f} GiB of memory; the limit is "
            f"{MAX_DATA_BYTES / 2**30:.1f} GiB",
        )
    return cfg


def within_budget(args: argparse.Namespace, check: Callable[..., None], *values: Any) -> None:
    """Run a budget.check_* on the sweep; its ConfigError becomes a usage error by flag."""
    try:
        check(*values)
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

    sweep = sweep_engine()

    base = base_config(args, RunConfig(b=sweep.SIZE_SWEEP_B))
    sizes = read_list(args, "sizes", sweep.DEFAULT_SIZES, int)
    seeds = read_seeds(args, sweep.DEFAULT_SEEDS, base, sizes)
    checked(args, "--seeds", seeds, base, seed=base.seed + seeds - 1)
    for size in sizes:
        checked(args, "--sizes", size, base, seeds, num_train=size, num_val=size)
    within_budget(args, check_sizes, base, sizes, seeds)
    with recorder_for(args, "sweep-sizes", base, {"sizes": sizes, "seeds": seeds}) as recorder:
        return print_sizes(args, base, recorder.tap(sweep.sweep_sizes(base, sizes, seeds)))


def lr_command(args: argparse.Namespace) -> int:
    """`sweep lr`."""
    from linreg_tui.cli.sweep_output import print_lr

    sweep = sweep_engine()

    base = base_config(args, RunConfig())
    base = replace(base, steps=0, average=False)  # what the sweep trains, also in a file
    lrs = read_list(args, "lrs", sweep.DEFAULT_LRS, float)
    epochs_list = read_list(args, "epochs_list", sweep.DEFAULT_EPOCHS_LIST, int)
    longest = max(epochs_list)
    for lr in lrs:
        checked(args, "--lrs", f"{lr:g}", base, len(lrs), lr=lr, epochs=longest, steps=0)
    within_budget(args, check_grid, replace(base, epochs=longest), lrs)
    params = {"lrs": lrs, "epochs_list": epochs_list}
    with recorder_for(args, "sweep-lr", base, params) as recorder:
        return print_lr(args, base, recorder.tap(sweep.sweep_lr(base, lrs, epochs_list)))


def loss_command(args: argparse.Namespace) -> int:
    """`sweep loss`."""
    from linreg_tui.cli.sweep_output import print_loss

    sweep = sweep_engine()

    base = base_config(args, RunConfig())
    checked(args, "--lr", f"{base.lr:g}", base, lr=base.lr / base.batch_size)
    with recorder_for(args, "sweep-loss", base) as recorder:
        return print_loss(args, base, recorder.tap(sweep.sweep_loss(base)))


SWEEPS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sweep sizes": sizes_command,
    "sweep lr": lr_command,
    "sweep loss": loss_command,
}
