"""The preview's HTTP side: the built site, read-only, to this machine's browser.

The standard library's ThreadingHTTPServer, with its own handler rather than
SimpleHTTPRequestHandler: that one lists directories, follows symlinks anywhere and
answers any Host. Here, a request is refused unless
- its Host header names this server (a web page elsewhere that rebinds its own DNS
  name to 127.0.0.1 sends its own name, and gets 421: the DNS-rebinding defence);
- its method is GET or HEAD;
- its path is plain: no `..` or `.` segment, no encoded slash, backslash or NUL
  (`%2e%2e`, `%2f`, `%5c`, `%00`), and it resolves inside the built site even through
  symlinks. Anything else is a 404, the same answer as a missing file, so probing
  learns nothing.
HTML responses get the live-reload script tag; the files on disk never do.
"""

from __future__ import annotations

import ipaddress
import mimetypes
import socket
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.publish.write import MARKER
from generator.serve.state import LiveState, Snapshot

PREFIX = "/__chatwiki/"  # the server's own endpoints; no built page can live under it
EVENTS = PREFIX + "events"
SCRIPT = PREFIX + "livereload.js"
KEEPALIVE_SECONDS = 15.0  # a comment this often: a closed tab's thread finds out and ends
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether `host` (as given to --host) is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host headers this server answers: its own address and the loopback names.

    Only exact `name:port` forms: a Host that names any other site, or this one on
    another port, is someone else's page talking to us.
    """
    names = {_url_host(host).lower(), *_LOOPBACK_NAMES}
    if host in ("0.0.0.0", "::", ""):  # every interface: the machine's own names too
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(f"{name}:{port}" for name in names)


def _is_ip_literal(host_header: str) -> bool:
    name = host_header.rsplit(":", 1)[0].strip("[]")
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def request_parts(target: str) -> tuple[str, ...] | None:
    """The path segments a request target names (the last "" for a folder), or None
    when it must be refused. Checked on the raw and the decoded form, so neither an
    encoded nor a plain `..` gets through."""
    path = urlsplit(target).path
    lowered = path.lower()
    if not path.startswith("/") or any(bad in lowered for bad in ("\\", "\0", "%2f", "%5c", "%00")):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in decoded or "\0" in decoded:
        return None
    parts = tuple(decoded.split("/")[1:])
    if any(p in ("", ".", "..") for p in parts[:-1]) or parts[-1] in (".", ".."):
        return None
    if MARKER in parts:  # chatwiki's own bookkeeping, not part of the site
        return None
    return parts


def resolve(site: Path, parts: tuple[str, ...]) -> Path | None:
    """The file or folder `parts` names inside `site`, after following symlinks, or
    None if it does not exist or lies outside."""
    root = site.resolve()
    try:
        found = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a symlink loop, a name too long
        return None
    return found if found.is_relative_to(root) else None


def with_script(html: bytes, generation: int, file: str = "") -> bytes:
    """`html` with the live-reload script, before its last </body> (else at the end).
    `file`: the site-relative file the page is, which events name when it changes."""
    tag = (
        f'<script src="{SCRIPT}" data-generation="{generation}" '
        f'data-file="{escape(file, quote=True)}"></script>'
    ).encode()
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


def _file_of(parts: tuple[str, ...]) -> str:
    """The site-relative file a request names (a folder: its index.html)."""
    return "/".join(parts) + "index.html" if parts[-1] == "" else "/".join(parts)


def _waiting_page(snapshot: Snapshot) -> bytes:
    """What every page shows until the first build succeeds: the errors come in the
    overlay, and the page reloads itself once they are fixed."""
    return with_script(
        b"<!doctype html><html><head><meta charset=utf-8><title>chatwiki serve</title>"
        b"</head><body><p>chatwiki serve: the site has not built yet. Fix the errors "
        b"shown here and in the terminal; this page reloads when it builds.</p></body></html>",
        snapshot.generation,
    )


class PreviewServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with what its handler needs to know."""

    daemon_threads = True  # an open event stream must not keep the process alive

    def __init__(self, host: str, port: int, live: LiveState) -> None:
        if ":" in host.strip("[]"):
            self.address_family = socket.AF_INET6
        super().__init__((host.strip("[]"), port), PreviewHandler)
        self.live = live
        self.hosts = allowed_hosts(host.strip("[]"), self.server_address[1])
        self.any_interface = host in ("0.0.0.0", "::")
        self.script = files("generator.serve").joinpath("livereload.js").read_bytes()


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "chatwiki-serve"

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal is for build results, not one line per request."""

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def _refuse_method(self) -> None:
        self._send(
            HTTPStatus.METHOD_NOT_ALLOWED,
            b"GET and HEAD only\n",
            "text/plain",
            True,
            extra={"Allow": "GET, HEAD"},
        )

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method

    def _host_ok(self) -> HTTPStatus | None:
        host = self.headers.get("Host")
        if not host:
            return HTTPStatus.BAD_REQUEST
        host = host.strip().lower()
        if host in self.server.hosts:
            return None
        port = str(self.server.server_address[1])
        if self.server.any_interface and _is_ip_literal(host) and host.endswith(":" + port):
            return None  # served on every interface: any of its addresses, never a name
        return HTTPStatus.MISDIRECTED_REQUEST

    def _respond(self, body: bool) -> None:
        refused = self._host_ok()
        if refused is not None:
            self._send(refused, b"this server answers only its own address\n", "text/plain", body)
            return
        path = urlsplit(self.path).path
        if path == EVENTS:
            self._stream_events(body)
            return
        if path == SCRIPT:
            self._send(HTTPStatus.OK, self.server.script, "text/javascript", body)
            return
        parts = request_parts(self.path)
        snapshot = self.server.live.current()
        if snapshot.site is None:
            page = _waiting_page(snapshot)
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, page, "text/html", body)
            return
        if parts is None:
            self._not_found(snapshot, body)
            return
        quick = snapshot.quick.get(_file_of(parts))
        if quick is not None:  # an edited write-up's page, ahead of its rebuild
            self._send(
                HTTPStatus.OK,
                with_script(quick, snapshot.generation, _file_of(parts)),
                "text/html",
                body,
            )
            return
        found = resolve(snapshot.site, parts)
        if found is None:
            # Missing, or in the moment a rebuild swaps the new site in: ask again after.
            self.server.live.wait_until_idle(timeout=30)
            snapshot = self.server.live.current()
            found = resolve(snapshot.site, parts) if snapshot.site is not None else None
        if found is not None and found.is_dir():
            if parts[-1] != "":
                split = urlsplit(self.path)
                to = split.path + "/" + (f"?{split.query}" if split.query else "")
                self._send(
                    HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", body, extra={"Location": to}
                )
                return
            found = found / "index.html"
            if not found.is_file():
                found = None
        if found is None or not found.is_file():
            self._not_found(snapshot, body)
            return
        self._send_file(HTTPStatus.OK, found, snapshot, body, _file_of(parts))

    def _not_found(self, snapshot: Snapshot, body: bool) -> None:
        page = snapshot.site / "404.html" if snapshot.site is not None else None
        if page is not None and page.is_file() and not page.is_symlink():
            self._send_file(HTTPStatus.NOT_FOUND, page, snapshot, body, "404.html")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", body)

    def _send_file(
        self, status: HTTPStatus, path: Path, snapshot: Snapshot, body: bool, file: str
    ) -> None:
        try:
            data = path.read_bytes()
        except OSError:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", body)
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = with_script(data, snapshot.generation, file)
        self._send(status, data, kind, body)

    def _send(
        self,
        status: HTTPStatus,
        data: bytes,
        kind: str,
        body: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        text = kind.startswith("text/") or kind in ("application/javascript", "application/json")
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if text else kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a reload must see the rebuild
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _stream_events(self, body: bool) -> None:
        """Server-sent events: the state now, then every change, until the tab closes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not body:
            return
        live = self.server.live
        seen = live.current()
        try:
            self.wfile.write(seen.event())
            self.wfile.flush()
            while not live.closed:
                changed = live.wait_for_change(seen, KEEPALIVE_SECONDS)
                if changed is None:
                    self.wfile.write(b": keepalive\n\n")
                else:
                    seen = changed
                    self.wfile.write(changed.event())
                self.wfile.flush()
        except OSError:  # the tab went away
            return
        self.close_connection = True
