"""One divergence vocabulary (issue 12, point 7): a run that ended far above its start is
called so in the app's tables and on the command line alike."""

from __future__ import annotations

import pytest

from linreg_tui.cli import main
from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.training import train
from linreg_tui.lab.verdicts import outcome

SUM_AT_THE_MEANS_LR = RunConfig(loss="mse-sum")  # d2l 3.5 ex. 1, seed 0: 33 -> 1.7e4


def test_a_done_run_that_blew_up_is_said_to_have_risen() -> None:
    records = list(train(SUM_AT_THE_MEANS_LR))
    assert not records[-1].diverged  # not a millionfold, and finite: the engine says done
    said = outcome("done", records[0], records[-1])
    assert said.startswith("rose ×") and float(said.split("×")[1]) > 100


def test_other_outcomes_keep_their_word() -> None:
    records = list(train(RunConfig(epochs=1)))
    assert outcome("done", records[0], records[-1]) == "done"
    assert outcome("cancelled", records[0], records[-1]) == "cancelled"
    diverged = list(train(RunConfig(lr=3.0, epochs=2)))
    assert outcome("done", diverged[0], diverged[-1]) == "diverged"


def test_the_command_line_says_rose_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--loss", "mse-sum", "--no-record"]) == 0
    assert "# rose ×" in capsys.readouterr().out
    assert main(["sweep", "loss", "--no-record"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("# mse-sum lr=0.03 ") and "rose ×" in line for line in lines)
