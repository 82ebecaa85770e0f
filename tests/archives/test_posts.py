"""Post rules shared by every archive format (generator/archives/posts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from generator.archives.posts import (
    as_stub,
    blank,
    digit_id,
    is_legacy_retweet,
    legacy_retweet_of,
    media_kind,
    retweeted_handle,
    sanitise_html,
    status_link,
    status_url,
    web_url,
)
from generator.core.posts import Link, Media, Post

WHEN = datetime(2020, 4, 19, 19, 22, 23, tzinfo=UTC)


def post(**fields: object) -> Post:
    base: dict[str, object] = {
        "id": "1",
        "source": "test",
        "created_at": WHEN,
        "author_handle": "alice",
        "author_name": "Alice",
        "text": "hello https://example.org #chat @bob",
        "html": "<p>hello</p>",
        "links": (Link("https://example.org"),),
        "hashtags": ("chat",),
        "mentions": ("bob",),
        "media": (Media("https://example.org/a.jpg", "photo"),),
    }
    base.update(fields)
    return Post(**base)  # type: ignore[arg-type]


def test_permalinks_need_no_handle_and_read_back() -> None:
    assert status_url("alice", "20") == "https://twitter.com/alice/status/20"
    assert status_url("", "20") == "https://twitter.com/i/web/status/20"
    assert status_url("unknown", "20") == "https://twitter.com/i/web/status/20"
    for handle in ("alice", ""):
        link = status_link(status_url(handle, "20"))
        assert link is not None
        assert (link.handle, link.tweet_id, link.rest) == (handle or None, "20", "")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.com/Alice/status/20/photo/1", ("Alice", "20", "/photo/1")),
        ("http://mobile.twitter.com/alice/statuses/20", ("alice", "20", "")),
        ("https://WWW.TWITTER.COM/alice/status/20?s=1", ("alice", "20", "?s=1")),
        ("https://example.org/alice/status/20", None),
        ("https://twitter.com/alice", None),
    ],
)
def test_status_link_reads_every_spelling_of_a_permalink(
    url: str, expected: tuple[str, str, str] | None
) -> None:
    link = status_link(url)
    assert (None if link is None else (link.handle, link.tweet_id, link.rest)) == expected


def test_ids_are_digit_strings_never_numbers() -> None:
    assert digit_id(" 1251954312772812801 ") == "1251954312772812801"
    assert digit_id(1251954312772812801) is None  # may have been a rounded double
    assert digit_id("1.25195431277281E+18") is None
    assert digit_id("١٢٣") is None  # Arabic-Indic digits are digits, not an id
    assert digit_id(None) is None


def test_a_legacy_retweet_is_known_by_its_text_only_without_a_repost_id() -> None:
    assert retweeted_handle("RT @bob_2: the original") == "bob_2"
    assert retweeted_handle("I said RT @bob: no") is None
    retweet = post(text="RT @bob: the original")
    assert legacy_retweet_of(retweet) == "bob" and is_legacy_retweet(retweet)
    assert legacy_retweet_of(post(text="RT @bob: x", repost_of_id="9")) is None
    assert not is_legacy_retweet(post())


def test_stubs_keep_who_and_when_never_what() -> None:
    stub = as_stub(post(), "deleted")
    assert stub.status == "deleted"
    assert (stub.text, stub.html, stub.links, stub.media) == ("", None, (), ())
    assert (stub.hashtags, stub.mentions) == ((), ())
    assert (stub.id, stub.author_handle, stub.created_at) == ("1", "alice", WHEN)
    assert stub.author_name == "Alice"
    blanked = blank(post(status="withheld"))
    assert blanked.status == "withheld" and blanked.author_name == "" and blanked.text == ""
    assert blanked.author_handle == "alice"


@pytest.mark.parametrize(
    ("service_type", "kind"),
    [
        ("photo", "photo"),  # Twitter
        ("animated_gif", "gif"),  # Twitter
        ("image", "photo"),  # Mastodon
        ("gifv", "gif"),  # Mastodon
        ("video", "video"),  # both
        ("audio", "other"),
        (None, "other"),
        (3, "other"),
    ],
)
def test_media_kinds_of_every_service(service_type: object, kind: str) -> None:
    assert media_kind(service_type) == kind


def test_web_urls_are_http_only() -> None:
    assert web_url(" https://example.org/a ") == "https://example.org/a"
    assert web_url("javascript:alert(1)") is None
    assert web_url("mailto:a@example.org") is None
    assert web_url("http://[broken") is None
    assert web_url(None) is None


def test_sanitised_html_keeps_the_allowlist_only() -> None:
    cleaned = sanitise_html(
        '<p>hi<script>alert(1)</script> <a href="javascript:alert(1)">x</a>'
        ' <a href="https://example.org" class="u-url" onclick="x()">ok</a>'
        "<img src=x onerror=alert(1)></p>"
    )
    assert "script" not in cleaned and "onerror" not in cleaned and "onclick" not in cleaned
    assert "javascript" not in cleaned and "class" not in cleaned and "<img" not in cleaned
    assert '<a href="https://example.org" rel="nofollow noopener ugc">ok</a>' in cleaned
