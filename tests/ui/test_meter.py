"""The stability meter under the lr field: the form's edges, following what is typed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace

from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.theory import theory
from linreg_tui.lab.predict import meter_lines
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.widgets.stability_meter import StabilityMeter
from tests.ui.conftest import SIZE, wait_for

BOOK = RunConfig()


def shown(meter: StabilityMeter) -> str:
    return str(meter.render())


async def test_the_meter_shows_the_edges_and_judges_a_new_lr_at_once() -> None:
    app = LinregApp(config=BOOK, warm_torch=True)  # headless: theories in a thread here
    async with app.run_test(size=SIZE) as pilot:
        meter = app.query_one(StabilityMeter)
        await wait_for(pilot, lambda: bool(meter.theories))
        edges, verdict = meter_lines(0.03, theory(BOOK))
        assert shown(meter) == f"{edges}\n{verdict}" and verdict == "lr 0.03: stable"
        asked = meter._requests
        app.query_one("#lr", Input).value = "1"
        await pilot.pause()
        assert shown(meter).endswith("lr 1: ×1.2/step past η_GD: expect divergence")
        assert meter._requests == asked  # the same data and batch: nothing new to compute


async def test_other_settings_ask_again_once_the_typing_pauses() -> None:
    app = LinregApp(config=BOOK, warm_torch=True)
    async with app.run_test(size=SIZE) as pilot:
        meter = app.query_one(StabilityMeter)
        await wait_for(pilot, lambda: bool(meter.theories))
        asked = meter._requests
        batch = app.query_one("#batch_size", Input)
        for text in ("1", "", "4"):  # typed quickly: one request, for the last value
            batch.value = text
            await pilot.pause()
        expected = theory(replace(BOOK, batch_size=4))
        await wait_for(pilot, lambda: meter.key is not None and meter.key.batch_size == 4)
        assert meter._requests == asked + 1
        assert shown(meter).startswith(meter_lines(0.03, expected)[0])
        await wait_for(pilot, lambda: app.theories is not None and app.theories[0].batch_size == 4)
        assert app.theories is not None and app.theories[1]["mse-sum"].batch == 4  # the views'


async def test_an_invalid_field_blanks_the_meter() -> None:
    app = LinregApp(config=BOOK, warm_torch=True)
    async with app.run_test(size=SIZE) as pilot:
        meter = app.query_one(StabilityMeter)
        await wait_for(pilot, lambda: bool(meter.theories))
        app.query_one("#noise", Input).value = "-1"
        await pilot.pause()
        assert shown(meter) == "edges: once every field is valid"


def test_theories_come_from_the_training_process_and_torch_stays_out_of_the_app() -> None:
    code = textwrap.dedent(
        """
        import asyncio, sys
        from linreg_tui.ui.app import LinregApp
        from linreg_tui.ui.widgets.stability_meter import StabilityMeter

        async def main() -> None:
            app = LinregApp(warm_torch=True, trainer="process")
            async with app.run_test(size=(80, 24)) as pilot:
                meter = app.query_one(StabilityMeter)
                for _ in range(600):
                    if meter.theories:
                        break
                    await pilot.pause(0.05)
                print(str(meter.render()).splitlines()[-1])
                print("torch" in sys.modules)

        asyncio.run(main())
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=90)
    assert out.stdout.splitlines()[-2:] == ["lr 0.03: stable", "False"], out.stderr[-2000:]


def test_without_torch_loaded_the_meter_waits_rather_than_load_it() -> None:
    code = textwrap.dedent(
        """
        import asyncio, sys
        from linreg_tui.ui.app import LinregApp
        from linreg_tui.ui.widgets.stability_meter import StabilityMeter

        async def main() -> None:
            app = LinregApp(warm_torch=False)  # thread mode, nothing run: no torch
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause(1.5)
                print(str(app.query_one(StabilityMeter).render()))
                print("torch" in sys.modules)

        asyncio.run(main())
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.splitlines()[-2:] == ["edges: once torch has loaded", "False"], out.stderr
