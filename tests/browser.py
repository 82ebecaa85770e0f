"""A real browser for tests: Debian's chromium driven by Playwright, and a local server.

Never a browser download: .ci/run installs Debian's chromium, and Playwright is told
its path. Without either, browser tests skip locally and fail under CI=true.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def browser_or_skip() -> Callable[..., object]:
    """Playwright's sync API with Debian's chromium, or skip (fail under CI=true:
    .ci/run installs both, so a CI run always uses a real browser)."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[test]')"
    if reason is None and not CHROMIUM.exists():
        reason = f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests need a browser under CI=true: {reason}")
        pytest.skip(reason)
    return sync_playwright


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian chromium with the project's flags (or skip, as
    `browser_or_skip`), closed afterwards."""
    sync_playwright = browser_or_skip()
    with sync_playwright() as p:  # type: ignore[operator]
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (Pagefind fetches its index; file:// can't)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
