"""Bluesky / AT Protocol JSON: every real sample, plus hostile inline input.

Expected values are computed here from the raw JSON (counts by walking the data,
facet substrings by slicing the UTF-8 bytes), never copied from the parser.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from generator.archives import bluesky
from generator.core.posts import ArchiveParse, Link, Post
from tests.conftest import real_fixture

SAMPLES = (
    "searchPosts.json",
    "getPosts.json",
    "getAuthorFeed.json",
    "getPostThread.json",
    "post_record.json",
    "extended_post_record.json",
    "thread_view_post_with_embed_media.json",
    "transform-post-fixtures.json",
)


def load(name: str) -> tuple[str, Any]:
    text = real_fixture(f"bluesky/{name}").read_text(encoding="utf-8")
    return text, json.loads(text)


def parse_sample(name: str) -> tuple[Any, ArchiveParse]:
    text, raw = load(name)
    return raw, bluesky.parse(text, name)


def utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def facet_text(record: dict[str, Any], facet: dict[str, Any]) -> str:
    data = record["text"].encode("utf-8")
    return str(data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8"))


def assert_sane(post: Post) -> None:
    assert isinstance(post.id, str) and post.id
    assert post.source == "bluesky"
    assert post.created_at.tzinfo is not None
    assert post.created_at.utcoffset() == UTC.utcoffset(None)
    assert post.html is None
    assert all(link.url.startswith(("http://", "https://")) for link in post.links)
    assert all(media.url.startswith("https://") for media in post.media)
    assert all(not mention.startswith("@") for mention in post.mentions)
    if post.url is not None:
        assert post.url.startswith("https://bsky.app/profile/")
        assert post.url.endswith("/post/" + post.id.rsplit("/", 1)[-1])


# --------------------------------------------------------------------------- all samples


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_is_recognised_and_sane(name: str) -> None:
    text, _ = load(name)
    assert bluesky.sniff(text, name)
    result = bluesky.parse(text, name)
    assert result.skipped == ()
    for post in (*result.posts, *result.referenced):
        assert_sane(post)


@pytest.mark.parametrize(
    "relpath",
    [
        "mastodon/tag.json",
        "mastodon/streaming_update.json",
        "twitter-v1/tweets.json",
        "twitter-v1/original_format_examples.json",
        "twitter-v2/two_tweets.jsonl",
        "twitter-v2/flat.jsonl",
    ],
)
def test_sniff_refuses_other_formats_real_samples(relpath: str) -> None:
    path = real_fixture(relpath)
    assert not bluesky.sniff(path.read_text(encoding="utf-8"), path.name)


# --------------------------------------------------------------------------- posts lists


@pytest.mark.parametrize("name", ["searchPosts.json", "getPosts.json"])
def test_post_lists(name: str) -> None:
    raw, result = parse_sample(name)
    assert len(result.posts) == len(raw["posts"])
    for post, view in zip(result.posts, raw["posts"], strict=True):
        assert post.id == view["uri"]
        assert post.author_handle == view["author"]["handle"]
        assert post.author_id == view["author"]["did"]
        assert post.author_name == view["author"]["displayName"]
        assert post.text == view["record"]["text"]
        assert post.created_at == utc(view["record"]["createdAt"])
        rkey = view["uri"].rsplit("/", 1)[-1]
        assert post.url == f"https://bsky.app/profile/{view['author']['handle']}/post/{rkey}"


# --------------------------------------------------------------------------- author feed


def test_author_feed_one_post_per_item_and_reposts() -> None:
    raw, result = parse_sample("getAuthorFeed.json")
    assert len(result.posts) == len(raw["feed"])
    referenced = {post.id: post for post in result.referenced}
    reposts = 0
    for post, item in zip(result.posts, raw["feed"], strict=True):
        reason = item.get("reason")
        if reason and reason["$type"] == "app.bsky.feed.defs#reasonRepost":
            reposts += 1
            assert post.repost_of_id == item["post"]["uri"]
            assert post.author_handle == reason["by"]["handle"]
            assert post.created_at == utc(reason["indexedAt"])
            assert post.id == f"{reason['by']['did']}/repost/{item['post']['uri']}"
            original = referenced[item["post"]["uri"]]
            assert original.text == item["post"]["record"]["text"]
            assert original.author_handle == item["post"]["author"]["handle"]
        else:
            assert post.id == item["post"]["uri"]
            assert post.repost_of_id is None
    assert reposts == 2


def test_author_feed_replies_and_their_context() -> None:
    raw, result = parse_sample("getAuthorFeed.json")
    referenced_ids = {post.id for post in result.referenced}
    replies = [(p, i) for p, i in zip(result.posts, raw["feed"], strict=True) if "reply" in i]
    assert replies
    for post, item in replies:
        assert post.reply_to_id == item["post"]["record"]["reply"]["parent"]["uri"]
        assert post.reply_to_handle == item["reply"]["parent"]["author"]["handle"]
        own_ids = {p.id for p in result.posts}
        for key in ("root", "parent"):
            assert item["reply"][key]["uri"] in referenced_ids | own_ids


def test_author_feed_byte_offset_facets_in_japanese_text() -> None:
    raw, result = parse_sample("getAuthorFeed.json")
    by_id = {post.id: post for post in (*result.posts, *result.referenced)}
    checked = 0
    for item in raw["feed"]:
        record = item["post"]["record"]
        post = by_id[item["post"]["uri"]]
        for facet in record.get("facets", []):
            shown = facet_text(record, facet)
            for feature in facet["features"]:
                if feature["$type"].endswith("#mention"):
                    assert shown.startswith("@")
                    assert shown[1:] in post.mentions
                elif feature["$type"].endswith("#link"):
                    assert Link(url=feature["uri"], display=shown) in post.links
                    assert feature["uri"] in post.text
                checked += 1
    assert checked >= 6
    japanese = next(
        i for i in raw["feed"] if i["post"]["record"]["text"].startswith("あとはおそらく")
    )
    record = japanese["post"]["record"]
    (facet,) = record["facets"]
    # the trap: character offsets would land somewhere else entirely
    assert record["text"][facet["index"]["byteStart"] : facet["index"]["byteEnd"]] != "@amir.blue"
    assert facet_text(record, facet) == "@amir.blue"
    assert by_id[japanese["post"]["uri"]].mentions == ("amir.blue",)


def test_author_feed_embeds() -> None:
    raw, result = parse_sample("getAuthorFeed.json")
    by_id = {post.id: post for post in (*result.posts, *result.referenced)}
    for item in raw["feed"]:
        view = item["post"]
        embed = view.get("embed") or {}
        post = by_id[view["uri"]]
        if embed.get("$type") == "app.bsky.embed.images#view":
            assert [m.url for m in post.media] == [i["fullsize"] for i in embed["images"]]
            assert [m.alt for m in post.media] == [i["alt"] for i in embed["images"]]
            assert all(m.kind == "photo" for m in post.media)
        if embed.get("$type") == "app.bsky.embed.external#view":
            assert embed["external"]["uri"] in {link.url for link in post.links}
    quoting = [
        (item["reply"][key], item["reply"][key]["embed"])
        for item in raw["feed"]
        if "reply" in item
        for key in ("root", "parent")
        if item["reply"][key].get("embed", {}).get("$type") == "app.bsky.embed.recordWithMedia#view"
    ]
    assert quoting
    for view, embed in quoting:
        quoted_uri = embed["record"]["record"]["uri"]
        assert by_id[view["uri"]].quote_of_id == quoted_uri
        assert by_id[quoted_uri].text == embed["record"]["record"]["value"]["text"]
        assert [m.url for m in by_id[view["uri"]].media] == [
            i["fullsize"] for i in embed["media"]["images"]
        ]


# --------------------------------------------------------------------------- thread


def walk_thread(node: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node of a threadViewPost tree: ancestors, the anchor, replies."""
    nodes = []
    parent = node.get("parent")
    while parent:
        nodes.append(parent)
        parent = parent.get("parent")

    def down(n: dict[str, Any]) -> None:
        nodes.append(n)
        for reply in n.get("replies") or []:
            down(reply)

    down(node)
    return nodes


def test_thread_has_every_node_including_the_blocked_one() -> None:
    raw, result = parse_sample("getPostThread.json")
    nodes = walk_thread(raw["thread"])
    assert len(result.posts) == len(nodes)
    uris = {n["post"]["uri"] if "post" in n else n["uri"] for n in nodes}
    assert {post.id for post in result.posts} == uris
    visible = [n for n in nodes if n["$type"] == "app.bsky.feed.defs#threadViewPost"]
    assert sum(post.status == "ok" for post in result.posts) == len(visible) == 58

    (blocked_node,) = [n for n in nodes if n["$type"] == "app.bsky.feed.defs#blockedPost"]
    (stub,) = [post for post in result.posts if post.status != "ok"]
    assert stub.id == blocked_node["uri"]
    assert stub.status == "withheld"
    assert stub.text == "" and stub.author_handle == "unknown"
    child = next(p for p in result.posts if p.reply_to_id == stub.id)
    assert stub.created_at < child.created_at  # dated from its TID record key


def test_thread_replies_know_whom_they_answer() -> None:
    raw, result = parse_sample("getPostThread.json")
    handles = {
        n["post"]["uri"]: n["post"]["author"]["handle"]
        for n in walk_thread(raw["thread"])
        if "post" in n
    }
    for post in result.posts:
        if post.reply_to_id in handles:
            assert post.reply_to_handle == handles[post.reply_to_id]


def test_thread_with_record_with_media_quote() -> None:
    raw, result = parse_sample("thread_view_post_with_embed_media.json")
    view = raw["thread"]["post"]
    (post,) = result.posts
    quoted_uri = view["record"]["embed"]["record"]["record"]["uri"]
    assert post.quote_of_id == quoted_uri
    (quoted,) = result.referenced
    assert quoted.id == quoted_uri
    assert quoted.text == view["embed"]["record"]["record"]["value"]["text"]
    assert [m.url for m in post.media] == [i["fullsize"] for i in view["embed"]["media"]["images"]]


# --------------------------------------------------------------------------- records


def test_record_with_offset_timestamp() -> None:
    raw, result = parse_sample("post_record.json")
    (post,) = result.posts
    assert post.id == raw["uri"]
    assert post.text == raw["value"]["text"]
    assert post.created_at == datetime(2024, 2, 22, 19, 58, 13, 903293, tzinfo=UTC)
    did = raw["uri"].split("/")[2]
    assert post.author_handle == "unknown" and post.author_id == did
    assert post.url == f"https://bsky.app/profile/{did}/post/{raw['uri'].rsplit('/', 1)[-1]}"


def test_record_without_timezone_is_utc() -> None:
    raw, result = parse_sample("extended_post_record.json")
    created = raw["value"]["createdAt"]
    assert datetime.fromisoformat(created).tzinfo is None  # the trap
    (post,) = result.posts
    assert post.created_at == datetime(2023, 7, 21, 1, 33, 51, 481951, tzinfo=UTC)
    assert post.text == "regress test"


def test_indigo_records() -> None:
    raw, result = parse_sample("transform-post-fixtures.json")
    assert len(result.posts) == len(raw)
    for post, item in zip(result.posts, raw, strict=True):
        assert post.id == f"at://{item['did']}/app.bsky.feed.post/{item['rkey']}"
        assert post.author_handle == item["handle"]
        assert post.text == item["PostRecord"]["text"]
        images = item["PostRecord"].get("embed", {}).get("images")
        images = images or item["PostRecord"].get("embed", {}).get("media", {}).get("images", [])
        # blob-only images: linked to the post's own permalink, alt text kept
        assert [m.alt for m in post.media] == [image["alt"] for image in images]
        assert all(m.url == post.url for m in post.media)

    rich = raw[1]["PostRecord"]
    post = result.posts[1]
    data = rich["text"].encode("utf-8")
    link_facet = next(f for f in rich["facets"] if "uri" in f["features"][0])
    assert link_facet["index"]["byteEnd"] > len(data)  # a broken facet in the data
    assert post.links == (Link(url=link_facet["features"][0]["uri"], display=""),)
    assert post.hashtags == ("some", "thing")  # facet tag, then the record's `tags`
    mention_facet = next(f for f in rich["facets"] if "did" in f["features"][0])
    assert not facet_text(rich, mention_facet).startswith("@")
    assert post.mentions == (mention_facet["features"][0]["did"],)
    assert post.reply_to_id == rich["reply"]["parent"]["uri"]
    assert post.quote_of_id == rich["embed"]["record"]["uri"]
    assert result.posts[0].links == (
        Link(url=raw[0]["PostRecord"]["embed"]["external"]["uri"], display="Bluesky Social"),
    )
    assert result.posts[4].quote_of_id == raw[4]["PostRecord"]["embed"]["record"]["record"]["uri"]


# --------------------------------------------------------------------------- inline


def record(text: str, facets: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": "2024-05-01T12:00:00.000Z",
    }
    if facets is not None:
        value["facets"] = facets
    value.update(extra)
    return value


def facet(text: str, part: str, feature: dict[str, Any]) -> dict[str, Any]:
    data, target = text.encode("utf-8"), part.encode("utf-8")
    start = data.index(target)
    return {"index": {"byteStart": start, "byteEnd": start + len(target)}, "features": [feature]}


def view(rkey: str, value: dict[str, Any], handle: str = "alice.test") -> dict[str, Any]:
    return {
        "uri": f"at://did:plc:alice/app.bsky.feed.post/{rkey}",
        "cid": "c",
        "author": {"did": "did:plc:alice", "handle": handle, "displayName": "Alice"},
        "record": value,
        "indexedAt": "2024-05-01T12:00:01.000Z",
    }


def parse_json(value: Any) -> ArchiveParse:
    return bluesky.parse(json.dumps(value, ensure_ascii=False), "inline.json")


def test_emoji_before_facets_and_shortened_link_expansion() -> None:
    text = "🎉🦋 ünïcode see example.com/some/pa... with @bob.test #ChatNight"
    facets = [
        facet(
            text,
            "example.com/some/pa...",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/some/path?q=1"},
        ),
        facet(text, "@bob.test", {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:b"}),
        facet(text, "#ChatNight", {"$type": "app.bsky.richtext.facet#tag", "tag": "ChatNight"}),
    ]
    (post,) = parse_json({"posts": [view("3kaaaaaaaaa22", record(text, facets))]}).posts
    assert post.text == (
        "🎉🦋 ünïcode see https://example.com/some/path?q=1 with @bob.test #ChatNight"
    )
    assert post.links == (
        Link(url="https://example.com/some/path?q=1", display="example.com/some/pa..."),
    )
    assert post.mentions == ("bob.test",)
    assert post.hashtags == ("ChatNight",)


def test_link_text_that_is_words_is_kept() -> None:
    text = "read this please"
    facets = [
        facet(
            text, "this", {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/"}
        )
    ]
    (post,) = parse_json(view("3kaaaaaaaaa22", record(text, facets))).posts
    assert post.text == text
    assert post.links == (Link(url="https://example.com/", display="this"),)


def test_link_facet_over_ordinary_words_displays_those_words() -> None:
    # The URL is nowhere in the text, so the renderer can only link the words the
    # facet covers: `display` must be exactly them, and the text must stay as written.
    text = "Before tonight's chat, read the report from last week"
    uri = "https://example.org/reports/2024-04.pdf"
    facets = [facet(text, "the report", {"$type": "app.bsky.richtext.facet#link", "uri": uri})]
    (post,) = parse_json(view("3kaaaaaaaaa22", record(text, facets))).posts
    assert post.text == text
    assert uri not in post.text
    assert post.links == (Link(url=uri, display="the report"),)


def test_javascript_and_other_schemes_are_not_links() -> None:
    text = "click me or this"
    facets = [
        facet(
            text,
            "click me",
            {"$type": "app.bsky.richtext.facet#link", "uri": "javascript:alert(1)"},
        ),
        facet(
            text,
            "this",
            {
                "$type": "app.bsky.richtext.facet#link",
                "uri": "data:text/html,<script>alert(1)</script>",
            },
        ),
    ]
    embed = {
        "$type": "app.bsky.embed.external",
        "external": {"uri": "JavaScript:alert(2)", "title": "t", "description": ""},
    }
    (post,) = parse_json(view("3kaaaaaaaaa22", record(text, facets, embed=embed))).posts
    assert post.links == ()
    assert post.text == text


def test_broken_facet_offsets_do_not_crash() -> None:
    text = "🦋 hi"  # the butterfly is 4 bytes: offset 2 is inside it
    facets: list[Any] = [
        {
            "index": {"byteStart": 2, "byteEnd": 6},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://a.example/"}],
        },
        {
            "index": {"byteStart": 5, "byteEnd": 999},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "x"}],
        },
        {"index": {"byteStart": "0", "byteEnd": None}, "features": [{"did": "did:plc:z"}]},
        {"index": {"byteStart": 0, "byteEnd": 4}, "features": "nonsense"},
        "not a facet",
    ]
    (post,) = parse_json(view("3kaaaaaaaaa22", record(text, facets))).posts
    assert post.text == text
    assert post.links == (Link(url="https://a.example/", display=""),)
    assert post.hashtags == ("x",)
    assert post.mentions == ("did:plc:z",)


def test_repost_with_a_reason_uri_and_reply_context() -> None:
    original = view("3koriginal222", record("original"), handle="carol.test")
    parent = view("3kparent22222", record("parent words"), handle="dave.test")
    reply = view(
        "3kreply222222",
        record(
            "an answer",
            reply={
                "root": {"uri": parent["uri"], "cid": "c"},
                "parent": {"uri": parent["uri"], "cid": "c"},
            },
        ),
    )
    feed = {
        "feed": [
            {
                "post": original,
                "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "uri": "at://did:plc:erin/app.bsky.feed.repost/3krepost2222",
                    "by": {"did": "did:plc:erin", "handle": "erin.test"},
                    "indexedAt": "2024-05-02T00:00:00Z",
                },
            },
            {"post": reply, "reply": {"root": parent, "parent": parent}},
        ]
    }
    result = parse_json(feed)
    repost, answer = result.posts
    assert repost.id == "at://did:plc:erin/app.bsky.feed.repost/3krepost2222"
    assert repost.repost_of_id == original["uri"]
    assert repost.author_handle == "erin.test"
    assert repost.created_at == datetime(2024, 5, 2, tzinfo=UTC)
    assert answer.reply_to_id == parent["uri"] and answer.reply_to_handle == "dave.test"
    assert {post.id for post in result.referenced} == {original["uri"], parent["uri"]}


def test_unavailable_thread_posts() -> None:
    anchor = view(
        "3kanchor22222",
        record(
            "still here",
            reply={
                "root": {"uri": "at://did:plc:gone/app.bsky.feed.post/3kgone2222222", "cid": "c"},
                "parent": {"uri": "at://did:plc:gone/app.bsky.feed.post/3kgone2222222", "cid": "c"},
            },
        ),
    )
    thread = {
        "thread": {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": anchor,
            "parent": {
                "$type": "app.bsky.feed.defs#notFoundPost",
                "uri": "at://did:plc:gone/app.bsky.feed.post/3kgone2222222",
                "notFound": True,
            },
            "replies": [
                {
                    "$type": "app.bsky.feed.defs#blockedPost",
                    "uri": "at://did:plc:x/app.bsky.feed.post/not-a-tid",
                    "blocked": True,
                    "author": {"did": "did:plc:x"},
                }
            ],
        }
    }
    result = parse_json(thread)
    stub, post = result.posts
    assert stub.status == "deleted" and stub.id.endswith("/3kgone2222222")
    assert stub.created_at.tzinfo is not None
    assert post.reply_to_id == stub.id
    (skip,) = result.skipped
    assert "not-a-tid" in skip.reason


def test_bare_record_gets_a_stable_id_and_unknown_author() -> None:
    bare = record("no uri here", createdAt="2024-05-01T12:00:00")
    first = parse_json(bare).posts[0]
    again = parse_json([bare]).posts[0]
    assert first.id == again.id and first.id.startswith("bluesky-record-")
    assert first.author_handle == "unknown" and first.url is None
    assert first.created_at == datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_json_lines_of_mixed_shapes_and_bad_records() -> None:
    lines = "\n".join(
        [
            json.dumps({"posts": [view("3kaaaaaaaaa22", record("one"))]}),
            json.dumps(
                {"uri": "at://did:plc:b/app.bsky.feed.post/3kbbbbbbbbb22", "value": record("two")}
            ),
            json.dumps(view("3kccccccccc22", record("bad time", createdAt="yesterday"))),
            json.dumps(
                {
                    "uri": "at://did:plc:b/app.bsky.feed.like/3k",
                    "value": {"$type": "app.bsky.feed.like", "createdAt": "2024-05-01T12:00:00Z"},
                }
            ),
            "{not json",
        ]
    )
    assert bluesky.sniff(lines, "x.jsonl")
    result = bluesky.parse(lines, "x.jsonl")
    assert [post.text for post in result.posts] == ["one", "two"]
    assert [skip.where for skip in result.skipped] == ["line 3", "line 4", "line 5"]


def test_sniff_accepts_each_shape() -> None:
    post_view = view("3kaaaaaaaaa22", record("hi"))
    shapes = [
        {"posts": [post_view], "cursor": "x"},
        {"feed": [{"post": post_view}]},
        {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": post_view}},
        {"records": [{"uri": post_view["uri"], "cid": "c", "value": record("hi")}]},
        {"uri": post_view["uri"], "cid": "c", "value": record("hi")},
        record("hi"),
        {"did": "did:plc:a", "handle": "a.test", "rkey": "3k", "PostRecord": record("hi")},
        [post_view],
    ]
    for shape in shapes:
        assert bluesky.sniff(json.dumps(shape, indent=1), "x.json"), shape


def test_sniff_refuses_twitter_and_mastodon_shapes() -> None:
    tweet_v1 = {
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "id": 1050118621198921728,
        "id_str": "1050118621198921728",
        "full_text": "hi",
        "user": {"id_str": "1", "screen_name": "x"},
    }
    twarc2_page = {
        "data": [{"id": "1", "text": "hi", "author_id": "2"}],
        "includes": {"users": [{"id": "2", "username": "x"}]},
        "meta": {},
    }
    toot = {
        "id": "1",
        "created_at": "2024-01-01T00:00:00Z",
        "content": "<p>x</p>",
        "account": {"id": "1", "acct": "a"},
    }
    others: list[Any] = [tweet_v1, [tweet_v1], twarc2_page, toot, {"posts": []}, {}, []]
    for other in others:
        assert not bluesky.sniff(json.dumps(other), "x.json"), other
    assert not bluesky.sniff("id,text\n1,hi\n", "x.csv")


def test_hostile_nesting_is_refused_without_recursing() -> None:
    nested = '{"feed": [' * 300 + "{}" + "]}" * 300
    result = bluesky.parse(nested, "nested.json")
    assert result.posts == ()
    assert len(result.skipped) == 1
    media = '{"$type": "app.bsky.embed.recordWithMedia", "media": ' * 300
    media += '{"$type": "app.bsky.embed.images"}' + "}" * 300
    value = record("deep", embed=json.loads(media))
    (post,) = parse_json(
        {"uri": "at://did:plc:a/app.bsky.feed.post/3kaaaaaaaaa22", "value": value}
    ).posts
    assert post.text == "deep" and post.media == ()


# ------------------------------------------------- line separators inside JSON strings


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_json_lines_keep_a_post_whose_text_holds_a_unicode_line_break(separator: str) -> None:
    # JSON allows these raw inside strings; str.splitlines() would end a line there,
    # which refused the file (first line) or dropped the post (any other line).
    lines = []
    for number in (1, 2, 3):
        text = f"one{separator}two @bob.test {number}"
        mention = {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:b"}
        value = record(text, [facet(text, "@bob.test", mention)])
        lines.append(json.dumps(view(f"3k{number}aaaaaaaa22", value), ensure_ascii=False))
    text = "\n".join(lines)
    assert separator in text
    assert bluesky.sniff(text, "posts.jsonl")
    result = bluesky.parse(text, "posts.jsonl")
    assert [post.text for post in result.posts] == [
        f"one{separator}two @bob.test {n}" for n in (1, 2, 3)
    ]
    # The facets' byte offsets still land on the mention after the separator.
    assert [post.mentions for post in result.posts] == [("bob.test",)] * 3
    assert result.skipped == ()


def test_a_bad_line_is_skipped_and_later_lines_keep_their_numbers() -> None:
    text = "\n".join(
        [
            json.dumps(view("3kaaaaaaaaa22", record("a\u2028b")), ensure_ascii=False),
            "{not json",
            "",
            json.dumps(view("3kbbbbbbbbb22", record("c\u0085d")), ensure_ascii=False),
            json.dumps(view("3kccccccccc22", record("bad time", createdAt="yesterday"))),
        ]
    )
    result = bluesky.parse(text, "posts.jsonl")
    assert [post.text for post in result.posts] == ["a\u2028b", "c\u0085d"]
    assert [skip.where for skip in result.skipped] == ["line 2", "line 5"]
    assert "not valid JSON" in result.skipped[0].reason
    assert "createdAt" in result.skipped[1].reason
