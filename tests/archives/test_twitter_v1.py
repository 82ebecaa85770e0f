"""Twitter API v1.1 parser: every real sample, plus hand-written edge cases.

Counts and values are computed from the raw files with plain `json`, independently of
the parser, so a sample that changes upstream fails loudly instead of drifting.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator.archives.posts import expand_text, is_legacy_retweet, parse_twitter_datetime
from generator.archives.tweets import TweetRecordError, post_from_v1
from generator.archives.twitter_v1 import FORMATS, parse, sniff
from generator.core.posts import ArchiveFormatError, ArchiveParse, Link, Media, Post
from tests.conftest import real_fixture

V1_SAMPLES = (
    "extended_tweet_in_compat_mode.json",
    "extended_tweet_in_extended_mode.json",
    "get_search_geocode.json",
    "get_status_ext_alt.json",
    "get_status_with_place.json",
    "original_format_examples.json",
    "post_retweet.json",
    "public_api_sample.json",
    "status_quoted_tweet.json",
    "status_quoted_tweet_with_media.json",
    "tweets.json",
)
OTHER_FOLDERS = ("twitter-v2", "twitter-archive", "tags", "mastodon", "bluesky")


# ----------------------------------------------------------------------------- helpers


def raw_records(path: Path) -> list[dict[str, Any]]:
    """The file's tweet objects, read the obvious way (no parser code involved)."""
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if isinstance(document, list):
        return document
    if "statuses" in document:
        return list(document["statuses"])
    return [document]


def embedded_ids(tweet: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in ("retweeted_status", "quoted_status"):
        inner = tweet.get(key)
        if isinstance(inner, dict):
            found.add(inner["id_str"])
            found |= embedded_ids(inner)
    return found


def load(name: str) -> tuple[list[dict[str, Any]], ArchiveParse]:
    path = real_fixture(f"twitter-v1/{name}")
    text = path.read_text(encoding="utf-8")
    return raw_records(path), parse(text, str(path))


def by_id(result: ArchiveParse) -> dict[str, Post]:
    return {post.id: post for post in (*result.posts, *result.referenced)}


def tweet(**fields: Any) -> dict[str, Any]:
    """A minimal valid v1.1 tweet; keyword arguments override or add fields."""
    base: dict[str, Any] = {
        "id_str": "1251954312772812801",
        "created_at": "Sun Apr 19 19:22:23 +0000 2020",
        "text": "hello #chat",
        "entities": {"hashtags": [{"text": "chat", "indices": [6, 11]}], "urls": []},
        "user": {"id_str": "42", "screen_name": "alice", "name": "Alice"},
    }
    base.update(fields)
    return base


def lines(*objects: Any) -> str:
    return "\n".join(obj if isinstance(obj, str) else json.dumps(obj) for obj in objects)


# Tiny examples of the formats v1 must not claim.
MASTODON_STATUS = json.dumps(
    {
        "id": "109",
        "created_at": "2023-01-02T03:04:05.000Z",
        "content": "<p>hi <a href='https://x.test/tags/chat'>#chat</a></p>",
        "account": {"id": "1", "acct": "alice@example.social", "username": "alice"},
        "url": "https://example.social/@alice/109",
    }
)
BLUESKY_SEARCH = json.dumps(
    {
        "posts": [
            {
                "uri": "at://did:plc:abc/app.bsky.feed.post/3k",
                "cid": "bafy",
                "author": {"did": "did:plc:abc", "handle": "alice.bsky.social"},
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": "hi #chat",
                    "createdAt": "2023-11-01T10:00:00.000Z",
                },
                "indexedAt": "2023-11-01T10:00:01.000Z",
            }
        ],
        "cursor": "1",
    }
)
TWARC2_PAGE = json.dumps(
    {
        "data": [
            {
                "id": "1251954312772812801",
                "text": "hello #chat",
                "author_id": "42",
                "created_at": "2020-04-19T19:22:23.000Z",
            }
        ],
        "includes": {"users": [{"id": "42", "username": "alice", "name": "Alice"}]},
        "meta": {"result_count": 1},
    }
)
TWARC2_FLAT = json.dumps(
    {
        "id": "1251954312772812801",
        "text": "hello",
        "created_at": "2020-04-19T19:22:23.000Z",
        "author": {"id": "42", "username": "alice"},
    }
)
TAGS_JSON_ROWS = json.dumps(
    [
        {
            "id_str": "1251954312772812801",
            "from_user": "alice",
            "text": "hello",
            "created_at": "Sun Apr 19 19:22:23 +0000 2020",
        }
    ]
)
FOREIGN = {
    "mastodon": MASTODON_STATUS,
    "bluesky": BLUESKY_SEARCH,
    "twarc2-page": TWARC2_PAGE,
    "twarc2-flat": TWARC2_FLAT,
    "tags-json": TAGS_JSON_ROWS,
    "tags-csv": "id_str,from_user,text,created_at\n1,alice,hi,Sun Apr 19 19:22:23 +0000 2020\n",
    "archive": 'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1"}}]',
}


# ------------------------------------------------------------------- every real sample


@pytest.mark.parametrize("name", V1_SAMPLES)
def test_every_record_becomes_one_post_with_its_exact_id(name: str) -> None:
    raw, result = load(name)
    assert result.skipped == ()
    assert len(result.posts) == len(raw)
    assert [post.id for post in result.posts] == [item["id_str"] for item in raw]


@pytest.mark.parametrize("name", V1_SAMPLES)
def test_created_at_is_aware_utc_and_equals_the_raw_value(name: str) -> None:
    raw, result = load(name)
    for item, post in zip(raw, result.posts, strict=True):
        expected = datetime.strptime(item["created_at"], "%a %b %d %H:%M:%S %z %Y")
        assert post.created_at.utcoffset() == timedelta(0)
        assert post.created_at.tzinfo is UTC
        assert post.created_at == expected


@pytest.mark.parametrize("name", V1_SAMPLES)
def test_embedded_originals_and_quotes_are_referenced_once(name: str) -> None:
    raw, result = load(name)
    post_ids = {item["id_str"] for item in raw}
    expected = set().union(*(embedded_ids(item) for item in raw)) - post_ids
    referenced = [post.id for post in result.referenced]
    assert sorted(referenced) == sorted(expected)
    assert len(referenced) == len(set(referenced))


@pytest.mark.parametrize("name", V1_SAMPLES)
def test_text_is_plain_and_every_url_in_it_is_a_link(name: str) -> None:
    _, result = load(name)
    for post in (*result.posts, *result.referenced):
        assert not re.search(r"&(amp|lt|gt|quot|#\d+);", post.text), post.id
        urls = {link.url for link in post.links}
        for match in re.finditer(r"https?://[^\s\u2026]+", post.text):
            if post.text.startswith("\u2026", match.end()):
                continue  # cut off by Twitter's truncation
            assert match.group(0).rstrip(".,;:!?") in urls, (post.id, match.group(0))


@pytest.mark.parametrize("name", V1_SAMPLES)
def test_media_links_are_removed_and_other_tco_links_expanded(name: str) -> None:
    raw, result = load(name)
    posts = by_id(result)
    for item in raw:
        post = posts[item["id_str"]]
        source = item.get("extended_tweet", item)
        entities = source.get("entities") or {"urls": item.get("urls", [])}
        for entity in entities.get("urls", []):
            assert Link(entity["expanded_url"], entity.get("display_url", "")) in post.links
            if entity["url"] in source.get("full_text", source.get("text", "")):
                assert entity["url"] not in post.text
        media = source.get("extended_entities", entities).get("media", [])
        assert len(post.media) == len({m["media_url_https"] for m in media})
        for entity in media:
            assert entity["url"] not in post.text


@pytest.mark.parametrize("name", V1_SAMPLES)
def test_sniff_accepts_every_v1_sample(name: str) -> None:
    path = real_fixture(f"twitter-v1/{name}")
    assert sniff(path.read_text(encoding="utf-8"), path.name)


@pytest.mark.parametrize("folder", OTHER_FOLDERS)
def test_sniff_rejects_every_real_sample_of_other_formats(folder: str) -> None:
    directory = real_fixture(folder)
    samples = sorted(
        p for p in directory.iterdir() if p.suffix in {".json", ".jsonl", ".js", ".csv"}
    )
    assert samples
    for path in samples:
        assert not sniff(path.read_text(encoding="utf-8"), path.name), path.name


# ------------------------------------------------------------ what a reader would notice


def test_retweet_keeps_short_text_and_its_full_original_is_referenced() -> None:
    _, result = load("tweets.json")
    posts = by_id(result)
    retweet = posts["1169246717864136705"]
    assert retweet.repost_of_id == "1169242008432644097"
    assert retweet.text.startswith("RT @drvox: My new post")
    assert retweet.text.endswith("\u2026")
    assert not is_legacy_retweet(retweet)
    original = next(post for post in result.referenced if post.id == "1169242008432644097")
    assert original.author_handle == "drvox"
    assert "carbon capture & utilization" in original.text  # &amp; unescaped
    assert original.text.endswith(
        "https://www.vox.com/energy-and-environment/2019/9/4/"
        "20829431/climate-change-carbon-capture-utilization-"
        "sequestration-ccu-ccs?utm_campaign=drvox&utm_content=chorus"
        "&utm_medium=social&utm_source=twitter"
    )
    assert "t.co/" not in original.text


def test_quote_has_quote_of_id_and_the_quoted_post_is_referenced() -> None:
    _, result = load("tweets.json")
    quote = by_id(result)["1168529001599533057"]
    assert quote.quote_of_id == "861696799362478085"
    quoted = next(post for post in result.referenced if post.id == "861696799362478085")
    assert quoted.author_handle == "bwhitman"
    assert "Photos (mac) & Live Photos" in quoted.text


def test_reply_with_photo() -> None:
    _, result = load("tweets.json")
    reply = by_id(result)["1169196446043664385"]
    assert reply.reply_to_id == "1169079390577319937"
    assert reply.reply_to_handle == "scientiffic"
    assert reply.media == (Media("https://pbs.twimg.com/media/BwEmlDHCMAEGwu_.jpg", "photo", ""),)
    # The sample's media entity was pasted from another tweet: its t.co link and indices
    # are not in this text, so nothing may be cut from it.
    assert reply.text.endswith(
        "with @observablehq https://24ways.org/2018/observable-notebooks-and-inaturalist/"
    )
    assert "build http://www.owlsnearme.com - see also" in reply.text
    assert "t.co" not in reply.text
    assert "inaturalist" in reply.mentions
    assert reply.url == "https://twitter.com/simonw/status/1169196446043664385"
    assert reply.author_id == "12497"


def test_photo_alt_text_and_expanded_link() -> None:
    _, result = load("get_status_ext_alt.json")
    (post,) = result.posts
    assert post.media == (
        Media(
            "https://pbs.twimg.com/media/Cg28HdUWYAAvmwn.jpg",
            "photo",
            "\u201cJon Snow is dead.\u2026\u201d from \u201cGAME OF THRONES SEASON 6 EPISODES"
            "\u201d by HBO PR.",
        ),
    )
    assert post.text == (
        "\u201cJon Snow is dead.\u201d\u200a\u2014\u200a@HBOPR "
        "https://medium.com/hbo-cinemax-pr/game-of-thrones-season-6-episodes-53586437cbb3"
        "#---0-17.cvym8cqn4"
    )
    assert post.mentions == ("HBOPR",)


def test_lt_gt_entities_become_plain_angle_brackets() -> None:
    _, result = load("get_search_geocode.json")
    post = by_id(result)["676089021005701120"]
    assert post.text.startswith("<iMike> monty python")


def test_search_page_retweet_points_at_a_post_of_the_same_page() -> None:
    _, result = load("get_search_geocode.json")
    retweet = by_id(result)["675124333967245314"]
    assert retweet.repost_of_id == "675110205311606785"
    # The original is a post of the page itself, so it is not repeated in `referenced`.
    assert "675110205311606785" in {post.id for post in result.posts}
    assert result.referenced == ()


def test_streaming_extended_tweet_gives_the_full_text() -> None:
    _, result = load("original_format_examples.json")
    posts = by_id(result)
    long_one = posts["867479301360205824"]
    assert "\U0001f9d9\u200d\u2642\ufe0f" in long_one.text  # ZWJ sequence intact
    assert "Magic!" in long_one.text
    assert long_one.quote_of_id == "861652051016663040"
    g_tweet = posts["867472736871866368"]
    assert "G) 140 chars & replies." in g_tweet.text
    assert "https://twitter.com/i/web" not in g_tweet.text
    assert g_tweet.reply_to_id == "863566329168711681"
    assert [m.kind for m in posts["867473446648676352"].media] == ["gif"]
    assert [m.kind for m in posts["867833721579122688"].media] == ["photo", "photo"]


def test_compat_mode_keeps_the_truncated_text_with_its_web_link() -> None:
    _, compat = load("extended_tweet_in_compat_mode.json")
    _, extended = load("extended_tweet_in_extended_mode.json")
    (short,) = compat.posts
    (full,) = extended.posts
    assert short.id == full.id == "782737772490600448"
    assert short.text.endswith("pytho\u2026 https://twitter.com/i/web/status/782737772490600448")
    assert full.text.endswith("python_twitter.egg-info/SOURCE")
    assert full.media and full.media[0].kind == "photo"


def test_python_twitter_flattened_entities_and_video() -> None:
    _, result = load("get_status_with_place.json")
    (post,) = result.posts
    assert post.quote_of_id == "1050848124036685824"
    assert (
        post.text == "OXJKDS ME LAST NIGHT https://twitter.com/iamodeal/status/1050848124036685824"
    )
    (quoted,) = result.referenced
    assert [m.kind for m in quoted.media] == ["video"]
    assert quoted.media[0].url.endswith(".mp4?tag=5")
    assert "t.co" not in quoted.text


def test_retweet_in_post_retweet_sample() -> None:
    _, result = load("post_retweet.json")
    (retweet,) = result.posts
    (original,) = result.referenced
    assert retweet.repost_of_id == original.id == "967413349473574913"
    assert original.author_handle == "xodanix3"


# ------------------------------------------------------------------ inline edge cases


def test_malformed_json_line_is_skipped_with_its_line_number() -> None:
    text = lines(tweet(id_str="1"), '{"id_str": "2", "text": ', tweet(id_str="3"))
    result = parse(text, "stream.jsonl")
    assert [post.id for post in result.posts] == ["1", "3"]
    (skip,) = result.skipped
    assert skip.where == "line 2"
    assert "not valid JSON" in skip.reason


def test_blank_lines_are_ignored_and_line_numbers_stay_physical() -> None:
    text = lines("", tweet(id_str="1"), "   ", "nonsense")
    result = parse(text, "x.jsonl")
    assert [post.id for post in result.posts] == ["1"]
    assert [skip.where for skip in result.skipped] == ["line 4"]


def test_file_of_nothing_but_garbage_is_a_format_error() -> None:
    with pytest.raises(ArchiveFormatError):
        parse("not json\nat all\n", "x.json")
    with pytest.raises(ArchiveFormatError):
        parse("  \n", "x.json")
    with pytest.raises(ArchiveFormatError):
        parse('"a string"', "x.json")


def test_cut_off_pretty_printed_file_is_a_format_error_at_its_line() -> None:
    whole = json.dumps([tweet(id_str="1"), tweet(id_str="2")], indent=2)
    cut = whole[: whole.index('"2"')]
    with pytest.raises(ArchiveFormatError) as error:
        parse(cut, "x.json")
    assert error.value.line == cut.count("\n") + 1


def test_script_in_text_stays_plain_text() -> None:
    text = "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; hi"
    (post,) = parse(json.dumps(tweet(text=text, entities={})), "x.json").posts
    assert post.text == "<script>alert(1)</script> &amp; hi"
    assert post.html is None


def test_indices_count_code_points_in_the_escaped_text() -> None:
    raw = "\U0001f600 a &amp; b https://t.co/abcdefghij c"
    start = raw.index("https://")
    entities = {
        "urls": [
            {
                "url": "https://t.co/abcdefghij",
                "expanded_url": "https://example.org/a?x=1&y=2",
                "display_url": "example.org/a?x=1&y=2",
                "indices": [start, start + 23],
            }
        ]
    }
    expanded = expand_text(raw, entities, escaped=True)
    assert expanded.text == "\U0001f600 a & b https://example.org/a?x=1&y=2 c"
    assert expanded.links == (Link("https://example.org/a?x=1&y=2", "example.org/a?x=1&y=2"),)


def test_wrong_indices_fall_back_to_the_url_string() -> None:
    entities = {
        "urls": [{"url": "https://t.co/x1", "expanded_url": "https://e.org/", "indices": [0, 5]}]
    }
    expanded = expand_text("see https://t.co/x1!", entities, escaped=True)
    assert expanded.text == "see https://e.org/!"


def test_bare_url_is_a_link_but_a_truncated_one_is_not() -> None:
    expanded = expand_text(
        "RT @a: see https://t.co/abcdefghij and https://t.co/abc\u2026", {}, escaped=True
    )
    assert expanded.links == (Link("https://t.co/abcdefghij"),)


def test_without_entities_hashtags_and_mentions_come_from_the_text() -> None:
    expanded = expand_text("#Chat23 q1 @bob_1: a&amp;b #2 e@mail.com", None, escaped=True)
    assert expanded.hashtags == ("Chat23",)
    assert expanded.mentions == ("bob_1",)


def test_single_object_array_and_search_page_forms() -> None:
    single = parse(json.dumps(tweet()), "one.json")
    array = parse(json.dumps([tweet(id_str="1"), tweet(id_str="2")]), "many.json")
    page = parse(
        json.dumps({"statuses": [tweet(id_str="7")], "search_metadata": {"count": 1}}), "s.json"
    )
    assert [p.id for p in single.posts] == ["1251954312772812801"]
    assert [p.id for p in array.posts] == ["1", "2"]
    assert [p.id for p in page.posts] == ["7"]
    assert single.posts[0].hashtags == ("chat",)
    assert single.posts[0].url == "https://twitter.com/alice/status/1251954312772812801"


def test_numeric_id_without_id_str_is_skipped_not_rounded() -> None:
    record = tweet()
    del record["id_str"]
    record["id"] = 1251954312772812801
    result = parse(json.dumps([record]), "x.json")
    assert result.posts == ()
    (skip,) = result.skipped
    assert skip.where == "item 1"
    assert "rounded" in skip.reason


def test_unusable_records_are_skipped_with_reasons() -> None:
    no_user = tweet(id_str="1")
    del no_user["user"]
    bad_date = tweet(id_str="2", created_at="2020-04-19 19:22")
    result = parse(json.dumps([no_user, bad_date, [1], tweet(id_str="3")]), "x.json")
    assert [p.id for p in result.posts] == ["3"]
    reasons = {skip.where: skip.reason for skip in result.skipped}
    assert "no user" in reasons["item 1"]
    assert "created_at" in reasons["item 2"] and "2020-04-19 19:22" in reasons["item 2"]
    assert "got an array" in reasons["item 3"]


def test_duplicate_tweets_are_read_once() -> None:
    result = parse(lines(tweet(), tweet()), "x.jsonl")
    assert len(result.posts) == 1
    (skip,) = result.skipped
    assert skip.where == "line 2" and "first at line 1" in skip.reason


def test_delete_notice_turns_its_tweet_into_a_deleted_stub() -> None:
    text = lines(
        tweet(id_str="1", in_reply_to_status_id_str="9"),
        tweet(id_str="2"),
        {"delete": {"status": {"id": 1, "id_str": "1", "user_id_str": "42"}}},
        {"delete": {"status": {"id": 5, "id_str": "5", "user_id_str": "42"}}},
        {"limit": {"track": 12}},
    )
    result = parse(text, "stream.jsonl")
    first, second = result.posts
    assert first.status == "deleted"
    assert first.text == "" and first.hashtags == ()
    assert first.reply_to_id == "9"  # the thread still links up around the placeholder
    assert second.status == "ok"
    reasons = {skip.where: skip.reason for skip in result.skipped}
    assert "tweet 5" in reasons["line 4"] and "not in this file" in reasons["line 4"]
    assert "'limit'" in reasons["line 5"]


def test_withheld_tweets_are_stubs() -> None:
    in_countries = tweet(
        id_str="1", text="This Tweet from @alice has been withheld", withheld_in_countries=["DE"]
    )
    copyright_ = tweet(id_str="2", withheld_copyright=True)
    not_withheld = tweet(id_str="3", withheld_in_countries=[])
    notice = {"status_withheld": {"id": 3, "user_id": 42, "withheld_in_countries": ["IN"]}}
    result = parse(lines(in_countries, copyright_, not_withheld, notice), "x.jsonl")
    assert [(p.id, p.status, p.text) for p in result.posts] == [
        ("1", "withheld", ""),
        ("2", "withheld", ""),
        ("3", "withheld", ""),
    ]
    assert result.skipped == ()


def test_user_withheld_notice_stubs_that_users_tweets() -> None:
    other = tweet(id_str="2", user={"id_str": "7", "screen_name": "bob"})
    notice = {"user_withheld": {"id": 42, "withheld_in_countries": ["XX"]}}
    result = parse(lines(tweet(id_str="1"), other, notice), "x.jsonl")
    assert [(p.id, p.status) for p in result.posts] == [("1", "withheld"), ("2", "ok")]


def test_post_from_v1_is_reusable_and_raises_a_record_error() -> None:
    retweet = tweet(
        id_str="10",
        text="RT @bob: original &amp; more\u2026",
        entities={"user_mentions": [{"screen_name": "bob", "indices": [3, 7]}]},
        retweeted_status=tweet(
            id_str="11", text="original &amp; more text", user={"screen_name": "bob"}
        ),
    )
    post, referenced = post_from_v1(retweet, "twitter-v1")
    assert post.repost_of_id == "11"
    assert [(p.id, p.text) for p in referenced] == [("11", "original & more text")]
    with pytest.raises(TweetRecordError):
        post_from_v1({"text": "x"}, "twitter-v1")


def test_twitter_dates_convert_offsets_to_utc() -> None:
    assert parse_twitter_datetime("Sun Apr 19 21:22:23 +0200 2020") == datetime(
        2020, 4, 19, 19, 22, 23, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="expected a Twitter date"):
        parse_twitter_datetime("2020-04-19T19:22:23Z")
    with pytest.raises(ValueError):
        parse_twitter_datetime("Sun Feb 30 21:22:23 +0000 2020")


# ----------------------------------------------------------------------------- sniff


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_sniff_rejects_other_formats(kind: str) -> None:
    assert not sniff(FOREIGN[kind], "tweets.json")


def test_sniff_accepts_inline_shapes_and_stream_captures() -> None:
    assert sniff(lines(tweet(), tweet(id_str="2")), "x.jsonl")
    assert sniff(json.dumps([tweet()]), "x")
    assert sniff(json.dumps({"statuses": [], "search_metadata": {}}), "x")
    assert sniff(lines({"delete": {"status": {"id_str": "1"}}}, tweet()), "x")
    assert not sniff("[]", "x")
    assert not sniff("", "x")
    assert not sniff('{"event": "delete", "payload": "1"}', "x")


def test_registry_entry() -> None:
    (entry,) = FORMATS
    assert entry.name == "twitter-v1"
    assert entry.parse is parse and entry.sniff is sniff
