"""TAGS (Twitter Archiving Google Sheet, v6.1) exports: the Archive sheet as CSV or JSON.

Many hashtag chats were archived with TAGS, and what survives is a download of its
Archive sheet. A spreadsheet is a lossy carrier for tweets, and the parser is shaped
by the ways it loses:
- Ids: Sheets and Excel keep 15 significant digits, so `id_str` often arrives as
  `1.25195431277281E+18` or as digits ending in zeros. The id inside `status_url` is
  text and survives, so it is preferred; `id_str` is used only when it is all digits
  and not visibly rounded; otherwise the row is skipped with the reason (a wrong id
  would link a chat post to a stranger's tweet). The same test guards reply and
  author ids, which are simply left out when untrustworthy.
- Time: `time` is rendered in the sheet's own time zone (the tidytags samples run an
  hour ahead in BST) even when it ends in "Z". `created_at` is Twitter's UTC string.
- Text: the cell holds the v1.1 search API's `text` as it came, HTML-escaped (`&amp;`,
  `&lt;`, `&gt;`), and `entities_str` is the v1.1 entities JSON. The text is decoded
  exactly once, by the same `expand_text` the v1.1 reader uses (split at the links
  first, then unescape), so a tweet that said `&amp;` keeps saying `&amp;`. Sheets are
  edited by hand, so t.co links are matched by their `url` string, never by index.
- Columns: order varies between TAGS versions and hand-edited sheets, and cells are
  empty or `NA` (R's missing value, after a round trip through tidytags). Only
  `from_user`, `text`, `created_at` and an id column are required.

Retweets: TAGS stores only the truncated "RT @x: ..." text, never the original's id,
so a retweet row gets `repost_of_id=None` (a made-up id would dangle, and an empty
string would be a false id). `posts.is_legacy_retweet(post)` (which account-archive
retweets need too) tells them apart.

Rows are numbered as the spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from generator.archives import _json
from generator.archives.posts import (
    assemble,
    digit_id,
    expand_text,
    parse_twitter_datetime,
    status_url,
)
from generator.archives.registry import ArchiveFormat
from generator.core.posts import ArchiveFormatError, ArchiveParse, Post, Skipped

CSV_SOURCE = "tags-csv"
JSON_SOURCE = "tags-json"

_MISSING = frozenset({"", "NA", "N/A", "#N/A", "NULL", "null", "None"})
_ID_COLUMNS = ("id_str", "status_url")
_REQUIRED = ("from_user", "text", "created_at")
_STATUS_ID = re.compile(r"/status(?:es)?/(\d+)")
_HANDLE = re.compile(r"^@?([A-Za-z0-9_]{1,50})$")
# Spreadsheets keep 15 significant digits; beyond that, digits come back as zeros.
_SIGNIFICANT_DIGITS = 15

Row = Mapping[str, object]


class _RowError(ValueError):
    """A row that cannot become a post; reported as Skipped."""


def _cell(row: Row, column: str) -> str | None:
    """A cell's text, or None when empty or a spreadsheet's missing marker."""
    value = row.get(column)
    if value is None or isinstance(value, bool):
        return None
    text = value if isinstance(value, str) else str(value)
    stripped = text.strip()
    return None if stripped in _MISSING else text


def _looks_rounded(digits: str) -> bool:
    tail = digits[_SIGNIFICANT_DIGITS:]
    return bool(tail) and set(tail) == {"0"}


def _trusted_id(row: Row, column: str) -> str | None:
    """An id cell a spreadsheet has visibly not damaged, or None."""
    value = row.get(column)
    if not isinstance(value, str):
        return None  # a number has been through a float somewhere
    digits = digit_id(value)
    return digits if digits is not None and not _looks_rounded(digits) else None


def _row_id(row: Row) -> str:
    url = _cell(row, "status_url")
    if url is not None:
        match = _STATUS_ID.search(url)
        if match is not None:
            return match.group(1)
    raw = row.get("id_str")
    shown = _cell(row, "id_str")
    if shown is None:
        if url is not None:
            raise _RowError(f"status_url {url!r} has no /status/ID and id_str is empty")
        raise _RowError("no tweet id: id_str and status_url are both empty")
    if not isinstance(raw, str):
        raise _RowError(
            f"id_str {shown} is a number, not text, so it may have been rounded; "
            "no status_url to recover the exact id"
        )
    digits = digit_id(raw)
    if digits is None:
        raise _RowError(
            f"id_str {shown.strip()!r} was rounded by a spreadsheet and there is no "
            "status_url to recover the exact id"
        )
    if _looks_rounded(digits):
        raise _RowError(
            f"id_str {digits} looks rounded to {_SIGNIFICANT_DIGITS} digits by a spreadsheet "
            "and there is no status_url to recover the exact id"
        )
    return digits


def _created_at(value: str) -> datetime:
    """Twitter's created_at; an ISO time with an explicit zone is accepted as well."""
    try:
        return parse_twitter_datetime(value)
    except ValueError as twitter_error:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise twitter_error from None
        if parsed.tzinfo is None:
            raise twitter_error from None  # a zone-less time is the sheet's, not UTC
        return parsed.astimezone(UTC)


def _entities(row: Row) -> Mapping[str, Any] | None:
    """The row's v1.1 entities, or None (then tags come from the text)."""
    raw = _cell(row, "entities_str")
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return None  # cells cap at 50,000 characters; a cut-off JSON is no entities
    return value if isinstance(value, Mapping) else None


def post_from_row(row: Row, source: str) -> Post:
    """One Archive-sheet row -> Post; `_RowError` says why a row cannot be one."""
    tweet_id = _row_id(row)
    missing = [column for column in _REQUIRED if _cell(row, column) is None]
    if missing:
        raise _RowError(f"tweet {tweet_id}: empty {', '.join(missing)}")
    handle_cell = str(_cell(row, "from_user")).strip()
    handle_match = _HANDLE.match(handle_cell)
    if handle_match is None:
        raise _RowError(f"tweet {tweet_id}: from_user {handle_cell!r} is not a Twitter handle")
    handle = handle_match.group(1)
    created_raw = str(_cell(row, "created_at"))
    try:
        created_at = _created_at(created_raw)
    except ValueError as error:
        raise _RowError(f"tweet {tweet_id}: created_at: {error}") from None

    entities = _entities(row)
    expanded = expand_text(
        str(_cell(row, "text")),
        entities,
        _media_of(entities),
        escaped=True,
        use_indices=False,
    )
    reply_to_handle = _cell(row, "in_reply_to_screen_name")
    return Post(
        id=tweet_id,
        source=source,
        created_at=created_at,
        author_handle=handle,
        author_id=_trusted_id(row, "from_user_id_str"),
        text=expanded.text,
        url=status_url(handle, tweet_id),
        reply_to_id=_trusted_id(row, "in_reply_to_status_id_str"),
        reply_to_handle=reply_to_handle.strip().lstrip("@") if reply_to_handle else None,
        links=expanded.links,
        hashtags=expanded.hashtags,
        mentions=expanded.mentions,
        media=expanded.media,
    )


def _media_of(entities: Mapping[str, Any] | None) -> Sequence[Any]:
    media = (entities or {}).get("media")
    return media if isinstance(media, list) else ()


def _parse_rows(rows: Iterable[tuple[int, Row | None]], source: str) -> ArchiveParse:
    parsed: list[tuple[str, Post, Sequence[Post]]] = []
    skipped: list[Skipped] = []
    for number, row in rows:
        where = f"row {number}"
        if row is None:
            skipped.append(Skipped(where, "expected an object of column: value"))
            continue
        if all(_cell(row, column) is None for column in row):
            continue  # blank rows: spreadsheets leave them at the end
        try:
            parsed.append((where, post_from_row(row, source), ()))
        except _RowError as error:
            skipped.append(Skipped(where, str(error)))
    return assemble(parsed, skipped)


def _normalise_header(header: Sequence[object]) -> list[str]:
    return [str(name).strip().lstrip("\ufeff").lower() for name in header]


def _check_header(columns: Sequence[str]) -> None:
    missing = [column for column in _REQUIRED if column not in columns]
    if not any(column in columns for column in _ID_COLUMNS):
        missing.insert(0, "id_str or status_url")
    if missing:
        found = ", ".join(columns[:20]) or "nothing"
        raise ArchiveFormatError(
            f"expected TAGS Archive columns {', '.join(missing)}; the header has: {found}",
            line=1,
        )


def _has_tags_header(columns: Sequence[str]) -> bool:
    wanted = {"from_user", "created_at"}
    return wanted <= set(columns) and any(column in columns for column in _ID_COLUMNS)


# ------------------------------------------------------------------------------- CSV


def _delimiter_for(header_line: str) -> str:
    """Comma, or the semicolon/tab that some Excel locales save with."""
    for delimiter in (",", ";", "\t"):
        columns = _normalise_header(next(csv.reader([header_line], delimiter=delimiter), []))
        if _has_tags_header(columns):
            return delimiter
    return ","


def parse_csv(text: str, filename: str) -> ArchiveParse:
    """The Archive sheet downloaded as CSV (or round-tripped through R/Excel)."""
    body = text.lstrip("\ufeff")
    first_line = body.split("\n", 1)[0].rstrip("\r")
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=_delimiter_for(first_line))
    try:
        header = next(reader, None)
        if header is None:
            raise ArchiveFormatError("the file is empty", line=1)
        columns = _normalise_header(header)
        _check_header(columns)
        rows = [
            (number, dict(zip(columns, cells, strict=False)))
            for number, cells in enumerate(reader, start=2)
        ]
    except csv.Error as error:
        raise ArchiveFormatError(f"not valid CSV: {error}", line=reader.line_num) from None
    return _parse_rows(rows, CSV_SOURCE)


def sniff_csv(text: str, filename: str) -> bool:
    """The header names TAGS columns; the file name is not trusted."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if first_line.lstrip().startswith(("{", "[")):
        return False
    columns = _normalise_header(
        next(csv.reader([first_line], delimiter=_delimiter_for(first_line)), [])
    )
    return _has_tags_header(columns)


# ------------------------------------------------------------------------------ JSON


def _json_rows(document: object) -> list[tuple[int, Row | None]]:
    """Rows from an array of row objects, `{"rows": [...]}`, or Sheets `{"values": [...]}`.

    Numbered like the sheet (header = row 1) so a reported row can be found in it.
    """
    if isinstance(document, Mapping) and isinstance(document.get("values"), list):
        grid = document["values"]
        if not grid or not isinstance(grid[0], list):
            raise ArchiveFormatError("`values` has no header row")
        columns = _normalise_header(grid[0])
        _check_header(columns)
        # The Sheets API drops trailing empty cells, so short rows are normal.
        return [
            (number, dict(zip(columns, cells, strict=False)) if isinstance(cells, list) else None)
            for number, cells in enumerate(grid[1:], start=2)
        ]
    if isinstance(document, Mapping) and isinstance(document.get("rows"), list):
        document = document["rows"]
    if not isinstance(document, list):
        raise ArchiveFormatError(
            'expected an array of TAGS rows, {"rows": [...]} or {"values": [[...], ...]}'
        )
    rows: list[tuple[int, Row | None]] = [
        (
            number,
            {str(key).strip().lower(): value for key, value in item.items()}
            if isinstance(item, Mapping)
            else None,
        )
        for number, item in enumerate(document, start=2)
    ]
    columns = list(dict.fromkeys(key for _, row in rows if row is not None for key in row))
    if columns:
        _check_header(columns)
    return rows


def parse_json(text: str, filename: str) -> ArchiveParse:
    """The Archive sheet as JSON (published sheet, Sheets API `values`, or row objects)."""
    document = _json.decode_document(text.lstrip("\ufeff"), archive="TAGS Archive sheet")
    return _parse_rows(_json_rows(document), JSON_SOURCE)


def sniff_json(text: str, filename: str) -> bool:
    """A first row, or a `values` header, naming TAGS columns (`from_user`, not `user`)."""
    first = _json.first_json_value(text)
    if isinstance(first, Mapping):
        if isinstance(first.get("values"), list):
            grid = first["values"]
            return (
                bool(grid)
                and isinstance(grid[0], list)
                and _has_tags_header(_normalise_header(grid[0]))
            )
        if isinstance(first.get("rows"), list):
            rows = first["rows"]
            first = rows[0] if rows else None
    if not isinstance(first, Mapping):
        return False
    return _has_tags_header([str(key).strip().lower() for key in first])


FORMATS = (
    ArchiveFormat(CSV_SOURCE, "TAGS Archive sheet (CSV)", sniff_csv, parse_csv),
    ArchiveFormat(JSON_SOURCE, "TAGS Archive sheet (JSON)", sniff_json, parse_json),
)
