"""TAGS Archive-sheet parser (CSV and JSON): real tidytags samples and spreadsheet damage."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.archives import tags, twitter_archive, twitter_v1
from generator.archives.posts import is_legacy_retweet, legacy_retweet_of
from generator.archives.tags import (
    FORMATS,
    parse_csv,
    parse_json,
    sniff_csv,
    sniff_json,
)
from generator.core.posts import ArchiveFormatError, ArchiveParse, Link, Media, Post
from tests.conftest import real_fixture

TAGS_SAMPLES = ("sample-data.csv", "sample-tweet.csv")
OTHER_FOLDERS = ("twitter-v1", "twitter-v2", "twitter-archive", "mastodon", "bluesky")
HEADER = (
    "id_str,from_user,text,created_at,time,geo_coordinates,user_lang,in_reply_to_user_id_str,"
    "in_reply_to_screen_name,from_user_id_str,in_reply_to_status_id_str,source,"
    "profile_image_url,user_followers_count,user_friends_count,user_location,status_url,"
    "entities_str"
)


def raw_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(name: str) -> tuple[list[dict[str, str]], ArchiveParse]:
    path = real_fixture(f"tags/{name}")
    return raw_rows(path), parse_csv(path.read_text(encoding="utf-8"), str(path))


def by_id(result: ArchiveParse) -> dict[str, Post]:
    return {post.id: post for post in result.posts}


def csv_text(*rows: dict[str, str], columns: tuple[str, ...] | None = None) -> str:
    names = columns or tuple(HEADER.split(","))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore", restval="NA")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def row(**cells: str) -> dict[str, str]:
    base = {
        "id_str": "1251954312772812801",
        "from_user": "alice",
        "text": "hello #chat",
        "created_at": "Sun Apr 19 19:22:23 +0000 2020",
        "time": "2020-04-19T20:22:23Z",
        "status_url": "http://twitter.com/alice/statuses/1251954312772812801",
        "entities_str": "NA",
    }
    base.update(cells)
    return base


# ----------------------------------------------------------------------- real samples


@pytest.mark.parametrize("name", TAGS_SAMPLES)
def test_every_row_becomes_one_post_with_the_exact_status_url_id(name: str) -> None:
    raw, result = load(name)
    assert result.skipped == ()
    assert len(result.posts) == len(raw) > 0
    expected = [re.search(r"/statuses/(\d+)$", r["status_url"]).group(1) for r in raw]  # type: ignore[union-attr]
    assert [post.id for post in result.posts] == expected
    assert [post.author_handle for post in result.posts] == [r["from_user"] for r in raw]
    assert [post.author_id for post in result.posts] == [r["from_user_id_str"] for r in raw]


@pytest.mark.parametrize("name", TAGS_SAMPLES)
def test_created_at_is_used_and_time_is_not(name: str) -> None:
    raw, result = load(name)
    for cells, post in zip(raw, result.posts, strict=True):
        expected = datetime.strptime(cells["created_at"], "%a %b %d %H:%M:%S %z %Y")
        assert post.created_at.tzinfo is UTC
        assert post.created_at == expected


def test_sheet_local_time_column_is_an_hour_off_in_summer() -> None:
    raw, result = load("sample-data.csv")
    post = by_id(result)["1251954312772812801"]
    sheet_time = datetime.fromisoformat(raw[0]["time"].replace("Z", "+00:00"))
    assert post.created_at == datetime(2020, 4, 19, 19, 22, 23, tzinfo=UTC)
    assert sheet_time - post.created_at == timedelta(hours=1)


@pytest.mark.parametrize("name", TAGS_SAMPLES)
def test_retweet_rows_are_legacy_retweets_without_an_invented_id(name: str) -> None:
    raw, result = load(name)
    flags = [is_legacy_retweet(post) for post in result.posts]
    assert flags == [cells["text"].startswith("RT @") for cells in raw]
    assert all(post.repost_of_id is None for post in result.posts)


@pytest.mark.parametrize("name", TAGS_SAMPLES)
def test_entities_give_hashtags_mentions_and_links(name: str) -> None:
    raw, result = load(name)
    for cells, post in zip(raw, result.posts, strict=True):
        entities = json.loads(cells["entities_str"])
        assert post.hashtags == tuple(dict.fromkeys(h["text"] for h in entities["hashtags"]))
        assert post.mentions == tuple(
            dict.fromkeys(m["screen_name"] for m in entities["user_mentions"])
        )
        for entity in entities["urls"]:
            assert entity["url"] not in post.text
            assert entity["expanded_url"] in post.text
            assert Link(entity["expanded_url"], entity["display_url"]) in post.links


def test_tco_link_is_expanded_in_text() -> None:
    _, result = load("sample-data.csv")
    post = by_id(result)["1227652243870097408"]
    assert post.text.endswith(
        "great content and great\u2026 https://twitter.com/i/web/status/1227652243870097408"
    )


def test_media_link_becomes_media_and_leaves_the_text() -> None:
    _, result = load("sample-data.csv")
    post = by_id(result)["1248064163211096064"]
    assert post.text == "RT @dtpthanh: Look like sisters? @YamChaivisit #aect19"
    assert post.media == (Media("https://pbs.twimg.com/media/EHrwskZU0AA2xdG.jpg", "photo"),)
    assert legacy_retweet_of(post) == "dtpthanh"
    assert post.url == "https://twitter.com/Patrick81040643/status/1248064163211096064"


def test_multiline_cells_survive() -> None:
    _, result = load("sample-data.csv")
    post = by_id(result)["1234206946732830720"]
    assert "Practice: \n\nhtt\u2026" in post.text
    assert post.links == ()  # "htt…" is no link


# ------------------------------------------------------------------ spreadsheet damage


def test_excel_rounded_id_is_recovered_from_status_url() -> None:
    text = csv_text(row(id_str="1.25195431277281E+18"))
    (post,) = parse_csv(text, "archive.csv").posts
    assert post.id == "1251954312772812801"


def test_status_url_in_the_new_form_works_too() -> None:
    text = csv_text(
        row(id_str="1.25195431277281E+18", status_url="https://x.com/alice/status/125195431277")
    )
    assert [p.id for p in parse_csv(text, "a.csv").posts] == ["125195431277"]


def test_rounded_id_without_status_url_is_skipped_with_the_reason() -> None:
    text = csv_text(
        row(id_str="1.25195431277281E+18", status_url="NA"),
        row(id_str="1251954312772810000", status_url=""),
        row(id_str="1251954312772812801", status_url=""),
    )
    result = parse_csv(text, "archive.csv")
    assert [p.id for p in result.posts] == ["1251954312772812801"]
    reasons = {skip.where: skip.reason for skip in result.skipped}
    assert set(reasons) == {"row 2", "row 3"}
    assert "rounded" in reasons["row 2"] and "1.25195431277281E+18" in reasons["row 2"]
    assert "rounded" in reasons["row 3"] and "status_url" in reasons["row 3"]


def test_row_with_a_missing_required_cell_is_skipped_with_the_reason() -> None:
    text = csv_text(
        row(text="NA"),
        row(id_str="2", status_url="", created_at=""),
        row(id_str="", status_url=""),
        row(id_str="4", status_url="", created_at="19/04/2020 19:22"),
        row(id_str="5", status_url="", from_user="not a handle"),
    )
    result = parse_csv(text, "archive.csv")
    assert result.posts == ()
    reasons = {skip.where: skip.reason for skip in result.skipped}
    assert "empty text" in reasons["row 2"]
    assert "empty created_at" in reasons["row 3"]
    assert "no tweet id" in reasons["row 4"]
    assert "created_at" in reasons["row 5"] and "19/04/2020 19:22" in reasons["row 5"]
    assert "from_user" in reasons["row 6"]


def test_untrustworthy_reply_and_author_ids_are_dropped_not_guessed() -> None:
    text = csv_text(
        row(
            in_reply_to_status_id_str="1.25195431277281E+18",
            in_reply_to_screen_name="bob",
            from_user_id_str="922536306437181000",
        ),
        row(
            id_str="2",
            status_url="",
            in_reply_to_status_id_str="1251954312772812801",
            from_user_id_str="14215524",
        ),
    )
    first, second = parse_csv(text, "a.csv").posts
    assert (first.reply_to_id, first.reply_to_handle, first.author_id) == (None, "bob", None)
    assert (second.reply_to_id, second.author_id) == ("1251954312772812801", "14215524")


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("Q&amp;A: tea &amp; biscuits", "Q&A: tea & biscuits"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("CPD &gt; nothing, 3 &lt; 4", "CPD > nothing, 3 < 4"),
        # The tweet itself said "&amp;": v1.1 escaped it once, so it is decoded once.
        ("write &amp;amp; in HTML", "write &amp; in HTML"),
        ("a bare Q&A survives", "a bare Q&A survives"),
    ],
)
def test_text_is_decoded_from_the_v1_1_escaping_exactly_once(cell: str, said: str) -> None:
    (post,) = parse_csv(csv_text(row(text=cell)), "a.csv").posts
    assert post.text == said
    assert post.html is None  # plain text: the page escapes it
    (from_json,) = parse_json(json.dumps([row(text=cell)]), "a.json").posts
    assert from_json.text == said


def test_links_are_matched_by_url_not_by_escaped_indices() -> None:
    entities = {
        "hashtags": [{"text": "chat", "indices": [10, 15]}],
        "user_mentions": [],
        "urls": [
            {
                "url": "https://t.co/abcdefghij",
                "expanded_url": "https://example.org/",
                "display_url": "example.org",
                "indices": [20, 43],  # off by 4: a hand-edited sheet moved the text
            }
        ],
    }
    text = csv_text(
        row(text="a &amp; b #chat https://t.co/abcdefghij", entities_str=json.dumps(entities))
    )
    (post,) = parse_csv(text, "a.csv").posts
    assert post.text == "a & b #chat https://example.org/"
    assert post.links == (Link("https://example.org/", "example.org"),)


def test_without_entities_tags_come_from_the_text() -> None:
    text = csv_text(row(text="Q1 @bob #Chat https://example.org/x.", entities_str="{broken"))
    (post,) = parse_csv(text, "a.csv").posts
    assert post.hashtags == ("Chat",)
    assert post.mentions == ("bob",)
    assert post.links == (Link("https://example.org/x"),)


def test_column_order_missing_optional_columns_and_blank_rows() -> None:
    text = (
        "created_at,text,from_user,status_url\r\n"
        '"Sun Apr 19 19:22:23 +0000 2020","hi, all",@alice,'
        "http://twitter.com/alice/statuses/5\r\n"
        ",,,\r\n"
    )
    result = parse_csv(text, "a.csv")
    assert result.skipped == ()
    (post,) = result.posts
    assert (post.id, post.author_handle, post.text) == ("5", "alice", "hi, all")


def test_semicolon_csv_and_byte_order_mark() -> None:
    text = "\ufeffid_str;from_user;text;created_at\n7;alice;hi;Sun Apr 19 19:22:23 +0000 2020\n"
    assert sniff_csv(text, "export.txt")
    assert [p.id for p in parse_csv(text, "export.txt").posts] == ["7"]


def test_missing_required_column_is_a_format_error() -> None:
    with pytest.raises(ArchiveFormatError, match="from_user") as error:
        parse_csv("id_str,text,created_at\n1,hi,x\n", "a.csv")
    assert error.value.line == 1
    with pytest.raises(ArchiveFormatError, match="id_str or status_url"):
        parse_csv("from_user,text,created_at\n", "a.csv")
    with pytest.raises(ArchiveFormatError):
        parse_csv("", "a.csv")


def test_duplicate_rows_are_read_once() -> None:
    result = parse_csv(csv_text(row(), row(id_str="1.25195431277281E+18")), "a.csv")
    assert len(result.posts) == 1
    (skip,) = result.skipped
    assert skip.where == "row 3" and "first at row 2" in skip.reason


# ------------------------------------------------------------------------------ JSON


def test_json_array_of_row_objects() -> None:
    text = json.dumps([row(), row(id_str="2", status_url="NA", text="second")])
    result = parse_json(text, "archive.json")
    assert [(p.id, p.source) for p in result.posts] == [
        ("1251954312772812801", "tags-json"),
        ("2", "tags-json"),
    ]


def test_json_rows_wrapper_and_sheets_values_grid() -> None:
    rows_form = json.dumps({"rows": [row()]})
    values_form = json.dumps(
        {
            "range": "Archive!A1:R3",
            "majorDimension": "ROWS",
            "values": [
                ["id_str", "from_user", "text", "created_at", "status_url"],
                [
                    "1.25195431277281E+18",
                    "alice",
                    "hi",
                    "Sun Apr 19 19:22:23 +0000 2020",
                    "http://twitter.com/alice/statuses/1251954312772812801",
                ],
                ["9", "bob", "short row", "Sun Apr 19 19:22:24 +0000 2020"],
                [],
            ],
        }
    )
    assert [p.id for p in parse_json(rows_form, "a.json").posts] == ["1251954312772812801"]
    result = parse_json(values_form, "a.json")
    assert [p.id for p in result.posts] == ["1251954312772812801", "9"]
    assert result.skipped == ()


def test_json_number_id_is_not_trusted() -> None:
    text = json.dumps(
        [
            {
                "id_str": 1251954312772812800,
                "from_user": "a",
                "text": "x",
                "created_at": "Sun Apr 19 19:22:23 +0000 2020",
            },
            {
                "id_str": 1251954312772812800,
                "from_user": "a",
                "text": "x",
                "created_at": "Sun Apr 19 19:22:23 +0000 2020",
                "status_url": "https://twitter.com/a/status/1251954312772812801",
            },
            "not a row",
        ]
    )
    result = parse_json(text, "a.json")
    assert [p.id for p in result.posts] == ["1251954312772812801"]
    reasons = {skip.where: skip.reason for skip in result.skipped}
    assert "number" in reasons["row 2"]
    assert "expected an object" in reasons["row 4"]


def test_json_that_is_not_tags_is_a_format_error() -> None:
    with pytest.raises(ArchiveFormatError):
        parse_json('{"statuses": []}', "a.json")
    with pytest.raises(ArchiveFormatError):
        parse_json('[{"id": "1", "content": "x"}]', "a.json")
    with pytest.raises(ArchiveFormatError):
        parse_json("[1,", "a.json")


# ----------------------------------------------------------------------------- sniff


@pytest.mark.parametrize("name", TAGS_SAMPLES)
def test_sniff_csv_accepts_the_samples_under_any_name(name: str) -> None:
    text = real_fixture(f"tags/{name}").read_text(encoding="utf-8")
    assert sniff_csv(text, name)
    assert sniff_csv(text, "download.txt")
    assert not sniff_json(text, name)


@pytest.mark.parametrize("folder", OTHER_FOLDERS)
def test_sniffs_reject_every_real_sample_of_other_formats(folder: str) -> None:
    samples = sorted(p for p in real_fixture(folder).iterdir() if p.is_file() and p.suffix != ".md")
    assert samples
    for path in samples:
        text = path.read_text(encoding="utf-8")
        assert not sniff_csv(text, path.name), path.name
        assert not sniff_json(text, path.name), path.name


def test_sniff_json_accepts_each_tags_json_form() -> None:
    assert sniff_json(json.dumps([row()]), "a.json")
    assert sniff_json(json.dumps({"rows": [row()]}), "a.json")
    assert sniff_json(json.dumps({"values": [["status_url", "from_user", "created_at"]]}), "a")
    assert not sniff_json("[]", "a.json")


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "1", "created_at": "2023-01-02T03:04:05Z", "content": "<p>hi</p>",'
        ' "account": {"acct": "a"}}',
        '{"posts": [{"uri": "at://x", "record": {"$type": "app.bsky.feed.post",'
        ' "createdAt": "2023-01-02T03:04:05Z"}}], "cursor": "1"}',
        '{"data": [{"id": "1", "text": "hi", "created_at": "2020-04-19T19:22:23.000Z"}],'
        ' "includes": {"users": []}}',
        '{"id_str": "1", "text": "hi", "created_at": "Sun Apr 19 19:22:23 +0000 2020",'
        ' "user": {"screen_name": "a"}}',
        "window.YTD.tweets.part0 = []",
        "id,author,text,date\n1,a,hi,2020\n",
    ],
)
def test_sniffs_reject_other_formats(text: str) -> None:
    assert not sniff_csv(text, "archive.csv")
    assert not sniff_json(text, "archive.json")


def test_registry_entries() -> None:
    assert [(f.name, f.sniff, f.parse) for f in FORMATS] == [
        ("tags-csv", sniff_csv, parse_csv),
        ("tags-json", sniff_json, parse_json),
    ]


def test_exactly_one_twitter_format_claims_each_real_sample() -> None:
    formats = (*twitter_v1.FORMATS, *twitter_archive.FORMATS, *tags.FORMATS)
    expected = {
        "twitter-v1": "twitter-v1",
        "twitter-archive": "twitter-archive",
        "tags": "tags-csv",
    }
    for folder, name in expected.items():
        for path in sorted(real_fixture(folder).iterdir()):
            if path.name in {"account.js", "manifest.js"}:
                continue  # archive side files: read for the owner, never parsed as posts
            text = path.read_text(encoding="utf-8")
            claimed = [f.name for f in formats if f.sniff(text, path.name)]
            assert claimed == [name], path.name


def test_decoded_text_reaches_page_feed_and_search_as_said(
    tmp_site: Callable[[Mapping[str, str | bytes]], Path],
) -> None:
    """What the tweet said (`tea & biscuits`, a literal `&amp;`) is what a reader sees
    on the chat page, in the write-up feed and in site search: never `&amp;amp;`."""
    from lxml import html as lxml_html

    from generator import build
    from tests.calendar_fixtures import parse_feed
    from tests.conftest import NOW, chat_md
    from tests.test_search import indexed_pages

    cell = "Q1 tea &amp; biscuits &lt;3, or &gt; 2? write &amp;amp; #chat"
    said = "Q1 tea & biscuits <3, or > 2? write &amp; #chat"
    source = tmp_site(
        {
            "content/chats/c/index.md": chat_md(
                "Tea", "2020-04-19T20:00", body='Quoted:\n\n{{< post "5" >}}\n', archive="[a.csv]"
            ),
            "content/chats/c/a.csv": csv_text(
                row(
                    text=cell,
                    id_str="5",
                    status_url="http://twitter.com/alice/statuses/5",
                    created_at="Sun Apr 19 19:10:00 +0000 2020",
                )
            ),
        }
    )
    out = source / "output"
    build(source, out, NOW)
    page = lxml_html.fromstring((out / "chats/c/index.html").read_bytes())
    shown = [" ".join(e.text_content().split()) for e in page.xpath("//blockquote")]
    assert said in shown
    in_archive = page.xpath("//article[@id='post-5']//div[@class='post-text']")[0]
    assert in_archive.text_content().strip() == said
    [entry] = parse_feed(out / "feeds/write-ups.xml").entries
    quoted = lxml_html.fromstring(entry.content[0].value).xpath("//blockquote/p")[0]
    assert quoted.text_content() == said
    content = str(indexed_pages(out)["/chats/c/"]["content"])
    assert "tea & biscuits" in content and "write &amp; #chat" in content
    assert "&amp;amp;" not in content
