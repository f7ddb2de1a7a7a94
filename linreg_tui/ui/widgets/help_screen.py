"""F1: every key of the lab, read from the bindings themselves so the list stays true."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from linreg_tui.lab.limits import LIMITS

INTRO = (
    "linreg-tui trains y = Xw + b + noise with minibatch SGD (d2l 3.5) and plots the "
    "MSE live. Edit the form on the left, press ctrl+r (or enter in a field) to run."
)

EXTRA_KEYS: tuple[tuple[str, str, str], ...] = (
    ("everywhere", "tab / shift+tab", "Move between the form's fields, a chart and the results"),
    ("everywhere", "ctrl+p", "Command palette: every action by name"),
    ("in a field", "enter", "Run with the form's settings"),
    ("in a select", "enter / up / down", "Open the list, choose, close"),
    ("in the table", "arrows", "Move the cursor to a row or column"),
    ("in a view", "tab, enter", "On 'suggested': fill the form with settings for the lesson"),
    ("in a view", "tab", "To 'what to see': read the explanation (it takes the chart's rows)"),
    ("in a dialog", "enter / esc", "Save or load the file named (an error keeps it open) / close"),
)


def binding_rows(
    where: str, bindings: Iterable[BindingType], display: dict[str, str]
) -> list[tuple[str, str, str]]:
    """(where, keys, description) for every named binding."""
    rows = []
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description:
            keys = ", ".join(display.get(k, k) for k in binding.key.split(","))
            rows.append((where, keys, binding.tooltip or binding.description))
    return rows


class HelpScreen(ModalScreen[None]):
    """A scrollable list of keys; F1 or escape closes it."""

    DEFAULT_CSS = "HelpScreen #help-limits { margin-top: 1; color: $text-muted; }"

    AUTO_FOCUS = "#help-body"  # down and pagedown scroll at once (no tab first)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "app.pop_screen", "Close help"),
    ]

    def __init__(self, rows: Iterable[tuple[str, str, str]]) -> None:
        super().__init__()
        where = ["everywhere", "in a field", "in a select", "in the table", "on the chart",
                 "on the plane", "in the history"]  # fmt: skip
        self.rows = sorted(
            [*rows, *EXTRA_KEYS], key=lambda row: where.index(row[0]) if row[0] in where else 9
        )

    @classmethod
    def for_bindings(
        cls,
        app_bindings: Iterable[BindingType],
        table_bindings: Iterable[BindingType],
        history_bindings: Iterable[BindingType] = (),
        plane_bindings: Iterable[BindingType] = (),
        chart_bindings: Iterable[BindingType] = (),
    ) -> HelpScreen:
        """The help for the app's own keys, the results tables', the history list's, the
        parameter plane's and the single run view's (its chart's zoom)."""
        display = {"escape": "esc", "space": "space", "delete": "del", "full_stop": ".",
                   "comma": ",", "greater_than_sign": ">", "less_than_sign": "<", "plus": "+",
                   "equals_sign": "=", "minus": "-"}  # fmt: skip
        rows = binding_rows("everywhere", app_bindings, display)
        rows += binding_rows("in the table", table_bindings, display)
        rows += binding_rows("on the plane", plane_bindings, display)
        rows += binding_rows("on the chart", chart_bindings, display)
        return cls(rows + binding_rows("in the history", history_bindings, display))

    def compose(self) -> ComposeResult:
        self.table = table = Table(box=None, expand=True, padding=(0, 1))
        table.add_column("where", style="dim", no_wrap=True)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        shown = None
        for where, keys, description in self.rows:  # each place named once, above its keys
            if where != shown and shown is not None:
                table.add_section()
            table.add_row(where if where != shown else "", keys, description)
            shown = where
        with VerticalScroll(id="help-body") as body:
            body.border_title = "keys"
            body.border_subtitle = "escape closes"
            yield Static(INTRO, id="help-intro")
            yield Static(table, id="help-keys")
            yield Static(Text(f"Limits. {LIMITS}"), id="help-limits")
