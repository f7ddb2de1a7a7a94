"""A sweep view's own settings (lists of sizes, learning rates...), checked as you type.

The parsers are `lab.lists`', the command line's too (`sweep --lrs ...`), so the app and
the CLI refuse the same lists in the same words; a refusal names the field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Checkbox, Input, Label, Static

from linreg_tui.engine.config import ConfigError
from linreg_tui.ui.text import plain
from linreg_tui.ui.widgets.checkbox import LabCheckbox

Parser = Callable[[str], object]
"""Text of a field -> its value; raises ConfigError naming the field (`lab.lists`)."""


@dataclass(frozen=True)
class FieldSpec:
    """One setting: a text field with a parser, or a checkbox when `parse` is None."""

    name: str
    """The name errors use (ConfigError.field) and the key `SweepFields.read` returns."""
    label: str
    default: str | bool
    help: str
    parse: Parser | None = None
    width: int | None = None
    """Input width in cells; None fills the row."""


class _Check(Validator):
    def __init__(self, parse: Parser) -> None:
        super().__init__()
        self.parse = parse

    def validate(self, value: str) -> ValidationResult:
        try:
            self.parse(value)
        except ConfigError as error:
            return self.failure(str(error), value)
        return self.success()


class SweepFields(Vertical):
    """Rows of settings; `read()` parses them all or marks, focuses and raises the first
    bad one. Input ids are `<prefix>-<name>`, so they never clash with the form's."""

    DEFAULT_CSS = """
    SweepFields { height: auto; }
    SweepFields .sweep-row { height: 1; }
    SweepFields .sweep-name { width: auto; padding: 0 1 0 0; }
    SweepFields .sweep-row > Input { width: 1fr; }
    SweepFields .sweep-row > Checkbox { width: auto; margin-right: 1; }
    SweepFields .field-error { padding-left: 0; }
    """

    def __init__(
        self, prefix: str, rows: Sequence[Sequence[FieldSpec]], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.prefix = prefix
        self.rows = [list(row) for row in rows]
        self.specs = {spec.name: spec for row in self.rows for spec in row}
        self.controls: dict[str, Input | Checkbox] = {}

    def compose(self) -> ComposeResult:
        for row in self.rows:
            with Horizontal(classes="sweep-row"):
                for spec in row:
                    yield from self._control(spec)
            for spec in row:
                if spec.parse is not None:
                    yield Static("", classes="field-error", id=self.child_id(spec.name, "error"))

    def _control(self, spec: FieldSpec) -> ComposeResult:
        control: Input | Checkbox
        if spec.parse is None:
            control = LabCheckbox(spec.label, value=bool(spec.default), compact=True)
        else:
            yield Label(spec.label, classes="sweep-name")
            control = Input(str(spec.default), validators=[_Check(spec.parse)], compact=True)
            if spec.width is not None:
                control.styles.width = spec.width
        control.id = self.child_id(spec.name)
        control.tooltip = spec.help
        self.controls[spec.name] = control
        yield control

    def child_id(self, name: str, suffix: str = "") -> str:
        return f"{self.prefix}-{name}" + (f"-{suffix}" if suffix else "")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = next((n for n, c in self.controls.items() if c is event.input), None)
        if name is not None:
            result = event.validation_result
            ok = result is None or result.is_valid
            self.mark(name, None if ok else result.failure_descriptions[0])  # type: ignore[union-attr]

    def mark(self, name: str, message: str | None) -> None:
        """Show (or clear) a field's error under its row."""
        if self.specs[name].parse is None:
            return
        error = self.query_one(f"#{self.child_id(name, 'error')}", Static)
        error.update(plain(message or ""))  # it quotes what was typed: not markup
        error.set_class(message is not None, "-shown")
        self.controls[name].set_class(message is not None, "-invalid")

    def read(self) -> dict[str, object]:
        """Every value, parsed; the first bad field is marked, focused and raised."""
        values: dict[str, object] = {}
        for name, spec in self.specs.items():
            control = self.controls[name]
            if isinstance(control, Checkbox):
                values[name] = control.value
                continue
            assert spec.parse is not None
            try:
                values[name] = spec.parse(control.value)
            except ConfigError as error:
                self.mark(name, str(error))
                self.focus_field(name)
                raise
            self.mark(name, None)
        return values

    def reset(self) -> None:
        """Every setting back to its default."""
        for name, spec in self.specs.items():
            self.controls[name].value = spec.default  # type: ignore[assignment]

    def refuse(self, name: str, error: ConfigError) -> ConfigError:
        """Mark and focus `name` for an error found later (e.g. a size too large)."""
        self.mark(name, str(error))
        self.focus_field(name)
        return error

    def focus_field(self, name: str) -> None:
        """Focus a field and scroll it into view."""
        control = self.controls[name]
        control.focus()
        self.call_after_refresh(control.scroll_visible)
