"""How long from saving one write-up to open pages being told to reload, through serve.

    python benchmarks/serve_reload.py --chats 4000 [--edits 5] [--search]

Generates N write-ups (benchmarks/build_site.py's corpus), starts `chatwiki serve` on
a free port in its own process, listens to its event stream as a page's live-reload
script does, then saves one write-up's text `--edits` times, each once the site has
caught up with the last. Three figures per save, from the moment the save returns:
"reload", to the first `state` event naming the edited page (the moment its browser
tab reloads; the page is then fetched to check it shows the edit), "every page", to
the event saying the full rebuild's pages are in (other open pages it changed reload
then), and "search index too", to the event saying the whole site has caught up (with
search on, Pagefind runs after the pages are shown). The goal (issue 12) is 150 ms to
the reload; nothing here is asserted by a test.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_site import after_last, write_site  # noqa: E402  (the corpus the README has always quoted)

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 600.0  # one rebuild of a large site on a busy machine


def start_serve(site: Path, now: str) -> tuple[subprocess.Popen[str], int]:
    """`chatwiki serve` in its own process, and the port it chose."""
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "serve", str(site), "--port", "0", "--now", now],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # "Serving SITE at http://127.0.0.1:PORT/ (...)"
    if " at http://" not in line:
        process.kill()
        raise SystemExit(f"chatwiki serve did not start: {line!r}")
    return process, int(line.split(" at http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


class Events:
    """The event stream, read as the live-reload script reads it."""

    def __init__(self, port: int) -> None:
        self.conn = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.conn.sendall(
            f"GET /__chatwiki/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        )
        self.buffer = b""
        self._until(b"\r\n\r\n")

    def _until(self, end: bytes) -> bytes:
        while end not in self.buffer:
            chunk = self.conn.recv(65536)
            if not chunk:
                raise SystemExit("the event stream closed")
            self.buffer += chunk
        item, self.buffer = self.buffer.split(end, 1)
        return item

    def state(self) -> dict[str, object]:
        while True:
            event = self._until(b"\n\n").decode()
            if event.startswith("event: state\n"):
                state: dict[str, object] = json.loads(event.split("data: ", 1)[1])
                return state


def page(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as conn:
        conn.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=4000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--search", action="store_true", help="keep site search on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chatwiki-serve-bench-") as tmp:
        site = Path(tmp) / "site"
        write_site(site, args.chats)
        if not args.search:
            with (site / "site.yaml").open("a") as f:
                f.write("search: false\n")
        now = after_last(args.chats).isoformat()
        edited = sorted((site / "content/chats").glob("*.md"))[0]
        original = edited.read_text()
        process, port = start_serve(site, now)
        try:
            events = Events(port)
            state = events.state()
            while not state["complete"]:
                state = events.state()
            generation = state["generation"]
            file = f"chats/{edited.stem}/index.html"
            seconds, built, rebuilt = [], [], []
            for n in range(args.edits):
                marker = f"Intro, edit {n}."
                edited.write_text(original.replace("Intro with a note.", marker, 1))
                saved = time.perf_counter()
                reloaded = False
                while True:
                    state = events.state()
                    if state["errors"]:
                        raise SystemExit(f"the edit broke the build: {state['errors']}")
                    if state["generation"] == generation:
                        continue
                    generation = state["generation"]
                    changed = state["changed"]
                    if not reloaded and (changed is None or file in changed):  # type: ignore[operator]
                        seconds.append(time.perf_counter() - saved)
                        reloaded = True
                        if marker.encode() not in page(port, f"/chats/{edited.stem}/"):
                            raise SystemExit("the reloaded page does not show the edit")
                    if state["pages"] and len(built) < len(seconds):
                        built.append(time.perf_counter() - saved)
                    if state["complete"]:
                        rebuilt.append(time.perf_counter() - saved)
                        break
                if not reloaded:
                    raise SystemExit("no event told the edited page to reload")
        finally:
            process.terminate()
            process.wait(timeout=30)
    ms = [s * 1000 for s in seconds]
    pages = [s * 1000 for s in built]
    whole = [s * 1000 for s in rebuilt]
    print(f"machine: {os.cpu_count()} cores; search: {'on' if args.search else 'off'}\n")
    print(
        "| N | edits | save -> page reloads, median ms | best ms | worst ms | goal ms "
        "| save -> every page rebuilt, median ms | save -> search index too, median ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.chats} | {len(ms)} | {statistics.median(ms):.0f} | {min(ms):.0f} "
        f"| {max(ms):.0f} | 150 | {statistics.median(pages):.0f} "
        f"| {statistics.median(whole):.0f} |"
    )


if __name__ == "__main__":
    main()
