"""A view warns when the form's settings contradict what its text explains, and its checks
do not claim what the numbers no longer show (issue 12, point 4)."""

from __future__ import annotations

from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.ui.views.gradients import GradientsView
from linreg_tui.ui.widgets.explanation import Explanation
from tests.ui.conftest import SIZE, make_app, run_to_end


async def test_gradients_on_corrupted_labels_warn_and_drop_the_noise_floor_claim() -> None:
    app = make_app(RunConfig(outliers=0.1, outlier_scale=100.0, epochs=8, num_train=256))
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("gradients")
        await pilot.pause()
        await run_to_end(pilot, app)
        warned = [n.message for n in app._notifications]
        assert any("outliers 0.1 (the text assumes 0)" in m for m in warned)
        verdict = " ".join(app.query_one(GradientsView).query_one(Explanation).verdict)
        assert "label noise alone gives" not in verdict and "does not apply" in verdict


async def test_the_size_view_warns_when_epochs_differ_from_its_text() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("sizes")
        await pilot.pause()
        app.query_one("#epochs", Input).value = "20"
        app.query_one("#sizes-sizes", Input).value = "5, 10"
        app.query_one("#sizes-seeds", Input).value = "1"
        await run_to_end(pilot, app)
        assert any("epochs 20 (the text assumes 3)" in n.message for n in app._notifications)
