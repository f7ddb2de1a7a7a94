"""Prediction beside measurement in the exercise views (issue 13): the lr grid's verdict
under each lr, the mean vs sum edges with and without ÷B, the dashed predicted error of
the size view, and findings that quote both."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import pytest
from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.theory import stability, theory
from linreg_tui.lab.predict import FINE_LRS
from linreg_tui.lab.text import fmt_lr
from linreg_tui.lab.verdicts import predicted_regime
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.views.mean_vs_sum import SUM, MeanVsSumView
from linreg_tui.ui.views.sizes import SizesView
from linreg_tui.ui.widgets.explanation import Explanation
from linreg_tui.ui.widgets.sweep_charts import SizeChart, dashes
from linreg_tui.ui.widgets.sweep_tables import GridTable, SizeTable
from tests.ui.conftest import SIZE, make_app, run_to_end, wait_for

BOOK = RunConfig()


def label(table: GridTable, row: int) -> list[str]:
    return table.get_row_at(row)[0].plain.split()


async def test_the_lr_grid_is_fine_and_gives_each_lr_its_predicted_verdict() -> None:
    app = make_app(BOOK)
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("lr-grid")
        await run_to_end(pilot, app)
        table = app.query_one(GridTable)
        assert table.lrs == FINE_LRS and len(FINE_LRS) == 20
        ratios = [b / a for a, b in itertools.pairwise(FINE_LRS)]
        assert max(ratios) < 1.6 and min(ratios) > 1.3  # log-spaced, 0.003 to 3
        th = theory(replace(BOOK, epochs=30))
        for row, lr in enumerate(table.lrs):
            assert label(table, row) == [f"{lr:g}", stability(lr, th)]
        hint = str(app.query_one("#lr-grid .sweep-hint").render())
        assert f"η_MS {fmt_lr(th.lr_ms_max)}" in hint and f"η_GD {fmt_lr(th.lr_gd_max)}" in hint
        text = str(app.query_one("#grid-explanation").render())
        assert "predicted stable (lr 0.003–0.7): 0 of 16 ended above their start, ✓ agrees" in text
        assert "predicted diverges (lr 1–3): 4 of 4 ended above their start, ✓ agrees" in text
        assert "disagrees" not in text
        rows = app.view.export_rows()
        assert {r["predicted"] for r in rows} == {"stable", "diverges"}
        assert rows[0]["lr_gd_max"] == th.lr_gd_max


async def test_a_disagreement_is_named() -> None:
    """Claim stable where the run blew up: the finding names the lr (a forged verdict)."""
    app = make_app(BOOK)
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("lr-grid")
        app.query_one("#grid-lrs", Input).value = "0.03, 3"
        await run_to_end(pilot, app)
        table = app.query_one(GridTable)
        forged = {k: replace(c, predicted="stable") for k, c in table.cells.items()}
        table.cells = forged
        app.view._explain()  # type: ignore[attr-defined]
        text = str(app.query_one("#grid-explanation").render())
        assert "lr 3 disagrees: blew up after 30 epochs" in text and "✗ disagrees" in text


async def test_mean_vs_sum_shows_both_edges_and_checks_the_sum_at_lr() -> None:
    app = LinregApp(config=BOOK, warm_torch=True)  # the meter's theories need torch loaded
    async with app.run_test(size=SIZE) as pilot:
        app.show_view(MeanVsSumView.VIEW_ID)
        view = app.query_one(MeanVsSumView)
        await wait_for(pilot, lambda: view.prediction is not None)
        await pilot.pause()
        mean, summed = theory(BOOK), theory(replace(BOOK, loss="mse-sum"))
        lines = view.query_one(Explanation).verdict
        assert lines[0] == (
            f"predicted on this data (B = 32): mean loss η_MS {fmt_lr(mean.lr_ms_max)} · "
            f"η_GD {fmt_lr(mean.lr_gd_max)}"
        )
        assert f"the same ÷B: η_MS {fmt_lr(summed.lr_ms_max)}" in lines[1]
        assert summed.lr_gd_max == pytest.approx(mean.lr_gd_max / 32)
        assert lines[2] == "sum at lr 0.03 (a mean's 0.96): ×1.12/step past η_GD: expect divergence"
        assert lines[3] == f"sum at lr/B {fmt_lr(0.03 / 32)} (a mean's 0.03): stable"
        await run_to_end(pilot, app, timeout=60)
        assert view.runs[SUM].blew_up()
        verdict = view.query_one(Explanation).verdict
        assert "sum at lr, this seed: predicted diverges, blew up: [$success]✓ agrees[/]" in verdict


async def test_the_size_view_draws_the_prediction_dashed_and_names_regimes_by_it() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("sizes")
        app.query_one("#sizes-sizes", Input).value = "20, 640, 10240"
        app.query_one("#sizes-seeds", Input).value = "3"
        await run_to_end(pilot, app)
        view = app.query_one(SizesView)
        chart = app.query_one(SizeChart)
        (dashed,) = [s for s in chart.series if s.dashed]
        assert list(dashed.errors) == [s.predicted_w_error for s in view.summaries]
        assert "┄ predicted" in str(chart.border_subtitle)
        assert "┤" in str(chart.render())
        regimes = [str(app.query_one(SizeTable).get_row_at(i)[1]) for i in range(3)]
        assert regimes == [predicted_regime(s.predicted_terms_w) for s in view.summaries]
        assert regimes == ["too few steps", "too few steps", "lr plateau"]
        text = str(app.query_one("#sizes-explanation").render())
        assert "predicted ‖w−ŵ‖ (dashed) vs measured mean: within 2× at 3 of 3 sizes" in text
        assert "lr plateau (largest term: noise ball): n = 10240" in text
        rows = view.export_rows()
        assert [r["predicted_w_error"] for r in rows] == dashed.errors
        assert [r["predicted_b_error"] for r in rows] == [
            s.predicted_b_error for s in view.summaries
        ]


async def test_a_diverging_prediction_never_reaches_plotext() -> None:
    app = make_app(RunConfig(lr=1.5))
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("sizes")
        app.query_one("#sizes-sizes", Input).value = "20, 40"
        app.query_one("#sizes-seeds", Input).value = "2"
        await run_to_end(pilot, app)
        view = app.query_one(SizesView)
        assert all(math.isinf(s.predicted_w_error) for s in view.summaries)
        str(app.query_one(SizeChart).render())  # built, no exception
        assert all(r["predicted_w_error"] is None for r in view.export_rows())


def test_dashes_leave_gaps_along_the_line() -> None:
    xs, ys = dashes([(0.0, 0.0), (4.0, 4.0)], columns=40)
    assert len(xs) == len(ys) and xs[0] == 0.0 and xs[-1] == 4.0
    steps = [b - a for a, b in itertools.pairwise(xs)]
    assert max(steps) > 2 * min(steps)  # gaps between dashes
    assert all(y == x for x, y in zip(xs, ys, strict=True))  # on the line
    assert len(xs) < 2 * 40  # not every braille dot
