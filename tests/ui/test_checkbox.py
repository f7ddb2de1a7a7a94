"""Checkboxes read as on or off by their mark, not by colour alone (issue 12, point 6)."""

from __future__ import annotations

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.widgets.checkbox import LabCheckbox
from tests.ui.conftest import SIZE, make_app


async def test_a_ticked_box_shows_a_tick_and_an_unticked_one_does_not() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        box = app.query_one("#average", LabCheckbox)
        assert "✓" not in box.render().plain and "X" not in box.render().plain
        box.value = True
        await pilot.pause()
        assert "✓" in box.render().plain
