"""Layout only: the start screen, the help screen and every view at 80x24 (no run, no
clock on screen).

Update after an intended layout change with `pytest tests/ui --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.views import VIEWS
from tests.ui.conftest import SIZE, make_app

SnapCompare = Callable[..., bool]


def test_start_screen_layout(snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app(RunConfig()), terminal_size=SIZE)


def test_help_screen_layout(snap_compare: SnapCompare) -> None:
    assert snap_compare(make_app(RunConfig()), terminal_size=SIZE, press=["f1"])


VIEW_IDS = [entry.VIEW_ID for entry in VIEWS]


@pytest.mark.parametrize("view_id", [v for v in VIEW_IDS if v != "history"])
def test_every_view_layout_at_80x24(snap_compare: SnapCompare, view_id: str) -> None:
    """Each view as a learner first sees it at 80x24, the form stepped aside (no run: its
    numbers would differ in the last digit between CPUs; tests/ui/test_layout.py checks
    the layout after a run)."""

    async def show(pilot: Pilot[None]) -> None:
        app = pilot.app
        app.show_view(view_id)  # type: ignore[attr-defined]
        await pilot.pause()
        app.open_form(False)  # type: ignore[attr-defined]
        await pilot.pause()

    assert snap_compare(make_app(RunConfig()), terminal_size=SIZE, run_before=show)
