"""The exercise views' table: `s` sorts by the cursor's column, new rows forget the sort."""

from __future__ import annotations

import math

from textual.app import App, ComposeResult

from linreg_tui.ui.widgets.exercise_table import ExerciseTable
from linreg_tui.ui.widgets.results_table import Cell, num

COLUMNS = [("variant", 10, False), ("val MSE", 9, True)]


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ExerciseTable("variants", COLUMNS)


def rows() -> list[list[Cell]]:
    return [
        [Cell("mean", "mean"), num(0.5)],
        [Cell("sum", "sum"), num(math.inf)],  # diverged: inf sorts after every number
        [Cell("huber", "huber"), num(0.1)],
    ]


async def test_s_sorts_by_the_cursors_column_and_again_reverses() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(ExerciseTable)
        table.show_rows(rows())
        table.focus()
        table.move_cursor(column=1)
        await pilot.press("s")
        assert [table.get_row_at(i)[0].text for i in range(3)] == ["huber", "mean", "sum"]
        assert table.border_title == "variants · by val MSE ↑"
        await pilot.press("s")
        assert [table.get_row_at(i)[0].text for i in range(3)] == ["sum", "mean", "huber"]
        assert table.border_title == "variants · by val MSE ↓"
        table.show_rows(rows())  # a new job's rows come in their own order
        assert table.border_title == "variants" and table.sorted_by is None
        assert [table.get_row_at(i)[0].text for i in range(3)] == ["mean", "sum", "huber"]
