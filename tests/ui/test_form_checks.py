"""The form checks each field with the others as they are typed, not with their defaults
(issue 16, group 8): epochs 200,000 is fine with batch_size 1,000 (200,000 steps), too
long with the default batch of 32 (6.4M steps)."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.app import LinregApp
from tests.ui.conftest import SIZE, make_app


def marked(app: LinregApp, name: str) -> bool:
    return app.form.query_one(f"#row-{name}").has_class("-invalid")


async def type_into(pilot: Pilot[None], app: LinregApp, name: str, text: str) -> None:
    control = app.form.controls[name]
    assert isinstance(control, Input)
    control.focus()
    control.value = ""
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


async def test_a_field_is_checked_with_the_others_as_typed() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, app, "batch_size", "1000")
        await type_into(pilot, app, "epochs", "200000")
        assert not marked(app, "epochs"), app.form.query_one("#error-epochs").render()
        await type_into(pilot, app, "batch_size", "32")  # now it is too long: marked
        assert marked(app, "epochs")
        await type_into(pilot, app, "batch_size", "1000")  # and cleared again
        assert not marked(app, "epochs")
        app.form.controls["epochs"].value = "3"  # type: ignore[union-attr]
        await pilot.pause()


async def test_a_huge_typed_value_is_echoed_cut() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        control = app.form.controls["w"]
        assert isinstance(control, Input)
        control.focus()
        await pilot.pause()
        control.value = "2, " + "x" * 499  # pasted, say: 500 key presses take a minute
        control.cursor_position = len(control.value)
        await pilot.press("x")  # the last one typed
        await pilot.pause()
        assert marked(app, "w")
        error = str(app.form.query_one("#error-w").render())
        assert "characters)" in error and len(error) < 400, error
