"""What the JSON archive readers share: reading the file, naming places, small value helpers.

The Bluesky and Mastodon readers accept the same kinds of file (one JSON document,
an array, or JSON lines, with a bad line skipped in its place) and report problems
in the same words, and the Twitter v1.1 and TAGS sniffers read a file's first value
the same way. These pieces were copied between the readers and had begun to drift
(a fix to one copy did not reach the others), so each now lives here once.

Where readers really differ (the words of an error, whether a placeholder handle
may fill in a reply's handle, how strict a sniffer is), the caller says so with a
parameter; nothing here knows which format it is reading.

The module is private (underscore): it is not an archive format, so `formats.py`
does not list it, and nothing outside `generator.archives` should import it. Names
inside it carry no underscore because the readers import them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

from generator.core.posts import ArchiveFormatError, ArchiveParse, Post, Skipped

JSONObject = dict[str, object]

# What JSON itself counts as white space between tokens (RFC 8259, section 2).
JSON_WHITESPACE: Final = " \t\r\n"


class Unusable(Exception):
    """One record cannot become a post; the message becomes a `Skipped` reason."""


@dataclass(slots=True)
class Found:
    """What one parse has gathered so far; lives for one `parse` call only."""

    posts: list[Post] = field(default_factory=list)
    referenced: list[Post] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# --------------------------------------------------------------------------- sniffing


def first_json_value(
    text: str,
    *,
    array_whitespace: str | None = JSON_WHITESPACE,
    objects_only: bool = False,
    raise_on_deep_nesting: bool = False,
) -> object:
    """The file's first JSON value; for an array, its first element (or None).

    Only that value is decoded (`raw_decode` stops there): sniffing runs for every
    format on every file, so it reads one record, not the file. That is enough for
    a document, an array and JSON lines alike.

    The defaults are the Bluesky and Mastodon sniffers' behaviour. The Twitter v1.1
    and TAGS sniffers (through `twitter_v1.first_json_value`) have always differed,
    and keep doing so through the parameters:
    - `array_whitespace`: what may stand between "[" and the first element; None
      is any Unicode white space (`str.lstrip()`), not only JSON's.
    - `objects_only`: a document that is neither an array nor an object gives None
      instead of its (string, number, ...) value.
    - `raise_on_deep_nesting`: a first value nested too deeply to decode raises
      `RecursionError` instead of giving None.
    """
    body = text.lstrip("\ufeff \t\r\n")
    decoder = json.JSONDecoder()
    try:
        if body.startswith("["):
            index = len(body) - len(body[1:].lstrip(array_whitespace))
            if body[index : index + 1] in ("]", ""):
                return None
            value, _ = decoder.raw_decode(body, index)
            return value
        if objects_only and not body.startswith("{"):
            return None
        value, _ = decoder.raw_decode(body)
        return value
    except json.JSONDecodeError:
        return None
    except RecursionError:
        if raise_on_deep_nesting:
            raise
        return None


# --------------------------------------------------------------------------- reading


def json_values(text: str, *, archive: str, expected: str) -> list[tuple[str, object]]:
    """The file as one JSON document, else as JSON lines (a bad line is a `Skipped`
    in its place, so skips are reported in file order).

    JSON lines are only tried when the first line is a JSON value by itself, so a
    pretty-printed file with one syntax error is reported at its real line
    instead of as a hundred unparseable "lines".

    `archive` and `expected` finish the reader's own error messages: "JSON is
    nested too deeply to be a {archive}" and "the file is empty: expected {expected}".
    """
    body = text.lstrip("\ufeff")
    try:
        return [("", json.loads(body))]
    except RecursionError as error:
        raise ArchiveFormatError(f"JSON is nested too deeply to be a {archive}") from error
    except json.JSONDecodeError as whole_error:
        document_error = whole_error
    values: list[tuple[str, object]] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append((f"line {number}", json.loads(line)))
        except (json.JSONDecodeError, RecursionError) as error:
            if not values:
                raise ArchiveFormatError(
                    f"not valid JSON: {document_error.msg}", line=document_error.lineno
                ) from error
            values.append(("", Skipped(f"line {number}", f"not valid JSON: {error}")))
    if not values:
        raise ArchiveFormatError(f"the file is empty: expected {expected}")
    return values


def collect_values(
    text: str,
    collect: Callable[[object, str, Found], None],
    *,
    archive: str,
    expected: str,
) -> Found:
    """Hand every value of the file to `collect` with the place it stands at.

    A top-level array (the whole file, or one JSON line) is handed over item by
    item; `collect` routes each value by its shape and must not raise for a bad
    record. Lines that are not JSON are already in `skipped`, in file order.
    `archive` and `expected` are as for `json_values`.
    """
    found = Found()
    for where, value in json_values(text, archive=archive, expected=expected):
        if isinstance(value, Skipped):
            found.skipped.append(value)
        elif isinstance(value, list):
            for number, item in enumerate(value, start=1):
                collect(item, join_where(where, f"item {number}"), found)
        else:
            collect(value, where, found)
    return found


def join_where(where: str, part: str) -> str:
    """A place inside a place ("line 3, item 2"); at the top of the file, just the part."""
    return f"{where}, {part}" if where else part


def finish(found: Found, *, unknown_handle: str | None = None) -> ArchiveParse:
    """De-duplicate `referenced` and fill reply handles from posts seen elsewhere.

    `unknown_handle` is the reader's placeholder for an author it could not name
    (Bluesky's "unknown"); a post with that handle never gives a reply its handle.
    None (Mastodon, which always knows its authors) lets every handle through.
    """
    post_ids = {post.id for post in found.posts}
    referenced: dict[str, Post] = {}
    for post in found.referenced:
        if post.id not in post_ids and post.id not in referenced:
            referenced[post.id] = post
    handles = {
        post.id: post.author_handle
        for post in (*found.posts, *referenced.values())
        if unknown_handle is None or post.author_handle != unknown_handle
    }
    return ArchiveParse(
        posts=tuple(with_reply_handle(post, handles) for post in found.posts),
        referenced=tuple(with_reply_handle(post, handles) for post in referenced.values()),
        skipped=tuple(found.skipped),
    )


def with_reply_handle(post: Post, handles: Mapping[str, str]) -> Post:
    """The post with `reply_to_handle` filled from `handles` when it has none yet."""
    if post.reply_to_id is None or post.reply_to_handle is not None:
        return post
    handle = handles.get(post.reply_to_id)
    return post if handle is None else replace(post, reply_to_handle=handle)


# --------------------------------------------------------------------------- values


def utc_timestamp(value: object, key: str) -> datetime:
    """An ISO 8601 time as aware UTC; a time without an offset is taken as UTC.

    Both the AT Protocol lexicon and every Mastodon-API server mean UTC (they
    send `Z`), so a missing offset is an omission, not local time. Anything else
    raises `Unusable` naming `key`.
    """
    if not isinstance(value, str):
        raise Unusable(f"{key}: expected an ISO 8601 timestamp, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise Unusable(f"{key}: expected an ISO 8601 timestamp, got {value!r}") from error


def url_scheme(url: str) -> str:
    """The URL's scheme, lowercased; "" for text urlsplit refuses (e.g. `http://[x`)."""
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""


def as_text(value: object) -> str:
    """The value if it is a string, else "": input is never trusted."""
    return value if isinstance(value, str) else ""


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """The values in order, each once (empty strings are kept)."""
    return tuple(dict.fromkeys(values))


def type_name(value: object) -> str:
    """A JSON value's kind for messages: "null" for None, else the Python type's name."""
    return "null" if value is None else type(value).__name__
