"""Printing the sweeps: a table (or JSON lines) on stdout as points arrive, and a CSV."""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from linreg_tui.cli.common import (
    EXIT_OK,
    csv_output,
    describe_config,
    emit,
    record_fields,
    save_config_if_asked,
)
from linreg_tui.cli.jobs import records, rows
from linreg_tui.cli.table import Column, Table
from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.events import Event
from linreg_tui.lab.plans import Plan, RunsPlan
from linreg_tui.lab.text import diverged_marker, fmt_sci, fmt_vector
from linreg_tui.lab.verdicts import outcome, size_regime
from linreg_tui.store.files import flatten, to_json

if TYPE_CHECKING:
    from linreg_tui.engine.records import EpochRecord
    from linreg_tui.engine.results import GridCell, SizePoint, SizeSlopes, Spread

SIZE_CSV = ("size", "seed", "train_mse", "val_mse", "w_error", "b_error")
SIZE_CSV_FLOOR = (
    "lstsq_w_error",
    "lstsq_b_error",
    "predicted_w_error",  # the theory's, before training: ‖w − w*‖ beside the measured
    "predicted_b_error",
    "diverged",
)
LR_CSV = (
    "lr",
    "epochs",
    "train_mse",
    "val_mse",
    "w_error_norm",
    "b_error",
    "predicted",
    "diverged",
)


def _spread(s: Spread) -> str:
    return f"{fmt_sci(s.mean)} +- {fmt_sci(s.std)}" if math.isfinite(s.mean) else "-"


def _vec_width(d: int) -> int:
    shown = min(d, 4)
    return 9 * shown + shown - 1


def _start(args: argparse.Namespace, base: RunConfig, swept: dict[str, str]) -> None:
    """Save the config if asked (the CSV's path is known to work by now), then a title."""
    save_config_if_asked(args, base)
    if not args.json:
        emit(describe_config(base, swept))


def print_sizes(args: argparse.Namespace, plan: Plan, events: Iterable[Event]) -> int:
    """Each (size, seed) as it finishes, then mean +- std per size and the slopes."""
    from linreg_tui.engine.results import size_slopes, summarize_sizes

    base = plan.config
    d = base.features
    vec = fmt_vector(fmt_sci, 9)
    table = Table(
        [
            Column("size", 6),
            Column("seed", 4),
            Column("train MSE", 9, fmt_sci),
            Column("val MSE", 9, fmt_sci),
            Column("|w-w_hat|", _vec_width(d), vec),
            Column("|b-b_hat|", 9, fmt_sci),
            Column("lstsq |w-w*|", _vec_width(d), vec),
            Column("lstsq |b-b*|", 9, fmt_sci),
            Column("", 0, diverged_marker, left=True),
        ]
    )
    columns = [
        *flatten({k: None for k in SIZE_CSV}, {"w_error": d}),
        *flatten({k: None for k in SIZE_CSV_FLOOR}, {"lstsq_w_error": d}),
    ]
    collected: list[SizePoint] = []
    with csv_output(args, columns) as csv_file:
        _start(args, base, {"n": "size/size", "seed": f"{base.seed}+"})
        if not args.json:
            emit(table.header())
        for p in rows(events):
            collected.append(p)
            if args.json:
                emit(to_json(p, kind="point"))
            else:
                row = [p.size, p.seed, p.train_mse, p.val_mse, p.w_error, p.b_error]
                emit(table.row([*row, p.lstsq_w_error, p.lstsq_b_error, p.diverged]))
            if csv_file is not None:
                values = {k: getattr(p, k) for k in (*SIZE_CSV, *SIZE_CSV_FLOOR)}
                csv_file.add(flatten(values, {"w_error": d, "lstsq_w_error": d}))
    summaries = summarize_sizes(collected)
    slopes = size_slopes(summaries)
    if args.json:
        for s in summaries:
            emit(to_json(s, kind="summary"))
        emit(to_json(slopes, kind="slopes"))
        return EXIT_OK
    summary = Table(
        [
            Column("size", 6),
            Column("seeds", 5),
            Column("||w-w_hat|| mean +- std", 22, _spread),
            Column("predicted", 9, fmt_sci),
            Column("|b-b_hat| mean +- std", 22, _spread),
            Column("predicted", 9, fmt_sci),
            Column("lstsq ||w-w*|| mean +- std", 22, _spread),
            Column("lstsq |b-b*| mean +- std", 22, _spread),
            Column("regime", 0, str, left=True),
        ]
    )
    emit("")
    emit(
        "# per size: ||w-w_hat|| is the norm over the weights; predicted: the theory's error "
        "after these steps (transient + noise ball + floor); lstsq is the least-squares floor; "
        "regime: the prediction's largest term"
    )
    emit(summary.header())
    for s in summaries:
        row = [s.size, s.seeds, s.w_error_norm, s.predicted_w_error, s.b_error]
        row += [s.predicted_b_error, s.lstsq_w_error_norm, s.lstsq_b_error, size_regime(s)]
        emit(summary.row(row))
    emit("")
    for line in slope_lines(slopes):
        emit(line)
    return EXIT_OK


def slope_lines(slopes: SizeSlopes) -> list[str]:
    """The fitted log-log slopes, in words."""

    def show(x: float | None) -> str:
        return "n/a" if x is None else f"{x:+.2f}"

    sgd_sizes = ",".join(map(str, slopes.sgd_sizes)) or "none"
    return [
        "# log-log slope of error against n (-0.5 is the 1/sqrt(n) rate):",
        f"#   least squares (all sizes):  w {show(slopes.floor_w)}  b {show(slopes.floor_b)}",
        f"#   SGD (sizes near the floor: {sgd_sizes}):  w {show(slopes.sgd_w)}  "
        f"b {show(slopes.sgd_b)}",
    ]


def print_lr(args: argparse.Namespace, plan: Plan, events: Iterable[Event]) -> int:
    """One row per (lr, epochs) cell, then the validation MSE as an lr x epochs grid."""
    base = plan.config
    table = Table(
        [
            Column("lr", 8, lambda x: f"{x:g}"),
            Column("epochs", 6),
            Column("train MSE", 9, fmt_sci),
            Column("val MSE", 9, fmt_sci),
            Column("||w-w_hat||", 11, fmt_sci),
            Column("|b-b_hat|", 9, fmt_sci),
            Column("predicted", 9),
            Column("", 0, diverged_marker, left=True),
        ]
    )
    grid: dict[float, dict[int, GridCell]] = {}
    with csv_output(args, list(LR_CSV)) as csv_file:
        _start(args, base, {"epochs": "swept", "lr": "swept"})
        if not args.json:
            emit(table.header())
        for c in rows(events):
            grid.setdefault(c.lr, {})[c.epochs] = c
            if args.json:
                emit(to_json(c, kind="cell"))
            else:
                emit(table.row([getattr(c, k) for k in LR_CSV]))
            if csv_file is not None:
                csv_file.add(flatten({k: getattr(c, k) for k in LR_CSV}, {}))
    if not args.json and grid:
        emit("")
        emit(_grid_text(grid))
    return EXIT_OK


def _grid_text(grid: dict[float, dict[int, GridCell]]) -> str:
    epochs = sorted({e for row in grid.values() for e in row})
    cols = [Column("val MSE  lr \\ epochs", 19, lambda x: f"{x:g}")]
    cols += [
        Column(str(e), 9, lambda c: diverged_marker(c.diverged) or fmt_sci(c.val_mse))
        for e in epochs
    ]
    table = Table(cols)
    rows = [table.row([lr, *(row[e] for e in epochs)]) for lr, row in grid.items()]
    return "\n".join([table.header(), *rows])


def print_loss(args: argparse.Namespace, plan: Plan, events: Iterable[Event]) -> int:
    """One row per variant per epoch; the same rows go to the CSV."""
    assert isinstance(plan, RunsPlan)
    base = plan.config
    d = base.features
    label_width = max(map(len, plan.labels))
    table = Table(
        [
            Column("variant", label_width, left=True),
            Column("epoch", 5),
            Column("steps", 6),
            Column("train loss", 10, fmt_sci),
            Column("train MSE", 9, fmt_sci),
            Column("val MSE", 9, fmt_sci),
            Column("||w-w_hat||", 11, fmt_sci),
            Column("|b-b_hat|", 9, fmt_sci),
            Column("", 0, diverged_marker, left=True),
        ]
    )
    vectors = {"w_hat": d, "w_error": d, "weight_grad": d}
    ends: dict[int, list[EpochRecord]] = {}
    with csv_output(args) as csv_file:
        _start(args, base, {"loss": "swept", "delta": f"{base.delta:g}"})
        if not args.json:
            emit(table.header())
        for index, r in records(events):
            ends.setdefault(index, [r, r])[1] = r
            label, cfg = plan.labels[index], plan.runs[index]
            extra = {"variant": label, "loss": cfg.loss, "lr": cfg.lr}
            if args.json:
                emit(to_json(r, kind="epoch", **extra))
            else:
                row = [label, r.epoch, r.steps, r.train_loss, r.train_mse, r.val_mse]
                emit(table.row([*row, r.w_error_norm, r.b_error, r.diverged]))
            if csv_file is not None:
                csv_file.add(flatten({**extra, **record_fields(r)}, vectors))
    if not args.json:  # how each variant ended, in the app's words
        emit("")
        for index, (first, last) in ends.items():
            emit(f"# {plan.labels[index]:<{label_width}}  {outcome('done', first, last)}")
    return EXIT_OK
