"""The form: every RunConfig field, checked as you type, plus the experiment choice."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from linreg_tui.engine.config import (
    FIELD_HELP,
    FIELD_NAMES,
    INIT_HELP,
    INIT_NAMES,
    LOSS_HELP,
    LOSS_NAMES,
    RULES,
    ConfigError,
    RunConfig,
)
from linreg_tui.store.paths import MAX_SHOWN, clipped
from linreg_tui.ui.text import plain
from linreg_tui.ui.widgets.checkbox import LabCheckbox
from linreg_tui.ui.widgets.fields import (
    FieldValidator,
    check,
    field_kind,
    grouped_fields,
    parse,
    to_text,
)
from linreg_tui.ui.widgets.select import LabSelect
from linreg_tui.ui.widgets.stability_meter import StabilityMeter

INIT_NOTE = "NB: d2l's own code really trains from torch-default."


def choice_hint(name: str, value: object) -> str:
    """The help line under the loss or init select."""
    if name == "loss":
        return LOSS_HELP.get(value, "")  # type: ignore[call-overload]
    text = INIT_HELP.get(value, "")  # type: ignore[call-overload]
    return f"{text}. {INIT_NOTE}" if value == "book" else text


class ConfigPane(Vertical):
    """Experiment selector and one row per RunConfig field; scrolls when short."""

    def __init__(
        self,
        config: RunConfig,
        experiments: Sequence[tuple[str, str]],
        *,
        lazy: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.config = config
        self.experiments = list(experiments)
        """(title, view id) pairs for the experiment selector."""
        self.controls: dict[str, Input | Select[str] | Checkbox] = {}
        self.lazy = lazy
        """Compose the first section only; the app calls `mount_rest` after its first frame
        (the others are below the fold, and cost ~70 ms of start-up: bench_ui.py, [1])."""
        self.unmounted: dict[str, object] = {}
        """Values given to fields not mounted yet (`show`); they mount with them."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form", can_focus=False):
            yield Label("experiment", classes="section first")
            yield LabSelect(
                [(title, view_id) for title, view_id in self.experiments],
                value=self.experiments[0][1],
                allow_blank=False,
                compact=True,
                id="experiment",
            )
            groups = grouped_fields()
            for title, names in groups[:1] if self.lazy else groups:
                yield from self._section(title, names)
        yield Static("", id="field-help")

    def _section(self, title: str, names: Sequence[str]) -> ComposeResult:
        yield Label(title, classes="section")
        for name in names:
            yield from self._field(name)

    async def mount_rest(self) -> None:
        """Mount the sections behind the first, in order, if `lazy` left them out."""
        if not self.lazy or all(name in self.controls for name in FIELD_NAMES):
            return
        widgets = [w for title, names in grouped_fields()[1:] for w in self._section(title, names)]
        self.unmounted.clear()
        await self.query_one("#form").mount_all(widgets)

    def _field(self, name: str) -> ComposeResult:
        value: Any = self.unmounted.get(name, getattr(self.config, name))
        kind = field_kind(name)
        control: Input | Select[str] | Checkbox
        if kind == "choice":
            names = LOSS_NAMES if name == "loss" else INIT_NAMES
            options = [(n, n) for n in names]
            control = LabSelect(options, value=value, allow_blank=False, compact=True)
        elif kind == "bool":
            control = LabCheckbox("", value=value, compact=True)
        else:
            control = Input(  # text, not "number": "1x" is shown and refused, not cut to "1"
                to_text(name, value),
                validators=[FieldValidator(name, self.readable_values)],
                compact=True,
            )
        control.id = name
        control.tooltip = f"{FIELD_HELP.get(name, '')}; {RULES.get(name, '')}".strip("; ")
        self.controls[name] = control
        label = Label(name, classes="field-name")
        yield Horizontal(label, control, classes="field-row", id=f"row-{name}")
        if kind == "choice":
            yield Static(choice_hint(name, value), classes="hint", id=f"hint-{name}")
        yield Static("", classes="field-error", id=f"error-{name}")
        if name == "lr":
            yield StabilityMeter(id="stability-meter")

    def on_mount(self) -> None:
        self.border_title = "configuration"
        self.meter = self.query_one(StabilityMeter)
        self.call_after_refresh(self._follow)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _follow(self) -> None:
        """The stability meter follows the form (None while a field is invalid)."""
        try:
            config: RunConfig | None = RunConfig(**self.values())  # type: ignore[arg-type]
        except ConfigError:
            config = None
        self.meter.follow(config)

    # -- instant feedback ---------------------------------------------------------------

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        result = event.validation_result
        if result is None or result.is_valid:
            self._mark(name, None)
        else:
            self._mark(name, result.failure_descriptions[0])
        for other, control in self.controls.items():  # a mark that depended on this field
            if other != name and isinstance(control, Input) and not control.is_valid:
                control.validate(control.value)
                error = check(other, control.value, self.readable_values())
                self._mark(other, None if error is None else str(error))

    def readable_values(self) -> dict[str, object]:
        """The fields' values that parse (a half-typed one is left out)."""
        values: dict[str, object] = {}
        for name in FIELD_NAMES:
            control = self.controls.get(name)
            if control is None:
                values[name] = self.unmounted.get(name, getattr(self.config, name))
                continue
            with contextlib.suppress(ConfigError):
                values[name] = (
                    parse(name, control.value) if isinstance(control, Input) else control.value
                )
        return values

    @on(Select.Changed)
    def _choice_changed(self, event: Select.Changed) -> None:
        name = event.select.id or ""
        if name in ("loss", "init"):
            self.query_one(f"#hint-{name}", Static).update(choice_hint(name, event.value))

    def on_descendant_focus(self, event: object) -> None:
        focused = self.screen.focused
        name = focused.id if focused is not None else None
        if name in self.controls:
            self.query_one("#field-help", Static).update(
                f"[b]{name}[/b]: {FIELD_HELP.get(name, '')}; {RULES.get(name, '')}".rstrip("; ")
            )
        elif name == "experiment":
            self.query_one("#field-help", Static).update("[b]experiment[/b]: what ctrl+r runs")

    def _mark(self, name: str, message: str | None) -> None:
        if name not in self.controls:
            return
        self.query_one(f"#row-{name}").set_class(message is not None, "-invalid")
        error = self.query_one(f"#error-{name}", Static)
        # A message quotes what was typed already cut (`shown`); this only guards the screen.
        error.update(plain(clipped(message or "", limit=3 * MAX_SHOWN)))  # text, not markup
        error.set_class(message is not None, "-shown")

    # -- reading the form ---------------------------------------------------------------

    def values(self) -> dict[str, object]:
        """Every field parsed from its control; ConfigError names the first bad one."""
        values: dict[str, object] = {
            name: self.unmounted.get(name, getattr(self.config, name))
            for name in FIELD_NAMES
            if name not in self.controls  # lazy: not mounted yet
        }
        for name, control in self.controls.items():
            if isinstance(control, Input):
                values[name] = parse(name, control.value)
            else:
                values[name] = control.value
        return values

    def read_config(self) -> RunConfig | ConfigError:
        """The form as a RunConfig, or the error, with its field marked and focused.

        Nothing typed is changed either way.
        """
        for name, control in self.controls.items():  # mark every bad field, not just one
            if isinstance(control, Input):
                control.validate(control.value)
                error = check(name, control.value, self.readable_values())
                self._mark(name, None if error is None else str(error))
        try:
            config = RunConfig(**self.values())  # type: ignore[arg-type]
        except ConfigError as error:
            self.refuse(error)
            return error
        for name in self.controls:
            self._mark(name, None)
        self.config = config
        return config

    def refuse(self, error: ConfigError) -> None:
        """Mark and focus the field an error names (found by the form or later, e.g. a job
        too long for its view); an error naming no field of the form changes nothing."""
        if error.field in self.controls:
            self._mark(error.field, str(error))
            self.focus_field(error.field)

    def load(self, config: RunConfig) -> None:
        """Show `config` in every field, as if typed (the marks follow the new text)."""
        self.show({name: getattr(config, name) for name in FIELD_NAMES})
        self.config = config

    def show(self, values: dict[str, object]) -> None:
        """Write values into the fields; validation marks follow as for typing."""
        for name, value in values.items():
            control = self.controls.get(name)
            if isinstance(control, Input):
                control.value = to_text(name, value)
            elif control is not None:
                control.value = value  # type: ignore[assignment]
            else:
                self.unmounted[name] = value

    def focus_field(self, name: str | None = None) -> None:
        """Focus a field (the first one if None) and scroll it into view."""
        control: Widget = self.controls.get(name or "", next(iter(self.controls.values())))
        control.focus()
        self.call_after_refresh(control.scroll_visible)
