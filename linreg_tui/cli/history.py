"""`linreg-tui history [list|show|export|rm]`. Imports neither torch nor any UI library."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import Any

from linreg_tui.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    OutputError,
    emit,
)
from linreg_tui.cli.flag_types import at_least_one, db_path, file_name, run_id
from linreg_tui.cli.history_show import about, export_command, show_command
from linreg_tui.cli.parser import add_command
from linreg_tui.cli.table import Column, Table
from linreg_tui.engine.config import LOSS_NAMES
from linreg_tui.lab.text import fmt_sci
from linreg_tui.store.files import to_json
from linreg_tui.store.history import (
    ENV_VAR,
    KINDS,
    History,
    HistoryError,
    RunNotFound,
    RunSummary,
    resolve_path,
)

DB_HELP = f"history database (default: ${ENV_VAR}, else history.sqlite3 in the user data folder)"


# --- linreg-tui history -------------------------------------------------------------------


def add_history_parser(commands: argparse._SubParsersAction) -> None:
    """Add `history` (list the runs) and its actions list, show, export and rm."""
    parser = add_command(
        commands,
        "history",
        "list, show, export or delete recorded runs",
        "Every run and sweep started from the app or the command line is recorded (unless "
        "--no-record). Without an action, list them, newest first.",
        defaults=None,
    )
    _list_flags(parser, None)
    parser.set_defaults(action="list")
    actions = parser.add_subparsers(title="actions", metavar="ACTION")
    listing = _action(actions, "list", "list recorded runs, newest first (the default)")
    _list_flags(listing, argparse.SUPPRESS)
    show = _action(actions, "show", "print a run's settings, status and records")
    show.add_argument("--json", action="store_true", help="print it as one JSON object")
    export = _action(actions, "export", "write a run's records to a CSV file")
    export.add_argument(
        "--csv", metavar="PATH", type=file_name, required=True, help="the file (written atomically)"
    )
    _action(actions, "rm", "delete a run and its records")


def _action(
    actions: argparse._SubParsersAction, name: str, summary: str
) -> argparse.ArgumentParser:
    parser = add_command(actions, name, summary, summary[0].upper() + summary[1:] + ".", None)
    if name != "list":
        parser.add_argument("id", metavar="ID", type=run_id, help="the run's id, as listed")
    parser.add_argument(
        "--db", metavar="PATH", type=db_path, default=argparse.SUPPRESS, help=DB_HELP
    )
    parser.set_defaults(command="history", action=name)
    return parser


def _list_flags(parser: argparse.ArgumentParser, default: Any) -> None:
    if default is None:  # on `history` itself; `history ACTION` must not reset what it read
        parser.add_argument("--db", metavar="PATH", type=db_path, help=DB_HELP)
    add = parser.add_argument
    add("--loss", choices=LOSS_NAMES, default=default, help="only runs that trained this loss")
    add("--lr", metavar="X", type=_positive, default=default, help="only runs that used this lr")
    add("--size", metavar="N", type=int, default=default, help="only runs with num_train N")
    add("--kind", choices=KINDS, default=default, help="only this kind of run")
    add(
        "--limit",
        metavar="N",
        type=at_least_one,
        default=default,
        help="at most N runs (default: 200)",
    )
    add("--json", action="store_true", default=default or False, help="one JSON line per run")


def _positive(text: str) -> float:
    value = float(text)
    if not 0 < value < math.inf:
        raise ValueError(text)  # argparse reports "invalid _positive value": name it plainly
    return value


_positive.__name__ = "positive number"


def run_history(args: argparse.Namespace) -> int:
    """`linreg-tui history ...`: 0, 1 if the database fails, 2 for an unknown id."""
    action = getattr(args, "action", "list")
    path = resolve_path(getattr(args, "db", None))
    try:
        if not path.exists():  # reading never creates a database
            if action != "list":
                raise RunNotFound(args.id)
            if not args.json:
                emit(f"# no runs recorded yet: {path} does not exist")
            return EXIT_OK
        with History(path, readonly=action != "rm") as history:  # reads take no lock
            try:
                return ACTIONS[action](history, args)
            finally:
                for line in history.skipped:  # one bad row no longer hides the rest
                    _error(f"linreg-tui: warning: skipped {line}")
    except RunNotFound as error:
        _error(f"{args.prog}: error: {error} (`linreg-tui history` lists the runs)")
        return EXIT_USAGE
    except HistoryError as error:
        _error(f"linreg-tui: error: {error}")
        return EXIT_FAILED
    except OutputError as error:
        _error(f"linreg-tui: error: {error}")
        return EXIT_USAGE if error.usage else EXIT_FAILED


def _error(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


LIST_TABLE = Table(
    [
        Column("id", 4),
        Column("when", 16, left=True),
        Column("kind", 11, left=True),
        Column("loss", 9, left=True),
        Column("lr", 9),
        Column("batch", 5),
        Column("epochs/size", 11),
        Column("status", 11, left=True),
        Column("val MSE", 9, fmt_sci),
        Column("label", 0, lambda label: label or "", left=True),
    ]
)


def list_command(history: History, args: argparse.Namespace) -> int:
    """A table (or JSON lines) of the runs that pass the filters, newest first."""
    limit = args.limit if args.limit is not None else 200
    runs = history.list_runs(args.loss, args.lr, args.size, args.kind, limit)
    if args.json:
        for run in runs:
            emit(to_json(about(run)))
        return EXIT_OK
    filtered = any(getattr(args, k) is not None for k in ("loss", "lr", "size", "kind"))
    if not runs:
        emit(f"# no runs {'match' if filtered else 'recorded yet'} in {history.path}")
        return EXIT_OK
    more = f" (the newest {limit}: --limit shows more)" if len(runs) == limit else ""
    count = f"{len(runs)} run{'s' if len(runs) != 1 else ''}"
    emit(f"# {history.path}: {count}{more}; val MSE is a sweep's best")
    emit(LIST_TABLE.header())
    for run in runs:
        emit(LIST_TABLE.row(_list_row(run)))
    return EXIT_OK


def _list_row(run: RunSummary) -> list[Any]:
    cfg, params = run.config, run.params
    loss = "swept" if run.kind == "sweep-loss" else cfg.loss
    lr = _span(params.get("lrs")) if run.kind == "sweep-lr" else f"{cfg.lr:g}"
    extent = f"{cfg.steps} steps" if cfg.steps else str(cfg.epochs)
    if run.kind == "sweep-sizes":
        extent = "n " + _span(params.get("sizes"))
    elif run.kind == "sweep-lr":
        extent = _span(params.get("epochs_list"))
    when = run.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
    row = [run.id, when, run.kind, loss, lr, cfg.batch_size, extent, run.status]
    return [*row, run.summary.get("val_mse"), run.label]


def _span(values: Any) -> str:
    if not values:
        return "?"
    low, high = min(values), max(values)
    return f"{low:g}" if low == high else f"{low:g}..{high:g}"


def rm_command(history: History, args: argparse.Namespace) -> int:
    """Delete a run and its records."""
    if not history.delete(args.id):
        raise RunNotFound(args.id)
    emit(f"deleted run {args.id}")
    return EXIT_OK


ACTIONS: dict[str, Callable[[History, argparse.Namespace], int]] = {
    "list": list_command,
    "show": show_command,
    "export": export_command,
    "rm": rm_command,
}
