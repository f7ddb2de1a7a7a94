"""The command line and the app give the same rows the same labels (issue 11, rule 3): the
same sweep, run by both front ends, is worded alike on screen and in the history."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from linreg_tui.cli import main
from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.verdicts import REGIMES
from linreg_tui.store.history import History
from linreg_tui.ui.views.sizes import SizesView
from linreg_tui.ui.widgets.sweep_tables import SizeTable
from tests.ui.conftest import SIZE, make_app, run_to_end

SIZES = "5,80,1280,10240"
"""From too few steps (n = 5) to the noise ball (n = 10240) at the book's settings."""


def cli_regimes(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The last column of `sweep sizes`' per-size summary."""
    assert main(["sweep", "sizes", "--sizes", SIZES, "--seeds", "2", "--no-record"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# per size")) + 3
    summary = lines[start : start + len(SIZES.split(","))]
    return [next(r for r in (*REGIMES, "diverged") if r in line) for line in summary]


async def test_the_size_sweep_has_the_same_regimes_on_the_command_line_and_in_the_app(
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = cli_regimes(capsys)
    assert expected[0] == "too few steps" and len(set(expected)) > 1  # a real comparison
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("sizes")
        await pilot.pause()
        app.query_one("#sizes-sizes", Input).value = SIZES.replace(",", ", ")
        app.query_one("#sizes-seeds", Input).value = "2"
        await run_to_end(pilot, app)
        table = app.query_one(SizeTable)
        shown = [table.get_row_at(i)[1].plain for i in range(table.row_count)]
        assert [s.size for s in app.query_one(SizesView).summaries] == [5, 80, 1280, 10240]
    assert shown == expected


async def test_the_loss_variants_have_the_same_names_on_the_command_line_and_in_the_app(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = RunConfig(num_train=64, num_val=16, epochs=1)
    assert main(["sweep", "loss", "--num-train", "64", "--num-val", "16", "--epochs", "1"]) == 0
    printed = capsys.readouterr().out
    app = make_app(config)
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("mean-vs-sum")
        await pilot.pause()
        await run_to_end(pilot, app)
    with History(db) as history:
        app_run, cli_run = (history.get(s.id) for s in history.list_runs(kind="sweep-loss"))
    assert (app_run.source, cli_run.source) == ("app", "cli")
    cli_labels = [row["label"] for row in cli_run.rows]
    assert [row["label"] for row in app_run.rows][: len(cli_labels)] == cli_labels
    assert all(label in printed for label in cli_labels)
    assert {e.variant for e in cli_run.records} == set(cli_labels)
