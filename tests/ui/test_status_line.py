"""The status line says what happened in the view on screen (issue 12, point 10)."""

from __future__ import annotations

from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.widgets.status_bar import IDLE_TEXT
from tests.ui.conftest import SIZE, make_app, run_to_end


async def test_a_refusal_stays_with_its_view_and_goes_once_the_field_is_fixed() -> None:
    app = make_app(RunConfig(num_train=200, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#num_train", Input).value = "1e10"
        await app.run_action("run")
        assert app.status.text.startswith("not run: num_train is too large")
        app.show_view("gradients")
        await pilot.pause()
        assert app.status.text == IDLE_TEXT  # not the single-run view's refusal
        app.show_view("single-run")
        await pilot.pause()
        assert app.status.text.startswith("not run: num_train")
        app.query_one("#num_train", Input).value = "200"
        await pilot.pause()
        assert app.status.text == IDLE_TEXT


async def test_a_finished_job_is_reported_in_its_own_view_only() -> None:
    app = make_app(RunConfig(num_train=64, num_val=16, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("robust-loss")
        await pilot.pause()
        await run_to_end(pilot, app)
        assert app.status.text.startswith("done · ")
        app.show_view("single-run")
        await pilot.pause()
        assert app.status.text == IDLE_TEXT
        app.show_view("robust-loss")
        await pilot.pause()
        assert app.status.text.startswith("done · ")
