"""`linreg-tui serve`: the same Textual app in a web browser, through textual-serve.

Each browser tab that opens the page starts its own `linreg-tui tui` process, run by this
Python interpreter. Neither textual nor textual-serve is imported until the server
starts, so the rest of the command line stays light.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import shlex
import socket
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from linreg_tui.cli.common import EXIT_FAILED, EXIT_OK, any_config_flag, emit, save_config_if_asked
from linreg_tui.cli.parser import (
    FIELD_NAMES,
    FLAGS,
    UsageError,
    add_command,
    add_io_flags,
    wrap,
)
from linreg_tui.cli.settings import config_from_args
from linreg_tui.store.paths import clipped, shown

if TYPE_CHECKING:
    from aiohttp import web
    from textual_serve.server import Server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "linreg-tui"
EXPOSED = (
    "There is no authentication. If you serve it on an address that other machines can reach "
    "(--host 0.0.0.0, or this machine's network address), anyone who can reach that port can "
    "use the lab on this machine just as you can: start runs and CPU-heavy sweeps (each "
    "browser tab runs its own process) and see the run history. Do that only on a network you "
    "trust; otherwise keep the default and connect through an SSH tunnel "
    "(ssh -L 8000:localhost:8000 THIS-MACHINE)."
)
"""What --host means, said in the help and again at start-up when it is not loopback."""


class ServeError(Exception):
    """The server cannot start: `main` prints one line and exits with 1 (2 if `usage`)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def add_serve_parser(commands: argparse._SubParsersAction) -> None:
    """Add `serve`: --host, --port, and the `tui` command's settings, passed to the app."""
    parser = add_command(
        commands,
        "serve",
        "serve the app to a web browser (this machine only, by default)",
        "Serve the terminal app as a web page, through textual-serve, and print its URL. "
        "Every browser tab that opens it runs its own copy of the app, started with the "
        "settings given here. By default only this machine can connect (127.0.0.1).",
    )
    parser.description = f"{parser.description}\n\n{wrap(EXPOSED)}"
    group = parser.add_argument_group("server")
    group.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine only; see above)",
    )
    group.add_argument(
        "--port",
        default=str(DEFAULT_PORT),
        metavar="N",
        help=f"TCP port, 1 to 65535 (default: {DEFAULT_PORT})",
    )
    add_io_flags(parser)


def parse_port(prog: str, text: str) -> int:
    """The --port value, or a UsageError naming it."""
    try:
        port = int(text.strip())
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise UsageError(prog, f"--port must be a whole number from 1 to 65535 (got {text!r})")
    return port


def app_command(args: argparse.Namespace) -> str:
    """The shell command that starts the app for one browser tab: this interpreter running
    `linreg-tui tui` with the settings flags that were given to `serve`."""
    argv = [sys.executable, "-m", "linreg_tui", "tui"]
    for name in FIELD_NAMES:
        value = getattr(args, name, None)
        if isinstance(value, bool):
            argv.append(FLAGS[name] if value else "--no-" + FLAGS[name][2:])
        elif value is not None:
            argv.append(f"{FLAGS[name]}={value}")  # `=`: a value may start with '-'
    for flag in ("config", "db"):  # relative paths still work: the app shares our cwd
        if getattr(args, flag, None):
            argv.append(f"--{flag}={getattr(args, flag)}")
    if getattr(args, "no_record", False):
        argv.append("--no-record")
    return shlex.join(argv)


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def page_url(host: str, port: int) -> str:
    """The URL to open; for a wildcard address, the one that works from this machine."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def check_bindable(host: str, port: int) -> None:
    """Raise ServeError with a one-line reason if the server could not listen there."""
    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as error:
        raise ServeError(
            f"--host {shown(host)}: no such address ({error.strerror})", True
        ) from None
    except (UnicodeError, ValueError) as error:  # a label over 63 characters, a NUL
        raise ServeError(f"--host {shown(host)}: not a host name ({error})", True) from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            # as asyncio does: a port in TIME_WAIT is free, one that something listens on is not
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                raise ServeError(bind_problem(host, port, error)) from None


def bind_problem(host: str, port: int, error: OSError) -> str:
    """One line saying why listening on host:port failed."""
    host = clipped(host)
    where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
    if error.errno == errno.EADDRINUSE:
        return f"port {port} is already in use on {host}: stop what uses it or pick another --port"
    if error.errno == errno.EACCES:
        return f"not allowed to listen on {where} (ports below 1024 need privileges)"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: {host} is not an address of this machine"
    return f"cannot listen on {where}: {error.strerror or error}"


def serve_command(args: argparse.Namespace) -> int:
    """`linreg-tui serve`: serve the app until Ctrl-C or SIGTERM; 0, 1 if it cannot listen,
    2 on bad flags."""
    port = parse_port(args.prog, args.port)
    if any_config_flag(args):
        config = config_from_args(args)  # bad settings fail here, not in every browser tab
        save_config_if_asked(args, config)
    try:
        check_bindable(args.host, port)
        server = make_server(app_command(args), args.host, port)
        try:
            server.serve()
        except OSError as error:  # something took the port since check_bindable
            raise ServeError(bind_problem(args.host, port, error)) from None
    except ServeError as error:
        if error.usage:
            raise UsageError(args.prog, str(error)) from None
        print(f"{args.prog}: error: {error}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    return EXIT_OK


def make_server(command: str, host: str, port: int) -> Server:
    """textual-serve's Server for `command`, with two changes for safety and tunnels.

    The page's own URLs (scripts, websocket) come from the address the browser used, so
    the page also works through `ssh -L` or on 0.0.0.0; and the app refuses a page from
    another site (a websocket's Origin must match its Host) and, when serving loopback
    only, any Host name that is not loopback (DNS rebinding): with no authentication, any
    web page open in a browser on this machine could otherwise drive the lab.
    """
    from aiohttp import web
    from textual_serve.server import Server

    loopback_only = is_loopback(host)

    def refusal(request: web.Request) -> str | None:
        if loopback_only and not is_loopback(request.url.host or ""):
            return "this server only answers to localhost"
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            return "cross-origin requests are refused"
        return None

    class LabServer(Server):
        async def on_startup(self, app: web.Application) -> None:
            emit(f"linreg-tui: serving the lab on {page_url(host, port)}  (Ctrl+C stops it)")
            if not loopback_only:
                print(f"linreg-tui: warning: {EXPOSED}", file=sys.stderr, flush=True)

        async def handle_index(self, request: web.Request) -> Any:
            if reason := refusal(request):
                raise web.HTTPForbidden(text=reason)
            # no await before the page is rendered: no other request sees this URL
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            if reason := refusal(request):
                raise web.HTTPForbidden(text=reason)
            return await super().handle_websocket(request)

    return LabServer(command, host=host, port=port, title=TITLE)
