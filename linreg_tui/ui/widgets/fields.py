"""Form fields of RunConfig: what kind each is, how its text parses, how it validates.

Rules are never restated here: a value is checked by building a RunConfig with it, so the
form and the command line refuse exactly what the engine refuses, in the same words.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Final, Literal

from textual.validation import ValidationResult, Validator

from linreg_tui.engine.config import FIELD_NAMES, RULES, ConfigError, RunConfig
from linreg_tui.lab.lists import parse_list
from linreg_tui.store.paths import shown

FieldKind = Literal["floats", "float", "int", "bool", "choice"]

GROUPS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("training", ("lr", "batch_size", "epochs", "loss", "delta", "init", "steps", "average")),
    ("data", ("w", "b", "noise", "scales", "correlation", "num_train", "num_val", "outliers",
              "outlier_scale", "seed")),
)  # fmt: skip
"""Form sections, most-tuned first; a field the engine adds later lands in 'more'."""


def grouped_fields() -> list[tuple[str, list[str]]]:
    """GROUPS restricted to real fields, plus any field GROUPS does not list."""
    listed = {name for _, names in GROUPS for name in names}
    groups = [(title, [n for n in names if n in FIELD_NAMES]) for title, names in GROUPS]
    extra = [n for n in FIELD_NAMES if n not in listed]
    return groups + ([("more", extra)] if extra else [])


def field_kind(name: str) -> FieldKind:
    """The widget a field needs, read from the type of its default value."""
    if name in ("loss", "init"):
        return "choice"
    default = getattr(RunConfig(), name)
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, tuple):
        return "floats"
    return "int" if isinstance(default, int) else "float"


def to_text(name: str, value: object) -> str:
    """A field's value as the form shows it (weights as '2, -3.4')."""
    if isinstance(value, tuple):
        return ", ".join(_number(v) for v in value)
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def parse(name: str, text: str) -> object:
    """Text of an Input field to the Python value RunConfig expects; ConfigError if not."""
    kind = field_kind(name)
    text = text.strip()
    if kind == "floats":  # the command line's rule: commas, no empty element ("2,,3")
        return tuple(parse_list(name, text))
    try:
        if kind == "int":
            try:
                return int(text)
            except ValueError:
                return float(text)  # "1e3" is whole; RunConfig refuses 2.5 by name
        return float(text)
    except ValueError:
        problem = RULES.get(name, "is not valid")
        raise ConfigError(name, f"{problem} (got {shown(text)})" if text else problem) from None


def check(name: str, text: str, others: Mapping[str, object] | None = None) -> ConfigError | None:
    """The error of one field's text with the `others` fields' values (those that make a
    valid configuration; the defaults if they don't), or None. Against the defaults alone,
    epochs 200,000 was marked too long even with batch_size 1,000 (issue 16)."""
    base = RunConfig()
    if others:
        with contextlib.suppress(ConfigError):
            base = RunConfig.from_mapping({k: v for k, v in others.items() if k != name})
    try:
        value = parse(name, text)
        if name == "scales" and isinstance(value, tuple) and len(value) != base.features:
            base = replace(base, w=(1.0,) * len(value))  # as many weights as scales
        replace(base, **{name: value})  # type: ignore[arg-type]
    except ConfigError as error:
        return error if error.field == name else None
    return None


class FieldValidator(Validator):
    """Input validator for one RunConfig field, as strict as RunConfig itself."""

    def __init__(self, name: str, others: Callable[[], Mapping[str, object]] | None = None) -> None:
        super().__init__()
        self.field = name
        self.others = others
        """The form's other values now (parsed, the unreadable ones left out)."""

    def validate(self, value: str) -> ValidationResult:
        error = check(self.field, value, self.others() if self.others else None)
        return self.success() if error is None else self.failure(str(error), value)
