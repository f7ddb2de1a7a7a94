"""`linreg-tui serve`: a real server on a free local port, its page, and its refusals."""

from __future__ import annotations

import os
import select
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from linreg_tui.cli import main
from linreg_tui.cli.parser import build_parser
from linreg_tui.cli.serve import add_serve_parser, app_command
from linreg_tui.cli.serve_server import is_loopback, page_url

STARTUP_TIMEOUT = 8.0


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """Status and body of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    page: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM, then SIGKILL if it lingers; its stdout and stderr."""
    if process.poll() is None:
        process.terminate()
    try:
        return process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def start_server(
    *flags: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = STARTUP_TIMEOUT,
) -> Served:
    """`linreg-tui serve` on a free port, polled until its page answers. With -P: its own
    imports never come from its working directory `cwd` (tests/cli/test_serve_tabs.py)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-P", "-m", "linreg_tui", "serve", "--port", str(port), *flags],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            out, err = stop(process)
            pytest.fail(f"serve did not answer on port {port}:\n{out}\n{err}")
        try:
            status, body = get(f"http://127.0.0.1:{port}/")
            if status == 200:
                return Served(process, port, body)
        except OSError:  # not listening yet
            pass
        time.sleep(0.1)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """One `linreg-tui serve` for the module."""
    server = start_server(env={"COLUMNS": "200"})  # rich wraps its log lines at the width
    try:
        yield server
    finally:
        stop(server.process)


def test_page_is_the_app_through_textual_serve(served: Served) -> None:
    assert "linreg-tui" in served.page  # the title on the page's start-up dialog
    assert "js/textual.js" in served.page  # textual-serve's terminal in the browser
    assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in served.page


def test_page_links_follow_the_address_the_browser_used(served: Served) -> None:
    _, page = get(f"http://localhost:{served.port}/")
    assert f"ws://localhost:{served.port}/ws" in page  # so an ssh tunnel's port works too


def test_other_sites_are_refused(served: Served) -> None:
    # DNS rebinding: a foreign name that resolves to 127.0.0.1
    status, body = get(served.url, {"Host": f"evil.example:{served.port}"})
    assert (status, body) == (403, "this server only answers to localhost")
    # a page from another site opening the app's websocket
    status, body = get(served.url + "ws", {"Origin": "http://evil.example"})
    assert (status, body) == (403, "cross-origin requests are refused")


def test_sigterm_stops_it_cleanly_after_printing_its_url() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "linreg_tui", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_TIMEOUT)
        assert ready, "serve printed nothing"
        line = process.stdout.readline()  # printed as it starts to listen
        assert f"serving the lab on http://127.0.0.1:{port}/" in line
    finally:
        _, err = stop(process)
    assert process.returncode == 0, err
    assert "Traceback" not in err


@pytest.mark.parametrize("port", ["0", "65536", "-1", "http", ""])
def test_bad_port_is_refused_in_one_line(capsys: pytest.CaptureFixture[str], port: str) -> None:
    assert main(["serve", "--port", port]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert f"--port must be a whole number from 1 to 65535 (got {port!r})" in err


def test_bad_settings_are_refused_before_serving(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", str(free_port()), "--lr", "-1"]) == 2
    assert "--lr must be a positive" in capsys.readouterr().err


def test_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"linreg-tui serve: error: port {port} is already in use on 127.0.0.1: "
        "stop what uses it or pick another --port\n"
    )


def test_port_taken_after_the_check_is_still_one_line() -> None:
    """The server's own bind fails too (another process won the race): no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = (
            "import linreg_tui.cli.serve as serve\n"
            "serve.check_bindable = lambda host, port: None\n"
            "from linreg_tui.cli import main\n"
            f"raise SystemExit(main(['serve', '--port', '{port}']))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=15
        )
    assert done.returncode == 1
    assert done.stderr == (
        f"linreg-tui serve: error: port {port} is already in use on 127.0.0.1: "
        "stop what uses it or pick another --port\n"
    )
    assert "Traceback" not in done.stderr + done.stdout


def test_the_app_gets_the_settings_given_to_serve() -> None:
    argv = ["serve", "--w=-1,2", "--lr", "0.1", "--average", "--config", "my lab.toml"]
    args = build_parser(add_serve_parser).parse_args(argv)
    command = shlex.split(app_command(args))
    # -P: the working directory is not on the tab's sys.path (tests/cli/test_serve_tabs.py)
    assert command[:5] == [sys.executable, "-P", "-m", "linreg_tui", "tui"]
    config = os.path.abspath("my lab.toml")  # made absolute
    assert command[5:] == ["--w=-1,2", "--lr=0.1", "--average", f"--config={config}"]
    app_args = build_parser().parse_args(command[4:])  # the tui command takes them all
    assert (app_args.w, app_args.lr, app_args.average) == ("-1,2", "0.1", True)
    assert app_args.config == config


def test_loopback_and_urls() -> None:
    assert all(map(is_loopback, ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["0.0.0.0", "10.0.0.1", "evil.example", "::"]))
    assert page_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert page_url("0.0.0.0", 80) == "http://127.0.0.1:80/"
    assert page_url("::1", 8000) == "http://[::1]:8000/"


def test_serve_module_loads_no_ui_or_server_library() -> None:
    code = "import sys, linreg_tui.cli, linreg_tui.cli.serve\nprint(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    loaded = set(done.stdout.split())
    assert "linreg_tui.cli.serve" in loaded
    assert not loaded & {"textual", "textual_serve", "aiohttp", "rich"}
