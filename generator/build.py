"""The build, top to bottom: load -> site model -> indexes -> plan -> render -> write.

Every stage is a function of explicit inputs returning a new value; this function
only sequences them. All content diagnostics are gathered before anything is
written, and raised together as one ContentError.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator import config as config_stage
from generator import content, render, urls
from generator.calendar import build_timeline
from generator.conversation import build_conversation
from generator.errors import ContentError, Diagnostic, UsageError, errors_only
from generator.model import Chat, Site
from generator.plan import Page, StaticFile, find_clashes, plan_pages
from generator.topics import build_topic_index
from generator.write import publish


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


def _load(
    source: Path, now: datetime, drafts: bool
) -> tuple[Site, tuple[Chat, ...], list[Diagnostic]]:
    """Read and validate content. Returns the site, the unpublished drafts, diagnostics.

    Raises ContentError only when site.yaml itself is unusable; every other problem
    is a diagnostic, so indexes can add theirs before the run fails once.
    """
    if now.tzinfo is None:
        raise UsageError("now must be timezone-aware")
    config_path = source / config_stage.CONFIG_FILE
    if not config_path.is_file():
        raise UsageError(f"no {config_stage.CONFIG_FILE} in {source}: is this a chatwiki site?")
    diagnostics: list[Diagnostic] = []
    themes = frozenset(p.name for p in (source / "themes").glob("*") if p.is_dir())
    cfg, found = config_stage.parse_config(
        config_path.read_text(encoding="utf-8-sig"), themes=themes
    )
    diagnostics += found
    if cfg is None:
        raise ContentError(errors_only(diagnostics) or diagnostics)
    chats, found = content.load_chats(source, cfg)
    diagnostics += found
    wiki, found = content.load_wiki(source)
    diagnostics += found
    published = tuple(c for c in chats if drafts or not c.draft)
    hidden = tuple(c for c in chats if not (drafts or not c.draft))
    return Site(config=cfg, chats=published, wiki=wiki, now=now), hidden, diagnostics


def load_site(source: Path, now: datetime, drafts: bool = False) -> tuple[Site, list[Diagnostic]]:
    """Read and validate everything under `source`. Raises ContentError on errors.

    Drafts are always validated (a broken draft is still broken); `drafts` only
    decides whether they are part of the site.
    """
    site, hidden, diagnostics = _load(source, now, drafts)
    _, found = build_topic_index(site.config.topics, site.chats, hidden)
    diagnostics += found
    if errors_only(diagnostics):
        raise ContentError(diagnostics)
    return site, diagnostics


def _prepare(source: Path, now: datetime, drafts: bool) -> _Prepared:
    site, hidden, diagnostics = _load(source, now, drafts)
    topics, found = build_topic_index(site.config.topics, site.chats, hidden)
    diagnostics += found
    if errors_only(diagnostics):
        raise ContentError(diagnostics)
    timeline = build_timeline(site.chats, site.now)
    conversations = {
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
    pages = plan_pages(site, timeline, conversations, topics)
    search_path = render.theme_dirs(source, site.config.theme)
    statics = [StaticFile(path, f) for path, f in render.static_files(search_path)]
    clashes = find_clashes(pages, statics)
    if clashes:
        raise ContentError(clashes)
    nav = [(urls.HOME, "Home"), (urls.CHATS, "Chats"), (urls.TOPICS, "Topics")]
    if site.wiki:
        nav.append((urls.WIKI, "Wiki"))
    renderer = render.Renderer(search_path, {"config": site.config, "now": site.now, "nav": nav})
    return _Prepared(site, pages, statics, renderer, tuple(diagnostics))


def _produce(prepared: _Prepared) -> Iterator[tuple[str, bytes]]:
    for page in prepared.pages:
        yield (
            page.path,
            prepared.renderer.page(page.template, page.url, title=page.title, **page.context),
        )
    for static in prepared.statics:
        yield static.path, static.source.read_bytes()


def build(source: Path, out: Path, now: datetime, drafts: bool = False) -> BuildReport:
    """Build the site at `source` into `out`; the old `out` survives any failure."""
    prepared = _prepare(source, now, drafts)
    written = publish(out, source, _produce(prepared))
    return BuildReport(pages=len(prepared.pages), files=written, warnings=prepared.warnings)


def check(source: Path, now: datetime, drafts: bool = True) -> BuildReport:
    """Validate everything and render every page in memory; write nothing."""
    prepared = _prepare(source, now, drafts)
    count = sum(1 for _ in _produce(prepared))
    return BuildReport(pages=len(prepared.pages), files=count, warnings=prepared.warnings)
