"""d2l 3.5 ex. 3: the gradients torch leaves in `.grad`, epoch by epoch."""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.views.exercise_parts import finite, last_batch, vector
from linreg_tui.ui.widgets.curves_chart import CurvesChart
from linreg_tui.ui.widgets.exercise_table import Column, ExerciseTable
from linreg_tui.ui.widgets.explanation import Explanation, SuggestedSettings
from linreg_tui.ui.widgets.results_table import Cell, num

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.records import EpochRecord
    from linreg_tui.lab.events import EpochsCompleted, RunFinished, RunStarted

MAX_WEIGHT_COLUMNS = 3
CODE = (
    "[$text-muted]torch ▸[/] [b $accent]model.net.weight.grad[/], [b $accent]model.net.bias.grad[/]"
    "  [$text-muted](d2l's LinearRegression keeps its layer in self.net)[/]"
)
WHY = (
    "[b]Where torch keeps them.[/b] loss.backward() fills each parameter's .grad with "
    "∂loss/∂parameter for the minibatch just used; optimizer.step() reads them "
    "(w ← w − lr·grad) and zero_grad() clears them before the next backward. The table "
    "reads model.net.weight.grad and model.net.bias.grad after each epoch's last step.\n\n"
    "[b]What you see.[/b] Far from the fit the residuals are large and so is the "
    "gradient; it shrinks as the fit improves, so the chart falls. It does not reach "
    "zero: it is the gradient of one minibatch, and label noise leaves every batch "
    "with residuals of size σ. So it settles at a noise floor, about 2σ·√((d+1)/B) for "
    "the mean loss (d weights, B examples in the batch), and jitters there from epoch "
    "to epoch. The full-data gradient is exactly 0 at the least-squares fit; a "
    "minibatch's is not. Set noise to 0 and even the minibatch gradient falls to float32 "
    "round-off (about 1e-5), since every batch can then be fitted exactly."
)


def columns(features: int) -> list[Column]:
    """epoch, weight.grad components (at most MAX_WEIGHT_COLUMNS), bias.grad, norm, MSE."""
    shown = min(features, MAX_WEIGHT_COLUMNS)
    weights = [(f"w.grad[{i}]" if features > 1 else "w.grad", 9, True) for i in range(shown)]
    return [("epoch", 5, True), *weights, ("b.grad", 9, True), ("‖∇‖", 8, True),
            ("train MSE", 9, True)]  # fmt: skip


def noise_floor(cfg: RunConfig) -> float | None:
    """The last step's gradient norm that label noise alone gives at the exact fit.

    Each example adds c·r·x to the gradient with r ~ N(0, σ²), x ~ N(0, I) (and 1 for the
    bias): c = 2 for MSE, 1 for Huber and 1/δ for smooth-L1 while σ ≪ δ; averaging b of
    them divides by √b, summing multiplies by √b.
    """
    b, d = last_batch(cfg), cfg.features + 1
    scale = {"mse-mean": 2 / math.sqrt(b), "mse-sum": 2 * math.sqrt(b),
             "huber": 1 / math.sqrt(b), "smooth-l1": 1 / (cfg.delta * math.sqrt(b))}  # fmt: skip
    if cfg.loss not in scale:
        return None
    return scale[cfg.loss] * cfg.noise * math.sqrt(d)


class GradientsView(ExperimentView, view_id="gradients"):
    """One run: weight.grad and bias.grad per epoch in a table, their norm on a chart."""

    EXPORT_STEM = "gradients"
    SUGGESTED: ClassVar[dict[str, object]] = {"epochs": 20}
    PREMISE: ClassVar[dict[str, object]] = {"outliers": 0.0}  # "label noise alone"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID)
        self.config: RunConfig | None = None
        self.records: list[EpochRecord] = []
        self.status = "waiting"

    def compose(self) -> ComposeResult:
        yield SuggestedSettings(self.SUGGESTED, "20 epochs: ‖∇‖ levels off", self.TITLE)
        yield Static(CODE, id="grad-code")
        yield CurvesChart("‖∇‖ at each epoch's last step", id="grad-chart")
        yield ExerciseTable("gradients after each epoch", columns(2), id="grad-table")
        yield Explanation(WHY, id="grad-why")

    def on_mount(self) -> None:
        self.chart = self.query_one(CurvesChart)
        self.table = self.query_one(ExerciseTable)
        self.why = self.query_one(Explanation)

    def preview(self, config: RunConfig) -> None:
        self.table.set_columns(columns(config.features))

    def run_started(self, event: RunStarted) -> None:
        self.config, self.records, self.status = event.config, [], "running"
        self.chart.reset(event.config.total_epochs)
        self.chart.add_curve("grad", "‖∇‖", "warning")
        self.table.set_columns(columns(event.config.features))
        self.table.show_rows([])
        self.why.set_verdict([])

    def epochs_completed(self, event: EpochsCompleted) -> None:
        fresh = [r for r in event.records if r.grad_norm is not None]
        self.records.extend(event.records)
        self.chart.extend("grad", [(r.epoch, r.grad_norm or 0.0) for r in fresh])
        self.table.append_rows(self._row(r) for r in fresh)

    def run_finished(self, event: RunFinished) -> None:
        self.status = event.status
        self.why.set_verdict(self.verdict())

    def set_log_y(self, log_y: bool) -> None:
        self.chart.log_y = log_y

    def results_widget(self) -> Widget | None:
        return self.table

    def _row(self, r: EpochRecord) -> list[Cell]:
        grads = r.weight_grad or ()
        return [
            Cell(r.epoch, str(r.epoch)),
            *(num(g, ".2e") for g in grads[:MAX_WEIGHT_COLUMNS]),
            num(r.bias_grad, ".2e"),
            num(r.grad_norm, ".2e"),
            num(r.train_mse, ".2e"),
        ]

    def norms(self) -> list[tuple[int, float]]:
        """(epoch, ‖∇‖) of every finished epoch with a finite gradient."""
        return [
            (r.epoch, r.grad_norm)
            for r in self.records
            if r.grad_norm is not None and math.isfinite(r.grad_norm)
        ]

    def verdict(self) -> list[str]:
        norms = self.norms()
        if len(norms) < 2 or self.config is None:
            return [f"{self.status}: too few epochs to compare"] if self.records else []
        (e1, first), (en, last) = norms[0], norms[-1]
        low_epoch, low = min(norms, key=lambda p: p[1])
        if last < first:
            head = f"[$success]✓[/] ‖∇‖ epoch {e1}: {first:.2g} → epoch {en}: {last:.2g}"
            head += f" ({first / last:.2g}× smaller), never 0 (lowest {low:.2g}, ep. {low_epoch})"
        else:
            head = f"[$warning]‖∇‖ did not fall: epoch {e1} {first:.2g}, epoch {en} {last:.2g}[/]"
        lines = [head]
        floor = noise_floor(self.config)
        tail = [g for _, g in norms[len(norms) // 2 :]]
        if self.config.outliers > 0 and floor is not None:  # the floor assumes Gaussian noise
            lines.append(
                f"[$warning]outliers {self.config.outliers:g} ×{self.config.outlier_scale:g}: "
                f"labels are not Gaussian noise, so the noise floor ≈ {floor:.2g} does not "
                "apply (F5: clean labels)[/]"
            )
        elif floor is not None and len(norms) >= 6:
            lines.append(
                f"later epochs: median ‖∇‖ {statistics.median(tail):.2g}; label noise alone "
                f"gives ≈ {floor:.2g} (B = {last_batch(self.config)} in the last batch)"
            )
        return lines

    def export_rows(self) -> list[dict[str, object]]:
        """One row per epoch: the last step's gradients and the fit after the epoch."""
        cfg = self.config
        if cfg is None:
            return []
        return [
            {
                "epoch": r.epoch, "steps": r.steps, "loss": cfg.loss, "lr": cfg.lr,
                "batch_size": cfg.batch_size, "last_batch": last_batch(cfg),
                **vector("weight_grad", r.weight_grad, cfg.features),
                "bias_grad": finite(r.bias_grad), "grad_norm": finite(r.grad_norm),
                "train_mse": finite(r.train_mse), "val_mse": finite(r.val_mse),
                "run_status": self.status,
            }
            for r in self.records
        ]  # fmt: skip
