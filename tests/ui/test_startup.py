"""Start-up: no torch before the first frame; torch warmed after it; errors notified."""

from __future__ import annotations

import gc
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui import jobs as jobs_module
from linreg_tui.ui.app import LinregApp
from tests.ui.conftest import SIZE, make_app, wait_for

FIRST_FRAME = """
import asyncio, sys
from linreg_tui.ui.app import LinregApp
assert "torch" not in sys.modules, "importing the UI loaded torch"

async def main() -> None:
    app = LinregApp(warm_torch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.query_one("#lr").region, "no first frame"
        assert "torch" not in sys.modules, "the first frame needed torch"

asyncio.run(main())
"""


def test_the_first_frame_does_not_import_torch() -> None:
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


async def test_torch_is_warmed_in_the_background_after_the_first_frame() -> None:
    app = LinregApp(config=RunConfig(num_train=50, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.torch_ready, timeout=30)
        assert "torch" in sys.modules


async def test_a_failing_run_is_notified_and_ends_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(jobs_module, "run_job", broken)
    app = make_app(RunConfig(num_train=50, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("run")
        await wait_for(pilot, lambda: not app.running, timeout=5)
        messages = [n for n in app._notifications if n.severity == "error"]
        assert messages and "engine exploded" in messages[0].message
        assert app.is_running


class FirstFrameProbe(LinregApp):
    """The app as started in a terminal, noting what had the focus at its first frame."""

    CSS_PATH = str(Path(inspect.getfile(LinregApp)).with_name("app.tcss"))
    focused_at_first_frame: object = "not yet"
    form_shown_at_first_frame = False

    def on_ready(self) -> None:  # Textual calls LinregApp.on_ready after this one
        self.focused_at_first_frame = self.focused
        self.form_shown_at_first_frame = self.form.display and self.form.region.width > 0


async def test_in_a_terminal_focus_and_collections_wait_for_the_first_frame() -> None:
    """ui/startup.py: the first field is focused just after the first frame (focusing it
    restyles the whole form) while a narrow terminal shows the form from the first frame
    on, and the garbage collector that `cli.start_app` turned off
    is back on once the views behind the first are mounted."""
    gc.disable()  # as cli.start_app does
    try:
        app = FirstFrameProbe(warm_torch=False, lazy_views=True)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.mounting_views is not None, timeout=10)
            assert app.mounting_views is not None
            await wait_for(pilot, app.mounting_views.is_set, timeout=10)
            assert app.focused_at_first_frame is None
            assert app.focused is app.query_one("#lr")
            # 80 columns are narrow: the form opens where a field has the focus, so the
            # first frame shows it already (not a frame later, when the focus comes)
            assert app.has_class("-narrow") and app.form_shown_at_first_frame
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.enable()
