"""Mastodon/Pleroma/Akkoma status JSON: every real sample, plus hostile inline input.

Expected values are computed here from the raw JSON (never copied from the parser's
output), so a test fails when the parser and the data disagree.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from generator.archives import mastodon
from generator.core.posts import ArchiveFormatError, ArchiveParse, Link, Post
from tests.conftest import real_fixture

SAMPLES = (
    "tag.json",
    "post no emojis.json",
    "post with emojis and attachments.json",
    "post wordle linebreaks.json",
    "post_edited.json",
    "quote.json",
    "shallow_quote.json",
    "post_akkoma_quote.json",
    "streaming_update.json",
    "streaming_delete.json",
)


def load(name: str) -> tuple[str, Any]:
    text = real_fixture(f"mastodon/{name}").read_text(encoding="utf-8")
    return text, json.loads(text)


def parse_sample(name: str) -> tuple[Any, ArchiveParse]:
    text, raw = load(name)
    return raw, mastodon.parse(text, name)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "a":
            self.anchors.append(dict(attrs))


def assert_safe(post: Post) -> None:
    """What must hold for every post a page might show."""
    assert isinstance(post.id, str) and post.id
    assert post.source == "mastodon"
    assert post.created_at.tzinfo is not None
    assert post.created_at.utcoffset() == UTC.utcoffset(None)
    assert "<p>" not in post.text and "<br" not in post.text
    assert post.html is not None
    lowered = post.html.lower()
    for forbidden in ("<script", "onerror", "javascript:", "style=", "<img", "<iframe"):
        assert forbidden not in lowered, (post.id, forbidden)
    reader = _Anchors()
    reader.feed(post.html)
    assert reader.tags <= {"p", "br", "a", "span"}
    for anchor in reader.anchors:
        assert "nofollow" in (anchor.get("rel") or "").split()
        assert set(anchor) <= {"href", "rel"}
    for link in post.links:
        assert link.url.startswith(("http://", "https://"))


# --------------------------------------------------------------------------- all samples


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_is_recognised_and_safe(name: str) -> None:
    text, _ = load(name)
    assert mastodon.sniff(text, name)
    result = mastodon.parse(text, name)
    for post in (*result.posts, *result.referenced):
        assert_safe(post)


@pytest.mark.parametrize(
    "relpath",
    [
        "bluesky/getAuthorFeed.json",
        "bluesky/post_record.json",
        "twitter-v1/tweets.json",
        "twitter-v1/original_format_examples.json",
        "twitter-v2/two_tweets.jsonl",
    ],
)
def test_sniff_refuses_other_formats_real_samples(relpath: str) -> None:
    path = real_fixture(relpath)
    assert not mastodon.sniff(path.read_text(encoding="utf-8"), path.name)


# --------------------------------------------------------------------------- tag.json (1.x)


def test_tag_timeline_keeps_every_status_with_integer_ids_as_strings() -> None:
    raw, result = parse_sample("tag.json")
    assert isinstance(raw[0]["id"], int)  # the trap: Mastodon 1.x integer ids
    assert len(result.posts) == len(raw)
    assert [post.id for post in result.posts] == [str(status["id"]) for status in raw]
    assert [post.author_handle for post in result.posts] == [s["account"]["acct"] for s in raw]
    assert [post.author_id for post in result.posts] == [str(s["account"]["id"]) for s in raw]
    for post, status in zip(result.posts, raw, strict=True):
        assert post.mentions == tuple(mention["acct"] for mention in status["mentions"])
        assert {tag.casefold() for tag in post.hashtags} == {t["name"] for t in status["tags"]}
        assert len(post.media) == len(status["media_attachments"])
        assert post.url == status["url"]


def test_tag_timeline_replies_name_whom_they_answer() -> None:
    raw, result = parse_sample("tag.json")
    replies = [
        (post, status)
        for post, status in zip(result.posts, raw, strict=True)
        if status["in_reply_to_id"] is not None
    ]
    assert replies
    for post, status in replies:
        assert post.reply_to_id == str(status["in_reply_to_id"])
        answered = [
            m["acct"] for m in status["mentions"] if m["id"] == status["in_reply_to_account_id"]
        ]
        assert post.reply_to_handle == answered[0]


def test_tag_timeline_shortened_links_are_whole_in_text_and_links() -> None:
    raw, result = parse_sample("tag.json")
    by_id = {post.id: post for post in result.posts}
    status = next(s for s in raw if "takulog.info/20170420" in s["content"])
    post = by_id[str(status["id"])]
    full = "https://takulog.info/20170420you-ming-gou/"
    assert full in status["content"]
    assert full in post.text
    assert Link(url=full, display="takulog.info/20170420you-ming-…") in post.links
    # hashtag and mention anchors are not "links"
    assert all("/tags/" not in link.url for link in post.links)
    assert "#Mastodon" in post.text


def test_tag_timeline_media_link_to_the_origin_copy() -> None:
    raw, result = parse_sample("tag.json")
    by_id = {post.id: post for post in result.posts}
    for status in raw:
        expected = [a["remote_url"] or a["url"] for a in status["media_attachments"]]
        assert [m.url for m in by_id[str(status["id"])].media] == expected
        assert all(m.kind == "photo" for m in by_id[str(status["id"])].media)


# --------------------------------------------------------------------------- TootSDK samples


def test_post_no_emojis_mentions_hashtags_and_text() -> None:
    raw, result = parse_sample("post no emojis.json")
    (post,) = result.posts
    assert post.id == raw["id"] == "AQgIdalRCRfsNV6KzA"  # Pleroma-style opaque id
    assert post.author_handle == raw["account"]["acct"]
    assert post.mentions == tuple(m["acct"] for m in raw["mentions"])
    assert post.hashtags == ("Swift",)  # as written in the content, not the API's "swift"
    assert post.text.startswith(
        "Hey fellow #Swift devs 👋!\n\nAs some of you may know, @konstantin and @davidgarywood"
    )
    assert post.links == ()
    assert post.html is not None and 'rel="nofollow noopener ugc"' in post.html


def test_pleroma_content_without_paragraphs_custom_emoji_and_cw() -> None:
    raw, result = parse_sample("post with emojis and attachments.json")
    assert "<p>" not in raw["content"]
    (post,) = result.posts
    assert post.author_handle == "konstantin"  # local account: acct has no domain
    assert post.author_name == raw["account"]["display_name"]
    assert ":veripawed:" in post.author_name
    assert post.text == (
        f"CW: {raw['spoiler_text']}\n\n"
        "I just #love #coffee :heart_cup: There is no better way to start the day."
    )
    assert post.html is not None and post.html.startswith(f"<p>CW: {raw['spoiler_text']}</p>")
    assert set(post.hashtags) == {tag["name"] for tag in raw["tags"]}
    (media,) = post.media
    assert media.kind == "photo"
    assert media.alt == raw["media_attachments"][0]["description"]
    assert media.url == raw["media_attachments"][0]["remote_url"]


def test_wordle_line_breaks_become_newlines() -> None:
    raw, result = parse_sample("post wordle linebreaks.json")
    (post,) = result.posts
    paragraphs = raw["content"].removeprefix("<p>").removesuffix("</p>").split("</p><p>")
    rows = paragraphs[1].split("<br />")
    assert len(rows) == 6
    assert post.text == paragraphs[0] + "\n\n" + "\n".join(rows)


def test_edited_post_keeps_original_time_and_link() -> None:
    raw, result = parse_sample("post_edited.json")
    (post,) = result.posts
    assert raw["edited_at"] is not None
    assert post.id == raw["id"]
    assert post.created_at == datetime(2024, 4, 19, 22, 14, 48, 415000, tzinfo=UTC)
    assert post.hashtags == ("UB40",)
    assert post.links == (
        Link(url="https://example.com/albums/8513", display="example.com/albums/8513"),
    )
    assert post.text == "listening to #UB40\n\nhttps://example.com/albums/8513"


def test_quote_entity_with_malformed_span_yields_sane_text() -> None:
    raw, result = parse_sample("quote.json")
    quoted = raw["quoted_status"]
    assert "</span}" in quoted["content"]
    assert result.posts == ()
    (post,) = result.referenced
    assert post.id == quoted["id"]
    url = (
        "https://www.theguardian.com/money/2019/dec/07/"
        "i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
    )
    assert post.text == f'"I lost my inheritance with one wrong digit on my sort code"\n\n{url}'
    assert post.links == (Link(url=url, display="theguardian.com/money/2019/dec…"),)
    assert "}" not in post.text


def test_shallow_quote_alone_is_a_reported_skip() -> None:
    _, result = parse_sample("shallow_quote.json")
    assert result.posts == () and result.referenced == ()
    assert len(result.skipped) == 1


def test_akkoma_quote_puts_the_quoted_status_in_referenced() -> None:
    raw, result = parse_sample("post_akkoma_quote.json")
    (post,) = result.posts
    assert post.quote_of_id == raw["quote_id"] == raw["quote"]["id"]
    (quoted,) = result.referenced
    assert quoted.id == raw["quote"]["id"]
    assert quoted.author_handle == raw["quote"]["account"]["acct"]
    assert quoted.text == "got a flu shot and fruit tea"
    assert quoted.media[0].alt == raw["quote"]["media_attachments"][0]["description"]
    target = raw["quote"]["url"]
    assert post.text == f"from @technicat\n\n{target}"
    assert post.links == (Link(url=target, display=target),)
    assert post.mentions == ("technicat@universeodon.com",)


def test_streaming_update_payload_is_a_json_string() -> None:
    raw, result = parse_sample("streaming_update.json")
    assert isinstance(raw["payload"], str)
    status = json.loads(raw["payload"])
    (post,) = result.posts
    assert post.id == status["id"]
    assert post.reply_to_id == status["in_reply_to_id"]
    # a self-reply: the answered account is the author
    assert status["in_reply_to_account_id"] == status["account"]["id"]
    assert post.reply_to_handle == status["account"]["acct"]
    assert post.text.endswith("consequat. 😂")


def test_streaming_delete_is_skipped_with_the_id() -> None:
    raw, result = parse_sample("streaming_delete.json")
    assert result.posts == ()
    (skip,) = result.skipped
    assert raw["payload"] in skip.reason


# --------------------------------------------------------------------------- inline


def status(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "100",
        "created_at": "2024-03-01T18:00:00.000Z",
        "account": {"id": "1", "acct": "host", "display_name": "Host"},
        "content": "<p>hello</p>",
        "visibility": "public",
        "mentions": [],
        "tags": [],
        "media_attachments": [],
    }
    base.update(fields)
    return base


def parse_json(value: Any) -> ArchiveParse:
    return mastodon.parse(json.dumps(value), "inline.json")


def test_hostile_content_is_sanitised() -> None:
    hostile = (
        '<p>hi<script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        "<img src=x onerror=alert(1)></p>"
    )
    (post,) = parse_json(status(content=hostile)).posts
    assert_safe(post)
    assert post.html is not None
    assert "script" not in post.html and "alert" not in post.html
    assert post.links == ()
    assert post.text == "hix"


def test_hostile_attributes_schemes_and_styles_are_dropped() -> None:
    content = (
        '<p style="color:red" onclick="x()">a&nbsp;&amp; b <a href="JaVaScRiPt:x">j</a>'
        '<a href="/relative">r</a><a href="mailto:a@b.example">m</a>'
        '<a href="https://ok.example/" class="x" target="_blank">ok</a></p>'
        "<style>p{}</style><iframe src=https://evil.example></iframe>"
    )
    (post,) = parse_json(status(content=content)).posts
    assert_safe(post)
    assert post.html is not None
    assert 'href="mailto:a@b.example"' in post.html
    assert "/relative" not in post.html
    assert post.links == (Link(url="https://ok.example/", display="ok"),)
    assert post.text == "a\u00a0& b jrmok"


def test_cw_is_escaped_in_html() -> None:
    (post,) = parse_json(status(spoiler_text="<b>spoilers</b> & more")).posts
    assert post.text == "CW: <b>spoilers</b> & more\n\nhello"
    assert post.html == "<p>CW: &lt;b&gt;spoilers&lt;/b&gt; &amp; more</p><p>hello</p>"


def test_reblog_is_a_repost_with_the_original_referenced() -> None:
    original = status(
        id="7", account={"id": "2", "acct": "guest@else.example"}, content="<p>original words</p>"
    )
    (post,) = (result := parse_json(status(id="8", content="", reblog=original))).posts
    assert post.repost_of_id == "7"
    assert post.author_handle == "host"
    (referenced,) = result.referenced
    assert referenced.id == "7" and referenced.text == "original words"


def test_mastodon_quote_states() -> None:
    quoted = status(id="50", content="<p>quoted</p>")
    accepted = status(id="1", quote={"state": "accepted", "quoted_status": quoted})
    revoked = status(id="2", quote={"state": "revoked", "quoted_status": quoted})
    shallow = status(id="3", quote={"state": "accepted", "quoted_status_id": "51"})
    gone = status(id="4", quote={"state": "deleted", "quoted_status": None})
    result = parse_json([accepted, revoked, shallow, gone])
    assert [post.quote_of_id for post in result.posts] == ["50", "50", "51", None]
    assert [post.id for post in result.referenced] == ["50"]


def test_pleroma_quote_and_private_originals() -> None:
    quoted = status(id="q1", content="<p>from pleroma</p>")
    secret = status(id="s1", visibility="private")
    result = parse_json(
        [
            status(id="a", pleroma={"quote": quoted, "quote_id": "q1"}),
            status(id="b", reblog=secret),
        ]
    )
    assert [post.quote_of_id for post in result.posts] == ["q1", None]
    assert result.posts[1].repost_of_id == "s1"
    assert [post.id for post in result.referenced] == ["q1"]  # not the private one


def test_direct_messages_are_never_published() -> None:
    result = parse_json([status(id="1"), status(id="2", visibility="direct")])
    assert [post.id for post in result.posts] == ["1"]
    assert "direct" in result.skipped[0].reason


def test_search_envelope_and_json_lines_with_a_broken_line() -> None:
    envelope = {"accounts": [], "hashtags": [], "statuses": [status(id="1"), status(id="2")]}
    assert [post.id for post in parse_json(envelope).posts] == ["1", "2"]
    event = {"event": "update", "payload": json.dumps(status(id="3"))}
    lines = "\n".join([json.dumps(status(id="1")), "", json.dumps(event), '{"id": "4", broken'])
    assert mastodon.sniff(lines, "stream.jsonl")
    result = mastodon.parse(lines, "stream.jsonl")
    assert [post.id for post in result.posts] == ["1", "3"]
    assert [skip.where for skip in result.skipped] == ["line 4"]


def test_bad_records_are_skipped_not_fatal() -> None:
    result = parse_json(
        [
            status(id="1"),
            status(id=None),
            status(id="3", created_at="next thursday"),
            status(id="4", created_at="2024-03-01T18:00:00"),  # no offset: taken as UTC
            7,
        ]
    )
    assert [post.id for post in result.posts] == ["1", "4"]
    assert result.posts[1].created_at == datetime(2024, 3, 1, 18, tzinfo=UTC)
    assert [skip.where for skip in result.skipped] == ["item 2", "item 3", "item 5"]


def test_broken_json_file_is_a_format_error_with_its_line() -> None:
    with pytest.raises(ArchiveFormatError) as error:
        mastodon.parse('[\n  {"id": "1",\n  oops\n]', "broken.json")
    assert error.value.line == 3


def test_sniff_accepts_each_shape() -> None:
    one = status()
    shapes = [
        one,
        [one],
        {"statuses": [one]},
        {"event": "update", "payload": json.dumps(one)},
        {"event": "delete", "payload": "1"},
        {"state": "accepted", "quoted_status_id": "1"},
    ]
    for shape in shapes:
        assert mastodon.sniff(json.dumps(shape, indent=2), "x.json"), shape
    assert mastodon.sniff("\ufeff" + json.dumps(one) + "\n" + json.dumps(one), "x.jsonl")


def test_sniff_refuses_twitter_and_bluesky_shapes() -> None:
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
    bluesky_view = {
        "uri": "at://did:plc:x/app.bsky.feed.post/3k",
        "cid": "c",
        "author": {"did": "did:plc:x", "handle": "x.test"},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": "hi",
            "createdAt": "2024-01-01T00:00:00Z",
        },
    }
    for other in (tweet_v1, [tweet_v1], twarc2_page, {"posts": [bluesky_view]}, [], "text"):
        assert not mastodon.sniff(json.dumps(other), "x.json"), other
    assert not mastodon.sniff("not json at all", "x.json")


def test_hostile_nesting_is_refused_without_recursing() -> None:
    nested = '{"statuses": [' * 300 + "{}" + "]}" * 300
    result = mastodon.parse(nested, "nested.json")
    assert result.posts == ()
    assert len(result.skipped) == 1
    with pytest.raises(ArchiveFormatError):
        mastodon.parse("[" * 100_000 + "]" * 100_000, "deep.json")


# ------------------------------------------------- line separators inside JSON strings


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_json_lines_keep_a_status_whose_text_holds_a_unicode_line_break(separator: str) -> None:
    # JSON allows these raw inside strings; str.splitlines() would end a line there,
    # which refused the file (first line) or dropped the status (any other line).
    statuses = [status(id=str(n), content=f"<p>one{separator}two {n}</p>") for n in (1, 2, 3)]
    text = "\n".join(json.dumps(s, ensure_ascii=False) for s in statuses)
    assert separator in text
    assert mastodon.sniff(text, "stream.jsonl")
    result = mastodon.parse(text, "stream.jsonl")
    assert [post.id for post in result.posts] == ["1", "2", "3"]
    assert [post.text for post in result.posts] == [f"one{separator}two {n}" for n in (1, 2, 3)]
    assert result.skipped == ()


def test_a_bad_line_is_skipped_and_later_lines_keep_their_numbers() -> None:
    text = "\r\n".join(
        [
            json.dumps(status(id="1", content="<p>a\u2028b</p>"), ensure_ascii=False),
            '{"id": "2", "content": "cut off',
            "",
            json.dumps(status(id="4", content="<p>c\u2029d</p>"), ensure_ascii=False),
            json.dumps(status(id="5", visibility="direct")),
        ]
    )
    result = mastodon.parse(text, "stream.jsonl")
    assert [post.id for post in result.posts] == ["1", "4"]
    assert [post.text for post in result.posts] == ["a\u2028b", "c\u2029d"]
    assert [skip.where for skip in result.skipped] == ["line 2", "line 5"]
    assert "not valid JSON" in result.skipped[0].reason
    assert "direct" in result.skipped[1].reason
