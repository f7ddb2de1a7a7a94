"""The lr x epochs and dataset-size views: tables from small sweeps, and the explanation's
claims checked on the numbers the views show (d2l 3.5 ex. 4 and 5)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Checkbox, Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.events import SweepRowsCompleted
from linreg_tui.lab.text import fmt_short as short
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.jobs import JobEvent
from linreg_tui.ui.views.lr_grid import LrGridView
from linreg_tui.ui.views.sizes import SizesView
from linreg_tui.ui.widgets.sweep_charts import CurveChart, SizeChart
from linreg_tui.ui.widgets.sweep_tables import GridTable, SizeTable
from tests.ui.conftest import SIZE, make_app, run_to_end, wait_for


def status(app: LinregApp) -> str:
    return str(app.status.query_one("#status-text").render())


def cell_text(table: GridTable | SizeTable, row: int, column: int) -> str:
    return table.get_row_at(row)[column].plain


async def open_view(app: LinregApp, view_id: str) -> None:
    app.show_view(view_id)
    await app.run_action("focus_results")


BOOK_LRS = "0.003, 0.03, 0.3, 3"
"""The CLI's default grid; the app's default is fine (FINE_LRS: test_predicted_views)."""


# -- lr x epochs --------------------------------------------------------------------------


async def test_lr_grid_shows_every_cell_and_its_claims_hold() -> None:
    app = make_app(RunConfig())  # the book's settings; the whole grid trains in ~0.1 s
    async with app.run_test(size=SIZE) as pilot:
        await open_view(app, "lr-grid")
        app.query_one("#grid-lrs", Input).value = BOOK_LRS
        await run_to_end(pilot, app)
        table = app.query_one(GridTable)
        assert table.lrs == (0.003, 0.03, 0.3, 3.0) and table.epochs == (1, 3, 10, 30)
        assert len(table.cells) == 16 and "16 of 16 cells" in status(app)
        for column, epochs in enumerate(table.epochs, start=1):  # lr 3 diverges at once
            assert table.cells[(3.0, epochs)].diverged
            assert cell_text(table, 3, column).split()[0] == "diverged"
            slow = table.cells[(0.003, epochs)]
            assert cell_text(table, 0, column).split() == [
                short(slow.val_mse),
                "w",
                short(slow.w_error_norm),
            ]
        good, slow = table.cells[(0.03, 30)], table.cells[(0.003, 30)]
        assert good.val_mse < slow.val_mse  # a good lr beats a small one at equal epochs
        curve = [table.cells[(0.003, e)].val_mse for e in table.epochs]
        assert curve == sorted(curve, reverse=True)  # the small lr still improves
        assert table.cells[(0.03, 30)].val_mse < 1.5 * table.cells[(0.03, 10)].val_mse
        text = str(app.query_one("#grid-explanation").render())
        assert "lr 3: diverged at epoch 1" in text and "still falling" in text


async def test_moving_the_cursor_shows_that_cells_curve() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        await open_view(app, "lr-grid")
        app.query_one("#grid-lrs", Input).value = BOOK_LRS
        await run_to_end(pilot, app)
        table, chart = app.query_one(GridTable), app.query_one(CurveChart)
        assert app.focused is table
        await pilot.press("down", "right", "right")  # lr 0.03, 3 epochs
        assert chart.cell is table.cells[(0.03, 3)]
        assert len(chart.cell.curve) == 4 and "lr 0.03 · 3 epochs" in str(chart.border_title)
        await pilot.press("down", "down")  # lr 3: diverged, and the chart survives it
        assert chart.cell is not None and chart.cell.diverged
        assert "diverged at epoch 1" in str(chart.border_title)  # the lab's words
        for log_y in (False, True):
            chart.log_y = log_y
            await pilot.pause()
            assert "epoch" in str(chart.render())


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("lrs", "0.1, x", "lrs must be positive finite numbers"),
        ("lrs", "0.1, -2", "lrs must be positive finite numbers"),
        ("epochs_list", "1, 0", "epochs_list must be whole numbers"),
        ("epochs_list", "10000000", "epochs_list 10000000: epochs is too large"),
    ],
)
async def test_a_bad_list_is_refused_by_name_and_focused(
    field: str, text: str, message: str
) -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("lr-grid")
        box = app.query_one(f"#grid-{field}", Input)
        box.value = text
        await pilot.pause()  # let Changed land first, as it does for a typist
        await app.run_action("run")
        await pilot.pause()
        assert not app.running and app.focused is box
        assert message in status(app)
        assert message in str(app.query_one(f"#grid-{field}-error").render())
        assert box.value == text  # nothing typed is lost


# -- dataset size -------------------------------------------------------------------------


async def run_sizes(pilot: object, app: LinregApp, average: bool) -> SizesView:
    app.query_one("#sizes-average", Checkbox).value = average
    await run_to_end(pilot, app)  # type: ignore[arg-type]
    return app.query_one(SizesView)


async def test_size_claims_hold_at_the_books_settings() -> None:
    app = make_app(RunConfig())  # lr 0.03, batch 32, 3 epochs; 12 sizes x 5 seeds
    async with app.run_test(size=SIZE) as pilot:
        await open_view(app, "sizes")
        view = await run_sizes(pilot, app, average=False)
        assert "60 of 60 points" in status(app)
        table = app.query_one(SizeTable)
        assert [s.size for s in view.summaries] == [5 * 2**k for k in range(12)]
        assert table.row_count == 12
        assert all(s.seeds == 5 for s in view.summaries)
        from linreg_tui.engine.sweep import size_slopes

        slopes = size_slopes(view.summaries)
        assert slopes.floor_w is not None and -0.7 < slopes.floor_w < -0.3
        assert slopes.floor_b is not None and -0.7 < slopes.floor_b < -0.3
        big = view.summaries[-1]
        constant = big.w_error_norm.mean / big.lstsq_w_error_norm.mean
        assert 2 < constant < 5  # constant-lr SGD stays well above the floor
        assert cell_text(table, 11, 1) == "lr plateau"
        assert cell_text(table, 11, 2) == f"{constant:.1f}"
        small = view.summaries[0]  # 3 epochs of one step: the error is about |w| itself
        assert cell_text(table, 0, 1) == "too few steps"
        assert small.w_error_norm.mean > 0.5 * (2.0**2 + 3.4**2) ** 0.5
        legend = str(app.query_one(SizeChart).border_subtitle)
        assert f"floor {slopes.floor_w:+.2f}".replace("-", "−") in legend

        view = await run_sizes(pilot, app, average=True)
        big = view.summaries[-1]
        averaged = big.w_error_norm.mean / big.lstsq_w_error_norm.mean
        assert averaged < 1.5  # averaged iterates land on the floor
        assert cell_text(table, 11, 1) == "at floor"
        assert "4 of 4" not in status(app) and "done" in status(app)


async def test_equal_steps_remove_the_too_few_steps_regime() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("sizes")
        app.query_one("#sizes-sizes", Input).value = "10, 40, 160"
        app.query_one("#sizes-seeds", Input).value = "2"
        app.query_one("#sizes-equal_steps", Checkbox).value = True
        app.query_one("#sizes-steps", Input).value = "500"
        await run_to_end(pilot, app)
        view = app.query_one(SizesView)
        assert [s.size for s in view.summaries] == [10, 40, 160]
        assert all(s.converged for s in view.summaries)
        assert "too few steps" not in [cell_text(app.query_one(SizeTable), i, 1) for i in range(3)]


async def test_cancel_mid_sweep_then_no_stale_rows_in_the_next() -> None:
    app = make_app(RunConfig(epochs=30))
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("sizes")
        app.query_one("#sizes-sizes", Input).value = "5, 10, 200000"  # the last: seconds
        app.query_one("#sizes-seeds", Input).value = "3"
        await app.run_action("run")
        view = app.query_one(SizesView)
        await wait_for(
            pilot, lambda: len(view.summaries) == 2 and app.job is not None and app.job.steps > 1000
        )
        stale_id, stale_point = app.run_id, view.points[0]
        await app.run_action("cancel")
        await wait_for(pilot, lambda: not app.running, timeout=5)
        assert status(app).startswith("cancelled")
        assert app.query_one(SizeTable).border_title == "cancelled after 2 of 3 sizes"
        assert [s.size for s in view.summaries] == [5, 10]

        app.query_one("#sizes-sizes", Input).value = "20"
        await app.run_action("run")
        app.post_message(JobEvent(SweepRowsCompleted(stale_id, (replace(stale_point, size=99),))))
        await wait_for(pilot, lambda: not app.running)
        await pilot.pause()
        assert [s.size for s in view.summaries] == [20]
        assert all(p.size == 20 for p in view.points)
        assert status(app).startswith("done")


async def test_keyboard_reaches_every_sweep_control_at_80x24() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        for view_id, wanted in (
            ("lr-grid", {"grid-lrs", "grid-epochs_list", "grid-table"}),
            (
                "sizes",
                {
                    "sizes-sizes",
                    "sizes-seeds",
                    "sizes-b",
                    "sizes-equal_steps",
                    "sizes-steps",
                    "sizes-average",
                    "sizes-table",
                },
            ),
        ):
            app.show_view(view_id)
            await pilot.pause()
            app.query_one("#seed", Input).focus()  # the form's last field
            seen = set()
            for _ in range(12):
                await pilot.press("tab")
                focused = app.focused
                assert focused is not None
                seen.add(focused.id)
                region = focused.region
                assert region.height > 0 and 0 <= region.y < SIZE[1]  # scrolled into view
            assert wanted <= seen, wanted - seen


async def test_views_are_listed_with_the_exercise_in_their_title() -> None:
    assert LrGridView.TITLE.endswith("(ex. 4)") and SizesView.TITLE.endswith("(ex. 5)")
