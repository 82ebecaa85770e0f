"""A preview of the site while it is written: build, serve, watch, rebuild, reload.

It builds into a private folder (a temporary directory of its own, removed when it
stops), never the user's output/: a preview must not replace the site someone is
about to publish, and `chatwiki build` may run beside it. Each rebuild is the library's
`build()` of the whole site, through a cache: the site's, when `chatwiki build` has
made one (the preview has its own scope there, so the two never prune each other's
entries, and a preview starts from what the last build or preview made), else one
of its own. So a rebuild costs about what the edit changed; open pages reload only
when a rebuild changed them.

A save of a write-up's text is shown before that: its page is made at once from the
last build's plan (generator/serve/quick) and served in place of the built file, so
the browser shows the edit in a moment while the rebuild catches up with the rest of
the site. The two run in their own threads; LiveState decides which page is current.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

import watchfiles

from generator.build import BuildReport, Prepared, build, refresh_search
from generator.core import urls
from generator.core.errors import ContentError, OutputError, UsageError, format_diagnostics
from generator.publish import search
from generator.publish.cache import DEFAULT_DIR
from generator.publish.cached import Memo
from generator.serve.quick import quick_pages
from generator.serve.server import PreviewServer
from generator.serve.state import LiveState, Snapshot
from generator.sources.config import CONFIG_FILE
from generator.sources.files import STATIC_DIR, THEMES_DIR

# What a site is made of (generator.sources.files reads nothing else): watched
# recursively. site.yaml is watched through the source folder itself, not as a file,
# since editors save by writing a new file and renaming it over the old one.
_INPUT_FOLDERS = ("content", THEMES_DIR, STATIC_DIR)
_STEP_MS = 30  # how long a burst of saves (an editor's swap file, then the file) settles
_TICK_MS = 200  # the watchers' heartbeat: first one = watching; also checks for stop


class _Either:
    """Set when either event is: the watcher stops for good, or to watch anew."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


class Preview:
    """The running preview. `start()` builds and serves; `close()` stops and cleans up.

    `clock` gives each rebuild's "now" (the CLI's --now, or the time of the rebuild,
    so a chat turns "on now" while the preview runs); `say` is where it reports.
    """

    def __init__(
        self,
        source: Path,
        clock: Callable[[], datetime],
        say: Callable[[str], None],
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        drafts: bool = True,
        strict: bool = False,
    ) -> None:
        self.source = source
        self.clock = clock
        self.say = say
        self.host, self.port = host, port
        self.drafts, self.strict = drafts, strict
        self.live = LiveState()
        self._work: Path | None = None  # made by start(), removed by close()
        self._cache_dir: Path | None = None  # chosen by start()
        # One scope for every preview of this site, whichever folder it serves from.
        self._cache_scope = f"preview {source.resolve()}"
        self._one_build = threading.Lock()  # the first build and the watchers' rebuilds
        self._server: PreviewServer | None = None
        self._serving = False
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._rewatch = threading.Event()  # a new input folder appeared
        self._pending: set[str] = set()  # changed since the running rebuild began
        self._quick: set[str] = set()  # changed since the last quick page was made
        self._saves = 0  # changes seen so far, numbered (see LiveState)
        self._unplanned: list[tuple[int, set[str]]] = []  # each save's files, until planned
        # The last good build's plan, and the last save it saw: replaced whole, so
        # any thread may read it. Set by `_keep`, told `_covering` by the rebuild.
        self._plan: tuple[Prepared, int] | None = None
        self._covering = 0
        self._outputs: frozenset[str] = frozenset()  # the files the last plan made
        self._removed = False  # the last plan made fewer files than the one before
        self._memo = Memo()  # the cache's values, kept in memory between rebuilds
        self._saved_again = threading.Event()  # calls off a search index being made
        self._wake = threading.Condition()
        self._watching = [threading.Event(), threading.Event()]

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the preview has not started")
        port = self._server.server_address[1]
        host = self.host if ":" not in self.host else f"[{self.host.strip('[]')}]"
        return f"http://{host}:{port}/"

    @property
    def site_dir(self) -> Path:
        """The private folder the preview builds into and serves from."""
        if self._work is None:
            raise RuntimeError("the preview has not started")
        return self._work / "site"

    def start(self) -> None:
        """Bind, watch, build once, then serve, each in its thread. The first build may
        fail: the server still starts, and shows the errors until they are fixed."""
        try:
            self._server = PreviewServer(self.host, self.port, self.live)
        except OSError as exc:
            raise UsageError(
                f"cannot serve on {self.host}:{self.port}: {exc.strerror or exc} "
                "(another server on that port? try --port 0 for any free one)"
            ) from None
        self._work = Path(tempfile.mkdtemp(prefix="chatwiki-serve-"))
        self._cache_dir = _site_cache(self.source) or self._work / "cache"
        # Watching before the first build: a save while it runs makes one more.
        self._spawn(self._watch_inputs, "watch-inputs")
        self._spawn(self._watch_root, "watch-root")
        self.rebuild(())
        self._spawn(self._rebuild_loop, "rebuild")
        self._spawn(self._quick_loop, "quick")
        self._spawn(self._server.serve_forever, "serve")
        self._serving = True

    def wait_until_watching(self, timeout: float) -> bool:
        """Whether both watchers are running (tests wait for it before editing)."""
        return all(e.wait(timeout) for e in self._watching)

    def close(self) -> None:
        self._stop.set()
        self.live.close()
        with self._wake:
            self._wake.notify_all()
        if self._server is not None:
            if self._serving:  # shutdown() waits for serve_forever: only if it runs
                self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)

    def rebuild(self, changed: Sequence[str], covered: int = 0) -> Snapshot:
        """Build now; on failure keep serving the last good site and report why.
        `covered`: the number of the last save this build sees."""
        with self._one_build:
            return self._rebuild(changed, covered)

    def _rebuild(self, changed: Sequence[str], covered: int) -> Snapshot:
        self.live.building()
        what = f" ({', '.join(changed[:3])}{', ...' if len(changed) > 3 else ''})"
        self._covering, self._removed = covered, False
        try:
            report = self._build(changed)
        except ContentError as exc:
            self.say(format_diagnostics(exc.diagnostics) + self._still_serving())
            return self.live.failed(tuple(d.format() for d in exc.diagnostics), covered)
        except (UsageError, OutputError) as exc:
            self.say(f"chatwiki serve: {exc}" + self._still_serving())
            return self.live.failed((str(exc),), covered)
        except Exception:  # noqa: BLE001 - chatwiki's bug: say so, and keep serving
            self.say(
                traceback.format_exc() + "chatwiki serve: internal error (a bug in "
                "chatwiki, not in your content)" + self._still_serving()
            )
            return self.live.failed(("internal error in chatwiki: see the terminal",), covered)
        for w in report.warnings:
            self.say(w.format())
        # A page gone reloads every page (to show it gone): the build lists only writes.
        changed_files = None if self._removed else report.changed
        indexing = report.stale_search is not None and self._plan is not None
        snapshot = self.live.built(self.site_dir, changed_files, covered, indexing)
        self.say(f"Built {report.pages} pages{what if changed else ''}")
        if report.stale_search is not None and indexing:
            return self._refresh_search(report.stale_search, covered)
        return snapshot

    def _refresh_search(self, key: str, covered: int) -> Snapshot:
        """The pages are shown; now the search index catches up with them (seconds
        on a large site: why it comes second), and the search page reloads."""
        assert self._plan is not None and self._work is not None
        config = self._plan[0].site.config
        with self._wake:
            if self._pending:  # saved again meanwhile: that rebuild's pages first
                return self.live.current()
            self._saved_again.clear()
        self.live.building()  # a request that misses a file in the swap asks again
        try:
            refresh_search(
                self.site_dir, config, key, self._cache_dir, self._saved_again, self._cache_scope
            )
        except search.Cancelled:  # the next rebuild indexes its pages instead
            return self.live.current()
        except OutputError as exc:
            self.say(f"chatwiki serve: {exc}" + self._still_serving())
            return self.live.failed((str(exc),), covered)
        except Exception:  # noqa: BLE001 - chatwiki's bug: say so, and keep serving
            self.say(traceback.format_exc() + "chatwiki serve: internal error indexing search")
            return self.live.failed(("internal error in chatwiki: see the terminal",), covered)
        self.say("Search index updated")
        return self.live.built(self.site_dir, (urls.output_path(urls.SEARCH),), covered)

    def _build(self, changed: Sequence[str]) -> BuildReport:
        """The one build call. Its cache makes a rebuild after an edit cost about
        what the edit changed; `changed` (site-relative paths) is kept for a build
        told what changed."""
        del changed
        assert self._work is not None
        return build(
            self.source,
            self.site_dir,
            self.clock(),
            drafts=self.drafts,
            strict=self.strict,
            cache_dir=self._cache_dir,
            cache_scope=self._cache_scope,
            keep=self._keep,
            memo=self._memo,
            search_later=True,
        )

    def _keep(self, prepared: Prepared) -> None:
        """The build published this plan (a build with nothing to do keeps the last)."""
        outputs = frozenset(
            [p.path for p in prepared.pages]
            + [d.path for d in prepared.data]
            + [f.path for f in prepared.statics]
        )
        self._removed = bool(self._outputs - outputs)
        self._outputs = outputs
        self._plan = (prepared, self._covering)
        with self._wake:
            self._unplanned = [(s, paths) for s, paths in self._unplanned if s > self._covering]

    def _still_serving(self) -> str:
        if self.live.current().site is None:
            return "\nchatwiki serve: nothing to show yet; the browser shows these errors."
        return "\nchatwiki serve: still serving the last good build."

    # --- threads -------------------------------------------------------------------

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=f"chatwiki-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _changed(self, paths: Iterable[str]) -> None:
        root = self.source.resolve()
        rel = set()
        for p in paths:
            path = Path(p)
            rel.add(path.relative_to(root).as_posix() if path.is_relative_to(root) else p)
        with self._wake:
            self._saves += 1
            self._saved_again.set()  # a search index being made is for older pages
            self._pending |= rel
            self._quick |= rel
            self._unplanned.append((self._saves, rel))
            self._wake.notify_all()

    def _rebuild_loop(self) -> None:
        """One build at a time; saves that land during a build make one more after it."""
        while (taken := self._take(self._pending)) is not None:
            self.rebuild(*taken)

    def _quick_loop(self) -> None:
        """The edited write-up's page, from the last good plan, while the rebuild runs."""
        while (taken := self._take(self._quick)) is not None:
            self.quick(taken[1])

    def _take(self, changes: set[str]) -> tuple[list[str], int] | None:
        """Once `changes` has any: them (emptied) and the number of the last save,
        which they include; None when the preview stops."""
        with self._wake:
            self._wake.wait_for(lambda: bool(changes) or self._stop.is_set())
            if self._stop.is_set():
                return None
            taken = sorted(changes), self._saves
            changes.clear()
            return taken

    def quick(self, save: int) -> Snapshot | None:
        """Show the pages of the write-ups saved since the last plan, up to save number
        `save`, ahead of their rebuild, when that can be done exactly (every change
        since the plan is one the plan can show); the new Snapshot, or None."""
        plan = self._plan
        if plan is None:
            return None
        prepared, planned = plan
        with self._wake:
            changed = {p for s, paths in self._unplanned if planned < s <= save for p in paths}
        try:
            pages = quick_pages(prepared, self.source, changed, self.strict)
        except Exception as exc:  # noqa: BLE001 - the rebuild still shows the edit
            self.say(f"chatwiki serve: could not show the edit ahead of the rebuild: {exc!r}")
            return None
        if not pages:
            return None
        shown = self.live.offer_quick(save, pages)
        if shown is not None:
            where = ", ".join(sorted(p.removesuffix("index.html") for p in pages))
            self.say(f"Showing {where} now; the rest of the site follows")
        return shown

    def _watch_inputs(self) -> None:
        """content/, themes/ and static/, recursively; anew when one of them appears."""
        root = self.source.resolve()
        while not self._stop.is_set():
            self._rewatch.clear()
            folders = [root / f for f in _INPUT_FOLDERS if (root / f).is_dir()]
            if not folders:  # nothing to watch until the root watcher sees one appear
                self._watching[0].set()
                self._stop.wait(_TICK_MS / 1000)
                continue
            for changes in watchfiles.watch(
                *folders,
                stop_event=_Either(self._stop, self._rewatch),
                step=_STEP_MS,
                rust_timeout=_TICK_MS,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                self._watching[0].set()
                if changes:
                    self._changed(path for _, path in changes)

    def _watch_root(self) -> None:
        """The source folder itself, not recursively: site.yaml, and input folders
        created after the preview started (then watched from then on)."""
        root = self.source.resolve()
        names = (CONFIG_FILE, *_INPUT_FOLDERS)
        for changes in watchfiles.watch(
            root,
            watch_filter=lambda _change, path: Path(path).name in names,
            recursive=False,
            stop_event=self._stop,
            step=_STEP_MS,
            rust_timeout=_TICK_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            self._watching[1].set()
            if not changes:
                continue
            if any(Path(path).name != CONFIG_FILE for _, path in changes):
                self._rewatch.set()
            self._changed(path for _, path in changes)


def _site_cache(source: Path) -> Path | None:
    """The site's own cache, where `chatwiki build` keeps its, when there is one the
    preview can write; None otherwise (then it keeps a cache of its own beside the
    folder it serves, and adds nothing to the site's folder)."""
    where = source / DEFAULT_DIR
    if where.is_symlink() or not where.is_dir():
        return None
    return where if os.access(where, os.W_OK | os.X_OK) else None
