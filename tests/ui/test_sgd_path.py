"""The SGD path view (issue 14): the plane at 80x24, replay keys showing exactly the traced
steps, zoom, playback, suggestions, and conditioning in the form."""

from __future__ import annotations

import itertools
import math

import pytest
from textual.widgets import Button, Footer, Input, Select, Static

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.engine.plane import TraceRows, eig2
from linreg_tui.engine.trace import trace_sgd
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.views.registry import VIEWS
from linreg_tui.ui.views.sgd_path import SgdPathView
from linreg_tui.ui.widgets.help_screen import HelpScreen
from linreg_tui.ui.widgets.plane_canvas import PlaneCanvas
from tests.ui.conftest import SIZE, make_app, run_to_end, wait_for
from tests.ui.test_exercise_views import check_export

TINY = RunConfig(num_train=64, num_val=16, batch_size=16, epochs=3)  # 4 steps an epoch


def traced(cfg: RunConfig) -> list[tuple[int, tuple[float, ...], float, float]]:
    """(epoch, w, b, minibatch loss) of every step, from the engine in this process."""
    blocks: list[TraceRows] = list(trace_sgd(cfg))
    return [
        (e, w, b, loss)
        for block in blocks
        for e, w, b, loss in zip(block.epochs, block.w_hat, block.b_hat, block.batch_loss)
    ]


def same(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    """Equal, nan equal to nan (step 0 has no minibatch loss)."""
    return all(x == y or (x != x and y != y) for x, y in zip(a, b, strict=True))


async def traced_app(pilot: object, app: LinregApp) -> PlaneCanvas:
    """Show the view, trace the form's run, focus the plane (F3)."""
    app.show_view(SgdPathView.VIEW_ID)
    await pilot.pause()  # type: ignore[attr-defined]
    await run_to_end(pilot, app)  # type: ignore[arg-type]
    await app.run_action("focus_results")
    await pilot.pause()  # type: ignore[attr-defined]
    canvas = app.query_one(PlaneCanvas)
    assert app.focused is canvas
    return canvas


def readout(app: LinregApp) -> str:
    """The readout as it shows (markup rendered)."""
    return str(app.query_one("#path-info", Static).render())


async def test_the_view_is_listed_once_for_selector_palette_and_f4() -> None:
    assert [v.VIEW_ID for v in VIEWS].count("sgd-path") == 1
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "View: SGD path" in titles
        ids = [v.VIEW_ID for v in VIEWS]
        for _ in range(ids.index("sgd-path")):
            await app.run_action("next_view")
        await pilot.pause()
        assert app.query_one("#experiment", Select).value == "sgd-path"


async def test_dot_k_times_shows_the_kth_traced_step_exactly() -> None:
    steps = traced(TINY)
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        canvas = await traced_app(pilot, app)
        assert canvas.step == 12 and "step 12 of 12" in readout(app)  # the whole run
        assert canvas.plane is not None and canvas.plane.axes == ("w1", "w2")
        await pilot.press("home")
        assert canvas.step == 0 and same(canvas.point(), steps[0])
        for k in range(1, 7):
            await pilot.press("full_stop")
            assert canvas.step == k and same(canvas.point(), steps[k])
            assert f"step {k} of 12 · epoch {steps[k][0]} of 3" in readout(app)
            assert f"{steps[k][3]:.4g}" in readout(app)
        await pilot.press("comma", "comma")
        assert canvas.step == 4 and same(canvas.point(), steps[4])
        await pilot.press("greater_than_sign")
        assert canvas.step == 8  # the end of epoch 2
        await pilot.press("less_than_sign", "less_than_sign")
        assert canvas.step == 0
        await pilot.press("end")
        assert canvas.step == 12 and same(canvas.point(), steps[-1])
        w = ", ".join(f"{v:.6g}" for v in steps[-1][1])
        assert f"w ({w})" in readout(app)


async def test_the_plane_keeps_30x10_cells_at_80x24_and_keys_fit_the_footer() -> None:
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        canvas = await traced_app(pilot, app)
        assert canvas.content_size.width >= 30 and canvas.content_size.height >= 10
        # the replay keys come first in the footer, left of the palette hint with F1 Help;
        # all of them are on the plane's border while it has focus
        footer = app.query_one(Footer).children
        hint = max(key.region.x for key in footer)
        seen = " ".join(str(key.render()) for key in footer if key.region.right <= hint)
        assert all(word in seen for word in ("Play", "Step", "Zoom", "Help"))
        assert "keys ␣ . , > < z Z + -" in str(canvas.border_subtitle)
        lines = str(canvas.render()).splitlines()
        assert len(lines) == canvas.content_size.height
        assert any("●" in line for line in lines)  # the step on show
        assert sum(ch >= "\u2801" and ch <= "\u28ff" for line in lines for ch in line) > 50
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = {keys for where, keys, _ in app.screen.rows if where == "on the plane"}
        assert {"space", ".", ",", ">", "<", "home", "end", "z", "+, =", "-"} <= keys


async def test_space_plays_to_the_end_and_replays_from_the_start() -> None:
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        canvas = await traced_app(pilot, app)
        await pilot.press("space")  # at the end: from step 0
        assert canvas.playing and canvas.step < 12
        seen = set()

        def stopped() -> bool:
            seen.add(canvas.step)
            return not canvas.playing

        await wait_for(pilot, stopped, timeout=10)
        assert canvas.step == 12 and len(seen) > 3
        speed = canvas.speed
        await pilot.press("plus", "plus", "minus")
        assert canvas.speed == speed + 1
        await pilot.press("space", "space")
        assert not canvas.playing


async def test_z_zooms_toward_the_fit_down_to_1e_4_then_back_out() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        canvas = await traced_app(pilot, app)
        halves = canvas.halves()
        assert 1 < halves[0] < 5 and halves[-1] == 1e-4  # the whole path (~2-4), to 1e-4
        plane = canvas.plane
        assert plane is not None
        for i in range(1, len(halves)):
            await pilot.press("z")
            assert canvas.zoom == i
            frame = canvas.frame()
            assert frame is not None and frame.cell(plane.fit) is not None  # ★ on screen
            assert math.isclose(frame.half, halves[i])
        await pilot.press("z")
        assert canvas.zoom == 0 and "the whole path" in readout(app)
        await pilot.press("Z")
        assert canvas.zoom == len(halves) - 1 and "±1e-4 around ★" in readout(app)


async def test_suggestions_fill_the_form_run_and_the_ravine_zig_zags() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        app.show_view(SgdPathView.VIEW_ID)
        await pilot.pause()
        app.view.query_one("#suggest-2", Button).press()  # past the edge
        await pilot.pause()
        assert app.form.controls["lr"].value == "1" and app.run_id == 1  # type: ignore[union-attr]
        await wait_for(pilot, lambda: not app.running)
        assert app.status.text.startswith("diverged"), app.status.text  # not "done"
        app.view.query_one("#suggest-1", Button).press()  # the ravine
        await pilot.pause()
        assert app.form.controls["correlation"].value == "0.91"  # type: ignore[union-attr]
        assert app.form.controls["lr"].value == "0.45"  # type: ignore[union-attr]
        assert app.run_id == 2 and app.view.SUGGESTED == {"correlation": 0.91, "lr": 0.45}
        canvas = await traced_app(pilot, app)
        plane = canvas.plane
        assert plane is not None and 15 < plane.condition_number < 25
        # the steep direction's error flips sign step after step: a zig-zag
        (_, steep), _ = eig2(plane.form)
        signs = [
            math.copysign(1, (x - plane.fit[0]) * steep[0] + (y - plane.fit[1]) * steep[1])
            for x, y in canvas.gd.points[1:20]
        ]
        assert sum(a != b for a, b in itertools.pairwise(signs)) >= 15
        check_export(app.view.export_rows())


async def test_conditioning_fields_refuse_by_name_and_averaging_is_refused_here() -> None:
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        app.show_view(SgdPathView.VIEW_ID)
        await pilot.pause()
        scales = app.form.controls["scales"]
        assert isinstance(scales, Input)
        app.form.focus_field("scales")
        await pilot.pause()
        assert scales.region.width >= 10 and scales.region.bottom <= SIZE[1]  # fits 80x24
        app.form.controls["w"].value = "1, 2, 3"  # type: ignore[union-attr]
        scales.value = "1, 0.5"  # two scales for three weights: the form's w decides
        await pilot.pause()
        await app.run_action("run")
        await pilot.pause()
        assert not app.running and app.status.text.startswith("not run: scales must")
        assert app.focused is scales
        scales.value = "1, 0.5, 2"
        app.form.controls["average"].value = True  # type: ignore[union-attr]
        await pilot.pause()
        await app.run_action("run")
        await pilot.pause()
        assert not app.running and "average must be off" in app.status.text
        app.form.controls["average"].value = False  # type: ignore[union-attr]
        await run_to_end(pilot, app)
        canvas = app.query_one(PlaneCanvas)
        assert canvas.plane is not None and canvas.plane.profiled == "w3, b"
        await wait_for(pilot, lambda: "step 12 of 12" in readout(app))


def test_the_view_refuses_a_trace_too_long_to_hold_by_the_field_to_change() -> None:
    view = SgdPathView()
    assert view.plan(RunConfig(batch_size=1, epochs=100)).total_steps == 2 * 100_000
    too_long = {"epochs": RunConfig(batch_size=1, epochs=130), "steps": RunConfig(steps=10**6)}
    for field, cfg in too_long.items():
        with pytest.raises(ConfigError) as refused:
            view.plan(cfg)
        assert refused.value.field == field and "is too large: a trace of" in str(refused.value)
