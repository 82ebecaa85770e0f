"""The build, top to bottom: load -> site model -> indexes -> plan -> render -> write.

Every stage is a function of explicit inputs returning a new value; this function
only sequences them. All content diagnostics are gathered before anything is
written, and raised together as one ContentError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import jinja2

from generator.core import schema, urls
from generator.core.errors import Collector, ContentError, Diagnostic, UsageError, errors_only
from generator.core.frozenmap import FrozenMap
from generator.core.model import Chat, Site, SiteConfig, TopicRef
from generator.index.calendar import build_calendar, build_timeline
from generator.index.conversation import build_conversation
from generator.index.topics import TopicIndex, build_topic_index
from generator.index.wiki import (
    LinkIndex,
    build_link_index,
    chat_target,
    link_sources,
    link_targets,
)
from generator.output import render
from generator.output.feeds import site_feed_links
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
from generator.publish import search
from generator.publish.write import publish
from generator.sources import content, files
from generator.sources import series as series_stage
from generator.sources.config import CONFIG_FILE
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


def _load(source: Path, now: datetime, drafts: bool, base_url: str | None = None) -> _Loaded:
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
    chats, chat_found = content.load_chats(source, cfg, series_stage.declared_slugs(source))
    diagnostics += chat_found
    wiki, found = content.load_wiki(source)
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
    source: Path, now: datetime, drafts: bool, strict: bool = False, base_url: str | None = None
) -> _Prepared:
    loaded = _load(source, now, drafts, base_url)
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
    renderer = _renderer(site, links, search_path)
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
    return _Prepared(site, pages, statics, renderer, tuple(diagnostics), tuple(data), indexes)


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


def _renderer(site: Site, links: LinkIndex, search_path: tuple[Path, ...]) -> render.Renderer:
    # N_: the labels are in the theme's catalogue; base.html shows them translated.
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
    return render.Renderer(
        search_path,
        {
            "config": site.config,
            "now": site.now,
            "nav": nav,
            "link_index": links,
            "site_feeds": site_feed_links(site.config),  # <link rel="alternate"> everywhere
        },
    )


# Told (stage, done, total) as a build goes: once with done=0 as a stage starts, then
# after each of its files. Stages: "pages", "static files", "feeds and calendars".
Progress = Callable[[str, int, int], None]


def _produce(prepared: _Prepared, progress: Progress | None = None) -> Iterator[tuple[str, bytes]]:
    tell = progress or (lambda stage, done, total: None)
    tell("pages", 0, len(prepared.pages))
    for done, page in enumerate(prepared.pages, 1):
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
        tell("pages", done, len(prepared.pages))
    tell("static files", 0, len(prepared.statics))
    for done, static in enumerate(prepared.statics, 1):
        yield static.path, static.source.read_bytes()
        tell("static files", done, len(prepared.statics))
    tell("feeds and calendars", 0, len(prepared.data))
    for done, data in enumerate(prepared.data, 1):
        yield data.path, data.produce()
        tell("feeds and calendars", done, len(prepared.data))


def build(
    source: Path,
    out: Path,
    now: datetime,
    drafts: bool = False,
    strict: bool = False,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the site at `source` into `out`; the old `out` survives any failure.

    `strict`: wiki-link warnings (missing page or heading, ambiguous name) and quotes
    of posts no archive holds are errors.
    `base_url`: where this build is served, in place of site.yaml's `base_url`.
    `progress`: told how far rendering has got, for a progress line (see Progress).
    """
    prepared = _prepare(source, now, drafts, strict, base_url)
    # Search indexes the finished pages, so it runs in the staging dir before the swap.
    finalize = search.indexer(prepared.site.config)
    written = publish(out, source, _produce(prepared, progress), finalize=finalize)
    return BuildReport(pages=len(prepared.pages), files=written, warnings=prepared.warnings)


def check(
    source: Path,
    now: datetime,
    drafts: bool = True,
    strict: bool = False,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Validate everything and render every page in memory; write nothing."""
    prepared = _prepare(source, now, drafts, strict, base_url)
    count = sum(1 for _ in _produce(prepared, progress))
    return BuildReport(pages=len(prepared.pages), files=count, warnings=prepared.warnings)
