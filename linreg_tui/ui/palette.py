"""The command palette, guarded against a Textual 8.2.8 crash on pageup/pagedown.

Reproduced here: open the palette and press pageup or pagedown before its option list
has been laid out (height 0). `OptionList._move_page` then reads `_index_to_line[0]`
from an empty line cache and raises KeyError, which ends the app. With no laid-out
list there is no page to move, so the guard simply skips the key in that state.
"""

from __future__ import annotations

from textual.command import CommandList, CommandPalette


class GuardedCommandPalette(CommandPalette):
    """CommandPalette that ignores page keys while its list has no size yet."""

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            commands = self.query_one(CommandList)
            if not commands.scrollable_content_region:
                return  # not laid out yet: its line cache is empty
            if (commands.highlighted or 0) not in commands._index_to_line:
                return
        super()._action_command_list(action)
