"""What an experiment view is: a widget that plans runs and shows their messages.

The app owns the form, the keys, the thread worker and the status line. A view decides
which runs one `ctrl+r` trains (`plan`) and what to show as their messages arrive; the
app calls the hooks below only with messages of the current job, in order:
`run_started` -> `epochs_completed`* -> `run_finished`, once per planned run. A view that
needs the batched sweep engine returns a `SweepPlan` instead; its job calls
`run_started` -> `sweep_rows_completed`* -> `run_finished` once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from textual.containers import Vertical
from textual.widget import Widget

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.theory_records import Theory
    from linreg_tui.lab.events import (
        EpochsCompleted,
        RunFinished,
        RunStarted,
        SweepRowsCompleted,
    )
    from linreg_tui.lab.plans import Plan


class ViewEntry(Protocol):
    """What the app's view list holds: a view class, or a `views.LazyView` naming one."""

    @property
    def VIEW_ID(self) -> str: ...
    @property
    def TITLE(self) -> str: ...
    @property
    def DESCRIPTION(self) -> str: ...
    def load(self) -> type[ExperimentView]: ...


class ExperimentView(Vertical):
    """Base of the views in the experiment switcher (single run, the exercises)."""

    VIEW_ID: ClassVar[str]
    """Unique id: the ContentSwitcher child id and the selector's value."""
    TITLE: ClassVar[str]
    """Name in the experiment selector and the command palette."""
    DESCRIPTION: ClassVar[str] = ""
    """One line for the command palette."""

    def __init_subclass__(cls, view_id: str | None = None, **kwargs: object) -> None:
        """`class MyView(ExperimentView, view_id="my-view")`: id, title and description
        come from the view's entry in `registry.VIEWS`."""
        super().__init_subclass__(**kwargs)
        if view_id is not None:
            from linreg_tui.ui.views.registry import BY_ID

            entry = BY_ID[view_id]
            cls.VIEW_ID, cls.TITLE, cls.DESCRIPTION = view_id, entry.TITLE, entry.DESCRIPTION

    @classmethod
    def load(cls) -> type[ExperimentView]:
        """The class itself: a view class can stand in the view list (`ViewEntry`)."""
        return cls

    def plan(self, config: RunConfig) -> Plan:
        """What one ctrl+r trains from the form's config: a lab plan (`lab.plans`). Raise
        ConfigError (after marking the view's own field) to refuse."""
        from linreg_tui.lab.plans import single_run

        return single_run(config)

    def owns_field(self, name: str) -> bool:
        """True if the view has a setting of its own by this name: a refusal naming it is
        the view's to mark (the sizes view's b and steps are not the form's)."""
        from linreg_tui.ui.widgets.sweep_fields import SweepFields

        return any(name in fields.controls for fields in self.query(SweepFields))

    def preview(self, config: RunConfig) -> None:
        """Show a config before any run (called at start-up)."""

    def run_started(self, event: RunStarted) -> None:
        """Run `event.index` of the job begins."""

    def epochs_completed(self, event: EpochsCompleted) -> None:
        """Records of the running run arrived (batched, at most ~10 a second)."""

    def sweep_rows_completed(self, event: SweepRowsCompleted) -> None:
        """Rows of the running SweepPlan arrived (batched, at most ~10 a second)."""

    def run_finished(self, event: RunFinished) -> None:
        """A run ended: done, cancelled, diverged or error."""

    def predicted(self, config: RunConfig, theories: dict[str, Theory]) -> None:
        """The form's settings changed, or theories of its data arrived: by loss, the
        form's, mse-mean and mse-sum (the stability meter's, `lab.predict.form_configs`)."""

    def history_changed(self) -> None:
        """The run history gained a run (the history view lists it)."""

    def set_log_y(self, log_y: bool) -> None:
        """Switch the view's charts between linear and log10 y."""

    def results_widget(self) -> Widget | None:
        """The widget the 'focus results' key focuses, if any."""
        return None

    SUGGESTED: ClassVar[dict[str, object] | None] = None
    """Settings where the view's lesson shows clearly (F5 fills the form with them, every
    other setting at its default, and runs); {} is the book's own settings; None: none."""

    PREMISE: ClassVar[dict[str, object]] = {}
    """Settings the view's explanation assumes (e.g. clean labels); a run with others is
    warned about before it starts, and the view's checks say which claims no longer hold."""

    def premise_broken(self, config: RunConfig) -> list[str]:
        """'outliers 0.1 (the text assumes 0)' for each premise `config` breaks."""
        return [
            f"{name} {getattr(config, name):g} (the text assumes {value:g})"
            for name, value in self.PREMISE.items()
            if getattr(config, name) != value
        ]

    def reset_own_fields(self) -> None:
        """Put the view's own settings (a sweep's lists) back to their defaults."""
        from linreg_tui.ui.widgets.sweep_fields import SweepFields

        for fields in self.query(SweepFields):
            fields.reset()

    EXPORT_STEM: ClassVar[str] = "results"
    """File-name stem for this view's exports (e.g. linreg-sizes.csv)."""
    planned_from: RunConfig | None = None
    """The form's settings the last job was planned from (the export's JSON holds them)."""

    def export_rows(self) -> list[dict[str, object]]:
        """The view's results as flat rows of numbers, strings, bools or None (CSV/JSON
        export); [] while there is nothing to export."""
        return []
