"""A checkbox that reads as on or off without colour: ✓ when ticked, blank when not.

Textual's Checkbox draws `▐X▌` in both states and tells them apart by colour only, so a
learner over SSH (or in a theme with close colours) read an unticked box as ticked.
"""

from __future__ import annotations

from textual.widgets import Checkbox


class LabCheckbox(Checkbox):
    """Checkbox whose mark says its state."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:
        return "✓" if self.value else " "
