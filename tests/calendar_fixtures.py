"""A throw-away site with a weekly series across the October DST change, shared by
tests/test_calendar.py, test_ical.py and test_feeds.py, plus readers of what it builds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import recurring_ical_events
from icalendar import Calendar
from lxml import html as lxml_html

from generator import build
from tests.conftest import MINIMAL_SITE_YAML, chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
LONDON = ZoneInfo("Europe/London")
# Five days before the clocks go back (Sunday 2026-10-25).
DST_NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)

WEEKLY_SERIES = """\
name: "Thursday chat"
hashtag: "#thursdaychat"
description: Every Thursday at eight.
start: 2026-10-01T20:00
rrule: FREQ=WEEKLY;BYDAY=TH
exceptions: [2026-10-15]
moves:
  - {from: 2026-11-26, to: 2026-11-24T19:00}
hosts: ["@host"]
announced: 2026-09-20
"""

SITE_FILES: dict[str, str] = {
    "site.yaml": MINIMAL_SITE_YAML + "calendar:\n  months_ahead: 2\nfeeds:\n  reminder: 1d\n",
    "content/series/thursday.yaml": WEEKLY_SERIES,
    # An occurrence with its announcement (matched by hashtag and date).
    "content/chats/2026-10-22-october.md": chat_md(
        "October chat",
        "2026-10-22T20:00",
        "Questions planned: [the wiki](../../wiki/x/).\n",
        hashtag='"#thursdaychat"',
        summary='"What October brings."',
        announced="2026-10-01",
    ),
    # A one-off in no series, starting within a day of "now": its reminder is due.
    "content/chats/2026-10-20-special.md": chat_md(
        "Special", "2026-10-20T18:00", "A one-off.\n", hosts='["@guest"]'
    ),
    # A past chat of the series before it started: a one-off of the series.
    "content/chats/2012-02-16-early.md": chat_md(
        "Early days",
        "2012-02-16T20:00",
        "Look at [this](https://example.com/a) and [that](../other/).\n",
        hashtag='"#thursdaychat"',
        topics="[Mentoring]",
    ),
}


def make_weekly_site(tmp_site: MakeSite, **overrides: str) -> Path:
    return tmp_site({**SITE_FILES, **overrides})


def build_site(source: Path, now: datetime = DST_NOW) -> Path:
    out = source / "output"
    build(source, out, now)
    return out


def page(out: Path, url: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((out / url / "index.html").read_bytes())


def ics_occurrences(
    path: Path, start: date | datetime, end: date | datetime
) -> list[tuple[datetime, str, str]]:
    """(start, summary, url) of every instance, expanded as a calendar app would."""
    cal = Calendar.from_ical(path.read_bytes())
    found = []
    for event in recurring_ical_events.of(cal).between(start, end):
        found.append((event["DTSTART"].dt, str(event["SUMMARY"]), str(event.get("URL", ""))))
    return sorted(found, key=lambda item: (item[0], item[1]))


def upcoming_list(out: Path, url: str = "calendar/") -> list[tuple[datetime, str, str]]:
    """(start, title, absolute-ish href) of the /calendar/ upcoming list."""
    doc = page(out, url)
    items = []
    for li in doc.xpath("//section[@aria-labelledby='upcoming']//li[@data-upcoming-until]"):
        start = datetime.fromisoformat(li.get("data-upcoming-until"))
        link = li.xpath(".//a")[0]
        items.append((start, link.text_content().strip(), link.get("href")))
    return items


def month_events(out: Path) -> list[tuple[datetime, str]]:
    """(start, title) of every event in every month grid (a link to its page, or plain
    text for a past occurrence with no write-up)."""
    found = []
    for index in sorted((out / "calendar").glob("[0-9]*/[0-9][0-9]/index.html")):
        doc = lxml_html.fromstring(index.read_bytes())
        for a in doc.xpath("//table[contains(@class,'month-grid')]//td//*[@class='event']"):
            start = datetime.fromisoformat(a.xpath(".//time")[0].get("datetime"))
            title = a.text_content().split(" ", 2)[2].strip()  # after "20:00 BST "
            found.append((start, title))
    return sorted(found)


def parse_feed(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert feed.bozo == 0, f"{path}: {feed.get('bozo_exception')}"
    return feed


def feed_date(entry: feedparser.FeedParserDict) -> datetime:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return datetime(*parsed[:6], tzinfo=UTC)
