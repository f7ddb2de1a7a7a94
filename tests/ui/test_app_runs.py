"""Runs from the keyboard: plotted, tabulated, cancelled, diverged, quit mid-way."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import pytest
from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.events import EpochsCompleted
from linreg_tui.ui import jobs as jobs_module
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.jobs import JobEvent
from linreg_tui.ui.widgets.loss_chart import LossChart
from linreg_tui.ui.widgets.params_pane import ParamsPane
from linreg_tui.ui.widgets.results_table import COLUMNS, ResultsTable
from tests.ui.conftest import SIZE, make_app, run_to_end, wait_for


def row(table: ResultsTable, index: int) -> dict[str, str]:
    """Texts of a table row by column label."""
    return {label: cell.text for label, cell in zip(COLUMNS, table.get_row_at(index), strict=True)}


async def test_run_plots_every_epoch_from_zero_and_adds_a_row(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        chart = app.query_one(LossChart)
        assert [r.epoch for r in chart.records] == [0, 1, 2, 3]
        table = app.query_one(ResultsTable)
        assert table.row_count == 1
        cells = row(table, 0)
        assert cells["status"] == "done" and cells["loss"] == "mse-mean"
        assert cells["epochs"] == "3" and cells["lr"] == "0.03"
        assert app.query_one(ParamsPane).record == chart.records[-1]
        assert "done" in str(app.status.query_one("#status-text").render())


async def test_ctrl_r_runs_while_a_field_has_focus(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not app.running)
        assert app.query_one(ResultsTable).row_count == 1


async def test_cancel_stops_between_steps_and_drops_stale_messages(
    long_config: RunConfig, tiny_config: RunConfig
) -> None:
    app = make_app(long_config)
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("run")
        # steps are counted inside the one long epoch, before any epoch ends
        await wait_for(pilot, lambda: app.job is not None and app.job.steps > 100)
        stale_id = app.run_id
        stale_record = app.query_one(LossChart).records[0]
        started = time.monotonic()
        await app.run_action("cancel")
        await wait_for(pilot, lambda: not app.running, timeout=5)
        assert time.monotonic() - started < 1.0
        table = app.query_one(ResultsTable)
        assert row(table, 0)["status"] == "cancelled"
        assert [r.epoch for r in app.query_one(LossChart).records] == [0]  # no epoch 1

        for name in ("num_train", "batch_size", "epochs"):
            app.query_one(f"#{name}", Input).value = str(getattr(tiny_config, name))
        await app.run_action("run")
        app.post_message(JobEvent(EpochsCompleted(stale_id, 0, (replace(stale_record, epoch=99),))))
        await wait_for(pilot, lambda: not app.running)
        assert [r.epoch for r in app.query_one(LossChart).records] == [0, 1, 2, 3]
        assert row(table, 1)["status"] == "done"


async def test_diverging_run_gets_a_diverged_row_and_a_live_chart(
    tiny_config: RunConfig,
) -> None:
    config = replace(tiny_config, lr=3.0, batch_size=10)
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        assert row(app.query_one(ResultsTable), 0)["status"] == "diverged"
        chart = app.query_one(LossChart)
        assert chart.records[-1].diverged
        assert f"diverged at epoch {chart.records[-1].epoch}" in str(chart.border_title)
        for log_y in (False, True):
            chart.log_y = log_y
            await pilot.pause()
            assert "epoch" in str(chart.render())  # plotext built without raising
        assert app.is_running


async def test_log_y_toggle_then_resize_keeps_the_chart_alive(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        chart = app.query_one(LossChart)
        assert chart.log_y  # the default: SGD's MSE falls by decades
        for log_y in (False, True):
            await pilot.press("ctrl+l")
            assert chart.log_y is log_y
            for size in ((100, 30), (200, 60), (60, 20), SIZE):
                await pilot.resize_terminal(*size)
                await pilot.pause()
                drawn = str(chart.render())
                assert "epoch" in drawn
                assert bool(re.search(r"\de-?\d", drawn)) is log_y  # ticks like 1e-3, 4e1
        assert app.is_running


async def test_quit_mid_run_exits_promptly_and_ends_the_thread(
    long_config: RunConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended = threading.Event()
    monkeypatch.setattr(jobs_module, "run_job", _wrap(jobs_module.run_job, ended))
    app = make_app(replace(long_config, epochs=20))
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("run")
        await wait_for(pilot, lambda: app.job is not None and app.job.steps > 100)
        started = time.monotonic()
        await app.run_action("quit")
    assert ended.wait(1.0), "the training thread kept running after quit"
    assert time.monotonic() - started < 1.5


def _wrap(function: Callable[..., None], ended: threading.Event) -> Callable[..., None]:
    """`function`, setting `ended` when it returns or raises (in the worker thread)."""

    def wrapped(*args: object) -> None:
        try:
            function(*args)
        finally:
            ended.set()

    return wrapped


async def test_run_after_the_torch_warm_up(tiny_config: RunConfig) -> None:
    """The warm-up imports the engine's train module first; runs must still work."""
    app = LinregApp(config=tiny_config)  # warm_torch=True, as `linreg-tui` starts
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.torch_ready)
        await run_to_end(pilot, app)
        assert row(app.query_one(ResultsTable), 0)["status"] == "done"
