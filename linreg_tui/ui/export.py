"""Export a view's results (`ExperimentView.export_rows`) to CSV and JSON, atomically.

Both files appear only when both are complete (temp file + rename, output.AtomicFile): a
bad path leaves nothing behind. Under `textual serve` the files download instead.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linreg_tui.store.files import AtomicFile, CsvFile, flatten, json_safe
from linreg_tui.store.paths import clipped, kind, reason, shown, user_path

if TYPE_CHECKING:
    from textual.app import App

    from linreg_tui.engine.config import RunConfig
    from linreg_tui.ui.views.base import ExperimentView

Row = Mapping[str, Any]
SUFFIXES = (".csv", ".json")


def default_path(stem: str) -> str:
    """`linreg-<stem>.csv` in the current directory."""
    return f"linreg-{stem}.csv"


def export_paths(text: str) -> tuple[Path, Path]:
    """The CSV and JSON files a typed path names: `x`, `x.csv` or `x.json` -> x.csv, x.json.

    `~` is expanded; ValueError for an empty path or one that names a directory.
    """
    text = text.strip()
    if not text:
        raise ValueError("type a file name, e.g. linreg-results.csv")
    path = user_path(text)  # PathProblem (a ValueError): ~nouser, a name over 255 bytes
    if text.endswith(("/", "\\")) or kind(path) == "folder":
        raise ValueError(f"{shown(text)} is a directory: add a file name")
    base = path.with_suffix("") if path.suffix.lower() in SUFFIXES else path
    return base.with_name(base.name + ".csv"), base.with_name(base.name + ".json")


def columns(rows: Sequence[Row]) -> list[str]:
    """Every key, in order of first appearance (rows may differ in their keys)."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def csv_text(rows: Sequence[Row]) -> str:
    """The rows as CSV: a header, None as '', bools as true/false, inf/nan as written."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(rows), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(flatten(row, {}))
    return buffer.getvalue()


def json_text(rows: Sequence[Row], view: str, settings: RunConfig | None = None) -> str:
    """{"view": ..., "settings": {...}, "rows": [...]} as strict JSON (inf and nan become
    null); the settings are the form's the rows were planned from (the rows hold what
    each run changed, e.g. its loss or lr)."""
    document: dict[str, object] = {"view": view}
    if settings is not None:
        document["settings"] = json_safe(settings.to_dict())
    document["rows"] = json_safe([dict(r) for r in rows])
    return json.dumps(document, allow_nan=False, indent=1) + "\n"


def write_exports(
    rows: Sequence[Row],
    view: str,
    csv_path: Path,
    json_path: Path,
    settings: RunConfig | None = None,
) -> None:
    """Write both files; on any failure neither is left (nor a temp file). OSError out."""
    csv_file = CsvFile(csv_path, columns(rows))  # created now: a bad path fails here
    try:
        json_file = AtomicFile(json_path)
    except BaseException:
        csv_file.discard()
        raise
    try:
        for row in rows:
            csv_file.add(flatten(row, {}))
        json_file.write(json_text(rows, view, settings))
    except BaseException:
        csv_file.discard()
        json_file.discard()
        raise
    existed = csv_path.exists()
    try:
        csv_file.commit()
    except BaseException:
        json_file.discard()
        raise
    try:
        json_file.commit()
    except BaseException:
        if not existed:  # the pair is the unit: do not leave half of it
            csv_path.unlink(missing_ok=True)
        raise


def export_view(app: App[Any], view: ExperimentView) -> None:
    """Ask for a path, then write (or, in a browser, download) the view's results."""
    from linreg_tui.ui.widgets.export_prompt import ExportPrompt

    rows = view.export_rows()  # the table as it is now, even if a run goes on
    if not rows:
        app.notify(
            f"nothing to export yet: {view.TITLE} has no results", severity="warning", markup=False
        )
        return

    def attempt(text: str) -> str | None:
        if app.is_web:  # a browser tab: downloads, and no look at the server's files
            name = Path(text.strip()).name
            if not name:
                return _refuse(app, "type a file name, e.g. linreg-results.csv")
            suffix = Path(name).suffix
            base = name[: -len(suffix)] if suffix.lower() in SUFFIXES else name
            deliver(app, rows, view, f"{base}.csv", f"{base}.json")
            return None
        try:
            csv_path, json_path = export_paths(text)
        except ValueError as error:
            return _refuse(app, str(error))
        try:
            write_exports(rows, view.VIEW_ID, csv_path, json_path, view.planned_from)
        except OSError as error:
            return _refuse(app, f"cannot write {clipped(csv_path)}: {reason(error)}")
        done = f"{len(rows)} rows to {clipped(csv_path)} and {clipped(json_path.name)}"
        app.notify(done, title="exported", markup=False)  # paths may hold [/x]
        return None

    app.push_screen(ExportPrompt(default_path(view.EXPORT_STEM), attempt, len(rows)))


def deliver(
    app: App[Any], rows: Sequence[Row], view: ExperimentView, csv_name: str, json_name: str
) -> None:
    """Browser downloads of both files (textual-serve), via App.deliver_text."""
    app.deliver_text(io.StringIO(csv_text(rows)), save_filename=csv_name, mime_type="text/csv")
    app.deliver_text(
        io.StringIO(json_text(rows, view.VIEW_ID, view.planned_from)),
        save_filename=json_name,
        mime_type="application/json",
    )
    shown = f"{len(rows)} rows: downloading {csv_name} and {json_name}"
    app.notify(shown, title="exported", markup=False)


def _refuse(app: App[Any], problem: str) -> str:
    message = f"not exported: {problem}"
    app.notify(message, title="export", severity="error", markup=False)
    return message
