"""chatwiki's own archive file: the normalised posts of one chat, versioned JSON.

`chatwiki import` writes it (`content/chats/<slug>/posts.json`) so that a chat's
archive is kept in one documented shape in git, whatever tool produced the raw
export, and builds never re-parse five vendor formats. The format:

    {
      "chatwiki_archive": 1,              # format version; readers refuse newer ones
      "chat": "2012-02-16-mentors",       # informational
      "imported_from": [                  # what went in, for the record
        {"file": "archive.csv", "format": "tags-csv", "posts": 48, "skipped": 0}
      ],
      "posts": [Post, ...],               # sorted by created_at, then id
      "referenced": [Post, ...]           # context-only posts (quoted/reposted originals)
    }

A Post object has the fields of `generator.core.posts.Post`: `id`, `source`,
`created_at` (ISO 8601 UTC with "Z"), `author_handle` are always present; the rest
(`author_name`, `author_id`, `text`, `html`, `url`, `reply_to_id`, `reply_to_handle`,
`quote_of_id`, `repost_of_id`, `links` [{url, display}], `hashtags`, `mentions`,
`media` [{url, kind, alt}], `status`) are omitted when empty. No build time or other
varying value is written, so re-importing the same input gives identical bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, get_args

from generator.archives import _json
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

NAME = "chatwiki"
VERSION = 1
VERSION_KEY = "chatwiki_archive"
FILE_NAME = "posts.json"

_OPTIONAL_TEXT = (
    "author_name",
    "author_id",
    "text",
    "html",
    "url",
    "reply_to_id",
    "reply_to_handle",
    "quote_of_id",
    "repost_of_id",
)


@fast_pickle
@dataclass(frozen=True, slots=True)
class ImportedFrom:
    file: str
    format: str
    posts: int
    skipped: int


def post_to_json(post: Post) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": post.id,
        "source": post.source,
        "created_at": post.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "author_handle": post.author_handle,
    }
    for key in _OPTIONAL_TEXT:
        value = getattr(post, key)
        if value:
            out[key] = value
    if post.links:
        out["links"] = [{"url": link.url, "display": link.display} for link in post.links]
    if post.hashtags:
        out["hashtags"] = list(post.hashtags)
    if post.mentions:
        out["mentions"] = list(post.mentions)
    if post.media:
        out["media"] = [{"url": m.url, "kind": m.kind, "alt": m.alt} for m in post.media]
    if post.status != "ok":
        out["status"] = post.status
    return out


def dump(
    chat: str,
    posts: Sequence[Post],
    referenced: Sequence[Post],
    imported_from: Sequence[ImportedFrom],
) -> str:
    def order(p: Post) -> tuple[datetime, str]:
        return (p.created_at, p.id)

    document = {
        VERSION_KEY: VERSION,
        "chat": chat,
        "imported_from": [
            {"file": i.file, "format": i.format, "posts": i.posts, "skipped": i.skipped}
            for i in imported_from
        ],
        "posts": [post_to_json(p) for p in sorted(posts, key=order)],
        "referenced": [post_to_json(p) for p in sorted(referenced, key=order)],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _text(obj: Mapping[str, Any], key: str, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise ValueError(f"{key}: expected text, got {type(value).__name__}")
    return value


def _strings(obj: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key, ())  # absent (JSON has no tuples), else what the file says
    if value == () or (type(value) is list and not value):
        return ()
    if not isinstance(value, list) or not _TEXT.issuperset(map(type, value)):
        raise ValueError(f"{key}: expected a list of text")
    return tuple(value)


_TEXT = frozenset({str})
_TEXT_OR_NONE = frozenset({str, type(None)})
# Post's fields in their order: posts are made from a tuple of values in this order
# (below), which costs half what the frozen dataclass's keyword __init__ does. Checked
# here, once, against the class, so a field added or moved fails at import, not as
# values silently in the wrong fields.
_POST_FIELDS = (
    "id",
    "source",
    "created_at",
    "author_handle",
    *_OPTIONAL_TEXT,
    "links",
    "hashtags",
    "mentions",
    "media",
    "status",
)
if tuple(f.name for f in fields(Post)) != _POST_FIELDS:
    raise ImportError("generator.archives.normalised: Post's fields have changed")
_new_post = Post.__new__
# fast_pickle's, setting the slots in the order above (added at class creation).
_fill_post: Callable[[Post, tuple[Any, ...]], None] = getattr(Post, "__setstate__")  # noqa: B009


_STATUSES = frozenset(get_args(PostStatus))
_MEDIA_KINDS = frozenset(get_args(MediaKind))


def post_from_json(obj: Any) -> Post:
    """One post of posts.json. Run once per post of archives of 100,000 posts, so
    the common case (every field absent or text) is checked in one pass, and a
    field of the wrong type is then named by `_text`'s message."""
    if not isinstance(obj, dict):
        raise ValueError("expected a post object")
    get = obj.get
    created_text = get("created_at")
    if type(created_text) is not str or not created_text:
        created_text = _text(obj, "created_at", required=True)  # raises, naming it
        assert created_text is not None
    created = datetime.fromisoformat(created_text.replace("Z", "+00:00"))
    if created.tzinfo is None:
        raise ValueError("created_at: expected a time with a zone, like 2012-02-16T20:03:11Z")
    status = obj.get("status", "ok")
    if status not in _STATUSES:
        raise ValueError(f"status: expected one of {', '.join(get_args(PostStatus))}")
    links = []
    for item in obj.get("links", ()):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise ValueError("links: expected objects with a url")
        links.append(Link(item["url"], str(item.get("display", ""))))
    media = []
    for item in obj.get("media", ()):
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            raise ValueError("media: expected objects with a url")
        kind = item.get("kind", "other")
        media.append(
            Media(
                item["url"],
                kind if kind in _MEDIA_KINDS else "other",
                str(item.get("alt", "")),
            )
        )
    optional = tuple(map(get, _OPTIONAL_TEXT))
    if not _TEXT_OR_NONE.issuperset(map(type, optional)):
        optional = tuple(_text(obj, key) for key in _OPTIONAL_TEXT)  # raises, naming it
    post_id, source, handle = get("id"), get("source"), get("author_handle")
    if not (type(post_id) is str and post_id and type(source) is str and source):
        post_id = _text(obj, "id", required=True)  # raises, naming the key
        source = _text(obj, "source", required=True)
    if handle is not None and type(handle) is not str:
        handle = _text(obj, "author_handle")
    name, author_id, text, *rest = optional
    post = _new_post(Post)
    _fill_post(
        post,
        (
            post_id or "",
            source or "",
            created.astimezone(UTC),
            handle or "",
            name or "",
            author_id,
            text or "",
            *rest,
            tuple(links),
            hashtags if (hashtags := get("hashtags", ())) == () else _strings(obj, "hashtags"),
            mentions if (mentions := get("mentions", ())) == () else _strings(obj, "mentions"),
            tuple(media),
            status,
        ),
    )
    return post


def parse(text: str, filename: str) -> ArchiveParse:
    document = _json.decode_document(text.lstrip("\ufeff"), archive="chatwiki archive")
    if not isinstance(document, dict) or VERSION_KEY not in document:
        raise ArchiveFormatError(f"expected a chatwiki archive with a {VERSION_KEY!r} key")
    version = document[VERSION_KEY]
    if version != VERSION:
        raise ArchiveFormatError(
            f"{VERSION_KEY} {version!r} is not supported by this chatwiki (it reads version "
            f"{VERSION}); upgrade chatwiki or re-import the raw archive"
        )
    posts: list[Post] = []
    referenced: list[Post] = []
    skipped: list[Skipped] = []
    for key, into in (("posts", posts), ("referenced", referenced)):
        items = document.get(key, [])
        if not isinstance(items, list):
            raise ArchiveFormatError(f"{key}: expected a list of posts")
        for number, item in enumerate(items, start=1):
            try:
                into.append(post_from_json(item))
            except (ValueError, TypeError) as exc:
                skipped.append(Skipped(f"{key} item {number}", str(exc)))
    return ArchiveParse(tuple(posts), tuple(referenced), tuple(skipped))


def sniff(text: str, filename: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:200]
    return head.startswith("{") and f'"{VERSION_KEY}"' in head


FORMATS = (ArchiveFormat(NAME, "chatwiki normalised archive (posts.json)", sniff, parse),)
