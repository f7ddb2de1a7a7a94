"""Keys: help lists them all, the palette offers every action and survives page keys."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace

from textual import events
from textual.binding import Binding
from textual.widgets import Footer, Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.widgets.help_screen import HelpScreen
from linreg_tui.ui.widgets.results_table import COLUMNS, ResultsTable
from tests.ui.conftest import SIZE, make_app, run_to_end


async def test_f1_lists_every_key_and_escape_closes(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        listed = {keys for _, keys, _ in app.screen.rows}
        for binding in LinregApp.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.key.replace("escape", "esc") in listed
        assert "s" in listed and "ctrl+p" in listed
        history = {keys for where, keys, _ in app.screen.rows if where == "in the history"}
        assert {"space", "r", "s", "del", "c"} <= history  # overlay, re-run, sort, delete
        body = app.screen.query_one("#help-body")
        await pilot.press("pagedown")  # the list is longer than 24 rows: it scrolls at once
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_footer_fits_80_columns(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        keys = app.query_one(Footer).children
        assert 4 <= len(keys) <= 7
        assert max(key.region.right for key in keys) <= SIZE[0]


async def test_palette_offers_every_action(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE):
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for binding in LinregApp.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.description in titles or binding.action == "quit"
        assert "Quit" in titles and "View: single run" in titles


async def test_palette_survives_page_keys_before_its_list_is_laid_out() -> None:
    """Textual 8.2.8 raised KeyError in OptionList._move_page here (seed 5 hit it)."""
    keys = ["ctrl+p", "pagedown", "pageup", "down", "up", "r", "u", "escape", "backspace"]
    for seed in range(8):
        rnd = random.Random(seed)
        app = make_app(RunConfig(num_train=50, epochs=1))
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(40):
                key = rnd.choice(keys)
                app.post_message(events.Key(key, key if len(key) == 1 else None))
                await asyncio.sleep(rnd.choice([0, 0, 0.001, 0.01]))
            await pilot.pause()
            assert app.is_running and app._exception is None


async def test_table_sorts_by_the_cursor_column_from_the_keyboard(
    tiny_config: RunConfig,
) -> None:
    app = make_app(replace(tiny_config, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        for text in ("0.01", "0.1", "0.03"):
            app.query_one("#lr", Input).value = text
            await run_to_end(pilot, app)
        await pilot.press("f3")
        table = app.query_one(ResultsTable)
        assert app.focused is table
        lr = list(COLUMNS).index("lr")
        table.move_cursor(column=lr)
        await pilot.press("s")
        assert [table.get_row_at(i)[lr].value for i in range(3)] == [0.01, 0.03, 0.1]
        await pilot.press("s")
        assert [table.get_row_at(i)[lr].value for i in range(3)] == [0.1, 0.03, 0.01]


async def test_help_names_each_place_once_above_its_keys() -> None:
    """It said "everywhere" fourteen times (issue 12, point 12)."""
    app = make_app(RunConfig())
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows
        assert len(rows) > 10
        names = [row[0] for row in rows]
        assert names.count("everywhere") > 1  # many keys work everywhere...
        shown = list(app.screen.table.columns[0].cells)
        assert shown.count("everywhere") == 1  # ...and the place is named once
