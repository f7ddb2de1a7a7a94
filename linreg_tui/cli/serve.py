"""`linreg-tui serve`: the same Textual app in a web browser, through textual-serve.

Each browser tab that opens the page starts its own `linreg-tui tui` process, run by this
Python interpreter. Neither textual nor textual-serve is imported until the server
starts, so the rest of the command line stays light.
"""

from __future__ import annotations

import argparse
import errno
import os
import shlex
import socket
import sys

from linreg_tui.cli.common import EXIT_FAILED, EXIT_OK, any_config_flag, save_config_if_asked
from linreg_tui.cli.flag_types import at_least_one
from linreg_tui.cli.parser import (
    FIELD_NAMES,
    FLAGS,
    UsageError,
    add_command,
    add_io_flags,
    wrap,
)
from linreg_tui.cli.serve_server import EXPOSED, make_server
from linreg_tui.cli.settings import config_from_args
from linreg_tui.store.config_files import FILES_ENV
from linreg_tui.store.paths import PathProblem, clipped, kind, shown, user_path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SESSIONS = 8
"""Browser tabs served at once: each runs the app and its training process (~360 MB)."""
ENTRY_310 = "import sys; sys.path.pop(0); from linreg_tui.cli import main; sys.exit(main())"
"""Python 3.10 has no -P: `-c` puts the working directory first on sys.path; drop it."""


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
    group.add_argument(
        "--max-sessions",
        type=at_least_one,
        default=DEFAULT_SESSIONS,
        metavar="N",
        help=f"browser tabs served at once; more get a page saying so (default: "
        f"{DEFAULT_SESSIONS}; each tab runs its own app, about 360 MB)",
    )
    group.add_argument(
        "--files",
        type=_folder,
        metavar="DIR",
        help="a folder whose .toml/.json files the tabs may load with ctrl+o (default: none; "
        "a tab can always paste a file's text). Tabs never write on this machine: ctrl+s and "
        "ctrl+e download to the browser",
    )
    add_io_flags(parser)


def _folder(text: str) -> str:
    """An argparse type: an existing folder, made absolute."""
    try:
        path = user_path(text)
        found = kind(path)
    except PathProblem as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if found != "folder":
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a folder")
    return os.path.realpath(path)


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
    `linreg-tui tui` with the settings flags that were given to `serve`.

    Isolated from the working directory: `python -m` puts it first on sys.path, so a
    `linreg_tui/` or `torch.py` lying in the folder `serve` was started from was imported
    into every tab (issue 16). `-P` (Python 3.11+) leaves it out; on 3.10 the entry drops it.
    Paths given to `serve` are made absolute."""
    if sys.version_info >= (3, 11):
        argv = [sys.executable, "-P", "-m", "linreg_tui", "tui"]
    else:
        argv = [sys.executable, "-c", ENTRY_310, "tui"]
    for name in FIELD_NAMES:
        value = getattr(args, name, None)
        if isinstance(value, bool):
            argv.append(FLAGS[name] if value else "--no-" + FLAGS[name][2:])
        elif value is not None:
            argv.append(f"{FLAGS[name]}={value}")  # `=`: a value may start with '-'
    for flag in ("config", "db"):
        if getattr(args, flag, None):
            argv.append(f"--{flag}={os.path.abspath(user_path(getattr(args, flag)))}")
    if getattr(args, "no_record", False):
        argv.append("--no-record")
    return shlex.join(argv)


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
    for family, sock_type, proto, _, address in addresses:
        with socket.socket(family, sock_type, proto) as probe:
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
    if args.files:  # the tabs' only readable folder (ui/served_files.py); none by default
        os.environ[FILES_ENV] = args.files
    else:
        os.environ.pop(FILES_ENV, None)
    try:
        check_bindable(args.host, port)
        server = make_server(app_command(args), args.host, port, args.max_sessions)
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
