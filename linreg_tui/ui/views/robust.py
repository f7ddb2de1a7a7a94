"""d2l 3.5 ex. 2: MSE vs Huber vs smooth-L1 on clean data and on data with outliers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.widget import Widget

from linreg_tui.lab.plans import RunsPlan, robust_plan
from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.views.exercise_parts import finite, ratio_text, status_cell, vector
from linreg_tui.ui.widgets.curves_chart import CurvesChart
from linreg_tui.ui.widgets.exercise_table import ExerciseTable
from linreg_tui.ui.widgets.explanation import Explanation, SuggestedSettings
from linreg_tui.ui.widgets.results_table import Cell, num

if TYPE_CHECKING:
    from linreg_tui.engine.config import LossName, RunConfig
    from linreg_tui.engine.records import EpochRecord
    from linreg_tui.lab.events import EpochsCompleted, RunFinished, RunStarted

LOSSES: tuple[tuple[LossName, str, str], ...] = (
    ("mse-mean", "MSE", "primary"),
    ("huber", "Huber", "warning"),
    ("smooth-l1", "smooth-L1", "success"),
)
"""(loss, label, colour) in table and chart order."""
ORDER = ("error", "diverged", "cancelled", "running", "waiting", "done")
"""A table row shows the first of these its runs have (the worst news first)."""
AGREE = 3.0
"""Clean runs 'agree' when their ‖w − ŵ‖ are within this factor of each other."""
SAME_REL = 1e-6
"""Huber's and smooth-L1's curves are one legend entry while every epoch's ‖w − ŵ‖ agrees
within this, relative: far below a braille dot (about 1% of a decade on the log axis), far
above what two kernels doing the same float32 arithmetic could differ by (at δ = 1 the two
runs agree bit for bit here)."""
COLUMNS = [("loss", 9, False), ("status", 9, False), ("‖w-ŵ‖ clean", 11, True),
           ("‖w-ŵ‖ outl.", 11, True), ("|b-b̂| clean", 11, True), ("|b-b̂| outl.", 11, True),
           ("val MSE outl.", 13, True)]  # fmt: skip
"""Status second: in an 80-column terminal the last columns are off-screen."""
FORMULAS = (
    "[b]MSE[/b]        r²                   nn.MSELoss()\n"
    "[b]Huber δ[/b]    r²/2          |r| ≤ δ  nn.HuberLoss(delta=δ)\n"
    "           δ(|r| − δ/2)  |r| > δ\n"
    "[b]smooth-L1 β[/b] r²/(2β)      |r| < β  nn.SmoothL1Loss(beta=β)\n"
    "           |r| − β/2     |r| ≥ β   (r = ŷ − y; here β = δ)"
)
WHY = (
    "[b]Why outliers hurt MSE.[/b] Squaring makes a residual of 100 cost as much as "
    "10 000 residuals of 1, and its gradient 2r pulls as hard as 100 of them: a few "
    "corrupted labels drag ŵ towards themselves. Huber is quadratic near the fit and "
    "linear in the tails, so an example's gradient is capped at ±δ: an outlier pulls no "
    "harder than any other badly fitted point and ŵ stays near w. Without outliers "
    "every residual ends up within δ, where all three losses are quadratic with the "
    "same minimum, and they agree.\n\n"
    "[b]Huber vs smooth-L1.[/b] Huber(δ) = δ · SmoothL1(β = δ). At δ = 1 they train "
    "identically (same rows); for δ ≠ 1 they differ only by the factor δ in the "
    "gradient: Huber at lr steps like smooth-L1 at δ·lr, an effective learning rate.\n\n"
    "[b]The price.[/b] Capped gradients move slowly from a far start: with lr 0.03 and "
    "3 epochs Huber has not arrived yet. The suggested settings give it the steps.\n\n"
    "Validation labels are always clean, so val MSE shows how good the fit really is."
)


@dataclass
class Run:
    """One planned run: a loss on clean data or on the form's outliers."""

    loss: LossName
    outliers: bool
    config: RunConfig
    records: list[EpochRecord] = field(default_factory=list)
    status: str = "waiting"

    @property
    def last(self) -> EpochRecord | None:
        return self.records[-1] if self.records else None

    def error(self) -> float:
        """Final ‖w − ŵ‖, nan until done."""
        return self.records[-1].w_error_norm if self.status == "done" else math.nan


class RobustLossView(ExperimentView, view_id="robust-loss"):
    """MSE, Huber(δ) and smooth-L1(β = δ) on clean data and with the form's outliers."""

    EXPORT_STEM = "robust-loss"
    SUGGESTED: ClassVar[dict[str, object]] = {
        "lr": 0.1,
        "epochs": 10,
        "outliers": 0.1,
        "outlier_scale": 100.0,
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID)
        self.runs: list[Run] = []

    def compose(self) -> ComposeResult:
        yield SuggestedSettings(self.SUGGESTED, "lr 0.1, 10 ep, 10% outliers ×100", self.TITLE)
        # join_hidden off: the legend joins two losses only when computed equal (set_same)
        yield CurvesChart("‖w-ŵ‖ per epoch", join_hidden=False, id="robust-chart")
        yield ExerciseTable("clean vs outliers", COLUMNS, id="robust-table")
        yield Explanation(FORMULAS + "\n\n" + WHY, id="robust-why")

    def on_mount(self) -> None:
        self.chart = self.query_one(CurvesChart)
        self.table = self.query_one(ExerciseTable)
        self.why = self.query_one(Explanation)
        self.chart.set_note("━ outliers • clean")

    def plan(self, config: RunConfig) -> RunsPlan:
        plan = robust_plan(config)
        self.runs = [Run(cfg.loss, i >= len(LOSSES), cfg) for i, cfg in enumerate(plan.runs)]
        return plan

    def run_started(self, event: RunStarted) -> None:
        run = self.runs[event.index]
        run.status = "running"
        if event.index == 0:
            self.chart.reset(event.config.total_epochs)
        _, label, colour = LOSSES[event.index % len(LOSSES)]
        marker = "braille" if run.outliers else "dot"
        named = any(r.outliers for r in self.runs)  # the legend names each loss once
        self.chart.add_curve(str(event.index), label, colour, marker, run.outliers == named)
        self._show()

    def epochs_completed(self, event: EpochsCompleted) -> None:
        self.runs[event.index].records.extend(event.records)
        self.chart.extend(str(event.index), [(r.epoch, r.w_error_norm) for r in event.records])
        self.join_equal()

    def run_finished(self, event: RunFinished) -> None:
        self.runs[event.index].status = event.status
        self.join_equal()
        self._show()

    def join_equal(self) -> None:
        """One legend entry, 'Huber = smooth-L1 (δ=1)', while their curves are equal on
        every dataset (computed: `same_curves`); else each its own, both drawn."""
        pairs = [(h, s) for h, s in zip(self.pair("huber"), self.pair("smooth-l1")) if h and s]
        equal = bool(pairs) and all(
            same_curves(h.records, s.records)
            and (len(h.records) == len(s.records) or "running" in (h.status, s.status))
            for h, s in pairs
        )
        colours = {loss: self.chart.colour_of(colour).hex for loss, _, colour in LOSSES}
        for huber, smooth in pairs:
            key, into = str(self.runs.index(huber)), str(self.runs.index(smooth))
            label = (
                f"[{colours['huber']}]Huber[/] = [{colours['smooth-l1']}]smooth-L1[/]"
                f" (δ={huber.config.delta:g})"
            )
            self.chart.set_same(key, into if equal else None, label)

    def set_log_y(self, log_y: bool) -> None:
        self.chart.log_y = log_y

    def results_widget(self) -> Widget | None:
        return self.table

    def pair(self, loss: LossName) -> tuple[Run | None, Run | None]:
        """(clean run, outlier run) of one loss, None where not planned."""
        found = {r.outliers: r for r in self.runs if r.loss == loss}
        return found.get(False), found.get(True)

    def _show(self) -> None:
        rows = []
        for loss, label, colour in LOSSES:
            clean, dirty = self.pair(loss)
            a, b = (clean.last if clean else None), (dirty.last if dirty else None)
            statuses = [r.status for r in (clean, dirty) if r is not None]
            status = next((s for s in ORDER if s in statuses), "waiting")
            rows.append([
                Cell(label, label, f"bold {self.chart.colour_of(colour).hex}"),
                status_cell(status),
                num(a.w_error_norm if a else None, ".2e"),
                num(b.w_error_norm if b else None, ".2e"),
                num(a.b_error if a else None, ".2e"),
                num(b.b_error if b else None, ".2e"),
                num(b.val_mse if b else None, ".2e"),
            ])  # fmt: skip
        self.table.show_rows(rows)
        self.why.set_verdict(self.verdict())

    def verdict(self) -> list[str]:
        lines: list[str] = []
        cfg = self.runs[0].config if self.runs else None
        for loss, label, _ in LOSSES:
            for run in self.pair(loss):
                if run is not None and run.status == "diverged":
                    data = "with outliers" if run.outliers else "clean"
                    lines.append(
                        f"[$error]{label} diverged ({data})[/]: lr {run.config.lr:g} is too large "
                        "for it; a smaller lr, or a loss whose gradient is capped"
                    )
        mse, huber = self.pair("mse-mean"), self.pair("huber")
        smooth = self.pair("smooth-l1")
        if mse[0] and huber[0] and mse[0].status == huber[0].status == "done":
            e_mse, e_hub = mse[0].error(), huber[0].error()
            factor = max(e_mse, e_hub) / max(min(e_mse, e_hub), 1e-300)
            if factor <= AGREE:
                lines.append(
                    f"[$success]✓[/] clean: ‖w-ŵ‖ MSE {e_mse:.1e}, Huber {e_hub:.1e}: "
                    f"they agree (within {factor:.2g}×)"
                )
            else:
                lines.append(
                    f"[$warning]clean: MSE {e_mse:.1e} vs Huber {e_hub:.1e} ({factor:.2g}× "
                    "apart)[/]: not converged yet; try the suggested settings"
                )
        if self.runs and not any(r.outliers for r in self.runs):
            lines.append("outliers is 0 in the form: set it (data) or press suggested")
        if mse[1] and huber[1] and mse[1].status == huber[1].status == "done":
            e_mse, e_hub = mse[1].error(), huber[1].error()
            dirty = mse[1].config
            lines.append(
                f"{dirty.outliers:.0%} outliers ×{dirty.outlier_scale:g}: ‖w-ŵ‖ MSE {e_mse:.2g}, "
                f"Huber {e_hub:.2g}: Huber {ratio_text(e_mse, e_hub)} closer"
            )
        done = [(h, s) for h, s in zip(huber, smooth) if h and s and h.status == s.status == "done"]
        if done and cfg is not None:
            gap = max(abs(h.error() - s.error()) for h, s in done)
            if cfg.delta == 1:
                if gap == 0:
                    lines.append("δ = 1: Huber and smooth-L1 take identical steps (same ŵ)")
                else:
                    lines.append(f"δ = 1: Huber and smooth-L1 end {gap:.1e} apart")
            else:
                lines.append(f"δ = {cfg.delta:g}: Huber steps like smooth-L1 at {cfg.delta:g}·lr")
        return lines

    def export_rows(self) -> list[dict[str, object]]:
        """One row per run: data (clean/outliers), loss, settings, final fit."""
        rows: list[dict[str, object]] = []
        for run in self.runs:
            if run.status == "waiting":
                continue
            cfg, last = run.config, run.last
            rows.append({
                "data": "outliers" if run.outliers else "clean", "loss": cfg.loss,
                "delta": cfg.delta, "outliers": cfg.outliers, "outlier_scale": cfg.outlier_scale,
                "lr": cfg.lr, "epochs": cfg.epochs, "seed": cfg.seed, "status": run.status,
                "w_error_norm": finite(last.w_error_norm) if last else None,
                "b_error": finite(last.b_error) if last else None,
                "train_mse": finite(last.train_mse) if last else None,
                "val_mse": finite(last.val_mse) if last else None,
                **vector("w_hat", last.w_hat if last else None, cfg.features),
                "b_hat": finite(last.b_hat) if last else None,
            })  # fmt: skip
        return rows


def same_curves(a: Sequence[EpochRecord], b: Sequence[EpochRecord], rel: float = SAME_REL) -> bool:
    """Whether two runs' ‖w − ŵ‖ agree within `rel` at every epoch both have reached, one
    at least after the start; a non-finite value only equals the same non-finite value."""
    n = min(len(a), len(b))
    if n < 2:
        return False
    for x, y in zip(a[:n], b[:n], strict=True):
        u, v = x.w_error_norm, y.w_error_norm
        if math.isfinite(u) and math.isfinite(v):
            if not math.isclose(u, v, rel_tol=rel, abs_tol=0.0):
                return False
        elif not (u == v or (math.isnan(u) and math.isnan(v))):
            return False
    return True
