"""The history view's filter row: loss, lr and size, checked as you type."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label, Select

from linreg_tui.ui.history_parts import LOSS_CHOICES, Filters, parse_lr, parse_size
from linreg_tui.ui.widgets.select import LabSelect


class HistoryFilters(Horizontal):
    """Loss, lr and size filters; posts `Changed` when the filters they make change. A
    field that does not hold a number yet is marked and keeps its last filter."""

    @dataclass
    class Changed(Message):
        filters: Filters

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.filters = Filters()

    def compose(self) -> ComposeResult:
        yield LabSelect(LOSS_CHOICES, value="", allow_blank=False, compact=True, id="history-loss")
        yield Label("lr", classes="filter-name")
        yield Input(placeholder="any", compact=True, id="history-lr")
        yield Label("n", classes="filter-name")
        yield Input(placeholder="any", compact=True, id="history-size")

    def on_mount(self) -> None:
        self.query_one("#history-lr", Input).tooltip = "only runs with this lr (blank: any)"
        self.query_one("#history-size", Input).tooltip = "only runs with num_train n"

    @on(Select.Changed, "#history-loss")
    @on(Input.Changed, "#history-lr, #history-size")
    def _changed(self, event: Select.Changed | Input.Changed) -> None:
        event.stop()
        loss = self.query_one("#history-loss", Select).value
        filters = Filters(loss=loss if isinstance(loss, str) and loss else None)
        for name, parse in (("lr", parse_lr), ("size", parse_size)):
            field_input = self.query_one(f"#history-{name}", Input)
            try:
                value = parse(field_input.value)
            except ValueError:
                field_input.add_class("-invalid")  # this filter waits for a number
                value = getattr(self.filters, name)
            else:
                field_input.remove_class("-invalid")
            filters = Filters(**{**filters.__dict__, name: value})
        if filters != self.filters:
            self.filters = filters
            self.post_message(self.Changed(filters))
