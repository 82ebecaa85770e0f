"""Twitter API v2 archives, as twarc2 writes them.

Organisers collected chats with twarc2 in several shapes, often without knowing which:
- search/lookup output: JSON lines, each a response page
  `{"data": [...], "includes": {...}, "meta": ..., "errors": [...], "__twarc": ...}`;
- filter-stream output: the same, but `data` is one tweet plus `matching_rules`;
- `twarc2 flatten` output: one tweet a line with `author`, `in_reply_to_user`,
  `attachments.media` and `referenced_tweets` expanded in place;
- compliance-job output: `{"id", "action": "delete", "reason"}` lines;
- a single (pretty-printed) page, or a JSON array of pages or tweets.
Flattened tweets are turned back into one-tweet pages, so a single code path reads all.

Why the parse is two passes (collect, then build): a tweet can be in `data` on one page
and in `includes.tweets` on another, edits of one tweet arrive under different ids, and
a deleted tweet is only known from an `errors` entry. Deciding which record is a post,
which is context, and what a reference points at needs the whole file.

Decisions a reader of a chat page would otherwise trip over:
- Edits: every version of an edited tweet has its own id, grouped by
  `edit_history_tweet_ids`. Only the newest version present in the file is kept, and
  every `reply_to_id`/`quote_of_id`/`repost_of_id` naming an older version is rewritten
  to the newest id (the model has no alias table, so references are resolved here). If
  any version was in `data`, the newest one is a post; otherwise it is context.
- Dedup: one post per id; `data` wins over `includes.tweets`, a post is never repeated
  in `referenced`, and the first copy of a tweet in the file is the one read.
- Withheld: a tweet-level `withheld` object, or Twitter's placeholder text with its
  "Learn more" notice link (what v2 returns for suspended or media-policy accounts), gives
  status "withheld". The text is kept, so the renderer, which owns placeholders, decides.
- Deleted: `errors` entries ("Not Found Error" → "deleted", "Authorization Error" →
  "withheld") become stubs in `referenced` when a post points at that id, so the quote or
  reply renders a placeholder; a *requested* tweet that is gone (`ids`) is Skipped.
- Text: v2 `text` is HTML-escaped and its entity offsets count code points. The raw text
  is split at the t.co links first, then each piece is unescaped, so offsets stay valid;
  links move to their unwound (else expanded) URL and media links leave the text to
  become `Media`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from generator.archives import _json
from generator.archives.posts import (
    media_kind,
    retweeted_handle,
    status_link,
    status_url,
    unique_by_url,
)
from generator.archives.registry import ArchiveFormat
from generator.core.pickling import fast_pickle
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

SOURCE = "twitter-v2"

JsonObject = dict[str, Any]
_LinkOrMedia = TypeVar("_LinkOrMedia", Link, Media)

# Snowflake ids carry their creation time: (id >> 22) ms after this epoch. Ids below
# 2**42 are pre-November-2010 sequential ids (the last was about 3e10) and carry none.
_SNOWFLAKE_EPOCH_MS = 1288834974657
_FIRST_SNOWFLAKE = 1 << 42

# Keys that only other formats' records have: v1.1 (`id_str`, `user`, `full_text`,
# `retweeted_status`, search `statuses`), Mastodon (`content`, `account`) and Bluesky
# (`uri`, `cid`, `record`). v2 objects never carry them.
_FOREIGN_KEYS = frozenset(
    {"id_str", "user", "full_text", "retweeted_status", "statuses"}
    | {"content", "account", "uri", "cid", "record"}
)

_KEY_KINDS: Mapping[str, MediaKind] = {"3": "photo", "7": "video", "16": "gif"}
# What follows the tweet id in the permalink of a tweet's photo or video.
_MEDIA_PATH = re.compile(r"^/(photo|video)/\d+", re.IGNORECASE)
_NOTICE_HOSTS = frozenset({"support.twitter.com", "help.twitter.com"})
_ERROR_STATUS: Mapping[str, PostStatus] = {
    "Not Found Error": "deleted",
    "Authorization Error": "withheld",
}
_SNIFF_LINES = 5
_COMPLIANCE = "compliance event"


class _Unusable(Exception):
    """One tweet cannot become a Post; the caller records it as Skipped and goes on."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Page:
    """One response page (or one flattened tweet, re-nested into a page)."""

    where: str
    data: tuple[JsonObject, ...]
    users: Mapping[str, JsonObject]
    tweets: tuple[JsonObject, ...]
    media: Mapping[str, JsonObject]
    errors: tuple[JsonObject, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Seen:
    """A tweet together with the page it came from, whose `includes` describe it."""

    tweet: JsonObject
    page: _Page


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Gone:
    """What an `errors` entry says about a tweet the API could not return."""

    status: PostStatus
    reason: str


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Archive:
    """Everything collected from the file before any Post is built."""

    posts: Mapping[str, _Seen]  # from `data`, first copy wins, file order
    context: Mapping[str, _Seen]  # from `includes.tweets`, first copy wins, file order
    users: Mapping[str, JsonObject]  # every user in the file, first copy wins
    media: Mapping[str, JsonObject]  # every media object in the file, first copy wins
    newest: Mapping[str, str]  # any edited version's id -> newest version in the file
    gone: Mapping[str, _Gone]  # tweet id -> why the API did not return it


@fast_pickle
@dataclass(frozen=True, slots=True)
class _Text:
    """A tweet's text with its links resolved, and the media links taken out of it."""

    text: str
    links: tuple[Link, ...]
    media_links: tuple[tuple[str, str | None], ...]  # (expanded URL, media_key)
    has_notice: bool  # Twitter's own "Learn more" placeholder link


# --------------------------------------------------------------------------- helpers


def _obj(value: object) -> JsonObject:
    """The value if it is a JSON object, else an empty one: input is never trusted."""
    return value if isinstance(value, dict) else {}


def _objs(value: object) -> list[JsonObject]:
    """The JSON objects in a list, ignoring anything else (v2 can hold `{}` or nulls)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _tweet_id(value: object) -> str | None:
    """Ids as strings. Integers are accepted because Python's json keeps them exact."""
    if isinstance(value, str) and value.isdigit():
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return None


def _id_order(tweet_id: str) -> tuple[int, str]:
    """Numeric order of digit strings without int(): later snowflakes are later edits."""
    return (len(tweet_id), tweet_id)


def _strs(value: object) -> list[str]:
    """The non-empty strings in a list; a bare string is not a list of one."""
    return (
        [item for item in value if isinstance(item, str) and item]
        if isinstance(value, list)
        else []
    )


def _parse_time(value: object) -> datetime | None:
    """created_at as aware UTC; the v2 API documents it as UTC, so no offset means UTC."""
    try:
        return _json.utc_timestamp(value, "created_at")
    except _json.Unusable:
        return None


def _snowflake_time(tweet_id: str) -> datetime | None:
    number = int(tweet_id)
    if number < _FIRST_SNOWFLAKE:
        return None
    milliseconds = (number >> 22) + _SNOWFLAKE_EPOCH_MS
    try:
        return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):  # a made-up id far past year 9999
        return None


# --------------------------------------------------------------------------- reading


def _unflatten(tweet: JsonObject) -> tuple[list[JsonObject], list[JsonObject], list[JsonObject]]:
    """Users, tweets and media that `twarc2 flatten` embedded in a tweet, as includes."""
    users = [_obj(tweet.get("author")), _obj(tweet.get("in_reply_to_user"))]
    users += _objs(_obj(tweet.get("entities")).get("mentions"))
    media = _objs(_obj(tweet.get("attachments")).get("media"))
    tweets: list[JsonObject] = []
    for reference in _objs(tweet.get("referenced_tweets")):
        # Unexpanded references are just {type, id}; expanded ones are whole tweets.
        if "text" in reference or "note_tweet" in reference:
            tweets.append(reference)
            more_users, more_tweets, more_media = _unflatten(reference)
            users += more_users
            tweets += more_tweets
            media += more_media
    return users, tweets, media


def _page(
    where: str,
    data: Sequence[JsonObject],
    users: Sequence[JsonObject],
    tweets: Sequence[JsonObject],
    media: Sequence[JsonObject],
    errors: Sequence[JsonObject],
) -> _Page:
    users_by_id: dict[str, JsonObject] = {}
    for user in users:
        user_id = _tweet_id(user.get("id"))
        if user_id and _str(user.get("username")):
            users_by_id.setdefault(user_id, user)
    media_by_key: dict[str, JsonObject] = {}
    for item in media:
        key = _str(item.get("media_key"))
        if key:
            media_by_key.setdefault(key, item)
    return _Page(where, tuple(data), users_by_id, tuple(tweets), media_by_key, tuple(errors))


def _is_v2_tweet(value: object) -> bool:
    """Shape of a v2 tweet: string id, text, and none of the other formats' keys."""
    if not isinstance(value, dict) or _FOREIGN_KEYS.intersection(value):
        return False
    has_text = isinstance(value.get("text"), str) or isinstance(value.get("note_tweet"), dict)
    return isinstance(value.get("id"), str) and _tweet_id(value.get("id")) is not None and has_text


def _is_compliance(value: JsonObject) -> bool:
    return isinstance(value.get("action"), str) and _tweet_id(value.get("id")) is not None


def _media_permalink(url: str) -> tuple[str, str] | None:
    """(tweet id, "photo" or "video") when `url` is the permalink of a tweet's media."""
    link = status_link(url)
    path = _MEDIA_PATH.match(link.rest) if link is not None else None
    if link is None or path is None:
        return None
    return link.tweet_id, path.group(1).lower()


def _read_record(where: str, value: object) -> _Page | Skipped | None:
    """A record as a page, as the reason it is unusable, or None when it holds nothing."""
    if not isinstance(value, dict):
        return Skipped(where, f"expected a JSON object, found {type(value).__name__}")
    if "data" in value:
        raw = value["data"]
        data = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
        # Non-objects stay as {} so that _collect reports them instead of dropping them.
        tweets = [item if isinstance(item, dict) else {} for item in data]
        includes = _obj(value.get("includes"))
        return _page(
            where,
            tweets,
            _objs(includes.get("users")),
            _objs(includes.get("tweets")),
            _objs(includes.get("media")),
            _objs(value.get("errors")),
        )
    if _is_compliance(value) and "text" not in value:
        reason = f"{_COMPLIANCE}: tweet {_tweet_id(value.get('id'))} {value['action']}"
        detail = _str(value.get("reason"))
        return Skipped(where, f"{reason} ({detail})" if detail else reason)
    if _is_v2_tweet(value):
        users, tweets, media = _unflatten(value)
        return _page(where, [value], users, tweets, media, _objs(value.get("errors")))
    if "errors" in value:
        return _page(where, [], [], [], [], _objs(value.get("errors")))
    if "meta" in value or "__twarc" in value:
        return None  # an empty result page: valid, with nothing in it
    keys = ", ".join(sorted(str(key) for key in value)[:8])
    return Skipped(where, f"not a Twitter API v2 record (keys: {keys})")


def _error_outcome(where: str, error: JsonObject) -> tuple[str, _Gone] | Skipped | None:
    """A tweet the API could not return, a problem to report, or noise to ignore.

    Errors about users, pinned tweets, media or polls do not change any post, so they
    are ignored; stream errors (disconnects) have no resource and are reported.
    """
    title = _str(error.get("title")) or "error"
    detail = _str(error.get("detail")) or ""
    resource = _str(error.get("resource_type"))
    if resource is None:
        return Skipped(where, f"{title}: {detail}" if detail else title)
    if resource != "tweet":
        return None
    tweet_id = _tweet_id(error.get("resource_id")) or _tweet_id(error.get("value"))
    if tweet_id is None:
        return None
    parameter = _str(error.get("parameter")) or ""
    problem = f"{title}: {detail}" if detail else title
    if parameter in ("ids", "id"):
        return Skipped(where, f"tweet {tweet_id}: {problem}")
    status = _ERROR_STATUS.get(title)
    if status is None:
        return None
    return tweet_id, _Gone(status, problem)


def _edit_groups(tweets: Iterator[JsonObject]) -> dict[str, set[str]]:
    """id -> every id of the same tweet, merged across all the histories in the file."""
    groups: dict[str, set[str]] = {}
    for tweet in tweets:
        ids = {_tweet_id(item) for item in _strs(tweet.get("edit_history_tweet_ids"))}
        ids.add(_tweet_id(tweet.get("id")))
        members = {item for item in ids if item is not None}
        if len(members) < 2:
            continue
        for member in list(members):
            members |= groups.get(member, set())
        for member in members:
            groups[member] = members
    return groups


def _collect(pages: Sequence[_Page]) -> tuple[_Archive, list[Skipped]]:
    posts: dict[str, _Seen] = {}
    context: dict[str, _Seen] = {}
    users: dict[str, JsonObject] = {}
    media: dict[str, JsonObject] = {}
    gone: dict[str, _Gone] = {}
    skipped: list[Skipped] = []
    for page in pages:
        for tweet in page.data:
            tweet_id = _tweet_id(tweet.get("id"))
            if tweet_id is None:
                skipped.append(Skipped(page.where, "a tweet in data has no id"))
                continue
            posts.setdefault(tweet_id, _Seen(tweet, page))
        for tweet in page.tweets:
            tweet_id = _tweet_id(tweet.get("id"))
            if tweet_id is not None:
                context.setdefault(tweet_id, _Seen(tweet, page))
        for user_id, user in page.users.items():
            users.setdefault(user_id, user)
        for key, item in page.media.items():
            media.setdefault(key, item)
        for error in page.errors:
            outcome = _error_outcome(page.where, error)
            if isinstance(outcome, Skipped):
                skipped.append(outcome)
            elif outcome is not None:
                gone.setdefault(outcome[0], outcome[1])
    groups = _edit_groups(seen.tweet for seen in (*posts.values(), *context.values()))
    newest: dict[str, str] = {}
    for tweet_id, members in groups.items():
        present = [member for member in members if member in posts or member in context]
        if present:
            newest[tweet_id] = max(present, key=_id_order)
    return _Archive(posts, context, users, media, newest, gone), skipped


# --------------------------------------------------------------------------- building


def _offset(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _locate(
    raw: str, entity: JsonObject, taken: Sequence[tuple[int, int]]
) -> tuple[int, int] | None:
    """Where a URL entity sits in the raw text.

    The offsets are trusted only when the slice is what the entity says it is: offsets
    computed on unescaped text, or on another version of the text, would otherwise cut
    words in half. Failing that, the nearest free occurrence of the short URL is used.
    """
    start, end = _offset(entity.get("start")), _offset(entity.get("end"))
    short = _str(entity.get("url"))
    display = _str(entity.get("display_url"))
    if start is not None and end is not None and start < end <= len(raw):
        given = (start, end)
        if raw[start:end] in (short, display) and _is_free(given, taken):
            return given
    if short is None:
        return None
    hint = start or 0
    candidates: list[tuple[int, int]] = []
    found = raw.find(short)
    while found != -1:
        span = (found, found + len(short))
        if _is_free(span, taken):
            candidates.append(span)
        found = raw.find(short, found + 1)
    return min(candidates, key=lambda span: abs(span[0] - hint), default=None)


def _is_free(span: tuple[int, int], taken: Sequence[tuple[int, int]]) -> bool:
    """A duplicated or overlapping entity must not splice the same characters twice."""
    return all(span[1] <= start or span[0] >= end for start, end in taken)


def _is_media_link(entity: JsonObject) -> bool:
    display = _str(entity.get("display_url")) or ""
    expanded = _str(entity.get("expanded_url")) or ""
    return (
        "media_key" in entity
        or display.startswith(("pic.twitter.com/", "pic.x.com/"))
        or _media_permalink(expanded) is not None
    )


def _is_notice(entity: JsonObject) -> bool:
    """Twitter's own "Learn more" link in placeholder text: not shortened, help-site host."""
    url = _str(entity.get("url"))
    expanded = _str(entity.get("expanded_url")) or url or ""
    return (
        url is not None
        and not url.startswith("https://t.co/")
        and urlsplit(expanded).hostname in _NOTICE_HOSTS
    )


def _start(entity: JsonObject) -> int:
    return _offset(entity.get("start")) or 0


def _expand_text(raw: str, url_entities: Sequence[JsonObject]) -> _Text:
    """Split at the link spans, unescape the pieces between, and put real URLs back.

    Splitting before unescaping keeps the code-point offsets valid: `&amp;` is five
    code points in the raw text and one after unescaping.
    """
    spans: list[tuple[int, int, JsonObject]] = []
    taken: list[tuple[int, int]] = []
    for entity in sorted(url_entities, key=_start):
        span = _locate(raw, entity, taken)
        if span is not None:
            spans.append((span[0], span[1], entity))
            taken.append(span)
    spans.sort(key=lambda item: item[0])

    pieces: list[str] = []
    links: list[Link] = []
    media_links: list[tuple[str, str | None]] = []
    has_notice = False
    cursor = 0
    for start, end, entity in spans:
        pieces.append(html.unescape(raw[cursor:start]))
        cursor = end
        if _is_notice(entity):
            # Labelled link ("Learn more"): keep the label, list the target.
            has_notice = True
            label = html.unescape(raw[start:end])
            pieces.append(label)
            target = _str(entity.get("expanded_url")) or _str(entity.get("url")) or ""
            links.append(Link(target, label))
        elif _is_media_link(entity):
            expanded = _str(entity.get("expanded_url")) or _str(entity.get("url")) or ""
            media_links.append((expanded, _str(entity.get("media_key"))))
            if pieces and (end == len(raw) or raw[end].isspace()):
                pieces[-1] = pieces[-1].rstrip(" \t")
        else:
            target = (
                _str(entity.get("unwound_url"))
                or _str(entity.get("expanded_url"))
                or raw[start:end]
            )
            pieces.append(target)
            links.append(Link(target, _str(entity.get("display_url")) or ""))
    pieces.append(html.unescape(raw[cursor:]))
    text = "".join(pieces)
    if media_links:
        text = text.rstrip()
    return _Text(text, unique_by_url(links), tuple(media_links), has_notice)


def _media_item(item: JsonObject, fallback: str | None) -> Media | None:
    kind = media_kind(item.get("type"))
    url = _str(item.get("url")) or _str(item.get("preview_image_url")) or fallback
    if url is None:
        return None
    return Media(url, kind, _str(item.get("alt_text")) or "")


def _media(
    tweet_id: str,
    tweet: JsonObject,
    lookup: Mapping[str, JsonObject],
    media_links: Sequence[tuple[str, str | None]],
) -> tuple[Media, ...]:
    """Attachments from `includes.media`; failing that, the media links in the text.

    Only this tweet's own media links count: a retweet's text carries the original's
    photo link, and that photo belongs to the original (which is in `referenced`).
    """
    keys = _strs(_obj(tweet.get("attachments")).get("media_keys"))
    by_key = {key: expanded for expanded, key in media_links if key}
    found = [
        item
        for key in keys
        if key in lookup and (item := _media_item(lookup[key], by_key.get(key))) is not None
    ]
    if not found:
        for expanded, key in media_links:
            permalink = _media_permalink(expanded)
            if (permalink and permalink[0] == tweet_id) or (key and key in keys):
                kind = _guess_kind(key or (keys[0] if keys else ""), permalink)
                found.append(Media(expanded, kind))
    return unique_by_url(found)


def _guess_kind(media_key: str, permalink: tuple[str, str] | None) -> MediaKind:
    """Kind of a media item the file does not describe.

    Media keys start with the kind ("3_" photo, "7_" video, "16_" GIF); the permalink
    cannot tell a GIF from a photo (Twitter links both as /photo/1).
    """
    prefix = media_key.partition("_")[0]
    if prefix in _KEY_KINDS:
        return _KEY_KINDS[prefix]
    return "video" if permalink and permalink[1] == "video" else "photo"


def _user(user_id: object, page: _Page, archive: _Archive) -> JsonObject:
    """The page's own copy of a user first: the handle as it was when collected."""
    key = _tweet_id(user_id)
    if key is None:
        return {}
    return page.users.get(key) or archive.users.get(key) or {}


def _build_post(tweet_id: str, seen: _Seen, archive: _Archive) -> Post:
    tweet, page = seen.tweet, seen.page
    created_at = _parse_time(tweet.get("created_at")) or _snowflake_time(tweet_id)
    if created_at is None:
        raise _Unusable(f"tweet {tweet_id}: no usable created_at")

    author = _user(tweet.get("author_id"), page, archive) or _obj(tweet.get("author"))
    handle = _str(author.get("username")) or ""

    # Long tweets: `text` is cut at 280 characters; the note has all of it.
    note = _obj(tweet.get("note_tweet"))
    note_text = _str(note.get("text"))
    if note_text is not None:
        raw_text, entities = note_text, _obj(note.get("entities"))
    else:
        raw_text, entities = _str(tweet.get("text")) or "", _obj(tweet.get("entities"))
    expanded = _expand_text(raw_text, _objs(entities.get("urls")))

    references: dict[str, str] = {}
    for reference in _objs(tweet.get("referenced_tweets")):
        kind, target = _str(reference.get("type")), _tweet_id(reference.get("id"))
        if kind and target:
            references.setdefault(kind, archive.newest.get(target, target))

    reply_to_handle = None
    if "replied_to" in references or tweet.get("in_reply_to_user_id"):
        reply_user = _user(tweet.get("in_reply_to_user_id"), page, archive) or _obj(
            tweet.get("in_reply_to_user")
        )
        reply_to_handle = _str(reply_user.get("username"))

    withheld = isinstance(tweet.get("withheld"), dict) or expanded.has_notice
    return Post(
        id=tweet_id,
        source=SOURCE,
        created_at=created_at,
        author_handle=handle,
        author_name=_str(author.get("name")) or "",
        author_id=_tweet_id(tweet.get("author_id")) or _tweet_id(author.get("id")),
        text=expanded.text,
        url=status_url(handle, tweet_id),
        reply_to_id=references.get("replied_to"),
        reply_to_handle=reply_to_handle,
        quote_of_id=references.get("quoted"),
        repost_of_id=references.get("retweeted"),
        links=expanded.links,
        hashtags=_json.unique(
            tag for item in _objs(entities.get("hashtags")) if (tag := _str(item.get("tag")))
        ),
        mentions=_json.unique(
            name for item in _objs(entities.get("mentions")) if (name := _str(item.get("username")))
        ),
        media=_media(tweet_id, tweet, archive.media, expanded.media_links),
        status="withheld" if withheld else "ok",
    )


def _stub_handle(target: str, referrers: Sequence[Post]) -> str:
    """Who wrote a tweet the API no longer returns, from what the posts around it say."""
    for post in referrers:
        if post.reply_to_id == target and post.reply_to_handle:
            return post.reply_to_handle
        if post.repost_of_id == target and (handle := retweeted_handle(post.text)):
            return handle
        for link in post.links:
            status = status_link(link.url)
            if status and status.handle and status.tweet_id == target:
                return status.handle
    return ""


def _stubs(archive: _Archive, built: Sequence[Post]) -> list[Post]:
    """Placeholders for deleted or withheld tweets that some post replies to or quotes."""
    known = {post.id for post in built}
    referrers: dict[str, list[Post]] = {}
    for post in built:
        for target in (post.reply_to_id, post.quote_of_id, post.repost_of_id):
            if target and target not in known and target in archive.gone:
                referrers.setdefault(target, []).append(post)
    stubs = []
    for target, posts in referrers.items():
        # Snowflakes date themselves; an older tweet is at least older than its reply.
        created_at = _snowflake_time(target) or min(post.created_at for post in posts)
        handle = _stub_handle(target, posts)
        stubs.append(
            Post(
                id=target,
                source=SOURCE,
                created_at=created_at,
                author_handle=handle,
                url=status_url(handle, target),
                status=archive.gone[target].status,
            )
        )
    return stubs


def _build(archive: _Archive) -> tuple[list[Post], list[Post], list[Skipped]]:
    posts: list[Post] = []
    referenced: list[Post] = []
    skipped: list[Skipped] = []
    attempted: set[str] = set()
    for order, target in ((archive.posts, posts), (archive.context, referenced)):
        for tweet_id in order:
            newest = archive.newest.get(tweet_id, tweet_id)
            if newest in attempted:
                continue
            attempted.add(newest)
            seen = archive.posts.get(newest) or archive.context[newest]
            try:
                target.append(_build_post(newest, seen, archive))
            except _Unusable as error:
                skipped.append(Skipped(seen.page.where, str(error)))
    referenced += _stubs(archive, posts + referenced)
    return posts, referenced, skipped


# --------------------------------------------------------------------------- API


def parse(text: str, filename: str) -> ArchiveParse:
    """Read a twarc2 file; bad records are Skipped, only an unusable file raises.

    `filename` is unused: twarc2 output is recognised by content, and organisers rename
    files freely.
    """
    records = _json.json_records(text, archive="tweet archive", expected="Twitter API v2 JSON")
    skipped: list[Skipped] = []
    pages: list[_Page] = []
    recognised = False
    for where, value in records:
        outcome = value if isinstance(value, Skipped) else _read_record(_json.place(where), value)
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
            recognised = recognised or outcome.reason.startswith(_COMPLIANCE)
            continue
        recognised = True
        if outcome is not None:
            pages.append(outcome)
    if skipped and not recognised:
        first = skipped[0]
        line = int(first.where[5:]) if first.where.startswith("line ") else None
        message = f"{filename}: no Twitter API v2 records ({first.where}: {first.reason})"
        raise ArchiveFormatError(message, line)

    archive, problems = _collect(pages)
    posts, referenced, unusable = _build(archive)
    return ArchiveParse(tuple(posts), tuple(referenced), tuple(skipped + problems + unusable))


def _verdict(value: object) -> bool | None:
    """True for a v2 shape, False for anything else, None when a record cannot tell."""
    if isinstance(value, list):
        for item in value[:3]:
            verdict = _verdict(item)
            if verdict is not None:
                return verdict
        return None
    if not isinstance(value, dict) or _FOREIGN_KEYS.intersection(value):
        return False
    if "data" in value:
        raw = value["data"]
        if isinstance(raw, list):
            return _is_v2_tweet(raw[0]) if raw else "meta" in value or "__twarc" in value
        return _is_v2_tweet(raw)
    if _is_v2_tweet(value):
        return True
    if _is_compliance(value) and isinstance(value.get("created_at"), str):
        return True
    if "errors" in value and "__twarc" in value:
        return None  # a stream error line says nothing about the lines after it
    return "__twarc" in value


def sniff(text: str, filename: str) -> bool:
    """Does this look like twarc2 output? Looks at the first few records only."""
    body = text.removeprefix("\ufeff").lstrip()
    if not body or body[0] not in "[{":
        return False
    lines = [line.strip() for line in body.split("\n", 50)[:50] if line.strip()]
    if lines[0] in ("{", "["):
        # A pretty-printed document: only the whole of it is JSON, and its inner lines
        # (a bare "1500000000000000001" in a list, say) would mislead a line check.
        try:
            return _verdict(json.loads(body)) is True
        except json.JSONDecodeError:
            return False
    for line in lines[:_SNIFF_LINES]:
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue  # e.g. a stream cut off mid-line: the next line may tell
        verdict = _verdict(value) if isinstance(value, dict | list) else None
        if verdict is not None:
            return verdict
    return False


FORMATS = (ArchiveFormat(SOURCE, "Twitter API v2 JSON (twarc2)", sniff, parse),)
