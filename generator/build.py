"""The build, top to bottom: load -> site model -> indexes -> plan -> render -> write.

Every stage is a function of explicit inputs returning a new value; this function
only sequences them. All content diagnostics are gathered before anything is
written, and raised together as one ContentError.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import multiprocessing
import pickle
import re
import shutil
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

import jinja2
import jinja2.meta
import jinja2.nodes

from generator.core import schema, urls
from generator.core.errors import Collector, ContentError, Diagnostic, UsageError, errors_only
from generator.core.frozenmap import FrozenMap
from generator.core.model import Chat, Series, Site, SiteConfig, TopicRef, WikiPage
from generator.core.pickling import fast_pickle
from generator.index.calendar import CalendarIndex, Event, build_calendar, build_timeline
from generator.index.conversation import Conversation, Group, Thread
from generator.index.topics import TopicEntry, TopicIndex, build_topic_index
from generator.index.wiki import (
    LinkIndex,
    build_link_index,
    chat_target,
    link_sources,
    link_targets,
)
from generator.output import render
from generator.output.feeds import site_feed_links
from generator.output.formats import HTML
from generator.output.i18n import N_
from generator.plan import (
    DataFile,
    Indexes,
    Page,
    StaticFile,
    find_clashes,
    plan_attachments,
    plan_calendar_pages,
    plan_crawler_files,
    plan_data_files,
    plan_pages,
    plan_search_page,
    plan_site_static,
    plan_topic_feeds,
)
from generator.publish import manifest, search
from generator.publish.cache import Cache, code_fingerprint, key_of
from generator.publish.cached import CachedChatFile, CachedMarkdown, Memo, conversation_of
from generator.publish.write import check_output_dir, keep_tree, publish_site, replace_folder
from generator.sources import content, files
from generator.sources import series as series_stage
from generator.sources.config import CONFIG_FILE
from generator.sources.gitinfo import head_state, read_history


@fast_pickle
@dataclass(frozen=True, slots=True)
class BuildReport:
    pages: int
    files: int  # pages + static files
    warnings: tuple[Diagnostic, ...]
    written: int | None = None  # files new or changed (None: not a build that writes)
    search_reused: bool = False  # the search index was kept: no indexed page changed
    # Which files those were (output-relative paths, search bundle aside): what a
    # preview tells open pages, so only the ones that changed reload.
    changed: tuple[str, ...] = ()
    # A build told `search_later` that kept the last search bundle although pages
    # changed: the key of the bundle these pages need (see `refresh_search`).
    stale_search: str | None = None


@fast_pickle
@dataclass(frozen=True, slots=True)
class Progress:
    """How far a build is, for a progress line: `done` of `total` in `stage`
    ("content": write-ups and wiki pages read and rendered; "output": files made;
    "search": indexing, 0 of 1 until it ends)."""

    stage: str
    done: int
    total: int


ProgressCallback = Callable[[Progress], None]

_T = TypeVar("_T")
_R = TypeVar("_R")

# Below this many items a worker pool costs more than it saves (starting the
# processes, sending the work): the items are done in this process. The result is
# the same either way; only the time differs.
_MIN_PARALLEL = 64


@fast_pickle
@dataclass(frozen=True, slots=True)
class Prepared:
    """A build's site, indexes and planned outputs, before any is made: what a preview
    keeps between rebuilds to show an edited page at once (see generator/serve/quick)."""

    site: Site
    pages: list[Page]
    statics: list[StaticFile]
    renderer: render.Renderer
    warnings: tuple[Diagnostic, ...]
    data: tuple[DataFile, ...]  # .ics files and feeds
    indexes: Indexes
    search_path: tuple[Path, ...]  # the theme folders, to build a Renderer in a worker


def with_base_url(cfg: SiteConfig, base_url: str | None) -> SiteConfig:
    """site.yaml's config with `base_url` in place of its own (a preview, a project
    page under a sub-path): the value the key's converter accepts, ending in "/"."""
    if base_url is None:
        return cfg
    try:
        checked = schema.http_url(base_url)
    except schema.Invalid as exc:
        raise UsageError(f"base_url: expected {exc.expected}, got {base_url!r}") from None
    return replace(cfg, base_url=checked if checked.endswith("/") else checked + "/")


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Loaded:
    site: Site
    hidden: tuple[Chat, ...]  # unpublished drafts: validated, shown nowhere
    diagnostics: list[Diagnostic]
    # Topics named by write-ups that failed validation: checked for typos in the
    # same run as the files' other mistakes.
    unparsed_topics: tuple[tuple[str, TopicRef], ...]


_UNCHECKED = (
    "because of this, site.yaml could not be used, so only the files' text, names and "
    "front-matter syntax (and the wiki pages) were checked; chat fields, dates, archives "
    "and quoted posts, series rules, topics, wiki links and theme templates are checked "
    "once it is fixed"
)


class _Workers:
    """The build's worker processes: `jobs` of them, or none (`jobs` 1).

    Started only for a stage with enough work, and closed at the end of the build.
    Workers are forked where the platform forks safely (Linux), so they start with
    the planned site already in memory; elsewhere they are spawned and receive it
    pickled once each. Either way the results come back in the planned order, so
    the output is the same as with one process.
    """

    def __init__(self, jobs: int, cache: Cache | None = None) -> None:
        self.jobs = max(1, jobs)
        self.cache = cache  # what the workers write there is flushed after each batch

    def pool(
        self, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
    ) -> ProcessPoolExecutor:
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        return ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context(method),
            initializer=initializer,
            initargs=initargs,
        )

    def map_files(self, func: Callable[[str], _R], paths: Sequence[str]) -> list[_R]:
        """`content.MapFiles`: in chunks over the workers, results in order."""
        if self.jobs == 1 or len(paths) < _MIN_PARALLEL:
            return [func(path) for path in paths]
        size = max(1, len(paths) // (self.jobs * 8))
        chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
        with self.pool() as pool:
            batches = pool.map(_MapBatch(func, self.cache), chunks)
            return [result for batch in batches for result in batch]


@dataclass(frozen=True, slots=True)
class _MapBatch(Generic[_R]):
    """A worker's batch of `map_files`: the results, and the cache entries they
    made written at once."""

    func: Callable[[str], _R]
    cache: Cache | None

    def __call__(self, paths: Sequence[str]) -> list[_R]:
        results = [self.func(path) for path in paths]
        if self.cache is not None:
            self.cache.flush()
        return results


def _load(
    source: Path,
    now: datetime,
    drafts: bool,
    base_url: str | None = None,
    cache: Cache | None = None,
    workers: _Workers | None = None,
    memo: Memo | None = None,
) -> _Loaded:
    """Read and validate content.

    Raises ContentError only when site.yaml itself is unusable, after checking
    everything that does not need it, so one run still reports every mistake it
    can; every other problem is a diagnostic, so indexes and the theme can add
    theirs before the run fails once.
    """
    if now.tzinfo is None:
        raise UsageError("now must be timezone-aware")
    cfg, diagnostics = files.load_site_config(source)
    if cfg is None:
        diagnostics += content.check_chat_files(source)
        diagnostics += series_stage.check_series_files(source)
        diagnostics += content.load_wiki(source)[1]
        # Said right after site.yaml's last error (same place, so it sorts after it),
        # so the first line of the report is still the first mistake.
        own = [d for d in errors_only(diagnostics) if d.path == CONFIG_FILE]
        last = max(own, key=Diagnostic.sort_key, default=None)
        line, key = (last.line, last.key) if last is not None else (None, None)
        diagnostics.append(Diagnostic(CONFIG_FILE, line, key, _UNCHECKED))
        raise ContentError(diagnostics)
    cfg = with_base_url(cfg, base_url)
    series, found = series_stage.load_series(source, cfg)
    diagnostics += found
    markdown = CachedMarkdown(cache)
    map_files = (workers or _Workers(1)).map_files
    declared = series_stage.declared_slugs(source)
    cached = CachedChatFile.for_site(cache, cfg, declared, memo)
    chats, chat_found = content.load_chats(
        source, cfg, declared, markdown, map_files, cached.load, cached.kept
    )
    diagnostics += chat_found
    wiki, found = content.load_wiki(source, markdown, map_files)
    diagnostics += found
    published = tuple(c for c in chats if drafts or not c.draft)
    hidden = tuple(c for c in chats if not (drafts or not c.draft))
    site = Site(config=cfg, chats=published, wiki=wiki, now=now, series=series)
    unparsed = content.topics_of_invalid_chats(source, chats) if errors_only(chat_found) else ()
    return _Loaded(site, hidden, diagnostics, unparsed)


def _topics(loaded: _Loaded) -> tuple[TopicIndex, list[Diagnostic]]:
    site = loaded.site
    return build_topic_index(
        site.config.topics, site.chats, loaded.hidden, site.now, loaded.unparsed_topics
    )


def load_site(source: Path, now: datetime, drafts: bool = False) -> tuple[Site, list[Diagnostic]]:
    """Read and validate everything under `source`. Raises ContentError on errors.

    Drafts are always validated (a broken draft is still broken); `drafts` only
    decides whether they are part of the site.
    """
    loaded = _load(source, now, drafts)
    site, hidden, diagnostics = loaded.site, loaded.hidden, loaded.diagnostics
    _, found = _topics(loaded)
    diagnostics += found
    diagnostics += _link_index(site, hidden, strict=False).diagnostics
    if errors_only(diagnostics):
        raise ContentError(diagnostics)
    return site, diagnostics


def _link_index(site: Site, hidden: tuple[Chat, ...], strict: bool) -> LinkIndex:
    """Resolve every wiki link; under `strict` its warnings are errors."""
    links = build_link_index(
        link_targets(site.wiki, site.chats, site.config.topics, site.series),
        link_sources(site.wiki, site.chats),
        unpublished=tuple(map(chat_target, hidden)),
    )
    if not strict:
        return links
    errors = tuple(replace(d, severity="error") for d in links.diagnostics)
    return replace(links, diagnostics=errors)


def _prepare(
    source: Path,
    now: datetime,
    drafts: bool,
    strict: bool = False,
    base_url: str | None = None,
    cache: Cache | None = None,
    workers: _Workers | None = None,
    memo: Memo | None = None,
) -> Prepared:
    loaded = _load(source, now, drafts, base_url, cache, workers, memo)
    site, hidden, diagnostics = loaded.site, loaded.hidden, loaded.diagnostics
    if strict:
        diagnostics = [
            replace(d, severity="error") if content.promoted_by_strict(d) else d
            for d in diagnostics
        ]
    topics, found = _topics(loaded)
    diagnostics += found
    links = _link_index(site, hidden, strict)
    diagnostics += links.diagnostics
    # The theme is checked with the content, so a template typo and a content
    # mistake are fixed in one go rather than one run each.
    search_path = render.theme_dirs(source, site.config.theme)
    theme_problems = render.links_out_of_site(source, search_path)
    theme_problems += render.undecodable_templates(source, search_path)
    renderer = render.Renderer(search_path, _render_globals(site, links), _templates_dir(cache))
    if not theme_problems:  # never read a template through a link out of the site
        theme_problems = _template_syntax_errors(source, renderer)
    diagnostics += theme_problems
    listed = Collector()  # the site's static/ folder: its links out are refused here too
    site_static = files.list_static(source, listed)
    diagnostics += listed.items
    if errors_only(diagnostics):
        raise ContentError(diagnostics)
    history = read_history(source)  # one `git log` for the whole build; None outside git
    timeline = build_timeline(site.chats, site.now)
    conversations = FrozenMap(
        {
            chat.slug: conversation_of(chat, cache, memo)
            for chat in site.chats
            if chat.archive is not None
        }
    )
    calendar = build_calendar(
        site.chats, site.series, site.now, site.config.timezone, site.config.calendar.months_ahead
    )
    indexes = Indexes(timeline, conversations, topics, links, calendar, history)
    pages = plan_pages(site, indexes)
    pages += plan_calendar_pages(site, calendar)
    pages += plan_search_page(site.config)
    # When each chat and series file entered git: the upcoming feed's announcement dates.
    # Not in a shallow clone, where every file would look added in its one commit and
    # the feed's dates would jump at every push.
    added = history.added if history is not None and not history.shallow else {}
    # When each file last changed: a write-up's feed `updated`. Not shallow either.
    changed = (
        {path: f.changed for path, f in history.files.items()}
        if history is not None and not history.shallow
        else {}
    )
    data = plan_data_files(site, calendar, added, links, changed)
    data += plan_topic_feeds(site, topics, links, changed)
    statics = [StaticFile(path, f) for path, f in render.static_files(search_path)]
    # The site's static/ (CNAME, favicon) and the files pages link to, copied as they are.
    statics += plan_site_static(source, site_static.files, files.STATIC_DIR)
    statics += plan_attachments(site, source)
    data += plan_crawler_files(site.config, pages, statics)
    clashes = find_clashes(pages, statics, data)
    if clashes:
        raise ContentError(clashes)
    return Prepared(
        site, pages, statics, renderer, tuple(diagnostics), tuple(data), indexes, search_path
    )


# Files under templates/ that Jinja reads as templates (a README there is not one).
_TEMPLATE_SUFFIXES = (".html", ".xml", ".j2", ".txt")


def _template_syntax_errors(source: Path, renderer: render.Renderer) -> list[Diagnostic]:
    """Every theme template compiled up front: a syntax error in one that only some
    page includes is found in this run, with the content's mistakes. chatwiki's own
    templates (also reachable as `default/...`) are compiled once, by their name."""
    problems = []
    for name in renderer.env.list_templates():
        if name.startswith("default/") or not name.endswith(_TEMPLATE_SUFFIXES):
            continue
        try:
            renderer.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            found = render.template_diagnostic(exc, name)
            if found is not None:
                # Named like content files, from the site folder, when it is in it.
                where = Path(found.path).resolve()
                if where.is_relative_to(source.resolve()):
                    found = replace(found, path=where.relative_to(source.resolve()).as_posix())
                problems.append(found)
    return problems


def _drop_old_templates(cache: Cache | None) -> None:
    """Remove templates compiled by other chatwiki code, once none has been compiled
    there for a day: a build and a preview of other code (an upgrade, an edited
    checkout) may share the cache, and each would remove the other's at every build."""
    current = _templates_dir(cache)
    if current is None:
        return
    for other in current.parent.iterdir():
        if other == current or other.is_symlink() or not other.is_dir():
            continue
        with contextlib.suppress(OSError):
            if time.time() - other.stat().st_mtime > _TEMPLATES_KEPT:
                shutil.rmtree(other, ignore_errors=True)


_TEMPLATES_KEPT = 86400.0  # seconds


def _templates_dir(cache: Cache | None) -> Path | None:
    """Where compiled templates are kept: in the cache, beside (not among) its
    entries, so `Cache.prune` leaves them; Jinja keeps one file per template and
    checks it against the template's source. One folder per chatwiki code, since
    how a template compiles also depends on the Environment chatwiki sets up."""
    if cache is None:
        return None
    where = cache.root / "templates" / code_fingerprint().hex()[:16]
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unwritable cache: templates are compiled each time
    return where


def _render_globals(site: Site, links: LinkIndex) -> dict[str, Any]:
    """What every template sees besides its page's context: plain values, so a
    worker process can build the same Renderer."""
    nav = [
        (urls.HOME, N_("Home")),
        (urls.CHATS, N_("Chats")),
        (urls.CALENDAR, N_("Calendar")),
        (urls.TOPICS, N_("Topics")),
    ]
    if site.wiki:
        nav.append((urls.WIKI, N_("Wiki")))
    if site.config.search:
        nav.append((urls.SEARCH, N_("Search")))
    return {
        "config": site.config,
        "now": site.now,
        "nav": nav,
        "link_index": links,
        "site_feeds": site_feed_links(site.config),  # <link rel="alternate"> everywhere
    }


def render_page(renderer: render.Renderer, page: Page) -> bytes | Diagnostic:
    """A page's bytes, or the diagnostic of the theme mistake that stopped it."""
    try:
        return renderer.render(page.url, page.title, page.context)
    except Exception as exc:
        # A theme mistake is the site author's to fix: name the template and line.
        # Anything else raised while rendering is chatwiki's bug, and stays one.
        found = render.template_diagnostic(exc, page.template)
        if found is None:
            raise
        return found


# A worker's share of one build: set once per worker process by `_start_worker`,
# read by `_make_some`. Module state because that is how a process pool hands
# each worker its (large, shared) inputs once rather than with every task.
_WORKER: dict[str, Any] = {}


def _start_worker(
    search_path: tuple[Path, ...],
    globals_: dict[str, Any],
    outputs: tuple[Page | DataFile, ...],
    cache: Cache | None,
) -> None:
    _WORKER["renderer"] = render.Renderer(search_path, globals_, _templates_dir(cache))
    _WORKER["outputs"] = outputs
    _WORKER["cache"] = cache


def _make_some(todo: list[tuple[int, str | None]]) -> list[bytes | Diagnostic]:
    renderer, outputs, cache = _WORKER["renderer"], _WORKER["outputs"], _WORKER["cache"]
    made = [_make_and_keep(renderer, outputs[i], cache, key) for i, key in todo]
    if cache is not None:
        cache.flush()
    return made


def _make(renderer: render.Renderer, item: Page | DataFile) -> bytes | Diagnostic:
    """What the cache keeps of an output: a page's bytes, a data file's unstamped."""
    if isinstance(item, Page):
        return render_page(renderer, item)
    return item.make()


def _finished(item: Page | DataFile, made: bytes | Diagnostic) -> bytes | Diagnostic:
    return item.finish(made) if isinstance(item, DataFile) and isinstance(made, bytes) else made


def _make_and_keep(
    renderer: render.Renderer, item: Page | DataFile, cache: Cache | None, key: str | None
) -> bytes | Diagnostic:
    made = _make(renderer, item)
    if cache is not None and key is not None and isinstance(made, bytes):
        cache.put(key, made)
    return _finished(item, made)


# Values that many outputs share (a chat appears on its page, its topics' pages, the
# calendar's...): an output's key names each by the digest of its own pickle,
# computed once per build, rather than pickling it again inside every output.
# FrozenMap too: a long chat's map of post -> conversation page is in each of its
# conversation pages (100,000 entries, pickled a hundred times, was 90 % of a warm
# rebuild of a chat with a 100,000-post archive).
_SHARED = frozenset(
    (
        Chat,
        WikiPage,
        Series,
        CalendarIndex,
        Conversation,
        TopicEntry,
        Event,
        LinkIndex,
        FrozenMap,
        Group,  # a conversation group spans pages: each of them shows part of it
        Thread,  # and a page shows a group's threads: named once, not in every page's key
    )
)


class _KeyPickler(pickle.Pickler):
    """Pickles a value for its key, with each shared value inside it replaced by its
    digest (`reducer_override` is not called for str, int, tuple and the like, so
    this costs one Python call per object of a model type, not per object)."""

    def __init__(self, file: BinaryIO, digests: dict[int, tuple[object, bytes]], top: object):
        super().__init__(file, protocol=5)
        self.digests = digests
        self.top = top

    def reducer_override(self, obj: object) -> Any:
        if obj is self.top or type(obj) not in _SHARED:
            return NotImplemented
        known = self.digests.get(id(obj))
        if known is None:
            # A value the cache made is named by what it was made from (unpickled,
            # a chat with a large archive would cost more than its page's render).
            fingerprint = getattr(obj, "fingerprint", b"")
            digest = b"made:" + fingerprint if fingerprint else _digest(obj, self.digests)
            # Kept with the value, so its id() cannot be reused during the build.
            known = (obj, digest)
            self.digests[id(obj)] = known
        return bytes, (known[1],)


def _digest(value: object, digests: dict[int, tuple[object, bytes]]) -> bytes:
    """sha256 of `value`'s pickle, shared values by their own digests."""
    buffer = io.BytesIO()
    _KeyPickler(buffer, digests, value).dump(value)
    return hashlib.sha256(buffer.getbuffer()).digest()


def _output_keys(
    prepared: Prepared, outputs: Sequence[Page | DataFile], cache: Cache | None = None
) -> list[str]:
    """The cache key of each output: everything its bytes depend on.

    A page: its URL, title and context, the templates (every theme file, by
    content), the values every template sees and, only for a page whose templates
    read it, the build's `now`: the clock must not make every page new. A feed or
    calendar: its producer and arguments (the build's now among them when used),
    but not a calendar's stamp, which goes into the kept bytes afterwards.
    chatwiki's own code is in every key (`key_of`).
    """
    digests: dict[int, tuple[object, bytes]] = {}
    env = prepared.renderer.env
    theme = hashlib.sha256()
    for name in sorted(env.list_templates()):
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        theme.update(f"{len(name)}:{name}{len(source)}:".encode() + source.encode())
    globals_ = _render_globals(prepared.site, prepared.indexes.links)
    now = globals_.pop("now")
    shared = theme.digest() + _digest(globals_, digests)
    with_now = shared + _digest(now, digests)
    # Which templates read `now`, found by parsing them: kept for these templates.
    known = key_of("reads-now", theme.digest())
    found = cache.get(known) if cache is not None else None
    reads_now: dict[str, bool] = dict(found) if isinstance(found, dict) else {}
    asked = len(reads_now)
    keys = []
    for item in outputs:
        if isinstance(item, Page):
            if item.template not in reads_now:
                reads_now[item.template] = _reads_now(env, item.template)
            base = with_now if reads_now[item.template] else shared
            keys.append(key_of("page", base, _digest(item, digests)))
        else:  # its stamp (the build's time) is put in after the cache
            keys.append(key_of("data", _digest(item.unstamped(), digests)))
    if cache is not None and len(reads_now) != asked:
        cache.put(known, reads_now)
    return keys


def _reads_now(env: jinja2.Environment, name: str, seen: set[str] | None = None) -> bool:
    """Whether template `name`, or any it extends, includes or imports, reads `now`.
    True when unsure (a template chosen at render time, one that does not parse)."""
    seen = set() if seen is None else seen
    if name in seen:
        return False
    seen.add(name)
    try:
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        tree = env.parse(source)
    except jinja2.TemplateError:
        return True
    # Any load of the name (a local variable called `now` counts too: only costlier).
    if any(node.name == "now" for node in tree.find_all(jinja2.nodes.Name)):
        return True
    for other in jinja2.meta.find_referenced_templates(tree):
        if other is None or _reads_now(env, other, seen):
            return True
    return False


def _made_in_order(
    prepared: Prepared,
    outputs: tuple[Page | DataFile, ...],
    workers: _Workers,
    cache: Cache | None = None,
) -> Iterator[bytes | Diagnostic]:
    """Each output's bytes in planned order: from the cache when it holds them, else
    made (in the workers when there are any and enough to make) and kept there.

    At most a few chunks wait at a time, so memory holds a window of pages rather
    than the whole site's bytes.
    """
    keys: list[str | None] = (
        list(_output_keys(prepared, outputs, cache)) if cache else [None] * len(outputs)
    )
    misses = [i for i, key in enumerate(keys) if cache is None or key is None or not cache.has(key)]
    made: Iterator[bytes | Diagnostic]
    if workers.jobs == 1 or len(misses) < _MIN_PARALLEL:
        made = (_make_and_keep(prepared.renderer, outputs[i], cache, keys[i]) for i in misses)
    else:
        made = _made_by_workers(prepared, outputs, workers, cache, [(i, keys[i]) for i in misses])
    missing = set(misses)
    for i, item in enumerate(outputs):
        if i in missing:
            yield next(made)
            continue
        key = keys[i]
        found = cache.get(key) if cache is not None and key is not None else None
        # Gone or unreadable since `has` said yes: made here, like any miss.
        yield (
            _finished(item, found)
            if isinstance(found, bytes)
            else _make_and_keep(prepared.renderer, item, cache, key)
        )


def _made_by_workers(
    prepared: Prepared,
    outputs: tuple[Page | DataFile, ...],
    workers: _Workers,
    cache: Cache | None,
    todo: list[tuple[int, str | None]],
) -> Iterator[bytes | Diagnostic]:
    """`todo`'s outputs made in the workers, yielded in `todo`'s order.

    They are handed out in another: a file made of the whole site (`calendar.ics`,
    every event; a feed) goes first, in a chunk of its own, since it takes as long
    as hundreds of pages. Planned last, it would be the build's last second, with
    one worker on it and the other idle."""
    size = max(1, min(64, len(todo) // (workers.jobs * 8)))
    chunks: list[list[tuple[int, str | None]]] = []  # in todo's order
    heavy: list[int] = []
    current: list[tuple[int, str | None]] = []
    for task in todo:
        if _weight(outputs[task[0]]) >= _HEAVY:
            if current:
                chunks.append(current)
                current = []
            heavy.append(len(chunks))
            chunks.append([task])
            continue
        current.append(task)
        if len(current) == size:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    waiting = deque(heavy + [n for n in range(len(chunks)) if n not in heavy])
    globals_ = _render_globals(prepared.site, prepared.indexes.links)
    with workers.pool(_start_worker, (prepared.search_path, globals_, outputs, cache)) as pool:
        pending: dict[int, Future[list[bytes | Diagnostic]]] = {}
        for c in range(len(chunks)):
            while waiting and (len(pending) < workers.jobs * 3 + len(heavy) or c not in pending):
                n = waiting.popleft()
                pending[n] = pool.submit(_make_some, chunks[n])
            yield from pending.pop(c).result()


# How many items a data file's arguments hold (events, feed entries) before it is
# one worker's chunk on its own; a page is one item.
_HEAVY = 200


def _weight(item: Page | DataFile) -> int:
    if isinstance(item, Page):
        return 1
    return sum(len(a) for a in item.args if isinstance(a, (tuple, list, FrozenMap)))


def _produce(
    prepared: Prepared,
    workers: _Workers | None = None,
    progress: ProgressCallback | None = None,
    cache: Cache | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Every output file (path, bytes) in the planned order.

    Every theme mistake of the run is reported at once: a page a template error
    stopped is left out, the others are still made, and the run then fails.
    """
    outputs: tuple[Page | DataFile, ...] = (*prepared.pages, *prepared.data)
    total = len(outputs) + len(prepared.statics)
    problems: list[Diagnostic] = []
    if progress is not None:
        progress(Progress("output", 0, total))
    made = _made_in_order(prepared, outputs, workers or _Workers(1), cache)
    for done, (item, result) in enumerate(zip(outputs, made, strict=True), start=1):
        if isinstance(result, Diagnostic):
            problems.append(result)
        elif not problems:
            yield item.path, result
        if progress is not None and done % 50 == 0:
            progress(Progress("output", done, total))
    if problems:
        raise ContentError(list(dict.fromkeys(problems)))
    for static in prepared.statics:
        yield static.path, static.source.read_bytes()
    if progress is not None:
        progress(Progress("output", total, total))


def build(
    source: Path,
    out: Path,
    now: datetime,
    drafts: bool = False,
    strict: bool = False,
    base_url: str | None = None,
    *,
    jobs: int = 1,
    cache_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    keep: Callable[[Prepared], None] | None = None,
    memo: Memo | None = None,
    search_later: bool = False,
    cache_scope: str | None = None,
) -> BuildReport:
    """Build the site at `source` into `out`; the old `out` survives any failure.

    `strict`: wiki-link warnings (missing page or heading, ambiguous name) and quotes
    of posts no archive holds are errors.
    `base_url`: where this build is served, in place of site.yaml's `base_url`.
    `jobs`: worker processes for rendering Markdown and pages (1: this process only);
    the output is the same byte for byte whatever the number.
    `cache_dir`: keep rendered Markdown there between builds (None: no cache); it
    must be outside `out`. Whatever it holds, the output is the same as without it.
    `progress` is called now and then with how far the build is.
    `keep` is given the build's planned site once it is published (not called when
    nothing changed since the last build, whose plan still holds).
    `memo`: a process that builds again and again (a preview) keeps the cache's
    values in memory there between builds; only with a cache.
    `cache_scope`: whose entries in the cache these builds are (see `Cache`);
    default: the output directory's.
    `search_later`: when pages changed, publish them with the last search bundle
    and say so (`BuildReport.stale_search`) rather than index first: a preview shows
    the pages, then calls `refresh_search` (Pagefind takes seconds on a large site).

    Unchanged files are never rewritten (see `write.publish`), and the search index
    is kept when no page changed, so calling this again after an edit (as a preview
    server does) costs about what the edit changed.
    """
    check_output_dir(out, source)  # before anything else: a dangerous --out says so
    cache = _open_cache(cache_dir, out, cache_scope)
    options = (now.isoformat(), drafts, strict, base_url)
    # What the build reads, looked at before it reads it; without a cache there is
    # nowhere to keep it, and no record to compare it with.
    inputs = _input_state(source) if cache is not None else None
    done = _already_published(cache, source, out, options, inputs)
    # A bundle left stale for a preview to refresh is no build's to keep otherwise.
    if done is not None and (search_later or done.stale_search is None):
        if cache is not None:
            cache.keep_scope()
        return done
    try:
        return _build(
            source,
            out,
            now,
            drafts,
            strict,
            base_url,
            jobs,
            cache,
            progress,
            keep,
            memo,
            search_later,
            options,
            inputs,
        )
    finally:
        if cache is not None:  # what a failed build made is kept all the same
            cache.flush()


def _build(
    source: Path,
    out: Path,
    now: datetime,
    drafts: bool,
    strict: bool,
    base_url: str | None,
    jobs: int,
    cache: Cache | None,
    progress: ProgressCallback | None,
    keep: Callable[[Prepared], None] | None,
    memo: Memo | None,
    search_later: bool,
    options: tuple[object, ...],
    inputs: tuple[manifest.TreeState, str | None] | None,
) -> BuildReport:
    started = cache.begin() if cache is not None else 0.0
    _drop_old_templates(cache)
    workers = _Workers(jobs, cache)
    if memo is not None:
        memo.begin()
    prepared = _prepare(source, now, drafts, strict, base_url, cache, workers, memo)
    if progress is not None:
        progress(Progress("content", len(prepared.site.chats), len(prepared.site.chats)))
    files = _produce(prepared, workers, progress, cache)
    html = _PagesDigest()
    # Search indexes the finished pages, so it runs in the staging dir before the swap.
    index = search.indexer(prepared.site.config)
    bundle = _search_bundle_key(prepared.site.config, html)
    reused = False
    stale: str | None = None

    def finalize(staging: Path) -> None:
        nonlocal reused, stale
        if index is None:
            return
        if progress is not None:
            progress(Progress("search", 0, 1))
        reused = _keep_search_bundle(cache, out, bundle(), staging)
        if not reused and search_later and _keep_any_search_bundle(out, staging):
            stale = bundle()
        elif not reused:
            index(staging)
        if progress is not None:
            progress(Progress("search", 1, 1))

    # Only a site with search needs its pages' digest (the bundle's key).
    pages = files if index is None else _hashing_html(files, html)
    published = publish_site(out, source, pages, finalize=finalize)
    report = BuildReport(
        pages=len(prepared.pages),
        files=published.files,
        warnings=prepared.warnings,
        written=published.written,
        search_reused=reused,
        changed=published.changed,
        stale_search=stale,
    )
    if keep is not None:
        keep(prepared)
    if memo is not None:
        memo.end()
    if cache is not None and inputs is not None:
        if index is not None and stale is None:
            # What out/pagefind/ now indexes, and which bundle that is.
            cache.put(_bundle_record(out), (bundle(), _bundle_fingerprint(out)))
        cache.put(
            _published_record(source, out),
            _Published(
                options,
                inputs,
                manifest.look((out,), hash_racy=False),
                replace(report, changed=()),
                index is not None,
            ),
        )
        cache.prune(started)
    return report


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Published:
    """What the last build into an output was made from, and what it left there."""

    options: tuple[object, ...]  # now, drafts, strict, base_url
    inputs: tuple[manifest.TreeState, str | None]  # the site's files, the git checkout
    output: manifest.TreeState
    report: BuildReport
    searched: bool  # the site has search: a no-op keeps its index as it is


def _input_state(source: Path) -> tuple[manifest.TreeState, str | None]:
    """Everything a build can read, looked at before it reads any of it (a file
    changed while the build runs is then a change next time): the site's files,
    chatwiki's own theme and where git stands (the feeds' dates come from it).
    chatwiki's code and libraries are in the record's key."""
    roots = (
        source / CONFIG_FILE,
        source / "content",
        source / files.THEMES_DIR,
        source / files.STATIC_DIR,
        render.builtin_theme_dir(),
    )
    return manifest.look(tuple(r.absolute() for r in roots)), head_state(source)


def _published_record(source: Path, out: Path) -> str:
    return key_of("published", str(source.resolve()), str(out.resolve()))


def _already_published(
    cache: Cache | None,
    source: Path,
    out: Path,
    options: tuple[object, ...],
    inputs: tuple[manifest.TreeState, str | None] | None,
) -> BuildReport | None:
    """The last build's report when it was made with these options from these very
    files and its output is still exactly as it left it: then this build would make
    the same bytes, and there is nothing to do (a no-op rebuild costs a look at the
    files). None whenever anything differs or is unsure."""
    if cache is None or inputs is None:
        return None
    record = cache.get(_published_record(source, out))
    if not isinstance(record, _Published) or record.options != options:
        return None
    (files_then, head_then), (files_now, head_now) = record.inputs, inputs
    if head_then != head_now or not files_then.still_true(files_now):
        return None
    if not record.output.still_true(manifest.look((out,), hash_racy=False)):
        return None
    return replace(record.report, written=0, search_reused=record.searched, changed=())


def _open_cache(cache_dir: Path | None, out: Path, scope: str | None = None) -> Cache | None:
    if cache_dir is None:
        return None
    where = cache_dir.resolve()
    target = out.resolve()
    if where == target or where.is_relative_to(target) or target.is_relative_to(where):
        raise UsageError(
            f"the cache directory {cache_dir} must be outside the output directory {out} "
            "(each build replaces the output)"
        )
    return Cache(where, output_scope(out) if scope is None else scope)


def output_scope(out: Path) -> str:
    """The cache scope of builds into `out` (see `Cache`)."""
    return f"output {out.resolve()}"


# A page Pagefind indexes once any page has `data-pagefind-body`: the attribute in a
# tag (HTML attribute names are case-insensitive). Text never holds a raw "<", so a
# match is in a tag when the last "<" before it comes after the last ">".
_BODY_ATTRIBUTE = re.compile(rb"\sdata-pagefind-body[\s=/>]", re.IGNORECASE)


def _is_indexed(page: bytes) -> bool:
    """Whether `page` marks its body for Pagefind. (A search from each "<" for the
    attribute, as one pattern, took a third of a second on a 100,000-post chat.)"""
    for found in _BODY_ATTRIBUTE.finditer(page):
        if page.rfind(b"<", 0, found.start()) > page.rfind(b">", 0, found.start()):
            return True
    return False


@dataclass(slots=True)
class _PagesDigest:
    """What the search index is made of, gathered as the pages stream past: every
    page, and separately the pages marked `data-pagefind-body`. Once any page is
    marked, Pagefind indexes only the marked ones, so only they key the bundle: the
    home page's build time (unmarked) then does not make every real-clock build
    index the whole site again."""

    every: Any = field(default_factory=hashlib.sha256)
    marked: Any = field(default_factory=hashlib.sha256)
    any_marked: bool = False

    def add(self, path: str, data: bytes) -> None:
        entry = len(path).to_bytes(8, "big") + path.encode() + len(data).to_bytes(8, "big")
        self.every.update(entry)
        self.every.update(data)
        if _is_indexed(data):
            self.any_marked = True
            self.marked.update(entry)
            self.marked.update(data)

    def digest(self) -> bytes:
        chosen: bytes = self.marked.digest() if self.any_marked else self.every.digest()
        return (b"marked:" if self.any_marked else b"every:") + chosen


def _hashing_html(
    files: Iterator[tuple[str, bytes]], pages: _PagesDigest
) -> Iterator[tuple[str, bytes]]:
    """`files` unchanged, feeding every page to `pages` on the way: what the search
    index is made of, without reading the pages back."""
    for path, data in files:
        if path.endswith(HTML.suffix):
            pages.add(path, data)
        yield path, data


def _search_bundle_key(config: SiteConfig, pages: _PagesDigest) -> Callable[[], str]:
    """The key of the search bundle these pages make (called once they are all made):
    the pages, the index's language and chatwiki with its Pagefind version."""
    return lambda: key_of("search-bundle", search.search_language(config.language), pages.digest())


def _bundle_record(out: Path) -> str:
    return key_of("search-bundle-of", str(out.resolve()))


def _keep_search_bundle(cache: Cache | None, out: Path, bundle: str, staging: Path) -> bool:
    """Keep the current output's search bundle if it indexes exactly these pages.

    Pagefind's bundle is a function of the pages (it is reproducible), so when no
    page changed since the last build into `out` the old bundle is the new one. Known
    only through the cache, which records what each output's bundle was made from;
    without a cache, or when anything is unsure, the pages are indexed again.
    """
    bundle_dir = out / urls.PAGEFIND.rstrip("/")
    # The record is in this source's cache, but another site may have been built into
    # `out` since: reuse only the very bundle the record saw there.
    if cache is None or cache.get(_bundle_record(out)) != (bundle, _bundle_fingerprint(out)):
        return False
    return keep_tree(bundle_dir, staging / urls.PAGEFIND.rstrip("/"))


def _keep_any_search_bundle(out: Path, staging: Path) -> bool:
    """The current output's search bundle, whatever it indexes (`search_later`)."""
    return keep_tree(out / urls.PAGEFIND.rstrip("/"), staging / urls.PAGEFIND.rstrip("/"))


def refresh_search(
    out: Path,
    config: SiteConfig,
    key: str,
    cache_dir: Path | None,
    cancel: threading.Event | None = None,
    cache_scope: str | None = None,
) -> None:
    """Index the pages published in `out` and put the new bundle in place of the
    stale one a `search_later` build kept (`key`: its `stale_search`). Raises
    OutputError as a build's indexing does (search.Cancelled once `cancel` is set);
    `out` then keeps the stale bundle."""
    language = search.search_language(config.language)
    folder = urls.PAGEFIND.rstrip("/")
    replace_folder(out, folder, lambda into: search.index_site(out, language, into, cancel))
    cache = _open_cache(cache_dir, out, cache_scope)
    if cache is not None:
        cache.put(_bundle_record(out), (key, _bundle_fingerprint(out)))
        cache.flush()


def _bundle_fingerprint(out: Path) -> str | None:
    """What is in `out`'s search bundle now: every file's name and bytes, hashed."""
    bundle_dir = out / urls.PAGEFIND.rstrip("/")
    if not bundle_dir.is_dir():
        return None
    digest = hashlib.sha256()
    for f in sorted(p for p in bundle_dir.rglob("*") if p.is_file()):
        digest.update(f.relative_to(bundle_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


def check(
    source: Path,
    now: datetime,
    drafts: bool = True,
    strict: bool = False,
    base_url: str | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Validate everything and render every page in memory; write nothing."""
    prepared = _prepare(source, now, drafts, strict, base_url)
    count = sum(1 for _ in _produce(prepared, progress=progress))
    return BuildReport(pages=len(prepared.pages), files=count, warnings=prepared.warnings)
