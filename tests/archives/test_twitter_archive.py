"""Account-archive tweets.js parser: the real sample, owner lookup, and edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.archives.posts import is_legacy_retweet
from generator.archives.twitter_archive import (
    FORMATS,
    ArchiveOwner,
    owner_from_account,
    owner_from_manifest,
    owners_beside,
    parse,
    parse_with_owner,
    sniff,
)
from generator.core.posts import ArchiveFormatError, ArchiveParse, Link, Media, Post
from tests.conftest import real_fixture

OTHER_FOLDERS = ("twitter-v1", "twitter-v2", "tags", "mastodon", "bluesky")


def raw_tweets(path: Path) -> list[dict[str, Any]]:
    """The tweets in tweets.js, read without the parser: drop the JS assignment."""
    text = path.read_text(encoding="utf-8")
    items: list[dict[str, Any]] = json.loads(text.split("=", 1)[1])
    return [item["tweet"] for item in items]


def real_archive(filename: str | None = None) -> tuple[list[dict[str, Any]], ArchiveParse]:
    path = real_fixture("twitter-archive/tweets.js")
    text = path.read_text(encoding="utf-8")
    return raw_tweets(path), parse(text, str(path) if filename is None else filename)


def by_id(result: ArchiveParse) -> dict[str, Post]:
    return {post.id: post for post in result.posts}


def archive_js(*tweets: dict[str, Any], global_name: str = "tweets.part0") -> str:
    return f"window.YTD.{global_name} = " + json.dumps([{"tweet": t} for t in tweets], indent=2)


def archive_tweet(tweet_id: str = "1600000000000000001", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id_str": tweet_id,
        "id": tweet_id,
        "created_at": "Tue Dec 06 18:51:37 +0000 2022",
        "full_text": "hello #chat",
        "entities": {"hashtags": [{"text": "chat", "indices": ["6", "11"]}], "urls": []},
        "favorite_count": "0",
        "retweet_count": "0",
    }
    base.update(fields)
    return base


def with_own_photo(handle: str, tweet_id: str) -> dict[str, Any]:
    media = {
        "url": "https://t.co/abcdefghij",
        "expanded_url": f"https://twitter.com/{handle}/status/{tweet_id}/photo/1",
        "media_url_https": "https://pbs.twimg.com/media/x.png",
        "type": "photo",
        "indices": ["6", "29"],
    }
    return archive_tweet(
        tweet_id,
        full_text="photo https://t.co/abcdefghij",
        entities={"media": [media]},
        extended_entities={"media": [media]},
    )


ACCOUNT_JS = """window.YTD.account.part0 = [ {
  "account" : {"username" : "bob", "accountId" : "77", "accountDisplayName" : "Bob B"}
} ]"""
MANIFEST_JS = """window.__THAR_CONFIG = {
  "userInfo" : {"accountId" : "88", "userName" : "carol", "displayName" : "Carol C"}
}"""


# ----------------------------------------------------------------------- the real sample


def test_every_item_becomes_one_post_with_its_exact_id() -> None:
    raw, result = real_archive()
    assert result.skipped == ()
    assert result.referenced == ()
    assert len(result.posts) == len(raw) > 0
    assert [post.id for post in result.posts] == [tweet["id_str"] for tweet in raw]
    for tweet, post in zip(raw, result.posts, strict=True):
        assert post.created_at.tzinfo is UTC
        assert post.created_at == datetime.strptime(tweet["created_at"], "%a %b %d %H:%M:%S %z %Y")
        assert post.reply_to_id == tweet.get("in_reply_to_status_id_str")
        assert post.source == "twitter-archive"


def test_owner_comes_from_the_manifest_beside_the_file() -> None:
    # In the sample folder, account.js is another person's (simonw, from a different
    # project); manifest.js and the tweets' own photo links agree on darkliquid.
    _, result = real_archive()
    owners = {(p.author_handle, p.author_name, p.author_id) for p in result.posts}
    assert owners == {("darkliquid", "darkliquid", "15942882")}
    post = by_id(result)["1629012888185610242"]
    assert post.url == "https://twitter.com/darkliquid/status/1629012888185610242"


def test_owner_is_read_from_the_tweets_when_there_is_no_path() -> None:
    _, result = real_archive(filename="tweets.js")
    assert {p.author_handle for p in result.posts} == {"darkliquid"}
    assert {p.author_id for p in result.posts} == {None}


def test_sibling_files_are_found_and_read() -> None:
    path = real_fixture("twitter-archive/tweets.js")
    assert owners_beside(str(path)) == [
        ArchiveOwner("darkliquid", "darkliquid", "15942882"),
        ArchiveOwner("simonw", "Simon Willison", "12497"),
    ]
    assert owners_beside("tweets.js") == []
    assert owners_beside("") == []


def test_html_entities_are_unescaped() -> None:
    _, result = real_archive()
    assert by_id(result)["1607434750175715329"].text == "@SEGA Sonic 3 & Knuckles"
    for post in result.posts:
        assert "&amp;" not in post.text


def test_tco_links_are_expanded() -> None:
    raw, result = real_archive()
    post = by_id(result)["1560185144006295552"]
    assert post.text == (
        "Today is a day for listening to Jinx by Isidor on repeat forever. "
        "https://music.youtube.com/watch?v=9PWQvhwdDyY&feature=share"
    )
    assert post.links == (
        Link(
            "https://music.youtube.com/watch?v=9PWQvhwdDyY&feature=share",
            "music.youtube.com/watch?v=9PWQvh\u2026",
        ),
    )
    for tweet in raw:
        for entity in tweet["entities"]["urls"]:
            assert entity["url"] not in by_id(result)[tweet["id_str"]].text


def test_photo_is_media_and_its_link_leaves_the_text() -> None:
    _, result = real_archive()
    post = by_id(result)["1541752634348019715"]
    assert post.text == "@symatt Monocycle"
    assert post.media == (Media("https://pbs.twimg.com/media/FWVnxzyWIAIEZU3.png", "photo", ""),)
    assert post.reply_to_handle == "symatt"


def test_archive_retweet_is_a_legacy_retweet_with_its_bare_link() -> None:
    raw, result = real_archive()
    retweets = [p for p in result.posts if is_legacy_retweet(p)]
    assert len(retweets) == sum(t["full_text"].startswith("RT @") for t in raw)
    retweet = by_id(result)["1584110055259279360"]
    assert retweet in retweets
    assert retweet.repost_of_id is None
    # The archive gives this t.co no entity: it stays as written, and is still a link.
    assert Link("https://t.co/rYezv5wzUB") in retweet.links


def test_parse_with_owner_uses_the_given_owner() -> None:
    path = real_fixture("twitter-archive/tweets.js")
    result = parse_with_owner(path.read_text(encoding="utf-8"), str(path), "@someone", "Some One")
    assert {(p.author_handle, p.author_name) for p in result.posts} == {("someone", "Some One")}
    assert result.posts[0].url == f"https://twitter.com/someone/status/{result.posts[0].id}"


# ------------------------------------------------------------------- owner resolution


def test_account_js_beside_the_file_names_the_owner(tmp_path: Path) -> None:
    tweets = tmp_path / "tweets.js"
    tweets.write_text(archive_js(archive_tweet()), encoding="utf-8")
    (tmp_path / "account.js").write_text(ACCOUNT_JS, encoding="utf-8")
    (post,) = parse(tweets.read_text(encoding="utf-8"), str(tweets)).posts
    assert (post.author_handle, post.author_name, post.author_id) == ("bob", "Bob B", "77")
    assert post.hashtags == ("chat",)


def test_manifest_is_preferred_over_account_js(tmp_path: Path) -> None:
    tweets = tmp_path / "tweets.js"
    tweets.write_text(archive_js(archive_tweet()), encoding="utf-8")
    (tmp_path / "account.js").write_text(ACCOUNT_JS, encoding="utf-8")
    (tmp_path / "manifest.js").write_text(MANIFEST_JS, encoding="utf-8")
    (post,) = parse(tweets.read_text(encoding="utf-8"), str(tweets)).posts
    assert (post.author_handle, post.author_id) == ("carol", "88")


def test_the_tweets_own_photo_links_outrank_a_strangers_account_js(tmp_path: Path) -> None:
    tweets = tmp_path / "tweets.js"
    tweets.write_text(archive_js(with_own_photo("alice", "1600000000000000009")), "utf-8")
    (tmp_path / "account.js").write_text(ACCOUNT_JS, encoding="utf-8")
    (post,) = parse(tweets.read_text(encoding="utf-8"), str(tweets)).posts
    assert (post.author_handle, post.author_id) == ("alice", None)
    assert post.text == "photo"


def test_unknown_owner_gets_handle_free_permalinks() -> None:
    (post,) = parse(archive_js(archive_tweet()), "upload.js").posts
    assert post.author_handle == "unknown"
    assert post.url == "https://twitter.com/i/web/status/1600000000000000001"


def test_owner_readers() -> None:
    assert owner_from_account(ACCOUNT_JS) == ArchiveOwner("bob", "Bob B", "77")
    assert owner_from_manifest(MANIFEST_JS) == ArchiveOwner("carol", "Carol C", "88")
    assert owner_from_account("window.YTD.account.part0 = []") is None
    assert owner_from_manifest("nonsense") is None


# ----------------------------------------------------------------------- edge cases


def test_other_global_names_and_parts_are_accepted() -> None:
    for name in ("tweet.part0", "tweets.part1", "tweets.part12"):
        text = archive_js(archive_tweet(), global_name=name)
        assert sniff(text, "x.js")
        assert len(parse(text, "x.js").posts) == 1


def test_bare_tweets_without_wrapper_and_trailing_semicolon() -> None:
    text = "window.YTD.tweets.part0 = " + json.dumps([archive_tweet()]) + ";\n"
    assert [p.id for p in parse(text, "x.js").posts] == ["1600000000000000001"]


def test_bad_items_are_skipped_with_reasons() -> None:
    no_date = archive_tweet("2")
    del no_date["created_at"]
    text = "window.YTD.tweets.part0 = " + json.dumps(
        [{"tweet": archive_tweet("1")}, "oops", {"tweet": no_date}]
    )
    result = parse(text, "x.js")
    assert [p.id for p in result.posts] == ["1"]
    reasons = {skip.where: skip.reason for skip in result.skipped}
    assert set(reasons) == {"item 2", "item 3"}
    assert "created_at" in reasons["item 3"]


def test_script_in_text_stays_plain_text() -> None:
    tweet = archive_tweet(full_text="&lt;script&gt;alert(1)&lt;/script&gt;", entities={})
    (post,) = parse(archive_js(tweet), "x.js").posts
    assert post.text == "<script>alert(1)</script>"


def test_wrong_archive_file_and_broken_json_are_format_errors() -> None:
    with pytest.raises(ArchiveFormatError, match="account"):
        parse(ACCOUNT_JS, "account.js")
    with pytest.raises(ArchiveFormatError) as error:
        parse('window.YTD.tweets.part0 = [\n  {"tweet": {}},\n  {"tweet": nope}\n]', "t.js")
    assert error.value.line == 3
    with pytest.raises(ArchiveFormatError):
        parse("[]", "tweets.js")


# ----------------------------------------------------------------------------- sniff


def test_sniff_accepts_the_real_tweets_js_only() -> None:
    folder = real_fixture("twitter-archive")
    assert sniff((folder / "tweets.js").read_text(encoding="utf-8"), "tweets.js")
    assert not sniff((folder / "account.js").read_text(encoding="utf-8"), "account.js")
    assert not sniff((folder / "manifest.js").read_text(encoding="utf-8"), "manifest.js")


@pytest.mark.parametrize("folder", OTHER_FOLDERS)
def test_sniff_rejects_every_real_sample_of_other_formats(folder: str) -> None:
    samples = sorted(p for p in real_fixture(folder).iterdir() if p.is_file() and p.suffix != ".md")
    assert samples
    for path in samples:
        assert not sniff(path.read_text(encoding="utf-8"), path.name), path.name


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "1", "content": "<p>hi</p>", "account": {"acct": "a"}}',
        '{"posts": [{"uri": "at://x", "record": {"$type": "app.bsky.feed.post"}}]}',
        '{"data": [{"id": "1", "text": "hi"}], "includes": {}}',
        '[{"id_str": "1", "from_user": "a", "text": "hi", "created_at": "x"}]',
        "id_str,from_user,text,created_at\n",
        "// window.YTD.tweets.part0 = []",
    ],
)
def test_sniff_rejects_other_formats(text: str) -> None:
    assert not sniff(text, "tweets.js")


def test_registry_entry() -> None:
    (entry,) = FORMATS
    assert entry.name == "twitter-archive"
    assert entry.parse is parse and entry.sniff is sniff
