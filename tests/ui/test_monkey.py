"""Robustness: thousands of random keys, start/cancel storms, quitting mid-run.

Keys are fed straight to the driver like a fast typist (pilot.press waits for the whole
app to go idle after every key, about a second each while a thread trains: NOTES).
"""

from __future__ import annotations

import asyncio
import random
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.views import VIEWS
from linreg_tui.ui.views.single_run import SingleRunView
from linreg_tui.ui.widgets.path_prompt import PathPrompt
from linreg_tui.ui.widgets.sweep_fields import SweepFields
from tests.ui.conftest import make_app, run_to_end, wait_for

LONG_DIGITS = "1" + "0" * 400
"""A count of 401 digits: Python reads it, a float cannot hold it (issue 16)."""
LONG_PATHS = ["x" * 300 + ".toml", "sub/" + "y" * 256 + ".csv", "~nouser-xyz/x.toml"]
"""A name over 255 bytes, one in a folder, an unknown user's home (issue 16)."""
MACROS = {"<digits>": LONG_DIGITS, "<path>": LONG_PATHS[0], "<nouser>": LONG_PATHS[2]}
"""'Keys' that type a whole string, key by key: one among each 500 random keys."""
KEYS = [
    *"abcrxyz019.-,e [/]",
    "tab", "shift+tab", "up", "down", "left", "right", "home", "end",
    "pageup", "pagedown", "enter", "escape", "backspace", "delete", "space",
    "ctrl+r", "ctrl+r", "ctrl+l", "ctrl+p", "ctrl+e", "ctrl+s", "ctrl+o",
    "f1", "f2", "f3", "f4", "f5", "s",
]  # fmt: skip
"""Everything a user might hit, minus ctrl+q (quit is tested on its own)."""

SIZES = [(40, 12), (80, 24), (120, 40), (200, 60)]
NAMES = {" ": "space", ".": "full_stop", "-": "minus", ",": "comma", "[": "left_square_bracket",
         "]": "right_square_bracket", "/": "slash"}  # fmt: skip
SMALL = RunConfig(num_train=300, num_val=100, epochs=4)


def key_event(key: str) -> events.Key:
    """A Key event as Textual's pilot builds it."""
    char: str | None
    if len(key) == 1:
        char = key
        key = NAMES.get(key, key)
    else:
        try:
            char = unicodedata.lookup(key.upper().replace("_", " "))
        except KeyError:
            char = None
    return events.Key(key, char)


async def type_keys(app: App[None], keys: list[str], every: int = 8) -> None:
    """Queue keys for the app in order, yielding to it every few keys; a macro ('<digits>')
    types its whole string."""
    keys = [k for key in keys for k in MACROS.get(key, [key])]
    for i, key in enumerate(keys):
        app.post_message(key_event(key))
        if i % every == every - 1:
            await asyncio.sleep(0.002)
        if not app.is_running:
            return


def queued_messages(app: App[None]) -> int:
    """Messages waiting in the app's, its screens' and their widgets' queues."""
    nodes = [app, *(n for screen in app.screen_stack for n in screen.walk_children(with_self=True))]
    return sum(node._message_queue.qsize() for node in nodes)


async def settle(pilot: Pilot[None], app: LinregApp, timeout: float = 30.0) -> None:
    """Wait until every queued key is handled and any run they started has ended."""
    quiet = 0
    start = time.monotonic()
    while quiet < 5:
        assert time.monotonic() - start < timeout, "the app did not settle"
        await pilot.pause(0.02)
        quiet = 0 if app.running or queued_messages(app) else quiet + 1


def worker_threads_in_the_lab() -> list[str]:
    """Threads still running the lab's code (a training or warm-up worker).

    Textual runs thread workers with `loop.run_in_executor(None, ...)`, so they are the
    event loop's default pool threads, named `asyncio_0`, `asyncio_1`... An idle pool
    thread outlives its work until the loop closes: what matters is whether one is still
    inside linreg_tui (the runner, the engine) after the app has quit.
    """
    frames = sys._current_frames()
    busy = []
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or -1)
        while frame is not None:
            if "linreg_tui" in frame.f_code.co_filename:
                busy.append(thread.name)
                break
            frame = frame.f_back
    return busy


def reset_view_fields(app: LinregApp) -> None:
    """Put the sweep views' own fields (sizes, lrs...) back to their defaults."""
    for fields in app.query(SweepFields):
        for name, spec in fields.specs.items():
            control = fields.controls[name]
            if isinstance(control, Checkbox):
                control.value = bool(spec.default)
            else:
                control.value = str(spec.default)


async def back_to_main_screen(app: LinregApp) -> None:
    """Close whatever modal or palette the keys left open."""
    for _ in range(10):
        if len(app.screen_stack) == 1:
            return
        app.pop_screen()
        await asyncio.sleep(0.05)


@pytest.mark.parametrize(("seed", "sizes"), [(1, SIZES[:2]), (2, SIZES[2:])])
async def test_random_keys_never_crash_and_the_lab_still_runs(
    seed: int, sizes: list[tuple[int, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """500 random keys at each size, from a small terminal to a large one and back (each
    seed takes two of the four sizes: all four for both took a minute of the suite)."""
    monkeypatch.chdir(tmp_path)  # ctrl+e / ctrl+s then enter write files here
    rng = random.Random(seed)
    app = make_app(SMALL)
    async with app.run_test(size=sizes[-1]) as pilot:
        for size in [*sizes, sizes[0]]:
            await pilot.resize_terminal(*size)
            keys = [rng.choice(KEYS) for _ in range(500)]
            keys.insert(rng.randrange(500), rng.choice(list(MACROS)))  # one long string
            await type_keys(app, keys)
            await pilot.pause(0.05)
            assert app.is_running, f"the app ended under random keys at {size}"
        await settle(pilot, app)
        await back_to_main_screen(app)
        chosen = app.switcher.current or SingleRunView.VIEW_ID  # what the keys chose...
        app.show_view(SingleRunView.VIEW_ID if chosen == "history" else chosen)  # ...or one
        app.form.load(SMALL)  # the keys typed garbage into the form: start clean
        reset_view_fields(app)
        await pilot.pause()
        table = app.view.results_widget()
        rows = table.row_count if isinstance(table, DataTable) else 0
        await app.run_action("run")
        assert app.running, f"{app.view.TITLE}: {app.status.text}"
        await wait_for(pilot, lambda: not app.running, 30)
        assert app.status.text.startswith("done"), app.status.text
        assert app.view.export_rows(), f"{app.view.TITLE} shows no results after a run"
        if app.view.VIEW_ID == SingleRunView.VIEW_ID:  # a row per run (exercises: per job)
            assert isinstance(table, DataTable) and table.row_count == rows + 1
    assert app.return_code in (0, None)


async def test_fifty_start_cancel_cycles_leave_no_stale_point(long_config: RunConfig) -> None:
    app = make_app(long_config)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):
            await app.run_action("run")
            await pilot.pause(0.005)
            await app.run_action("cancel")
        await wait_for(pilot, lambda: not app.running, 30)
        app.form.load(RunConfig(num_train=200, num_val=100, epochs=3))
        await pilot.pause()
        await run_to_end(pilot, app)
        chart = app.view.query_one("LossChart")
        assert [r.epoch for r in chart.records] == [0, 1, 2, 3]  # type: ignore[attr-defined]
        assert app.status.text.startswith("done")
    await asyncio.sleep(0.2)
    assert not worker_threads_in_the_lab()


async def test_quit_mid_run_ends_within_a_second(long_config: RunConfig) -> None:
    app = make_app(long_config)
    loop = asyncio.get_running_loop()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.run_action("run")
        await wait_for(pilot, lambda: app.job is not None and app.job.steps > 0, 30)
        start = loop.time()
        await app.run_action("quit")
    assert loop.time() - start < 1.0
    await asyncio.sleep(0.2)
    assert not worker_threads_in_the_lab()


async def test_long_digits_in_every_field_and_long_paths_in_every_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every text field of every view gets 401 digits, then ctrl+r; every file dialog gets
    each of LONG_PATHS, then enter: each is refused in words, nothing ends the app. The
    string's head is pasted into the field and its last keys typed (all 401 keys in every
    field took minutes); the random test above types the macros key by key."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    app = make_app(SMALL)
    typed: set[str] = set()
    async with app.run_test(size=(80, 24)) as pilot:
        for entry in VIEWS:
            app.show_view(entry.VIEW_ID)
            await pilot.pause()
            for field in app.screen.query(Input):
                if not (field.id and field.display and field.region.height) or field.id in typed:
                    continue
                typed.add(field.id)
                field.focus()
                await pilot.pause()  # focusing selects all: before the value is set
                field.value = LONG_DIGITS[:-5]
                field.action_end()
                await type_keys(app, [*LONG_DIGITS[-5:], "ctrl+r"])
                await settle(pilot, app)
                assert app.is_running, f"{entry.VIEW_ID}: {field.id}"
                assert field.value == LONG_DIGITS or not app.form.controls.get(field.id)
                await back_to_main_screen(app)
            app.form.load(SMALL)
            reset_view_fields(app)
        assert {"lr", "epochs", "w", "seed", "sizes-sizes", "grid-lrs"} <= typed, typed
        app.show_view(SingleRunView.VIEW_ID)
        await pilot.pause()
        await app.run_action("run")
        await wait_for(pilot, lambda: not app.running, 30)  # something to export
        for key in ("ctrl+s", "ctrl+o", "ctrl+e"):
            for path in LONG_PATHS:
                await type_keys(app, [key])
                await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), 10)
                prompt = app.screen
                assert isinstance(prompt, PathPrompt)
                prompt.query_one(Input).value = path[:-5]
                prompt.query_one(Input).action_end()
                await type_keys(app, [*path[-5:], "enter"])
                await settle(pilot, app)
                assert app.is_running and app.screen is prompt, (key, path)
                assert prompt.error, (key, path)
                await back_to_main_screen(app)
    assert app.return_code in (0, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]  # nothing written
