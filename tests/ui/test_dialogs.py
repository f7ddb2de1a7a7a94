"""Crashes the random-key test found, each reproduced by its few keys.

Keys are queued without waiting for the app to go idle, as a fast typist or a laggy SSH
link delivers them: two enters reach a dialog before the first one has closed it.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.palette import GuardedCommandPalette
from linreg_tui.ui.views import VIEWS
from linreg_tui.ui.widgets.export_prompt import ExportPrompt
from linreg_tui.ui.widgets.path_prompt import PathPrompt
from tests.ui.conftest import SIZE, make_app, run_to_end, wait_for

TINY = RunConfig(num_train=50, num_val=50, epochs=1)


def queue(app: LinregApp, *keys: str) -> None:
    """Queue keys for the app at once."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def settled(pilot: Pilot[None], app: LinregApp) -> None:
    await pilot.pause(0.3)
    assert app.is_running and app._exception is None


async def test_two_enters_on_a_palette_command_run_it_once() -> None:
    """Textual 8.2.8: the second enter dismissed the closed palette: ScreenStackError."""
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, GuardedCommandPalette)
        app.screen.query_one(Input).value = "Next view"
        await pilot.pause(0.3)  # the search has one hit
        queue(app, "enter", "enter", "enter")
        await settled(pilot, app)
        assert len(app.screen_stack) == 1
        assert app.switcher.current == VIEWS[1].VIEW_ID  # once, not twice


@pytest.mark.parametrize("key", ["ctrl+s", "ctrl+o", "ctrl+e"])
async def test_two_enters_in_a_file_dialog_close_it_once(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "linreg-config.toml").write_text("lr = 0.1\n")  # what ctrl+o offers
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)  # something to export
        await pilot.press(key)
        assert isinstance(app.screen, (PathPrompt, ExportPrompt))
        queue(app, "enter", "enter", "enter")
        await settled(pilot, app)
        assert len(app.screen_stack) == 1
        await pilot.press("f1")  # a screen above the main one is not popped by a late enter
        queue(app, "enter")
        await settled(pilot, app)
        assert len(app.screen_stack) == 2


async def test_escape_queued_right_after_ctrl_r_still_ends_the_job() -> None:
    """The worker was cancelled before its thread started: no RunFinished ever came, the
    app stayed 'cancelling…' with ctrl+r greyed out for good."""
    app = make_app(RunConfig(num_train=300, num_val=100, epochs=4))
    async with app.run_test(size=SIZE) as pilot:
        for job in range(1, 4):
            queue(app, "ctrl+r", "escape")
            await wait_for(pilot, lambda: app.run_id == job and not app.running, 10)  # noqa: B023
            assert app.status.text.startswith("cancelled")
        await run_to_end(pilot, app)
        assert app.status.text.startswith("done")


async def test_page_keys_in_a_select_before_its_list_is_laid_out() -> None:
    """Textual 8.2.8: OptionList._move_page raised KeyError in the Select's overlay
    (random-key seed 2). Without the guard one of these seeds hits it on most runs."""
    keys = ["enter", "pageup", "pagedown", "down", "up", "escape", "tab"]
    for seed in (5, 6, 7, 8):
        rnd = random.Random(seed)
        app = make_app(TINY)
        async with app.run_test(size=SIZE) as pilot:
            app.form.query_one("#experiment").focus()
            await pilot.pause()
            for _ in range(30):
                queue(app, rnd.choice(keys))
                await asyncio.sleep(rnd.choice([0, 0, 0.001, 0.01]))
            await pilot.pause(0.3)
            assert app.is_running and app._exception is None, seed


async def test_the_theme_picker_is_a_guarded_palette_too() -> None:
    """The palette's Theme command opened Textual's own palette, with the same crashes."""
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("change_theme")
        assert isinstance(app.screen, GuardedCommandPalette)
        queue(app, "pagedown", "pageup", "down", "enter", "enter")
        await settled(pilot, app)


async def test_ctrl_p_again_and_again_never_stacks_two_palettes() -> None:
    """Random-key seeds 50 and 54 once pushed a palette while the last one, with the same
    fixed id, was still being removed: DuplicateIds. The timing is rare; this is a smoke
    test, the fix (palettes without a fixed id) rules it out by construction."""
    for pause in (0.0, 0.001, 0.01):
        app = make_app(TINY)
        async with app.run_test(size=SIZE) as pilot:
            for keys in (["ctrl+p", "escape", "ctrl+p"], ["f1", "ctrl+p"], ["escape", "ctrl+p"]):
                queue(app, *keys)
                await asyncio.sleep(pause)
            await settled(pilot, app)
            palettes = [s for s in app.screen_stack if isinstance(s, CommandPalette)]
            assert len(palettes) <= 1


@pytest.mark.parametrize("key", ["ctrl+o", "ctrl+s"])
async def test_keys_typed_right_after_a_dialog_key_go_to_the_dialog_not_the_form(
    key: str,
) -> None:
    """Typed ahead while the app is still busy mounting (just after start), a path must
    not end up in the focused field: lr 0.03 became '2' and the next run diverged."""
    app = LinregApp(warm_torch=False, lazy_views=True)
    async with app.run_test(size=SIZE) as pilot:
        for name, char in [(key, None), ("slash", "/"), ("t", "t"), ("2", "2")]:
            app.post_message(events.Key(name, char))  # queued together, as typed ahead
        await pilot.pause(0.3)
        assert app.query_one("#lr", Input).value == "0.03"
        assert isinstance(app.screen, PathPrompt)
        assert app.screen.query_one("#path-input", Input).value.endswith("/t2")
