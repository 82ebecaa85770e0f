"""`chatwiki serve` as a user meets it: pages, a reload after each save, errors over the
page until fixed, and a server that only this machine's browser can use.

Each test runs a real Preview on 127.0.0.1, port 0, over a throw-away site, and talks
to it through raw sockets (http.client refuses to send some of the hostile requests
tested here). Every wait is bounded and ends as soon as what it waits for happens.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator import build
from generator.cli import main
from generator.serve import preview as preview_module
from generator.serve.preview import Preview
from generator.serve.server import SCRIPT, allowed_hosts, is_loopback
from tests.conftest import MINIMAL_SITE_YAML, NOW, chat_md, markdown_renders

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
SITE_YAML = MINIMAL_SITE_YAML + "search: false\n"  # no Pagefind run: quicker rebuilds
WAIT = 20.0  # seconds: the most any step waits for a rebuild, on a loaded machine


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def request(port: int, path: str, host: str | None = "default", method: str = "GET") -> Response:
    """One HTTP request sent byte for byte as written (`host=None`: no Host header)."""
    head = f"{method} {path} HTTP/1.1\r\n"
    if host == "default":
        host = f"127.0.0.1:{port}"
    if host is not None:
        head += f"Host: {host}\r\n"
    head += "Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as conn:
        conn.sendall(head.encode("latin-1"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    top, _, body = data.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(int(lines[0].split()[1]), headers, body)


class Events:
    """The server-sent event stream a page's live-reload script listens to."""

    def __init__(self, port: int) -> None:
        self.conn = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.conn.sendall(
            f"GET /__chatwiki/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        )
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        assert b" 200 " in head.split(b"\r\n")[0] and b"text/event-stream" in head

    def _until(self, end: bytes) -> bytes:
        deadline = time.monotonic() + WAIT
        while end not in self.buffer:
            self.conn.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.conn.recv(65536)  # a timeout here fails the test
            if not chunk:
                raise AssertionError("the event stream closed")
            self.buffer += chunk
        item, self.buffer = self.buffer.split(end, 1)
        return item

    def next_state(self) -> dict[str, object]:
        """The next `state` event (keep-alive comments skipped)."""
        while True:
            event = self._until(b"\n\n").decode()
            if event.startswith("event: state\n"):
                state: dict[str, object] = json.loads(event.split("data: ", 1)[1])
                return state

    def close(self) -> None:
        self.conn.close()


def core(state: dict[str, object]) -> dict[str, object]:
    """An event's generation and errors (what every page acts on)."""
    return {"generation": state["generation"], "errors": state["errors"]}


@pytest.fixture
def serve(tmp_site: MakeSite) -> Iterator[Callable[[Mapping[str, str | bytes]], Preview]]:
    """Start a preview of a site made from {path: text}; stopped after the test."""
    started: list[Preview] = []

    def start(files: Mapping[str, str | bytes]) -> Preview:
        source = tmp_site({"site.yaml": SITE_YAML, **files})
        preview = Preview(source, lambda: NOW, lambda text: None, host="127.0.0.1", port=0)
        started.append(preview)
        preview.start()
        assert preview.wait_until_watching(WAIT)
        return preview

    yield start
    for preview in started:
        preview.close()


def port_of(preview: Preview) -> int:
    return int(preview.url.rsplit(":", 1)[1].strip("/"))


def test_serves_the_site_as_chatwiki_build_writes_it(
    serve: Callable[..., Preview], tmp_path: Path
) -> None:
    preview = serve({"content/chats/a.md": chat_md(title="Mentors")})
    port = port_of(preview)
    page = request(port, "/chats/a/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert b"Mentors" in page.body
    tag = f'<script src="{SCRIPT}" data-generation="1" data-file="chats/a/index.html">'.encode()
    tag += b"</script>"
    assert page.body.count(tag) == 1 and page.body.index(tag) < page.body.rindex(b"</body>")
    # The files served are `chatwiki build`'s, byte for byte; only the response has the tag.
    out = tmp_path / "built"
    build(preview.source, out, NOW, drafts=True)
    on_disk = (preview.site_dir / "chats/a/index.html").read_bytes()
    assert on_disk == (out / "chats/a/index.html").read_bytes()
    assert page.body.replace(tag, b"") == on_disk
    served = {p.relative_to(preview.site_dir) for p in preview.site_dir.rglob("*") if p.is_file()}
    assert served == {p.relative_to(out) for p in out.rglob("*") if p.is_file()}
    assert not any(b"livereload" in (out / p).read_bytes() for p in served)
    # A folder without its slash is redirected; CSS is not given the script.
    moved = request(port, "/chats/a?x=1")
    assert moved.status == 301 and moved.headers["location"] == "/chats/a/?x=1"
    css = request(port, "/static/style.css")
    assert css.status == 200 and b"livereload" not in css.body
    assert request(port, SCRIPT).body.startswith(b"// chatwiki serve's live reload")
    assert request(port, "/chats/a/", method="HEAD").body == b""
    missing = request(port, "/no/such/page/")
    four = tag.replace(b"chats/a/index.html", b"404.html")
    assert missing.status == 404 and four in missing.body  # the site's own 404 page


def test_a_save_rebuilds_and_tells_open_pages_to_reload(serve: Callable[..., Preview]) -> None:
    preview = serve({"content/chats/a.md": chat_md(title="Mentors")})
    port = port_of(preview)
    events = Events(port)
    try:
        assert core(events.next_state()) == {"generation": 1, "errors": []}
        (preview.source / "content/chats/a.md").write_text(chat_md(title="Finding a mentor"))
        assert core(events.next_state()) == {"generation": 2, "errors": []}
        page = request(port, "/chats/a/")
        assert b"Finding a mentor" in page.body and b'data-generation="2"' in page.body
        # site.yaml is watched too (saved the way editors do: a new file renamed over it).
        new = preview.source / "site.yaml.new"
        new.write_text(SITE_YAML.replace("Test Chat", "Renamed Chat"))
        os.replace(new, preview.source / "site.yaml")
        state = events.next_state()
        assert state["errors"] == [] and int(str(state["generation"])) >= 3
        assert b"Renamed Chat" in request(port, "/").body
    finally:
        events.close()
    assert not (preview.source / "output").exists()


@pytest.fixture
def held_rebuilds(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Rebuilds after the first wait until the test sets the event: what a large
    site's rebuild does, taking seconds, while the edited page is already shown."""
    gate = threading.Event()
    real = preview_module.build
    calls = []

    def held(*args: Any, **kwargs: Any) -> Any:
        calls.append(None)
        if len(calls) > 1:
            gate.wait(WAIT)
        return real(*args, **kwargs)

    monkeypatch.setattr(preview_module, "build", held)
    return gate


# a's text is edited in the tests below; b is its neighbour (a's "next" chat).
TWO_CHATS = {
    "content/chats/a.md": chat_md(title="Mentors", body="First words.\n"),
    "content/chats/b.md": chat_md(title="Other", date="2012-03-15T20:00"),
}


def without_script(html: bytes) -> bytes:
    return re.sub(rb'<script src="/__chatwiki/livereload\.js"[^>]*></script>', b"", html)


def test_a_text_edit_shows_at_once_and_only_its_page_reloads(
    serve: Callable[..., Preview], held_rebuilds: threading.Event
) -> None:
    preview = serve(TWO_CHATS)
    port = port_of(preview)
    events = Events(port)
    try:
        assert core(events.next_state()) == {"generation": 1, "errors": []}
        chat = preview.source / "content/chats/a.md"
        chat.write_text(chat_md(title="Mentors", body="Second words.\n"))
        # The page first, made from the last plan while the rebuild has not even begun.
        quick = events.next_state()
        assert quick == {
            "generation": 2,
            "errors": [],
            "changed": ["chats/a/index.html"],
            "pages": False,
            "complete": False,
        }
        page = request(port, "/chats/a/")
        assert b"Second words" in page.body and b'data-generation="2"' in page.body
        held_rebuilds.set()
        done = events.next_state()
        assert done["generation"] == 3 and done["errors"] == [] and done["complete"] is True
        # The rebuild made that very page: it does not reload again; nor does b's.
        changed = done["changed"]
        assert isinstance(changed, list) and "chats/index.html" not in changed
        assert "chats/a/index.html" not in changed and "chats/b/index.html" not in changed
        on_disk = (preview.site_dir / "chats/a/index.html").read_bytes()
        assert without_script(page.body) == on_disk
        assert without_script(request(port, "/chats/a/").body) == on_disk
    finally:
        events.close()


def test_an_edit_that_moves_the_chat_waits_for_the_rebuild(
    serve: Callable[..., Preview], held_rebuilds: threading.Event
) -> None:
    preview = serve({"content/chats/a.md": chat_md(title="Mentors")})
    port = port_of(preview)
    events = Events(port)
    try:
        assert core(events.next_state()) == {"generation": 1, "errors": []}
        (preview.source / "content/chats/a.md").write_text(chat_md(title="Finding a mentor"))
        time.sleep(0.5)  # time enough for a quick page, which must not come
        assert b"Finding a mentor" not in request(port, "/chats/a/").body
        held_rebuilds.set()
        done = events.next_state()
        assert done["generation"] == 2 and done["complete"] is True
        assert isinstance(done["changed"], list) and "chats/index.html" in done["changed"]
        assert b"Finding a mentor" in request(port, "/chats/a/").body
    finally:
        events.close()


def test_no_quick_page_from_a_plan_an_earlier_save_made_stale(
    serve: Callable[..., Preview], held_rebuilds: threading.Event
) -> None:
    """b's title changes a's "next" link: a text edit of a saved while that rebuild
    runs waits for it, rather than showing a page from the plan before it."""
    preview = serve(TWO_CHATS)
    port = port_of(preview)
    events = Events(port)
    try:
        assert core(events.next_state()) == {"generation": 1, "errors": []}
        chats = preview.source / "content/chats"
        (chats / "b.md").write_text(chat_md(title="Renamed", date="2012-03-15T20:00"))
        time.sleep(0.3)  # its own save
        (chats / "a.md").write_text(chat_md(title="Mentors", body="Second words.\n"))
        time.sleep(0.5)  # time enough for a quick page, which must not come
        assert b"Second words" not in request(port, "/chats/a/").body
        held_rebuilds.set()
        state = events.next_state()
        while not (state["complete"] and b"Second words" in request(port, "/chats/a/").body):
            state = events.next_state()
        assert b"Renamed" in request(port, "/chats/a/").body
    finally:
        events.close()


def test_a_page_gone_reloads_every_page(serve: Callable[..., Preview]) -> None:
    """A renamed write-up: as many files as before, but a tab on the old address
    must reload to see it gone."""
    preview = serve({"content/chats/a.md": chat_md(title="Mentors")})
    events = Events(port_of(preview))
    try:
        assert core(events.next_state()) == {"generation": 1, "errors": []}
        chats = preview.source / "content/chats"
        os.replace(chats / "a.md", chats / "renamed.md")
        state = events.next_state()
        while not (state["generation"] >= 2 and (preview.site_dir / "chats/renamed").is_dir()):
            state = events.next_state()
        assert state["changed"] is None
    finally:
        events.close()


def test_with_search_the_pages_come_first_and_the_index_follows(
    serve: Callable[..., Preview], tmp_path: Path
) -> None:
    """Pagefind takes seconds on a large site: a rebuild shows the changed pages with
    the last index, then indexes them and reloads the search page, whose bundle is
    then the one `chatwiki build` makes of the same pages."""
    preview = serve(
        {"site.yaml": MINIMAL_SITE_YAML, "content/chats/a.md": chat_md(title="Mentors")}
    )
    events = Events(port_of(preview))
    try:
        assert core(events.next_state()) == {"generation": 1, "errors": []}
        (preview.source / "content/chats/a.md").write_text(chat_md(title="Finding a mentor"))
        pages = events.next_state()
        assert pages["generation"] == 2 and pages["errors"] == []
        assert isinstance(pages["changed"], list) and "chats/a/index.html" in pages["changed"]
        assert "search/index.html" not in pages["changed"]
        assert pages["pages"] and not pages["complete"]  # the index is yet to come
        index = events.next_state()
        assert index["generation"] == 3 and index["changed"] == ["search/index.html"]
        assert index["complete"]
    finally:
        events.close()
    fresh = tmp_path / "fresh"
    build(preview.source, fresh, NOW, drafts=True)

    def bundle(site: Path) -> dict[str, bytes]:
        folder = site / "pagefind"
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file()
        }

    assert bundle(preview.site_dir) == bundle(fresh)


def test_a_content_error_shows_over_the_page_until_it_is_fixed(
    serve: Callable[..., Preview],
) -> None:
    preview = serve({"content/chats/a.md": chat_md(title="Mentors")})
    port = port_of(preview)
    events = Events(port)
    chat = preview.source / "content/chats/a.md"
    try:
        assert events.next_state()["generation"] == 1
        chat.write_text(chat_md(title="Mentors", date="next thurs"))
        broken = events.next_state()
        assert broken["generation"] == 1  # no new site: open pages stay as they are
        errors = broken["errors"]
        assert isinstance(errors, list) and len(errors) == 1
        assert errors[0].startswith("content/chats/a.md:3: date: expected an ISO date")
        # The last good build is still served, with the script that shows the overlay.
        page = request(port, "/chats/a/")
        assert page.status == 200 and b"Mentors" in page.body
        # A new page load gets the errors as soon as it connects.
        late = Events(port)
        assert late.next_state() == broken
        late.close()
        chat.write_text(chat_md(title="Mentors, fixed"))
        assert core(events.next_state()) == {"generation": 2, "errors": []}
        assert b"Mentors, fixed" in request(port, "/chats/a/").body
    finally:
        events.close()


def test_a_site_that_never_built_waits_and_shows_its_errors(serve: Callable[..., Preview]) -> None:
    preview = serve({"content/chats/a.md": chat_md(drat="x")})
    port = port_of(preview)
    waiting = request(port, "/chats/a/")
    assert waiting.status == 503 and SCRIPT.encode() in waiting.body
    events = Events(port)
    try:
        first = events.next_state()
        assert first["generation"] == 0
        errors = first["errors"]
        assert isinstance(errors, list) and len(errors) == 1
        assert errors[0].startswith("content/chats/a.md:4: drat: unknown key")
        (preview.source / "content/chats/a.md").write_text(chat_md(title="Now it builds"))
        assert core(events.next_state()) == {"generation": 1, "errors": []}
        assert b"Now it builds" in request(port, "/chats/a/").body
    finally:
        events.close()


def test_it_never_writes_into_the_users_output(tmp_site: MakeSite) -> None:
    source = tmp_site({"site.yaml": SITE_YAML, "content/chats/a.md": chat_md(title="Mentors")})
    out = source / "output"
    build(source, out, NOW)  # the user's own build, about to be published
    files = [p for p in out.rglob("*") if p.is_file()]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    around = sorted(p.name for p in source.iterdir())
    preview = Preview(source, lambda: NOW, lambda text: None, port=0)
    preview.start()
    try:
        assert preview.wait_until_watching(WAIT)
        events = Events(port_of(preview))
        assert events.next_state()["generation"] == 1
        (source / "content/chats/a.md").write_text(chat_md(title="Edited"))
        assert core(events.next_state()) == {"generation": 2, "errors": []}
        events.close()
        assert not preview.site_dir.resolve().is_relative_to(source.resolve())
    finally:
        preview.close()
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
    assert sorted(p.name for p in source.iterdir()) == around  # nothing new beside it
    assert not preview.site_dir.exists()  # and its own folder is gone


# --- security --------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["evil.example:{port}", "evil.example", "127.0.0.1:1", "localhost.evil.example:{port}"],
)
def test_a_foreign_host_header_is_refused(serve: Callable[..., Preview], host: str) -> None:
    """DNS rebinding: another site's page, its name pointed at 127.0.0.1, sends its own
    name as Host. Only this server's own address is answered."""
    port = port_of(serve({"content/chats/a.md": chat_md(title="Secret draft")}))
    refused = request(port, "/chats/a/", host=host.format(port=port))
    assert refused.status == 421 and b"Secret draft" not in refused.body
    assert request(port, "/__chatwiki/events", host=host.format(port=port)).status == 421


def test_only_its_own_host_names_are_answered(serve: Callable[..., Preview]) -> None:
    port = port_of(serve({"content/chats/a.md": chat_md(title="Mentors")}))
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        assert request(port, "/chats/a/", host=host).status == 200, host
    assert request(port, "/chats/a/", host=None).status == 400  # no Host at all
    assert allowed_hosts("127.0.0.1", 8000) == {
        "127.0.0.1:8000",
        "localhost:8000",
        "[::1]:8000",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/chats/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/chats/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/chats%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/secret.txt%00.html",
        "/%252e%252e/secret.txt",  # double-encoded: the file "%2e%2e" does not exist
        "//secret.txt",
        "/./secret.txt",
        "/.chatwiki-output",
        "/leak.txt",  # a symlink inside the site to a file outside it
        "/leak/secret.txt",  # a symlinked folder out of the site
    ],
)
def test_no_path_reaches_outside_the_site(
    serve: Callable[..., Preview], tmp_path: Path, path: str
) -> None:
    preview = serve({"content/chats/a.md": chat_md()})
    port = port_of(preview)
    secret = b"not part of the site"
    for outside in (preview.site_dir.parent, tmp_path):  # beside the site; elsewhere
        (outside / "secret.txt").write_bytes(secret)
    (preview.site_dir / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (preview.site_dir / "leak").symlink_to(tmp_path, target_is_directory=True)
    (preview.site_dir / "planted.txt").write_bytes(secret)
    assert request(port, "/planted.txt").body == secret  # the request helper can see files
    refused = request(port, path)
    assert refused.status == 404 and secret not in refused.body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head(serve: Callable[..., Preview], method: str) -> None:
    preview = serve({"content/chats/a.md": chat_md()})
    answer = request(port_of(preview), "/chats/a/index.html", method=method)
    assert answer.status == 405 and answer.headers["allow"] == "GET, HEAD"
    assert (preview.site_dir / "chats/a/index.html").is_file()


def test_loopback_by_default_and_a_warning_for_any_other_address(
    monkeypatch: pytest.MonkeyPatch, tmp_site: MakeSite
) -> None:
    bound: list[str] = []

    class Stub:
        def __init__(self, *args: object, host: str, **kwargs: object) -> None:
            bound.append(host)

        def start(self) -> None:
            from generator.core.errors import UsageError

            raise UsageError("stopped by the test")

    monkeypatch.setattr(preview_module, "Preview", Stub)
    source = str(tmp_site({}))
    quiet = CliRunner().invoke(main, ["serve", source])
    assert bound == ["127.0.0.1"] and "warning" not in quiet.stderr
    for host in ("0.0.0.0", "192.168.1.20", "::"):
        loud = CliRunner().invoke(main, ["serve", source, "--host", host])
        assert f"warning: listening on {host}" in loud.stderr
    for host in ("localhost", "127.0.0.2", "::1"):
        assert "warning" not in CliRunner().invoke(main, ["serve", source, "--host", host]).stderr
    assert [is_loopback(h) for h in ("127.0.0.1", "[::1]", "0.0.0.0", "example.org")] == [
        True,
        True,
        False,
        False,
    ]


def test_a_busy_port_is_a_usage_error(serve: Callable[..., Preview], tmp_site: MakeSite) -> None:
    port = port_of(serve({}))
    result = CliRunner().invoke(
        main, ["serve", str(tmp_site({})), "--port", str(port), "--now", "2026-11-23T12:00Z"]
    )
    assert result.exit_code == 2 and f"cannot serve on 127.0.0.1:{port}" in result.stderr


# --- in a real browser -------------------------------------------------------------


def test_a_browser_reloads_on_save_and_shows_errors_as_text(
    serve: Callable[..., Preview],
) -> None:
    from tests.browser import chromium

    preview = serve({"content/chats/a.md": chat_md(title="Mentors")})
    chat = preview.source / "content/chats/a.md"
    wait_ms = WAIT * 1000
    with chromium() as browser:
        page = browser.new_page()
        page.goto(preview.url + "chats/a/")
        assert "Mentors" in page.title()
        page.evaluate("() => { window.sameDocument = true; }")
        chat.write_text(chat_md(title="Finding a mentor"))
        page.wait_for_function("() => document.title.includes('Finding')", timeout=wait_ms)
        assert page.evaluate("() => window.sameDocument") is None  # it reloaded
        # A diagnostic quotes the file: markup in it is shown, never run.
        hostile = '"<img src=x onerror=window.pwned=1>"'
        chat.write_text(chat_md(title="Finding a mentor", date=hostile))
        overlay = page.locator("#chatwiki-serve-errors")
        overlay.wait_for(timeout=wait_ms)
        text = overlay.inner_text()
        assert "content/chats/a.md:3: date:" in text and "<img src=x onerror" in text
        assert overlay.locator("img").count() == 0
        assert page.evaluate("() => window.pwned") is None
        assert "Finding a mentor" in page.title()  # the last good build, still there
        chat.write_text(chat_md(title="Mentors again"))
        page.wait_for_function("() => document.title.includes('again')", timeout=wait_ms)
        assert page.locator("#chatwiki-serve-errors").count() == 0


def test_in_a_browser_only_the_edited_page_reloads(serve: Callable[..., Preview]) -> None:
    """Two tabs open; a save of one write-up's text reloads that tab only, and the
    other keeps its state (what a reader was typing, where they had scrolled)."""
    from tests.browser import chromium

    preview = serve(TWO_CHATS)
    chat = preview.source / "content/chats/a.md"
    wait_ms = WAIT * 1000
    with chromium() as browser:
        edited, other = browser.new_page(), browser.new_page()
        edited.goto(preview.url + "chats/a/")
        other.goto(preview.url + "chats/b/")
        for tab in (edited, other):
            tab.evaluate("() => { window.sameDocument = true; }")
        # The other tab notes each event it hears, after the live-reload script has.
        other.evaluate(
            """() => { window.heard = [];
            new EventSource("/__chatwiki/events").addEventListener("state",
              (e) => window.heard.push(JSON.parse(e.data))); }"""
        )
        chat.write_text(chat_md(title="Mentors", body="Second words.\n"))
        edited.wait_for_function(
            "() => document.body.innerText.includes('Second words')", timeout=wait_ms
        )
        assert edited.evaluate("() => window.sameDocument") is None  # it reloaded
        edited.evaluate("() => { window.reloaded = true; }")
        other.wait_for_function(
            "() => window.heard.some((s) => s.complete && s.generation >= 2)",
            timeout=wait_ms,
        )
        other.wait_for_timeout(300)  # a reload the last event asked for has begun
        assert other.evaluate("() => window.sameDocument") is True
        # The rebuild made the page the edited tab shows: it does not reload twice.
        assert edited.evaluate("() => window.reloaded") is True


# --- which page is current: quick pages and rebuilds, in either order ----------------


def test_a_quick_page_never_outlives_the_rebuild_that_saw_its_save(tmp_path: Path) -> None:
    from generator.serve.state import LiveState

    site = tmp_path / "site"
    (site / "chats/a").mkdir(parents=True)
    (site / "chats/a/index.html").write_bytes(b"old")
    live = LiveState()
    live.built(site, None, covered=0)
    # Save 1 is shown at once; a rebuild that began before it does not hide it.
    shown = live.offer_quick(1, {"chats/a/index.html": b"new"})
    assert shown is not None and shown.changed == ("chats/a/index.html",)
    older = live.built(site, ("chats/a/index.html", "feed.xml"), covered=0)
    assert older.quick["chats/a/index.html"] == b"new" and older.changed == ("feed.xml",)
    # The rebuild that saw save 1 made the same page: served from disk, no reload.
    (site / "chats/a/index.html").write_bytes(b"new")
    same = live.built(site, ("chats/a/index.html",), covered=1)
    assert not same.quick and same.changed == ()
    # A quick page for a save the site already shows comes too late: refused.
    assert live.offer_quick(1, {"chats/a/index.html": b"stale"}) is None
    assert live.current().quick == {}


def test_a_rebuild_that_differs_from_the_quick_page_reloads_it(tmp_path: Path) -> None:
    from generator.serve.state import LiveState

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_bytes(b"old")
    live = LiveState()
    live.built(site, None, covered=0)
    assert live.offer_quick(1, {"index.html": b"old"}) is None  # nothing new to show
    assert live.offer_quick(2, {"index.html": b"quick"}) is not None
    (site / "index.html").write_bytes(b"built")
    after = live.built(site, (), covered=2)
    assert after.changed == ("index.html",) and not after.quick
    # A stylesheet changed: every page reloads, whichever use it.
    assert live.built(site, ("static/style.css",), covered=2).changed is None


def test_a_rebuild_that_refuses_a_quick_page_takes_it_back(tmp_path: Path) -> None:
    """The edit shown at once fails the full build (under --strict, say): the page
    goes back to the last good build, and its tab reloads to it."""
    from generator.serve.state import LiveState

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_bytes(b"good")
    live = LiveState()
    live.built(site, None, covered=0)
    assert live.offer_quick(1, {"index.html": b"shown at once"}) is not None
    refused = live.failed(("index.md:3: a mistake",), covered=1)
    assert refused.generation == 3 and refused.changed == ("index.html",)
    assert not refused.quick and refused.errors == ("index.md:3: a mistake",)
    # A failure with no quick page to take back leaves open pages as they are.
    again = live.failed(("index.md:3: still",), covered=2)
    assert again.generation == 3


def test_in_a_browser_an_edit_the_rebuild_refuses_goes_back_to_the_last_good_build(
    serve: Callable[..., Preview], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick page showed the edit; the full build then fails on it (here made
    to): the tab reloads to the last good build and shows the errors over it."""
    from generator.core.errors import ContentError, Diagnostic
    from tests.browser import chromium

    preview = serve({"content/chats/a.md": chat_md(title="Mentors", body="First words.\n")})
    gate = threading.Event()

    def refusing(*args: Any, **kwargs: Any) -> Any:
        gate.wait(WAIT)  # until the quick page is shown
        raise ContentError([Diagnostic("content/chats/a.md", 6, None, "refused for the test")])

    monkeypatch.setattr(preview_module, "build", refusing)
    wait_ms = WAIT * 1000
    with chromium() as browser:
        page = browser.new_page()
        page.goto(preview.url + "chats/a/")
        chat = preview.source / "content/chats/a.md"
        chat.write_text(chat_md(title="Mentors", body="Second words.\n"))
        page.wait_for_function(
            "() => document.body.innerText.includes('Second words')", timeout=wait_ms
        )
        gate.set()
        overlay = page.locator("#chatwiki-serve-errors")
        overlay.wait_for(timeout=wait_ms)
        assert "refused for the test" in overlay.inner_text()
        page.wait_for_function(
            "() => document.body.innerText.includes('First words')", timeout=wait_ms
        )
        assert "Second words" not in page.locator("main").inner_text()


def test_a_preview_starts_from_what_chatwiki_build_kept(
    tmp_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `chatwiki build` (its cache beside site.yaml), a preview renders no
    Markdown to start: the write-ups' bodies are the build's."""
    source = tmp_site({"site.yaml": SITE_YAML, "content/chats/a.md": chat_md(title="Mentors")})
    build(source, source / "output", NOW, cache_dir=source / ".chatwiki-cache")
    rendered = markdown_renders(monkeypatch)
    preview = Preview(source, lambda: NOW, lambda text: None, port=0)
    preview.start()
    try:
        assert preview.wait_until_watching(WAIT)
        assert b"Mentors" in request(port_of(preview), "/chats/a/").body
    finally:
        preview.close()
    assert rendered == []
