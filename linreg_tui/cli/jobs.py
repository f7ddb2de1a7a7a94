"""A command's plan, trained and recorded the way the app does it, for a printer to show.

`run_plan` trains a lab plan with the job runner the app uses (`lab.run`, in a thread of
its own), records it through the one `lab.record.Recorder` (--db, --no-record), and hands
its events to a printer: `show(args, plan, events) -> exit status`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from linreg_tui.engine.records import EpochRecord
from linreg_tui.lab.events import EpochsCompleted, Event, SweepRowsCompleted
from linreg_tui.lab.plans import Plan
from linreg_tui.lab.record import HistoryHandle, Recorder

Show = Callable[[argparse.Namespace, Plan, Iterable[Event]], int]


def run_plan(args: argparse.Namespace, plan: Plan, show: Show) -> int:
    """Train `plan`, record it, and let `show` print its events; the exit status."""
    history = HistoryHandle(getattr(args, "db", None), record=not getattr(args, "no_record", False))
    try:
        with (
            Recorder(plan, history, source="cli", warn=_warn) as recorder,
            recorder.events() as events,
        ):
            return show(args, plan, events)
    finally:
        history.close()


def records(events: Iterable[Event]) -> Iterator[tuple[int, EpochRecord]]:
    """(run index, record) for every epoch record, in order."""
    for event in events:
        if isinstance(event, EpochsCompleted):
            for record in event.records:
                yield event.index, record


def rows(events: Iterable[Event]) -> Iterator[Any]:
    """A sweep's rows, in order."""
    for event in events:
        if isinstance(event, SweepRowsCompleted):
            yield from event.rows


def _warn(reason: str) -> None:
    print(
        f"linreg-tui: warning: not recording in the history: {reason} (--no-record skips "
        "recording)",
        file=sys.stderr,
        flush=True,
    )
