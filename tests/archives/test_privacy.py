"""Opt-outs: a participant who asked to be left out leaves no trace in the posts."""

from datetime import UTC, datetime

from generator.archives.privacy import apply_opt_out
from generator.core.posts import ArchiveParse, Link, Post

T = datetime(2012, 2, 16, 20, 0, tzinfo=UTC)


def post(id: str, handle: str, text: str = "", **kw: object) -> Post:
    return Post(id=id, source="test", created_at=T, author_handle=handle, text=text, **kw)


def test_opted_out_posts_become_anonymous_stubs_and_replies_keep_their_place() -> None:
    parsed = ArchiveParse(
        posts=(
            post(
                "1",
                "Quiet_Cat",
                "A1 my answer",
                url="https://twitter.com/Quiet_Cat/status/1",
                author_name="Cat Q",
            ),
            post(
                "2",
                "ann",
                "@quiet_cat agreed! see twitter.com/quiet_cat/status/1",
                reply_to_id="1",
                reply_to_handle="quiet_cat",
                mentions=("quiet_cat",),
                links=(Link("https://twitter.com/quiet_cat/status/1"),),
            ),
            post("3", "quiet_cat", "RT @ann: hello"),  # their repost: gone
            post("4", "bob", "RT @Quiet_Cat: A1 my answer"),  # a repost of them: gone
            post("5", "bob", "quiet_cats are great; @quiet_catalogue too"),  # not them
        ),
        referenced=(post("9", "quiet_cat", "quoted"),),
    )
    result = apply_opt_out(parsed, frozenset({"quiet_cat"}))
    by_id = {p.id: p for p in (*result.posts, *result.referenced)}
    assert sorted(by_id) == ["1", "2", "5", "9"]
    stub = by_id["1"]
    assert (stub.status, stub.author_handle, stub.author_name, stub.text, stub.url) == (
        "withheld",
        "",
        "",
        "",
        None,
    )
    reply = by_id["2"]
    assert reply.reply_to_id == "1"  # still threads under the placeholder
    assert "quiet_cat" not in repr(reply).lower()
    assert by_id["5"].text == "quiet_cats are great; @quiet_catalogue too"
    assert by_id["9"].status == "withheld"


def test_fediverse_handles_match_by_local_part_and_drop_html() -> None:
    parsed = ArchiveParse(
        posts=(
            post("1", "dana@libraries.example", "hi"),
            post(
                "2", "eve", "hello @dana", html='<p>hello <a href="https://x/@dana">@dana</a></p>'
            ),
        )
    )
    result = apply_opt_out(parsed, frozenset({"dana"}))
    assert result.posts[0].status == "withheld"
    assert result.posts[1].html is None and "dana" not in result.posts[1].text


def test_no_opt_outs_changes_nothing() -> None:
    parsed = ArchiveParse(posts=(post("1", "a", "x"),))
    assert apply_opt_out(parsed, frozenset()) is parsed
