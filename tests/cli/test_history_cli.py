"""`linreg-tui history ...`: list, show, export and rm of what the recorder wrote."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest

from linreg_tui.cli import main
from linreg_tui.cli.history import add_history_parser, run_history
from linreg_tui.cli.parser import build_parser
from linreg_tui.engine.config import RunConfig
from linreg_tui.engine.training import train
from linreg_tui.lab.plans import single_run, sizes_plan
from linreg_tui.lab.record import HistoryHandle, Recorder

TINY = RunConfig(num_train=32, num_val=32, epochs=2)
DIVERGING = replace(TINY, lr=50.0, batch_size=1)


def history(*argv: str) -> int:
    """Run `linreg-tui history ...` through the real parser; return the exit status."""
    return run_history(build_parser(add_history_parser).parse_args(["history", *argv]))


def record(cfg: RunConfig = TINY, db: str | None = None, label: str | None = None) -> int:
    """Record one run of `cfg` the way `linreg-tui run` does; its history id."""
    recorder = Recorder(single_run(cfg), HistoryHandle(db), source="cli", label=label)
    with recorder, recorder.events() as events:
        list(events)
    assert recorder.run_id is not None
    return recorder.run_id


# --- history list / show / export / rm -----------------------------------------------------


def test_list_shows_the_runs_newest_first_and_filters(capsys: pytest.CaptureFixture[str]) -> None:
    plain = record()
    huber = record(replace(TINY, loss="huber", lr=0.3))
    assert history() == 0
    lines = capsys.readouterr().out.splitlines()
    assert "val MSE" in lines[1]
    rows = [line.split() for line in lines[3:]]
    assert [row[0] for row in rows] == [str(huber), str(plain)]
    assert rows[0][3:9] == ["run", "huber", "0.3", "32", "2", "done"]
    assert history("list", "--loss", "huber") == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()[3:]] == [str(huber)]
    assert history("--lr", "0.03", "--json") == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["id"] == plain


def test_list_with_no_database_yet_says_so_and_creates_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert history() == 0
    assert "no runs recorded yet" in capsys.readouterr().out
    assert not db.exists()


def test_show_prints_settings_status_and_every_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    run_id = record(DIVERGING)
    assert history("show", str(run_id)) == 0
    out = capsys.readouterr().out
    assert f"# run {run_id}: run from the command line, diverged" in out
    assert "lr=50" in out and "batch=1" in out
    assert out.rstrip().endswith("diverged")  # the last epoch's row is marked


@pytest.mark.parametrize(
    ("lr", "words"),
    [("3", ["inf", "2.370e+46", "2.081e+46"]), ("30", ["nan", "nan", "nan"])],
    ids=["overflow-inf", "nan"],
)
def test_run_and_history_show_print_the_same_word_for_a_diverged_run(
    capsys: pytest.CaptureFixture[str], lr: str, words: list[str]
) -> None:
    """Issue 12: `run` printed train loss inf where `history show` printed nan."""
    assert main(["run", "--lr", lr, "--epochs", "1"]) == 0
    ran = capsys.readouterr().out.splitlines()
    assert history("show", "1") == 0
    shown = capsys.readouterr().out.splitlines()
    for lines in (ran, shown):  # epoch, steps, then train loss, train MSE, val MSE
        last = next(line for line in reversed(lines) if line.endswith("diverged"))
        assert last.split()[:5] == ["1", "32", *words], last


def test_show_json_is_strict_with_null_for_non_finite(capsys: pytest.CaptureFixture[str]) -> None:
    run_id = record(DIVERGING)
    assert history("show", str(run_id), "--json") == 0
    shown = json.loads(capsys.readouterr().out, parse_constant=pytest.fail)
    assert shown["config"]["lr"] == 50 and shown["status"] == "diverged"
    assert shown["epochs"][-1]["val_mse"] is None and shown["epochs"][-1]["diverged"] is True
    assert shown["epochs"][0]["weight_grad"] is None


def test_export_writes_one_csv_row_per_epoch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = list(train(TINY))
    run_id = record()
    out = tmp_path / "run.csv"
    assert history("export", str(run_id), "--csv", str(out)) == 0
    rows = list(csv.DictReader(out.open()))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    assert float(rows[-1]["w_hat_2"]) == records[-1].w_hat[1]
    assert rows[0]["weight_grad_1"] == "" and rows[-1]["diverged"] == "false"


def test_export_of_a_sweep_has_the_sweeps_csv_columns(tmp_path: Path) -> None:
    plan = sizes_plan(TINY, [5], 2)
    recorder = Recorder(plan, HistoryHandle(), source="cli")
    with recorder, recorder.events() as events:
        list(events)
    out = tmp_path / "sizes.csv"
    assert history("export", str(recorder.run_id), "--csv", str(out)) == 0
    header = out.read_text().splitlines()[0]
    assert header == (
        "size,seed,train_mse,val_mse,w_error_1,w_error_2,b_error,"
        "lstsq_w_error_1,lstsq_w_error_2,lstsq_b_error,predicted_w_error,predicted_b_error,"
        "diverged"
    )


def test_export_to_a_bad_path_fails_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = record()
    assert history("export", str(run_id), "--csv", str(tmp_path / "no" / "run.csv")) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()


def test_rm_deletes_and_an_unknown_id_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_id = record()
    assert history("rm", str(run_id)) == 0
    assert capsys.readouterr().out == f"deleted run {run_id}\n"
    for action in ("rm", "show", "export"):
        argv = [action, str(run_id)] + (["--csv", "x.csv"] if action == "export" else [])
        assert history(*argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"no run with id {run_id}" in err


def test_a_file_that_is_not_a_database_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n" * 100)
    assert history("--db", str(bad)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a linreg-tui history database" in err


def test_db_flag_works_after_the_action_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.sqlite3"
    run_id = record(db=str(other))
    assert history("show", str(run_id), "--db", str(other)) == 0
    assert f"# run {run_id}: run" in capsys.readouterr().out
    assert history("--db", str(other), "list", "--kind", "run") == 0
    assert str(other) in capsys.readouterr().out
