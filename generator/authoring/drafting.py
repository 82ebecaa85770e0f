"""`chatwiki new chat --from-archive`: draft a write-up from the chat's own archive.

Writing up is the slowest step of running a chat: an organiser scrolls the archive,
copies the questions, picks posts worth keeping and collects the links. The draft
does that part, so writing up becomes editing: front matter from the archive (start,
duration, hashtag, hosts, with the counts as a comment), one `##` section per
question (or per busy thread when the chat had no numbered questions) quoting its key
posts by id, and the resources list. It is a draft (`draft: true`) on purpose.
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

from generator.core.posts import ArchiveParse, Post
from generator.index.conversation import Conversation, Group, Thread, build_conversation

KEY_POSTS = 3
BUSY_THREADS = 5
_AUTOLINKABLE = re.compile(r"^https?://[^\s<>]+$")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


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


def draft_from_archive(
    title: str,
    parsed: ArchiveParse,
    tz: ZoneInfo,
    source_name: str,
    start: datetime | None = None,
    duration: timedelta | None = None,
    hashtag: str | None = None,
) -> Draft:
    """Draft a write-up; `start`, `duration` and `hashtag` override what the posts say."""
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
    askers = [g.question.post.author_handle for g in rough.questions if g.question]
    hosts = tuple(dict.fromkeys(f"@{h}" for h in askers)) or tuple(
        f"@{p.handle}" for p in rough.stats.most_active[:1]
    )
    first_q = (
        rough.questions[0].question.post
        if rough.questions and rough.questions[0].question
        else None
    )
    guessed_start, guessed_duration = _window(posts, first_q)
    start = start or guessed_start
    duration = duration or guessed_duration
    conversation = build_conversation(
        posts, parsed.referenced, start, start + duration, hosts, hashtag
    )
    body = _body(title, conversation, hosts, hashtag)
    s = conversation.stats
    front = [
        "---",
        f"title: {_yaml(title)}",
        f"date: {start.astimezone(tz).strftime('%Y-%m-%dT%H:%M')}",
        f"duration: {_duration_text(duration)}",
        *([f"hashtag: {_yaml(hashtag)}"] if hashtag else []),
        f"hosts: [{', '.join(_yaml(h) for h in hosts)}]",
        "topics: []",
        "# summary: One sentence for lists and feeds.",
        "draft: true  # remove this line to publish",
        f"# Drafted from {source_name}: {s.posts} posts by {s.participants} participants "
        f"({s.originals} original posts, {s.replies} replies, {s.reposts} reposts), "
        f"{len(conversation.resources)} links shared.",
        "---",
        "",
    ]
    return Draft(start, duration, hashtag, hosts, "\n".join(front) + body)


def _body(title: str, conversation: Conversation, hosts: Sequence[str], hashtag: str | None) -> str:
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
                lines += [f'{{{{< post "{post.id}" >}}}}', ""]
    else:
        (group,) = conversation.groups[:1]
        threads = sorted(
            (t for t in group.threads if t.root.post.status == "ok"),
            key=lambda t: (-(len(t.nodes) + t.root.reposts), t.time, t.root.post.id),
        )[:BUSY_THREADS]
        for thread in sorted(threads, key=lambda t: (t.time, t.root.post.id)):
            lines += [f"## {_escape_md(_shorten(thread.root.post.text, 8))}", ""]
            lines += ["(What this thread was about, and what people concluded.)", ""]
            lines += [f'{{{{< post "{thread.root.post.id}" >}}}}', ""]
    if conversation.resources:
        lines += ["## Resources shared", ""]
        for r in conversation.resources:
            times = f"shared {r.count} times, " if r.count > 1 else ""
            link = f"<{r.url}>" if _AUTOLINKABLE.match(r.url) else _escape_md(r.url)
            lines.append(f"- {link}: {times}first by @{_escape_md(r.first_handle)}")
        lines.append("")
    lines += ["## Next chat", "", "(When and what the next chat is about.)", ""]
    return "\n".join(lines)


_LABEL = re.compile(r"^\s*(?:[@#][\w.@-]+\s+)*Q ?\d{1,3}[.:)]?\s*", re.IGNORECASE)


_TRAILING_TAGS = re.compile(r"(?:\s+#\w+)+\s*$")


def _strip_label(text: str) -> str:
    """The question itself: no "Q1" label, no hashtags tacked on the end."""
    core = _TRAILING_TAGS.sub("", _LABEL.sub("", text, count=1))
    return core or text
