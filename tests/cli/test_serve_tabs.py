"""`linreg-tui serve` with real browser tabs: a real server on 127.0.0.1 and a websocket
client that speaks textual-serve's protocol as the page's JavaScript does (issue 16,
groups 4 and 5): a tab never writes on the server, reads only what `--files` shares,
never imports code from the server's working directory, and tabs are capped."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import aiohttp
import pytest

from tests.cli.test_serve import get, start_server, stop

ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]P_^][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")
SECRET = "api_token = 'hunter2'\n"
"""A server user's file outside what is shared: a tab must learn nothing of it."""
PASTE = "\x1b[200~lr = 0.5\nepochs = 7\n\x1b[201~"
"""A browser's paste of a small TOML file, in bracketed-paste form (xterm.js sends it)."""


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    """A working directory with code that must never run, a file that must never change,
    and a secret next to it; `shared/` is what --files may share."""
    folder = tmp_path / "cwd"
    (folder / "linreg_tui").mkdir(parents=True)
    marker = tmp_path / "HIJACKED"
    for module in (folder / "linreg_tui" / "__init__.py", folder / "torch.py"):
        module.write_text(f"open({str(marker)!r}, 'a').write({module.name!r})\n")
    (folder / "lab.toml").write_text("lr = 0.25\n")
    (folder / "secret.toml").write_text(SECRET)
    (folder / "shared").mkdir()
    (folder / "shared" / "good.toml").write_text("lr = 0.125\nbatch_size = 16\n")
    return folder


class Tab:
    """One browser tab: the app's screen as text, and textual-serve's other messages."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.text = ""
        self.messages: list[object] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.text += ANSI.sub("", message.data.decode("utf-8", "replace"))
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.messages.append(json.loads(message.data))

    async def keys(self, text: str) -> None:
        """Type `text` as a browser sends typing: a few characters per message."""
        for i in range(0, len(text), 4):
            await self.ws.send_json(["stdin", text[i : i + 4]])
            await asyncio.sleep(0.01)

    async def wait_for(self, pattern: str, since: int = 0, timeout: float = 30) -> str:
        """Wait until the screen's text (from `since` on) matches `pattern`."""
        deadline = time.monotonic() + timeout
        while not (found := re.search(pattern, self.text[since:], re.DOTALL)):
            assert time.monotonic() < deadline, f"no {pattern!r} in {self.text[-1500:]!r}"
            assert not self.reader.done(), f"the tab closed: {self.text[-1500:]!r}"
            await asyncio.sleep(0.05)
        return found.group(0)

    async def deliveries(self, count: int, timeout: float = 20) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(keys := [m[1] for m in self.messages if m[0] == "deliver_file_start"]) < count:  # type: ignore[index]
            assert time.monotonic() < deadline, f"no download: {self.text[-1200:]!r}"
            await asyncio.sleep(0.05)
        return keys


async def open_tab(session: aiohttp.ClientSession, port: int) -> Tab:
    ws = await session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=110&height=34")
    tab = Tab(ws)
    await tab.wait_for(r"parameters.*results", timeout=60)  # the lab's first frame
    # torch has loaded in the tab's training process once the stability meter under lr
    # shows its edges (waiting for a quiet screen waited 30 s: the cursor blinks)
    await tab.wait_for("η_MS", timeout=60)
    return tab


def files_in(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in folder.rglob("*") if p.is_file()}


async def test_a_tab_writes_nothing_reads_nothing_and_runs_no_code_from_the_cwd(
    hostile_folder: Path,
) -> None:
    before = files_in(hostile_folder)
    served = start_server("--max-sessions", "1", cwd=hostile_folder, timeout=15)
    server, port = served.process, served.port
    try:
        async with aiohttp.ClientSession() as session:
            tab = await open_tab(session, port)  # -P: the lab, not ./linreg_tui or ./torch.py

            mark = len(tab.text)  # ctrl+s over lab.toml: a download, nothing written
            await tab.keys("\x13")
            await tab.wait_for("download configuration", mark)
            await tab.keys("\x15")  # ctrl+u: clear the offered name
            await asyncio.sleep(0.2)
            await tab.keys("lab.toml\r")
            await tab.wait_for("downloading lab.toml in your browser", mark)
            (key,) = await tab.deliveries(1)
            async with session.get(f"http://127.0.0.1:{port}/download/{key}") as response:
                assert response.status == 200
                assert "lr = 0.03" in await response.text()
                assert "lab.toml" in response.headers["Content-Disposition"]

            mark = len(tab.text)  # ctrl+o: pasted text, no file of the server read
            await tab.keys("\x0f")
            await tab.wait_for("Paste the text", mark)
            await tab.keys("secret.toml\x12")  # a path, typed: it is only text here
            said = await tab.wait_for(r"pasted TOML[^\n]*", mark)
            assert "hunter2" not in tab.text and "api_token" not in tab.text, said
            mark = len(tab.text)
            await tab.keys("\x1b")  # escape, and again: a fresh dialog
            await asyncio.sleep(0.3)
            await tab.keys("\x0f")
            await tab.wait_for("Paste the text", mark)
            await tab.ws.send_json(["stdin", PASTE])  # a paste comes in one message
            await asyncio.sleep(0.3)
            await tab.keys("\x12")
            await tab.wait_for(r"loaded the pasted TOML into the form", mark)

            # a second tab over --max-sessions 1: a page that says so
            status, page = get(f"http://127.0.0.1:{port}/")
            assert status == 503 and "already runs 1 browser tab" in page
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"ws://127.0.0.1:{port}/ws")
            assert refused.value.status == 503
            await tab.ws.close()
    finally:
        _, err = stop(server)
    assert "Traceback" not in err
    assert not (hostile_folder.parent / "HIJACKED").exists(), "code from the cwd ran"
    assert files_in(hostile_folder) == before  # nothing written, nothing replaced


async def test_files_shares_one_folder_and_says_nothing_of_the_rest(hostile_folder: Path) -> None:
    served = start_server("--files", "shared", cwd=hostile_folder, timeout=15)
    server, port = served.process, served.port
    try:
        async with aiohttp.ClientSession() as session:
            tab = await open_tab(session, port)
            for path in ("../secret.toml", str(hostile_folder / "secret.toml"), "/etc/passwd"):
                mark = len(tab.text)
                await tab.keys("\x0f")
                await tab.wait_for("in the served folder", mark)
                await tab.keys(path + "\r")
                await tab.wait_for("can only load files in the folder served", mark)
                await tab.keys("\x1b")
                await asyncio.sleep(0.3)
            assert "hunter2" not in tab.text and "api_token" not in tab.text
            mark = len(tab.text)
            await tab.keys("\x0f")
            await tab.wait_for("in the served folder", mark)
            await tab.keys("good.toml\r")
            await tab.wait_for("loaded good.toml into the form", mark)
            await tab.ws.close()
    finally:
        _, err = stop(server)
    assert "Traceback" not in err
