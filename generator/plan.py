"""Site + indexes -> the list of files to produce. Decides *what*, not *how*.

Each `Page` is a plain value (URL, template, context of frozen model objects), so
producing its bytes is a pure call that a process pool or a cache can take over.
Two things claiming one output path is an error here, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from generator import urls
from generator.calendar import Timeline
from generator.conversation import Conversation, Group, Thread
from generator.errors import Diagnostic
from generator.model import Site
from generator.topics import TopicIndex

LATEST_ON_HOME = 10
# Posts per conversation page. Chats are usually a few hundred posts; a 100,000-post
# archive on one page would be a 40 MB document no browser handles well.
POSTS_PER_PAGE = 1000


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


def plan_pages(
    site: Site,
    timeline: Timeline,
    conversations: Mapping[str, Conversation],
    topics: TopicIndex,
) -> list[Page]:
    pages = [
        Page(
            urls.HOME,
            "index.html",
            site.config.title,
            {
                "next_chat": timeline.next_chat,
                "upcoming": timeline.upcoming,
                "latest": timeline.past[:LATEST_ON_HOME],
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
    # Previous/next within the chat's own series (hashtag), computed once per series.
    neighbours: dict[str, tuple[Any, Any]] = {}
    for _, group in groupby(
        sorted(site.chats, key=lambda c: c.hashtag or ""), key=lambda c: c.hashtag
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
    pages += plan_topic_pages(topics)
    if site.wiki:
        sections = tuple(
            (name, tuple(group))
            for name, group in groupby(
                sorted(site.wiki, key=lambda p: (p.section, p.title.lower())),
                key=lambda p: p.section,
            )
        )
        pages.append(Page(urls.WIKI, "wiki_index.html", "Wiki", {"sections": sections}))
        for page in site.wiki:
            pages.append(
                Page(
                    urls.wiki_page(page.slug),
                    "wiki_page.html",
                    page.title,
                    {"page": page},
                    page.source_path,
                )
            )
    return pages


def plan_topic_pages(topics: TopicIndex) -> list[Page]:
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
        pages.append(
            Page(urls.topic(entry.topic.slug), "topic.html", entry.topic.name, {"entry": entry})
        )
    return pages


def find_clashes(pages: Sequence[Page], statics: Sequence[StaticFile]) -> list[Diagnostic]:
    """Two producers for one output file would silently drop one of them."""
    owners: dict[str, str] = {}
    problems = []
    for path, owner in [(p.path, p.source_path or p.template) for p in pages] + [
        (s.path, s.source.as_posix()) for s in statics
    ]:
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
