"""Site + indexes -> the list of files to produce. Decides *what*, not *how*.

Each `Page` is a plain value (URL, template, context of frozen model objects), so
producing its bytes is a pure call that a process pool or a cache can take over.
Two things claiming one output path is an error here, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from generator.core import urls
from generator.core.errors import Diagnostic
from generator.core.frozenmap import FrozenMap
from generator.core.model import Chat, Site, SiteConfig, TopicDef
from generator.index.calendar import (
    CalendarIndex,
    SeriesSchedule,
    Timeline,
    describe_period,
    describe_rule,
    month_name,
)
from generator.index.conversation import Conversation, Group, Thread
from generator.index.topics import TopicIndex
from generator.index.wiki import NO_LINKS, LinkIndex, breadcrumbs, recently_changed, wiki_sections
from generator.output import feeds, ical
from generator.sources.gitinfo import GitHistory

LATEST_ON_HOME = 10
UPCOMING_ON_HOME = 6  # the next chat and a few more; /calendar/ lists them all
# Posts per conversation page. Chats are usually a few hundred posts; a 100,000-post
# archive on one page would be a 40 MB document no browser handles well.
POSTS_PER_PAGE = 1000


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


@dataclass(frozen=True, slots=True)
class GroupSlice:
    """The part of a conversation group shown on one page."""

    group: Group
    threads: tuple[Thread, ...]
    continued: bool  # the group began on an earlier page


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


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    template: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict)
    source_path: str | None = None  # for messages about a clash

    @property
    def path(self) -> str:
        return urls.output_path(self.url)


@dataclass(frozen=True, slots=True)
class StaticFile:
    path: str
    source: Path


@dataclass(frozen=True, slots=True)
class DataFile:
    """A non-HTML output (iCalendar, feed): a module-level producer and its frozen
    arguments, so like a Page it is a plain value a process pool could take over."""

    path: str
    producer: Callable[..., bytes]
    args: tuple[Any, ...]
    source_path: str | None = None  # for messages about a clash

    def produce(self) -> bytes:
        return self.producer(*self.args)


def plan_pages(
    site: Site,
    timeline: Timeline,
    conversations: Mapping[str, Conversation],
    topics: TopicIndex,
    *,
    links: LinkIndex = NO_LINKS,
    history: GitHistory | None = None,
    calendar: CalendarIndex | None = None,
) -> list[Page]:
    pages = [
        Page(
            urls.HOME,
            "index.html",
            site.config.title,
            {
                "latest": timeline.past[:LATEST_ON_HOME],
                # Series occurrences as well as announced chats, soonest first.
                "upcoming_events": calendar.upcoming[:UPCOMING_ON_HOME] if calendar else (),
            },
        ),
        Page(
            urls.CHATS,
            "chats.html",
            "All chats",
            {
                "upcoming": timeline.upcoming,
                "past_by_year": tuple(
                    (year, tuple(group))
                    for year, group in groupby(timeline.past, key=lambda c: c.start.year)
                ),
            },
        ),
        Page("404.html", "404.html", "Page not found", {"rooted_links": True}),
    ]
    # Previous/next within the chat's own series, as the calendar decided membership
    # (`series:` or the series' hashtag, in any case); other chats by their hashtag.
    neighbours: dict[str, tuple[Any, Any]] = {}
    for _, group in groupby(
        sorted(site.chats, key=lambda c: neighbour_group(c, calendar)),
        key=lambda c: neighbour_group(c, calendar),
    ):
        series = sorted(group, key=lambda c: (c.start, c.slug))
        for pos, chat in enumerate(series):
            before = series[pos - 1] if pos > 0 else None
            after = series[pos + 1] if pos + 1 < len(series) else None
            neighbours[chat.slug] = (before, after)
    for chat in site.chats:
        before, after = neighbours[chat.slug]
        conversation = conversations.get(chat.slug)
        slices = paginate(conversation, POSTS_PER_PAGE) if conversation else [[]]
        common = {
            "chat": chat,
            "conversation": conversation,
            "page_count": len(slices),
            # Which conversation page shows each post, for links from the chat page.
            "post_page": {
                node.post.id: number
                for number, page_slices in enumerate(slices, start=1)
                for part in page_slices
                for thread in part.threads
                for node in thread.nodes
            },
            "topics": topics.chat_topics.get(chat.slug, ()),
        }
        pages.append(
            Page(
                urls.chat(chat.slug),
                "chat.html",
                chat.title,
                {
                    **common,
                    "upcoming": chat.start > site.now,
                    "previous": before,
                    "next": after,
                    "page_number": 1,
                    "slices": slices[0],
                    "backlinks": links.backlinks_to("chat", chat.slug),
                    **page_history(site.config, history, chat.source_path),
                    **event_context(site, calendar, chat.slug),
                },
                chat.source_path,
            )
        )
        for number, page_slices in enumerate(slices[1:], start=2):
            pages.append(
                Page(
                    urls.chat_conversation(chat.slug, number),
                    "conversation.html",
                    f"{chat.title}: conversation, page {number}",
                    {**common, "page_number": number, "slices": page_slices},
                    chat.source_path,
                )
            )
    pages += plan_topic_pages(topics, links)
    if site.wiki:
        sections = wiki_sections(site.wiki)
        pages.append(
            Page(
                urls.WIKI,
                "wiki_index.html",
                "Wiki",
                {"sections": sections, "recent": recently_changed(site.wiki, history)},
            )
        )
        for page in site.wiki:
            pages.append(
                Page(
                    urls.wiki_page(page.slug),
                    "wiki_page.html",
                    page.title,
                    {
                        "page": page,
                        "breadcrumbs": breadcrumbs(page, sections),
                        "backlinks": links.backlinks_to("wiki", page.slug),
                        **page_history(site.config, history, page.source_path),
                    },
                    page.source_path,
                )
            )
    return pages


def neighbour_group(chat: Chat, calendar: CalendarIndex | None) -> tuple[str, str]:
    """Which chats a chat's previous/next links walk through: its series, the one
    the calendar matched it to (else the one it names), or chats of its hashtag."""
    event = calendar.by_chat.get(chat.slug) if calendar else None
    if event is not None and event.series is not None:
        return ("series", event.series.slug)
    if calendar is None and chat.series is not None:
        return ("series", chat.series)
    return ("hashtag", (chat.hashtag or "").lstrip("#").casefold())


def page_history(
    config: SiteConfig, history: GitHistory | None, source_path: str
) -> dict[str, Any]:
    """`history` (last commit, or None) and `edit_url` for a page made from one file.

    The edit link needs the file to be in git: a file not yet committed is not on
    the forge either, and its edit link would be a 404. A shallow clone's dates are
    not the file's, so they are left out there.
    """
    change = history.get(source_path) if history else None
    pattern = config.edit_url or (urls.DEFAULT_EDIT_URL if config.repo_url else None)
    edit_url = urls.edit(pattern, config.repo_url, change.repo_path) if pattern and change else None
    shown = change if history and not history.shallow else None
    return {"history": shown, "edit_url": edit_url}


def plan_topic_pages(topics: TopicIndex, links: LinkIndex = NO_LINKS) -> list[Page]:
    """The topic index twice (by name, by recency: sortable without JavaScript), and a
    page per topic."""
    pages = [
        Page(urls.TOPICS, "topics.html", "Topics", {"entries": topics.entries, "order": "name"}),
        Page(
            urls.TOPICS_BY_RECENCY,
            "topics.html",
            "Topics by most recently discussed",
            {"entries": topics.by_recency, "order": "recent"},
        ),
    ]
    for entry in topics.entries:
        context = {
            "entry": entry,
            "backlinks": links.backlinks_to("topic", entry.topic.slug),
            # <link rel="alternate"> in the head for feeds/topics/<slug>.xml
            "feed_links": feeds.topic_feed_links(entry.topic),
        }
        pages.append(Page(urls.topic(entry.topic.slug), "topic.html", entry.topic.name, context))
    return pages


def plan_search_page(config: SiteConfig) -> list[Page]:
    """The search page (Pagefind's UI over the bundle the build indexes), unless
    site.yaml says `search: false`."""
    return [Page(urls.SEARCH, "search.html", "Search")] if config.search else []


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


def event_context(site: Site, calendar: CalendarIndex | None, chat_slug: str) -> dict[str, Any]:
    """What a chat page needs to serve as its own event page ("add to calendar")."""
    event = calendar.by_chat.get(chat_slug) if calendar else None
    return {
        "event": event,
        "series": event.series if event else None,
        "feed_links": feeds.series_feed_links(event.series) if event and event.series else (),
    }


def plan_calendar_pages(site: Site, calendar: CalendarIndex) -> list[Page]:
    """/calendar/, a grid per month with events, a page per series and per occurrence
    without a chat (a chat's own page is its event page)."""
    reminder = site.config.feeds.reminder
    by_year = tuple(
        (year, tuple(group)) for year, group in groupby(calendar.months, key=lambda m: m.year)
    )
    pages = [
        Page(
            urls.CALENDAR,
            "calendar.html",
            "Calendar",
            {
                "upcoming": calendar.upcoming,
                "months_by_year": by_year,
                "calendar": calendar,
                "reminder_text": describe_period(reminder) if reminder else None,
            },
        )
    ]
    for month in calendar.months:
        pages.append(
            Page(
                month.url,
                "calendar_month.html",
                month_name(month.year, month.month),
                {
                    "month": month,
                    "calendar": calendar,
                    "previous_label": month_name(*month.previous) if month.previous else None,
                    "next_label": month_name(*month.next) if month.next else None,
                },
            )
        )
    for schedule in calendar.schedules:
        series = schedule.series
        pages.append(
            Page(
                urls.series(series.slug),
                "series.html",
                series.name,
                {
                    "schedule": schedule,
                    "series": series,
                    "rule_text": describe_rule(series.rrule),
                    "duration_text": describe_period(series.duration),
                    "upcoming": tuple(e for e in schedule.events if e.start > site.now),
                    "past_chats": tuple(c for c in schedule.chats if c.start <= site.now),
                    "feed_links": feeds.series_feed_links(series),
                },
                series.source_path,
            )
        )
        for event in schedule.occurrences:
            if event.chat is not None or not calendar.has_page(event):
                continue  # a chat is its own event page; a past empty slot has none
            pages.append(
                Page(
                    event.url,
                    "event.html",
                    f"{event.title}, {event.start.strftime('%d %B %Y').lstrip('0')}",
                    {
                        "event": event,
                        "series": series,
                        "upcoming": event.start > site.now,
                        "feed_links": feeds.series_feed_links(series),
                    },
                    series.source_path,
                )
            )
    return pages


def plan_data_files(
    site: Site,
    calendar: CalendarIndex,
    added: Mapping[str, datetime] | None = None,
    links: LinkIndex | None = None,
) -> list[DataFile]:
    """calendar.ics, an .ics per series and per event, the upcoming and write-up feeds
    and a feed per series. `added`: when each source file first entered git (by
    source path), the announcement date of the upcoming feed's items."""
    config, now = site.config, site.now
    names = topic_names(site)
    files = [
        DataFile(urls.CALENDAR_ICS, ical.calendar_ics, (config, now, calendar)),
        DataFile(
            urls.UPCOMING_FEED,
            _upcoming_feed,
            (config, calendar, FrozenMap(added or {}), names, links),
        ),
        DataFile(urls.WRITEUPS_ATOM, _writeups, (config, now, site.chats, names, links, False)),
        DataFile(urls.WRITEUPS_RSS, _writeups, (config, now, site.chats, names, links, True)),
    ]
    for schedule in calendar.schedules:
        slug, declared_in = schedule.series.slug, schedule.series.source_path
        files.append(
            DataFile(urls.series_ics(slug), ical.series_ics, (config, now, schedule), declared_in)
        )
        files.append(
            DataFile(
                urls.series_feed(slug),
                _series_feed,
                (config, now, schedule, names, links),
                declared_in,
            )
        )
    for event in calendar.events:
        if event.start <= now:
            continue  # "add to calendar" is offered only for chats still to come
        origin = event.chat or event.series
        where = origin.source_path if origin else None
        files.append(DataFile(event.ics_url, ical.event_ics, (config, now, event), where))
    return files


def plan_topic_feeds(
    site: Site, topics: TopicIndex, links: LinkIndex | None = None
) -> list[DataFile]:
    """An Atom feed of write-ups per topic (feeds/topics/<slug>.xml). Topic pages
    advertise theirs with `feeds.topic_feed_links(topic)` as `feed_links`."""
    names = topic_names(site)
    return [
        DataFile(
            urls.topic_feed(entry.topic.slug),
            _topic_feed,
            (site.config, site.now, entry.topic, entry.chats, names, links),
        )
        for entry in topics.entries
    ]


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
    rss: bool,
) -> bytes:
    entries = feeds.writeup_entries(config, chats, now, names, links)
    produce = feeds.writeups_rss if rss else feeds.writeups_atom
    return produce(config, now, entries)


def _series_feed(
    config: SiteConfig,
    now: datetime,
    schedule: SeriesSchedule,
    names: Mapping[str, str],
    links: LinkIndex | None,
) -> bytes:
    entries = feeds.writeup_entries(config, schedule.chats, now, names, links)
    return feeds.series_feed(config, now, schedule.series, entries)


def _topic_feed(
    config: SiteConfig,
    now: datetime,
    topic: TopicDef,
    chats: Sequence[Chat],
    names: Mapping[str, str],
    links: LinkIndex | None,
) -> bytes:
    entries = feeds.writeup_entries(config, chats, now, names, links)
    return feeds.topic_feed(config, now, topic, entries)
