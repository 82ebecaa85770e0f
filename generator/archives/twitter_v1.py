"""Twitter API v1.1 tweet objects: twarc 1 / streaming JSON lines, arrays, search pages.

This is the oldest and most common shape chat organisers hold: twarc 1 and the
streaming API wrote one object a line, REST scripts saved arrays or single objects,
and `search/tweets` pages wrap the tweets in `{"statuses": [...]}`. The account
archive (`twitter_archive`) and TAGS (`tags`) carry the same tweet object or its
entities, so the conversion lives here once: `post_from_v1` for a whole object,
`expand_text` for text plus entities.

Why the text handling looks the way it does:
- v1.1 text is HTML-escaped (`&amp;`, `&lt;`) and entity `indices` count code points
  in that *escaped* text. Unescaping first would shift every later index, so the text
  is cut at the indices first and only the plain pieces between entities are
  unescaped. An index that does not point at its own `url` (edited payloads, python-
  twitter's flattened dumps without indices) falls back to finding the URL string.
- Streaming/compat payloads truncate `text` at 140 and carry the real text in
  `extended_tweet`; extended-mode REST payloads use `full_text`. Longest wins.
- Media t.co links are removed from the text (the media is listed in `Post.media`);
  other t.co links are replaced by their expanded URL and listed in `Post.links`.
  A URL left bare in the text with no entity (archive retweets do this) is still
  listed as a link, unless it is cut short by a truncation ellipsis.
- Retweet text is a truncated "RT @x: ..." copy. The retweet stays its own post
  (short text, `repost_of_id`), and the embedded original, in full, goes to
  `referenced`. Quoted tweets likewise go to `referenced`, with `quote_of_id` set.
- Only `id_str` is trusted: the numeric `id` may have passed through a JavaScript
  double and lost its last digits.

Deleted and withheld content, decided as follows:
- A tweet with `withheld_copyright: true` or a non-empty `withheld_in_countries` is
  kept as a `status="withheld"` stub: id, time, author and thread links stay so the
  conversation still reads in order, but text, links, tags and media are dropped. A
  static page cannot show a tweet in one country and hide it in another, so a tweet
  withheld anywhere is withheld on the site; its text is often a placeholder anyway.
- Stream `{"delete": ...}` and `{"status_withheld": ...}` notices turn the matching
  tweet in the same file into a `deleted`/`withheld` stub (authors asked for it to
  go). `{"user_withheld": ...}` does that for every tweet of that user. A notice
  whose tweet is not in the file becomes a `Skipped` entry: there is nothing to
  show, not even a placeholder, since the notice has no time or handle.
- Other stream messages (`limit`, `scrub_geo`, `disconnect`, ...) are `Skipped`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from generator.archives import _json
from generator.archives.registry import ArchiveFormat
from generator.core.posts import (
    ArchiveFormatError,
    ArchiveParse,
    Link,
    Media,
    MediaKind,
    Post,
    PostStatus,
    Skipped,
)

SOURCE = "twitter-v1"

# Quoted tweets can quote tweets; real payloads nest one or two levels. The cap keeps
# a hostile file from recursing us into a RecursionError.
_MAX_EMBED_DEPTH = 4

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
# Parsed by hand rather than with strptime: %a/%b follow the process locale.
_TWITTER_DATE = re.compile(
    r"^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})\s*$"
)
_DATE_EXAMPLE = "'Sun Apr 19 19:22:23 +0000 2020'"

# A bare URL in text. Trailing sentence punctuation is trimmed afterwards.
_BARE_URL = re.compile(r"https?://[^\s<>\"'\u2026]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?"
_HASHTAG = re.compile(r"(?<![\w&#＃])[#＃](\w*[^\W\d]\w*)")
_MENTION = re.compile(r"(?<![A-Za-z0-9_@＠])[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@])")
_LEGACY_RT = re.compile(r"^RT @([A-Za-z0-9_]{1,15}):")
_STATUS_URL = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/([A-Za-z0-9_]{1,15})/status(?:es)?/(\d+)",
    re.IGNORECASE,
)

# Stream messages that are not tweets (twarc 1 and raw stream captures keep them).
_STREAM_MESSAGES = frozenset(
    {
        "delete",
        "status_withheld",
        "user_withheld",
        "limit",
        "scrub_geo",
        "disconnect",
        "warning",
        "event",
        "friends",
        "friends_str",
        "control",
        "for_user",
    }
)
# The subset a file may start with; `event` and friends are too generic to sniff on.
_SNIFFABLE_STREAM_MESSAGES = frozenset(
    {"delete", "status_withheld", "user_withheld", "limit", "scrub_geo"}
)

_MEDIA_KINDS: Mapping[str, MediaKind] = {
    "photo": "photo",
    "video": "video",
    "animated_gif": "gif",
}


class TweetRecordError(ValueError):
    """One tweet object cannot become a Post; callers report it as `Skipped`, not a crash."""


# --------------------------------------------------------------------------- helpers


def _mapping(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _items(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _nonempty_str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _index(value: object) -> int | None:
    """An entity index: an int, or a digit string as in the account archive."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def digit_id(value: object) -> str | None:
    """A tweet/user id if `value` is a string of digits; numbers are never trusted.

    A JSON number id may have been through a JavaScript double (or a spreadsheet) and
    lost its last digits, and a wrong id silently links to somebody else's tweet.
    """
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.isascii() and stripped.isdigit():
            return stripped
    return None


def parse_twitter_datetime(value: str) -> datetime:
    """'Sun Apr 19 19:22:23 +0000 2020' -> aware UTC datetime; ValueError if not that form."""
    match = _TWITTER_DATE.match(value)
    if match is None:
        raise ValueError(f"expected a Twitter date like {_DATE_EXAMPLE}, got {value!r}")
    month, day, hour, minute, second, sign, off_h, off_m, year = match.groups()
    offset = timedelta(hours=int(off_h), minutes=int(off_m))
    zone = timezone(-offset if sign == "-" else offset)
    try:
        local = datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError as error:
        raise ValueError(f"impossible date {value!r}: {error}") from None
    return local.astimezone(UTC)


def status_url(handle: str, tweet_id: str) -> str:
    """The permalink; handle-less archives use the /i/web/ form, which needs no handle."""
    if not handle or handle == "unknown":
        return f"https://twitter.com/i/web/status/{tweet_id}"
    return f"https://twitter.com/{handle}/status/{tweet_id}"


def as_stub(post: Post, status: PostStatus) -> Post:
    """The placeholder for a deleted or withheld post: who and when, never what."""
    return replace(
        post, text="", html=None, links=(), hashtags=(), mentions=(), media=(), status=status
    )


def legacy_retweet_of(post: Post) -> str | None:
    """The handle a text-only retweet ("RT @handle: ...") repeats, if the post is one.

    TAGS rows and account-archive retweets keep only the truncated "RT @x:" text, not
    the original's id, so they cannot carry `repost_of_id`; this is how callers still
    tell them apart (to leave them out of chat counts, for example).
    """
    if post.repost_of_id is not None:
        return None
    match = _LEGACY_RT.match(post.text)
    return match.group(1) if match else None


def is_legacy_retweet(post: Post) -> bool:
    """True for a retweet known only by its "RT @handle:" text (no `repost_of_id`)."""
    return legacy_retweet_of(post) is not None


# ------------------------------------------------------------------------ text + entities


@dataclass(frozen=True, slots=True)
class ExpandedText:
    """Plain text with t.co links expanded, and what the entities said was in it."""

    text: str
    links: tuple[Link, ...]
    media: tuple[Media, ...]
    hashtags: tuple[str, ...]
    mentions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    replacement: str
    link: Link | None  # None for a removed media link


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _overlaps(start: int, end: int, spans: Sequence[_Span]) -> bool:
    return any(start < span.end and span.start < end for span in spans)


def _locate(
    text: str, url: str, indices: object, taken: Sequence[_Span], use_indices: bool
) -> list[tuple[int, int]]:
    """Where an entity's `url` sits: its indices if they point at it, else a text search."""
    if use_indices:
        pair = _items(indices)
        if len(pair) == 2:
            start, end = _index(pair[0]), _index(pair[1])
            if (
                start is not None
                and end is not None
                and text[start:end] == url
                and not _overlaps(start, end, taken)
            ):
                return [(start, end)]
    found: list[tuple[int, int]] = []
    position = text.find(url)
    while position >= 0:
        end = position + len(url)
        # Not the prefix of a longer URL (https://t.co/abc inside https://t.co/abcd).
        boundary = end == len(text) or not (text[end].isalnum() or text[end] in "/_-")
        if boundary and not _overlaps(position, end, taken):
            found.append((position, end))
        position = text.find(url, end)
    return found


def _media_item(entity: Mapping[str, Any]) -> Media | None:
    kind = _MEDIA_KINDS.get(str(entity.get("type", "")), "other")
    url: str | None = None
    if kind in ("video", "gif"):
        # The best mp4 is the video itself; the thumbnail is only a fallback.
        info = _mapping(entity.get("video_info")) or {}
        variants = [
            variant
            for variant in (_mapping(item) for item in _items(info.get("variants")))
            if variant is not None
            and variant.get("content_type") == "video/mp4"
            and _nonempty_str(variant.get("url"))
        ]
        if variants:
            best = max(variants, key=lambda variant: _index(variant.get("bitrate")) or 0)
            url = str(best["url"])
    url = (
        url
        or _nonempty_str(entity.get("media_url_https"))
        or _nonempty_str(entity.get("media_url"))
        or _nonempty_str(entity.get("expanded_url"))
    )
    if url is None:
        return None
    alt = entity.get("ext_alt_text")
    return Media(url=url, kind=kind, alt=alt if isinstance(alt, str) else "")


def _bare_links(plain: str) -> Iterator[Link]:
    for match in _BARE_URL.finditer(plain):
        if plain.startswith("\u2026", match.end()):
            continue  # "https://t.co/ab…": cut short by truncation, not a usable link
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_TRAILING_PUNCTUATION)
        if "://" in url and not url.endswith("://"):
            yield Link(url=url)


def expand_text(
    raw: str,
    entities: Mapping[str, Any] | None,
    extended_media: Sequence[Any] = (),
    *,
    escaped: bool,
    use_indices: bool = True,
) -> ExpandedText:
    """Turn tweet text plus v1.1 entities into plain text, links, media, tags, mentions.

    `escaped` says whether `raw` is HTML-escaped (API and archive text is; a TAGS sheet
    cell is not). `use_indices` is off when the indices are known to describe other
    text (TAGS). `entities=None` means "no entities at all": hashtags and mentions are
    then read from the text so a hashtag chat still finds its posts.
    """
    url_entities = [m for m in map(_mapping, _items((entities or {}).get("urls"))) if m]
    media_entities = [m for m in map(_mapping, _items(extended_media)) if m] or [
        m for m in map(_mapping, _items((entities or {}).get("media"))) if m
    ]

    spans: list[_Span] = []
    unplaced: list[Link] = []
    for entity in url_entities:
        url = _nonempty_str(entity.get("url"))
        expanded = _nonempty_str(entity.get("expanded_url")) or url
        if expanded is None:
            continue
        display = entity.get("display_url")
        link = Link(url=expanded, display=display if isinstance(display, str) else "")
        places = (
            _locate(raw, url, entity.get("indices"), spans, use_indices) if url is not None else []
        )
        if not places:
            unplaced.append(link)  # cut off by truncation: still a link of this post
        for start, end in places:
            spans.append(_Span(start, end, expanded, link))

    media: list[Media] = []
    for entity in media_entities:
        item = _media_item(entity)
        if item is not None and item not in media:
            media.append(item)
        url = _nonempty_str(entity.get("url"))
        if url is not None:
            for start, end in _locate(raw, url, entity.get("indices"), spans, use_indices):
                spans.append(_Span(start, end, "", None))

    pieces: list[str] = []
    links: list[Link] = []
    position = 0
    for span in sorted(spans, key=lambda span: span.start):
        plain = raw[position : span.start]
        plain = html.unescape(plain) if escaped else plain
        pieces.append(plain)
        links.extend(_bare_links(plain))
        pieces.append(span.replacement)
        if span.link is not None:
            links.append(span.link)
        position = span.end
    tail = html.unescape(raw[position:]) if escaped else raw[position:]
    pieces.append(tail)
    links.extend(_bare_links(tail))
    links.extend(unplaced)

    text = "".join(pieces)
    if any(span.link is None for span in spans):
        text = text.rstrip()  # the media link trails the text; drop the space before it

    if entities is None:
        hashtags = _unique(match.group(1) for match in _HASHTAG.finditer(text))
        mentions = _unique(match.group(1) for match in _MENTION.finditer(text))
    else:
        hashtags = _unique(
            str(tag.get("text", ""))
            for tag in map(_mapping, _items(entities.get("hashtags")))
            if tag is not None
        )
        mentions = _unique(
            str(user.get("screen_name", ""))
            for user in map(_mapping, _items(entities.get("user_mentions")))
            if user is not None
        )

    return ExpandedText(
        text=text,
        links=tuple(dict.fromkeys(links)),
        media=tuple(media),
        hashtags=hashtags,
        mentions=mentions,
    )


# ------------------------------------------------------------------------- tweet objects


def _entities_of(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """`entities`, or python-twitter's flattened top-level lists, or None if neither."""
    entities = _mapping(obj.get("entities"))
    if entities is not None:
        return entities
    flattened = {
        key: obj[key]
        for key in ("urls", "hashtags", "user_mentions", "media")
        if isinstance(obj.get(key), list)
    }
    return flattened or None


def _body(obj: Mapping[str, Any]) -> tuple[str, Mapping[str, Any] | None, list[Any]]:
    """The longest text the object has, with the entities that index into that text."""
    extended = _mapping(obj.get("extended_tweet"))
    if extended is not None and isinstance(extended.get("full_text"), str):
        extended_entities = _mapping(extended.get("extended_entities")) or {}
        return (
            extended["full_text"],
            _entities_of(extended),
            _items(extended_entities.get("media")),
        )
    extended_entities = _mapping(obj.get("extended_entities")) or {}
    for key in ("full_text", "text"):
        text = obj.get(key)
        if isinstance(text, str):
            return text, _entities_of(obj), _items(extended_entities.get("media"))
    raise TweetRecordError("no text or full_text")


def _is_withheld(obj: Mapping[str, Any]) -> bool:
    return obj.get("withheld_copyright") is True or bool(_items(obj.get("withheld_in_countries")))


def _tweet_id(obj: Mapping[str, Any]) -> str:
    tweet_id = digit_id(obj.get("id_str"))
    if tweet_id is None:
        # The account archive writes "id" as a string too; a string cannot have been
        # rounded, a number can.
        tweet_id = digit_id(obj.get("id"))
    if tweet_id is None:
        if isinstance(obj.get("id"), int | float):
            raise TweetRecordError("no id_str, and the numeric id may have been rounded")
        raise TweetRecordError("no id_str")
    return tweet_id


def _post_from_v1(obj: Mapping[str, Any], source: str, depth: int) -> tuple[Post, list[Post]]:
    tweet_id = _tweet_id(obj)
    user = _mapping(obj.get("user"))
    if user is None:
        raise TweetRecordError(f"tweet {tweet_id}: no user object")
    handle = _nonempty_str(user.get("screen_name"))
    if handle is None:
        raise TweetRecordError(f"tweet {tweet_id}: user has no screen_name")
    created_raw = obj.get("created_at")
    if not isinstance(created_raw, str):
        raise TweetRecordError(f"tweet {tweet_id}: no created_at")
    try:
        created_at = parse_twitter_datetime(created_raw)
    except ValueError as error:
        raise TweetRecordError(f"tweet {tweet_id}: created_at: {error}") from None
    try:
        raw_text, entities, extended_media = _body(obj)
    except TweetRecordError as error:
        raise TweetRecordError(f"tweet {tweet_id}: {error}") from None
    expanded = expand_text(raw_text, entities, extended_media, escaped=True)

    referenced: list[Post] = []

    def embed(value: object) -> Post | None:
        embedded = _mapping(value)
        if embedded is None or depth >= _MAX_EMBED_DEPTH:
            return None
        try:
            post, more = _post_from_v1(embedded, source, depth + 1)
        except TweetRecordError:
            return None  # the id link below still stands without the embedded copy
        referenced.append(post)
        referenced.extend(more)
        return post

    repost_of_id: str | None = None
    quote_of_id: str | None = None
    if "retweeted_status" in obj and obj["retweeted_status"] is not None:
        original = embed(obj["retweeted_status"])
        retweeted = _mapping(obj["retweeted_status"]) or {}
        repost_of_id = original.id if original else digit_id(retweeted.get("id_str"))
        # Streaming copies the original's quote up to the retweet; it belongs to the
        # original (in `referenced`), not to the retweet itself.
        embed(obj.get("quoted_status"))
    else:
        quoted = embed(obj.get("quoted_status"))
        quote_of_id = digit_id(obj.get("quoted_status_id_str")) or (quoted.id if quoted else None)

    name = user.get("name")
    post = Post(
        id=tweet_id,
        source=source,
        created_at=created_at,
        author_handle=handle.lstrip("@"),
        author_name=name if isinstance(name, str) else "",
        author_id=digit_id(user.get("id_str")),
        text=expanded.text,
        url=status_url(handle.lstrip("@"), tweet_id),
        reply_to_id=digit_id(obj.get("in_reply_to_status_id_str")),
        reply_to_handle=_nonempty_str(obj.get("in_reply_to_screen_name")),
        quote_of_id=quote_of_id,
        repost_of_id=repost_of_id,
        links=expanded.links,
        hashtags=expanded.hashtags,
        mentions=expanded.mentions,
        media=expanded.media,
    )
    if _is_withheld(obj):
        post = as_stub(post, "withheld")
    return post, referenced


def post_from_v1(obj: Mapping[str, Any], source: str) -> tuple[Post, list[Post]]:
    """One v1.1 tweet object -> (its Post, the posts it embeds: retweeted/quoted originals).

    Raises `TweetRecordError` with a reason a person can act on when the object lacks
    what a post needs (a string id, a user, a readable created_at, any text).
    """
    return _post_from_v1(obj, source, 0)


# ------------------------------------------------------------------------ whole files


def assemble(
    parsed: Iterable[tuple[str, Post, Sequence[Post]]], skipped: Iterable[Skipped]
) -> ArchiveParse:
    """Collect parsed records into an ArchiveParse, dropping repeats.

    A tweet met twice in one file (overlapping search pages) is one post; the later
    copy is reported. `referenced` holds each embedded tweet once and leaves out
    tweets that are already posts of the file, so nothing is shown twice.
    """
    posts: dict[str, Post] = {}
    first_seen: dict[str, str] = {}
    referenced: dict[str, Post] = {}
    report = list(skipped)
    for where, post, embedded in parsed:
        if post.id in posts:
            report.append(
                Skipped(where, f"tweet {post.id} appears again (first at {first_seen[post.id]})")
            )
            continue
        posts[post.id] = post
        first_seen[post.id] = where
        for other in embedded:
            referenced.setdefault(other.id, other)
    return ArchiveParse(
        posts=tuple(posts.values()),
        referenced=tuple(post for key, post in referenced.items() if key not in posts),
        skipped=tuple(report),
    )


def _split_envelopes(where: str, value: object) -> Iterator[tuple[str, object]]:
    """A search page inside a file stands for its statuses."""
    envelope = _mapping(value)
    if envelope is not None and isinstance(envelope.get("statuses"), list):
        for number, item in enumerate(envelope["statuses"], start=1):
            yield f"{where}, status {number}", item
    else:
        yield where, value


def _records(text: str) -> tuple[list[tuple[str, object]], list[Skipped]]:
    """Every record of the file, named by where it is: one JSON document or JSON lines."""
    body = text.lstrip("\ufeff")
    if not body.strip():
        raise ArchiveFormatError("the file is empty")
    try:
        document = json.loads(body)
    except json.JSONDecodeError as whole_error:
        return _json_lines(body, whole_error)
    envelope = _mapping(document)
    if envelope is not None and isinstance(envelope.get("statuses"), list):
        items: list[Any] = envelope["statuses"]
    elif isinstance(document, list):
        items = document
    elif envelope is not None:
        return [("the object", document)], []
    else:
        raise ArchiveFormatError(
            f"expected tweet objects, got a JSON {type(document).__name__}", line=1
        )
    records: list[tuple[str, object]] = []
    for number, item in enumerate(items, start=1):
        records.extend(_split_envelopes(f"item {number}", item))
    return records, []


def _json_lines(
    body: str, whole_error: json.JSONDecodeError
) -> tuple[list[tuple[str, object]], list[Skipped]]:
    records: list[tuple[str, object]] = []
    skipped: list[Skipped] = []
    # split("\n"), not splitlines(): JSON strings may hold a raw U+2028, which
    # splitlines() would treat as the end of a line.
    for number, line in enumerate(body.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            skipped.append(
                Skipped(f"line {number}", f"not valid JSON: {error.msg} (column {error.colno})")
            )
            continue
        records.extend(_split_envelopes(f"line {number}", value))
    # JSON lines hold one object a line. If no line is an object, this is one JSON
    # document that is broken (a cut-off download), and the document's own error
    # position is what helps: a stray "40" line of a pretty-printed array is no record.
    if not any(_mapping(value) for _, value in records):
        raise ArchiveFormatError(
            f"neither JSON nor JSON lines: {whole_error.msg} (column {whole_error.colno})",
            line=whole_error.lineno,
        )
    return records, skipped


def _notice_id(value: object, *path: str) -> str | None:
    """The id a stream notice names; notices only match ids, so a number is acceptable."""
    node = value
    for key in path:
        mapping = _mapping(node)
        node = mapping.get(key) if mapping is not None else None
    mapping = _mapping(node)
    if mapping is None:
        return None
    found = digit_id(mapping.get("id_str"))
    number = mapping.get("id")
    if found is None and isinstance(number, int) and not isinstance(number, bool):
        found = str(number)
    return found


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def parse(text: str, filename: str) -> ArchiveParse:
    """Read a v1.1 file (array, JSON lines, single object or search page)."""
    records, skipped = _records(text)
    parsed: list[tuple[str, Post, Sequence[Post]]] = []
    notices: list[tuple[str, PostStatus, str]] = []  # (where, status, tweet id)
    withheld_users: set[str] = set()
    for where, value in records:
        record = _mapping(value)
        if record is None:
            skipped.append(Skipped(where, f"expected a tweet object, got {_json_kind(value)}"))
            continue
        message = next((key for key in record if key in _STREAM_MESSAGES), None)
        if message is not None and "id_str" not in record:
            if message == "delete":
                tweet_id = _notice_id(record, "delete", "status")
                if tweet_id is not None:
                    notices.append((where, "deleted", tweet_id))
                    continue
            elif message == "status_withheld":
                tweet_id = _notice_id(record, "status_withheld")
                if tweet_id is not None:
                    notices.append((where, "withheld", tweet_id))
                    continue
            elif message == "user_withheld":
                user_id = _notice_id(record, "user_withheld")
                if user_id is not None:
                    withheld_users.add(user_id)
                    continue
            skipped.append(Skipped(where, f"{message!r} stream message, not a tweet"))
            continue
        try:
            post, embedded = post_from_v1(record, SOURCE)
        except TweetRecordError as error:
            skipped.append(Skipped(where, str(error)))
            continue
        parsed.append((where, post, embedded))

    result = assemble(parsed, skipped)
    if not notices and not withheld_users:
        return result
    return _apply_notices(result, notices, withheld_users)


def _apply_notices(
    result: ArchiveParse, notices: Sequence[tuple[str, PostStatus, str]], withheld_users: set[str]
) -> ArchiveParse:
    """Stub the posts that a delete/withheld notice names, wherever the notice sits."""
    status_of: dict[str, PostStatus] = {}
    for _, status, tweet_id in notices:
        # A deletion outranks a withholding: the author removed it.
        if status_of.get(tweet_id) != "deleted":
            status_of[tweet_id] = status
    known = {post.id for post in (*result.posts, *result.referenced)}
    unmatched = [
        Skipped(where, f"{status} notice for tweet {tweet_id}, which is not in this file")
        for where, status, tweet_id in notices
        if tweet_id not in known
    ]

    def apply(post: Post) -> Post:
        status = status_of.get(post.id)
        if status is None and post.author_id in withheld_users:
            status = "withheld"
        if status is None or post.status == "deleted":
            return post
        return as_stub(post, status)

    return ArchiveParse(
        posts=tuple(map(apply, result.posts)),
        referenced=tuple(map(apply, result.referenced)),
        skipped=(*result.skipped, *unmatched),
    )


# ------------------------------------------------------------------------------ sniff


def first_json_value(text: str) -> object | None:
    """The first JSON value of a document, array or JSON-lines file, decoding no more.

    Sniffing runs for every format on every file, so it reads one record, not the file.
    The code is shared with the Mastodon and Bluesky sniffers; the parameters keep
    what this one (and TAGS JSON, which uses it) did before they were merged: any
    white space may follow "[", only an array or an object is read, and a first
    value nested too deeply to decode raises `RecursionError`.
    """
    return _json.first_json_value(
        text, array_whitespace=None, objects_only=True, raise_on_deep_nesting=True
    )


def looks_like_v1_tweet(value: object) -> bool:
    """A v1.1 tweet: string id, text, a user with a screen_name, the v1 date format.

    The date format is what sets it apart: v2, Mastodon and Bluesky all use ISO 8601,
    and TAGS rows, which share the date, have `from_user` rather than a user object.
    """
    obj = _mapping(value)
    if obj is None or not isinstance(obj.get("id_str"), str):
        return False
    if not any(isinstance(obj.get(key), str) for key in ("text", "full_text")):
        return False
    user = _mapping(obj.get("user"))
    created_at = obj.get("created_at")
    return (
        user is not None
        and isinstance(user.get("screen_name"), str)
        and isinstance(created_at, str)
        and _TWITTER_DATE.match(created_at) is not None
    )


def _is_stream_message(value: object) -> bool:
    obj = _mapping(value)
    return (
        obj is not None
        and len(obj) == 1
        and next(iter(obj)) in _SNIFFABLE_STREAM_MESSAGES
        and _mapping(next(iter(obj.values()))) is not None
    )


def sniff(text: str, filename: str) -> bool:
    """A v1.1 tweet, a search page of them, or a stream capture starting with a notice."""
    first = first_json_value(text)
    envelope = _mapping(first)
    if envelope is not None and isinstance(envelope.get("statuses"), list):
        statuses = envelope["statuses"]
        if statuses:
            return looks_like_v1_tweet(statuses[0])
        return "search_metadata" in envelope
    return looks_like_v1_tweet(first) or _is_stream_message(first)


FORMATS = (ArchiveFormat("twitter-v1", "Twitter API v1.1 JSON", sniff, parse),)
