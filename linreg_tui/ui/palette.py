"""The command palette, guarded against three Textual 8.2.8 crashes found by a key monkey.

All end the app; tests/ui/test_app_keys.py and test_dialogs.py reproduce them (keys
posted without waiting for idle, as a fast typist or a laggy SSH link delivers them):

1. pageup/pagedown before the option list is laid out: `OptionList._move_page` reads
   `_index_to_line[highlighted]` from a line cache that `_update_lines` leaves empty while
   the list has no size, and raises KeyError. With no laid-out list there is no page to
   move, so the key is skipped.
2. escape while commands are still being gathered: the gather worker sets `_list_visible`
   / `_show_busy` after the palette's children are gone; their watchers' `query_one` then
   raises NoMatches in the worker, which exits the app. A palette being torn down has
   nothing to show, so the watchers return.
3. two enters on a command: both are delivered to the palette before it is gone, the
   second selects and dismisses again once the palette is closed; `dismiss` then pops
   whatever is below (ScreenStackError with only the main screen left, which ends the
   app) and the command runs twice. A closed palette ignores selections.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList

from linreg_tui.ui.widgets.dialog import closed

if TYPE_CHECKING:
    from linreg_tui.ui.views.base import ViewEntry


def lab_commands(
    app: App[None], bindings: Iterable[BindingType], views: Sequence[ViewEntry]
) -> Iterable[SystemCommand]:
    """One palette command per bound action (quit is Textual's own) and per view."""
    for binding in bindings:
        if isinstance(binding, Binding) and binding.action != "quit":
            action = getattr(app, f"action_{binding.action}")
            yield SystemCommand(binding.description, binding.tooltip, action)
    for view in views:
        yield SystemCommand(
            f"View: {view.TITLE}",
            view.DESCRIPTION,
            lambda view_id=view.VIEW_ID: app.show_view(view_id),  # type: ignore[attr-defined]
        )


def theme_palette() -> GuardedCommandPalette:
    """Textual's theme picker (the palette's "Theme" command), as a guarded palette: the
    stock one, from App.search_themes, has the same crashes."""
    from textual.theme import ThemeProvider

    return GuardedCommandPalette(providers=[ThemeProvider], placeholder="Search for themes…")


class GuardedCommandPalette(CommandPalette):
    """CommandPalette minus three crashes of Textual 8.2.8 (see the module docstring)."""

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            commands = self.query_one(CommandList)
            if not commands.scrollable_content_region:
                return  # not laid out yet: its line cache is empty
            if (commands.highlighted or 0) not in commands._index_to_line:
                return
        super()._action_command_list(action)

    def _torn_down(self) -> bool:
        return not self.is_attached or not self.query(CommandList)

    def _watch__list_visible(self) -> None:
        if not self._torn_down():
            super()._watch__list_visible()

    async def _watch__show_busy(self) -> None:
        if not self._torn_down():
            await super()._watch__show_busy()

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _ignore_once_closed(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        if closed(self):  # runs before CommandPalette's own handlers, which it then skips
            event.stop()
            event.prevent_default()

    def dismiss(self, result: None = None) -> AwaitComplete:
        if closed(self):
            return AwaitComplete.nothing()
        return super().dismiss(result)
