"""The command line, called as `main(argv)`: exit codes, messages, JSON, CSV and files."""

from __future__ import annotations

import csv
import importlib
import json
import os
import signal
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from linreg_tui import __version__
from linreg_tui.cli import main
from linreg_tui.engine.config import INIT_HELP, RunConfig

TINY = ["--num-train", "50", "--num-val", "50", "--epochs", "2"]
RECORD_KEYS = {
    "epoch", "steps", "train_loss", "train_mse", "val_mse", "w_hat", "b_hat", "w_error",
    "b_error", "weight_grad", "bias_grad", "diverged", "elapsed",
}  # fmt: skip


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of one call."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def strict_lines(text: str) -> list[dict[str, Any]]:
    """Every line parsed as strict JSON (NaN and Infinity refused)."""

    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name}")

    return [json.loads(line, parse_constant=refuse) for line in text.splitlines()]


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


# --- run ---------------------------------------------------------------------------------


def test_run_prints_a_table_row_per_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", *TINY)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("# w=2,-3.4 b=4.2")
    assert lines[1].split()[:5] == ["epoch", "steps", "train", "loss", "train"]
    assert [line.split()[0] for line in lines[3:]] == ["0", "1", "2"]
    assert "diverged" not in out


def test_run_json_is_one_strict_object_per_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "run", *TINY, "--json")
    records = strict_lines(out)
    assert code == 0
    assert [r["epoch"] for r in records] == [0, 1, 2]
    assert all(r.keys() >= RECORD_KEYS for r in records)
    assert len(records[-1]["w_hat"]) == 2
    assert records[-1]["val_mse"] < records[0]["val_mse"]


def test_diverging_run_says_so_with_nulls_not_nan(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", "--lr", "3", "--batch-size", "1", "--num-train", "50", "--num-val", "50"]
    code, out, _ = cli(capsys, *argv, "--epochs", "1", "--json")
    last = strict_lines(out)[-1]
    assert code == 0
    assert last["diverged"] is True
    assert None in (last["train_loss"], last["train_mse"], *last["w_hat"])
    code, out, _ = cli(capsys, *argv, "--epochs", "1")
    assert out.splitlines()[-2].endswith("diverged")
    assert "try a smaller --lr" in out.splitlines()[-1]


def test_run_csv_has_one_row_per_epoch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    code, _, _ = cli(capsys, "run", *TINY, "--w", "1,2,3", "--csv", str(path))
    columns, rows = read_csv(path)
    assert code == 0
    head = ["epoch", "steps", "train_loss", "train_mse", "val_mse", "w_hat_1", "w_hat_2"]
    assert columns[:8] == [*head, "w_hat_3"]
    assert {"b_hat", "w_error_3", "b_error", "weight_grad_3", "bias_grad"} <= set(columns)
    assert columns[-2:] == ["diverged", "elapsed"]
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert rows[0]["weight_grad_1"] == ""  # no gradient before the first step
    assert rows[-1]["diverged"] == "false"


def test_negative_values_after_flags_are_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "cfg.json"
    code, _, err = cli(
        capsys, "run", *TINY, "--w", "-3.4,2", "--b", "-1e-1", "--save-config", str(saved)
    )
    assert (code, err) == (0, "")
    assert json.loads(saved.read_text())["w"] == [-3.4, 2.0]
    assert json.loads(saved.read_text())["b"] == -0.1


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "value", "rule"),
    [
        ("--lr", "", "positive finite number"),
        ("--lr", "fast", "positive finite number"),
        ("--lr", "nan", "positive finite number"),
        ("--lr", "inf", "positive finite number"),
        ("--lr", "-0.1", "positive finite number"),
        ("--b", "-inf", "finite number"),
        ("--noise", "-1", "zero or a positive"),
        ("--epochs", "-1", "whole number of at least 1"),
        ("--num-train", "0", "whole number of at least 1"),
        ("--batch-size", "2.5", "whole number"),
        ("--seed", "-1", "from 0 to 2**63 - 1"),
        ("--outliers", "1.5", "between 0 and 1"),
        ("--w", "2;-3.4", "'2;-3.4' is not a number"),
        ("--w", "2 -3.4", "is not a number"),
        ("--w", "2,,-3.4", "an element is empty"),
        ("--w", "2,", "an element is empty"),
        ("--w", "", "an element is empty"),
        ("--w", "2,nan", "finite numbers"),
        ("--num-train", "1e12", "is too large"),
    ],
)
def test_bad_value_names_the_flag_and_rule_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str, value: str, rule: str
) -> None:
    path = tmp_path / "out.csv"
    code, out, err = cli(capsys, "run", flag, value, "--csv", str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"linreg-tui run: error: {flag} ")
    assert rule in err
    assert not path.exists()


def test_unknown_loss_lists_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "run", "--loss", "l1")
    assert code == 2
    assert err.count("\n") == 1
    assert "--loss" in err and "'l1'" in err and "mse-mean" in err and "smooth-l1" in err


@pytest.mark.parametrize(
    "argv",
    [["frobnicate"], ["run", "--bogus"], ["run", "--lr"], ["sweep"], ["sweep", "speed"]],
)
def test_usage_errors_exit_2_in_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "error:" in err and "Traceback" not in err


@pytest.mark.parametrize("flag", ["--csv", "--save-config"])
def test_unwritable_output_fails_early_and_leaves_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str
) -> None:
    suffix = ".json" if flag == "--save-config" else ".csv"
    missing = tmp_path / "no" / f"such{suffix}"
    code, out, err = cli(capsys, "run", *TINY, flag, str(missing))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and flag in err and "No such file or directory" in err
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    code, out, err = cli(capsys, "run", *TINY, flag, str(folder))
    assert (code, out) == (2, "")
    assert ("is a folder" if flag == "--save-config" else "Is a directory") in err
    assert os.listdir(tmp_path) == [folder.name]
    assert os.listdir(folder) == []


def test_ctrl_c_exits_130_quietly_and_writes_no_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    train_module = importlib.import_module(
        "linreg_tui.engine.training"
    )  # the module, not the function

    real_train = train_module.train

    def interrupted(cfg: RunConfig, *args: Any, **kwargs: Any) -> Any:
        for record in real_train(cfg, *args, **kwargs):
            yield record
            raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "train", interrupted)
    path = tmp_path / "out.csv"
    code, out, err = cli(capsys, "run", *TINY, "--csv", str(path), "--json")
    assert (code, err) == (130, "")
    assert len(out.splitlines()) == 1  # the epoch that finished was shown
    assert os.listdir(tmp_path) == []  # neither the CSV nor its temp file


# --- config files ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_config_round_trip_gives_the_same_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"cfg{suffix}"
    flags = [*TINY, "--w", "1,-2,0.5", "--loss", "huber", "--delta", "0.5", "--seed", "7"]
    _, direct, _ = cli(capsys, "run", *flags, "--json", "--save-config", str(path))
    code, from_file, err = cli(capsys, "run", "--config", str(path), "--json")
    assert (code, err) == (0, "")
    strip = [{k: v for k, v in r.items() if k != "elapsed"} for r in strict_lines(direct)]
    again = [{k: v for k, v in r.items() if k != "elapsed"} for r in strict_lines(from_file)]
    assert again == strip


def test_flags_override_the_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "cfg.toml"
    path.write_text('lr = 0.1\nepochs = 1\nloss = "mse-sum"\naverage = true\n')
    saved = tmp_path / "saved.json"
    argv = ["run", "--config", str(path), "--lr", "0.2", "--no-average", *TINY[:4]]
    code, _, _ = cli(capsys, *argv, "--save-config", str(saved))
    values = json.loads(saved.read_text())
    assert code == 0
    assert (values["lr"], values["epochs"], values["loss"], values["average"]) == (
        0.2,
        1,
        "mse-sum",
        False,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("learning_rate = 0.1\n", "learning_rate is not a setting"),
        ('lr = "fast"\n', "lr must be a positive finite number"),
        ("epochs = 0\n", "epochs must be a whole number"),
        ("lr = \n", "is not valid TOML"),
        ('"lr\\u001b[31m" = 1\n', "is not a setting"),
    ],
)
def test_bad_config_file_names_the_file_and_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "cfg.toml"
    path.write_text(content)
    code, out, err = cli(capsys, "run", "--config", str(path))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "\x1b" not in err  # control characters escaped
    assert f"--config {path}" in err and message in err


def test_flag_wins_over_a_bad_value_in_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "cfg.json"
    path.write_text('{"lr": -1}')
    code, _, err = cli(capsys, "run", "--config", str(path), "--lr", "0.01", *TINY)
    assert (code, err) == (0, "")


# --- help, version, the app --------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [[], ["run"], ["tui"], ["sweep"], ["sweep", "sizes"], ["sweep", "lr"]]
)
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = cli(capsys, *command, "--help")
    assert code == 0
    assert out.startswith(f"usage: linreg-tui {' '.join(command)}".rstrip())


def test_help_explains_the_init_finding(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(capsys, "run", "--help")
    flat = " ".join(out.split())
    assert "--init {book,torch-default}" in flat
    assert " ".join(INIT_HELP["torch-default"].split()) in flat
    for flag in ("--num-train", "--outlier-scale", "--average, --no-average", "--steps"):
        assert flag in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "--version") == (0, f"linreg-tui {__version__}\n", "")


def fake_app(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Install a stand-in `linreg_tui.ui.app` and return the calls it sees."""
    calls: list[dict[str, Any]] = []

    class LinregApp:
        def __init__(self, **kwargs: Any) -> None:
            calls.append(kwargs)

        def run(self) -> None:
            calls.append({"ran": True})

    module = types.ModuleType("linreg_tui.ui.app")
    module.LinregApp = LinregApp  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "linreg_tui.ui.app", module)
    return calls


def test_no_command_runs_the_app(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = fake_app(monkeypatch)
    assert cli(capsys)[0] == 0
    assert calls == [{}, {"ran": True}]


def test_app_gets_the_config_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = fake_app(monkeypatch)
    path = tmp_path / "cfg.toml"
    path.write_text("lr = 0.1\n")
    assert cli(capsys, "--config", str(path))[0] == 0
    assert cli(capsys, "tui", "--config", str(path), "--epochs", "5")[0] == 0
    assert calls[0] == {"config": RunConfig(lr=0.1)}
    assert calls[2] == {"config": RunConfig(lr=0.1, epochs=5)}


def test_an_app_that_cannot_load_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "linreg_tui.ui.app", None)  # import raises ImportError
    code, out, err = cli(capsys, "tui")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "cannot start the terminal app" in err


# --- import hygiene and pipes ------------------------------------------------------------


def modules_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.splitlines()[-1].split())  # the last line; output comes before


def test_run_and_sweep_never_load_textual() -> None:
    modules = modules_after(
        "from linreg_tui.cli import main\n"
        "assert main(['run', '--epochs', '1', '--num-train', '10', '--num-val', '10']) == 0\n"
        "assert main(['sweep', 'loss', '--epochs', '1', '--num-train', '10']) == 0"
    )
    assert "torch" in modules
    assert not modules & {"textual", "rich", "plotext", "textual_plotext"}


def test_help_does_not_load_torch() -> None:
    modules = modules_after(
        "from linreg_tui.cli import main\nassert main(['--help']) == 0\n"
        "assert main(['run', '--help']) == 0"
    )
    assert "linreg_tui.cli" in modules
    assert "torch" not in modules


def closed_pipe(*argv: str) -> tuple[int, bytes]:
    """Exit status and stderr of a run whose reader leaves after the first line."""
    command = [sys.executable, "-m", "linreg_tui", "run", "--json", "--epochs", "3000"]
    command += ["--num-train", "4", "--num-val", "4", "--batch-size", "4", *argv]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert json.loads(proc.stdout.readline())["epoch"] == 0
        proc.stdout.close()
        err = proc.stderr.read()
        return proc.wait(timeout=60), err


def test_closed_pipe_ends_quietly() -> None:
    assert closed_pipe() == (0, b"")


def test_closed_pipe_with_csv_says_the_csv_is_not_written(tmp_path: Path) -> None:
    code, err = closed_pipe("--csv", str(tmp_path / "out.csv"))
    assert code == 1
    assert err.decode().endswith("not written: the output pipe closed before the end\n")
    assert err.count(b"\n") == 1
    assert os.listdir(tmp_path) == []


# --- sweeps ------------------------------------------------------------------------------

SMALL_SWEEP = ["--epochs", "1", "--batch-size", "10"]


def test_sweep_sizes_table_has_points_summary_and_slopes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = cli(capsys, "sweep", "sizes", "--sizes", "10,40", "--seeds", "2", *SMALL_SWEEP)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("# w=2,-3.4 b=4 ")  # the exercise's b, not run's 4.2
    points = [line.split()[:2] for line in lines[3:7]]
    assert points == [["10", "0"], ["10", "1"], ["40", "0"], ["40", "1"]]
    assert any("mean +- std" in line for line in lines)
    assert any(line.startswith("#   least squares (all sizes):  w ") for line in lines)


def test_sweep_sizes_csv_has_the_documented_columns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "sizes.csv"
    argv = ["sweep", "sizes", "--sizes", "10,20,40", "--seeds", "2", "--w", "1,2,3"]
    code, _, _ = cli(capsys, *argv, *SMALL_SWEEP, "--csv", str(path), "--json")
    columns, rows = read_csv(path)
    assert code == 0
    assert columns == [
        "size", "seed", "train_mse", "val_mse", "w_error_1", "w_error_2", "w_error_3",
        "b_error", "lstsq_w_error_1", "lstsq_w_error_2", "lstsq_w_error_3", "lstsq_b_error",
        "predicted_w_error", "predicted_b_error", "diverged",
    ]  # fmt: skip
    assert [(r["size"], r["seed"]) for r in rows] == [
        (size, seed) for size in ("10", "20", "40") for seed in ("0", "1")
    ]
    assert all(float(r["lstsq_b_error"]) < float(r["b_error"]) for r in rows)  # the floor


def test_sweep_sizes_json_lines_are_strict_and_typed(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", "sizes", "--sizes", "10,20", "--seeds", "2", *SMALL_SWEEP, "--json"]
    code, out, _ = cli(capsys, *argv)
    lines = strict_lines(out)
    assert code == 0
    assert [line["kind"] for line in lines] == ["point"] * 4 + ["summary"] * 2 + ["slopes"]
    assert lines[4]["w_error_norm"].keys() == {"mean", "std"}
    assert lines[-1]["floor_w"] is not None


def test_sweep_lr_marks_diverged_cells(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "lr.csv"
    argv = ["sweep", "lr", "--lrs", "0.03,3", "--epochs-list", "1,2", "--num-train", "100"]
    code, out, _ = cli(capsys, *argv, "--batch-size", "1", "--num-val", "20", "--csv", str(path))
    columns, rows = read_csv(path)
    assert code == 0
    assert columns == [
        "lr",
        "epochs",
        "train_mse",
        "val_mse",
        "w_error_norm",
        "b_error",
        "predicted",
        "diverged",
    ]
    assert [(r["lr"], r["epochs"], r["diverged"]) for r in rows] == [
        ("0.03", "1", "false"),
        ("0.03", "2", "false"),
        ("3.0", "1", "true"),
        ("3.0", "2", "true"),
    ]
    grid = out.split("lr \\ epochs")[1].splitlines()
    assert grid[2].split()[0] == "0.03" and grid[3].split()[1:] == ["diverged", "diverged"]


def test_sweep_loss_rows_per_variant_and_epoch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "loss.csv"
    argv = ["sweep", "loss", "--epochs", "2", "--num-train", "40", "--num-val", "40"]
    code, out, _ = cli(capsys, *argv, "--batch-size", "8", "--csv", str(path), "--json")
    _, rows = read_csv(path)
    lines = strict_lines(out)
    assert code == 0
    variants = ["mse-mean lr=0.03", "mse-sum lr=0.03", "mse-sum lr=0.03/8", "huber d=1"]
    assert list(dict.fromkeys(r["variant"] for r in rows)) == [*variants, "smooth-l1 b=1"]
    assert len(rows) == len(lines) == 5 * 3
    # same data and start: every variant's epoch 0 has the same val MSE
    assert len({line["val_mse"] for line in lines if line["epoch"] == 0}) == 1


def _start_long_run(tmp_path: Path, ignore: tuple[int, ...] = ()) -> subprocess.Popen[bytes]:
    """`run` of 100,000 epochs writing --csv, past its first printed epoch."""

    def child_signals() -> None:  # defaults, but for what a parent (nohup) ignores: a
        # suite started in the background by a script (`pytest &`) ignores SIGINT, and a
        # child inherited that: it trained all 100,000 epochs and exited 0 (seen once)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN if number in ignore else signal.SIG_DFL)

    command = ["run", "--json", "--epochs", "100000", "--csv", str(tmp_path / "out.csv")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "linreg_tui", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "LINREG_TUI_DB": str(tmp_path.parent / f"{tmp_path.name}.db")},
        preexec_fn=child_signals,
    )
    assert proc.stdout is not None
    assert json.loads(proc.stdout.readline())["epoch"] == 0  # training has started
    return proc


def _statuses(tmp_path: Path) -> list[str]:
    from linreg_tui.store.history import History

    with History(tmp_path.parent / f"{tmp_path.name}.db") as history:
        return [run.status for run in history.list_runs()]


@pytest.mark.parametrize(
    "number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"]
)
def test_ctrl_c_sigterm_and_sighup_stop_a_run_alike(tmp_path: Path, number: int) -> None:
    """ctrl+c, `kill`, or an SSH session that drops: no traceback, the run is recorded as
    cancelled, the half-written CSV is removed, and the exit status is the shell's 128 +
    the signal (130 for ctrl+c)."""
    with _start_long_run(tmp_path) as proc:
        proc.send_signal(number)
        _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (128 + number, b"")
    assert os.listdir(tmp_path) == []
    assert _statuses(tmp_path) == ["cancelled"]


def test_a_hangup_the_command_was_started_to_ignore_stays_ignored(tmp_path: Path) -> None:
    with _start_long_run(tmp_path, ignore=(signal.SIGHUP,)) as proc:  # `nohup linreg-tui ...`
        proc.send_signal(signal.SIGHUP)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=1.0)  # still training
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["sizes", "--sizes", "10,,20"], "--sizes"),
        (["sizes", "--sizes", "0,10"], "--sizes"),
        (["sizes", "--sizes", "ten"], "--sizes"),
        (["sizes", "--sizes", "2.5"], "--sizes"),
        (["sizes", "--sizes", "5,5"], "--sizes"),  # a size twice
        (["lr", "--lrs", "0.1,1e-1"], "--lrs"),  # the same lr twice: one cell of the grid
        (["sizes", "--sizes", "100000000"], "--sizes"),
        (["sizes", "--seeds", "0"], "--seeds"),
        (["sizes", "--seeds", "many"], "--seeds"),
        (["lr", "--lrs", "0.1,-1"], "--lrs"),
        (["lr", "--lrs", "nan"], "--lrs"),
        (["lr", "--epochs-list", "1,0"], "--epochs-list"),
        (["lr", "--epochs-list", "1;3"], "--epochs-list"),
        (["loss", "--lr", "inf"], "--lr"),
    ],
)
def test_bad_sweep_lists_name_the_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], flag: str
) -> None:
    path = tmp_path / "out.csv"
    code, out, err = cli(capsys, "sweep", *argv, "--csv", str(path))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and f"error: {flag} " in err
    assert not path.exists()


def test_sweep_defaults_do_not_leak_between_commands(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sizes, run = tmp_path / "sizes.json", tmp_path / "run.json"
    argv = ["sweep", "sizes", "--sizes", "10", "--seeds", "1", *SMALL_SWEEP]
    assert cli(capsys, *argv, "--save-config", str(sizes))[0] == 0
    assert cli(capsys, "run", *TINY, "--save-config", str(run))[0] == 0
    assert json.loads(sizes.read_text())["b"] == 4.0
    assert json.loads(run.read_text())["b"] == 4.2


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["sizes", "--num-train", "100"], "--num-train"),
        (["lr", "--lr", "0.1"], "--lr"),
        (["lr", "--epochs", "5"], "--epochs"),
        (["lr", "--steps", "5"], "--steps"),
        (["loss", "--loss", "huber"], "--loss"),
    ],
)
def test_a_setting_the_sweep_sets_is_refused_not_ignored(
    capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    code, out, err = cli(capsys, "sweep", *argv)
    assert (code, out) == (2, "")
    assert f"error: {flag} does not apply here" in err
    _, help_text, _ = cli(capsys, "sweep", argv[0], "--help")
    assert f"{flag} " not in help_text  # not offered either


@pytest.mark.parametrize("command", [["run"], ["sweep", "loss"]])
def test_bad_csv_path_also_skips_save_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    saved = tmp_path / "cfg.toml"
    argv = [*command, *TINY, "--csv", str(tmp_path / "no" / "x.csv"), "--save-config", str(saved)]
    code, out, _ = cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert os.listdir(tmp_path) == []


def test_config_before_a_command_is_refused_not_ignored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "cfg.toml"
    path.write_text("epochs = 1\n")
    code, out, err = cli(capsys, "--config", str(path), "run", *TINY[:4])
    assert (code, out) == (2, "")
    assert "put --config after the command" in err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["run", "--csv", ""], "--csv: needs a file name"),
        (["run", "--save-config", " "], "--save-config: needs a file name"),
        (["sweep", "lr", "--config", ""], "--config: needs a file name"),
        (["history", "export", "1", "--csv", ""], "--csv: needs a file name"),
        (["history", "--limit", "0"], "--limit: must be at least 1"),
        (["history", "--limit", "-1"], "--limit: must be at least 1"),  # SQLite: no limit
    ],
)
def test_an_empty_path_or_a_limit_below_one_is_refused(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    """`--csv ""` printed '# wrote ... to' and wrote nothing; --limit -1 listed every run."""
    code, out, err = cli(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and says in err
