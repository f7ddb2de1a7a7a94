"""Start-up: no torch before the first frame; torch warmed after it; errors notified."""

from __future__ import annotations

import subprocess
import sys

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
