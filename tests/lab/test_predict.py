"""The meter's words and numbers, and getting a Theory through the job path without torch."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from linreg_tui.engine import theory_moments
from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.results import summarize_sizes
from linreg_tui.engine.sweep import sweep_lr, sweep_sizes
from linreg_tui.engine.theory import theory
from linreg_tui.engine.theory_moments import predictable
from linreg_tui.lab.events import Event, RunFinished, SweepRowsCompleted
from linreg_tui.lab.predict import (
    edges_text,
    meter_text,
    predicted_word,
    stability,
    steps_to_blow_up,
    theory_plan,
    unpredictable,
    verdict_text,
)
from linreg_tui.lab.run import run_job
from linreg_tui.lab.text import fmt_factor, fmt_lr
from linreg_tui.lab.verdicts import REGIMES, size_regime

BOOK = RunConfig()


def test_the_meter_names_the_lr_the_edges_and_the_verdict() -> None:
    th = theory(BOOK)
    text = meter_text(0.03, th)
    assert text == f"lr 0.03 · η_MS {fmt_lr(th.lr_ms_max)} · η_GD {fmt_lr(th.lr_gd_max)} · stable"


def test_between_the_edges_the_meter_says_edge() -> None:
    th = theory(BOOK)
    lr = (th.lr_ms_max + th.lr_gd_max) / 2
    assert verdict_text(lr, th) == "edge: some seeds grow"
    assert predicted_word(lr, th) == "edge"


def test_past_the_edge_the_meter_gives_the_growth_per_step_not_a_certainty() -> None:
    th = theory(BOOK)
    lr = 1.1 * th.lr_gd_max
    growth = abs(1 - lr * th.eigenvalues[0])
    assert verdict_text(lr, th) == f"{fmt_factor(growth)}/step past η_GD: expect divergence"
    assert predicted_word(lr, th) == "diverges"
    assert steps_to_blow_up(lr, th) == pytest.approx(math.log(1e3) / math.log(growth))
    assert steps_to_blow_up(0.03, th) == math.inf


def test_a_summed_loss_shows_lr_times_b_against_the_mean_losss_edges() -> None:
    """d2l 3.5 ex. 1 at lr 0.03, B = 32: 0.96 is past this data's η_GD (0.908)."""
    summed, mean = theory(replace(BOOK, loss="mse-sum")), theory(BOOK)
    assert edges_text(summed) == edges_text(mean)  # the same data, the same edges ×B
    text = meter_text(0.03, summed)
    assert text.startswith("lr·B 0.96 · ") and text.endswith("expect divergence")
    assert meter_text(0.03 / 32, summed).startswith("lr·B 0.03 ")
    assert meter_text(0.03 / 32, summed).endswith(" · stable")


def test_the_short_last_batch_can_pull_a_summed_loss_back() -> None:
    th = theory(replace(BOOK, loss="mse-sum", seed=2))  # 1000 = 31 x 32 + 8
    assert th.growth_per_step > 1 and th.verdict == "edge"
    assert verdict_text(0.03, th).endswith("short batch pulls back: edge")


def test_robust_losses_bounce_past_the_edge() -> None:
    th = theory(replace(BOOK, loss="huber"))
    assert verdict_text(1.1 * th.lr_gd_max, th).endswith("bounces (clipped beyond δ)")


def test_every_lr_is_judged_from_one_theory_as_the_engine_judges_it() -> None:
    th = theory(BOOK)
    for lr in (0.01, 0.3, 0.85, 0.9, 0.95, 3.0):
        assert predicted_word(lr, th) == stability(lr, th) == theory(replace(BOOK, lr=lr)).verdict


def test_a_theory_plan_yields_each_configs_theory_through_the_job_runner() -> None:
    configs = (BOOK, replace(BOOK, loss="mse-sum"), replace(BOOK, batch_size=4))
    events: list[Event] = []
    run_job(theory_plan(*configs), 7, events.append, lambda: False)
    rows = [row for e in events if isinstance(e, SweepRowsCompleted) for row in e.rows]
    assert rows == [theory(cfg) for cfg in configs]
    assert isinstance(events[-1], RunFinished) and events[-1].status == "done"


def test_a_theory_comes_back_from_the_training_process_without_torch_here() -> None:
    """The app's way: the warm training process computes, this process only unpickles."""
    code = textwrap.dedent(
        """
        import sys
        from linreg_tui.engine.config import RunConfig
        from linreg_tui.lab.events import SweepRowsCompleted
        from linreg_tui.lab.predict import meter_text, theory_plan
        from linreg_tui.lab.process import TrainerProcess

        process, events = TrainerProcess(), []
        try:
            process.run(theory_plan(RunConfig()), 1, events.append, lambda: False)
        finally:
            process.close()
        (th,) = [row for e in events if isinstance(e, SweepRowsCompleted) for row in e.rows]
        print(meter_text(0.03, th))
        print("torch" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    meter, torch_loaded = out.stdout.strip().splitlines()
    assert meter == meter_text(0.03, theory(BOOK))
    assert torch_loaded == "False"


# --- regimes by the prediction, and predictions too costly to make unasked -----------------


def test_size_regimes_are_named_by_the_predictions_largest_term() -> None:
    base = RunConfig(b=4.0)
    plain = summarize_sizes(sweep_sizes(base, sizes=(20, 10240), seeds=2))
    averaged = summarize_sizes(sweep_sizes(replace(base, average=True), sizes=(10240,), seeds=2))
    assert tuple(size_regime(s) for s in (*plain, *averaged)) == REGIMES  # start, ball, floor
    few, plateau = plain
    assert few.predicted_terms_w[0] > max(few.predicted_terms_w[1:])
    assert plateau.predicted_terms_w[1] > max(plateau.predicted_terms_w[::2])
    on_floor = replace(plateau, w_error_norm=plateau.lstsq_w_error_norm)  # as if measured so
    assert size_regime(on_floor) == "lr plateau"  # the prediction names it, not the numbers
    unpredicted = replace(on_floor, predicted_terms_w=(math.nan,) * 3)
    assert size_regime(unpredicted) == "at floor"  # without one: the measured rule


def test_sweeps_leave_out_predictions_too_costly_to_make_unasked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert predictable(10240, 2) and not predictable(10240, 200)
    assert unpredictable(BOOK) == "" and "linreg-tui theory" in unpredictable(
        replace(BOOK, w=(1.0,) * 200)
    )
    monkeypatch.setattr(theory_moments, "PREDICTION_BUDGET", 0)
    (point,) = sweep_sizes(RunConfig(num_train=20), sizes=(20,), seeds=1)
    assert math.isnan(point.predicted_w_error)
    cells = list(sweep_lr(RunConfig(num_train=20, num_val=20), lrs=(0.03,), epochs_list=(1,)))
    assert cells[0].predicted == "" and math.isnan(cells[0].lr_gd_max)
    assert unpredictable(BOOK) != ""


def test_grid_cells_carry_the_edges_they_were_judged_against() -> None:
    cfg = RunConfig(num_train=100, num_val=20)
    (cell,) = sweep_lr(cfg, lrs=(0.5,), epochs_list=(1,))
    th = theory(replace(cfg, epochs=1))
    assert (cell.lr_ms_max, cell.lr_gd_max) == (th.lr_ms_max, th.lr_gd_max)
    assert cell.predicted == stability(0.5, th)
