"""The form: instant validation, refusal by field name, every control reachable by tab."""

from __future__ import annotations

from textual.widgets import Input, Static

from linreg_tui.engine.config import FIELD_NAMES, RULES, RunConfig
from linreg_tui.ui.widgets.config_pane import ConfigPane
from linreg_tui.ui.widgets.fields import grouped_fields
from linreg_tui.ui.widgets.results_table import ResultsTable
from tests.ui.conftest import SIZE, make_app


def error_text(app: object, name: str) -> str:
    """The message under a field."""
    return str(app.query_one(f"#error-{name}", Static).render())  # type: ignore[attr-defined]


async def test_form_has_every_config_field(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE):
        pane = app.query_one(ConfigPane)
        assert set(pane.controls) == set(FIELD_NAMES)
        assert pane.read_config() == tiny_config


async def test_typing_a_bad_value_marks_the_field_at_once(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        lr = app.query_one("#lr", Input)
        assert app.focused is lr
        await pilot.press("home", "-")  # "-0.03"
        assert lr.value == "-0.03"
        assert RULES["lr"] in error_text(app, "lr")
        assert app.query_one("#row-lr").has_class("-invalid")
        await pilot.press("backspace")
        assert lr.value == "0.03"
        assert error_text(app, "lr") == ""


async def test_a_letter_typed_into_a_number_is_shown_and_refused(tiny_config: RunConfig) -> None:
    """It was dropped silently: "1x" read as "1" (issue 12, point 12)."""
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#epochs", Input).focus()
        await pilot.press("end", "x")
        assert app.query_one("#epochs", Input).value == f"{tiny_config.epochs}x"
        assert RULES["epochs"] in error_text(app, "epochs")


async def test_bad_input_refuses_the_run_focuses_the_field_and_keeps_the_text(
    tiny_config: RunConfig,
) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#seed", Input).value = "7"
        app.query_one("#batch_size", Input).value = "0"
        app.query_one("#lr").focus()
        await app.run_action("run")
        await pilot.pause()
        assert not app.running and not app.workers
        assert app.focused is app.query_one("#batch_size", Input)
        assert f"batch_size {RULES['batch_size']}" in error_text(app, "batch_size")
        assert "batch_size" in str(app.status.query_one("#status-text").render())
        assert app.query_one("#batch_size", Input).value == "0"
        assert app.query_one("#seed", Input).value == "7"
        assert app.query_one(ResultsTable).row_count == 0


async def test_a_rule_across_fields_names_the_field_to_change(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#epochs", Input).value = "100000000"
        await app.run_action("run")
        await pilot.pause()
        assert not app.running
        assert app.focused is app.query_one("#epochs", Input)
        assert "epochs is too large" in error_text(app, "epochs")


async def test_init_hint_says_the_books_code_trains_from_torch_default(
    tiny_config: RunConfig,
) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE):
        hint = str(app.query_one("#hint-init", Static).render())
        assert "torch-default" in hint and "d2l" in hint


async def test_every_control_is_reachable_by_tab_at_80x24(tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        focusable = {id(w) for w in app.screen.focus_chain}
        names = {w.id for w in app.screen.focus_chain}
        assert set(FIELD_NAMES) | {"experiment", "results"} <= names
        seen = set()
        for _ in range(len(focusable) + 1):
            seen.add(id(app.focused))
            await pilot.press("tab")
        assert seen == focusable
        # the form scrolls: its last field is out of sight at 24 rows until focused
        form, average = app.query_one("#form"), app.query_one("#average")
        app.query_one("#lr").focus()
        await pilot.pause()
        assert not form.content_region.contains_region(average.region)
        average.focus()
        await pilot.pause(0.3)
        assert form.scroll_y > 0
        assert form.content_region.contains_region(average.region)


async def test_a_lazy_form_reads_and_shows_every_field_before_and_after_its_rest_mounts() -> None:
    """In a real terminal the sections below the first mount after the first frame; the
    form's values, and values loaded into it meanwhile, must not depend on when."""
    from textual.app import App, ComposeResult

    config = RunConfig(num_train=123, seed=7, lr=0.05)

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield ConfigPane(config, [("single run", "single-run")], lazy=True)

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(ConfigPane)
        assert "lr" in pane.controls and "num_train" not in pane.controls
        assert pane.read_config() == config
        pane.show({"num_train": 321, "lr": 0.5})  # e.g. a config file loaded this early
        await pilot.pause()
        assert pane.read_config() == RunConfig(num_train=321, seed=7, lr=0.5)
        await pane.mount_rest()
        assert list(pane.controls) == [n for _, names in grouped_fields() for n in names]
        assert app.query_one("#num_train", Input).value == "321"
        assert pane.read_config() == RunConfig(num_train=321, seed=7, lr=0.5)
        await pane.mount_rest()  # a second call changes nothing
        assert len(app.query(".field-row")) == len(FIELD_NAMES)
