"""The stability meter under the lr field: this data's two edges, and what the lr does.

The edges depend on the data, the batch size and the loss, not on the lr: when only the
lr changes, the meter judges it at once from the theories it holds (numpy, microseconds).
Any other change asks for new theories after a pause in the typing (`DEBOUNCE`), where
training runs (`runner`: the warm training process, or a thread when the app trains in
one), so neither the UI thread nor the app's process computes them or loads torch. The
first theory comes after torch has loaded there; until then the meter says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from linreg_tui.ui.text import plain

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.theory_records import Theory
    from linreg_tui.lab.events import Event
    from linreg_tui.lab.plans import Plan

Runner = Callable[["Plan", int, Callable[["Event"], object], Callable[[], bool]], None]
"""`run.run_job` or `TrainerProcess.run`: where a plan is computed."""
DEBOUNCE: Final = 0.3
"""Seconds of quiet in the form before new theories are asked for."""
NOT_READY: Final = "[dim]edges: once torch has loaded[/]"
WAIT: Final = 0.5
"""Seconds between two looks at whether torch has loaded."""
STYLE: Final = {
    "stable": "$success",
    "edge": "$warning",
    "diverges": "$error",
    "bounces": "$warning",
}


class StabilityMeter(Static):
    """Two lines: η_MS and η_GD of the form's data, then the lr and its verdict."""

    DEFAULT_CSS = """
    StabilityMeter { height: auto; padding-left: 2; color: $text-muted; }
    """

    @dataclass
    class Predicted(Message):
        """Theories of the form's data were computed: by loss (the form's, mse-mean,
        mse-sum). The meter's own message, from its worker."""

        key: RunConfig
        """Their `lab.predict.edge_key`: the form's settings but lr and training length."""
        theories: dict[str, Theory]
        note: str = ""
        """Why there are none, when there are none."""

    @dataclass
    class Shown(Message):
        """The meter shows these theories for these settings (the app tells the views)."""

        config: RunConfig
        theories: dict[str, Theory]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(NOT_READY, id=id)
        self.runner: Runner | None = None
        """Set by the app (`connect`); None: nothing is asked."""
        self.ready: Callable[[], bool] = lambda: False
        """Whether torch is loaded where runs train: the meter asks only then, so it
        never loads torch itself (the app warms it after the first frame)."""
        self.config: RunConfig | None = None
        """The form's settings as last seen (None while a field is invalid)."""
        self.key: RunConfig | None = None
        self.theories: dict[str, Theory] = {}
        """The theories shown, for the settings `key`."""
        self.asked: RunConfig | None = None
        self._timer: Timer | None = None
        self._requests = 0

    def connect(self, runner: Runner, ready: Callable[[], bool]) -> None:
        """Where theories are computed, and whether torch is loaded there yet."""
        self.runner, self.ready = runner, ready

    def follow(self, config: RunConfig | None) -> None:
        """The form changed: judge a new lr at once, ask anew for anything else."""
        self.config = config
        if config is None:
            self.update("[dim]edges: once every field is valid[/]")
            return
        if self.theories:
            from linreg_tui.lab.predict import edge_key  # loaded by now (the worker did)

            if edge_key(config) == self.key:
                self._show()
                return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._ask)

    def _ask(self) -> None:
        if self.runner is None or self.config is None or not self.is_attached:
            return
        if not self.ready():
            self.update(NOT_READY)
            self._timer = self.set_timer(WAIT, self._ask)
            return
        self._requests += 1
        if self.theories:
            self.update(self._text() + " [dim]…[/]")
        else:
            self.update("[dim]edges: computing…[/]")
        self._compute(self.config, self.runner, self._requests)

    @work(thread=True, exclusive=True, group="predict", exit_on_error=False)
    def _compute(self, config: RunConfig, runner: Runner, request: int) -> None:
        """Ask where training runs; post the theories (or why there are none)."""
        from linreg_tui.lab.events import SweepRowsCompleted
        from linreg_tui.lab.predict import edge_key, form_configs, theory_plan, unpredictable

        worker = get_current_worker()
        key = edge_key(config)
        why = unpredictable(config)
        if why:
            self.post_message(self.Predicted(key, {}, why))
            return
        rows: list[Any] = []

        def keep(event: Event) -> None:
            if isinstance(event, SweepRowsCompleted):
                rows.extend(event.rows)

        configs = form_configs(config)
        try:
            runner(theory_plan(*configs), -request, keep, lambda: worker.is_cancelled)
        except Exception as error:  # the meter is a hint: it never ends the app
            self.post_message(self.Predicted(key, {}, f"edges: none ({error})"))
            return
        if len(rows) == len(configs) and not worker.is_cancelled:
            self.post_message(self.Predicted(key, {t.loss: t for t in rows}))

    def on_stability_meter_predicted(self, event: StabilityMeter.Predicted) -> None:
        from linreg_tui.lab.predict import edge_key

        if self.config is None or edge_key(self.config) != event.key:
            event.stop()  # stale: the form moved on while they were computed
            return
        if not event.theories:
            self.key, self.theories = event.key, {}
            self.update(plain(event.note))
            event.stop()
            return
        event.stop()
        self.key, self.theories = event.key, event.theories
        self._show()

    def _show(self) -> None:
        self.update(self._text())
        if self.config is not None:
            self.post_message(self.Shown(self.config, self.theories))

    def _text(self) -> str:
        from linreg_tui.lab.predict import meter_lines, stability

        assert self.config is not None
        theory = self.theories.get(self.config.loss)
        if theory is None:
            return "[dim]edges: …[/]"
        lr = self.config.lr
        edges, verdict = meter_lines(lr, theory)
        style = STYLE[stability(lr, theory)]
        return f"{edges}\n[{style}]{verdict}[/]"
