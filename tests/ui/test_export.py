"""ctrl+e: every view's results to CSV and JSON, atomically, or as a browser download."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.lab.text import fmt_short as short
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.export import (
    csv_text,
    default_path,
    export_paths,
    json_text,
    write_exports,
)
from linreg_tui.ui.views import VIEWS
from linreg_tui.ui.widgets.export_prompt import ExportPrompt
from linreg_tui.ui.widgets.loss_chart import LossChart
from linreg_tui.ui.widgets.sweep_tables import GridTable, SizeTable
from tests.ui.conftest import SIZE, make_app, run_to_end


def notes(app: LinregApp, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(message, severity) of every notification from now on."""
    seen: list[tuple[str, str]] = []
    notify = app.notify

    def record(message: str, **kwargs: Any) -> None:
        seen.append((message, kwargs.get("severity", "information")))
        notify(message, **kwargs)

    monkeypatch.setattr(app, "notify", record)
    return seen


async def export_to(pilot: Any, app: LinregApp, path: Path | str) -> ExportPrompt:
    """ctrl+e, type the path, enter; return the prompt (closed if the write worked)."""
    await pilot.press("ctrl+e")
    prompt = app.screen
    assert isinstance(prompt, ExportPrompt)
    box = prompt.query_one("#path-input", Input)
    assert box.value == f"linreg-{app.view.EXPORT_STEM}.csv"  # the default, in the cwd
    assert not box.value.startswith("linreg-linreg-")
    box.value = str(path)
    await pilot.press("enter")
    return prompt


def read_back(base: Path) -> tuple[list[dict[str, str]], dict[str, Any]]:
    with base.with_suffix(".csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    return rows, json.loads(base.with_suffix(".json").read_text())


def test_paths_name_a_pair_of_files(tmp_path: Path) -> None:
    for typed in ("out", "out.csv", "out.json", "out.CSV"):
        csv_path, json_path = export_paths(str(tmp_path / typed))
        assert (csv_path.name, json_path.name) in [("out.csv", "out.json"), ("out.csv", "out.json")]
    assert export_paths("a.b")[0].name == "a.b.csv"
    for bad in ("", "  ", str(tmp_path), f"{tmp_path}/"):
        with pytest.raises(ValueError):
            export_paths(bad)


def test_json_is_strict_and_csv_keeps_every_column() -> None:
    rows: list[dict[str, object]] = [{"a": math.inf, "b": True}, {"a": 1.5, "c": None}]
    document = json.loads(json_text(rows, "v"))  # json.loads would accept Infinity: check text
    assert "Infinity" not in json_text(rows, "v") and "NaN" not in json_text([{"x": math.nan}], "v")
    assert document == {"view": "v", "rows": [{"a": None, "b": True}, {"a": 1.5, "c": None}]}
    back = list(csv.DictReader(io.StringIO(csv_text(rows))))
    assert back == [{"a": "inf", "b": "true", "c": ""}, {"a": "1.5", "b": "", "c": ""}]


@pytest.mark.parametrize("failing", [1, 2])
def test_a_failed_write_leaves_neither_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    """The CSV is moved into place first; if that or the JSON's move fails, both go."""
    from linreg_tui.store import files as output

    replace = output.os.replace
    calls = 0

    def flaky(src: str, dst: str) -> None:
        nonlocal calls
        calls += 1
        if calls == failing:
            raise OSError(28, "No space left on device")
        replace(src, dst)

    monkeypatch.setattr(output.os, "replace", flaky)
    with pytest.raises(OSError):
        write_exports([{"a": 1}], "v", tmp_path / "x.csv", tmp_path / "x.json")
    assert list(tmp_path.iterdir()) == []


async def test_lr_grid_export_round_trips(tmp_path: Path) -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("lr-grid")
        app.query_one("#grid-lrs", Input).value = "0.003, 0.03, 0.3, 3"  # the CLI's grid
        await run_to_end(pilot, app)
        prompt = await export_to(pilot, app, tmp_path / "grid.csv")
        assert not prompt.is_attached  # closed: written
        rows, document = read_back(tmp_path / "grid")
        table = app.query_one(GridTable)
        assert len(rows) == len(document["rows"]) == 16 and document["view"] == "lr-grid"
        assert document["settings"] == RunConfig().to_dict()  # what the rows came from
        for row, item in zip(rows, document["rows"], strict=True):
            cell = table.cells[(float(row["lr"]), int(row["epochs"]))]
            assert item["lr"] == cell.lr and item["epochs"] == cell.epochs
            assert row["diverged"] == ("true" if cell.diverged else "false")
            if cell.diverged:  # inf in the table: 'inf' in the CSV, null in strict JSON
                assert item["val_mse"] is None and float(row["val_mse"]) == cell.val_mse
            else:
                assert item["val_mse"] == float(row["val_mse"]) == cell.val_mse
                assert short(float(row["val_mse"])) in str(table.get_cell_at(_at(table, cell)))


def _at(table: GridTable, cell: Any) -> Any:
    from textual.coordinate import Coordinate

    return Coordinate(table.lrs.index(cell.lr), table.epochs.index(cell.epochs) + 1)


async def test_sizes_export_round_trips(tmp_path: Path) -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        app.show_view("sizes")
        app.query_one("#sizes-sizes", Input).value = "20, 80, 320"
        app.query_one("#sizes-seeds", Input).value = "2"
        await run_to_end(pilot, app)
        await export_to(pilot, app, tmp_path / "sizes")
        rows, document = read_back(tmp_path / "sizes")
        table = app.query_one(SizeTable)
        assert [r["size"] for r in rows] == ["20", "80", "320"]
        for index, (row, item) in enumerate(zip(rows, document["rows"], strict=True)):
            shown = [c.plain for c in table.get_row_at(index)]
            assert shown[0] == row["size"] and shown[1] == row["regime"] == item["regime"]
            assert shown[-1] == short(float(row["val_mse_mean"])) == short(item["val_mse_mean"])
            assert float(row["w_error_1_mean"]) == item["w_error_1_mean"]


async def test_single_run_export_has_every_epoch(tmp_path: Path, tiny_config: RunConfig) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        await export_to(pilot, app, tmp_path / "run.json")
        rows, document = read_back(tmp_path / "run")
        records = app.query_one(LossChart).records
        assert [int(r["epoch"]) for r in rows] == [r.epoch for r in records] == [0, 1, 2, 3]
        assert rows[0]["weight_grad_1"] == "" and document["rows"][0]["weight_grad_1"] is None
        last = document["rows"][-1]
        assert (last["w_hat_1"], last["w_hat_2"]) == records[-1].w_hat
        assert last["val_mse"] == records[-1].val_mse


async def test_a_bad_path_says_so_and_leaves_no_file(
    tmp_path: Path, tiny_config: RunConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        seen = notes(app, monkeypatch)
        await run_to_end(pilot, app)
        prompt = await export_to(pilot, app, tmp_path / "missing" / "out.csv")
        assert app.screen is prompt  # still open: nothing typed is lost
        assert "not exported: cannot write" in prompt.error
        assert seen[-1][1] == "error" and "missing" in seen[-1][0]
        assert list(tmp_path.iterdir()) == []
        await pilot.press("escape")
        assert not isinstance(app.screen, ExportPrompt)
        assert app.query_one(LossChart).records  # and the run is still on screen


async def test_nothing_to_export_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(RunConfig())
    async with app.run_test(size=SIZE) as pilot:
        seen = notes(app, monkeypatch)
        for view in VIEWS:
            app.show_view(view.VIEW_ID)
            await pilot.press("ctrl+e")
            assert not isinstance(app.screen, ExportPrompt)
            assert seen[-1][1] == "warning" and "nothing to export" in seen[-1][0]


async def test_enter_in_the_prompt_does_not_start_a_run(tmp_path: Path) -> None:
    app = make_app(RunConfig(num_train=50, num_val=50, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        run_id = app.run_id
        await export_to(pilot, app, tmp_path / "x")
        assert app.run_id == run_id and not app.running


async def test_in_a_browser_the_files_download(
    tmp_path: Path, tiny_config: RunConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivered: list[tuple[str, str]] = []

    def deliver_text(self: LinregApp, file: io.StringIO, **kwargs: Any) -> str:
        delivered.append((kwargs["save_filename"], file.getvalue()))
        return "key"

    monkeypatch.setattr(LinregApp, "is_web", property(lambda self: True))
    monkeypatch.setattr(LinregApp, "deliver_text", deliver_text)
    monkeypatch.chdir(tmp_path)
    app = make_app(tiny_config)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        await export_to(pilot, app, "linreg-run.csv")
        assert [name for name, _ in delivered] == ["linreg-run.csv", "linreg-run.json"]
        assert json.loads(delivered[1][1])["rows"][-1]["epoch"] == 3
        assert list(tmp_path.iterdir()) == []  # nothing written on the server


def test_no_default_export_name_doubles_its_prefix() -> None:
    names = [default_path(entry.load().EXPORT_STEM) for entry in VIEWS]
    assert not [n for n in names if n.startswith("linreg-linreg-")], names
    assert len(set(names)) == len(names)  # one file name per view
