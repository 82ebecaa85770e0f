"""The calendar index and its HTML: upcoming lists, month grids, series and event pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
import yaml
from dateutil.relativedelta import relativedelta
from lxml import html as lxml_html

from generator import build, load_site
from generator.index.calendar import build_calendar
from generator.output import feeds
from tests.calendar_fixtures import (
    DST_NOW,
    LONDON,
    MakeSite,
    build_site,
    feed_date,
    ics_occurrences,
    make_weekly_site,
    month_events,
    page,
    parse_feed,
    upcoming_list,
)
from tests.conftest import ROOT, chat_md

EXAMPLE_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


# --- the index ------------------------------------------------------------------------


def test_chats_become_their_series_occurrence_or_a_one_off(tmp_site: MakeSite) -> None:
    site, _ = load_site(make_weekly_site(tmp_site), DST_NOW)
    index = build_calendar(site.chats, site.series, DST_NOW, LONDON, months_ahead=2)
    [schedule] = index.schedules
    starts = [e.start for e in schedule.occurrences]
    assert starts == [
        datetime(2026, 10, 1, 20, tzinfo=LONDON),
        datetime(2026, 10, 8, 20, tzinfo=LONDON),  # 15 October is cancelled
        datetime(2026, 10, 22, 20, tzinfo=LONDON),
        datetime(2026, 10, 29, 20, tzinfo=LONDON),
        datetime(2026, 11, 5, 20, tzinfo=LONDON),
        datetime(2026, 11, 12, 20, tzinfo=LONDON),
        datetime(2026, 11, 19, 20, tzinfo=LONDON),
        datetime(2026, 11, 24, 19, tzinfo=LONDON),  # moved from Thursday 26 November
        datetime(2026, 12, 3, 20, tzinfo=LONDON),
        datetime(2026, 12, 10, 20, tzinfo=LONDON),
        datetime(2026, 12, 17, 20, tzinfo=LONDON),  # the horizon is 2026-12-20T12:00Z
    ]
    october = schedule.occurrences[2]
    assert october.chat is not None and october.title == "October chat"
    assert october.url == "chats/2026-10-22-october/"
    assert schedule.occurrences[3].chat is None
    assert schedule.occurrences[3].url == "calendar/2026/10/29/thursday/"
    assert [e.title for e in schedule.one_offs] == ["Early days"]
    assert index.by_chat["2026-10-20-special"].series is None
    assert index.next_event is not None and index.next_event.title == "Special"
    assert [e.title for e in index.upcoming[:3]] == ["Special", "October chat", "Thursday chat"]
    assert all(e.start > DST_NOW for e in index.upcoming)


def test_a_chat_announced_beyond_the_horizon_is_still_its_occurrence(tmp_site: MakeSite) -> None:
    source = make_weekly_site(
        tmp_site,
        **{
            "content/chats/2027-06-03-june.md": chat_md(
                "June", "2027-06-03T20:00", series="thursday"
            )
        },
    )
    site, _ = load_site(source, DST_NOW)
    index = build_calendar(site.chats, site.series, DST_NOW, LONDON, months_ahead=2)
    june = index.by_chat["2027-06-03-june"]
    assert june.occurrence is not None and june.series is not None
    assert [e.title for e in index.events if e.start > index.horizon] == ["June"]


def test_two_series_with_one_hashtag_share_by_date(tmp_site: MakeSite) -> None:
    tuesday = (
        "name: Tuesday\nhashtag: '#tag'\nstart: 2026-10-06T12:30\nrrule: FREQ=WEEKLY;BYDAY=TU\n"
    )
    thursday = (
        "name: Thursday\nhashtag: '#tag'\nstart: 2026-10-01T20:00\nrrule: FREQ=WEEKLY;BYDAY=TH\n"
    )
    source = tmp_site(
        {
            "content/series/tuesday.yaml": tuesday,
            "content/series/thursday.yaml": thursday,
            "content/chats/a.md": chat_md("A", "2026-10-13T12:30", hashtag="'#tag'"),
            "content/chats/b.md": chat_md("B", "2026-10-15T20:00", hashtag="'#tag'"),
            "content/chats/c.md": chat_md("C", "2026-10-17T20:00", hashtag="'#tag'"),
        }
    )
    site, _ = load_site(source, DST_NOW)
    index = build_calendar(site.chats, site.series, DST_NOW, LONDON, months_ahead=1)
    series_of = {slug: (e.series.slug if e.series else None) for slug, e in index.by_chat.items()}
    assert series_of == {"a": "tuesday", "b": "thursday", "c": None}


# --- HTML -----------------------------------------------------------------------------


def test_calendar_page_lists_every_upcoming_event(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    site, _ = load_site(make_weekly_site(tmp_site), DST_NOW)
    index = build_calendar(site.chats, site.series, DST_NOW, LONDON, months_ahead=2)
    listed = upcoming_list(out)
    assert [(start, title) for start, title, _ in listed] == [
        (e.start, e.title) for e in index.upcoming
    ]
    doc = page(out, "calendar")
    times = doc.xpath("//section[@aria-labelledby='upcoming']//time[@data-local]")
    assert [t.text_content() for t in times[2:4]] == [
        "Thursday 29 October 2026, 20:00 GMT",
        "Thursday 5 November 2026, 20:00 GMT",
    ]
    assert "Thursday 22 October 2026, 20:00 BST" in [t.text_content() for t in times]


def test_a_weekly_series_stays_at_eight_across_the_dst_change_in_html(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    events = [e for e in month_events(out) if e[0] >= datetime(2026, 10, 1, tzinfo=UTC)]
    thursdays = [start for start, title in events if start.weekday() == 3]
    assert {s.astimezone(LONDON).time() for s in thursdays} == {time(20, 0)}
    assert {s.utcoffset() for s in thursdays} == {timedelta(hours=1), timedelta(0)}


def test_month_grid_puts_each_event_on_its_weekday(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    doc = page(out, "calendar/2026/10")
    table = doc.xpath("//table[contains(@class,'month-grid')]")[0]
    assert table.xpath("./caption")[0].text_content().startswith("Chats in October 2026")
    headers = table.xpath(".//thead//th[@scope='col']")
    assert [h.text_content() for h in headers] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for row in table.xpath(".//tbody/tr"):
        cells = row.xpath("./td")
        assert len(cells) == 7
        for column, cell in enumerate(cells):
            if cell.get("data-date"):
                assert date.fromisoformat(cell.get("data-date")).weekday() == column
    cell = table.xpath(".//td[@data-date='2026-10-22']")[0]
    assert cell.xpath(".//a")[0].text_content().endswith("October chat")
    assert cell.xpath(".//a/@href") == ["../../../chats/2026-10-22-october/"]
    assert not table.xpath(".//td[@data-date='2026-10-15']//a"), "15 October is cancelled"
    # Neighbouring months that have events, not calendar neighbours.
    assert doc.xpath("//a[@rel='prev']/@href") == ["../../2012/02/"]
    assert doc.xpath("//a[@rel='next']/@href") == ["../11/"]
    months = sorted(
        p.parent.relative_to(out).as_posix() for p in out.glob("calendar/*/*/index.html")
    )
    assert months == [
        "calendar/2012/02",
        "calendar/2026/10",
        "calendar/2026/11",
        "calendar/2026/12",
    ]


def test_an_occurrence_without_a_chat_has_its_own_page(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    doc = page(out, "calendar/2026/11/24/thursday")
    assert doc.findtext(".//h1") == "Thursday chat"
    start = doc.xpath("//time[@data-local]")[0]
    assert start.get("datetime") == "2026-11-24T19:00:00+00:00"
    assert "from Thursday 26 November 2026" in doc.text_content()  # moved
    assert doc.xpath("//a[@href='event.ics']")
    google = doc.xpath("//a[starts-with(@href, 'https://calendar.google.com/')]/@href")[0]
    assert "dates=20261124T190000Z%2F20261124T200000Z" in google
    assert (out / "calendar/2026/11/24/thursday/event.ics").is_file()
    assert doc.xpath("//a[@href='../../../../../series/thursday/']")


def test_a_chat_page_is_its_event_page(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    upcoming = page(out, "chats/2026-10-22-october")
    assert upcoming.xpath("//div[@class='add-to-calendar']//a[@href='event.ics']")
    assert upcoming.xpath("//time[contains(@class,'dt-start')][@data-local]")
    assert upcoming.xpath("//a[@href='../../series/thursday/']")
    assert upcoming.xpath("//*[@data-upcoming-until='2026-10-22T20:00:00+01:00']")
    past = page(out, "chats/2012-02-16-early")
    assert not past.xpath("//div[@class='add-to-calendar']")
    assert past.xpath("//a[@href='../../series/thursday/']"), "a one-off of the series"


def test_series_page(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    doc = page(out, "series/thursday")
    text = " ".join(doc.text_content().split())
    assert "Meets every Thursday, at 20:00" in text
    assert "Cancelled Thursday 15 October 2026" in text
    upcoming = doc.xpath("//section[@aria-labelledby='next']//li")
    assert len(upcoming) == 9  # 22 October to 17 December
    assert [a.text_content() for a in doc.xpath("//section[@aria-labelledby='past']//a")] == [
        "Early days"
    ]
    assert doc.xpath("//a[@href='../thursday.ics']")
    heads = doc.xpath("//head/link[@rel='alternate']/@href")
    assert "https://chat.example.org/series/thursday.ics" in heads
    assert "https://chat.example.org/feeds/series/thursday.xml" in heads


def test_home_page_shows_the_next_event_and_the_script(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    doc = page(out, "")
    section = doc.xpath("//section[@aria-labelledby='next-chat']")[0]
    assert section.xpath(".//div[@class='next-chat']//h3/a")[0].text_content() == "Special"
    also = section.xpath(".//li[@data-upcoming-until]")
    assert [li.xpath(".//a")[0].text_content() for li in also][:2] == [
        "October chat",
        "Thursday chat",
    ]
    [script] = doc.xpath("//head/script")
    assert script.get("src") == "static/chatwiki.js" and script.get("defer") is not None
    script_text = (out / "static/chatwiki.js").read_text()
    assert "data-upcoming-until" in script_text and "fetch(" not in script_text
    assert "XMLHttpRequest" not in script_text and "http" not in script_text.split("*/", 1)[1]


def test_every_page_advertises_the_site_feeds(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    for html_file in out.rglob("*.html"):
        doc = lxml_html.fromstring(html_file.read_bytes())
        links = {
            (link.get("type"), link.get("href"))
            for link in doc.xpath("//head/link[@rel='alternate']")
        }
        assert {
            ("application/rss+xml", "https://chat.example.org/feeds/upcoming.xml"),
            ("application/atom+xml", "https://chat.example.org/feeds/write-ups.xml"),
            ("application/rss+xml", "https://chat.example.org/feeds/write-ups.rss.xml"),
            ("text/calendar", "https://chat.example.org/calendar.ics"),
        } <= links, html_file
        # Only the home page says when the site was built: a stamp on every page would
        # rewrite every file at every build (tests/test_cache.py).
        stamped = bool(doc.xpath("//footer//time[@datetime]"))
        assert stamped == (html_file == out / "index.html"), html_file
        assert "Built" in doc.xpath("string(//footer)"), html_file


def test_a_site_without_series_still_has_a_calendar(tmp_site: MakeSite) -> None:
    source = tmp_site({"content/chats/a.md": chat_md("A", "2027-01-14T20:00")})
    out = build_site(source)
    assert [title for _, title, _ in upcoming_list(out)] == ["A"]
    assert (out / "calendar/2027/01/index.html").is_file()
    assert (out / "calendar.ics").is_file()


# --- the example site: every output agrees --------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example-calendar") / "output"
    build(ROOT, out, EXAMPLE_NOW)
    return out


def test_example_upcoming_list_month_pages_ics_and_feed_agree(example: Path) -> None:
    listed = upcoming_list(example)
    assert len(listed) >= 20
    horizon = EXAMPLE_NOW + relativedelta(months=12)  # calendar.months_ahead
    # Month pages: the events after "now".
    in_months = [(s, t) for s, t in month_events(example) if s > EXAMPLE_NOW]
    assert in_months == [(s, t) for s, t, _ in listed]
    # calendar.ics, expanded as a calendar app would.
    ics = ics_occurrences(example / "calendar.ics", EXAMPLE_NOW, horizon)
    assert [(s, t) for s, t, _ in ics] == [(s, t) for s, t, _ in listed]
    assert all(url.startswith("https://chartership-chat.example.org/") for _, _, url in ics)
    # The upcoming feed: an announcement per listed chat and, of the series' dates
    # with no chat file yet, each series' next one (no reminder is due on 23 November).
    feed = parse_feed(example / "feeds/upcoming.xml")
    base = "https://chartership-chat.example.org/calendar/"
    expected = {urljoin(base, href): (start, title) for start, title, href in listed}
    announcements = [e for e in feed.entries if e.id.endswith("#announcement")]
    assert len(feed.entries) == len(announcements) >= 2
    chats = {link for link in expected if "/chats/" in link}
    assert chats <= {e.link for e in announcements} <= set(expected)
    for entry in announcements:
        start, title = expected[entry.link]
        local = start.strftime("%H:%M")
        assert entry.title.startswith(f"{title}: ") and f"{start.day} " in entry.title
        offset = int(start.utcoffset().total_seconds() // 3600)  # type: ignore[union-attr]
        assert f", {local} {'BST' if offset else 'GMT'} (UTC+{offset})" in entry.title
        assert feed_date(entry) <= EXAMPLE_NOW


def test_example_series_cross_the_october_change_at_the_same_local_time(example: Path) -> None:
    ics = ics_occurrences(
        example / "series/uklibcpd.ics",
        datetime(2027, 10, 1, tzinfo=UTC),
        datetime(2027, 11, 20, tzinfo=UTC),
    )
    assert [(s.date(), s.astimezone(LONDON).time(), s.utcoffset()) for s, _, _ in ics] == [
        (date(2027, 10, 12), time(12, 30), timedelta(hours=1)),
        (date(2027, 10, 26), time(12, 30), timedelta(hours=1)),
        (date(2027, 11, 9), time(12, 30), timedelta(0)),
    ]
    months = month_events(example)
    assert (datetime(2027, 10, 26, 12, 30, tzinfo=LONDON), "#uklibcpd lunchtime chat") in months
    assert (datetime(2027, 11, 9, 12, 30, tzinfo=LONDON), "#uklibcpd lunchtime chat") in months
    # The feed lists a series' next date: before and after the change.
    for now, when in [
        (datetime(2027, 10, 20, tzinfo=UTC), "Tuesday 26 October 2027, 12:30 BST (UTC+1)"),
        (datetime(2027, 10, 27, tzinfo=UTC), "Tuesday 9 November 2027, 12:30 GMT (UTC+0)"),
    ]:
        site, _ = load_site(ROOT, now)
        index = build_calendar(site.chats, site.series, now, LONDON, months_ahead=12)
        feed = feedparser.parse(
            feeds.upcoming_feed(site.config, now, feeds.upcoming_entries(site.config, index))
        )
        assert f"#uklibcpd lunchtime chat: {when}" in [e.title for e in feed.entries]


def test_example_series_files_fit_the_example_chats() -> None:
    """Every upcoming example chat is an occurrence of its series, not a one-off."""
    for path in sorted((ROOT / "content/chats").glob("2027-*.md")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        assert meta.get("hashtag"), path
    site, _ = load_site(ROOT, EXAMPLE_NOW)
    index = build_calendar(site.chats, site.series, EXAMPLE_NOW, site.config.timezone)
    for event in index.upcoming:
        assert event.occurrence is not None, f"{event.title} is not on its series' rule"


def test_a_past_occurrence_without_a_chat_has_no_page(tmp_site: MakeSite) -> None:
    """1 and 8 October have passed with no write-up: no page, no .ics, and the month
    grid shows them as plain text (calendar apps still show them: the rule does)."""
    out = build_site(make_weekly_site(tmp_site))
    for day in ("01", "08"):
        assert not (out / f"calendar/2026/10/{day}/thursday").exists()
    assert (out / "calendar/2026/10/29/thursday/index.html").is_file()  # still to come
    grid = page(out, "calendar/2026/10")
    cell = grid.xpath("//td[@data-date='2026-10-01']")[0]
    assert not cell.xpath(".//a")
    assert " ".join(cell.xpath(".//*[@class='event']")[0].text_content().split()) == (
        "20:00 BST Thursday chat"
    )
    linked = {a.get("href") for a in grid.xpath("//a")}
    for href in linked:
        target = urljoin("https://x.example/calendar/2026/10/", href or "")
        rel = target.removeprefix("https://x.example/")
        if href and not href.startswith(("http", "#")) and not rel.endswith((".ics", ".xml")):
            assert (out / rel / "index.html").is_file() or (out / rel).is_file(), href


def test_previous_and_next_follow_series_membership(tmp_site: MakeSite) -> None:
    """Membership is by `series:` or the series' hashtag in any case, as the calendar
    decides it; a differently-cased hashtag is still the same series."""
    series = (
        'name: Weekly\nhashtag: "#WeeklyChat"\nstart: 2026-10-01T20:00\n'
        "rrule: FREQ=WEEKLY;BYDAY=TH\n"
    )
    out = build_site(
        tmp_site(
            {
                "content/series/weekly.yaml": series,
                "content/chats/a.md": chat_md("A", "2026-10-01T20:00", hashtag='"#weeklychat"'),
                "content/chats/b.md": chat_md("B", "2026-10-08T20:00", series="weekly"),
                "content/chats/c.md": chat_md("C", "2026-10-15T20:00", hashtag='"#WeeklyChat"'),
                "content/chats/other.md": chat_md("Other", "2026-10-09T20:00"),
            }
        )
    )

    def links(slug: str) -> tuple[list[str], list[str]]:
        doc = page(out, f"chats/{slug}")
        return (
            [a.text_content() for a in doc.xpath("//a[@rel='prev']")],
            [a.text_content() for a in doc.xpath("//a[@rel='next']")],
        )

    assert links("a") == ([], ["B →"])
    assert links("b") == (["← A"], ["C →"])
    assert links("c") == (["← B"], [])
    assert links("other") == ([], [])


def test_a_month_page_is_the_same_value_until_what_it_shows_changes(tmp_site: MakeSite) -> None:
    """A month page's context (its cache key) carries only what the month shows, not
    the whole calendar with its clock: a later build time alone leaves every month
    page as it was, so none is rendered again; an occurrence that ends in between
    loses its page, and only its month says so."""
    from generator.plan import plan_calendar_pages

    site, _ = load_site(make_weekly_site(tmp_site), DST_NOW)

    def months(now: datetime) -> dict[str, object]:
        index = build_calendar(site.chats, site.series, now, LONDON, months_ahead=2)
        return {p.url: p.context for p in plan_calendar_pages(site, index) if "/20" in p.url}

    before = months(DST_NOW)
    assert len(before) >= 2
    assert months(DST_NOW + timedelta(minutes=1)) == before
    index = build_calendar(site.chats, site.series, DST_NOW, LONDON, months_ahead=2)
    ahead = [e for e in index.events if e.chat is None and e.start > DST_NOW]
    assert ahead, "the fixture has an occurrence with no chat yet to come"
    after = months(ahead[0].end + timedelta(minutes=1))
    changed = [url for url in before if after.get(url) != before[url]]
    assert changed and len(changed) < len(before), changed
