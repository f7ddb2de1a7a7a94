"""Re-running a recorded run: its settings back into the form and into its view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Checkbox, Input

from linreg_tui.engine.config import FIELD_NAMES
from linreg_tui.ui.history_parts import view_for
from linreg_tui.ui.widgets.fields import to_text
from linreg_tui.ui.widgets.sweep_fields import SweepFields

if TYPE_CHECKING:
    from linreg_tui.store.history import RunSummary
    from linreg_tui.ui.app import LinregApp


def rerun(app: LinregApp, run: RunSummary) -> None:
    """Load a run's settings into the form (and a sweep's own fields into its view),
    then show the view that trains it: ctrl+r runs it again."""
    view_id = view_for(run, [(v.TITLE, v.VIEW_ID) for v in app.views])
    target = next((v for v in app.views if view_id == v.VIEW_ID), None)
    if target is None:
        return
    app.form.show({name: getattr(run.config, name) for name in FIELD_NAMES})
    for fields in target.query(SweepFields):
        restore(fields, run)
    app.show_view(view_id)
    app.action_focus_form()
    app.status.say(f"run #{run.id} loaded into the form · {target.TITLE} · ctrl+r runs it")


def restore(fields: SweepFields, run: RunSummary) -> None:
    """A sweep view's own fields from a recorded sweep: its lists from the run's params,
    the settings it overrides (b, average, steps) from the run's configuration."""
    for name, control in fields.controls.items():
        if name in run.params:
            value = run.params[name]
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        elif name == "equal_steps" and isinstance(control, Checkbox):  # the sizes view's
            control.value = run.config.steps > 0
            continue
        elif name in FIELD_NAMES and not (name == "steps" and run.config.steps == 0):
            value = getattr(run.config, name)
            if isinstance(control, Checkbox):
                control.value = bool(value)
                continue
            text = to_text(name, value)
        else:
            continue
        if isinstance(control, Input):
            control.value = text
