"""Format detection and merging across every real sample."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.archives import formats, normalised
from generator.core.posts import ArchiveFormatError, Post
from tests.conftest import REAL_FIXTURES, ROOT, real_fixture

EXPECTED_FORMAT = {
    "bluesky": "bluesky",
    "mastodon": "mastodon",
    "tags": "tags-csv",
    "twitter-archive": "twitter-archive",
    "twitter-v1": "twitter-v1",
    "twitter-v2": "twitter-v2",
}
NOT_ARCHIVES = {"twitter-archive/account.js", "twitter-archive/manifest.js", "SOURCES.md"}


def samples() -> list[str]:
    if not REAL_FIXTURES.is_dir():
        return ["(missing)"]
    return sorted(
        p.relative_to(REAL_FIXTURES).as_posix()
        for p in REAL_FIXTURES.rglob("*")
        if p.is_file() and p.relative_to(REAL_FIXTURES).as_posix() not in NOT_ARCHIVES
    )


@pytest.mark.parametrize("rel", samples())
def test_each_real_sample_is_recognised_from_its_content(rel: str, tmp_path: Path) -> None:
    path = real_fixture(rel)
    # A neutral name: detection must not lean on the file name.
    copy = tmp_path / "export.dat"
    copy.write_bytes(path.read_bytes())
    read = formats.read_file(copy)
    assert read.format.name == EXPECTED_FORMAT[rel.split("/")[0]]


def test_non_archives_are_refused_with_the_formats_listed(tmp_path: Path) -> None:
    for rel in ("twitter-archive/account.js", "twitter-archive/manifest.js"):
        with pytest.raises(ArchiveFormatError, match="expected one of: .*TAGS"):
            formats.read_file(real_fixture(rel))
    with pytest.raises(ArchiveFormatError):
        formats.read_file(ROOT / "site.yaml")


def test_stubs_are_blanked_whatever_the_parser_kept() -> None:
    read = formats.read_file(real_fixture("twitter-v2/withheld.jsonl"))
    stubs = [p for p in (*read.parse.posts, *read.parse.referenced) if p.status != "ok"]
    assert stubs, "the sample holds withheld and deleted tweets"
    for stub in stubs:
        assert (stub.text, stub.html, stub.links, stub.media) == ("", None, (), ())


def test_merge_dedupes_by_id_and_sorts_by_time() -> None:
    csv = formats.read_file(real_fixture("tags/sample-data.csv"))
    twice = formats.merge([csv, csv])
    assert len(twice.posts) == len(csv.parse.posts)
    times = [(p.created_at, p.id) for p in twice.posts]
    assert times == sorted(times)


def test_normalised_file_round_trips_every_field() -> None:
    sources = [
        real_fixture(p)
        for p in (
            "twitter-v1/original_format_examples.json",
            "mastodon/tag.json",
            "bluesky/getAuthorFeed.json",
            "twitter-v2/media_policy_violation_on.jsonl",
        )
    ]
    merged = formats.merge(formats.read_file(p) for p in sources)
    text = normalised.dump("x", merged.posts, merged.referenced, [])
    again = formats.read_text(text, "posts.json")
    assert again.format.name == "chatwiki"
    assert again.parse.posts == merged.posts
    assert again.parse.referenced == merged.referenced
    assert normalised.dump("x", again.parse.posts, again.parse.referenced, []) == text
    doc = json.loads(text)
    assert doc["chatwiki_archive"] == 1
    assert all(isinstance(p["id"], str) for p in doc["posts"])
    assert all(p["created_at"].endswith("Z") for p in doc["posts"])


def test_normalised_file_refuses_a_newer_version_and_skips_bad_posts() -> None:
    with pytest.raises(ArchiveFormatError, match="not supported"):
        normalised.parse('{"chatwiki_archive": 2, "posts": []}', "posts.json")
    parsed = normalised.parse(
        json.dumps(
            {
                "chatwiki_archive": 1,
                "posts": [
                    {
                        "id": "1",
                        "source": "x",
                        "created_at": "2012-02-16T20:00:00Z",
                        "author_handle": "a",
                    },
                    {
                        "id": "2",
                        "source": "x",
                        "created_at": "2012-02-16T20:00:00",
                        "author_handle": "b",
                    },
                    "nonsense",
                ],
            }
        ),
        "posts.json",
    )
    assert [p.id for p in parsed.posts] == ["1"]
    assert [s.where for s in parsed.skipped] == ["posts item 2", "posts item 3"]
    assert isinstance(parsed.posts[0], Post)


def test_deeply_nested_json_is_refused_not_a_crash() -> None:
    with pytest.raises(ArchiveFormatError, match="nested too deeply"):
        formats.read_text("[" * 100_000 + "]" * 100_000, "deep.json")


def test_an_archive_that_is_not_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    """A spreadsheet export that is UTF-8 but for one pasted cell: say where."""
    path = tmp_path / "export.csv"
    path.write_bytes(b"id_str,from_user,text,created_at\r\n1,ann,fine,x\r\n2,bob,caf\xe9,x\r\n")
    with pytest.raises(ArchiveFormatError) as exc:
        formats.read_file(path)
    assert exc.value.line == 3
    assert "UTF-8" in str(exc.value)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"hashtags": None}, "hashtags"),
        ({"hashtags": ["ok", 1]}, "hashtags"),
        ({"mentions": "one"}, "mentions"),
        ({"text": 5}, "text"),
        ({"author_handle": ["a"]}, "author_handle"),
        ({"created_at": None}, "created_at"),
        ({"id": ""}, "id"),
        ({"source": 3}, "source"),
    ],
)
def test_a_normalised_post_of_the_wrong_shape_is_skipped_naming_the_key(
    change: dict[str, object], named: str
) -> None:
    """posts.json is read in one pass for speed; a field of the wrong type is still
    refused, and the skip says which key it was."""
    post = {"id": "1", "source": "x", "created_at": "2012-02-16T20:00:00Z", "author_handle": "a"}
    text = json.dumps({"chatwiki_archive": 1, "posts": [post, {**post, "id": "2", **change}]})
    parsed = normalised.parse(text, "posts.json")
    assert [p.id for p in parsed.posts] == ["1"]
    (skipped,) = parsed.skipped
    assert skipped.reason.startswith(f"{named}:")
    good = normalised.parse(json.dumps({"chatwiki_archive": 1, "posts": [post]}), "posts.json")
    assert good.posts[0] == Post("1", "x", datetime(2012, 2, 16, 20, tzinfo=UTC), "a")
