"""`linreg-tui trace` (issue 14): a strict JSON line per SGD step, ending on `run`'s result."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import cli, read_csv, strict_lines

SETTINGS = {
    "book": [],
    "ravine": ["--scales", "1,0.2", "--correlation", "0.5", "--lr", "0.4", "--epochs", "2"],
    "short-last-batch": ["--num-train", "100", "--batch-size", "30", "--loss", "huber"],
    "diverges": ["--lr", "3", "--batch-size", "10"],
}


@pytest.mark.parametrize("flags", SETTINGS.values(), ids=SETTINGS.keys())
def test_the_last_line_is_what_run_reports(
    capsys: pytest.CaptureFixture[str], flags: list[str]
) -> None:
    code, out, err = cli(capsys, "trace", "--json", "--no-record", *flags)
    assert (code, err) == (0, "")
    lines = strict_lines(out)
    assert all(set(line) == {"step", "epoch", "w_hat", "b_hat", "batch_loss"} for line in lines)
    assert [line["step"] for line in lines] == list(range(len(lines)))
    assert lines[0]["epoch"] == 0 and lines[0]["batch_loss"] is None  # the initial weights
    code, out, _ = cli(capsys, "run", "--json", "--no-record", *flags)
    final = strict_lines(out)[-1]
    last = lines[-1]
    assert (last["step"], last["epoch"]) == (final["steps"], final["epoch"])
    assert (last["w_hat"], last["b_hat"]) == (final["w_hat"], final["b_hat"])  # None for nan


def test_full_batch_starts_at_the_same_weights_one_pass_a_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tiny = ["--num-train", "64", "--batch-size", "16", "--epochs", "2", "--no-record"]
    _, out, _ = cli(capsys, "trace", "--json", *tiny)
    sgd = strict_lines(out)
    code, out, _ = cli(capsys, "trace", "--json", "--full-batch", *tiny)
    gd = strict_lines(out)
    assert code == 0 and len(gd) == len(sgd) == 9
    assert (gd[0]["w_hat"], gd[0]["b_hat"]) == (sgd[0]["w_hat"], sgd[0]["b_hat"])
    assert [line["epoch"] for line in gd] == list(range(9))
    assert gd[-1]["w_hat"] != sgd[-1]["w_hat"]


def test_table_and_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "trace.csv"
    code, out, err = cli(capsys, "trace", "--steps", "5", "--csv", str(path), "--no-record")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[1].split() == ["step", "epoch", "batch", "loss", "w_hat", "b_hat"]
    assert [line.split()[:3] for line in lines[3:5]] == [["0", "0", "-"], ["1", "1", "2.795e+01"]]
    columns, rows = read_csv(path)
    assert columns == ["step", "epoch", "w_hat_1", "w_hat_2", "b_hat", "batch_loss"]
    assert [row["step"] for row in rows] == ["0", "1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--average"], "--average must be off"),
        (["--scales", "1,2,3"], "--scales must be positive finite numbers, one per weight"),
        (["--correlation", "1"], "--correlation must be above -1 and below 1"),
        (
            ["--w", ",".join(["1"] * 10), "--num-train", "100000", "--steps", "5000000"],
            "--steps is too large: a trace of 5,000,000",
        ),
    ],
)
def test_refusals_name_the_flag(
    capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    code, out, err = cli(capsys, "trace", "--no-record", *flags)
    assert code == 2 and out == ""
    assert message in err and len(err.splitlines()) == 1
