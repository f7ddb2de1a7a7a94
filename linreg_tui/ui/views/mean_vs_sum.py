"""d2l 3.5 ex. 1: an averaged vs a summed loss, and the learning rate that makes them agree."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.widget import Widget

from linreg_tui.lab.plans import SCALED, SUM, RunsPlan, loss_plan
from linreg_tui.ui.views.base import ExperimentView
from linreg_tui.ui.views.exercise_parts import finite, last_batch, status_cell, vector, vector_cell
from linreg_tui.ui.widgets.curves_chart import CurvesChart
from linreg_tui.ui.widgets.exercise_table import ExerciseTable
from linreg_tui.ui.widgets.explanation import Explanation, SuggestedSettings
from linreg_tui.ui.widgets.results_table import Cell, num

if TYPE_CHECKING:
    from linreg_tui.engine.config import RunConfig
    from linreg_tui.engine.records import EpochRecord
    from linreg_tui.engine.theory_records import Theory
    from linreg_tui.lab.events import EpochsCompleted, RunFinished, RunStarted

SEEDS = 20
"""Seeds the two summed variants are trained on to count blow-ups (the first is the
variant's own run)."""
CURVES = (("mean", "primary"), ("sum", "error"), ("sum/B", "success"), ("huber", "warning"),
          ("s-L1", "mauve"))  # fmt: skip
"""(legend label, colour) of loss_variants' five runs, in its order."""
MATCH = 1e-5
COLUMNS = [("variant", 18, False), ("val MSE", 8, True), ("blew up", 7, True),
           ("status", 11, False), ("ŵ", 15, False), ("b̂", 7, True), ("train MSE", 9, True),
           ("lr", 9, True)]  # fmt: skip


@dataclass
class Run:
    """One planned run: a variant (index < 5) or a further seed of sum / sum/B."""

    label: str
    config: RunConfig
    variant: int
    """Index in loss_variants: 0..4; seed runs carry SUM or SCALED."""
    records: list[EpochRecord] = field(default_factory=list)
    status: str = "waiting"

    def blew_up(self) -> bool | None:
        """The engine's rule (SeedOutcome.blew_up); None until the run finished."""
        if self.status not in ("done", "diverged") or not self.records:
            return None
        from linreg_tui.engine.results import SeedOutcome

        return SeedOutcome(self.config.seed, self.records[0], self.records[-1]).blew_up


class MeanVsSumView(ExperimentView, view_id="mean-vs-sum"):
    """Five loss variants on the same data and init; sum and sum/B over SEEDS seeds."""

    EXPORT_STEM = "mean-vs-sum"
    SUGGESTED: ClassVar[dict[str, object]] = {
        "lr": 0.03,
        "batch_size": 32,
        "epochs": 3,
        "num_train": 1024,
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID)
        self.runs: list[Run] = []
        """The planned runs of the current job, in order."""
        self.prediction: tuple[RunConfig, dict[str, Theory]] | None = None
        """The form's settings and the theories of its data (the stability meter's)."""

    def compose(self) -> ComposeResult:
        yield SuggestedSettings(self.SUGGESTED, "the book's, n 1024: full batches", self.TITLE)
        yield CurvesChart("train MSE per epoch", id="mvs-chart")
        yield ExerciseTable("variants · same data, same init", COLUMNS, id="mvs-table")
        yield Explanation("", id="mvs-why")

    def on_mount(self) -> None:
        self.chart = self.query_one(CurvesChart)
        self.table = self.query_one(ExerciseTable)
        self.why = self.query_one(Explanation)

    def plan(self, config: RunConfig) -> RunsPlan:
        plan = loss_plan(config, SEEDS)
        variants = len(plan.runs) - 2 * (SEEDS - 1)  # then the sum and sum/B of each seed
        kinds = [*range(variants), *[SUM, SCALED] * (SEEDS - 1)]
        self.runs = [Run(label, cfg, i) for label, cfg, i in zip(plan.labels, plan.runs, kinds)]
        return plan

    def preview(self, config: RunConfig) -> None:
        self.why.set_body(why(config))

    def predicted(self, config: RunConfig, theories: dict[str, Theory]) -> None:
        self.prediction = (config, theories)
        self.call_after_refresh(lambda: self.why.set_verdict(self.verdict()))  # once composed

    def run_started(self, event: RunStarted) -> None:
        run = self.runs[event.index]
        run.status = "running"
        if event.index == 0:
            self.chart.reset(event.config.total_epochs)
            self.why.set_body(why(event.config))
        if event.index < len(CURVES):
            label, colour = CURVES[event.index]
            self.chart.add_curve(str(event.index), label, colour)
            self._show()

    def epochs_completed(self, event: EpochsCompleted) -> None:
        self.runs[event.index].records.extend(event.records)
        if event.index < len(CURVES):
            self.chart.extend(str(event.index), [(r.epoch, r.train_mse) for r in event.records])

    def run_finished(self, event: RunFinished) -> None:
        self.runs[event.index].status = event.status
        if event.index < len(CURVES) or event.job_done or event.index % 8 == 0:
            self._show()

    def set_log_y(self, log_y: bool) -> None:
        self.chart.log_y = log_y

    def results_widget(self) -> Widget | None:
        return self.table

    # -- what the numbers say -------------------------------------------------------------

    def tally(self, variant: int) -> tuple[int, int, float]:
        """(blown up, finished, largest |ŵ| among them) over the seeds of a variant."""
        outcomes = [(r, r.blew_up()) for r in self.runs if r.variant == variant]
        ended = [(r, b) for r, b in outcomes if b is not None]
        worst = max((max(map(abs, r.records[-1].w_hat)) for r, b in ended if b), default=0.0)
        return sum(b for _, b in ended if b), len(ended), worst

    def gap(self) -> float | None:
        """Largest |difference| of ŵ and b̂ between mean at lr and sum at lr/B."""
        mean, scaled = self.runs[0], self.runs[SCALED]
        if mean.status != "done" or scaled.status != "done":
            return None
        a, b = mean.records[-1], scaled.records[-1]
        return max(abs(x - y) for x, y in zip((*a.w_hat, a.b_hat), (*b.w_hat, b.b_hat)))

    def predictions(self) -> list[str]:
        """The edges with and without ÷B and what lr and lr/B do, from the form's data;
        once the sum at lr ran on that data, whether it did what was predicted."""
        if self.prediction is None:
            return []
        from linreg_tui.lab.compare import mean_sum_check, mean_sum_lines
        from linreg_tui.lab.predict import edge_key

        config, theories = self.prediction
        mean, summed = theories.get("mse-mean"), theories.get("mse-sum")
        if mean is None or summed is None:
            return []
        lines = mean_sum_lines(config.lr, summed.batch, mean, summed)
        if len(self.runs) > SUM and edge_key(self.runs[SUM].config) == edge_key(
            replace(config, loss="mse-sum")
        ):
            run = self.runs[SUM]
            lines.append(mean_sum_check(run.config.lr, summed, run.blew_up()))
        return [line for line in lines if line]

    def verdict(self) -> list[str]:
        """What the runs measured, then what the theory predicted for the form's data."""
        return [*self.measured(), *self.predictions()]

    def measured(self) -> list[str]:
        if not self.runs:
            return []
        lines: list[str] = []
        cfg = self.runs[0].config
        bs = cfg.batch_size
        gap = self.gap()
        if gap is not None:
            if gap <= MATCH:
                lines.append(f"[$success]✓[/] mean = sum at lr/{bs}: ŵ, b̂ {gap:.1e} apart")
            else:
                short = last_batch(cfg)
                why_not = f" (last batch: {short} of {bs})" if short != bs else ""
                lines.append(f"[$warning]≠[/] mean vs sum at lr/{bs}: {gap:.1e} apart{why_not}")
        up, ended, worst = self.tally(SUM)
        if ended:
            up_scaled, ended_scaled, _ = self.tally(SCALED)
            style = "$error" if up else "$success"
            lines.append(
                f"[{style}]sum at lr blew up on {up}/{ended} seeds[/], "
                f"at lr/{bs} on {up_scaled}/{ended_scaled}"
                + (f" · largest |ŵ| {worst:.3g}" if up else "")
            )
        huber, mean = self.runs[3], self.runs[0]
        far = huber.status == mean.status == "done" and (
            huber.records[-1].val_mse > 10 * mean.records[-1].val_mse
        )
        if far:
            lines.append(
                f"huber, smooth-l1 still far off after {cfg.epochs} epochs "
                f"(val MSE {huber.records[-1].val_mse:.3g}): see ex. 2"
            )
        return lines

    def _show(self) -> None:
        rows = []
        for i, run in enumerate(self.runs[: len(CURVES)]):
            last = run.records[-1] if run.records else None
            up, ended, _ = self.tally(i) if i in (SUM, SCALED) else (0, 0, 0.0)
            colour = self.chart.colour_of(CURVES[i][1]).hex
            rows.append([
                Cell(run.label, run.label, f"bold {colour}"),
                num(last.val_mse if last else None, ".2e"),
                Cell(up, f"{up}/{ended}") if ended else num(None),
                status_cell(run.status, run.records),
                vector_cell(last.w_hat if last else None),
                num(last.b_hat if last else None, ".4g"),
                num(last.train_mse if last else None, ".2e"),
                num(run.config.lr, ".3g"),
            ])  # fmt: skip
        self.table.show_rows(rows)
        self.why.set_verdict(self.verdict())
        gap = self.gap()
        self.chart.set_note("mean = sum/B" if gap is not None and gap <= MATCH else "")

    # -- export -----------------------------------------------------------------------------

    def export_rows(self) -> list[dict[str, object]]:
        """One row per run: the five variants, then every further seed of sum and sum/B."""
        rows: list[dict[str, object]] = []
        for i, run in enumerate(self.runs):
            if run.status == "waiting":
                continue
            last = run.records[-1] if run.records else None
            cfg = run.config
            rows.append({
                "kind": "variant" if i < len(CURVES) else "seed",
                "label": run.label, "loss": cfg.loss, "lr": cfg.lr,
                "batch_size": cfg.batch_size, "epochs": cfg.epochs, "seed": cfg.seed,
                "status": run.status, "blew_up": run.blew_up(),
                "train_mse": finite(last.train_mse) if last else None,
                "val_mse": finite(last.val_mse) if last else None,
                "start_val_mse": finite(run.records[0].val_mse) if run.records else None,
                **vector("w_hat", last.w_hat if last else None, cfg.features),
                "b_hat": finite(last.b_hat) if last else None,
            })  # fmt: skip
        return rows


def why(cfg: RunConfig) -> str:
    """The explanation, worded with the form's batch size and learning rate."""
    bs, lr = cfg.batch_size, cfg.lr
    edge = 1 / bs
    where = (
        f"Here lr = {lr:g} against 1/B = {edge:.3g}: right at the edge"
        if 0.8 * edge <= lr <= 1.25 * edge
        else f"Here lr = {lr:g} is {'beyond' if lr > edge else 'well inside'} 1/B = {edge:.3g}"
    )
    return (
        "[b]Mean or sum.[/b] nn.MSELoss() averages the B squared errors of a minibatch; "
        "reduction='sum' adds them. The sum is B times the mean, so its gradient is B times "
        "larger and each SGD step lr·gradient is B times longer. Sum at lr/B takes exactly "
        "the mean's steps: the 'sum/B' curve lies on the 'mean' curve. Going from a summed "
        "to an averaged loss, multiply lr by B instead.\n\n"
        "[b]The edge.[/b] With the summed loss one step multiplies the parameter error by "
        "I − 2·lr·XᵀX (X: the batch, with a ones column for b; the mean divides XᵀX by B). "
        "XᵀX has eigenvalues scattered around B, so lr must stay below about 1/B for "
        "every step to shrink the error (the exact edges of this data: 'predicted' above). "
        f"{where}: batches with an eigenvalue above 1/lr stretch the error, the others "
        "shrink it, and which wins depends on the seed. Hence the count over "
        f"{SEEDS} seeds; sum at lr/B is far inside and should never blow up.\n\n"
        "[b]Short batch.[/b] When B does not divide num_train, each epoch ends with a "
        "smaller batch; there sum/B steps shorter than the mean, so the two drift slightly "
        "apart. With full batches they agree to float precision.\n\n"
        "[b]Huber, smooth-L1.[/b] Their gradient per example is capped at δ, so from a far "
        "start they move slowly: the robust-loss view (ex.2) gives them the steps they need."
    )
