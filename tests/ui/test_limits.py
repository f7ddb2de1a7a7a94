"""Resource bounds: a run or a job that would need hours or too much memory is refused up
front, with an estimate, in the app and on the command line; the help states the limits."""

from __future__ import annotations

import re

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from linreg_tui.cli import main
from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.limits import LIMITS
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.widgets.help_screen import HelpScreen
from tests.ui.conftest import SIZE, make_app

ESTIMATE = re.compile(r"about [\d.,e+]+ (GiB|PiB|TiB|s|min|h|days)")
"""'about 112 GiB', 'about 37 days': a refusal says what the setting would cost."""
MANY_LARGE = ",".join(str(10_000_000 + k) for k in range(10))  # each fits; all ten: 9 M steps
MANY_LRS = ",".join(f"{0.01 + k * 1e-6:.6f}" for k in range(1000))  # 1000 lrs side by side


async def refusal(pilot: Pilot[None], app: LinregApp, control: Input, text: str) -> str:
    """Type `text` into `control`, ctrl+r; the status message, once checked."""
    control.value = text
    await pilot.pause(0.01)  # its Changed lands first, as it does for a typist
    await app.run_action("run")
    await pilot.pause(0.01)
    message = app.status.text
    assert not app.running and app.run_id == 0, message
    assert app.focused is control, (text, app.focused)
    assert control.value == text
    assert ESTIMATE.search(message), message
    return message


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("num_train", "1e10", "num_train is too large: the run would need about"),
        ("num_val", "10000000000", "num_val is too large"),
        ("epochs", "1e9", "epochs is too large: 1,000,000,000 epochs x"),
        ("steps", "1e12", "steps is too large"),
        ("batch_size", "1", "batch_size is too large"),  # with num_train 10^7: 10^7 steps
    ],
)
async def test_a_run_too_large_is_refused_with_an_estimate(
    name: str, text: str, words: str
) -> None:
    app = make_app(RunConfig(num_train=10_000_000 if name == "batch_size" else 1000))
    async with app.run_test(size=SIZE) as pilot:
        field = app.form.controls[name]
        assert isinstance(field, Input)
        assert words in await refusal(pilot, app, field, text)


async def test_a_job_of_many_runs_is_held_to_the_limit_of_one() -> None:
    """Mean vs sum trains 43 runs: 100 000 epochs each is fine alone, hours in all."""
    app = make_app(RunConfig(epochs=100_000))
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("mean-vs-sum")
        await pilot.pause(0.01)
        field = app.form.controls["epochs"]
        assert isinstance(field, Input)
        message = await refusal(pilot, app, field, "100000")
        assert "epochs is too large" in message and "43 runs" in message
        assert "limit is 5,000,000 SGD steps for a whole job" in message


@pytest.mark.parametrize(
    ("view", "field", "text", "words"),
    [
        ("sizes", "sizes-seeds", "1000000", "1,000,000 seeds x 12 sizes would be 12,000,000 runs"),
        ("sizes", "sizes-seeds", "1e6", "GiB of data at once"),
        ("sizes", "sizes-sizes", "1e9, 10", "sizes 1000000000: num_train is too large"),
        ("sizes", "sizes-sizes", MANY_LARGE, "sizes is too large: 50 runs"),
        ("lr-grid", "grid-lrs", MANY_LRS, "lrs is too large: 1,000 runs"),
        ("lr-grid", "grid-epochs_list", "1, 1e6", "epochs_list 1000000: epochs is too large"),
    ],
    ids=["seeds", "seeds-1e6", "huge-size", "many-large-sizes", "many-lrs", "huge-epochs"],
)
async def test_a_sweep_too_large_is_refused_with_an_estimate(
    view: str, field: str, text: str, words: str
) -> None:
    app = make_app(RunConfig(num_train=50_000))  # the grid's 30 epochs: 4.6e9 with 1000 lrs
    async with app.run_test(size=SIZE) as pilot:
        app.show_view(view)
        await pilot.pause(0.01)
        control = app.query_one(f"#{field}", Input)
        message = await refusal(pilot, app, control, text)
        assert words in message, message
        assert words in str(app.query_one(f"#{field}-error", Static).render())


async def test_f1_states_the_limits() -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-limits", Static).render())
        assert "5,000,000 SGD steps" in text and "2 GiB" in text and "1,000" in text


# -- the command line -------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of one call."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["run", "--num-train", "1e10"], "--num-train is too large: the run would need about"),
        (["run", "--epochs", "1e9"], "--epochs is too large"),
        (["sweep", "sizes", "--seeds", "1000000"], "1,000,000 seeds x 12 sizes would be"),
        (["sweep", "sizes", "--sizes", MANY_LARGE], "--sizes is too large: 50 runs"),
        (["sweep", "lr", "--lrs", MANY_LRS, "--epochs-list", "1000"], "--lrs is too large"),
    ],
    ids=["num-train", "epochs", "seeds", "many-large-sizes", "many-lrs"],
)
def test_the_command_line_refuses_the_same_with_an_estimate(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    code, out, err = cli(capsys, *argv)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert words in err and ESTIMATE.search(err), err


@pytest.mark.parametrize("command", [["run"], ["tui"], ["sweep", "sizes"], ["sweep", "lr"]])
def test_help_states_the_limits(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = cli(capsys, *command, "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "limits:" in flat and " ".join(LIMITS.split()) in flat
