"""A chat's life cycle: upcoming, on now, awaiting its write-up, written up.

The build's `now` is driven through each stage; pages are read with an HTML parser
and feeds with feedparser, as a reader would see them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

from generator import build
from generator.core.model import stage
from generator.sources.config import parse_config
from generator.sources.content import parse_chat
from tests.calendar_fixtures import feed_date, parse_feed
from tests.conftest import MINIMAL_SITE_YAML, chat_md
from tests.test_gitinfo import git

MakeSite = Callable[[Mapping[str, str | bytes]], Path]

SERIES = """\
name: "Thursday chat"
hashtag: "#thursdaychat"
start: 2026-11-05T20:00
rrule: FREQ=WEEKLY;BYDAY=TH
hosts: ["@host"]
"""
CHAT = "content/chats/2026-11-26-winter.md"
ANNOUNCEMENT = chat_md(
    "Winter reading",
    "2026-11-26T20:00",
    "Join us to talk about winter reading.\n",
    hashtag='"#thursdaychat"',
    announcement="true",
)
WRITE_UP = chat_md(
    "Winter reading",
    "2026-11-26T20:00",
    "## What we said\n\nEveryone reads in winter.\n",
    hashtag='"#thursdaychat"',
)
# London is on UTC in November.
BEFORE = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DURING = datetime(2026, 11, 26, 20, 30, tzinfo=UTC)
AFTER = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def site_files(chat: str = ANNOUNCEMENT) -> dict[str, str]:
    return {
        "content/series/thursday.yaml": SERIES,
        "content/chats/2012-02-16-old.md": chat_md("Old times", hashtag='"#thursdaychat"'),
        CHAT: chat,
    }


def built(source: Path, now: datetime) -> Path:
    out = source.parent / f"out-{now:%Y%m%d%H%M}"
    build(source, out, now)
    return out


def page(out: Path, url: str = "") -> lxml_html.HtmlElement:
    return lxml_html.fromstring((out / url / "index.html").read_bytes())


def text(element: lxml_html.HtmlElement, xpath: str) -> str:
    return " ".join(" ".join(e.text_content().split()) for e in element.xpath(xpath))


def section(home: lxml_html.HtmlElement, heading_id: str) -> str:
    return text(home, f"//section[@aria-labelledby='{heading_id}']")


def kicker(out: Path) -> str:
    return text(page(out, "chats/2026-11-26-winter"), "//p[@class='kicker']")


def writeup_titles(out: Path) -> list[list[str]]:
    feeds = ("write-ups.xml", "write-ups.rss.xml", "series/thursday.xml")
    return [[e.title for e in parse_feed(out / "feeds" / f).entries] for f in feeds]


def test_stage_rule_at_its_edges() -> None:
    config, _ = parse_config(MINIMAL_SITE_YAML)
    assert config is not None
    chat, problems = parse_chat(CHAT, ANNOUNCEMENT, config, frozenset())
    assert chat is not None and not problems
    start, end = chat.start, chat.end
    assert stage(chat, start - timedelta(seconds=1)) == "upcoming"
    assert stage(chat, start) == "on_now"
    assert stage(chat, end - timedelta(seconds=1)) == "on_now"
    assert stage(chat, end) == "awaiting_write_up"
    written, _ = parse_chat(CHAT, WRITE_UP, config, frozenset())
    assert written is not None and stage(written, end) == "written_up"


def test_before_the_chat_it_is_the_next_chat(tmp_site: MakeSite) -> None:
    out = built(tmp_site(site_files()), BEFORE)
    home = page(out)
    assert "Winter reading" in section(home, "next-chat")
    assert not home.xpath("//section[@aria-labelledby='on-now']")
    assert kicker(out).startswith("Upcoming chat")
    assert writeup_titles(out) == [["Old times"]] * 3


def test_during_the_chat_home_and_chat_page_say_it_is_on(tmp_site: MakeSite) -> None:
    out = built(tmp_site(site_files()), DURING)
    home = page(out)
    assert "Winter reading" in section(home, "on-now")
    assert "Taking place now" in section(home, "on-now")
    # "Next chat" is the following week's, but the running one is not lost.
    assert "Winter reading" not in section(home, "next-chat")
    assert kicker(out).startswith("On now")
    assert "Chat write-up" not in kicker(out)
    assert "Winter reading" in section(page(out, "chats"), "on-now")
    assert writeup_titles(out) == [["Old times"]] * 3


def test_a_series_occurrence_without_a_chat_says_it_is_on(tmp_site: MakeSite) -> None:
    files = site_files()
    del files[CHAT]
    out = built(tmp_site(files), DURING)
    [link] = page(out).xpath("//section[@aria-labelledby='on-now']//h3/a/@href")
    event = lxml_html.fromstring((out / link / "index.html").read_bytes())
    assert text(event, "//p[@class='kicker']").startswith("On now")
    assert "taking place now" in text(event, "//article")


def test_after_the_chat_an_announcement_awaits_its_write_up(tmp_site: MakeSite) -> None:
    out = built(tmp_site(site_files()), AFTER)
    home = page(out)
    assert "Winter reading" not in section(home, "latest")
    assert "Winter reading" not in section(home, "next-chat")
    chats = page(out, "chats")
    assert "Winter reading" in section(chats, "awaiting")
    assert "Winter reading" not in section(chats, "past")
    assert "write-up to follow" in kicker(out)
    series = page(out, "series/thursday")
    assert "Winter reading" not in text(series, "//main")
    assert writeup_titles(out) == [["Old times"]] * 3


def test_once_written_up_it_is_a_write_up_everywhere(tmp_site: MakeSite) -> None:
    out = built(tmp_site(site_files(WRITE_UP)), AFTER)
    assert "Winter reading" in section(page(out), "latest")
    assert "Winter reading" in section(page(out, "chats"), "past")
    assert kicker(out).startswith("Chat write-up")
    assert writeup_titles(out) == [["Winter reading", "Old times"]] * 3


def updated(entry: object) -> datetime:
    return datetime(*entry.updated_parsed[:6], tzinfo=UTC)  # type: ignore[attr-defined]


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_feed_updated_follows_the_last_commit_and_the_id_stays(tmp_site: MakeSite) -> None:
    source = tmp_site(site_files())
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "announce", date="2026-11-10T09:00:00+00:00")
    assert writeup_titles(built(source, AFTER))[0] == ["Old times"]

    (source / CHAT).write_text(WRITE_UP, encoding="utf-8")
    git(source, "commit", "-q", "-am", "write-up", date="2026-11-29T10:00:00+00:00")
    later = datetime(2026, 12, 1, tzinfo=UTC)
    first = parse_feed(built(source, later) / "feeds/write-ups.xml").entries[0]
    assert first.title == "Winter reading"
    assert feed_date(first) == datetime(2026, 11, 26, 20, 0, tzinfo=UTC)  # published
    assert updated(first) == datetime(2026, 11, 29, 10, 0, tzinfo=UTC)

    (source / CHAT).write_text(WRITE_UP + "\nA correction.\n", encoding="utf-8")
    git(source, "commit", "-q", "-am", "typo", date="2026-12-02T08:00:00+00:00")
    again = parse_feed(built(source, later + timedelta(days=2)) / "feeds/write-ups.xml")
    entry = again.entries[0]
    assert entry.id == first.id
    assert updated(entry) == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    # RSS has no `updated`; its guid stays too.
    rss = parse_feed(built(source, later + timedelta(days=3)) / "feeds/write-ups.rss.xml")
    assert rss.entries[0].id == "https://chat.example.org/chats/2026-11-26-winter/"


def test_a_bad_announcement_value_names_file_line_and_key() -> None:
    config, _ = parse_config(MINIMAL_SITE_YAML)
    assert config is not None
    text_ = chat_md("A", "2026-11-26T20:00", announcement="maybe")
    _, problems = parse_chat(CHAT, text_, config, frozenset())
    [problem] = problems
    assert (problem.path, problem.line, problem.key) == (CHAT, 4, "announcement")
