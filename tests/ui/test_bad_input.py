"""Every field, every kind of bad text: a message naming the field and its rule, no run,
the field focused, nothing typed changed (d2l lab issue 6)."""

from __future__ import annotations

from dataclasses import replace

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, ProgressBar, Select, Static

from linreg_tui.cli.sweep import SWEEP_RULES
from linreg_tui.engine.config import FIELD_NAMES, RULES, RunConfig
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.widgets.fields import field_kind
from linreg_tui.ui.widgets.sweep_fields import SweepFields
from tests.ui.conftest import SIZE, make_app, run_to_end, wait_for

TINY = RunConfig(num_train=64, num_val=32, epochs=2)
GENERIC = ["", "   ", "abc", "-1", "0", "nan", "inf", "-inf", "1e309"]
"""Empty, spaces, text, negative, zero, not-a-number, infinities, a float overflow."""
VALID = {"w": {"-1", "0"}, "b": {"-1", "0"}, "noise": {"0"}, "seed": {"0"}, "steps": {"0"},
         "outliers": {"0"}, "outlier_scale": {"0"}, "correlation": {"0"}}  # fmt: skip
"""Generic texts that are fine for a field (zero noise, a negative bias...)."""
SPECIFIC = {
    "w": [
        "2;-3.4",
        "2 -3.4",
        "2,,-3.4",
        "2,",
        ",2",
        "2, nan",
        "1e309, 1",
        "[2, -3.4]",
        "[/b]",
        "[@click=app.quit]x[/]",
        "\x1b[2J",
    ],  # markup and escapes are only text
    "batch_size": ["2.5"],
    "epochs": ["2.5"],
    "num_train": ["1.5"],
    "delta": ["-0.5", "-1e-300"],
    "seed": ["2.5", "1e20", str(2**63)],
    "outliers": ["1.5", "1.0001"],
    "scales": ["1,,2", "1, 0", "1, -0.5"],
    "correlation": ["1", "1.5"],
}
"""Per-field cases: a wrong separator or an empty element in w, delta <= 0..."""
TEXT_FIELDS = [n for n in FIELD_NAMES if field_kind(n) not in ("choice", "bool")]


def bad_texts(name: str) -> list[str]:
    return [t for t in GENERIC if t not in VALID.get(name, set())] + SPECIFIC.get(name, [])


def everything_typed(app: LinregApp) -> dict[str, object]:
    """Every control's value: the form's and the views' own fields."""
    controls = {f"form.{n}": c for n, c in app.form.controls.items()}
    controls["form.experiment"] = app.form.query_one("#experiment", Select)
    for fields in app.query(SweepFields):
        controls.update({f"{fields.prefix}.{n}": c for n, c in fields.controls.items()})
    return {name: c.value for name, c in controls.items()}


def shown(widget: Static) -> str:
    return str(widget.render())


async def refused(
    pilot: Pilot[None], app: LinregApp, control: Input, rule: str, move_focus: bool = True
) -> str:
    """Run with a bad field; check the refusal and return the status message.

    With `move_focus`, focus is elsewhere first (a focus change restyles the whole app,
    ~60 ms: later cases of a field check only that it keeps the focus)."""
    if move_focus:
        app.form.controls["lr" if control.id != "lr" else "epochs"].focus()
        await pilot.pause(0.01)
    before = everything_typed(app)
    await app.run_action("run")
    await pilot.pause(0.01)
    message = app.status.text
    assert not app.running and app.run_id == 0, message
    assert rule in message, (control.value, message)
    try:  # focus moves after a refresh (under load, more than one pause later)
        await wait_for(pilot, lambda: app.focused is control, 5)
    except AssertionError:
        raise AssertionError((control.value, app.focused)) from None
    assert everything_typed(app) == before  # this field's text and every other one
    assert app.is_running
    return message


async def test_every_bad_text_in_every_form_field() -> None:
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        for name in TEXT_FIELDS:
            field = app.form.controls[name]
            assert isinstance(field, Input)
            good = field.value
            for i, text in enumerate(bad_texts(name)):
                field.value = text
                message = await refused(pilot, app, field, RULES[name], move_focus=i == 0)
                assert message.startswith(f"not run: {name} ")
                error = shown(app.query_one(f"#error-{name}", Static))
                assert error.startswith(f"{name} ") and RULES[name] in error
                assert app.query_one(f"#row-{name}").has_class("-invalid")
            field.value = good
        await run_to_end(pilot, app)  # the lab still runs, the marks go
        assert app.status.text.startswith("done")
        assert not app.query(".field-row.-invalid")


LIST_CASES = [
    "",
    "   ",
    "abc",
    "-1",
    "0",
    "nan",
    "inf",
    "1e309",
    "1,,2",
    "1;2",
    "2,",
    "[/b]",
    "5,5",
]
VIEW_FIELDS = [
    ("lr-grid", "grid", "lrs", SWEEP_RULES["lrs"], LIST_CASES),
    ("lr-grid", "grid", "epochs_list", SWEEP_RULES["epochs_list"], [*LIST_CASES, "2.5"]),
    ("sizes", "sizes", "sizes", SWEEP_RULES["sizes"], [*LIST_CASES, "2.5"]),
    ("sizes", "sizes", "seeds", SWEEP_RULES["seeds"], [*GENERIC, "2.5", "1001", "5,5"]),
    ("sizes", "sizes", "b", RULES["b"], ["", "abc", "nan", "inf", "-inf", "1e309", "[/b]"]),
    ("sizes", "sizes", "steps", "must be a whole number of at least 1",
     [*GENERIC, "2.5", "1,2"]),
]  # fmt: skip
"""The exercise views' own fields: (view, id prefix, name, rule, bad texts)."""


async def test_every_bad_text_in_the_exercise_views_fields() -> None:
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        for view, prefix, name, rule, texts in VIEW_FIELDS:
            app.show_view(view)
            await pilot.pause(0.01)
            field = app.query_one(f"#{prefix}-{name}", Input)
            good = field.value
            for i, text in enumerate(texts):
                field.value = text
                message = await refused(pilot, app, field, rule, move_focus=i == 0)
                assert message.startswith(f"not run: {name} "), message
                assert rule in shown(app.query_one(f"#{prefix}-{name}-error", Static))
            field.value = good
        assert not app.query(".field-row.-invalid")  # the form's look-alikes (b, steps) too


async def test_a_batch_larger_than_the_training_set_is_one_batch() -> None:
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        app.form.controls["batch_size"].value = "1000"  # num_train is 64
        await run_to_end(pilot, app)
        assert app.status.text.startswith("done")
        records = app.view.query_one("LossChart").records  # type: ignore[attr-defined]
        assert [r.steps for r in records] == [0, 1, 2]  # one SGD step per epoch


async def test_seeds_past_the_largest_seed_are_refused_by_name() -> None:
    """A sweep trains seeds seed, seed + 1...: the last one must be a valid seed too."""
    app = make_app(replace(TINY, seed=2**63 - 3))
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("sizes")
        await pilot.pause()
        await refused(pilot, app, app.query_one("#sizes-seeds", Input), "seeds 5: seed must be")
        app.show_view("mean-vs-sum")  # 20 seeds of the summed loss
        await pilot.pause()
        await refused(pilot, app, app.form.controls["seed"], "seed must be")  # type: ignore[arg-type]


async def test_a_checkbox_and_the_selects_cannot_hold_a_bad_value() -> None:
    """What is left: choices come from the engine's registries, a checkbox is a bool."""
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        for name in ("loss", "init"):
            select = app.form.controls[name]
            assert isinstance(select, Select) and not select._allow_blank
        assert isinstance(app.form.controls["average"], Checkbox)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not app.running)
        assert app.status.text.startswith("done")


async def test_a_refusal_gets_the_whole_status_line_and_a_run_brings_the_bar_back() -> None:
    app = make_app(RunConfig(num_train=50, num_val=50, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#batch_size", Input).value = ""
        await app.run_action("run")
        label = app.status.query_one("#status-text")
        bar = app.status.query_one(ProgressBar)
        assert not bar.display
        await pilot.pause()
        assert label.size.width >= SIZE[0] - 2  # the rule is not cut off at 80 columns
        assert len(app.status.text) <= label.size.width
        app.query_one("#batch_size", Input).value = "32"
        await run_to_end(pilot, app)
        assert bar.display and bar.percentage == 1.0
