"""Select minus a Textual 8.2.8 crash: pageup/pagedown on its list before it is laid out.

`OptionList._move_page` reads `_index_to_line[highlighted]` from a line cache that is
empty until the list has been laid out, and raises KeyError, which ends the app. A
Select's overlay list is laid out only once it opens, so enter then pageup typed fast
enough (tests/ui/test_monkey.py, seed 2) hit it. The command palette's list has the
same trap (ui/palette.py). With no laid-out list there is no page to move: skip the key.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Select
from textual.widgets._select import (  # private: to swap in the guarded overlay
    SelectCurrent,
    SelectOverlay,
    SelectType,
)


def can_page(option_list: SelectOverlay) -> bool:
    """True if the list's line cache holds the highlighted option (it is laid out)."""
    return bool(option_list._lines) and (option_list.highlighted or 0) in option_list._index_to_line


class _Overlay(SelectOverlay):
    def _move_page(self, direction: int) -> None:  # type: ignore[override]
        if can_page(self):
            super()._move_page(direction)  # type: ignore[arg-type]


class LabSelect(Select[SelectType]):
    """A Select whose drop-down list ignores page keys until it is laid out."""

    def _on_mount(self, event: events.Mount) -> None:
        # A Select mounted while the app quits composes nothing, and Select's own mount
        # handler then fails to find its list (NoMatches ends the app with a traceback).
        if not self.query(SelectOverlay):
            event.prevent_default()

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)  # as Select.compose, with the guarded overlay
        yield _Overlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)
