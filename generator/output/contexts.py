"""Page contexts: what each kind of page shows, one frozen dataclass per kind.

A page's context used to be a string-keyed dict, so nothing said which names a
template could rely on, and a misspelt key surfaced only as a template error. Each
class below is the contract between the planner and one template: its fields are
exactly the variables that template gets (the same names themes use), and its
`template` class attribute is the one place that says which template renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal

from generator.core.frozenmap import FrozenMap
from generator.core.model import Chat, Series, Stage, TopicDef, WikiPage
from generator.core.pickling import fast_pickle
from generator.index.calendar import CalendarIndex, Event, Month, MonthCalendar, SeriesSchedule
from generator.index.conversation import Conversation, Group, Thread
from generator.index.topics import TopicEntry
from generator.index.wiki import Backlink, RecentChange, WikiSection
from generator.output.formats import FeedLink
from generator.sources.gitinfo import FileHistory


@fast_pickle
@dataclass(frozen=True, slots=True)
class GroupSlice:
    """The part of a conversation group shown on one page."""

    group: Group
    threads: tuple[Thread, ...]
    continued: bool  # the group began on an earlier page


@fast_pickle
@dataclass(frozen=True, slots=True)
class HomeContext:
    template: ClassVar[str] = "index.html"
    latest: tuple[Chat, ...]
    upcoming_events: tuple[Event, ...]  # series occurrences and announced chats
    on_now: tuple[Event, ...] = ()  # started and not over: shown before "Next chat"


@fast_pickle
@dataclass(frozen=True, slots=True)
class ChatsContext:
    template: ClassVar[str] = "chats.html"
    upcoming: tuple[Chat, ...]
    past_by_year: tuple[tuple[int, tuple[Chat, ...]], ...]  # written up
    on_now: tuple[Chat, ...] = ()
    awaiting_write_up: tuple[Chat, ...] = ()  # over, announced only


@fast_pickle
@dataclass(frozen=True, slots=True)
class NotFoundContext:
    template: ClassVar[str] = "404.html"
    # Served at any path, so its links cannot be relative: the `rel` filter roots them.
    rooted_links: bool = True


@fast_pickle
@dataclass(frozen=True, slots=True)
class ChatContext:
    """A chat's write-up, the first page of its conversation, and its event page."""

    template: ClassVar[str] = "chat.html"
    chat: Chat
    conversation: Conversation | None
    page_count: int
    post_page: FrozenMap[str, int]  # post id -> the conversation page showing it
    topics: tuple[TopicDef, ...]
    upcoming: bool
    previous: Chat | None  # within its series, else its hashtag
    next: Chat | None
    page_number: int
    slices: tuple[GroupSlice, ...]
    backlinks: tuple[Backlink, ...]
    history: FileHistory | None
    edit_url: str | None
    event: Event | None
    series: Series | None
    feed_links: tuple[FeedLink, ...]
    stage: Stage = "written_up"  # model.stage at the build's now: what the page calls itself


@fast_pickle
@dataclass(frozen=True, slots=True)
class ConversationContext:
    """Page 2 onwards of a long chat's conversation."""

    template: ClassVar[str] = "conversation.html"
    chat: Chat
    conversation: Conversation | None
    page_count: int
    post_page: FrozenMap[str, int]
    topics: tuple[TopicDef, ...]
    page_number: int
    slices: tuple[GroupSlice, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class TopicsContext:
    template: ClassVar[str] = "topics.html"
    entries: tuple[TopicEntry, ...]
    order: Literal["name", "recent"]


@fast_pickle
@dataclass(frozen=True, slots=True)
class TopicContext:
    template: ClassVar[str] = "topic.html"
    entry: TopicEntry
    backlinks: tuple[Backlink, ...]
    feed_links: tuple[FeedLink, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class WikiIndexContext:
    template: ClassVar[str] = "wiki_index.html"
    sections: tuple[WikiSection, ...]
    recent: tuple[RecentChange, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class WikiPageContext:
    template: ClassVar[str] = "wiki_page.html"
    page: WikiPage
    breadcrumbs: tuple[tuple[str, str], ...]  # (title, url), the wiki first
    backlinks: tuple[Backlink, ...]
    history: FileHistory | None
    edit_url: str | None


@fast_pickle
@dataclass(frozen=True, slots=True)
class CalendarContext:
    template: ClassVar[str] = "calendar.html"
    upcoming: tuple[Event, ...]
    months_by_year: tuple[tuple[int, tuple[Month, ...]], ...]
    calendar: CalendarIndex
    reminder_text: str | None


@fast_pickle
@dataclass(frozen=True, slots=True)
class CalendarMonthContext:
    template: ClassVar[str] = "calendar_month.html"
    month: Month
    calendar: MonthCalendar  # `calendar.has_page(event)`, `calendar.timezone`
    previous_label: str | None
    next_label: str | None


@fast_pickle
@dataclass(frozen=True, slots=True)
class SeriesContext:
    template: ClassVar[str] = "series.html"
    schedule: SeriesSchedule
    series: Series
    rule_text: str | None  # None: too unusual for words; the page shows the rule
    duration_text: str
    upcoming: tuple[Event, ...]
    past_chats: tuple[Chat, ...]
    feed_links: tuple[FeedLink, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class EventContext:
    """An occurrence of a series that has no chat (a chat is its own event page)."""

    template: ClassVar[str] = "event.html"
    event: Event
    series: Series
    upcoming: bool
    feed_links: tuple[FeedLink, ...]
    on_now: bool = False  # started, not over


@fast_pickle
@dataclass(frozen=True, slots=True)
class SearchContext:
    template: ClassVar[str] = "search.html"


PageContext = (
    HomeContext
    | ChatsContext
    | NotFoundContext
    | ChatContext
    | ConversationContext
    | TopicsContext
    | TopicContext
    | WikiIndexContext
    | WikiPageContext
    | CalendarContext
    | CalendarMonthContext
    | SeriesContext
    | EventContext
    | SearchContext
)


def template_variables(context: PageContext) -> dict[str, Any]:
    """The context's fields under their own names, as the template reads them.

    Shallow on purpose: the values are the frozen index objects themselves, not
    copies (`dataclasses.asdict` would deep-copy a whole conversation per page).
    """
    return {f.name: getattr(context, f.name) for f in fields(context)}
