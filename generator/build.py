"""The build, top to bottom: load -> site model -> indexes -> plan -> render -> write.

Every stage is a function of explicit inputs returning a new value; this function
only sequences them. All content diagnostics are gathered before anything is
written, and raised together as one ContentError.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator.core import schema, urls
from generator.core.errors import ContentError, Diagnostic, UsageError, errors_only
from generator.core.frozenmap import FrozenMap
from generator.core.model import Chat, Site, SiteConfig
from generator.index.calendar import build_calendar, build_timeline
from generator.index.conversation import build_conversation
from generator.index.topics import build_topic_index
from generator.index.wiki import (
    LinkIndex,
    build_link_index,
    chat_target,
    link_sources,
    link_targets,
)
from generator.output import render
from generator.output.feeds import site_feed_links
from generator.plan import (
    DataFile,
    Indexes,
    Page,
    StaticFile,
    find_clashes,
    plan_calendar_pages,
    plan_crawler_files,
    plan_data_files,
    plan_pages,
    plan_search_page,
    plan_topic_feeds,
)
from generator.publish import search
from generator.publish.write import publish
from generator.sources import content, files
from generator.sources import series as series_stage
from generator.sources.gitinfo import read_history


@dataclass(frozen=True, slots=True)
class BuildReport:
    pages: int
    files: int  # pages + static files
    warnings: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class _Prepared:
    site: Site
    pages: list[Page]
    statics: list[StaticFile]
    renderer: render.Renderer
    warnings: tuple[Diagnostic, ...]
    data: tuple[DataFile, ...]  # .ics files and feeds
    indexes: Indexes


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


def _load(
    source: Path, now: datetime, drafts: bool, base_url: str | None = None
) -> tuple[Site, tuple[Chat, ...], list[Diagnostic]]:
    """Read and validate content. Returns the site, the unpublished drafts, diagnostics.

    Raises ContentError only when site.yaml itself is unusable; every other problem
    is a diagnostic, so indexes can add theirs before the run fails once.
    """
    if now.tzinfo is None:
        raise UsageError("now must be timezone-aware")
    cfg, diagnostics = files.read_site_config(source)
    cfg = with_base_url(cfg, base_url)
    series, found = series_stage.load_series(source, cfg)
    diagnostics += found
    chats, found = content.load_chats(source, cfg, series_stage.declared_slugs(source))
    diagnostics += found
    wiki, found = content.load_wiki(source)
    diagnostics += found
    published = tuple(c for c in chats if drafts or not c.draft)
    hidden = tuple(c for c in chats if not (drafts or not c.draft))
    site = Site(config=cfg, chats=published, wiki=wiki, now=now, series=series)
    return site, hidden, diagnostics


def load_site(source: Path, now: datetime, drafts: bool = False) -> tuple[Site, list[Diagnostic]]:
    """Read and validate everything under `source`. Raises ContentError on errors.

    Drafts are always validated (a broken draft is still broken); `drafts` only
    decides whether they are part of the site.
    """
    site, hidden, diagnostics = _load(source, now, drafts)
    _, found = build_topic_index(site.config.topics, site.chats, hidden, site.now)
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
    source: Path, now: datetime, drafts: bool, strict: bool = False, base_url: str | None = None
) -> _Prepared:
    site, hidden, diagnostics = _load(source, now, drafts, base_url)
    topics, found = build_topic_index(site.config.topics, site.chats, hidden, site.now)
    diagnostics += found
    links = _link_index(site, hidden, strict)
    diagnostics += links.diagnostics
    if errors_only(diagnostics):
        raise ContentError(diagnostics)
    history = read_history(source)  # one `git log` for the whole build; None outside git
    timeline = build_timeline(site.chats, site.now)
    conversations = FrozenMap(
        {
            chat.slug: build_conversation(
                chat.archive.posts,
                chat.archive.referenced,
                chat.start,
                chat.end,
                chat.hosts,
                chat.hashtag,
            )
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
    data = plan_data_files(site, calendar, added, links) + plan_topic_feeds(site, topics, links)
    search_path = render.theme_dirs(source, site.config.theme)
    statics = [StaticFile(path, f) for path, f in render.static_files(search_path)]
    data += plan_crawler_files(site.config, pages, statics)
    theme_problems = render.links_out_of_site(source, search_path)
    theme_problems += render.undecodable_templates(source, search_path)
    clashes = theme_problems + find_clashes(pages, statics, data)
    if clashes:
        raise ContentError(clashes)
    nav = [
        (urls.HOME, "Home"),
        (urls.CHATS, "Chats"),
        (urls.CALENDAR, "Calendar"),
        (urls.TOPICS, "Topics"),
    ]
    if site.wiki:
        nav.append((urls.WIKI, "Wiki"))
    if site.config.search:
        nav.append((urls.SEARCH, "Search"))
    renderer = render.Renderer(
        search_path,
        {
            "config": site.config,
            "now": site.now,
            "nav": nav,
            "link_index": links,
            "site_feeds": site_feed_links(site.config),  # <link rel="alternate"> everywhere
        },
    )
    return _Prepared(site, pages, statics, renderer, tuple(diagnostics), tuple(data), indexes)


def _produce(prepared: _Prepared) -> Iterator[tuple[str, bytes]]:
    for page in prepared.pages:
        try:
            html = prepared.renderer.render(page.url, page.title, page.context)
        except Exception as exc:
            # A theme mistake is the site author's to fix: name the template and line.
            # Anything else raised while rendering is chatwiki's bug, and stays one.
            found = render.template_diagnostic(exc, page.template)
            if found is None:
                raise
            raise ContentError([found]) from None
        yield page.path, html
    for static in prepared.statics:
        yield static.path, static.source.read_bytes()
    for data in prepared.data:
        yield data.path, data.produce()


def build(
    source: Path,
    out: Path,
    now: datetime,
    drafts: bool = False,
    strict: bool = False,
    base_url: str | None = None,
) -> BuildReport:
    """Build the site at `source` into `out`; the old `out` survives any failure.

    `strict`: wiki-link warnings (missing page or heading, ambiguous name) are errors.
    `base_url`: where this build is served, in place of site.yaml's `base_url`.
    """
    prepared = _prepare(source, now, drafts, strict, base_url)
    # Search indexes the finished pages, so it runs in the staging dir before the swap.
    finalize = search.indexer(prepared.site.config)
    written = publish(out, source, _produce(prepared), finalize=finalize)
    return BuildReport(pages=len(prepared.pages), files=written, warnings=prepared.warnings)


def check(
    source: Path,
    now: datetime,
    drafts: bool = True,
    strict: bool = False,
    base_url: str | None = None,
) -> BuildReport:
    """Validate everything and render every page in memory; write nothing."""
    prepared = _prepare(source, now, drafts, strict, base_url)
    count = sum(1 for _ in _produce(prepared))
    return BuildReport(pages=len(prepared.pages), files=count, warnings=prepared.warnings)
