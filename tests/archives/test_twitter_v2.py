"""Twitter API v2 (twarc2) archives: every real sample, plus hand-made edge cases.

Counts are recomputed from the raw file here, with plain json and none of the parser's
code, so a parser bug cannot make its own test pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator.archives.twitter_v2 import FORMATS, parse, sniff
from generator.core.posts import ArchiveFormatError, ArchiveParse, Media, Post
from tests.conftest import REAL_FIXTURES, real_fixture

SAMPLES = (
    "cotweet.jsonl",
    "edited.jsonl",
    "flat.jsonl",
    "geo_tweets.jsonl",
    "many_urls.jsonl",
    "media_policy_violation_on.jsonl",
    "media_tweet.jsonl",
    "mentions_tweet.jsonl",
    "quoted_edit.jsonl",
    "streaming_output_with_error.jsonl",
    "tweets_compliance.jsonl",
    "two_tweets.jsonl",
    "verified_type.jsonl",
    "withheld.jsonl",
)


# --------------------------------------------------------------------------- helpers


@dataclass
class Raw:
    """What a sample holds, read independently of the parser."""

    post_ids: list[str] = field(default_factory=list)  # `data` tweets, file order
    context_ids: list[str] = field(default_factory=list)  # includes / expanded refs
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)
    broken_lines: list[int] = field(default_factory=list)
    compliance_lines: list[int] = field(default_factory=list)
    not_found: set[str] = field(default_factory=set)

    def newest(self, tweet_id: str) -> str:
        """The newest version of a tweet that the file holds (ids grow with time)."""
        present = set(self.tweets)
        versions = {tweet_id}
        for tweet in self.tweets.values():
            history = set(tweet.get("edit_history_tweet_ids", ()))
            if tweet_id in history:
                versions |= history
        return max(versions & present or {tweet_id}, key=int)

    def expected_posts(self) -> list[str]:
        return list(dict.fromkeys(self.newest(i) for i in self.post_ids))

    def expected_referenced(self) -> set[str]:
        posts = set(self.expected_posts())
        context = {self.newest(i) for i in self.context_ids} - posts
        referred = {
            reference["id"]
            for tweet in self.tweets.values()
            for reference in tweet.get("referenced_tweets", ())
        }
        stubs = (self.not_found & referred) - set(self.tweets)
        return context | stubs


def read_raw(path: Path) -> Raw:
    raw = Raw()

    def add_context(tweet: dict[str, Any]) -> None:
        raw.context_ids.append(tweet["id"])
        raw.tweets.setdefault(tweet["id"], tweet)
        for reference in tweet.get("referenced_tweets", ()):
            if "text" in reference:  # flattened: the whole tweet is inline
                add_context(reference)

    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raw.broken_lines.append(number)
            continue
        if "action" in record:
            raw.compliance_lines.append(number)
            continue
        if "data" in record:
            data = record["data"] if isinstance(record["data"], list) else [record["data"]]
            includes = record.get("includes", {}).get("tweets", [])
        else:  # twarc2 flatten: the line is the tweet
            data, includes = [record], []
            for reference in record.get("referenced_tweets", ()):
                if "text" in reference:
                    includes.append(reference)
        for tweet in data:
            raw.post_ids.append(tweet["id"])
            raw.tweets[tweet["id"]] = tweet
        for tweet in includes:
            add_context(tweet)
        for error in record.get("errors", ()):
            if error.get("title") == "Not Found Error":
                raw.not_found.add(error["resource_id"])
    return raw


def parse_sample(name: str) -> tuple[ArchiveParse, Raw]:
    path = real_fixture(f"twitter-v2/{name}")
    return parse(path.read_text(encoding="utf-8"), name), read_raw(path)


def by_id(result: ArchiveParse) -> dict[str, Post]:
    return {post.id: post for post in (*result.posts, *result.referenced)}


def page(*tweets: dict[str, Any], **includes: list[dict[str, Any]]) -> str:
    """One twarc2 response page as a JSON line."""
    return json.dumps({"data": list(tweets), "includes": includes})


def tweet(tweet_id: str = "1500000000000000001", text: str = "hi", **fields: Any) -> dict[str, Any]:
    return {
        "id": tweet_id,
        "text": text,
        "author_id": "42",
        "created_at": "2022-03-24T13:42:21.000Z",
        "edit_history_tweet_ids": [tweet_id],
        **fields,
    }


USER = {"id": "42", "username": "chathost", "name": "Chat Host"}


# --------------------------------------------------------------------------- every sample


def test_every_sample_is_covered() -> None:
    folder = REAL_FIXTURES / "twitter-v2"
    if not folder.exists():
        real_fixture("twitter-v2")  # skips (or fails under CI) with the usual message
    assert sorted(path.name for path in folder.glob("*.jsonl")) == sorted(SAMPLES)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_counts_match_raw_file(name: str) -> None:
    result, raw = parse_sample(name)

    assert [post.id for post in result.posts] == raw.expected_posts()
    assert {post.id for post in result.referenced} == raw.expected_referenced()
    assert len(result.referenced) == len({post.id for post in result.referenced})
    assert not {post.id for post in result.posts} & {post.id for post in result.referenced}
    assert len(result.skipped) == len(raw.broken_lines) + len(raw.compliance_lines)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_sniffs_as_twitter_v2(name: str) -> None:
    path = real_fixture(f"twitter-v2/{name}")
    assert sniff(path.read_text(encoding="utf-8"), name)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_ids_and_times_are_faithful(name: str) -> None:
    result, raw = parse_sample(name)
    for post in (*result.posts, *result.referenced):
        assert isinstance(post.id, str) and post.id.isdigit()
        assert post.source == "twitter-v2"
        assert post.created_at.tzinfo is not None
        assert post.created_at.utcoffset() == timedelta(0)
        if post.id in raw.tweets:
            created = raw.tweets[post.id]["created_at"]
            assert post.created_at == datetime.fromisoformat(created)
            assert post.author_id == raw.tweets[post.id]["author_id"]
        if post.author_handle:
            assert post.url == f"https://twitter.com/{post.author_handle}/status/{post.id}"


# --------------------------------------------------------------------------- specific samples


def test_retweet_keeps_truncated_text_and_full_original() -> None:
    result, _ = parse_sample("two_tweets.jsonl")
    (retweet,) = result.posts
    assert retweet.id == "1394735776701816833"
    assert retweet.author_handle == "LachiVeronica"
    assert retweet.author_name == "Veronica Lachi"
    assert retweet.text == "RT @bibaigna96: #POIUYTREWQ"
    assert retweet.repost_of_id == "1391677057810288641"
    assert retweet.url == "https://twitter.com/LachiVeronica/status/1394735776701816833"
    assert retweet.created_at == datetime(2021, 5, 18, 19, 24, 56, tzinfo=UTC)
    (original,) = result.referenced
    assert original.id == "1391677057810288641"
    assert original.author_handle == "bibaigna96"
    assert original.text == "#POIUYTREWQ"
    assert original.hashtags == ("POIUYTREWQ",)


def test_retweet_original_has_the_full_text() -> None:
    result, _ = parse_sample("mentions_tweet.jsonl")
    (retweet,) = result.posts
    original = by_id(result)[retweet.repost_of_id or ""]
    assert retweet.text.endswith("…")
    assert original.text.startswith(retweet.text.removeprefix("RT @S3NT1N3L17: ")[:-1])
    assert len(original.text) > len(retweet.text)
    assert retweet.mentions == ("S3NT1N3L17",)
    # Four GIFs (media keys 16_...) that includes.media does not describe: the t.co link
    # to them leaves the text and its permalink is kept as the media link.
    assert original.media == (
        Media("https://twitter.com/S3NT1N3L17/status/1589671906718134272/photo/1", "gif"),
    )
    assert "t.co" not in original.text
    assert retweet.media == ()


def test_unwound_url_replaces_tco() -> None:
    result, _ = parse_sample("many_urls.jsonl")
    post = result.posts[0]
    gumroad = "https://uiadrian.gumroad.com/l/web-design-guide/?offer_code=twk0uc9f7"
    assert post.text.endswith("this week only👇\n" + gumroad)
    assert "t.co" not in post.text
    assert [link.url for link in post.links] == [gumroad]
    assert post.reply_to_id == "1610623087061471232"
    assert post.reply_to_handle == "uiuxadrian"


def test_unwound_url_is_preferred_to_expanded() -> None:
    result, _ = parse_sample("withheld.jsonl")
    post = by_id(result)["1388424788171841537"]
    assert post.links[0].url.startswith("https://www.economist.com/diary/2021/04/30/")
    assert post.links[0].display == "econ.st/3u72y2l"
    assert post.text.endswith("upside down” " + post.links[0].url)
    assert "econ.st" not in post.text


def test_html_entities_are_unescaped() -> None:
    result, _ = parse_sample("flat.jsonl")
    posts = by_id(result)
    assert "“Fast & Furious”" in posts["1380242435478016006"].text
    assert posts["1380241441637625860"].text.endswith("the era of Woodward & Bernstein")
    assert not any("&amp;" in post.text for post in posts.values())


def test_video_becomes_media_and_leaves_text() -> None:
    # SOURCES.md calls this a photo, but the attachment is a video (media key 7_...).
    result, _ = parse_sample("media_tweet.jsonl")
    (post,) = result.posts
    assert post.text == "She's GOING with it! 🐍"
    assert post.links == ()
    (video,) = post.media
    assert video.kind == "video"
    assert video.url == (
        "https://pbs.twimg.com/ext_tw_video_thumb/1558552952549277696/pu/img/7VaQu-AvReI8RHkv.jpg"
    )


def test_photo_becomes_media_and_quote_link_stays() -> None:
    result, _ = parse_sample("streaming_output_with_error.jsonl")
    post = by_id(result)["1377650090978992134"]
    assert post.text == "Fury https://twitter.com/Manie_DS/status/1377640162566496258"
    assert post.media[0].kind == "photo"
    assert post.media[0].url == "https://pbs.twimg.com/media/Ex5ldKwXEAEnEnI.jpg"
    assert post.quote_of_id == "1377640162566496258"
    assert "1377640162566496258" in {p.id for p in result.referenced}


def test_flattened_gif_and_retweet() -> None:
    result, _ = parse_sample("flat.jsonl")
    posts = by_id(result)
    gif = posts["1380242549785366530"]
    assert gif.media[0].kind == "gif"
    assert gif.media[0].url == "https://pbs.twimg.com/tweet_video_thumb/EyebRt_XIAIJDr9.jpg"
    assert "pic.twitter.com" not in gif.text and "t.co" not in gif.text
    retweet = result.posts[0]
    assert retweet.repost_of_id == "1380175475545362437"
    original = posts["1380175475545362437"]
    assert original.author_handle == "williamserafino"
    assert original.text.endswith("La pandilla del Partido Demócrata hace sentir su regreso.")
    reply = posts["1380242586288328707"]
    assert reply.reply_to_id == "1380229267770933248"
    assert reply.reply_to_handle == "TalkToTheFoot"


def test_edited_tweet_is_one_post_the_latest() -> None:
    result, _ = parse_sample("edited.jsonl")
    assert [post.id for post in result.posts] == ["1576994789110992896"]
    assert result.referenced == ()  # the old version 1576994746135764992 is dropped
    assert result.posts[0].text == "hey :) https://twitter.com/i/web/status/1576994789110992896"


def test_quote_of_old_edit_resolves_to_latest() -> None:
    result, _ = parse_sample("quoted_edit.jsonl")
    (post,) = result.posts
    assert post.id == "1576995594388000768"
    assert post.quote_of_id == "1576994789110992896"  # the file quotes ...746135764992
    assert post.reply_to_id == "1576994789110992896"
    assert post.reply_to_handle == "wongmjane"
    assert [p.id for p in result.referenced] == ["1576994789110992896"]
    assert by_id(result)[post.quote_of_id].text.startswith("hey :)")


def test_withheld_tweets_and_deleted_reference() -> None:
    result, _ = parse_sample("withheld.jsonl")
    posts = by_id(result)
    assert posts["1388424788171841537"].status == "withheld"  # IN
    assert posts["25712847277"].status == "withheld"  # DE, FR; a pre-snowflake id
    reply = posts["506695756406095872"]
    assert reply.status == "ok"
    assert reply.reply_to_id == "506694458445152256"
    assert reply.reply_to_handle == "ddeleteddddddd"
    stub = posts["506694458445152256"]
    assert stub in result.referenced
    assert stub.status == "deleted"
    assert stub.text == ""
    assert stub.author_handle == "ddeleteddddddd"
    assert stub.created_at < reply.created_at


def test_placeholder_text_means_withheld() -> None:
    result, raw = parse_sample("media_policy_violation_on.jsonl")
    placeholders = {
        tweet_id
        for tweet_id, tweet in raw.tweets.items()
        if any(u["display_url"] == "Learn more" for u in tweet.get("entities", {}).get("urls", ()))
    }
    withheld = {p.id for p in (*result.posts, *result.referenced) if p.status == "withheld"}
    assert placeholders and withheld == placeholders
    post = by_id(result)["1392220189706657804"]
    assert post.text.endswith("violates the Twitter Media Policy. Learn more.")
    assert post.links[0].url == "https://support.twitter.com/articles/20169199"


def test_includes_copy_of_a_data_tweet_is_not_repeated() -> None:
    result, _ = parse_sample("verified_type.jsonl")
    assert [post.id for post in result.posts] == ["1603823063690199040"]
    assert result.referenced == ()


def test_streaming_keeps_good_lines_and_skips_the_broken_one() -> None:
    result, raw = parse_sample("streaming_output_with_error.jsonl")
    assert len(result.posts) == 7
    (skipped,) = result.skipped
    assert skipped.where == f"line {raw.broken_lines[0]}" == "line 8"
    assert "JSON" in skipped.reason


def test_compliance_lines_are_skipped_with_reason() -> None:
    result, _ = parse_sample("tweets_compliance.jsonl")
    assert result.posts == () and result.referenced == ()
    assert [s.where for s in result.skipped] == ["line 2", "line 3"]
    assert "1170025343920402432" in result.skipped[0].reason
    assert "protected" in result.skipped[0].reason
    assert "deactivated" in result.skipped[1].reason


# --------------------------------------------------------------------------- inline edge cases


def test_script_stays_plain_text() -> None:
    text = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
    result = parse(page(tweet(text=text), users=[USER]), "x.jsonl")
    (post,) = result.posts
    assert post.text == "<script>alert(1)</script> & more"
    assert post.html is None


def test_emoji_before_url_uses_code_point_offsets() -> None:
    # 👩🏽‍💻 is four code points (seven UTF-16 units); 🐍 one code point, two units.
    text = "👩🏽‍💻🐍 &amp; see https://t.co/abcdefghij now"
    start = text.index("https://")
    url = {
        "start": start,
        "end": start + 23,
        "url": "https://t.co/abcdefghij",
        "expanded_url": "https://example.org/a?b=1&c=2",
        "display_url": "example.org/a?b=1…",
    }
    result = parse(page(tweet(text=text, entities={"urls": [url]}), users=[USER]), "x")
    (post,) = result.posts
    assert post.text == "👩🏽‍💻🐍 & see https://example.org/a?b=1&c=2 now"
    assert [link.url for link in post.links] == ["https://example.org/a?b=1&c=2"]


def test_offsets_off_by_escaping_still_find_the_link() -> None:
    # Offsets counted on the unescaped text point 4 code points too early.
    text = "a &amp; b https://t.co/abcdefghij"
    url = {"start": 6, "end": 29, "url": "https://t.co/abcdefghij", "expanded_url": "https://e.org"}
    result = parse(page(tweet(text=text, entities={"urls": [url]}), users=[USER]), "x")
    assert result.posts[0].text == "a & b https://e.org"


def test_note_tweet_supersedes_truncated_text() -> None:
    note = {
        "text": "a long note https://t.co/zzzzzzzzzz #chat",
        "entities": {
            "urls": [
                {
                    "start": 12,
                    "end": 35,
                    "url": "https://t.co/zzzzzzzzzz",
                    "expanded_url": "https://n.org",
                }
            ],
            "hashtags": [{"start": 36, "end": 41, "tag": "chat"}],
        },
    }
    line = page(tweet(text="a long… https://t.co/yyyyyyyyyy", note_tweet=note), users=[USER])
    (post,) = parse(line, "x").posts
    assert post.text == "a long note https://n.org #chat"
    assert post.hashtags == ("chat",)


def test_single_document_and_array_are_accepted() -> None:
    one = {"data": [tweet()], "includes": {"users": [USER]}}
    pretty = json.dumps(one, indent=2)
    assert sniff(pretty, "page.json")
    assert [p.author_handle for p in parse(pretty, "page.json").posts] == ["chathost"]
    array = json.dumps([one, {"data": [tweet("1500000000000000002")], "includes": {}}])
    assert sniff(array, "pages.json")
    assert [p.id for p in parse(array, "pages.json").posts] == [
        "1500000000000000001",
        "1500000000000000002",
    ]


def test_broken_and_blank_lines() -> None:
    text = "\n" + page(tweet(), users=[USER]) + "\n\n{not json\n" + '{"data": {"id": "1'
    result = parse(text, "x.jsonl")
    assert [p.id for p in result.posts] == ["1500000000000000001"]
    assert [s.where for s in result.skipped] == ["line 4", "line 5"]


def test_data_wins_over_includes_across_pages() -> None:
    first = page(
        tweet(
            "1500000000000000002",
            "quote",
            referenced_tweets=[{"type": "quoted", "id": "1500000000000000001"}],
        ),
        users=[USER],
        tweets=[tweet("1500000000000000001", "included copy")],
    )
    second = page(tweet("1500000000000000001", "data copy"), users=[USER])
    result = parse(first + "\n" + second, "x")
    assert [p.id for p in result.posts] == ["1500000000000000002", "1500000000000000001"]
    assert result.referenced == ()
    assert by_id(result)["1500000000000000001"].text == "data copy"
    assert result.posts[0].quote_of_id == "1500000000000000001"


def test_old_version_in_data_newer_in_includes_keeps_newest_as_post() -> None:
    history = ["1500000000000000001", "1500000000000000009"]
    old = tweet("1500000000000000001", "typo", edit_history_tweet_ids=history[:1])
    new = tweet("1500000000000000009", "fixed", edit_history_tweet_ids=history)
    reply = tweet(
        "1500000000000000010",
        "reply",
        referenced_tweets=[{"type": "replied_to", "id": "1500000000000000001"}],
        in_reply_to_user_id="42",
    )
    result = parse(page(old, reply, users=[USER], tweets=[new]), "x")
    assert [p.id for p in result.posts] == ["1500000000000000009", "1500000000000000010"]
    assert result.posts[0].text == "fixed"
    assert result.posts[1].reply_to_id == "1500000000000000009"
    assert result.referenced == ()


def test_authorization_error_makes_withheld_stub() -> None:
    quoting = tweet(
        "1500000000000000002",
        "look",
        referenced_tweets=[{"type": "quoted", "id": "1500000000000000001"}],
    )
    record = json.loads(page(quoting, users=[USER]))
    record["errors"] = [
        {
            "value": "1500000000000000001",
            "resource_id": "1500000000000000001",
            "resource_type": "tweet",
            "parameter": "referenced_tweets.id",
            "title": "Authorization Error",
            "detail": "Sorry, you are not authorized to see the Tweet.",
        },
        {  # noise: a user's pinned tweet, referenced by no post
            "value": "1400000000000000000",
            "resource_id": "1400000000000000000",
            "resource_type": "tweet",
            "parameter": "pinned_tweet_id",
            "title": "Not Found Error",
        },
    ]
    result = parse(json.dumps(record), "x")
    (stub,) = result.referenced
    assert stub.id == "1500000000000000001"
    assert stub.status == "withheld"
    assert stub.url == "https://twitter.com/i/web/status/1500000000000000001"
    assert result.skipped == ()


def test_stream_error_line_is_reported() -> None:
    error = {"errors": [{"title": "operational-disconnect", "detail": "upstream"}], "__twarc": {}}
    result = parse(page(tweet(), users=[USER]) + "\n" + json.dumps(error), "x")
    assert len(result.posts) == 1
    assert result.skipped[0].where == "line 2"
    assert "operational-disconnect" in result.skipped[0].reason


def test_hostile_records_do_not_crash() -> None:
    lines = [
        json.dumps({"data": ["nope", {"text": "no id"}], "includes": {"users": "x"}}),
        json.dumps({"data": [tweet("1576994789110992896", created_at="next thurs")]}),
        json.dumps({"data": [tweet("25", created_at=None)]}),
        json.dumps(
            {
                "data": [
                    tweet("1500000000000000003", entities={"urls": [{"start": "a", "url": None}]})
                ]
            }
        ),
        "[1, 2]",
        json.dumps({"data": [tweet("9" * 40, created_at="9999-12-31T23:59:59-01:00")]}),
    ]
    result = parse("\n".join(lines), "x")
    # A snowflake id dates itself; a pre-2010 id without created_at cannot be placed.
    assert [p.id for p in result.posts] == ["1576994789110992896", "1500000000000000003"]
    # edited.jsonl says this tweet was created at 2022-10-03T17:57:11.000Z.
    real = datetime(2022, 10, 3, 17, 57, 11, tzinfo=UTC)
    assert timedelta(0) <= result.posts[0].created_at - real < timedelta(seconds=1)
    reasons = " | ".join(f"{s.where}: {s.reason}" for s in result.skipped)
    assert "line 1: a tweet in data has no id" in reasons
    assert "line 3: tweet 25: no usable created_at" in reasons
    assert "line 5" in reasons
    assert f"line 6: tweet {'9' * 40}: no usable created_at" in reasons


def test_other_formats_are_refused() -> None:
    with pytest.raises(ArchiveFormatError) as error:
        parse(json.dumps({"id": "1", "content": "<p>hi</p>", "account": {}}), "status.json")
    assert "no Twitter API v2 records" in str(error.value)
    with pytest.raises(ArchiveFormatError) as error:
        parse("id,text\n1,hi\n", "tags.csv")
    assert error.value.line == 1


V1_TWEET = {
    "created_at": "Thu Mar 24 13:42:21 +0000 2022",
    "id": 1506986460327510017,
    "id_str": "1506986460327510017",
    "text": "hello #chat",
    "user": {"id_str": "42", "screen_name": "chathost"},
    "entities": {"hashtags": [{"text": "chat", "indices": [6, 11]}]},
}
MASTODON_STATUS = {
    "id": "109998887776665555",
    "created_at": "2022-03-24T13:42:21.000Z",
    "content": "<p>hello <a href='https://example.social/tags/chat'>#chat</a></p>",
    "account": {"id": "1", "acct": "host@example.social"},
    "text": None,
}
BLUESKY_POST = {
    "uri": "at://did:plc:abc/app.bsky.feed.post/3k",
    "cid": "bafyrei",
    "author": {"did": "did:plc:abc", "handle": "host.bsky.social"},
    "record": {"text": "hello #chat", "createdAt": "2022-03-24T13:42:21.000Z"},
}


@pytest.mark.parametrize(
    "text",
    [
        page(tweet(), users=[USER]),
        json.dumps({"data": tweet(), "includes": {}, "matching_rules": [{"id": "1", "tag": None}]}),
        json.dumps({**tweet(), "author": USER, "__twarc": {"version": "2.12.0"}}),
        "\n" + json.dumps({"id": "1170025343920402432", "action": "delete", "created_at": "2019"}),
        json.dumps({"data": [tweet()]}, indent=2),
        json.dumps({"data": [{"edit_history_tweet_ids": ["1"], **tweet()}]}, indent=2),
        json.dumps([{"data": [tweet()]}]),
        json.dumps({"meta": {"result_count": 0}, "__twarc": {}}) + "\n" + page(tweet()),
    ],
    ids=["page", "stream", "flat", "compliance", "pretty", "pretty-list", "array", "empty-page"],
)
def test_sniff_accepts_v2_shapes(text: str) -> None:
    assert sniff(text, "archive.jsonl")


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(V1_TWEET),
        json.dumps([V1_TWEET]),
        json.dumps({"statuses": [V1_TWEET], "search_metadata": {}}),
        json.dumps(MASTODON_STATUS),
        json.dumps([MASTODON_STATUS]),
        json.dumps(BLUESKY_POST),
        json.dumps({"posts": [BLUESKY_POST], "cursor": "x"}),
        'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1"}}]',
        "id,text\n1,hello\n",
        "",
    ],
    ids=[
        "v1",
        "v1-array",
        "v1-search",
        "mastodon",
        "mastodon-array",
        "bluesky",
        "bluesky-search",
        "account-archive",
        "csv",
        "empty",
    ],
)
def test_sniff_rejects_other_formats(text: str) -> None:
    assert not sniff(text, "archive.json")


def test_registry_entry() -> None:
    (entry,) = FORMATS
    assert entry.name == "twitter-v2"
    assert entry.sniff is sniff and entry.parse is parse
