"""Exercise views 1-3: each fills its table, and its explanation's claims hold on the
numbers it shows (small seeded configs, driven with run_action: see NOTES)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from textual.content import Content
from textual.widgets import Button, Input, ProgressBar

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.records import EpochRecord
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.views.gradients import GradientsView
from linreg_tui.ui.views.mean_vs_sum import SCALED, SEEDS, SUM, MeanVsSumView
from linreg_tui.ui.views.robust import SAME_REL, RobustLossView, same_curves
from linreg_tui.ui.widgets.curves_chart import CurvesChart
from linreg_tui.ui.widgets.exercise_table import ExerciseTable
from linreg_tui.ui.widgets.explanation import Explanation
from tests.ui.conftest import SIZE, make_app, run_to_end

PLAIN = (int, float, str, bool, type(None))


async def show(app: LinregApp, pilot: object, view_id: str) -> None:
    app.show_view(view_id)
    await pilot.pause()  # type: ignore[attr-defined]


def check_export(rows: list[dict[str, object]]) -> None:
    """Flat rows of plain values with the same keys (a CSV needs one header)."""
    assert rows
    assert all(list(row) == list(rows[0]) for row in rows)
    for row in rows:
        for value in row.values():
            assert isinstance(value, PLAIN)
            assert not (isinstance(value, float) and not math.isfinite(value))


async def test_mean_vs_sum_scaled_sum_matches_and_unscaled_sum_blows_up() -> None:
    # 320 = 10 full batches of 32: no short batch, so sum at lr/32 takes the mean's steps
    app = make_app(RunConfig(num_train=320, num_val=100))
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, MeanVsSumView.VIEW_ID)
        await run_to_end(pilot, app)
        view = app.query_one(MeanVsSumView)
        table = view.query_one(ExerciseTable)
        assert table.row_count == 5
        statuses = table.column_texts("status")  # the sum at lr blew up: said so, not "done"
        assert statuses[1].startswith("rose ×") and statuses[:1] + statuses[2:] == ["done"] * 4
        assert table.column_texts("variant")[2] == "mse-sum lr=0.03/32"

        gap = view.gap()
        assert gap is not None and gap <= 1e-5
        shown = table.column_texts("ŵ")
        assert shown[0] == shown[2]  # the table shows the same ŵ for mean and sum/B
        up, ended, worst = view.tally(SUM)
        assert ended == SEEDS and up >= 1 and worst > 0
        assert view.tally(SCALED)[:2] == (0, SEEDS)
        assert table.column_texts("blew up")[1:3] == [f"{up}/{SEEDS}", f"0/{SEEDS}"]

        verdict = "\n".join(view.query_one(Explanation).verdict)
        assert "✓" in verdict and f"blew up on {up}/{SEEDS} seeds" in verdict
        assert f"at lr/32 on 0/{SEEDS}" in verdict
        chart = view.query_one(CurvesChart)
        assert len(chart.curves) == 5 and "mean = sum/B" in str(chart.border_title)
        assert "┤" in str(chart.render())  # plotext built, the blown-up curve included

        rows = view.export_rows()
        check_export(rows)
        assert len(rows) == 5 + 2 * (SEEDS - 1)
        unscaled = [r for r in rows if r["loss"] == "mse-sum" and r["lr"] == 0.03]
        assert len(unscaled) == SEEDS and sum(bool(r["blew_up"]) for r in unscaled) == up


async def test_mean_vs_sum_names_the_short_batch() -> None:
    app = make_app(RunConfig(num_train=100, num_val=50, epochs=1))  # 100 = 3×32 + 4
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, MeanVsSumView.VIEW_ID)
        await run_to_end(pilot, app)
        verdict = app.query_one(MeanVsSumView).query_one(Explanation).verdict
        assert "(last batch: 4 of 32)" in verdict[0]


async def test_robust_loss_huber_resists_outliers_and_agrees_on_clean_data() -> None:
    config = RunConfig(
        num_train=500, num_val=100, lr=0.1, epochs=10, outliers=0.1, outlier_scale=100.0
    )
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, RobustLossView.VIEW_ID)
        await run_to_end(pilot, app)
        view = app.query_one(RobustLossView)
        table = view.query_one(ExerciseTable)
        assert table.column_texts("loss") == ["MSE", "Huber", "smooth-L1"]
        clean = [float(t) for t in table.column_texts("‖w-ŵ‖ clean")]
        dirty = [float(t) for t in table.column_texts("‖w-ŵ‖ outl.")]
        assert dirty[1] * 20 < dirty[0]  # Huber stays close, MSE is dragged away
        assert max(clean[:2]) <= 3 * min(clean[:2])  # clean: they agree
        assert dirty[1] == dirty[2]  # δ = 1: Huber and smooth-L1 train identically
        verdict = "\n".join(view.query_one(Explanation).verdict)
        assert "they agree" in verdict and "Huber" in verdict and "closer" in verdict
        assert "δ = 1" in verdict
        rows = view.export_rows()
        check_export(rows)
        assert [r["data"] for r in rows] == ["clean"] * 3 + ["outliers"] * 3


async def test_robust_loss_says_which_loss_diverged_and_the_job_ends_at_100_percent() -> None:
    app = make_app(RunConfig(num_train=200, num_val=50, lr=9.0, epochs=9))
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, RobustLossView.VIEW_ID)
        await run_to_end(pilot, app)
        view = app.query_one(RobustLossView)
        table = view.query_one(ExerciseTable)
        assert table.column_texts("status")[0] == "diverged"  # MSE, whose gradient is not capped
        assert table.ordered_columns[1].label.plain == "status"  # on screen at 80 columns
        assert any("MSE diverged" in line for line in view.query_one(Explanation).verdict)
        assert app.status.text.startswith("done")
        bar = app.status.query_one(ProgressBar)
        assert bar.percentage == 1.0  # the job is over, though a run stopped early


@pytest.mark.parametrize("delta", [1.0, 2.0, 0.5])
@pytest.mark.parametrize("outliers", [0.0, 0.1])
async def test_robust_legend_joins_huber_and_smooth_l1_only_when_their_curves_are_equal(
    delta: float, outliers: float
) -> None:
    """At δ = 1 Huber's curve lay hidden under smooth-L1's, unnamed (issue 12, point 11):
    the legend now says they are one, when computed equal; at δ ≠ 1 both are named."""
    config = RunConfig(num_train=200, num_val=50, delta=delta, outliers=outliers)
    app = make_app(replace(config, outlier_scale=100.0))
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, RobustLossView.VIEW_ID)
        await run_to_end(pilot, app)
        view = app.query_one(RobustLossView)
        chart = view.query_one(CurvesChart)
        legend = Content.from_markup(str(chart.border_subtitle)).plain
        pairs = zip(view.pair("huber"), view.pair("smooth-l1"), strict=True)
        equal = [same_curves(h.records, s.records) for h, s in pairs if h and s]
        assert len(equal) == (2 if outliers else 1) and legend.startswith("━ MSE")
        if delta == 1:
            assert all(equal) and "━ Huber = smooth-L1 (δ=1)" in legend
            assert legend.count("━") == 2
        else:
            assert not any(equal) and "=" not in legend
            assert "━ Huber" in legend and "━ smooth-L1" in legend


def test_same_curves_holds_within_its_tolerance_and_no_further() -> None:
    def runs(*errors: float) -> list[EpochRecord]:
        return [EpochRecord(i, i, 1.0, 1.0, 1.0, (0.0,), 0.0, (e,), 0.0, None, None, False, 0.0)
                for i, e in enumerate(errors)]  # fmt: skip

    a = runs(3.0, 1.0, 0.5)
    assert same_curves(a, runs(3.0, 1.0, 0.5 * (1 + SAME_REL / 2)))
    assert not same_curves(a, runs(3.0, 1.0, 0.5 * (1 + SAME_REL * 2)))
    assert same_curves(a, runs(3.0, 1.0))  # the epochs both reached (a run in progress)
    assert not same_curves(a[:1], a[:1])  # the start alone says nothing
    assert same_curves(runs(3.0, math.inf), runs(3.0, math.inf))
    assert not same_curves(runs(3.0, math.inf), runs(3.0, math.nan))


async def test_robust_loss_without_outliers_says_how_to_add_them() -> None:
    app = make_app(RunConfig(num_train=100, num_val=50, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, RobustLossView.VIEW_ID)
        await run_to_end(pilot, app)
        view = app.query_one(RobustLossView)
        assert len(view.runs) == 3
        assert any("outliers is 0" in line for line in view.query_one(Explanation).verdict)


async def test_gradients_table_has_each_epoch_and_the_norm_falls() -> None:
    app = make_app(RunConfig(num_train=200, num_val=100, epochs=8))
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, GradientsView.VIEW_ID)
        await run_to_end(pilot, app)
        view = app.query_one(GradientsView)
        table = view.query_one(ExerciseTable)
        assert table.column_texts("epoch") == [str(e) for e in range(1, 9)]
        norms = [float(t) for t in table.column_texts("‖∇‖")]
        assert norms[-1] < norms[0]
        first = view.records[1]
        assert first.weight_grad is not None
        assert table.column_texts("w.grad[0]")[0] == f"{first.weight_grad[0]:.2e}"
        assert view.query_one(Explanation).verdict[0].startswith("[$success]✓")
        assert len(view.query_one(CurvesChart).curves["grad"].points) == 8
        check_export(view.export_rows())


@pytest.mark.parametrize(
    ("view_id", "values"),
    [
        (MeanVsSumView.VIEW_ID, MeanVsSumView.SUGGESTED),
        (RobustLossView.VIEW_ID, RobustLossView.SUGGESTED),
        (GradientsView.VIEW_ID, GradientsView.SUGGESTED),
    ],
)
async def test_keyboard_reaches_suggestion_table_and_explanation(
    view_id: str, values: dict[str, object]
) -> None:
    app = make_app(RunConfig(num_train=64, num_val=32, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, view_id)
        view = app.view
        seen: set[str] = set()
        app.form.focus_field("seed")  # the form's last field: tab leaves the form next
        for _ in range(8):
            if {"Button", "ExerciseTable", "Explanation"} <= seen:
                break
            await pilot.press("tab")
            focused = app.focused
            if focused is not None and view in focused.ancestors:
                seen.add(type(focused).__name__)
                if isinstance(focused, Button):
                    await pilot.press("enter")  # fill the form with the suggestion
        assert {"Button", "ExerciseTable", "Explanation"} <= seen
        for name, value in values.items():
            assert float(app.query_one(f"#{name}", Input).value) == value
        # the form started at n 64, 1 epoch: the suggestion leaves nothing of it behind
        assert app.form.read_config() == RunConfig.from_mapping(values, base=RunConfig())
        explanation = view.query_one(Explanation)
        explanation.focus()
        await pilot.pause()
        assert view.has_class("-reading")  # the text gets the chart's rows
        assert not view.query_one(CurvesChart).display
        assert explanation.outer_size.height >= 9  # not its 5 rows of an 80x24 terminal
        await pilot.press("pagedown", "f3")
        assert not view.has_class("-reading")


async def test_a_cancelled_job_keeps_what_finished() -> None:
    app = make_app(replace(RunConfig(), num_train=20_000, num_val=100, batch_size=1))
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, MeanVsSumView.VIEW_ID)
        await app.run_action("run")
        await pilot.pause(0.3)
        await app.run_action("cancel")
        while app.running:
            await pilot.pause(0.05)
        view = app.query_one(MeanVsSumView)
        assert view.runs[0].status == "cancelled"
        assert view.query_one(ExerciseTable).column_texts("status")[1] == "waiting"
        assert app.is_running
