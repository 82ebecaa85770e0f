"""The one reader of JSON documents, arrays and JSON lines that every JSON format uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from generator.archives import _json, bluesky, mastodon, twitter_v1, twitter_v2
from generator.archives._json import decode_document, first_json_value, json_records
from generator.core.posts import ArchiveFormatError, ArchiveParse, Skipped

# Characters str.splitlines() ends a line at that JSON strings may hold raw.
SEPARATORS = ("\u2028", "\u2029", "\u0085")


def records(text: str) -> list[tuple[str, object]]:
    return json_records(text, archive="test archive", expected="test records")


def test_lines_end_only_at_newline_never_inside_a_string() -> None:
    values = [{"text": f"a{separator}b"} for separator in SEPARATORS]
    text = "\n".join(json.dumps(value, ensure_ascii=False) for value in values)
    assert records(text) == [(f"line {n}", value) for n, value in enumerate(values, start=1)]


def test_crlf_and_blank_lines_keep_physical_line_numbers() -> None:
    text = '\r\n{"a": 1}\r\n\r\n   \r\n{"a": 2}\r\n'
    assert records(text) == [("line 2", {"a": 1}), ("line 5", {"a": 2})]


def test_a_bad_line_is_a_skip_in_its_place_and_later_lines_keep_their_numbers() -> None:
    text = '{"a": 1}\n{"a": \n\n{"a": 4}'
    found = records(text)
    assert [where for where, _ in found] == ["line 1", "line 2", "line 4"]
    assert [found[0][1], found[2][1]] == [{"a": 1}, {"a": 4}]
    skip = found[1][1]
    assert isinstance(skip, Skipped) and skip.where == "line 2"
    assert skip.reason.startswith("not valid JSON") and "(column 7)" in skip.reason


def test_arrays_stand_for_their_items_in_a_document_and_on_a_line() -> None:
    assert records('[{"a": 1}, 2]') == [("item 1", {"a": 1}), ("item 2", 2)]
    assert records('{"a": 1}\n[{"b": 2}, [3]]') == [
        ("line 1", {"a": 1}),
        ("line 2, item 1", {"b": 2}),
        ("line 2, item 2", [3]),
    ]
    assert records('\ufeff{\n  "a": 1\n}') == [(_json.WHOLE_FILE, {"a": 1})]


def test_only_the_first_line_decides_between_json_lines_and_a_broken_document() -> None:
    # An empty array on line 1 holds no records, but it is a JSON line by itself.
    found = records("[]\n{broken\n{}")
    assert [where for where, _ in found] == ["line 2", "line 3"]
    assert isinstance(found[0][1], Skipped)
    with pytest.raises(ArchiveFormatError) as error:
        records("{broken\n{}")
    assert error.value.line == 1


def test_a_pretty_printed_document_with_an_error_is_refused_at_its_line() -> None:
    with pytest.raises(ArchiveFormatError) as error:
        records('[\n  {"a": 1},\n  oops\n]')
    assert error.value.line == 3


@pytest.mark.parametrize("text", ["", " \n\r\n\t", "\ufeff"])
def test_an_empty_file_is_refused(text: str) -> None:
    with pytest.raises(ArchiveFormatError, match="empty: expected test records"):
        records(text)


def test_a_file_that_is_one_string_or_number_is_refused() -> None:
    with pytest.raises(ArchiveFormatError, match="got a string") as error:
        records('\n"just text"')
    assert error.value.line == 2
    with pytest.raises(ArchiveFormatError, match="got a number"):
        records("42")


def test_deep_nesting_is_an_archive_error_not_a_recursion_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ArchiveFormatError, match="nested too deeply to be a test archive"):
        records(deep)
    with pytest.raises(ArchiveFormatError, match="nested too deeply"):
        first_json_value(deep)
    with pytest.raises(ArchiveFormatError, match="nested too deeply"):
        decode_document(deep, archive="test archive")
    # A deep line among good ones is one bad record, not a bad file.
    found = records('{"a": 1}\n' + deep + '\n{"a": 3}')
    assert [where for where, _ in found] == ["line 1", "line 2", "line 3"]
    assert isinstance(found[1][1], Skipped) and "nested too deeply" in found[1][1].reason


def test_decode_document_counts_lines_from_where_the_json_starts() -> None:
    with pytest.raises(ArchiveFormatError) as error:
        decode_document("[\n  1,\n  oops\n]", archive="x", first_line=5)
    assert error.value.line == 7


def test_first_json_value_reads_one_record_of_any_shape() -> None:
    assert first_json_value('\ufeff [ {"a": 1}, {"b": 2} ]') == {"a": 1}
    assert first_json_value('{"a": "x\u2028y"}\n{"b": 2}') == {"a": "x\u2028y"}
    assert first_json_value("[ ]") is None
    assert first_json_value("not json") is None


# --------------------------------------------------- every JSON format numbers alike

V1_TWEET = {
    "id_str": "1251954312772812801",
    "created_at": "Sun Apr 19 19:22:23 +0000 2020",
    "text": "hello",
    "user": {"id_str": "42", "screen_name": "alice"},
}
V2_PAGE = {
    "data": [
        {
            "id": "1500000000000000001",
            "text": "hello",
            "author_id": "42",
            "created_at": "2022-03-24T13:42:21.000Z",
        }
    ],
    "includes": {"users": [{"id": "42", "username": "alice"}]},
}
MASTODON_STATUS = {
    "id": "100",
    "created_at": "2024-03-01T18:00:00.000Z",
    "account": {"id": "1", "acct": "alice"},
    "content": "<p>hello</p>",
}
BLUESKY_VIEW = {
    "uri": "at://did:plc:alice/app.bsky.feed.post/3kaaaaaaaaa22",
    "author": {"did": "did:plc:alice", "handle": "alice.test"},
    "record": {"$type": "app.bsky.feed.post", "text": "hello", "createdAt": "2024-05-01T12:00Z"},
}


def with_text(kind: str, value: dict[str, Any], text: str, number: int) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(value))
    if kind == "twitter-v1":
        copy["text"], copy["id_str"] = text, f"12519543127728128{number:02}"
    elif kind == "twitter-v2":
        copy["data"][0]["text"] = text
        copy["data"][0]["id"] = f"15000000000000000{number:02}"
    elif kind == "mastodon":
        copy["content"], copy["id"] = f"<p>{text}</p>", str(number)
    else:
        copy["record"]["text"] = text
        copy["uri"] = copy["uri"].replace("3kaaaaaaaaa22", f"3k{number}aaaaaaaa22")
    return copy


FORMATS: dict[str, tuple[Callable[[str, str], ArchiveParse], dict[str, Any]]] = {
    "twitter-v1": (twitter_v1.parse, V1_TWEET),
    "twitter-v2": (twitter_v2.parse, V2_PAGE),
    "mastodon": (mastodon.parse, MASTODON_STATUS),
    "bluesky": (bluesky.parse, BLUESKY_VIEW),
}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_every_json_format_keeps_line_breaks_in_text_and_numbers_lines_alike(kind: str) -> None:
    parse, value = FORMATS[kind]
    lines = [
        json.dumps(with_text(kind, value, "one\u2028two", 1), ensure_ascii=False),
        "",
        "{broken",
        json.dumps(with_text(kind, value, "three\u2029four\u0085five", 4), ensure_ascii=False),
    ]
    result = parse("\n".join(lines), "archive.jsonl")
    assert [post.text for post in result.posts] == ["one\u2028two", "three\u2029four\u0085five"]
    assert [skip.where for skip in result.skipped] == ["line 3"]
    assert result.skipped[0].reason.startswith("not valid JSON")
