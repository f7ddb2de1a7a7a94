"""The ctrl+e modal: where to write the view's results; stays open until the write works."""

from __future__ import annotations

from linreg_tui.ui.widgets.path_prompt import Attempt, PathPrompt


class ExportPrompt(PathPrompt):
    """The path prompt, worded for an export of `rows` rows to CSV and JSON."""

    def __init__(self, path: str, attempt: Attempt, rows: int) -> None:
        super().__init__(
            f"export {rows} rows",
            path,
            attempt,
            "write",
            label="CSV file (a .json with the same name is written beside it):",
            note="Both files appear only once both are complete.",
        )
        self.rows = rows
