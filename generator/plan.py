"""Site + indexes -> the list of files to produce. Decides *what*, not *how*.

Each `Page` is a plain value (URL, title, a typed context of frozen model objects),
each `DataFile` a module-level producer with frozen arguments, so producing their
bytes is a pure call that a process pool or a cache can take over. Every output
says its format (generator/output/formats.py). Two things claiming one output path
is an error here, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any, ClassVar

from generator.core import urls
from generator.core.errors import Diagnostic
from generator.core.frozenmap import FrozenMap
from generator.core.model import Chat, Site, SiteConfig, TopicDef, stage
from generator.core.pickling import fast_pickle
from generator.index.calendar import (
    CalendarIndex,
    SeriesSchedule,
    Timeline,
    describe_period,
    describe_rule,
    month_name,
)
from generator.index.conversation import Conversation, Thread
from generator.index.topics import TopicIndex
from generator.index.wiki import NO_LINKS, LinkIndex, breadcrumbs, recently_changed, wiki_sections
from generator.output import crawlers, feeds, formats, ical
from generator.output.contexts import (
    CalendarContext,
    CalendarMonthContext,
    ChatContext,
    ChatsContext,
    ConversationContext,
    EventContext,
    GroupSlice,
    HomeContext,
    NotFoundContext,
    PageContext,
    SearchContext,
    SeriesContext,
    TopicContext,
    TopicsContext,
    WikiIndexContext,
    WikiPageContext,
)
from generator.output.formats import OutputFormat
from generator.sources.gitinfo import FileHistory, GitHistory

LATEST_ON_HOME = 10
UPCOMING_ON_HOME = 6  # the next chat and a few more; /calendar/ lists them all
# Posts per conversation page. Chats are usually a few hundred posts; a 100,000-post
# archive on one page would be a 40 MB document no browser handles well.
POSTS_PER_PAGE = 1000


@fast_pickle
@dataclass(frozen=True, slots=True)
class Indexes:
    """Everything worked out from the frozen Site that pages and feeds are planned
    from: one value, picklable like the outputs planned from it."""

    timeline: Timeline
    conversations: FrozenMap[str, Conversation]  # chat slug -> its archive's conversation
    topics: TopicIndex
    links: LinkIndex
    calendar: CalendarIndex
    history: GitHistory | None  # None outside a git checkout


def paginate(conversation: Conversation, per_page: int = POSTS_PER_PAGE) -> list[list[GroupSlice]]:
    """Split the conversation into pages of about `per_page` posts, never inside a thread."""
    pages: list[list[GroupSlice]] = [[]]
    size = 0
    for group in conversation.groups:
        current: list[Thread] = []
        continued = False
        size += 1 if group.question else 0
        for thread in group.threads:
            if size and size + len(thread.nodes) > per_page and (current or pages[-1]):
                if current:
                    pages[-1].append(GroupSlice(group, tuple(current), continued))
                    continued = True
                pages.append([])
                current, size = [], 0
            current.append(thread)
            size += len(thread.nodes)
        if current or not continued:
            pages[-1].append(GroupSlice(group, tuple(current), continued))
    return pages


@fast_pickle
@dataclass(frozen=True, slots=True)
class Page:
    """An HTML page: its URL, its title and what its template shows (the context's
    type says which template that is)."""

    url: str
    title: str
    context: PageContext
    source_path: str | None = None  # for messages about a clash
    format: ClassVar[OutputFormat] = formats.HTML

    @property
    def template(self) -> str:
        return self.context.template

    @property
    def path(self) -> str:
        return urls.output_path(self.url)


@fast_pickle
@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file copied as it is: a theme's, the site's `static/`, or a page's attachment."""

    path: str
    source: Path

    @property
    def format(self) -> OutputFormat:
        return formats.of_static_file(self.path)


@fast_pickle
@dataclass(frozen=True, slots=True)
class DataFile:
    """A non-HTML output (iCalendar, feed): a module-level producer and its frozen
    arguments, so like a Page it is a plain value a process pool could take over."""

    path: str
    format: OutputFormat
    producer: Callable[..., bytes]
    args: tuple[Any, ...]
    source_path: str | None = None  # for messages about a clash
    # The build's time, for a producer that leaves a placeholder where it goes
    # (ical's `*_unstamped`): put in by `finish`, after the cache, so a new clock
    # re-stamps the kept bytes rather than making them again. None: no stamp.
    stamp: datetime | None = None

    def __post_init__(self) -> None:
        # Both are planning mistakes, caught here rather than in a worker process.
        if not self.format.names_file(self.path):
            raise ValueError(f"{self.path}: a {self.format.name} file ends in {self.format.suffix}")
        if "<" in self.producer.__qualname__:  # <lambda>, <locals>: would not pickle
            raise ValueError(f"{self.path}: the producer must be a module-level function")

    def produce(self) -> bytes:
        """The file's bytes, stamped."""
        return self.finish(self.make())

    def make(self) -> bytes:
        """The producer's bytes: what the build cache keeps."""
        return self.producer(*self.args)

    def finish(self, made: bytes) -> bytes:
        return made if self.stamp is None else ical.restamp(made, self.stamp)

    def unstamped(self) -> DataFile:
        """This file without its stamp: what its cache key is made of."""
        return self if self.stamp is None else replace(self, stamp=None)


def plan_pages(site: Site, indexes: Indexes) -> list[Page]:
    """Every HTML page but the calendar's and search: home, chats, topics, wiki."""
    timeline, calendar = indexes.timeline, indexes.calendar
    past_by_year = tuple(
        (year, tuple(group)) for year, group in groupby(timeline.past, key=lambda c: c.start.year)
    )
    pages = [
        Page(
            urls.HOME,
            site.config.title,
            HomeContext(
                latest=timeline.past[:LATEST_ON_HOME],
                # Series occurrences as well as announced chats, soonest first.
                upcoming_events=calendar.upcoming[:UPCOMING_ON_HOME],
                on_now=calendar.on_now,
            ),
        ),
        Page(
            urls.CHATS,
            "All chats",
            ChatsContext(
                timeline.upcoming, past_by_year, timeline.on_now, timeline.awaiting_write_up
            ),
        ),
        Page("404.html", "Page not found", NotFoundContext()),
    ]
    pages += plan_chat_pages(site, indexes)
    pages += plan_topic_pages(indexes.topics, indexes.links)
    pages += plan_wiki_pages(site, indexes.links, indexes.history)
    return pages


def plan_chat_pages(site: Site, indexes: Indexes) -> list[Page]:
    """A page per chat (its write-up, event and first conversation page), and the
    rest of a long conversation on pages of its own."""
    neighbours = chat_neighbours(site.chats, indexes.calendar)
    pages = []
    for chat in site.chats:
        before, after = neighbours[chat.slug]
        conversation = indexes.conversations.get(chat.slug)
        slices = paginate(conversation, POSTS_PER_PAGE) if conversation else [[]]
        # Which conversation page shows each post, for links from the chat page.
        post_page = FrozenMap(
            {
                node.post.id: number
                for number, page_slices in enumerate(slices, start=1)
                for part in page_slices
                for thread in part.threads
                for node in thread.nodes
            }
        )
        topics = indexes.topics.chat_topics.get(chat.slug, ())
        history, edit_url = page_history(site.config, indexes.history, chat.source_path)
        event = indexes.calendar.by_chat.get(chat.slug)
        series = event.series if event else None
        context = ChatContext(
            chat=chat,
            conversation=conversation,
            page_count=len(slices),
            post_page=post_page,
            topics=topics,
            upcoming=chat.start > site.now,
            previous=before,
            next=after,
            page_number=1,
            slices=tuple(slices[0]),
            backlinks=indexes.links.backlinks_to("chat", chat.slug),
            history=history,
            edit_url=edit_url,
            # The chat page serves as its own event page ("add to calendar").
            event=event,
            series=series,
            feed_links=feeds.series_feed_links(series) if series else (),
            stage=stage(chat, site.now),
        )
        pages.append(Page(urls.chat(chat.slug), chat.title, context, chat.source_path))
        for number, page_slices in enumerate(slices[1:], start=2):
            more = ConversationContext(
                chat=chat,
                conversation=conversation,
                page_count=len(slices),
                post_page=post_page,
                topics=topics,
                page_number=number,
                slices=tuple(page_slices),
            )
            title = f"{chat.title}: conversation, page {number}"
            pages.append(
                Page(urls.chat_conversation(chat.slug, number), title, more, chat.source_path)
            )
    return pages


def chat_neighbours(
    chats: Sequence[Chat], calendar: CalendarIndex
) -> dict[str, tuple[Chat | None, Chat | None]]:
    """chat slug -> (previous, next) within the chat's own series, as the calendar
    decided membership (`series:` or the series' hashtag, in any case); other chats
    by their hashtag."""
    neighbours: dict[str, tuple[Chat | None, Chat | None]] = {}
    for _, group in groupby(
        sorted(chats, key=lambda c: neighbour_group(c, calendar)),
        key=lambda c: neighbour_group(c, calendar),
    ):
        series = sorted(group, key=lambda c: (c.start, c.slug))
        for pos, chat in enumerate(series):
            before = series[pos - 1] if pos > 0 else None
            after = series[pos + 1] if pos + 1 < len(series) else None
            neighbours[chat.slug] = (before, after)
    return neighbours


def neighbour_group(chat: Chat, calendar: CalendarIndex) -> tuple[str, str]:
    """Which chats a chat's previous/next links walk through: its series (the one the
    calendar matched it to), or chats of its hashtag."""
    event = calendar.by_chat.get(chat.slug)
    if event is not None and event.series is not None:
        return ("series", event.series.slug)
    return ("hashtag", (chat.hashtag or "").lstrip("#").casefold())


def page_history(
    config: SiteConfig, history: GitHistory | None, source_path: str
) -> tuple[FileHistory | None, str | None]:
    """The last commit (or None) and the edit URL of a page made from one file.

    The edit link needs the file to be in git: a file not yet committed is not on
    the forge either, and its edit link would be a 404. A shallow clone's dates are
    not the file's, so they are left out there.
    """
    change = history.get(source_path) if history else None
    pattern = config.edit_url or (urls.DEFAULT_EDIT_URL if config.repo_url else None)
    edit_url = urls.edit(pattern, config.repo_url, change.repo_path) if pattern and change else None
    shown = change if history and not history.shallow else None
    return shown, edit_url


def plan_topic_pages(topics: TopicIndex, links: LinkIndex = NO_LINKS) -> list[Page]:
    """The topic index twice (by name, by recency: sortable without JavaScript), and a
    page per topic."""
    pages = [
        Page(urls.TOPICS, "Topics", TopicsContext(topics.entries, "name")),
        Page(
            urls.TOPICS_BY_RECENCY,
            "Topics by most recently discussed",
            TopicsContext(topics.by_recency, "recent"),
        ),
    ]
    for entry in topics.entries:
        context = TopicContext(
            entry=entry,
            backlinks=links.backlinks_to("topic", entry.topic.slug),
            # <link rel="alternate"> in the head for feeds/topics/<slug>.xml
            feed_links=feeds.topic_feed_links(entry.topic),
        )
        pages.append(Page(urls.topic(entry.topic.slug), entry.topic.name, context))
    return pages


def plan_wiki_pages(site: Site, links: LinkIndex, history: GitHistory | None) -> list[Page]:
    """The wiki's index and a page per wiki page; nothing for a site without a wiki."""
    if not site.wiki:
        return []
    sections = wiki_sections(site.wiki)
    recent = recently_changed(site.wiki, history)
    pages = [Page(urls.WIKI, "Wiki", WikiIndexContext(sections, recent))]
    for page in site.wiki:
        changed, edit_url = page_history(site.config, history, page.source_path)
        context = WikiPageContext(
            page=page,
            breadcrumbs=breadcrumbs(page, sections),
            backlinks=links.backlinks_to("wiki", page.slug),
            history=changed,
            edit_url=edit_url,
        )
        pages.append(Page(urls.wiki_page(page.slug), page.title, context, page.source_path))
    return pages


def plan_attachments(site: Site, source: Path) -> list[StaticFile]:
    """The files write-ups and wiki pages link to, each below its page's URL: the
    relative link the author wrote then works unchanged (chats/<slug>/trending.png)."""
    found = [
        StaticFile(urls.chat(chat.slug) + a.name, source / a.source_path)
        for chat in site.chats
        for a in chat.attachments
    ]
    found += [
        StaticFile(urls.wiki_page(page.slug) + a.name, source / a.source_path)
        for page in site.wiki
        for a in page.attachments
    ]
    return found


def plan_site_static(source: Path, paths: Sequence[str], folder: str) -> list[StaticFile]:
    """The site's own static folder (`paths`, source-relative, listed under `folder`)
    at the output root: CNAME, favicon.ico, .well-known/."""
    return [StaticFile(p.removeprefix(f"{folder}/"), source / p) for p in paths]


def plan_search_page(config: SiteConfig) -> list[Page]:
    """The search page (Pagefind's UI over the bundle the build indexes), unless
    site.yaml says `search: false`."""
    return [Page(urls.SEARCH, "Search", SearchContext())] if config.search else []


def find_clashes(
    pages: Sequence[Page], statics: Sequence[StaticFile], data: Sequence[DataFile] = ()
) -> list[Diagnostic]:
    """Two producers for one output file would silently drop one of them."""
    owners: dict[str, str] = {}
    problems = []
    for path, owner in (
        [(p.path, p.source_path or p.template) for p in pages]
        + [(s.path, s.source.as_posix()) for s in statics]
        + [(d.path, d.source_path or d.path) for d in data]
    ):
        if path in owners:
            problems.append(
                Diagnostic(
                    owner,
                    None,
                    None,
                    f"output file {path} would also be written for {owners[path]}",
                )
            )
        else:
            owners[path] = owner
    return problems


# --- calendar, series, feeds (issue 6) -------------------------------------------------


def plan_calendar_pages(site: Site, calendar: CalendarIndex) -> list[Page]:
    """/calendar/, a grid per month with events, a page per series and per occurrence
    without a chat (a chat's own page is its event page)."""
    reminder = site.config.feeds.reminder
    by_year = tuple(
        (year, tuple(group)) for year, group in groupby(calendar.months, key=lambda m: m.year)
    )
    overview = CalendarContext(
        upcoming=calendar.upcoming,
        months_by_year=by_year,
        calendar=calendar,
        reminder_text=describe_period(reminder) if reminder else None,
    )
    pages = [Page(urls.CALENDAR, "Calendar", overview)]
    for month in calendar.months:
        context = CalendarMonthContext(
            month=month,
            calendar=calendar.for_month(month),
            previous_label=month_name(*month.previous) if month.previous else None,
            next_label=month_name(*month.next) if month.next else None,
        )
        pages.append(Page(month.url, month_name(month.year, month.month), context))
    for schedule in calendar.schedules:
        pages += plan_series_pages(site, calendar, schedule)
    return pages


def plan_series_pages(site: Site, calendar: CalendarIndex, schedule: SeriesSchedule) -> list[Page]:
    """A series' page, and a page per occurrence that has one but no chat."""
    series = schedule.series
    feed_links = feeds.series_feed_links(series)
    context = SeriesContext(
        schedule=schedule,
        series=series,
        rule_text=describe_rule(series.rrule),
        duration_text=describe_period(series.duration),
        upcoming=tuple(e for e in schedule.events if e.start > site.now),
        past_chats=tuple(c for c in schedule.chats if stage(c, site.now) == "written_up"),
        feed_links=feed_links,
    )
    pages = [Page(urls.series(series.slug), series.name, context, series.source_path)]
    for event in schedule.occurrences:
        if event.chat is not None or not calendar.has_page(event):
            continue  # a chat is its own event page; a past empty slot has none
        title = f"{event.title}, {event.start.strftime('%d %B %Y').lstrip('0')}"
        occurrence = EventContext(
            event=event,
            series=series,
            upcoming=event.start > site.now,
            feed_links=feed_links,
            on_now=event.start <= site.now < event.end,
        )
        pages.append(Page(event.url, title, occurrence, series.source_path))
    return pages


def plan_data_files(
    site: Site,
    calendar: CalendarIndex,
    added: Mapping[str, datetime] | None = None,
    links: LinkIndex | None = None,
    changed: Mapping[str, datetime] | None = None,
) -> list[DataFile]:
    """calendar.ics, an .ics per series and per event, the upcoming and write-up feeds
    and a feed per series. `added`: when each source file first entered git (by
    source path), the announcement date of the upcoming feed's items; `changed`: when
    each last changed, the `updated` date of write-up entries."""
    config, now = site.config, site.now
    names = topic_names(site)
    edits = FrozenMap(changed or {})
    files = [
        DataFile(
            urls.CALENDAR_ICS,
            formats.ICS,
            ical.calendar_ics_unstamped,
            (config, *ical.calendar_parts(calendar.events, calendar.schedules)),
            stamp=now,
        ),
        DataFile(
            urls.UPCOMING_FEED,
            formats.RSS,
            _upcoming_feed,
            (config, calendar, FrozenMap(added or {}), names, links),
        ),
        DataFile(
            urls.WRITEUPS_ATOM,
            formats.ATOM,
            _writeups,
            (config, now, site.chats, names, links, feeds.writeups_atom, edits),
        ),
        DataFile(
            urls.WRITEUPS_RSS,
            formats.RSS,
            _writeups,
            (config, now, site.chats, names, links, feeds.writeups_rss, edits),
        ),
    ]
    for schedule in calendar.schedules:
        slug, declared_in = schedule.series.slug, schedule.series.source_path
        files.append(
            DataFile(
                urls.series_ics(slug),
                formats.ICS,
                ical.series_ics_unstamped,
                (config, *ical.series_parts(schedule)),
                declared_in,
                stamp=now,
            )
        )
        files.append(
            DataFile(
                urls.series_feed(slug),
                formats.ATOM,
                _series_feed,
                (config, now, schedule, names, links, edits),
                declared_in,
            )
        )
    for event in calendar.events:
        if event.start <= now:
            continue  # "add to calendar" is offered only for chats still to come
        origin = event.chat or event.series
        where = origin.source_path if origin else None
        files.append(
            DataFile(
                event.ics_url,
                formats.ICS,
                ical.event_ics_unstamped,
                (config, ical.IcsEvent.of(event, ical.event_name(event))),
                where,
                now,
            )
        )
    return files


def plan_topic_feeds(
    site: Site,
    topics: TopicIndex,
    links: LinkIndex | None = None,
    changed: Mapping[str, datetime] | None = None,
) -> list[DataFile]:
    """An Atom feed of write-ups per topic (feeds/topics/<slug>.xml). Topic pages
    advertise theirs with `feeds.topic_feed_links(topic)` as `feed_links`."""
    names = topic_names(site)
    edits = FrozenMap(changed or {})
    return [
        DataFile(
            urls.topic_feed(entry.topic.slug),
            formats.ATOM,
            _topic_feed,
            (site.config, site.now, entry.topic, entry.chats, names, links, edits),
        )
        for entry in topics.entries
    ]


# --- crawlers: sitemap.xml and robots.txt --------------------------------------------


def in_sitemap(page: Page) -> bool:
    """Whether a page is one to offer crawlers.

    Not the 404 page (it is served for every missing URL, not at one of its own).
    Not a long conversation's later pages: they continue the chat page's archive,
    which links to them; listing them offers crawlers pages of other people's posts
    as if they were the site's content, where the write-up is.
    """
    return page.url != "404.html" and not isinstance(page.context, ConversationContext)


def plan_crawler_files(
    config: SiteConfig, pages: Sequence[Page], statics: Sequence[StaticFile]
) -> list[DataFile]:
    """sitemap.xml of the pages (`in_sitemap`), and robots.txt pointing at it.

    A theme that ships its own `static/robots.txt` meant it for the site: that file
    is served as /robots.txt in place of ours (a copy also stays under static/).
    """
    listed = tuple(sorted(p.url for p in pages if in_sitemap(p)))
    files = [DataFile(urls.SITEMAP, formats.SITEMAP, crawlers.sitemap_xml, (config, listed))]
    theirs = next((s for s in statics if s.path == urls.static(urls.ROBOTS)), None)
    if theirs is not None:
        files.append(
            DataFile(
                urls.ROBOTS,
                formats.TEXT,
                crawlers.copy_of,
                (theirs.source,),
                theirs.source.as_posix(),
            )
        )
    else:
        files.append(DataFile(urls.ROBOTS, formats.TEXT, crawlers.robots_txt, (config,)))
    return files


def topic_names(site: Site) -> FrozenMap[str, str]:
    return FrozenMap({t.slug: t.name for t in site.config.topics})


def _upcoming_feed(
    config: SiteConfig,
    calendar: CalendarIndex,
    added: Mapping[str, datetime],
    names: Mapping[str, str],
    links: LinkIndex | None,
) -> bytes:
    entries = feeds.upcoming_entries(config, calendar, added, names, links)
    return feeds.upcoming_feed(config, calendar.now, entries)


def _writeups(
    config: SiteConfig,
    now: datetime,
    chats: Sequence[Chat],
    names: Mapping[str, str],
    links: LinkIndex | None,
    produce: Callable[[SiteConfig, datetime, Sequence[feeds.FeedEntry]], bytes],
    changed: Mapping[str, datetime],
) -> bytes:
    entries = feeds.writeup_entries(config, chats, now, names, links, changed)
    return produce(config, now, entries)


def _series_feed(
    config: SiteConfig,
    now: datetime,
    schedule: SeriesSchedule,
    names: Mapping[str, str],
    links: LinkIndex | None,
    changed: Mapping[str, datetime],
) -> bytes:
    entries = feeds.writeup_entries(config, schedule.chats, now, names, links, changed)
    return feeds.series_feed(config, now, schedule.series, entries)


def _topic_feed(
    config: SiteConfig,
    now: datetime,
    topic: TopicDef,
    chats: Sequence[Chat],
    names: Mapping[str, str],
    links: LinkIndex | None,
    changed: Mapping[str, datetime],
) -> bytes:
    entries = feeds.writeup_entries(config, chats, now, names, links, changed)
    return feeds.topic_feed(config, now, topic, entries)
