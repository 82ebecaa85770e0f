"""Topics: what every chat has said about each subject, gathered across years of chats.

A topic is declared in site.yaml (name, slug, description, aliases) or comes into
being the first time a write-up names it. Chats are tied to topics two ways:
- front matter `topics: [...]` says the chat touched the topic;
- each `##` section is assigned to a topic, by a `{topic=...}` marker on its heading
  or, failing that, because the heading's text is a topic's name or alias.

Names are compared loosely (case, punctuation, "&" vs "and", a "Q1:" prefix), so
"Finding time (and money) for CPD" and "finding time and money for CPD" are one. A
name that is not a topic but is *close* to one is taken for a typo and is an error
with a suggestion; declare it in site.yaml to create it anyway.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from generator.core.errors import Collector, Diagnostic
from generator.core.frozenmap import FrozenMap
from generator.core.model import Chat, Section, TopicDef, TopicRef, stage
from generator.core.pickling import fast_pickle
from generator.core.schema import slugify

RELATED_LIMIT = 6
# Slugs the topic index itself uses under topics/.
RESERVED_SLUGS = frozenset({"recent"})
# How close a new name must be to a known one to be taken for its typo.
TYPO_CUTOFF = 0.8

_QUESTION_PREFIX = re.compile(r"^\s*q\s*\d+\s*[:.)-]\s*", re.IGNORECASE)
# Separators only: "+" and "#" stay, so "C++" and "C#" are different topics.
_SEPARATORS = re.compile(r"[\s\-_/.,:;!?'\"()\[\]{}\u2018\u2019\u201c\u201d]+")


def topic_key(text: str) -> str:
    """The loose form two spellings of one topic share."""
    text = _QUESTION_PREFIX.sub("", text.lower().replace("&", " and "))
    return " ".join(_SEPARATORS.sub(" ", text).split())


@fast_pickle
@dataclass(frozen=True, slots=True)
class Excerpt:
    """One chat's section about a topic, shown on the topic's page."""

    chat: Chat
    section: Section


@fast_pickle
@dataclass(frozen=True, slots=True)
class RelatedTopic:
    topic: TopicDef
    shared_chats: int


@fast_pickle
@dataclass(frozen=True, slots=True)
class TopicEntry:
    topic: TopicDef
    declared: bool
    excerpts: tuple[Excerpt, ...]  # newest chat first, then page order
    chats: tuple[Chat, ...]  # every chat touching the topic, newest first
    related: tuple[RelatedTopic, ...]
    # The newest write-up on the topic: a chat that has not happened, is on now, or
    # is over but only announced (awaiting its write-up) has nothing on the topic to
    # read yet, so it does not make the topic "recent".
    last_discussed: datetime | None = None


@fast_pickle
@dataclass(frozen=True, slots=True)
class TopicIndex:
    entries: tuple[TopicEntry, ...]  # by name
    by_slug: FrozenMap[str, TopicEntry]
    chat_topics: FrozenMap[str, tuple[TopicDef, ...]]  # chat slug -> topics it touches

    @property
    def by_recency(self) -> tuple[TopicEntry, ...]:
        def newest(entry: TopicEntry) -> tuple[float, str]:
            when = entry.last_discussed
            return (-when.timestamp() if when else float("inf"), entry.topic.name.lower())

        return tuple(sorted(self.entries, key=newest))


class _Resolver:
    """Name -> topic, creating undeclared topics on first use, flagging typos."""

    def __init__(self, declared: Sequence[TopicDef]) -> None:
        self.topics: dict[str, TopicDef] = {}
        self.keys: dict[str, str] = {}  # loose key -> slug
        self.declared = {t.slug for t in declared}
        for topic in declared:
            self._add(topic)

    def _add(self, topic: TopicDef) -> None:
        self.topics[topic.slug] = topic
        for name in (topic.slug, topic.name, *topic.aliases):
            self.keys.setdefault(topic_key(name), topic.slug)

    def find(self, name: str) -> TopicDef | None:
        slug = self.keys.get(topic_key(name))
        return self.topics[slug] if slug else None

    def suggestion(self, name: str) -> TopicDef | None:
        key = topic_key(name)
        match = difflib.get_close_matches(key, list(self.keys), n=1, cutoff=TYPO_CUTOFF)
        # "Conference 2014" is a new topic, not a typo of "Conference 2013".
        if not match or re.findall(r"\d+", match[0]) != re.findall(r"\d+", key):
            return None
        return self.topics[self.keys[match[0]]]

    def resolve(self, ref: TopicRef, path: str, key: str, out: Collector) -> TopicDef | None:
        found = self.find(ref.name)
        if found:
            return found
        near = self.suggestion(ref.name)
        if near is not None:
            out.error(
                path,
                ref.line,
                key,
                f"unknown topic {ref.name!r}; expected a topic from site.yaml or one already "
                "in use",
                f"did you mean {near.name!r} ({near.slug})? To start a new topic with this "
                "name, declare it in site.yaml",
            )
            return None
        name = _QUESTION_PREFIX.sub("", ref.name).strip()
        slug = slugify(name, "")
        if not slug or slug in RESERVED_SLUGS:
            reason = (
                f"the address topics/{slug}/ is taken by the topic index"
                if slug
                else "expected a name with Latin letters or digits"
            )
            out.error(
                path,
                ref.line,
                key,
                f"cannot make a web address for a new topic called {ref.name!r}; {reason}",
                "declare the topic in site.yaml with a slug of your choice",
            )
            return None
        if slug in self.topics:  # e.g. "C++" and "C#": different names, one address
            other = self.topics[slug]
            out.error(
                path,
                ref.line,
                key,
                f"new topic {ref.name!r} would share the address topics/{slug}/ with "
                f"{other.name!r}; expected distinct topics to have distinct slugs",
                "declare both in site.yaml, each with its own slug",
            )
            return None
        created = TopicDef(slug=slug, name=name)
        self._add(created)
        return created


def _section_topic(
    chat: Chat, section: Section, resolver: _Resolver, out: Collector
) -> TopicDef | None:
    if section.no_topic:
        return None
    if section.topic_marker is not None:
        return resolver.resolve(section.topic_marker, chat.source_path, "topic", out)
    return resolver.find(section.heading.title)


def _written_up(chat: Chat, now: datetime | None) -> bool:
    """The life-cycle rule (`stage`); with no `now`, as if every chat were over."""
    if now is None:
        return not chat.announcement
    return stage(chat, now) == "written_up"


def build_topic_index(
    declared: Sequence[TopicDef],
    chats: Sequence[Chat],
    checked: Iterable[Chat] = (),
    now: datetime | None = None,
    unparsed: Iterable[tuple[str, TopicRef]] = (),
) -> tuple[TopicIndex, list[Diagnostic]]:
    """Resolve every chat's topics and gather them per topic.

    `chats` are the published chats the pages show; `checked` are further chats
    (drafts) whose topic names are validated but which appear nowhere. `now` (the
    build's) separates write-ups from chats still to come, on now, or awaiting their
    write-up; None counts every chat as over. `unparsed` are `(path, topic)` of
    write-ups that failed validation: checked for typos only, so they are reported
    in the same run.
    """
    out = Collector()
    resolver = _Resolver(declared)
    ordered = sorted(chats, key=lambda c: (c.start, c.slug), reverse=True)  # newest first
    # Front matter first, in date order (oldest first), so a topic created by use
    # is named as it was first written.
    published = {c.slug for c in chats}
    touched: dict[str, list[TopicDef]] = defaultdict(list)
    for chat in [*reversed(ordered), *checked]:
        for ref in chat.topic_refs:
            topic = resolver.resolve(ref, chat.source_path, "topics", out)
            if topic and chat.slug in published and topic not in touched[chat.slug]:
                touched[chat.slug].append(topic)
    excerpts: dict[str, list[Excerpt]] = defaultdict(list)
    for chat in ordered:
        for section in chat.body.sections:
            topic = _section_topic(chat, section, resolver, out)
            if topic is None:
                continue
            excerpts[topic.slug].append(Excerpt(chat, section))
            if topic not in touched[chat.slug]:
                touched[chat.slug].append(topic)
    for path, ref in unparsed:
        resolver.resolve(ref, path, "topics", out)
    for chat in checked:  # validate drafts' markers too
        for section in chat.body.sections:
            _section_topic(chat, section, resolver, out)

    chats_of: dict[str, list[Chat]] = defaultdict(list)
    for chat in ordered:
        for topic in touched.get(chat.slug, ()):
            chats_of[topic.slug].append(chat)
    co_occurrence: dict[str, Counter[str]] = defaultdict(Counter)
    for chat in ordered:
        slugs = [t.slug for t in touched.get(chat.slug, ())]
        for a in slugs:
            co_occurrence[a].update(b for b in slugs if b != a)

    entries = []
    for slug, topic in resolver.topics.items():
        if slug not in resolver.declared and not chats_of[slug]:
            continue  # named only by a draft: not a topic of the published site yet
        related = tuple(
            RelatedTopic(resolver.topics[other], count)
            for other, count in sorted(co_occurrence[slug].items(), key=lambda kv: (-kv[1], kv[0]))
        )[:RELATED_LIMIT]
        entries.append(
            TopicEntry(
                topic=topic,
                declared=slug in resolver.declared,
                excerpts=tuple(excerpts[slug]),
                chats=tuple(chats_of[slug]),
                related=related,
                last_discussed=next((c.start for c in chats_of[slug] if _written_up(c, now)), None),
            )
        )
    entries.sort(key=lambda e: (e.topic.name.lower(), e.topic.slug))
    index = TopicIndex(
        entries=tuple(entries),
        by_slug=FrozenMap({e.topic.slug: e for e in entries}),
        chat_topics=FrozenMap({slug: tuple(topics) for slug, topics in sorted(touched.items())}),
    )
    return index, out.items
