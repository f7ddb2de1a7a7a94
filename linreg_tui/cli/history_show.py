"""`linreg-tui history show` and `history export`: one recorded run, as text or CSV."""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterator
from typing import Any

from linreg_tui.cli.common import EXIT_OK, csv_output, describe_config, emit
from linreg_tui.cli.sweep_output import LR_CSV, SIZE_CSV, SIZE_CSV_FLOOR
from linreg_tui.cli.table import Column, Table
from linreg_tui.lab.text import diverged_marker, fmt_g, fmt_sci, fmt_vector
from linreg_tui.store.files import flatten, to_json
from linreg_tui.store.history import History, RunSummary, StoredRun

VECTORS = ("w_hat", "w_error", "weight_grad", "lstsq_w_error")
"""Record fields that hold one value per feature: spread over columns in a CSV."""

ROW_KEYS: dict[str, tuple[str, ...]] = {
    "sweep-sizes": SIZE_CSV + SIZE_CSV_FLOOR,
    "sweep-lr": LR_CSV,
}
"""The sweep row fields `show` and `export` give: those of the sweep's own --csv."""
SWEPT: dict[str, dict[str, str]] = {
    "sweep-sizes": {"n": "swept", "seed": "swept"},
    "sweep-lr": {"epochs": "swept", "lr": "swept"},
    "sweep-loss": {"loss": "swept"},
}


def show_command(history: History, args: argparse.Namespace) -> int:
    """A run's settings, status and summary, then its records (or sweep rows)."""
    run = history.get(args.id)
    if args.json:
        epochs = [{"variant": e.variant, **e.values} for e in run.records]
        emit(to_json(about(run) | {"epochs": epochs, "rows": list(run.rows)}))
        return EXIT_OK
    source = "the app" if run.source == "app" else "the command line"
    emit(f"# run {run.id}: {run.kind} from {source}, {run.status}")
    started = run.started_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    took = run.finished_at and (run.finished_at - run.started_at).total_seconds()
    emit(f"# started {started}" + (f", took {took:.1f} s" if took is not None else ""))
    if run.label:
        emit(f"# label: {run.label}")
    emit(describe_config(run.config, SWEPT.get(run.kind)))
    if run.params:
        emit("# " + " ".join(f"{k}={_plain(v)}" for k, v in run.params.items()))
    if run.summary:
        emit("# summary: " + " ".join(f"{k}={_plain(v)}" for k, v in run.summary.items()))
    keys = ROW_KEYS.get(run.kind)
    lines = _rows_lines(run, keys) if keys else _epoch_lines(run)
    if lines:
        emit("")
        for line in lines:
            emit(line)
    return EXIT_OK


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(_plain(v) for v in value)
    if isinstance(value, float):
        return fmt_g(value, ".4g")
    return str(value).lower() if isinstance(value, bool) else str(value)


def _epoch_lines(run: StoredRun) -> list[str]:
    if not run.records:
        return []
    columns = [Column("variant", 18, left=True)] if run.kind == "sweep-loss" else []
    columns += [Column("epoch", 5), Column("steps", 6)]
    heads = ("train loss", "train MSE", "val MSE", "||w-w_hat||", "|b-b_hat|")
    columns += [Column(head, 9, fmt_sci) for head in heads]
    table = Table([*columns, Column("", 0, lambda d: diverged_marker(d is True), left=True)])
    lines = [table.header()]
    for e in run.records:
        v = e.values
        norm = math.hypot(*v["w_error"]) if "w_error" in v else None
        row = [v.get(k) for k in ("epoch", "steps", "train_loss", "train_mse", "val_mse")]
        row = [*row, norm, v.get("b_error"), v.get("diverged")]
        lines.append(table.row([e.variant, *row] if run.kind == "sweep-loss" else row))
    return lines


def _rows_lines(run: StoredRun, keys: tuple[str, ...]) -> list[str]:
    if not run.rows:
        return []
    d = min(run.config.features, 4)
    columns = []
    for key in keys:
        sample = run.rows[0].get(key)
        if key == "diverged":
            columns.append(Column("", 0, lambda d: diverged_marker(d is True), left=True))
        elif isinstance(sample, tuple):
            columns.append(Column(key, 10 * d - 1, fmt_vector(fmt_sci, 9)))
        elif key == "lr" or not isinstance(sample, float):
            columns.append(Column(key, 4, lambda x: f"{x:g}" if isinstance(x, float) else str(x)))
        else:
            columns.append(Column(key, 9, fmt_sci))
    table = Table(columns)
    return [table.header(), *(table.row([row.get(k) for k in keys]) for row in run.rows)]


def export_command(history: History, args: argparse.Namespace) -> int:
    """Write a run's epochs (or sweep rows) as CSV, in the columns its command's --csv has."""
    run = history.get(args.id)
    rows = list(_csv_rows(run))
    with csv_output(args) as out:
        for row in rows:
            if out is not None:
                out.add(row)
    emit(f"# wrote {len(rows)} rows of run {run.id} to {args.csv}")
    return EXIT_OK


def _csv_rows(run: StoredRun) -> Iterator[dict[str, Any]]:
    widths = {key: run.config.features for key in VECTORS}
    keys = ROW_KEYS.get(run.kind)
    if keys:
        for row in run.rows:
            yield flatten({k: row.get(k) for k in keys}, widths)
        return
    configs = {row.get("label"): row.get("config", {}) for row in run.rows}
    for e in run.records:
        extra: dict[str, Any] = {}
        if run.kind == "sweep-loss":  # the columns `sweep loss --csv` writes first
            cfg = configs.get(e.variant, {})
            extra = {"variant": e.variant, "loss": cfg.get("loss"), "lr": cfg.get("lr")}
        yield flatten({**extra, **e.values}, widths)


def about(run: RunSummary) -> dict[str, Any]:
    """A run's description as plain JSON values."""
    return {
        "id": run.id,
        "kind": run.kind,
        "source": run.source,
        "label": run.label,
        "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "config": run.config.to_dict(),
        "params": run.params,
        "summary": run.summary,
    }
