"""The History view: list, filter, sort, overlay and compare, re-run and delete past runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Input, Select, Static

from linreg_tui.engine.config import RunConfig
from linreg_tui.store.history import History, RunKind
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.history_parts import differences
from linreg_tui.ui.views.history import HistoryView
from linreg_tui.ui.widgets.confirm_screen import ConfirmScreen
from linreg_tui.ui.widgets.curves_chart import CurvesChart
from linreg_tui.ui.widgets.history_table import HistoryTable
from linreg_tui.ui.widgets.run_details import RunDetails
from tests.ui.conftest import SIZE, make_app, run_to_end, wait_for

BASE = RunConfig(num_train=200, num_val=100, epochs=2)


def record(
    cfg: RunConfig,
    curve: tuple[float, ...] = (10.0, 1.0, 0.1),
    kind: RunKind = "run",
    params: dict[str, object] | None = None,
) -> int:
    """A finished run in the test's database, written as the CLI would."""
    with History() as history:
        run_id = history.start_run(kind, cfg, "cli", None, params)
        epochs = [{"epoch": i, "train_mse": v, "val_mse": v} for i, v in enumerate(curve)]
        history.add_epochs(run_id, epochs)
        history.finish(run_id, "done", {"val_mse": curve[-1]})
    return run_id


async def open_history(app: LinregApp, pilot: Pilot[None], rows: int) -> HistoryTable:
    """Show the view, wait for `rows` runs listed, focus the table."""
    app.show_view("history")
    table = app.query_one(HistoryTable)
    await wait_for(pilot, lambda: table.row_count == rows)
    await app.run_action("focus_results")
    await pilot.pause()
    return table


def ids(table: HistoryTable) -> list[int]:
    return [int(cells[0].value) for cells in (table.get_row_at(i) for i in range(table.row_count))]


async def test_lists_runs_newest_first_and_filters_by_loss_lr_and_size() -> None:
    first = record(BASE)
    huber = record(replace(BASE, loss="huber", lr=0.1))
    big = record(replace(BASE, num_train=400))
    app = make_app(BASE)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(app, pilot, 3)
        assert ids(table) == [big, huber, first]
        assert table.get_row_at(0)[1].text == "done"
        app.query_one("#history-loss", Select).value = "huber"
        await wait_for(pilot, lambda: ids(table) == [huber])
        assert "1 run with loss huber" in str(table.border_title)
        app.query_one("#history-loss", Select).value = ""
        app.query_one("#history-lr", Input).value = "0.03"
        await wait_for(pilot, lambda: ids(table) == [big, first])
        app.query_one("#history-lr", Input).value = ""
        app.query_one("#history-size", Input).value = "400"
        await wait_for(pilot, lambda: ids(table) == [big])
        app.query_one("#history-size", Input).value = "-"  # not a number yet: kept as is
        await pilot.pause(0.1)
        assert app.query_one("#history-size", Input).has_class("-invalid")
        assert ids(table) == [big]


async def test_s_sorts_by_the_cursor_column() -> None:
    for lr in (0.1, 0.01, 0.3):
        record(replace(BASE, lr=lr))
    app = make_app(BASE)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(app, pilot, 3)
        table.move_cursor(column=3)  # lr
        await pilot.press("s")
        assert [table.get_row_at(i)[3].value for i in range(3)] == [0.01, 0.1, 0.3]
        await pilot.press("s")
        assert [table.get_row_at(i)[3].value for i in range(3)] == [0.3, 0.1, 0.01]
        assert "by lr ↓" in str(table.border_title)


async def test_two_overlaid_runs_draw_two_curves_and_show_what_differs() -> None:
    slow = record(BASE, (10.0, 5.0, 2.0))
    fast = record(replace(BASE, lr=0.3, batch_size=10), (10.0, 0.5, 0.01))
    app = make_app(BASE)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(app, pilot, 2)
        await pilot.press("space", "down", "space")
        view = app.query_one(HistoryView)
        assert view.overlaid == [fast, slow]
        chart = app.query_one("#history-chart", CurvesChart)
        await wait_for(pilot, lambda: len(chart.curves) == 2)
        assert [c.label for c in chart.curves.values()] == [f"#{fast}", f"#{slow}"]
        assert [len(c.points) for c in chart.curves.values()] == [3, 3]
        legend = str(chart.border_subtitle)
        assert f"#{fast}" in legend and f"#{slow}" in legend and legend.count("━") == 2
        details = app.query_one(RunDetails)
        assert f"where #{fast} #{slow} differ" in str(details.border_title)
        assert details.differing == [("batch_size", ["10", "32"]), ("lr", ["0.3", "0.03"])]
        assert table.get_row_at(0)[0].text == f"● {fast}"
        await pilot.press("space")  # the cursor's run (slow) off again
        assert view.overlaid == [fast]
        assert "settings of" in str(details.border_title)  # one run: its settings


async def test_r_loads_a_run_into_the_form_and_its_view() -> None:
    record(replace(BASE, lr=0.07, batch_size=8, loss="huber"))
    app = make_app(BASE)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(app, pilot, 1)
        await pilot.press("r")
        assert app.query_one(ContentSwitcher).current == "single-run"
        assert app.query_one("#experiment", Select).value == "single-run"
        assert app.query_one("#lr", Input).value == "0.07"
        assert app.query_one("#batch_size", Input).value == "8"
        assert app.query_one("#loss", Select).value == "huber"
        assert "ctrl+r runs it" in str(app.status.query_one("#status-text").render())


async def test_r_on_an_lr_sweep_restores_its_lists_in_the_grid_view() -> None:
    params = {"lrs": [0.01, 0.5], "epochs_list": [1, 4]}
    record(replace(BASE, epochs=4), kind="sweep-lr", params=params)
    app = make_app(BASE)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(app, pilot, 1)
        await pilot.press("r")
        assert app.query_one(ContentSwitcher).current == "lr-grid"
        assert app.query_one("#grid-lrs", Input).value == "0.01, 0.5"
        assert app.query_one("#grid-epochs_list", Input).value == "1, 4"


async def test_delete_asks_first() -> None:
    keep, doomed = record(BASE), record(replace(BASE, lr=0.1))
    app = make_app(BASE)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(app, pilot, 2)
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.pause()
        question = app.screen.query_one(Static)
        assert f"#{doomed}" in str(question.render())
        assert question.size.width >= 40 and question.size.height >= 1  # readable, not a 0x0 box
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmScreen) and table.row_count == 2
        await pilot.press("delete", "y")
        await wait_for(pilot, lambda: ids(table) == [keep])
    with History() as history:
        assert [run.id for run in history.list_runs()] == [keep] != [doomed]


async def test_a_finished_job_refreshes_the_list(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(app, pilot, 0)
        app.show_view("single-run")
        await run_to_end(pilot, app)
        await wait_for(pilot, lambda: table.row_count == 1)  # while the view is hidden
        assert table.get_row_at(0)[1].text == "done"


async def test_ctrl_r_in_the_history_view_trains_nothing(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        await open_history(app, pilot, 0)
        await app.run_action("run")
        assert not app.running
        assert "r on a run" in str(app.status.query_one("#status-text").render())


async def test_an_unreadable_database_is_reported_in_the_view(tmp_path: Path) -> None:
    app = LinregApp(config=BASE, warm_torch=False, db=tmp_path)  # a directory
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("history")
        table = app.query_one(HistoryTable)
        await wait_for(pilot, lambda: "cannot open" in str(table.border_title))
        assert app.is_running


def test_differences_lists_only_the_fields_that_differ() -> None:
    with History() as history:
        for cfg in (BASE, replace(BASE, lr=0.1), replace(BASE, lr=0.1, seed=3)):
            history.start_run("run", cfg, "app")
        runs = history.list_runs()[::-1]
    assert differences(runs) == [("lr", ["0.03", "0.1", "0.1"]), ("seed", ["0", "0", "3"])]
    assert differences(runs[1:2] * 2) == []


async def test_a_size_sweeps_span_shows_whole() -> None:
    """It read "n 5..1024" for 5..10240 (issue 12, point 2): no number is cut silently."""
    sizes = [5 * 2**k for k in range(12)]
    record(BASE, kind="sweep-sizes", params={"sizes": sizes, "seeds": 5})
    app = make_app(BASE)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(app, pilot, 1)
        shown = [cell.text for cell in table.get_row_at(0)]
        assert "n 5..10240" in shown
