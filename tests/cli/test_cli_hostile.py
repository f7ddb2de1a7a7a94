"""Hostile command lines: each is one line on stderr and exit status 2, never a traceback
(issue 16, defect groups 2, 7 and 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from linreg_tui.cli import main

HUGE = "1" + "0" * 400
"""1 and 400 zeros: an int Python reads, but the cost estimate's float cannot hold."""
LONG = "a" * 300 + ".toml"
"""A file name of 305 bytes: ENAMETOOLONG (at most 255 per name)."""

CASES = {
    "epochs-1e400": (["run", "--epochs", HUGE], "--epochs must be a whole number"),
    "steps-1e400": (["sweep", "loss", "--steps", HUGE], "--steps must be"),
    "seed-4000-digits": (["run", "--seed", "9" * 4000], "--seed must be"),
    "history-show-id": (["history", "show", "9" * 20], "at most 2**63 - 1"),
    "history-rm-id": (["history", "rm", "9" * 20], "at most 2**63 - 1"),
    "history-limit": (["history", "--limit", "9" * 20], "at most 2**63 - 1"),
    "config-long-name": (["run", "--config", LONG], "too long"),
    "save-config-long-name": (["run", "--save-config", LONG], "too long"),
    "csv-long-name": (["run", "--csv", "a" * 300 + ".csv"], "too long"),
    "run-db-nouser": (["run", "--db", "~nouser-xyz/x"], "no user 'nouser-xyz'"),
    "history-db-nouser": (["history", "--db", "~nouser-xyz/x"], "no user 'nouser-xyz'"),
    "tui-db-nouser": (["tui", "--db", "~nouser-xyz/h.db"], "no user 'nouser-xyz'"),
    "db-empty": (["run", "--db", ""], "needs a file name"),
    "serve-host-5000": (["serve", "--host", "a" * 5000], "not a host name"),
    "lr-vanishes-in-float32": (["run", "--lr", "1e-320"], "is 0 in float32"),
    "delta-vanishes-in-float32": (["run", "--delta", "1e-50"], "is 0 in float32"),
}


@pytest.mark.parametrize(("argv", "says"), CASES.values(), ids=CASES.keys())
def test_hostile_flags_are_one_line_and_exit_2(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main([*argv, *(["--no-record"] if argv[0] == "run" else [])])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert says in err
    assert len(err) < 600  # the echo of a 4,000-digit or 5,000-character value is cut


def test_a_100_kb_value_is_echoed_cut(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--lr", "x" * 100_000]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 400
    assert "--lr must be a positive finite number" in err and "(100,000 characters)" in err


def test_a_config_file_with_a_4000_digit_count_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.toml"
    path.write_text(f"epochs = {'9' * 4000}\n")
    assert main(["run", "--no-record", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "epochs must be a whole number" in err and len(err) < 600


def test_tiny_values_that_float32_keeps_are_still_accepted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["run", "--no-record", "--json", "--epochs", "1", "--num-train", "8", "--lr", "1e-44"]
    assert main(argv) == 0
    assert capsys.readouterr().out.count("\n") == 2
