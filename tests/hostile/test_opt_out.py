"""An opted-out participant appears nowhere in the built site.

One archive mentions them every way people do: `@name`, `.@name`, the bare handle,
their display name, links to their profile and posts (twitter.com, x.com, the
handle-free `i/web/status/ID` form, Mastodon `/@name`, Bluesky `profile/...` by
handle and by DID), media links and alt text, reply targets, Mastodon HTML, reposts
and quotes of them. Then every file of the output is read (pages, feeds, .ics, and
the search index unpacked) and none may carry a trace of them.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator import build
from generator.cli import main
from tests.conftest import MINIMAL_SITE_YAML, NOW, chat_md
from tests.hostile.counts import record

MakeSite = Callable[[Mapping[str, str | bytes]], Path]

SITE_YAML = MINIMAL_SITE_YAML + 'privacy:\n  opt_out: ["@Quiet_Cat", "shy.bsky.social"]\n'
# Whatever of these reaches the output is a leak (matched without regard to case).
TRACES = (
    "quiet_cat",
    "cat quietly",
    "99887766",
    "i/web/status/1490000000000001001",
    "shy.bsky",
    "did:plc:shyshyshy",
    "secret answer",
    "shy secret",
)


def post(id: str, handle: str, text: str, minute: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": id,
        "source": "twitter-v2",
        "created_at": f"2012-02-16T20:{minute:02d}:00Z",
        "author_handle": handle,
        "text": text,
        **extra,
    }


POSTS = [
    post(
        "1490000000000001001",
        "Quiet_Cat",
        "A1 my secret answer",
        1,
        author_name="Cat Quietly",
        author_id="99887766",
        url="https://twitter.com/Quiet_Cat/status/1490000000000001001",
    ),
    post(
        "1002",
        "bob",
        ".@Quiet_Cat agreed, and thanks Cat Quietly!",
        2,
        reply_to_id="1490000000000001001",
        reply_to_handle="Quiet_Cat",
        mentions=["Quiet_Cat"],
    ),
    post(
        "1003",
        "eve",
        "see twitter.com/quiet_cat and https://x.com/quiet_cat/status/1490000000000001001 now",
        3,
        links=[
            {
                "url": "https://x.com/quiet_cat/status/1490000000000001001",
                "display": "x.com/quiet_cat/st…",
            }
        ],
    ),
    post(
        "1004",
        "eve",
        "great thread https://twitter.com/i/web/status/1490000000000001001",
        4,
        links=[
            {
                "url": "https://twitter.com/i/web/status/1490000000000001001",
                "display": "twitter.com/i/web…",
            }
        ],
    ),
    post(
        "1005",
        "dan",
        "cc @quiet_cat and QUIET_CAT",
        5,
        source="mastodon",
        html='<p>cc <a href="https://mastodon.social/@quiet_cat">@quiet_cat</a> and QUIET_CAT</p>',
    ),
    post(
        "3kabcdefgh",
        "shy.bsky.social",
        "my shy secret",
        6,
        source="bluesky",
        author_name="Shy Person",
        author_id="did:plc:shyshyshy",
        url="https://bsky.app/profile/shy.bsky.social/post/3kabcdefgh",
    ),
    post(
        "1007",
        "bob",
        "loved https://bsky.app/profile/did:plc:shyshyshy/post/3kabcdefgh and @shy.bsky.social",
        7,
        links=[{"url": "https://bsky.app/profile/did:plc:shyshyshy/post/3kabcdefgh"}],
    ),
    post(
        "1008",
        "bob",
        "slides from today",
        8,
        media=[
            {
                "url": "https://twitter.com/Quiet_Cat/status/1490000000000001001/photo/1",
                "kind": "photo",
            },
            {
                "url": "https://pbs.twimg.com/media/abc.jpg",
                "kind": "photo",
                "alt": "quiet_cat's slide",
            },
        ],
    ),
    post("1009", "Quiet_Cat", "RT @bob: slides from today", 9, repost_of_id="1008"),
    post(
        "1010", "bob", "RT @Quiet_Cat: A1 my secret answer", 10, repost_of_id="1490000000000001001"
    ),
    post(
        "1011",
        "bob",
        "I agree with quiet_cat here, and Shy Person too",
        11,
        quote_of_id="1490000000000001001",
    ),
]


def unpacked(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix.startswith(".pf_") or path.suffix == ".pagefind":
        return gzip.decompress(data)
    return data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("optout")
    source = root / "site"
    archive = {"chatwiki_archive": 1, "chat": "2012-02-16-mentors", "posts": POSTS}
    files = {
        "site.yaml": SITE_YAML,
        "content/chats/2012-02-16-mentors/index.md": chat_md(
            title="Mentors",
            body='## Q1 mentors\n\n{{< post "1002" >}}\n\n{{< post "1490000000000001001" >}}\n\n'
            '{{< post "1011" >}}\n\n{{< post "1007" >}}\n',
            topics="[mentoring]",
        ),
        "content/chats/2012-02-16-mentors/posts.json": json.dumps(archive),
    }
    for rel, text in files.items():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(text)
    out = root / "output"
    build(source, out, NOW)
    return out


def test_no_trace_of_them_in_any_page_feed_calendar_or_search_file(site: Path) -> None:
    kinds = set()
    checked = 0
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = unpacked(path).lower()
        for trace in TRACES:
            assert trace.encode() not in data, f"{trace!r} is in {path.relative_to(site)}"
        kinds.add(path.suffix)
        checked += 1
    assert {".html", ".xml", ".ics", ".pf_fragment", ".pf_index", ".pf_meta"} <= kinds
    record("output files searched for opted-out traces", checked)


def test_the_conversation_around_them_is_still_there(site: Path) -> None:
    # Not vacuous: the posts that mentioned them are shown, with the mention withheld.
    pages = b"".join(p.read_bytes() for p in (site / "chats/2012-02-16-mentors").rglob("*.html"))
    assert b"agreed, and thanks [withheld]!" in pages
    assert b"slides from today" in pages
    assert b"I agree with [withheld] here, and [withheld] too" in pages
    assert b"pbs.twimg.com/media/abc.jpg" in pages
    fragments = b"".join(unpacked(p) for p in (site / "pagefind").rglob("*.pf_fragment"))
    assert b"agreed, and thanks [withheld]" in fragments, "quoted posts are indexed, scrubbed"


@pytest.mark.parametrize(
    "line",
    [".@Quiet_Cat was right", "as quiet_cat said", "see https://x.com/quiet_cat", "(@quiet_cat)"],
)
def test_a_write_up_that_names_them_is_an_error(tmp_site: MakeSite, line: str) -> None:
    source = tmp_site(
        {"site.yaml": SITE_YAML, "content/chats/a.md": chat_md(body=f"Hello.\n\n{line}\n")}
    )
    result = CliRunner().invoke(main, ["build", str(source), "--now", "2026-11-23T12:00Z"])
    assert result.exit_code == 1, result.output
    assert "content/chats/a.md:7: mentions" in result.output
    assert "who opted out" in result.output
    assert not (source / "output").exists()
