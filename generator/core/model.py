"""The site model: frozen values that every later stage reads and none mutates.

No I/O here. Paths are POSIX and relative to the site source; datetimes are aware.
Keeping the model immutable is what lets indexes, rendering and (later) caching and
parallel rendering run without hidden coupling between stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from generator.core.pickling import fast_pickle
from generator.core.posts import Post


@fast_pickle
@dataclass(frozen=True, slots=True)
class TopicDef:
    """A topic declared in site.yaml."""

    slug: str
    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()


@fast_pickle
@dataclass(frozen=True, slots=True)
class FeedSettings:
    """site.yaml `feeds:`. The upcoming feed repeats each chat as a reminder this
    long before it starts (None: no reminders); write-up feeds hold the newest `limit`."""

    reminder: timedelta | None = timedelta(days=1)
    limit: int = 50


@fast_pickle
@dataclass(frozen=True, slots=True)
class CalendarSettings:
    """site.yaml `calendar:`: how far ahead series are expanded into dated occurrences.

    A series without an end repeats forever; pages need a horizon. Calendar apps
    still get the open-ended RRULE.
    """

    months_ahead: int = 12


@fast_pickle
@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str
    base_url: str  # always ends with "/"
    language: str
    timezone: ZoneInfo
    theme: str
    description: str = ""
    repo_url: str | None = None
    # "Edit this page": a URL pattern with {path} (from the repository root) and
    # optionally {repo_url}; None: urls.DEFAULT_EDIT_URL when repo_url is set.
    edit_url: str | None = None
    topics: tuple[TopicDef, ...] = ()
    opt_out: frozenset[str] = frozenset()  # normalised handles left out of every page
    show_handles: bool = True  # False: participants appear by display name only
    feeds: FeedSettings = FeedSettings()
    calendar: CalendarSettings = CalendarSettings()
    search: bool = True  # a Pagefind index, a search page and "Search" in the nav


@fast_pickle
@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    title: str
    anchor: str
    line: int | None  # 1-based line in the source file


@fast_pickle
@dataclass(frozen=True, slots=True)
class TopicRef:
    """A topic named in content: a front-matter `topics:` entry or a heading marker."""

    name: str
    line: int | None


@fast_pickle
@dataclass(frozen=True, slots=True)
class Section:
    """A `##` section of a rendered body: what topic pages excerpt later."""

    heading: Heading
    html: str  # the section's body, without its heading
    post_refs: tuple[PostRef, ...] = ()
    # `## Heading {topic=slug}` names the topic; `{topic=-}` keeps the heading from
    # being matched to a topic by its text. None: match by heading text.
    topic_marker: TopicRef | None = None
    no_topic: bool = False


@fast_pickle
@dataclass(frozen=True, slots=True)
class PostRef:
    """A post quoted in Markdown by id (`{{< post "ID" >}}` or `[blackbirdpie ...]`).

    `handle` and `url` come from a quote that names the original post's URL
    (`[blackbirdpie url=...]`): enough to link to it when no archive holds it.
    """

    id: str
    line: int | None
    handle: str | None = None
    url: str | None = None


@fast_pickle
@dataclass(frozen=True, slots=True)
class WikiLinkRef:
    """A `[[...]]` link as written. generator/index/wiki.py resolves it against the site.

    Its position in `Rendered.links` is the number in the marker the HTML holds.
    """

    # "" for `[[#Heading]]`: a heading on the same page, else a page named "#Heading"
    target: str
    anchor: str | None  # the text after `#`, as written
    label: str | None  # the text after `|`; None when the author gave none
    line: int | None  # 1-based line in the source file
    raw: str  # what was between the brackets, for messages
    # Why the link cannot work as written (an unescaped `|` cut it in a table row):
    # an error, not a link. Such refs come after the others, and have no marker.
    problem: str | None = None


@fast_pickle
@dataclass(frozen=True, slots=True)
class FileRef:
    """A relative Markdown link or image naming a file (`![](trending.png)`): the
    page's attachment, which must exist beside it."""

    target: str  # the path as written (percent-decoded), without ?query or #fragment
    line: int | None  # 1-based line in the source file


@fast_pickle
@dataclass(frozen=True, slots=True)
class Attachment:
    """A file published beside its page, because the page's Markdown links to it.

    Its URL is the page's URL plus `name`, which is what the relative link in the
    page already says, so the HTML needs no rewriting."""

    source_path: str  # source-relative, e.g. "content/chats/x/trending.png"
    name: str  # below the page's URL, e.g. "trending.png" or "img/a.png"


@fast_pickle
@dataclass(frozen=True, slots=True)
class Rendered:
    """What rendering one Markdown body produced, and what it saw on the way."""

    html: str
    toc: tuple[Heading, ...]
    sections: tuple[Section, ...]
    post_refs: tuple[PostRef, ...] = ()
    links: tuple[WikiLinkRef, ...] = ()  # wiki links, in the order of their markers
    files: tuple[FileRef, ...] = ()  # relative links and images naming files


@fast_pickle
@dataclass(frozen=True, slots=True)
class ArchiveSource:
    """One archive file that went into a chat, for the record and for messages."""

    path: str  # source-relative
    format: str  # registry name
    posts: int
    skipped: int


@fast_pickle
@dataclass(frozen=True, slots=True)
class ChatArchive:
    """A chat's posts after merging its archive files and applying opt-outs."""

    posts: tuple[Post, ...]  # sorted by time
    referenced: tuple[Post, ...]  # context only: quoted or reposted originals
    sources: tuple[ArchiveSource, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class Chat:
    """One chat: a write-up of a past chat or an announcement of a coming one."""

    slug: str
    source_path: str  # e.g. "content/chats/2012-02-16-mentors.md"
    title: str
    start: datetime  # aware, in the chat's own zone
    end: datetime
    hashtag: str | None
    hosts: tuple[str, ...]
    topics: tuple[str, ...]  # as written in front matter; see topic_refs for lines
    summary: str | None
    draft: bool
    archives: tuple[str, ...]  # source-relative POSIX paths
    body: Rendered
    archive: ChatArchive | None = None  # filled in after the archive files are read
    topic_refs: tuple[TopicRef, ...] = ()  # front-matter topics with their lines
    series: str | None = None  # front-matter `series:` slug; else matched by hashtag
    announced: datetime | None = None  # front-matter `announced:`, for the upcoming feed
    # Front-matter `announcement: true`: the file announces the chat and holds no
    # write-up yet; once the chat is over it is "awaiting write-up" (see `stage`).
    announcement: bool = False
    attachments: tuple[Attachment, ...] = ()  # files its write-up links to, in its bundle
    # What the build cache knows this exact value by (see `stamped`); empty when the
    # value was not made through the cache. Not settable through __init__, so a
    # `replace()` of the chat (a different value) never carries it over.
    fingerprint: bytes = field(default=b"", init=False, compare=False, repr=False)

    @property
    def duration(self) -> timedelta:
        # In UTC: Python subtracts two times sharing one tzinfo as wall-clock times,
        # which is an hour out across a DST change.
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


# Where a chat is in its life: what every list, page and feed asks of it.
Stage = Literal["upcoming", "on_now", "awaiting_write_up", "written_up"]


def stage(chat: Chat, now: datetime) -> Stage:
    """The one life-cycle rule. A chat is upcoming until it starts and on now until it
    ends. After that, a file marked `announcement: true` is still only the
    announcement: it awaits its write-up, and stays out of write-up lists and feeds
    until the organiser removes the mark. Anything else that is over is written up
    (a write-up committed after the chat needs no mark at all)."""
    if now < chat.start:
        return "upcoming"
    if now < chat.end:
        return "on_now"
    return "awaiting_write_up" if chat.announcement else "written_up"


@fast_pickle
@dataclass(frozen=True, slots=True)
class WikiPage:
    slug: str  # path under wiki/, e.g. "qualifications/chartership"
    source_path: str
    title: str
    summary: str | None
    aliases: tuple[str, ...]
    section: str  # folder under content/wiki ("" for the top level)
    body: Rendered
    attachments: tuple[Attachment, ...] = ()  # files it links to, in its folder


@fast_pickle
@dataclass(frozen=True, slots=True)
class SeriesMove:
    """One occurrence of a series held at another time (EXDATE + RDATE in iCalendar)."""

    original: date  # the series-local date the rule gives
    start: datetime  # aware, where it moved to


@fast_pickle
@dataclass(frozen=True, slots=True)
class Series:
    """A regular chat declared once in content/series/<slug>.yaml.

    The rule is kept as RFC 5545 RRULE text (validated on load) so the model needs
    no recurrence library; `calendar` expands it, `ical` writes it out unchanged.
    """

    slug: str
    source_path: str
    name: str
    hashtag: str | None
    description: str
    timezone: ZoneInfo
    start: datetime  # aware, the first occurrence, in `timezone`
    duration: timedelta
    rrule: str  # e.g. "FREQ=MONTHLY;BYDAY=2TH", without UNTIL/COUNT
    until: date | None = None  # last series-local date an occurrence may fall on
    count: int | None = None  # or: how many occurrences the rule makes
    exceptions: tuple[date, ...] = ()  # series-local dates cancelled
    moves: tuple[SeriesMove, ...] = ()
    hosts: tuple[str, ...] = ()
    announced: datetime | None = None


@fast_pickle
@dataclass(frozen=True, slots=True)
class Site:
    """Everything loaded and validated; the single input of indexes and rendering."""

    config: SiteConfig
    chats: tuple[Chat, ...]  # sorted by start, oldest first
    wiki: tuple[WikiPage, ...]  # sorted by slug
    now: datetime  # the build's "today": from --now / SOURCE_DATE_EPOCH / the clock in cli
    series: tuple[Series, ...] = ()  # content/series/*.yaml, sorted by slug


_Stamped = TypeVar("_Stamped")


def stamped(value: _Stamped, fingerprint: bytes) -> _Stamped:
    """`value` (a Chat or Conversation just made, not yet seen by anything else)
    marked with the fingerprint of everything it was made from: the build's page
    keys then name it by that rather than by pickling it whole (a chat with a
    100,000-post archive is a 30 MB pickle). Set once, on a fresh value, the way a
    frozen dataclass's own __post_init__ would."""
    object.__setattr__(value, "fingerprint", fingerprint)
    return value
