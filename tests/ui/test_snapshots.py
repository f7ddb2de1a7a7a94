"""Layout only: the start screen and the help screen at 80x24 (no run, no clock on screen).

Update after an intended layout change with `pytest tests/ui --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable

from linreg_tui.engine.config import RunConfig
from tests.ui.conftest import SIZE, make_app

SnapCompare = Callable[..., bool]


def test_start_screen_layout(snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app(RunConfig()), terminal_size=SIZE)


def test_help_screen_layout(snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app(RunConfig()), terminal_size=SIZE, press=["f1"])
