"""What the JSON archive readers share: reading the file, naming places, small value helpers.

Every JSON archive format (Mastodon, Bluesky, Twitter v1.1 and v2, the account
archive's `tweets.js`, TAGS JSON, our own posts.json) reads its file here: one
document, an array, or JSON lines, with a bad line skipped in its place and the
same words for the same problem. Each reader used to split and number lines its
own way, and the copies had drifted: two of them split lines with
`str.splitlines()`, so a post holding a raw U+2028 was cut in two and lost.

Where readers really differ (the words of an error, whether a placeholder handle
may fill in a reply's handle), the caller says so with a parameter; nothing here
knows which format it is reading.

The module is private (underscore): it is not an archive format, so `formats.py`
does not list it, and nothing outside `generator.archives` should import it. Names
inside it carry no underscore because the readers import them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final
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


# --------------------------------------------------------------------------- reading

# What a record is called where the file is one JSON object (not an array, not lines).
WHOLE_FILE: Final = ""


def decode_document(text: str, *, archive: str, first_line: int = 1) -> object:
    """One JSON document, or `ArchiveFormatError` at the line where it breaks.

    `first_line` is the file line the text starts on (the account archive's JSON
    follows a `window.YTD... =` prefix). A document nested too deeply for the
    decoder is refused in the archive's own words, never as a `RecursionError`.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ArchiveFormatError(f"JSON is nested too deeply to be a {archive}") from None
    except json.JSONDecodeError as error:
        raise ArchiveFormatError(
            f"not valid JSON: {_decode_problem(error)}", line=first_line - 1 + error.lineno
        ) from None


def json_records(text: str, *, archive: str, expected: str) -> list[tuple[str, object]]:
    """Every record of a JSON document, JSON array or JSON-lines file, named by its place.

    Places are numbered the same way for every format: a whole-file object is
    `WHOLE_FILE` (""), an item of a whole-file array "item N", a line "line N" (N
    counts physical lines, blank ones included) and an item of an array on a line
    "line N, item M". A line that is not JSON is a `Skipped` in its place, so skips
    come in file order and the lines after it keep their numbers.

    Lines end at "\n" (so "\r\n" too) and nowhere else. `str.splitlines()` also
    ends lines at U+2028, U+2029, U+0085, \x0b, \x0c and \x1c-\x1e, which JSON
    strings may hold raw: splitting there cuts a post in two and loses it.

    JSON lines are only tried when the first line is a JSON value by itself, so a
    pretty-printed document with one syntax error is reported at its real line
    instead of as a hundred unparseable "lines". A file with nothing in it, a
    whole-file string or number, and a document nested too deeply are refused:
    none of them is an archive. `archive` and `expected` finish those messages
    ("JSON is nested too deeply to be a {archive}", "the file is empty: expected
    {expected}").
    """
    body = text.removeprefix("\ufeff")
    if not body.strip(JSON_WHITESPACE):
        raise ArchiveFormatError(f"the file is empty: expected {expected}")
    try:
        document = json.loads(body)
    except RecursionError:
        raise ArchiveFormatError(f"JSON is nested too deeply to be a {archive}") from None
    except json.JSONDecodeError as whole_error:
        return _json_lines(body, whole_error)
    if not isinstance(document, dict | list):
        raise ArchiveFormatError(
            f"expected {expected}, got {type_name(document)}",
            line=body[: len(body) - len(body.lstrip(JSON_WHITESPACE))].count("\n") + 1,
        )
    return _with_items(WHOLE_FILE, document)


def _json_lines(body: str, whole_error: json.JSONDecodeError) -> list[tuple[str, object]]:
    records: list[tuple[str, object]] = []
    first = True
    for number, line in enumerate(body.split("\n"), start=1):
        if not line.strip(JSON_WHITESPACE):
            continue
        where = f"line {number}"
        was_first, first = first, False
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as error:
            if was_first:
                raise ArchiveFormatError(
                    f"not valid JSON: {_decode_problem(whole_error)}", line=whole_error.lineno
                ) from None
            reason = (
                f"not valid JSON: {_decode_problem(error)}"
                if isinstance(error, json.JSONDecodeError)
                else "JSON nested too deeply to be a record"
            )
            records.append((where, Skipped(where, reason)))
            continue
        records.extend(_with_items(where, value))
    return records


def _with_items(where: str, value: object) -> list[tuple[str, object]]:
    """An array stands for its items (one level: an array inside is a bad record)."""
    if isinstance(value, list):
        return [(join_where(where, f"item {number}"), item) for number, item in enumerate(value, 1)]
    return [(where, value)]


def _decode_problem(error: json.JSONDecodeError) -> str:
    return f"{error.msg} (column {error.colno})"


def collect_values(
    text: str,
    collect: Callable[[object, str, Found], None],
    *,
    archive: str,
    expected: str,
) -> Found:
    """Hand every record of the file to `collect` with the place it stands at.

    `collect` routes each value by its shape and must not raise for a bad record.
    Lines that are not JSON are already in `skipped`, in file order. `archive` and
    `expected` are as for `json_records`.
    """
    found = Found()
    for where, value in json_records(text, archive=archive, expected=expected):
        if isinstance(value, Skipped):
            found.skipped.append(value)
        else:
            collect(value, where, found)
    return found


def place(where: str) -> str:
    """A record's place for a message: the whole-file record is "the file"."""
    return where or "the file"


# --------------------------------------------------------------------------- sniffing


def first_json_value(text: str) -> object:
    """The file's first JSON value; for an array, its first element (or None).

    Only that value is decoded (`raw_decode` stops there): sniffing runs for every
    format on every file, so it reads one record, not the file. That is enough for
    a document, an array and JSON lines alike. A first value nested too deeply to
    decode is no archive of any format, so it is refused here rather than left to
    each sniffer.
    """
    body = text.lstrip("\ufeff" + JSON_WHITESPACE)
    decoder = json.JSONDecoder()
    try:
        if body.startswith("["):
            index = len(body) - len(body[1:].lstrip(JSON_WHITESPACE))
            if body[index : index + 1] in ("]", ""):
                return None
            value, _ = decoder.raw_decode(body, index)
            return value
        value, _ = decoder.raw_decode(body)
        return value
    except json.JSONDecodeError:
        return None
    except RecursionError:
        raise ArchiveFormatError("the file is nested too deeply to be a chat archive") from None


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
    """A JSON value's kind in JSON's words, for messages: "an array", "a string", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    for kind, words in ((dict, "an object"), (list, "an array"), (str, "a string")):
        if isinstance(value, kind):
            return words
    return "a number" if isinstance(value, int | float) else type(value).__name__


def as_mapping(value: object) -> Mapping[str, Any] | None:
    """The value if it is a JSON object, else None: input is never trusted."""
    return value if isinstance(value, Mapping) else None


def as_list(value: object) -> list[Any]:
    """The value if it is a JSON array, else an empty one."""
    return list(value) if isinstance(value, list) else []


def nonempty_text(value: object) -> str | None:
    """The value if it is a string with something other than white space in it."""
    return value if isinstance(value, str) and value.strip() else None
