"""One key, F5, and one palette command run the view's suggested settings, in every view
that trains (issue 12, point 3: it took 17 tabs, and the button did not run)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.views import VIEWS
from tests.ui.conftest import SIZE, make_app, wait_for

TRAINING_VIEWS = [v.VIEW_ID for v in VIEWS if v.VIEW_ID != "history"]


@pytest.mark.parametrize("view_id", TRAINING_VIEWS)
async def test_f5_fills_the_form_with_the_views_suggestion_and_runs_it(view_id: str) -> None:
    app = make_app(RunConfig(noise=0.5, num_train=64))  # both differ from every suggestion
    async with app.run_test(size=SIZE) as pilot:
        app.show_view(view_id)
        await pilot.pause()
        before = app.run_id
        await pilot.press("f5")
        assert app.run_id == before + 1  # a job started (a short one may be over already)
        suggested = {**RunConfig().to_dict(), **app.view.SUGGESTED}  # type: ignore[dict-item]
        assert app.query_one("#noise", Input).value == str(suggested["noise"])
        assert app.query_one("#num_train", Input).value == str(suggested["num_train"])
        await app.run_action("cancel")
        await wait_for(pilot, lambda: not app.running, timeout=60)


async def test_the_history_view_says_it_has_no_suggestion_and_the_palette_lists_f5() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("history")
        await pilot.pause()
        before = app.run_id
        await pilot.press("f5")
        assert app.run_id == before and "no suggested settings" in app.status.text
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Run suggested" in titles
