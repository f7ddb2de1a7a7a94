"""Shared helpers for the UI tests: tiny configs and polling waits (NOTES: not pilot.press)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp

SIZE = (80, 24)


@pytest.fixture
def tiny_config() -> RunConfig:
    """Three quick epochs on 200 examples."""
    return RunConfig(num_train=200, num_val=100, epochs=3)


@pytest.fixture
def long_config() -> RunConfig:
    """One epoch of 40 000 single-example steps: seconds long, so it can be cancelled."""
    return RunConfig(num_train=40_000, num_val=100, batch_size=1, epochs=1)


def make_app(config: RunConfig) -> LinregApp:
    """The app without the background torch warm-up (tests load torch anyway)."""
    return LinregApp(config=config, warm_torch=False)


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 20.0
) -> float:
    """Poll with short pauses until `condition()`; return the seconds waited."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s")
        await pilot.pause(0.02)
    return time.monotonic() - start


async def run_to_end(pilot: Pilot[None], app: LinregApp, timeout: float = 30.0) -> None:
    """Start a run like ctrl+r does and wait for its last RunFinished."""
    await app.run_action("run")
    assert app.running
    await wait_for(pilot, lambda: not app.running, timeout)
    await asyncio.sleep(0)
