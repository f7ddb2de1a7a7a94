"""Files from the app: saves and exports are atomic; an unwritable path, a refused write or
a full disk gives a message and leaves nothing; hostile config files are named and
refused with the form untouched (the command line's cases, mirrored in the app)."""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from linreg_tui.engine.config import RunConfig
from linreg_tui.store import files as output
from linreg_tui.ui.app import LinregApp
from linreg_tui.ui.widgets.export_prompt import ExportPrompt
from linreg_tui.ui.widgets.path_prompt import PathPrompt
from tests.ui.conftest import SIZE, make_app, run_to_end

TINY = RunConfig(num_train=50, num_val=50, epochs=2)
OLD = "lr = 0.5\n"
"""What a file held before a failed save: it must still hold it."""


class FullDisk(io.RawIOBase):
    """A file on a full disk: writes fail with ENOSPC (after buffering, at flush)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
        super().close()


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def fdopen(fd: int, *args: Any, encoding: str | None = None, **kwargs: Any) -> Any:
        raw = io.BufferedWriter(FullDisk(fd))
        return io.TextIOWrapper(raw, encoding=encoding, newline=kwargs.get("newline"))

    monkeypatch.setattr(output.os, "fdopen", fdopen)


def refused_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    def replace(src: str, dst: str) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(output.os, "replace", replace)


FAILURES: dict[str, tuple[Callable[[pytest.MonkeyPatch], None] | None, str, str]] = {
    "under-a-file": (None, "/etc/passwd/{name}", "Not a directory"),
    "no-such-dir": (None, "{tmp}/missing/{name}", "No such file or directory"),
    "permission": (refused_replace, "{tmp}/{name}", "Permission denied"),
    "full-disk": (full_disk, "{tmp}/{name}", "No space left on device"),
}
"""How a write fails: (what to break, the path typed, what the message says)."""


async def submit(
    pilot: Pilot[None], app: LinregApp, key: str, path: str
) -> PathPrompt | ExportPrompt:
    """Open the dialog `key` opens, type `path`, press enter; the dialog."""
    await pilot.press(key)
    prompt = app.screen
    assert isinstance(prompt, (PathPrompt, ExportPrompt))
    prompt.query_one(Input).value = path
    await pilot.press("enter")
    return prompt


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
async def test_a_failed_save_says_why_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Any
) -> None:
    breaker, typed, words = failure
    (tmp_path / "lab.toml").write_text(OLD)
    path = typed.format(tmp=tmp_path, name="lab.toml")
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        if breaker is not None:
            breaker(monkeypatch)
        prompt = await submit(pilot, app, "ctrl+s", path)
        assert app.screen is prompt and words in prompt.error and path in prompt.error
        monkeypatch.undo()
        assert left_in(tmp_path) == ["lab.toml"] and (tmp_path / "lab.toml").read_text() == OLD
        prompt.query_one(Input).value = str(tmp_path / "lab.toml")  # nothing typed is lost
        await pilot.press("enter")
        assert not isinstance(app.screen, PathPrompt)
        assert "lr = 0.03" in (tmp_path / "lab.toml").read_text()
        assert left_in(tmp_path) == ["lab.toml"]  # no temp file beside it


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
async def test_a_failed_export_says_why_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Any
) -> None:
    breaker, typed, words = failure
    (tmp_path / "out.csv").write_text("old\n")
    path = typed.format(tmp=tmp_path, name="out.csv")
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        await run_to_end(pilot, app)
        if breaker is not None:
            breaker(monkeypatch)
        prompt = await submit(pilot, app, "ctrl+e", path)
        assert app.screen is prompt and words in prompt.error, prompt.error
        monkeypatch.undo()
        assert left_in(tmp_path) == ["out.csv"] and (tmp_path / "out.csv").read_text() == "old\n"


async def test_save_and_export_write_a_temp_file_then_rename_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moves: list[tuple[Path, Path]] = []
    replace = os.replace

    def recorded(src: str, dst: str) -> None:
        moves.append((Path(src), Path(dst)))
        assert Path(src).exists() and Path(src).parent == Path(dst).parent
        replace(src, dst)

    monkeypatch.setattr(output.os, "replace", recorded)
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, app, "ctrl+s", str(tmp_path / "lab.json"))
        await run_to_end(pilot, app)
        await submit(pilot, app, "ctrl+e", str(tmp_path / "out"))
    assert [dst.name for _, dst in moves] == ["lab.json", "out.csv", "out.json"]
    assert all(src.name.endswith(".part") for src, _ in moves)
    assert left_in(tmp_path) == ["lab.json", "out.csv", "out.json"]


HOSTILE = {
    "wrong-type": ("c.toml", b"lr = [1, 2]\nepochs = true\n", "lr must be a positive"),
    "w-as-text": ("c.toml", b'w = "2,3"\n', "w must be a list of finite numbers"),
    "unknown-key": ("c.json", b'{"lr": 0.1, "momentum": 0.9}', "momentum is not a setting"),
    "unknown-loss": ("c.toml", b'loss = "l1"\n', "loss must be one of"),
    "huge-epochs": ("c.toml", b"epochs = 1e12\n", "epochs is too large"),
    "huge-data": ("c.json", b'{"num_train": 1e10}', "num_train is too large"),
    "seed-overflow": ("c.toml", b"seed = 99999999999999999999\n", "seed must be"),
    "json-nan": ("c.json", b'{"lr": NaN}', "NaN, which is not JSON"),
    "json-inf-literal": ("c.json", b'{"lr": 1e999}', "lr must be a positive finite"),
    "ten-megabytes": ("c.toml", b"# " + b"x" * (10 * 2**20), "is larger than 1024 KiB"),
    "deep-json": ("c.json", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too"),
    "deep-toml": ("c.toml", b"a = " + b"[" * 2000 + b"]" * 2000, "nested too deeply"),
    "deep-inline-toml": ("c.toml", b"a = " + b"{b = " * 500 + b"1" + b"}" * 500, "nested too"),
    "5000-digits": ("c.json", b'{"epochs": ' + b"9" * 5000 + b"}", "a number too long"),
    "long-key": ("c.json", b'{"' + b"k" * 100_000 + b'": 1}', "a key of 100,000 characters"),
    "binary": ("c.toml", bytes(range(256)) * 40, "is not UTF-8 text"),
    "nul-byte": ("c.toml", b"lr = 0.1\x00\n", "is not valid TOML"),
    "top-level-list": ("c.json", b"[1, 2]", "one table of settings, not a list"),
    "nested-table": ("c.toml", b"[run]\nlr = 0.1\n", "run is a table"),
    "escape-in-key": ("c.toml", b'"\\u001b[2J" = 1\n', "is not a setting"),
}
"""Malformed and hostile files: (name, bytes, what the message says)."""


async def test_hostile_config_files_are_named_and_the_form_untouched(tmp_path: Path) -> None:
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        before = app.form.values()
        for case, (name, content, words) in HOSTILE.items():
            path = tmp_path / case / name
            path.parent.mkdir()
            path.write_bytes(content)
            prompt = await submit(pilot, app, "ctrl+o", str(path))
            assert app.screen is prompt, f"{case}: the dialog stays open to fix the path"
            assert str(path) in prompt.error and words in prompt.error, (case, prompt.error)
            assert "\x1b" not in str(prompt.query_one("#path-error").render()), case
            assert len(prompt.error) < 400, case
            await pilot.press("escape")
            assert app.form.values() == before and app.is_running, case


async def test_a_path_that_looks_like_markup_is_only_text(tmp_path: Path) -> None:
    """Through a folder named `a[`, a path holds `[/b]`: Textual read it as a closing tag
    in the status line and the notification and ended the app (MarkupError)."""
    (tmp_path / "a[").mkdir()
    path = tmp_path / "a[" / "b].toml"
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        await submit(pilot, app, "ctrl+s", str(path))
        await pilot.pause(0.1)
        assert f"saved the configuration to {path}" in app.status.text
        await submit(pilot, app, "ctrl+o", str(path))
        await run_to_end(pilot, app)
        await submit(pilot, app, "ctrl+e", str(tmp_path / "a[" / "c]"))  # ".../a[/c].csv"
        await pilot.pause(0.1)
        assert app.is_running and app._exception is None
    assert left_in(tmp_path / "a[") == ["b].toml", "c].csv", "c].json"]


async def test_a_fifo_or_a_folder_is_not_read_as_a_config(tmp_path: Path) -> None:
    """Opening a FIFO would block the app for good."""
    fifo, folder = tmp_path / "pipe.toml", tmp_path / "folder.toml"
    os.mkfifo(fifo)
    folder.mkdir()
    app = make_app(TINY)
    async with app.run_test(size=SIZE) as pilot:
        prompt = await submit(pilot, app, "ctrl+o", str(fifo))
        assert "is not a regular file" in prompt.error
        prompt.query_one(Input).value = str(folder)
        await pilot.press("enter")
        assert "is a folder; name a .toml or .json file" in prompt.error
