"""The experiment-view protocol: a view plugs in by being listed, plans runs, gets hooks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.app import ComposeResult
from textual.widgets import ContentSwitcher, Label, Select

from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.events import EpochsCompleted, RunFinished, RunStarted
from linreg_tui.lab.plans import RunsPlan
from linreg_tui.ui import app as app_module
from linreg_tui.ui import layout as layout_module
from linreg_tui.ui.views import VIEWS, ExperimentView
from tests.ui.conftest import SIZE, make_app, wait_for


class TwoLearningRates(ExperimentView):
    """A stand-in for an exercise view: the form's lr, then twice it."""

    VIEW_ID = "two-lrs"
    TITLE = "two learning rates"
    DESCRIPTION = "Train at lr and 2 lr"

    def __init__(self) -> None:
        super().__init__(id=self.VIEW_ID)
        self.calls: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield Label("two runs")

    def plan(self, config: RunConfig) -> RunsPlan:
        return RunsPlan.of(config, replace(config, lr=2 * config.lr))

    def run_started(self, event: RunStarted) -> None:
        self.calls.append(("started", event.index))

    def epochs_completed(self, event: EpochsCompleted) -> None:
        self.calls.append(("epochs", event.index))

    def run_finished(self, event: RunFinished) -> None:
        self.calls.append((event.status, event.index))


async def test_a_listed_view_is_selectable_and_trains_its_plan(
    monkeypatch: pytest.MonkeyPatch, tiny_config: RunConfig
) -> None:
    monkeypatch.setattr(app_module, "VIEWS", [*VIEWS, TwoLearningRates])
    monkeypatch.setattr(layout_module, "VIEWS", [*VIEWS, TwoLearningRates])
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        options = app.query_one("#experiment", Select)._options
        assert ("two learning rates", "two-lrs") in [(str(p), v) for p, v in options]
        for _ in VIEWS:  # F4 cycles: the stand-in comes after every listed view
            await app.run_action("next_view")
        await pilot.pause()
        assert app.query_one(ContentSwitcher).current == "two-lrs"
        assert app.query_one("#experiment", Select).value == "two-lrs"
        await app.run_action("run")
        await wait_for(pilot, lambda: not app.running)
        view = app.query_one(TwoLearningRates)
        started = [c for c in view.calls if c[0] == "started"]
        assert started == [("started", 0), ("started", 1)]
        assert view.calls[-1] == ("done", 1)
        assert "run 2 of 2" in str(app.status.query_one("#status-text").render())
