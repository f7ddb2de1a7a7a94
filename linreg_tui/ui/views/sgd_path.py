"""Issue 14: watch SGD walk. The form's run traced step by step on the parameter plane, over
the MSE's contours, beside full-batch GD from the same start; replayed with the keys of
`PlaneCanvas` (F3 focuses it)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal
from textual.widget import Widget
from textual.widgets import Button, Static

from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.widgets.explanation import SuggestedSettings
from linreg_tui.ui.widgets.plane_canvas import SPEEDS, PlaneCanvas

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.plane import TracePart
    from linreg_tui.lab.events import RunFinished, RunStarted, SweepRowsCompleted
    from linreg_tui.lab.plans import Plan

CHOICES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("book", "the book's run: κ ≈ 1, round contours", {"lr": 0.03}),
    ("ravine κ≈20", "correlated features: a ravine, SGD zig-zags across it",
     {"correlation": 0.91, "lr": 0.45}),
    ("past the edge", "lr 1 > η_GD ≈ 0.9: each step overshoots further, spiralling out",
     {"lr": 1.0}),
)  # fmt: skip
"""(button, tooltip, settings): each button fills the form with its settings (the others at
their defaults) and runs them; F5 runs the last one chosen (at first, the ravine)."""
MAX_VALUES = 1_000_000
"""What the view holds of a trace: (steps + 1) x (features + 2) x 2 paths, 125,000 steps
at two weights (some 400 bytes of Python objects a step and path); `linreg-tui trace`
takes longer ones."""
WIDE = 130
"""At least this many columns: the readout goes beside the plane, else under it."""
LEGEND = (
    "[$accent]━ SGD[/] [$success]━ GD[/] ★ fit + true [$error]◯ ball 2σ[/] [$text-muted]━ axes[/]"
)


class Suggestions(Horizontal):
    """One button per suggested setting."""

    def compose(self) -> ComposeResult:
        for i, (label, tip, _) in enumerate(CHOICES):
            yield Button(label, compact=True, id=f"suggest-{i}", tooltip=tip)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        label, _, values = CHOICES[int((event.button.id or "0").rsplit("-", 1)[-1])]
        view = self.parent
        if isinstance(view, SgdPathView):
            view.SUGGESTED = dict(values)  # what the app fills in and runs (F5 too)
        self.post_message(SuggestedSettings.Chosen(dict(values), f"SGD path ({label})"))


class SgdPathView(ExperimentView, view_id="sgd-path"):
    """The plane, the SGD and GD paths on it, and a readout of the step on show."""

    EXPORT_STEM = "sgd-path"
    SUGGESTED: ClassVar[dict[str, object] | None] = dict(CHOICES[1][2])  # the ravine
    DEFAULT_CSS: ClassVar[str] = """
    SgdPathView Suggestions Button { min-width: 0; padding: 0 1; }
    SgdPathView #path-body { height: 1fr; }
    SgdPathView.-wide #path-body { layout: horizontal; }
    SgdPathView #path-info { height: auto; padding: 0 1; }
    SgdPathView.-wide #path-info { width: 48; height: 1fr; }
    SgdPathView PlaneCanvas { border: round $primary 50%; border-title-color: $text;
                              border-subtitle-align: right; }
    SgdPathView PlaneCanvas:focus { border: round $primary; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID)
        self.config: RunConfig | None = None
        self.status = "waiting"

    def compose(self) -> ComposeResult:
        yield Suggestions(classes="suggested")
        with Container(id="path-body"):
            yield PlaneCanvas(id="plane")
            yield Static("", id="path-info")

    def on_mount(self) -> None:
        self.canvas = self.query_one(PlaneCanvas)
        self.info = self.query_one("#path-info", Static)
        self.show_readout()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE, "-wide")

    def plan(self, config: RunConfig) -> Plan:
        from linreg_tui.lab.plans import trace_plan

        return trace_plan(config, max_values=MAX_VALUES)

    def run_started(self, event: RunStarted) -> None:
        self.config, self.status = event.config, "tracing"
        self.canvas.start(event.config.total_steps)
        self.show_readout()

    def sweep_rows_completed(self, event: SweepRowsCompleted) -> None:
        part: TracePart
        for part in event.rows:
            self.canvas.add(part.plane, part.sgd, part.gd)
        self.show_readout()

    def run_finished(self, event: RunFinished) -> None:
        self.status = "diverged" if self.canvas.sgd.diverged else event.status
        self.canvas.finish()
        self.show_readout()

    def results_widget(self) -> Widget | None:
        return self.canvas

    @on(PlaneCanvas.Changed)
    def show_readout(self) -> None:
        """Rewrite the readout and the plane's titles for the step on show."""
        self.info.update("\n".join(self.readout()))
        plane, canvas = self.canvas.plane, self.canvas
        if plane is None:
            canvas.border_title, canvas.border_subtitle = "parameter plane", "F3 focuses it"
            return
        x, y = plane.axes
        out = f", {plane.profiled} profiled out" if plane.profiled else ""
        canvas.border_title = f"MSE over ({x}, {y}){out}"
        keys = " · keys ␣ . , > < z Z + -" if canvas.has_focus else " · F3: replay keys"
        canvas.border_subtitle = f"{x} →  {y} ↑{keys}"

    def on_descendant_focus(self) -> None:
        self.show_readout()

    def on_descendant_blur(self) -> None:
        self.show_readout()

    def readout(self) -> list[str]:
        """The step on show, the lr against the edges, κ, the legend and the zoom."""
        canvas, plane, cfg = self.canvas, self.canvas.plane, self.config
        if plane is None or cfg is None or not canvas.sgd.points:
            return ["[$text-muted]ctrl+r traces the form's run; F3 then replays it[/]", LEGEND]
        epoch, w, b, loss = canvas.point()
        play = "[b]▶[/]" if canvas.playing else "paused"
        shown = ", ".join(f"{v:.6g}" for v in w[:3]) + (", …" if len(w) > 3 else "")
        last = canvas.step == canvas.last and canvas.sgd.diverged
        lam = plane.eigenvalues
        halves = canvas.halves()
        half = _short(halves[canvas.zoom % len(halves)])
        zoom = f"the whole path (±{half})" if canvas.zoom == 0 else f"±{half} around ★"
        lines = [
            f"[b]step {canvas.step} of {canvas.total}[/] · epoch {epoch} of {cfg.total_epochs}"
            f" · {play} {SPEEDS[canvas.speed]}/s",
            f"w ({shown})  b {b:.6g}",
            ("minibatch loss: none yet (the start)" if canvas.step == 0 else
             f"minibatch loss {loss:.4g}") + (" · [$error b]diverged[/]" if last else ""),
            f"lr {plane.lr:g} · {plane.verdict}: η_MS {plane.lr_ms_max:.3g}, "
            f"η_GD {plane.lr_gd_max:.3g}",
            f"κ {plane.condition_number:.3g}: λ₁ {lam[0]:.3g} caps lr, "
            f"λmin {lam[-1]:.3g} sets pace",
            LEGEND,
            f"zoom {canvas.zoom + 1}/{len(halves)}: {zoom}",
        ]  # fmt: skip
        return lines

    def export_rows(self) -> list[dict[str, object]]:
        """Every traced step of both paths: path, step, epoch, w_hat_i, b_hat, batch_loss."""
        rows: list[dict[str, object]] = []
        for path in (self.canvas.sgd, self.canvas.gd):
            for block in path.rows:
                for line in block.lines():
                    w = line.pop("w_hat")
                    row: dict[str, object] = {"path": block.path, "step": line["step"]}
                    row.update(epoch=line["epoch"], b_hat=line["b_hat"])
                    row.update({f"w_hat_{i}": v for i, v in enumerate(w, start=1)})  # type: ignore[call-overload]
                    loss = line["batch_loss"]
                    row["batch_loss"] = (
                        loss if isinstance(loss, float) and math.isfinite(loss) else None
                    )
                    rows.append(row)
        return rows


def _short(value: float) -> str:
    """1.9, 0.01, 1e-4, 4e5."""
    if 1e-3 <= value < 1e4:
        return f"{value:.2g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"
