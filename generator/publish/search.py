"""Site search: index the built pages with Pagefind, at the end of a build.

Pagefind reads the HTML as a browser would, so it runs over the finished pages in
the staging directory (`write.publish` calls the indexer after every file is
written and before the swap) and puts its bundle in `pagefind/` beside them. Only
elements marked `data-pagefind-body` are indexed: the templates mark chat write-ups,
topic pages, wiki pages and series pages, and tag each with a `kind` filter; lists,
calendars and the 404 page are left out. In the browser, `search/` loads Pagefind's
own UI from that bundle: no server, no third-party request.

Pagefind runs as its command-line indexer, and the build waits for that process to
exit. Its Python API (service mode) is not used: in Pagefind 1.5 the service answers
"files written" while its last writes are still in flight, and the API's `close()`
then terminates the process, so under load a bundle file could be published cut
short (Pagefind/pagefind#1271). A finished CLI process has joined every write. The
bundle is then checked file by file before the swap, so a torn index stops the build
(the previous site stays) instead of being published.

The bundle is reproducible: same pages in, same bytes out (file names are content
hashes and the fragments are gzip without a timestamp). It depends on Pagefind's
version, which pyproject.toml pins to a minor release.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from generator.core import urls
from generator.core.errors import OutputError
from generator.core.model import SiteConfig
from generator.output.formats import HTML

# A build that takes longer than this to index is stuck, not slow: the example site
# takes under a second, 4,000 write-ups about 8 seconds.
TIMEOUT_SECONDS = 900.0

# Pagefind's own data files are gzip streams that start with this signature once
# unpacked; the wasm files are gzip too. A torn one fails to unpack.
_SIGNATURE = b"pagefind_dcd"
# What the search page and the browser load: each must be there and not empty.
REQUIRED = ("pagefind-entry.json", "pagefind.js", "pagefind-ui.js", "pagefind-ui.css")


def indexer(config: SiteConfig) -> Callable[[Path], None] | None:
    """What `write.publish` runs over the staged site: None when search is off."""
    if not config.search:
        return None
    language = search_language(config.language)

    def index_staged_site(site_dir: Path) -> None:
        index_site(site_dir, language)

    return index_staged_site


def search_language(tag: str) -> str:
    """Pagefind wants an ISO 639-1 code ("en"), site.yaml has a language tag ("en-GB")."""
    return tag.split("-")[0].lower()


class Cancelled(OutputError):
    """Indexing was called off (`cancel` was set): the pages changed meanwhile."""


def index_site(
    site_dir: Path,
    language: str,
    bundle: Path | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Index the HTML under `site_dir` and write the bundle to `site_dir/pagefind/`
    (or to `bundle`: a folder outside the site, to put in place once whole).
    `cancel`, once set, stops Pagefind and raises Cancelled (a preview saved again).

    Returns only once the Pagefind process has exited and every bundle file has been
    checked. Raises OutputError when Pagefind is missing, fails, finds no pages or
    leaves a torn file: the build stops and the previous output stays, as for any
    other failure to write.
    """
    # Imported here, not with the module: it brings asyncio, 12 ms of every command
    # that never indexes (a warm or no-op build, check, serve's first reply).
    from pagefind.service import get_executable

    executable = get_executable()  # honours PAGEFIND_BINARY_PATH, then pagefind[bin]
    if executable is None or not executable.is_file():
        raise OutputError(
            f"could not build the search index: no Pagefind program "
            f"({executable or 'pagefind'} not found); install chatwiki with its "
            "dependencies (pip install chatwiki pulls in pagefind[bin]), or set "
            "`search: false` in site.yaml"
        )
    site_dir = site_dir.absolute()
    bundle = (bundle or site_dir / urls.PAGEFIND.rstrip("/")).absolute()
    command = [str(executable), "--site", str(site_dir), "--output-path", str(bundle)]
    # One index for the whole site, whatever a page's lang says: search one place.
    command += ["--force-language", language]
    # Only pages: feeds and calendars are other formats, not documents to search.
    command += ["--glob", f"**/*{HTML.suffix}", "--silent"]
    # Pagefind also reads pagefind.{json,yml,toml} from its working directory and
    # PAGEFIND_* variables; an empty directory and a clean environment keep the index
    # a function of the pages alone.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    try:
        with tempfile.TemporaryDirectory(prefix="chatwiki-pagefind-") as cwd:
            result = _run(command, cwd, env, cancel)
    except subprocess.TimeoutExpired:
        raise OutputError(
            f"could not build the search index: Pagefind did not finish in "
            f"{TIMEOUT_SECONDS:.0f} seconds"
        ) from None
    except OSError as exc:  # not executable, wrong architecture, ...
        raise OutputError(f"could not build the search index: {exc}") from exc
    if result.returncode != 0:
        said = (result.stderr or result.stdout).decode("utf-8", "replace").strip()
        raise OutputError(
            f"could not build the search index: Pagefind exited with status "
            f"{result.returncode}" + (f": {said}" if said else "")
        )
    verify_bundle(bundle)


def _run(
    command: list[str], cwd: str, env: dict[str, str], cancel: threading.Event | None
) -> subprocess.CompletedProcess[bytes]:
    """Pagefind run to its end, as `subprocess.run` would (TimeoutExpired after
    TIMEOUT_SECONDS), or stopped once `cancel` is set (then Cancelled)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        try:
            _wait(process, cancel)
        finally:
            if process.poll() is None:  # called off, timed out or interrupted
                process.kill()
                process.wait()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())


def _wait(process: subprocess.Popen[bytes], cancel: threading.Event | None) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled("search indexing was called off: the pages changed")
        left = deadline - time.monotonic()
        if left <= 0:
            raise subprocess.TimeoutExpired(process.args, TIMEOUT_SECONDS)
        try:
            process.wait(timeout=left if cancel is None else min(left, 0.05))
            return
        except subprocess.TimeoutExpired:
            continue


def verify_bundle(bundle: Path) -> None:
    """Check that every file Pagefind wrote is whole, before the site goes live.

    A page of results needs the entry file, the language's metadata and the index
    and fragment files it names; any of them empty or cut short breaks search for
    every reader. Gzip carries its own length and checksum, so a torn data file
    fails to unpack; the entry is JSON and must name a metadata file that exists.
    """

    def torn(path: Path, why: str) -> OutputError:
        return OutputError(
            f"could not build the search index: {path.relative_to(bundle.parent)} {why}"
        )

    for name in REQUIRED:
        if not (bundle / name).is_file():
            raise torn(bundle / name, "is missing")
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if not data:
            raise torn(path, "is empty")
        if path.suffix.startswith(".pf_") or path.suffix == ".pagefind":
            try:
                unpacked = _gunzip(data)
            except (OSError, EOFError, zlib.error) as exc:
                raise torn(path, f"is cut short or damaged ({exc})") from None
            if path.suffix.startswith(".pf_") and not unpacked.startswith(_SIGNATURE):
                raise torn(path, "is not a Pagefind data file")
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_bytes())
        languages = entry["languages"]
        metas = [(lang["hash"], lang["page_count"]) for lang in languages.values()]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise torn(entry_path, "is cut short or damaged (not Pagefind's entry JSON)") from None
    if not metas or not any(count for _, count in metas):
        raise OutputError("could not build the search index: Pagefind found no pages")
    for meta_hash, _ in metas:
        if not (bundle / f"pagefind.{meta_hash}.pf_meta").is_file():
            raise torn(bundle / f"pagefind.{meta_hash}.pf_meta", "is missing")


def _gunzip(data: bytes) -> bytes:
    """Unpack a whole gzip stream; a truncated one raises (gzip.decompress only
    raises EOFError, zlib names what is wrong)."""
    inflater = zlib.decompressobj(wbits=31)
    unpacked = inflater.decompress(data) + inflater.flush()
    if not inflater.eof:
        raise EOFError("the gzip stream ends early")
    return unpacked
