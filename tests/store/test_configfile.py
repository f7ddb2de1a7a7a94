"""Config files: TOML/JSON round trips, and clear refusals of malformed or hostile files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linreg_tui.engine.config import ConfigError, RunConfig
from linreg_tui.store.config_files import (
    ConfigFileError,
    dumps_toml,
    load_config,
    read_mapping,
    save_config,
)

ODD = RunConfig(
    w=(1.0, -2.5, 1e-05),
    b=-0.1,
    lr=1 / 3,
    loss="huber",
    delta=0.5,
    init="torch-default",
    seed=2**63 - 1,
    average=True,
    outliers=0.1,
    steps=7,
)


@pytest.mark.parametrize("suffix", [".toml", ".json", ".TOML"])
@pytest.mark.parametrize("cfg", [RunConfig(), ODD], ids=["defaults", "odd"])
def test_saved_config_loads_back_identical(tmp_path: Path, suffix: str, cfg: RunConfig) -> None:
    path = tmp_path / f"run{suffix}"
    save_config(cfg, path)
    assert load_config(path) == cfg


def test_toml_writer_output_is_read_by_tomllib_as_the_same_values() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    values = ODD.to_dict()
    assert tomllib.loads(dumps_toml(values)) == values


def test_keys_left_out_come_from_the_base(tmp_path: Path) -> None:
    path = tmp_path / "partial.toml"
    path.write_text('lr = 0.1\nloss = "mse-sum"\n')
    cfg = load_config(path, base=RunConfig(b=4.0))
    assert (cfg.lr, cfg.loss, cfg.b, cfg.w) == (0.1, "mse-sum", 4.0, (2.0, -3.4))


def test_unknown_key_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "typo.json"
    path.write_text('{"learning_rate": 0.1}')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.field == "learning_rate"
    assert "is not a setting" in str(caught.value)


def test_wrong_type_is_refused_by_rule(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('lr = "fast"\n')
    with pytest.raises(ConfigError, match="lr must be a positive finite number"):
        load_config(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("c.yaml", b"lr: 1", "must end in .toml or .json", id="suffix"),
        pytest.param("c.toml", b"lr = = 1", "is not valid TOML", id="toml-syntax"),
        pytest.param("c.json", b"{lr: 1}", "is not valid JSON", id="json-syntax"),
        pytest.param("c.json", b'{"lr": NaN}', "NaN, which is not JSON", id="json-nan"),
        pytest.param("c.json", b"[1, 2]", "one table of settings, not a list", id="json-list"),
        pytest.param(
            "c.toml", b"[run]\nlr = 0.1\n", "run is a table; settings are flat", id="nested"
        ),
        pytest.param("c.toml", b"lr = 0.1 # \xff\xfe\n", "is not UTF-8 text", id="not-utf8"),
        pytest.param("c.json", b"[" * 100_000, "nested too deeply", id="json-bomb"),
        pytest.param("c.toml", b"#" * (1024 * 1024 + 1), "larger than 1024 KiB", id="huge"),
        # these raised RecursionError / ValueError: a traceback on the CLI, a dead app
        pytest.param("c.toml", b"a = " + b"[" * 2000 + b"]" * 2000, "nested too", id="toml-deep"),
        pytest.param("c.toml", b"a = " + b"{b = " * 500 + b"1" + b"}" * 500, "nested", id="inl"),
        pytest.param("c.toml", b"epochs = " + b"9" * 5000, "number too long", id="toml-digits"),
        pytest.param("c.json", b'{"seed": ' + b"9" * 5000 + b"}", "too long", id="json-digits"),
        pytest.param("c.json", b'{"' + b"k" * 10**5 + b'": 1}', "key of 100,000", id="long-key"),
    ],
)
def test_malformed_files_give_one_clear_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConfigFileError, match=message):
        read_mapping(path)


def test_a_fifo_is_refused_unread(tmp_path: Path) -> None:
    """Opening a FIFO blocks until someone writes to it: the CLI and the app hung."""
    os.mkfifo(tmp_path / "pipe.toml")
    with pytest.raises(ConfigFileError, match="is not a regular file"):
        read_mapping(tmp_path / "pipe.toml")


def test_missing_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match=r"nope.toml: cannot read it: No such file"):
        read_mapping(tmp_path / "nope.toml")
