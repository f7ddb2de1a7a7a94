"""The web server of `linreg-tui serve`: textual-serve's, with the lab's safety rules.

Neither textual-serve nor aiohttp is imported until a server is made, so the command line
stays light. The rules: the page's URLs follow the address the browser used (tunnels work);
another site's page, or a non-loopback Host name when serving loopback only (DNS
rebinding), is refused; and at most `max_sessions` browser tabs run at once: each runs its
own app and training process (about 360 MB and three processes), and nothing capped them
(about 65 tabs exhausted 24 GB: issue 16). A tab over the cap gets a page saying so.
"""

from __future__ import annotations

import html
import ipaddress
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from linreg_tui.cli.common import emit

if TYPE_CHECKING:
    from aiohttp import web
    from textual_serve.server import Server

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

BUSY_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>linreg-tui: busy</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>linreg-tui is busy</h1>
<p>This server already runs {sessions} browser tab{s} of the lab, as many as it was started
to serve (<code>linreg-tui serve --max-sessions {sessions}</code>). Close a tab of the lab
and reload this page.</p>
</body></html>
"""


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


def make_server(command: str, host: str, port: int, max_sessions: int) -> Server:
    """textual-serve's Server for `command`, with the rules of the module docstring."""
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

    def busy() -> web.Response:
        page = BUSY_PAGE.format(sessions=html.escape(str(max_sessions)), s="s"[: max_sessions > 1])
        return web.Response(status=503, text=page, content_type="text/html")

    class LabServer(Server):
        sessions = 0
        """Browser tabs connected now (each one an app process)."""

        async def on_startup(self, app: web.Application) -> None:
            emit(f"linreg-tui: serving the lab on {page_url(host, port)}  (Ctrl+C stops it)")
            if not loopback_only:
                print(f"linreg-tui: warning: {EXPOSED}", file=sys.stderr, flush=True)

        async def handle_index(self, request: web.Request) -> Any:
            if reason := refusal(request):
                raise web.HTTPForbidden(text=reason)
            if self.sessions >= max_sessions:
                return busy()
            # no await before the page is rendered: no other request sees this URL
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            if reason := refusal(request):
                raise web.HTTPForbidden(text=reason)
            if self.sessions >= max_sessions:  # a page opened before the others were
                raise web.HTTPServiceUnavailable(text=f"already serving {max_sessions} tabs")
            self.sessions += 1  # counted before any await: two tabs cannot both be last
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions -= 1

    return LabServer(command, host=host, port=port, title=TITLE)
