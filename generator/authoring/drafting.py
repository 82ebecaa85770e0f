"""`chatwiki new chat --from-archive`: draft a write-up from the chat's own archive.

Writing up is the slowest step of running a chat: an organiser scrolls the archive,
copies the questions, picks posts worth keeping and collects the links. The draft
does that part, so writing up becomes editing: front matter from the archive (start,
duration, hashtag, hosts, with the counts as a comment), one `##` section per
question (or, when the chat had no numbered questions, per site topic its posts
talk about) quoting its key posts by id, the resources list and the next chat. It is
a draft (`draft: true`) on purpose.

What the site already knows wins over guessing from the posts: the series with the
chat's hashtag gives the hosts, the start (its slot nearest the first post) and the
next chat; site.yaml's topics (names and aliases) name the sections and `topics:`.
Each quoted post is followed by its text in a Markdown comment (a link reference
definition, which renders as nothing), so the draft can be edited without looking
every id up.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from generator.core.model import Series, TopicDef
from generator.core.pickling import fast_pickle
from generator.core.posts import ArchiveParse, Post
from generator.index.conversation import Conversation, Group, Thread, build_conversation
from generator.sources.series import Occurrence, occurrences

KEY_POSTS = 3
BUSY_THREADS = 5
_AUTOLINKABLE = re.compile(r"^https?://[^\s<>]+$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


@fast_pickle
@dataclass(frozen=True, slots=True)
class Draft:
    start: datetime
    duration: timedelta
    hashtag: str | None
    hosts: tuple[str, ...]
    markdown: str


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _escape_md(text: str) -> str:
    """Third-party text in a heading or list item must not become Markdown syntax."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _shorten(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("\u2026" if len(parts) > words else "")


def _window(posts: Sequence[Post], first_question: Post | None) -> tuple[datetime, timedelta]:
    """Start on the 5-minute mark before the chat began; end when the posting did."""
    anchor = first_question.created_at if first_question else posts[0].created_at
    early = [p.created_at for p in posts if p.created_at <= anchor]
    begin = min(early) if early else anchor
    begin = begin.replace(second=0, microsecond=0)
    begin -= timedelta(minutes=begin.minute % 5)
    last = posts[-1].created_at
    quarters = max(2, math.ceil((last - begin) / timedelta(minutes=15)))
    return begin, timedelta(minutes=15 * min(quarters, 12))


def _duration_text(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if m else "") or "1h"


def _key_posts(group: Group, limit: int) -> list[Post]:
    """Posts most engaged with: replies and reposts, earliest first among equals."""

    def score(thread: Thread) -> tuple[int, datetime, str]:
        engaged = len(thread.nodes) - 1 + thread.root.reposts
        return (-engaged, thread.time, thread.root.post.id)

    ranked = sorted(
        (t for t in group.threads if t.root.post.status == "ok" and not t.root.unmatched_repost),
        key=score,
    )
    return [t.root.post for t in ranked[:limit]]


def _folded(tag: str | None) -> str:
    return (tag or "").lstrip("#").casefold()


def _series_of(all_series: Sequence[Series], hashtag: str | None) -> Series | None:
    wanted = _folded(hashtag)
    return next((s for s in all_series if wanted and _folded(s.hashtag) == wanted), None)


def _slots_around(series: Series, moment: datetime, days: int = 2) -> tuple[Occurrence, ...]:
    return tuple(
        o
        for o in occurrences(series, moment + timedelta(days=days))
        if o.end > moment - timedelta(days=days)
    )


def _nearest_slot(series: Series, moment: datetime) -> Occurrence | None:
    """The series' occurrence nearest `moment`, if one is within two days of it."""
    near = _slots_around(series, moment)
    return min(near, key=lambda o: abs(o.start - moment), default=None)


def _next_slot(series: Series, after: datetime) -> Occurrence | None:
    """The first occurrence starting after `after` (within a year: a rule that never
    comes round again has no next chat to name)."""
    coming = occurrences(series, after + timedelta(days=366))
    return next((o for o in coming if o.start > after), None)


def _topic_pattern(topic: TopicDef) -> re.Pattern[str]:
    names = sorted({topic.name, *topic.aliases}, key=len, reverse=True)
    alternatives = "|".join(re.escape(n) for n in names if n.strip())
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _topics_in(
    posts: Sequence[Post], topics: Sequence[TopicDef]
) -> list[tuple[TopicDef, list[Post]]]:
    """Each site topic whose name or an alias the posts use, with those posts, in the
    order site.yaml lists the topics."""
    found = []
    for topic in topics:
        pattern = _topic_pattern(topic)
        hits = [p for p in posts if p.repost_of_id is None and pattern.search(p.text)]
        if hits:
            found.append((topic, hits))
    return found


def draft_from_archive(
    title: str,
    parsed: ArchiveParse,
    tz: ZoneInfo,
    source_name: str,
    start: datetime | None = None,
    duration: timedelta | None = None,
    hashtag: str | None = None,
    series: Sequence[Series] = (),
    topics: Sequence[TopicDef] = (),
) -> Draft:
    """Draft a write-up; `start`, `duration` and `hashtag` override what the posts say.

    `series`: the site's series (the one with the hashtag gives hosts, slot and next
    chat); `topics`: site.yaml's topics, to group and tag the sections by.
    """
    posts = sorted(
        (p for p in parsed.posts if p.status == "ok"), key=lambda p: (p.created_at, p.id)
    )
    if not posts:
        raise ValueError("the archive holds no posts to draft from")
    tags = Counter(t.lower() for p in posts if p.repost_of_id is None for t in p.hashtags)
    if hashtag is None and tags:
        hashtag = f"#{tags.most_common(1)[0][0]}"
    # A first pass without hosts finds the questions; whoever asked them hosted.
    rough = build_conversation(
        posts, parsed.referenced, posts[0].created_at, posts[-1].created_at, (), hashtag
    )
    own = _series_of(series, hashtag)
    askers = [g.question.post.author_handle for g in rough.questions if g.question]
    opening = next((p for p in posts if p.repost_of_id is None), posts[0])
    # The series says who hosts; else whoever asked the questions; else whoever opened
    # the chat (not the most active poster: that is often a guest with a lot to say).
    hosts = (
        (own.hosts if own else ())
        or tuple(dict.fromkeys(f"@{h}" for h in askers))
        or (f"@{opening.author_handle}",)
    )
    first_q = (
        rough.questions[0].question.post
        if rough.questions and rough.questions[0].question
        else None
    )
    guessed_start, guessed_duration = _window(posts, first_q)
    slot = _nearest_slot(own, posts[0].created_at) if own else None
    if slot is not None:
        guessed_start, guessed_duration = slot.start, slot.end - slot.start
    start = start or guessed_start
    duration = duration or guessed_duration
    conversation = build_conversation(
        posts, parsed.referenced, start, start + duration, hosts, hashtag
    )
    by_topic = _topics_in(posts, topics)
    upcoming = _next_slot(own, start) if own else None
    next_chat = (
        f"The next {_escape_md(own.name)} is on {_when(upcoming.start.astimezone(tz))}."
        if own is not None and upcoming is not None
        else "(When and what the next chat is about.)"
    )
    body = _body(title, conversation, hosts, hashtag, by_topic, next_chat)
    s = conversation.stats
    front = [
        "---",
        f"title: {_yaml(title)}",
        f"date: {start.astimezone(tz).strftime('%Y-%m-%dT%H:%M')}",
        f"duration: {_duration_text(duration)}",
        *([f"hashtag: {_yaml(hashtag)}"] if hashtag else []),
        f"hosts: [{', '.join(_yaml(h) for h in hosts)}]",
        f"topics: [{', '.join(_yaml(t.slug) for t, _ in by_topic)}]",
        "# summary: One sentence for lists and feeds.",
        "draft: true  # remove this line to publish",
        f"# Drafted from {source_name}: {s.posts} posts by {s.participants} participants "
        f"({s.originals} original posts, {s.replies} replies, {s.reposts} reposts), "
        f"{len(conversation.resources)} links shared.",
        "---",
        "",
    ]
    return Draft(start, duration, hashtag, hosts, "\n".join(front) + body)


def _when(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B %Y}, {moment:%H:%M}"


def _quote(post: Post) -> list[str]:
    """The post by id, then its text where the organiser can read it: a link
    reference definition renders as nothing. Its title is one line with `\\` and `"`
    escaped, so no post text can end it early or become Markdown."""
    text = " ".join(f"@{post.author_handle}: {post.text}".split())
    shown = text.replace("\\", "\\\\").replace('"', '\\"')
    return [f'{{{{< post "{post.id}" >}}}}', f'[//]: # "{shown}"', ""]


def _body(
    title: str,
    conversation: Conversation,
    hosts: Sequence[str],
    hashtag: str | None,
    by_topic: Sequence[tuple[TopicDef, Sequence[Post]]] = (),
    next_chat: str = "(When and what the next chat is about.)",
) -> str:
    s = conversation.stats
    who = ", ".join(hosts) if hosts else "the hosts"
    lines = [
        f"This {hashtag + ' ' if hashtag else ''}chat was hosted by {_escape_md(who)}. "
        f"{s.participants} people took part, posting {s.posts} times. "
        "(Say what the chat set out to discuss and who it was for.)",
        "",
    ]
    if conversation.has_questions:
        for group in conversation.questions:
            question = group.question.post if group.question else None
            heading = _shorten(_strip_label(question.text), 20) if question else group.title
            lines += [f"## Q{group.number}: {_escape_md(heading)}", ""]
            lines += [
                "(Summarise the answers: the advice that came up, where people disagreed.)",
                "",
            ]
            for post in _key_posts(group, KEY_POSTS):
                lines += _quote(post)
    elif by_topic:
        engagement = {
            t.root.post.id: len(t.nodes) - 1 + t.root.reposts
            for g in conversation.groups
            for t in g.threads
        }
        for topic, hits in by_topic:
            lines += [f"## {_escape_md(topic.name)}", ""]
            lines += ["(What people said about this, and what they concluded.)", ""]
            ranked = sorted(
                (p for p in hits if p.status == "ok"),
                key=lambda p: (-engagement.get(p.id, 0), p.created_at, p.id),
            )[:KEY_POSTS]
            for post in sorted(ranked, key=lambda p: (p.created_at, p.id)):
                lines += _quote(post)
    else:
        (group,) = conversation.groups[:1]
        threads = sorted(
            (t for t in group.threads if t.root.post.status == "ok"),
            key=lambda t: (-(len(t.nodes) + t.root.reposts), t.time, t.root.post.id),
        )[:BUSY_THREADS]
        ordered = sorted(threads, key=lambda t: (t.time, t.root.post.id))
        for number, thread in enumerate(ordered, start=1):
            # A heading is the organiser's to write: a post's first words make a poor one.
            lines += [f"## Thread {number}", ""]
            lines += ["(What this thread was about, and what people concluded.)", ""]
            lines += _quote(thread.root.post)
    if conversation.resources:
        lines += ["## Resources shared", ""]
        for r in conversation.resources:
            times = f"shared {r.count} times, " if r.count > 1 else ""
            link = f"<{r.url}>" if _AUTOLINKABLE.match(r.url) else _escape_md(r.url)
            lines.append(f"- {link}: {times}first by @{_escape_md(r.first_handle)}")
        lines.append("")
    lines += [
        "## Next chat",
        "",
        next_chat,
        "",
    ]
    return "\n".join(lines)


_LABEL = re.compile(r"^\s*(?:[@#][\w.@-]+\s+)*Q ?\d{1,3}[.:)]?\s*", re.IGNORECASE)


_TRAILING_TAGS = re.compile(r"(?:\s+#\w+)+\s*$")


def _strip_label(text: str) -> str:
    """The question itself: no "Q1" label, no hashtags tacked on the end."""
    core = _TRAILING_TAGS.sub("", _LABEL.sub("", text, count=1))
    return core or text
