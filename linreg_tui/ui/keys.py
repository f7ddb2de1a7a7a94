"""The app's keys: every binding of LinregApp, with the tooltip the help screen shows.

| key | action |
| --- | --- |
| ctrl+r | run (also enter in a field) |
| escape | cancel the run |
| ctrl+l | log-y toggle |
| f1 | help: every key |
| f2 / f3 | focus the form / the results table |
| f4 | next experiment view |
| ctrl+e | export the view's results to CSV and JSON |
| ctrl+s / ctrl+o | save the form's configuration / load one (TOML or JSON) |
| ctrl+p | command palette |
| ctrl+q | quit |
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

BINDINGS: list[BindingType] = [
    Binding("ctrl+r", "run", "Run", tooltip="Train with the form's settings"),
    Binding("escape", "cancel", "Cancel", tooltip="Stop the run between two SGD steps"),
    Binding("ctrl+l", "toggle_log_y", "Log y", tooltip="Switch the chart's y axis: log/linear"),
    Binding("f1", "help", "Help", tooltip="List every key"),
    Binding("f2", "focus_form", "Form", tooltip="Focus the form; narrow: open or close it"),
    Binding("f3", "focus_results", "Results", show=False, tooltip="Focus the results"),
    Binding("f4", "next_view", "Next view", show=False, tooltip="Next experiment view"),
    Binding(
        "f5",
        "run_suggested",
        "Run suggested",
        tooltip="Fill the form with the view's suggested settings (the rest at defaults) and run",
    ),
    # priority, as every key that opens a dialog: else the key reaches the app only after
    # bubbling up from the focused field, and keys typed right after it land in that field
    Binding(
        "ctrl+s",
        "save_config",
        "Save config",
        show=False,
        priority=True,
        tooltip="Save the form's configuration to a .toml or .json file",
    ),
    Binding(
        "ctrl+o",
        "load_config",
        "Load config",
        show=False,
        priority=True,
        tooltip="Load a .toml or .json configuration file into the form",
    ),
    Binding(  # priority: a focused Input binds ctrl+e to "end" (the end key still does)
        "ctrl+e",
        "export",
        "Export",
        show=False,
        priority=True,
        tooltip="Write the view's results to CSV and JSON files",
    ),
    Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="Quit (cancels a run)"),
]
