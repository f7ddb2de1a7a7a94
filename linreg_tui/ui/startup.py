"""What the first frame need not wait for (issue 15: the first frame near Textual's own).

Measured in CPU time to Textual's Ready event (the first frame), median of five on a loaded
2-core machine: 0.54 s as it was, 0.44 s with both of these; an empty Textual app takes
0.22 s (bench/bench_ui.py measures the frame itself against it).

- The garbage collector: start-up allocates enough objects for ~170 collections, ~70 ms
  of CPU that free next to nothing. `cli.start_app` turns it off before the UI is
  imported; the app freezes what start-up built (never scanned again: NOTES, full
  collections of start-up objects stalled the UI 110-200 ms) and turns it back on once
  the views behind the first are mounted.
- The first focus: the form's border has a :focus-within rule, so focusing its first
  field restyles the whole form (~25 ms). In a real terminal it happens just after the
  first frame; headless (tests) as before, since a pilot types before the Ready event.
- The layout classes (`-narrow`, `-short`, LayoutApp.size_classes) are set in compose,
  before there are widgets to restyle: set on the first Resize, as the only place they
  were, they restyled every widget before the first frame (0.84 s against 0.58 s to the
  first frame in a 100-column terminal, median of five).
"""

from __future__ import annotations

import gc

from textual.app import App


def settle_gc() -> None:
    """What start-up built, frozen out of every later collection; collections back on."""
    gc.freeze()
    gc.enable()


def defer_auto_focus(app: App[object]) -> None:
    """No focus before the first frame: `auto_focus_now` gives it after."""
    app.AUTO_FOCUS = None  # shadows the class's selector until auto_focus_now


def auto_focus_now(app: App[object]) -> None:
    """Focus what AUTO_FOCUS names, if `defer_auto_focus` held it back and nothing else
    took the focus meanwhile."""
    if "AUTO_FOCUS" not in vars(app):
        return
    del app.AUTO_FOCUS
    if app.focused is None and app.AUTO_FOCUS:
        for widget in app.query(app.AUTO_FOCUS):
            if widget.focusable:
                widget.focus()
                return
