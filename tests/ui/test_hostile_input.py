"""Ordinary input that ended the app (issue 16, group 2), typed key by key through the app,
headless: a 401-digit count, a file of 4,000 digits, file names over 255 bytes and
`~nouser/...` in every file dialog, an unknown user's history database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.widgets.path_prompt import PathPrompt
from tests.ui.conftest import SIZE, make_app, run_to_end, wait_for
from tests.ui.test_monkey import key_event

TINY = RunConfig(num_train=50, num_val=50, epochs=2)
HUGE = "1" + "0" * 400
LONG_NAME = "x" * 300
DIALOG_KEYS = {"ctrl+s": ".toml", "ctrl+o": ".toml", "ctrl+e": ".csv"}


async def type_text(pilot: Pilot[None], app: LinregApp, text: str, into: Input) -> None:
    """Type `text` key by key into the focused `into`, as a fast typist would."""
    for i, char in enumerate(text):
        app.post_message(key_event(char))
        if i % 50 == 49:
            await asyncio.sleep(0)
    await wait_for(pilot, lambda: into.value.endswith(text[-20:]) or not app.is_running, 30)


async def test_a_401_digit_count_is_refused_by_name(tmp_path: Path) -> None:
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        epochs = app.form.controls["epochs"]
        assert isinstance(epochs, Input)
        epochs.focus()
        epochs.value = ""
        await pilot.pause()
        await type_text(pilot, app, HUGE, epochs)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.is_running and not app.running
        assert app.status.text.startswith("not run: epochs must be a whole number")
        assert len(app.status.text) < 300
        assert epochs.value == HUGE  # nothing typed is lost
        epochs.value = "2"
        await run_to_end(pilot, app)
        assert app.status.text.startswith("done")


async def test_a_file_with_a_4000_digit_count_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(f"epochs = {'9' * 4000}\n")
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        prompt = app.screen
        assert isinstance(prompt, PathPrompt)
        prompt.query_one(Input).value = str(path)
        await pilot.press("enter")
        assert app.is_running and app.screen is prompt
        assert "epochs must be a whole number" in prompt.error and len(prompt.error) < 400
        assert app.form.read_config() == TINY  # the form is untouched


BAD_PATHS = {LONG_NAME: "too long", f"sub/{LONG_NAME}": "too long", "~nouser-xyz/x": "no user"}
"""A name over 255 bytes, one inside a folder, an unknown user's home."""


@pytest.mark.parametrize("key", DIALOG_KEYS)
async def test_every_file_dialog_refuses_what_cannot_be_a_path(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        if key == "ctrl+e":
            await run_to_end(pilot, app)  # something to export
        for path, says in BAD_PATHS.items():
            await pilot.press(key)
            prompt = app.screen
            assert isinstance(prompt, PathPrompt)
            field = prompt.query_one(Input)
            field.value = ""
            await type_text(pilot, app, path + DIALOG_KEYS[key], field)
            await pilot.press("enter")
            await pilot.pause()
            assert app.is_running and app.screen is prompt, f"{path}: the dialog closed"
            assert says in prompt.error and len(prompt.error) < 400, prompt.error
            await pilot.press("escape")
            assert len(app.screen_stack) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]  # nothing was written


async def test_an_unknown_users_history_is_a_warning_and_runs_go_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LINREG_TUI_DB", "~nouser-xyz/history.sqlite3")
    app = LinregApp(config=TINY, warm_torch=False)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        assert app.status.text.startswith("done")
        await pilot.pause(0.1)
        assert any("no user 'nouser-xyz'" in str(n.message) for n in app._notifications)
