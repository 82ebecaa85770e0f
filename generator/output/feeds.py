"""Feeds (feedgen): upcoming chats as RSS, write-ups as Atom and RSS, one per series
and one per topic.

Every feed is one call with a list of `FeedEntry` values (title, absolute url, date,
full HTML, stable guid), so a new kind of feed is a new list, not new feed code:

    entries = [writeup_entry(config, chat) for chat in chats_on_the_topic]
    data = topic_feed(config, now, topic, entries)

Rules learnt the hard way (see the conventions): entries are appended in our order
(feedgen's default prepends); dates are aware and the feed's own date is the
build's `now`, never the clock; control characters, which make lxml refuse the
whole feed, are stripped from every string; links inside content are made absolute,
because a feed reader has no page to resolve them against.

The upcoming feed is made for feed readers, which hide or misorder items dated in
the future: an item is dated when the chat was announced (and left out until then) and
the chat's start, with its time zone, is in the title. A second item, the
reminder, is dated `feeds.reminder` before the start and appears once that moment
has passed. Of a series' dates that have no chat file yet, only the series' next
date is listed: a year of near-identical placeholders would bury the chats that
have been announced.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from dateutil.relativedelta import relativedelta

from generator.core import urls
from generator.core.frozenmap import EMPTY
from generator.core.model import Chat, Series, SiteConfig, TopicDef, stage
from generator.core.pickling import fast_pickle
from generator.index.calendar import CalendarIndex, Event
from generator.index.wiki import LinkIndex, rewrite_links
from generator.markdown.postquote import MARKER_PATTERN as POST_MARKER
from generator.output.formats import ATOM, ICS, RSS, FeedLink
from generator.output.render import format_datetime, post_body

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

# An announcement with no `announced:` date and no git history is taken to have
# been made this long before the chat (the usual two weeks' notice): a fixed date,
# so the item appears once that moment has passed and keeps its date from then on.
DEFAULT_NOTICE = timedelta(days=14)

# XML 1.0 allows tab, newline and carriage return, and nothing else below 0x20; nor
# lone surrogates or U+FFFE/U+FFFF. DEL is legal but invisible: drop it too.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# Our Markdown renderer writes every attribute double-quoted and escaped.
_URL_ATTR = re.compile(r'\b(href|src)="([^"]*)"')
NO_DATES: Mapping[str, datetime] = EMPTY
NO_NAMES: Mapping[str, str] = EMPTY


@fast_pickle
@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of any feed."""

    guid: str  # stable across builds: readers use it to know an item already seen
    title: str
    url: str  # absolute
    date: datetime  # aware: published (Atom `updated` too, unless `updated` is given)
    html: str  # full content; relative links already absolute
    summary: str | None = None
    categories: tuple[str, ...] = ()
    updated: datetime | None = None  # aware: the last change of the content, if known


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


def absolute_html(fragment: str, page_url: str) -> str:
    """Content as a feed reader needs it: links absolute, our marker comments gone."""

    def fix(m: re.Match[str]) -> str:
        target = urljoin(page_url, html_lib.unescape(m[2]))
        return f'{m[1]}="{html_lib.escape(target, quote=True)}"'

    return _URL_ATTR.sub(fix, _COMMENT.sub("", fragment))


def _quotes_as_blockquotes(chat: Chat, fragment: str, config: SiteConfig) -> str:
    """Quoted archive posts as plain blockquotes (the theme's cards need the page)."""
    if chat.archive is None:
        return fragment
    lookup = {p.id: p for p in (*chat.archive.posts, *chat.archive.referenced)}

    def quote(m: re.Match[str]) -> str:
        post = lookup.get(m["id"])
        if post is None:
            return ""
        if post.status != "ok":
            return "<blockquote><p>(post withheld)</p></blockquote>"
        who = f"@{post.author_handle}" if config.show_handles else post.author_name
        return (
            f"<blockquote><p>{post_body(post)}</p>"
            f"<p>— {html_lib.escape(who or 'someone')}</p></blockquote>"
        )

    return POST_MARKER.sub(quote, fragment)


def when(moment: datetime) -> str:
    """ "Thursday 14 January 2027, 20:00 GMT (UTC+0)": the zone's name and its offset,
    because an abbreviation alone ("IST") means different things in different places."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    shown = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return f"{format_datetime(moment)} ({shown})"


# --- entries --------------------------------------------------------------------------


def chat_html(config: SiteConfig, chat: Chat, links: LinkIndex | None = None) -> str:
    """A chat's body for a feed: wiki links resolved (absolute), quoted posts as
    blockquotes, every other link absolute."""
    html = chat.body.html
    if links is not None:
        resolved = links.links_in(chat.source_path)
        html = rewrite_links(html, resolved, lambda url: urls.absolute(config.base_url, url))
    page = urls.absolute(config.base_url, urls.chat(chat.slug))
    return absolute_html(_quotes_as_blockquotes(chat, html, config), page)


def writeup_entry(
    config: SiteConfig,
    chat: Chat,
    topic_names: Mapping[str, str] = NO_NAMES,
    links: LinkIndex | None = None,
    changed: datetime | None = None,
) -> FeedEntry:
    """A chat's write-up, full content, published when the chat took place and
    updated when its file last changed (`changed`, from git), so a reader hears of a
    write-up finished days later. Its id is the page's URL, whatever changes."""
    link = urls.absolute(config.base_url, urls.chat(chat.slug))
    body = chat_html(config, chat, links)
    intro = f"<p>{html_lib.escape(chat.summary)}</p>\n" if chat.summary else ""
    categories = tuple(topic_names.get(t, t) for t in chat.topics)
    published = chat.start.astimezone(UTC)
    updated = max(published, changed.astimezone(UTC)) if changed is not None else None
    return FeedEntry(
        guid=link,
        title=chat.title,
        url=link,
        date=chat.start,
        html=intro + body,
        summary=chat.summary,
        categories=((chat.hashtag,) if chat.hashtag else ()) + categories,
        updated=updated,
    )


def writeup_entries(
    config: SiteConfig,
    chats: Sequence[Chat],
    now: datetime,
    topic_names: Mapping[str, str] = NO_NAMES,
    links: LinkIndex | None = None,
    changed: Mapping[str, datetime] = NO_DATES,
) -> tuple[FeedEntry, ...]:
    """The newest `feeds.limit` written-up chats (model.stage), newest first: not a
    chat still to come or running, nor an announcement whose write-up is to follow.
    `changed`: when each source file last changed in git, by source path."""
    done = (c for c in chats if stage(c, now) == "written_up")
    past = sorted(done, key=lambda c: (c.start, c.slug))
    newest = reversed(past[-config.feeds.limit :])
    return tuple(
        writeup_entry(config, c, topic_names, links, changed.get(c.source_path)) for c in newest
    )


def announced_at(event: Event, added: Mapping[str, datetime], months_ahead: int) -> datetime:
    """When `event` was announced: a fixed fact, never derived from `now`, so a
    daily rebuild does not redate items. It may be after `now` (an `announced:` date
    still to come, or two weeks' notice not yet reached): the item is then left out
    of the feed until that moment (`upcoming_entries`).

    A chat: its `announced:` front matter, else the day its file entered git
    (`added`, by source path), else DEFAULT_NOTICE before it starts.
    A series occurrence with no chat file yet: the later of the series' own
    announcement (`announced:` or git) and the day the occurrence came within the
    calendar's horizon (`calendar.months_ahead` before it), when the site first
    listed it.
    """
    if event.chat is not None:
        found = event.chat.announced or added.get(event.chat.source_path)
        return found or event.start - DEFAULT_NOTICE
    listed = event.start - relativedelta(months=months_ahead)
    if event.series is not None:
        declared = event.series.announced or added.get(event.series.source_path)
        if declared is not None:
            listed = max(listed, declared)
    return listed


def _event_html(
    config: SiteConfig,
    event: Event,
    topic_names: Mapping[str, str],
    links: LinkIndex | None,
) -> str:
    e = html_lib.escape
    until = format_datetime(event.end, "time")
    parts = [f"<p><strong>When:</strong> {e(when(event.start))} to {e(until)}</p>"]
    if event.occurrence is not None and event.occurrence.moved:
        parts.append(f"<p>Moved from {e(format_datetime(event.occurrence.scheduled, 'date'))}.</p>")
    if event.hashtag:
        parts.append(f"<p><strong>Hashtag:</strong> {e(event.hashtag)}</p>")
    if event.hosts:
        parts.append(f"<p><strong>Hosted by:</strong> {e(', '.join(event.hosts))}</p>")
    if event.chat is not None and event.chat.topics:
        names = ", ".join(topic_names.get(t, t) for t in event.chat.topics)
        parts.append(f"<p><strong>Topics:</strong> {e(names)}</p>")
    if event.summary:
        parts.append(f"<p>{e(event.summary)}</p>")
    if event.chat is not None:
        parts.append(chat_html(config, event.chat, links))
    ics = urls.absolute(config.base_url, event.ics_url)
    parts.append(f'<p><a href="{e(ics)}">Add to your calendar</a></p>')
    if event.series is not None:
        # The series page, whose "Subscribe" block has the one-click webcal:// link:
        # feed readers drop webcal: links from content, as feedparser does.
        page = urls.with_fragment(urls.series(event.series.slug), "subscribe")
        subscribe = urls.absolute(config.base_url, page)
        parts.append(
            f'<p><a href="{e(subscribe)}">Subscribe to {e(event.series.name)}</a>'
            " in your calendar app: every date, kept up to date.</p>"
        )
    return "\n".join(parts)


def _next_dates(index: CalendarIndex) -> dict[str, datetime | None]:
    """Each series' next date (by event key) -> when it became the next one.

    That is the start of the date before it, when that one left "upcoming" (or
    nothing, for a series' first date): a fixed fact, so the item keeps its date
    from build to build, and a new date of the series shows up dated when it did.
    """
    found: dict[str, datetime | None] = {}
    for schedule in index.schedules:
        previous: Event | None = None
        for event in schedule.occurrences:
            if event.start > index.now:
                found[event.key] = previous.start if previous else None
                break
            previous = event
    return found


def upcoming_entries(
    config: SiteConfig,
    index: CalendarIndex,
    added: Mapping[str, datetime] = NO_DATES,
    topic_names: Mapping[str, str] = NO_NAMES,
    links: LinkIndex | None = None,
) -> tuple[FeedEntry, ...]:
    """An announcement for every upcoming chat and each series' next date, and a
    reminder once it is due.

    A series date with no chat file is listed only while it is the series' next
    date, dated when it became so if that is later than its announcement.
    Newest item first; dates are never after `index.now`.
    """
    now = index.now
    reminder = config.feeds.reminder
    next_dates = _next_dates(index)
    entries: list[FeedEntry] = []
    for event in index.upcoming:
        placeholder = event.chat is None
        if placeholder and event.key not in next_dates:
            continue  # a later date of its series: listed once it is the next
        link = urls.absolute(config.base_url, event.url)
        content = _event_html(config, event, topic_names, links)
        tags = (event.hashtag,) if event.hashtag else ()
        announced = announced_at(event, added, config.calendar.months_ahead)
        became_next = next_dates.get(event.key)
        if placeholder and became_next is not None:
            announced = max(announced, became_next)
        if announced > now:
            continue  # not announced yet: it appears, with this date, once it is
        entries.append(
            FeedEntry(
                guid=f"{link}#announcement",
                title=f"{event.title}: {when(event.start)}",
                url=link,
                date=announced.astimezone(UTC),
                html=content,
                summary=event.summary,
                categories=tags,
            )
        )
        if reminder is not None and event.start - reminder <= now:
            # A new guid if the chat moves, so readers remind again at the new time.
            stamp = event.start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
            entries.append(
                FeedEntry(
                    guid=f"{link}#reminder-{stamp}",
                    title=f"Reminder: {event.title}, {when(event.start)}",
                    url=link,
                    date=max(event.start - reminder, announced).astimezone(UTC),
                    html=content,
                    summary=event.summary,
                    categories=tags,
                )
            )
    return tuple(sorted(entries, key=lambda x: (x.date, x.guid), reverse=True))


# --- feeds ----------------------------------------------------------------------------


def _generator(
    config: SiteConfig, now: datetime, feed_url: str, page_url: str, title: str, about: str
) -> FeedGenerator:
    # Imported here: only a feed the cache does not hold needs it (and lxml with it).
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    feed_abs = urls.absolute(config.base_url, feed_url)
    fg.id(feed_abs)
    fg.title(clean(title))
    fg.link(href=feed_abs, rel="self")
    fg.link(href=urls.absolute(config.base_url, page_url), rel="alternate")
    fg.language(config.language)
    fg.description(clean(about or title))  # Atom's subtitle; rss_feed escapes its own
    fg.updated(now.astimezone(UTC))
    fg.lastBuildDate(now.astimezone(UTC))
    return fg


def _add(fg: FeedGenerator, entry: FeedEntry, rss: bool) -> None:
    fe = fg.add_entry(order="append")
    fe.id(entry.guid)
    fe.guid(entry.guid, permalink=entry.guid == entry.url)
    fe.title(clean(entry.title))
    fe.link(href=entry.url)
    fe.published(entry.date)
    fe.updated(entry.updated or entry.date)
    for term in entry.categories:
        fe.category(term=clean(term))
    if rss:
        # RSS <description> is HTML (readers render it): plain text is escaped once
        # here, and once more as XML by feedgen, so "<i>" reads as text.
        fe.description(html_lib.escape(clean(entry.summary or entry.title)))
        fe.content(clean(entry.html), type="CDATA")
    else:
        if entry.summary:
            fe.summary(clean(entry.summary))
        fe.content(clean(entry.html), type="html")


def atom_feed(
    config: SiteConfig,
    now: datetime,
    feed_url: str,
    page_url: str,
    title: str,
    about: str,
    entries: Sequence[FeedEntry],
) -> bytes:
    fg = _generator(config, now, feed_url, page_url, title, about)
    fg.author({"name": clean(config.title)})  # Atom requires an author; the community is one
    for entry in entries:
        _add(fg, entry, rss=False)
    return bytes(fg.atom_str(pretty=True))


def rss_feed(
    config: SiteConfig,
    now: datetime,
    feed_url: str,
    page_url: str,
    title: str,
    about: str,
    entries: Sequence[FeedEntry],
) -> bytes:
    fg = _generator(config, now, feed_url, page_url, title, about)
    # The channel's <description> is HTML to feed readers too: escaped once, as the
    # entries' are (Atom's subtitle is text, so only RSS gets this).
    fg.description(html_lib.escape(clean(about or title)))
    for entry in entries:
        _add(fg, entry, rss=True)
    return bytes(fg.rss_str(pretty=True))


def upcoming_feed(config: SiteConfig, now: datetime, entries: Sequence[FeedEntry]) -> bytes:
    """RSS 2.0: announcements and reminders of coming chats."""
    return rss_feed(
        config,
        now,
        urls.UPCOMING_FEED,
        urls.CALENDAR,
        f"{config.title}: upcoming chats",
        f"Announcements and reminders of chats coming up on {config.title}.",
        entries,
    )


def writeups_atom(config: SiteConfig, now: datetime, entries: Sequence[FeedEntry]) -> bytes:
    return atom_feed(
        config,
        now,
        urls.WRITEUPS_ATOM,
        urls.CHATS,
        f"{config.title}: write-ups",
        config.description,
        entries,
    )


def writeups_rss(config: SiteConfig, now: datetime, entries: Sequence[FeedEntry]) -> bytes:
    return rss_feed(
        config,
        now,
        urls.WRITEUPS_RSS,
        urls.CHATS,
        f"{config.title}: write-ups",
        config.description,
        entries,
    )


def series_feed(
    config: SiteConfig, now: datetime, series: Series, entries: Sequence[FeedEntry]
) -> bytes:
    """Atom: the write-ups of one series."""
    return atom_feed(
        config,
        now,
        urls.series_feed(series.slug),
        urls.series(series.slug),
        f"{series.name} · {config.title}",
        series.description,
        entries,
    )


def topic_feed(
    config: SiteConfig, now: datetime, topic: TopicDef, entries: Sequence[FeedEntry]
) -> bytes:
    """Atom: write-ups on one topic. `entries`: e.g. `writeup_entry` of each chat."""
    return atom_feed(
        config,
        now,
        urls.topic_feed(topic.slug),
        urls.topic(topic.slug),
        f"{topic.name} · {config.title}",
        topic.description,
        entries,
    )


# --- autodiscovery --------------------------------------------------------------------


def site_feed_links(config: SiteConfig) -> tuple[FeedLink, ...]:
    """What every page's head advertises."""
    return (
        FeedLink(urls.UPCOMING_FEED, f"{config.title}: upcoming chats", RSS),
        FeedLink(urls.WRITEUPS_ATOM, f"{config.title}: write-ups (Atom)", ATOM),
        FeedLink(urls.WRITEUPS_RSS, f"{config.title}: write-ups (RSS)", RSS),
        FeedLink(urls.CALENDAR_ICS, f"{config.title}: calendar", ICS),
    )


def series_feed_links(series: Series) -> tuple[FeedLink, ...]:
    return (
        FeedLink(urls.series_feed(series.slug), f"{series.name}: write-ups", ATOM),
        FeedLink(urls.series_ics(series.slug), f"{series.name}: calendar", ICS),
    )


def topic_feed_links(topic: TopicDef) -> tuple[FeedLink, ...]:
    return (FeedLink(urls.topic_feed(topic.slug), f"{topic.name}: write-ups", ATOM),)
