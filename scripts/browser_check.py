"""End-to-end check of `linreg-tui serve` in headless Chromium (CI runs it: .ci/run).

It needs Debian's chromium (`apt-get install -y chromium`; .ci/run installs it when it is
missing) and drives it over the Chrome DevTools Protocol with aiohttp's websocket client
(no Playwright, no Selenium).

It starts `linreg-tui serve` on a free local port, from an empty throwaway folder, with a
throwaway history database; opens the page, waits for the app to draw, presses ctrl+r and
waits until the app's status line says the run is done; then presses ctrl+s, names the
file and presses enter, and checks that the file reached the browser as a download while
nothing at all was written in the server's folder (issue 16: a tab's ctrl+s overwrote the
server user's files). It saves a screenshot (default screenshots/browser-run.png), prints
each step and exits 1 if one fails (the screenshot is still saved if it can be).

    /work/venv/bin/python scripts/browser_check.py [--out PNG] [--timeout SECONDS]
        [-- SERVE FLAGS, e.g. --epochs 5 --lr 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,800",
    "--remote-debugging-port=0",  # Chromium picks one and writes it to DevToolsActivePort
]
SAVED_AS = "browser-check.toml"
"""The name typed into the ctrl+s dialog: it must arrive in the browser's downloads."""
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[\]P_^][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")
CTRL = 2  # the DevTools modifier bit for ctrl


class CheckFailed(Exception):
    """A step did not happen in time; the message says which."""


def step(text: str) -> None:
    print(f"browser_check: {text}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def started(argv: list[str], **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A process in a session of its own, ended with its children however we leave."""
    process = subprocess.Popen(argv, start_new_session=True, **kwargs)
    try:
        yield process
    finally:
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            if process.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)  # the group we created: the process and its children
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(wait)


def wait_for_page(url: str, timeout: float) -> None:
    """Poll the server until its page answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                step(f"{url} answers")
                return
        time.sleep(0.1)
    raise CheckFailed(f"timed out after {timeout:g} s waiting for {url}")


async def wait_for(what: str, ready: Callable[[], Any], timeout: float) -> Any:
    """Poll `ready` (maybe a coroutine function) until it returns something true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = ready()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        await asyncio.sleep(0.1)
    raise CheckFailed(f"timed out after {timeout:g} s waiting for {what}")


class DevTools:
    """A minimal Chrome DevTools Protocol client over one page's websocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {}
        self.reader = asyncio.create_task(self._read())

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        return await asyncio.wait_for(future, 30)

    async def evaluate(self, expression: str) -> Any:
        reply = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return reply["result"].get("value")

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data:
                future = self.pending.pop(data["id"])
                if "error" in data:
                    future.set_exception(CheckFailed(f"DevTools: {data['error']}"))
                else:
                    future.set_result(data.get("result", {}))
            elif data.get("method") in self.handlers:
                self.handlers[data["method"]](data.get("params", {}))


class Screen:
    """The terminal output the page received over textual-serve's websocket, as text."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.last_frame = time.monotonic()

    def received(self, params: dict[str, Any]) -> None:
        response = params["response"]
        if response["opcode"] != 2:  # text frames carry textual-serve's own messages
            return
        payload = base64.b64decode(response["payloadData"]).decode("utf-8", "replace")
        self.chunks.append(ANSI.sub("", payload))
        self.last_frame = time.monotonic()

    def text_since(self, mark: int) -> str:
        return "".join(self.chunks[mark:])


async def check(page_url: str, out: Path, timeout: float, server_folder: Path) -> None:
    """Drive the page in Chromium; raise CheckFailed on the first step that fails."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise CheckFailed("no chromium on PATH: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="browser-check-") as profile:
        argv = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"]
        log_path = Path(profile, "chromium.log")
        with log_path.open("wb") as log, started(argv, stdout=log, stderr=subprocess.STDOUT):
            port_file = Path(profile, "DevToolsActivePort")
            await wait_for("Chromium's DevTools port", port_file.exists, 30)
            cdp_port = int(port_file.read_text().split()[0])
            step(f"chromium {chromium} is up; DevTools on port {cdp_port}")
            downloads = Path(profile, "downloads")
            downloads.mkdir()
            async with aiohttp.ClientSession() as session:
                cdp = f"http://127.0.0.1:{cdp_port}"
                await drive(session, cdp, page_url, out, timeout, (downloads, server_folder))


async def drive(
    session: aiohttp.ClientSession,
    cdp: str,
    page_url: str,
    out: Path,
    timeout: float,
    folders: tuple[Path, Path],
) -> None:
    async with session.get(f"{cdp}/json/list") as response:
        targets = await response.json()
    page = next(t for t in targets if t["type"] == "page")
    async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
        tools = DevTools(ws)
        screen = Screen()
        navigations: list[str] = []
        tools.handlers["Network.webSocketFrameReceived"] = screen.received
        tools.handlers["Page.frameNavigated"] = lambda p: navigations.append(p["frame"]["url"])
        await tools.call("Network.enable")
        await tools.call("Page.enable")
        downloads, server_folder = folders
        await tools.call(
            "Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads)
        )
        await tools.call("Page.navigate", url=page_url)
        step(f"opened {page_url}")
        try:
            await run_the_app(tools, screen, navigations, timeout)
            await save_as_download(tools, screen, downloads, server_folder, timeout)
        finally:
            await screenshot(tools, out)
        tools.reader.cancel()


async def run_the_app(
    tools: DevTools, screen: Screen, navigations: list[str], timeout: float
) -> None:
    first_byte = "document.body && document.body.classList.contains('-first-byte')"
    await wait_for("the terminal's first bytes", lambda: tools.evaluate(first_byte), timeout)
    # the app is up once the stability meter under lr shows its edges: torch has loaded in
    # its training process (a quiet second never came: the focused field's cursor blinks)
    await wait_for(
        "the stability meter (torch loaded)", lambda: "η_MS" in screen.text_since(0), timeout
    )
    shown = " ".join(screen.text_since(0).split())
    step(f"the app drew its screen ({len(shown)} characters of text, e.g. {shown[:60]!r})")
    # keys go to xterm's hidden textarea; clicking instead would click inside the app
    await tools.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
    mark, pages = len(screen.chunks), len(navigations)
    key = {"key": "r", "code": "KeyR", "windowsVirtualKeyCode": 82, "modifiers": CTRL}
    await tools.call("Input.dispatchKeyEvent", type="rawKeyDown", **key)
    await tools.call("Input.dispatchKeyEvent", type="keyUp", **key)
    step("pressed ctrl+r")
    done = re.compile(r"\bdone\b.{0,40}\bepoch (\d+) of \1\b", re.DOTALL)
    try:
        await wait_for(
            "the status line to say the run is done",
            lambda: done.search(screen.text_since(mark)) or len(navigations) > pages,
            timeout,
        )
    finally:
        if len(navigations) > pages:
            raise CheckFailed("ctrl+r reloaded the page instead of reaching the app")
    status = done.search(screen.text_since(mark))
    assert status is not None
    step(f"the run finished: {' '.join(status.group(0).split())!r}")
    await asyncio.sleep(0.5)  # let the last frame paint


async def key(tools: DevTools, name: str, code: str, vk: int, modifiers: int = 0) -> None:
    """Press and release one key in the page (xterm's textarea has the focus)."""
    press = {"key": name, "code": code, "windowsVirtualKeyCode": vk, "modifiers": modifiers}
    await tools.call("Input.dispatchKeyEvent", type="rawKeyDown", **press)
    await tools.call("Input.dispatchKeyEvent", type="keyUp", **press)


async def save_as_download(
    tools: DevTools, screen: Screen, downloads: Path, server_folder: Path, timeout: float
) -> None:
    """ctrl+s in the tab: the file must be a browser download, and the server's folder must
    stay exactly as it was."""
    before = sorted(p.name for p in server_folder.iterdir())
    mark = len(screen.chunks)
    await key(tools, "s", "KeyS", 83, CTRL)
    await wait_for(
        "the download dialog", lambda: "download configuration" in screen.text_since(mark), timeout
    )
    step("pressed ctrl+s: the app offers a download")
    await key(tools, "u", "KeyU", 85, CTRL)  # clear the offered name
    for char in SAVED_AS:  # typed key by key (Input.insertText was lost now and then)
        await tools.call("Input.dispatchKeyEvent", type="keyDown", key=char, text=char)
        await tools.call("Input.dispatchKeyEvent", type="keyUp", key=char)
    await wait_for(
        "the typed name in the dialog", lambda: SAVED_AS in screen.text_since(mark), timeout
    )
    await key(tools, "Enter", "Enter", 13)
    target = downloads / SAVED_AS
    await wait_for(f"{SAVED_AS} in the browser's downloads", target.exists, timeout)
    text = target.read_text()
    if "lr = " not in text:
        raise CheckFailed(f"the download is not the configuration: {text[:200]!r}")
    step(f"the browser downloaded {SAVED_AS} ({len(text)} bytes of TOML)")
    after = sorted(p.name for p in server_folder.iterdir())
    if after != before:
        raise CheckFailed(f"the server's folder changed: {before} -> {after}")
    step("nothing was written in the server's folder")


async def screenshot(tools: DevTools, out: Path) -> None:
    reply = await tools.call("Page.captureScreenshot", format="png")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(base64.b64decode(reply["data"]))
    step(f"saved the screenshot {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots" / "browser-run.png")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for each step")
    parser.add_argument("serve_flags", nargs="*", help="after --: flags for linreg-tui serve")
    args = parser.parse_args()
    port = free_port()
    with (
        tempfile.TemporaryDirectory(prefix="browser-check-db-") as db_dir,
        tempfile.TemporaryDirectory(prefix="browser-check-server-") as server_dir,
    ):
        env = {
            **os.environ,
            "LINREG_TUI_DB": str(Path(db_dir, "history.sqlite3")),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        argv = [sys.executable, "-m", "linreg_tui", "serve", "--port", str(port), *args.serve_flags]
        # from an empty folder: whatever a tab writes on the server would land there
        with started(argv, env=env, stdout=subprocess.DEVNULL, cwd=server_dir):
            step(f"started linreg-tui serve on port {port} in {server_dir}")
            url = f"http://127.0.0.1:{port}/"
            try:
                wait_for_page(url, args.timeout)
                asyncio.run(check(url, args.out, args.timeout, Path(server_dir)))
            except (CheckFailed, OSError, aiohttp.ClientError) as error:
                step(f"FAILED: {error}")
                return 1
    step("OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
