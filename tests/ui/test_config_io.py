"""ctrl+s / ctrl+o: the form's configuration to and from TOML or JSON, refusals by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select

from linreg_tui.engine.config import RunConfig
from linreg_tui.store.config_files import load_config
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.config_io import DEFAULT_PATH
from linreg_tui.ui.widgets.path_prompt import PathPrompt
from tests.ui.conftest import SIZE, make_app


async def submit_path(pilot: Pilot[None], app: LinregApp, path: Path | str) -> PathPrompt:
    """In the open dialog, type a path and press enter; returns the dialog."""
    prompt = app.screen
    assert isinstance(prompt, PathPrompt)
    prompt.query_one(Input).value = str(path)
    await pilot.press("enter")
    return prompt


def set_fields(app: LinregApp, **values: object) -> None:
    for name, value in values.items():
        control = app.form.controls[name]
        control.value = value  # type: ignore[assignment]


@pytest.mark.parametrize("suffix", [".toml", ".json"])
async def test_save_then_load_round_trips(tmp_path: Path, suffix: str) -> None:
    app = make_app(RunConfig())
    path = tmp_path / f"lab{suffix}"
    async with app.run_test(size=SIZE) as pilot:
        set_fields(app, lr="0.1", w="1.5, -2, 0.25", loss="huber", delta="0.5", average=True)
        await pilot.press("ctrl+s")
        prompt = app.screen
        assert isinstance(prompt, PathPrompt)
        assert prompt.query_one(Input).value == DEFAULT_PATH
        await submit_path(pilot, app, path)
        assert not isinstance(app.screen, PathPrompt)
        saved = load_config(path)
        assert saved.lr == 0.1 and saved.w == (1.5, -2.0, 0.25) and saved.loss == "huber"
        assert saved.average is True and saved.delta == 0.5
        assert "saved" in str(app.status.query_one("#status-text").render())

        set_fields(app, lr="0.5", w="1", loss="mse-sum", delta="2", average=False)
        await pilot.press("ctrl+o")
        assert app.screen.query_one(Input).value == str(path)  # the last path is offered
        await pilot.press("enter")
        assert not isinstance(app.screen, PathPrompt)
        assert app.form.read_config() == saved
        assert app.query_one("#w", Input).value == "1.5, -2, 0.25"
        assert app.query_one("#loss", Select).value == "huber"
        assert app.query_one("#average", Checkbox).value is True


BAD_FILES = [
    ("unknown.toml", "lr = 0.1\nlearning_rate = 0.2\n", "learning_rate is not a setting"),
    ("value.toml", "lr = -1\n", "lr must be a positive finite number"),
    ("type.json", '{"epochs": "three"}', "epochs must be a whole number"),
    ("broken.toml", "lr = \n", "is not valid TOML"),
    ("broken.json", '{"lr": 0.1,', "is not valid JSON"),
    ("nested.toml", "[training]\nlr = 0.1\n", "training is a table"),
    ("config.yaml", "lr: 0.1\n", "must end in .toml or .json"),
]


@pytest.mark.parametrize(("name", "text", "problem"), BAD_FILES)
async def test_a_bad_file_is_named_and_the_form_is_untouched(
    tmp_path: Path, name: str, text: str, problem: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        set_fields(app, lr="0.07", epochs="5")
        before = app.form.values()
        await pilot.press("ctrl+o")
        prompt = await submit_path(pilot, app, path)
        assert app.screen is prompt  # still open: fix the path or escape
        assert problem in prompt.error and str(path) in prompt.error
        await pilot.press("escape")
        assert not isinstance(app.screen, PathPrompt)
        assert app.form.values() == before


async def test_a_missing_file_and_an_unwritable_path_are_named(tmp_path: Path) -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        prompt = await submit_path(pilot, app, tmp_path / "nope.toml")
        assert "nope.toml: cannot read it" in prompt.error
        await pilot.press("escape")

        target = tmp_path / "no-such-dir" / "lab.toml"
        await pilot.press("ctrl+s")
        prompt = await submit_path(pilot, app, target)
        assert app.screen is prompt and str(target) in prompt.error
        assert not target.parent.exists()
        prompt.query_one(Input).value = str(tmp_path / "lab.toml")  # fix it: nothing lost
        await pilot.press("enter")
        assert load_config(tmp_path / "lab.toml") == RunConfig()


@pytest.mark.parametrize("key", ["ctrl+o", "ctrl+s"])
async def test_an_empty_name_or_a_folder_is_refused_in_plain_words(
    tmp_path: Path, key: str
) -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        prompt = await submit_path(pilot, app, "  ")
        assert app.screen is prompt and prompt.error == "type the name of a .toml or .json file"
        prompt = await submit_path(pilot, app, tmp_path)
        assert app.screen is prompt and prompt.error.endswith(
            "is a folder; name a .toml or .json file"
        )


async def test_save_refuses_an_invalid_form_by_field(tmp_path: Path) -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        set_fields(app, batch_size="0")
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, PathPrompt)
        assert "not saved: batch_size" in str(app.status.query_one("#status-text").render())
        assert app.focused is app.query_one("#batch_size", Input)
        assert app.query_one("#batch_size", Input).value == "0"


async def test_a_partial_file_changes_only_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "lr.toml"
    path.write_text("lr = 0.2\n", encoding="utf-8")
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        set_fields(app, epochs="7")
        await pilot.press("ctrl+o")
        await submit_path(pilot, app, path)
        config = app.form.read_config()
        assert isinstance(config, RunConfig)
        assert (config.lr, config.epochs) == (0.2, 7)
