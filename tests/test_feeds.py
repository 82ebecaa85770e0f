"""Feeds: valid for feedparser, the right items with the right dates, stable ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from generator import load_site
from generator.index.calendar import build_calendar
from generator.output import feeds
from generator.sources.config import parse_config
from tests.calendar_fixtures import (
    DST_NOW,
    LONDON,
    MakeSite,
    build_site,
    feed_date,
    make_weekly_site,
    parse_feed,
)
from tests.conftest import MINIMAL_SITE_YAML, ROOT, chat_md

EXAMPLE_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def all_feeds(out: Path) -> list[Path]:
    return sorted((out / "feeds").rglob("*.xml"))


def test_every_feed_parses_without_bozo(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    paths = all_feeds(out)
    assert [p.relative_to(out).as_posix() for p in paths] == [
        "feeds/series/thursday.xml",
        "feeds/topics/mentoring.xml",
        "feeds/upcoming.xml",
        "feeds/write-ups.rss.xml",
        "feeds/write-ups.xml",
    ]
    for path in paths:
        parse_feed(path)


def announcements(feed: feedparser.FeedParserDict) -> dict[str, datetime]:
    """Announcement items: link -> date."""
    return {e.link: feed_date(e) for e in feed.entries if e.id.endswith("#announcement")}


def test_upcoming_feed_announces_chats_and_only_each_series_next_date(
    tmp_site: MakeSite,
) -> None:
    out = build_site(make_weekly_site(tmp_site))
    feed = parse_feed(out / "feeds/upcoming.xml")
    assert feed.version == "rss20"
    site, _ = load_site(make_weekly_site(tmp_site), DST_NOW)
    index = build_calendar(site.chats, site.series, DST_NOW, LONDON, months_ahead=2)
    assert len(index.upcoming) == 10  # eight dates with no chat file yet are left out
    announced = [e for e in feed.entries if e.id.endswith("#announcement")]
    reminders = [e for e in feed.entries if "#reminder-" in e.id]
    # The one-off, and the series' next date, which has its chat file.
    assert [e.title for e in announced] == [
        "Special: Tuesday 20 October 2026, 18:00 BST (UTC+1)",
        "October chat: Thursday 22 October 2026, 20:00 BST (UTC+1)",
    ]
    # Only "Special" (18:00 on 20 October) starts within a day of "now".
    assert [e.title for e in reminders] == [
        "Reminder: Special, Tuesday 20 October 2026, 18:00 BST (UTC+1)"
    ]
    assert feed_date(reminders[0]) == datetime(2026, 10, 19, 17, 0, tzinfo=UTC)
    assert len(feed.entries) == 3
    assert len({e.id for e in feed.entries}) == 3
    for entry in feed.entries:
        assert feed_date(entry) <= DST_NOW, entry.title
        assert entry.link.startswith("https://chat.example.org/")
    dates = [feed_date(e) for e in feed.entries]
    assert dates == sorted(dates, reverse=True), "newest first"


def test_a_series_next_date_is_listed_once_the_one_before_has_started(
    tmp_site: MakeSite,
) -> None:
    source = make_weekly_site(tmp_site)
    base = "https://chat.example.org/calendar/"
    # After the October chat: 29 October is next, dated when the October chat began.
    feed = parse_feed(build_site(source, datetime(2026, 10, 23, tzinfo=UTC)) / "feeds/upcoming.xml")
    [title] = [e.title for e in feed.entries if e.link.startswith(base)]
    assert title == "Thursday chat: Thursday 29 October 2026, 20:00 GMT (UTC+0)"
    assert announcements(feed) == {
        base + "2026/10/29/thursday/": datetime(2026, 10, 22, 19, 0, tzinfo=UTC)
    }
    # The next date may be a moved one: 26 November, held on the 24th.
    feed = parse_feed(build_site(source, datetime(2026, 11, 20, tzinfo=UTC)) / "feeds/upcoming.xml")
    assert announcements(feed) == {
        base + "2026/11/24/thursday/": datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
    }
    assert [e.title for e in feed.entries][0].endswith(
        "Tuesday 24 November 2026, 19:00 GMT (UTC+0)"
    )
    # Each item of a series leads to the series' one-click subscription.
    content = feed.entries[0].content[0].value
    assert 'href="https://chat.example.org/series/thursday/#subscribe"' in content


def test_announcement_dates(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    by_link = announcements(parse_feed(out / "feeds/upcoming.xml"))
    base = "https://chat.example.org/"
    # `announced:` in the chat's front matter.
    assert by_link[base + "chats/2026-10-22-october/"] == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
    # No announced: and no git: two weeks before it starts.
    assert by_link[base + "chats/2026-10-20-special/"] == datetime(2026, 10, 6, 17, 0, tzinfo=UTC)


def test_a_series_first_date_is_dated_by_the_series_announcement(
    tmp_site: MakeSite,
) -> None:
    # The weekly series' first date (1 October): its `announced:` (20 September) is
    # later than the day the date came within the two-month horizon.
    feed = parse_feed(
        build_site(make_weekly_site(tmp_site), datetime(2026, 9, 25, tzinfo=UTC))
        / "feeds/upcoming.xml"
    )
    first = "https://chat.example.org/calendar/2026/10/01/thursday/"
    assert announcements(feed)[first] == datetime(2026, 9, 19, 23, 0, tzinfo=UTC)


def test_a_series_first_date_without_announcement_is_dated_by_the_horizon(
    tmp_site: MakeSite,
) -> None:
    # No `announced:` and no git: the day the date came within the horizon.
    source = tmp_site(
        {
            "site.yaml": MINIMAL_SITE_YAML + "calendar:\n  months_ahead: 2\n",
            "content/series/monthly.yaml": (
                'name: "Monthly"\nstart: 2027-01-14T20:00\nrrule: FREQ=MONTHLY;BYDAY=2TH\n'
            ),
        }
    )
    link = "https://chat.example.org/calendar/2027/01/14/monthly/"
    early = parse_feed(build_site(source, datetime(2026, 11, 1, tzinfo=UTC)) / "feeds/upcoming.xml")
    assert announcements(early) == {}
    feed = parse_feed(build_site(source, datetime(2026, 12, 1, tzinfo=UTC)) / "feeds/upcoming.xml")
    assert announcements(feed) == {link: datetime(2026, 11, 14, 20, 0, tzinfo=UTC)}


def test_announced_at_prefers_front_matter_then_git_then_notice(tmp_site: MakeSite) -> None:
    site, _ = load_site(make_weekly_site(tmp_site), DST_NOW)
    index = build_calendar(site.chats, site.series, DST_NOW, LONDON, months_ahead=2)
    special = index.by_chat["2026-10-20-special"]
    october = index.by_chat["2026-10-22-october"]
    git = {"content/chats/2026-10-20-special.md": datetime(2026, 10, 2, tzinfo=UTC)}
    assert feeds.announced_at(special, git, 2) == datetime(2026, 10, 2, tzinfo=UTC)
    assert feeds.announced_at(special, {}, 2) == special.start - timedelta(days=14)
    git_october = {october.chat.source_path: datetime(2026, 10, 5, tzinfo=UTC)}  # type: ignore[union-attr]
    assert feeds.announced_at(october, git_october, 2) == datetime(2026, 10, 1, tzinfo=LONDON), (
        "front matter wins over git"
    )


def test_reminder_period_is_configurable(tmp_site: MakeSite) -> None:
    twelve_hours = make_weekly_site(
        tmp_site, **{"site.yaml": MINIMAL_SITE_YAML + "feeds:\n  reminder: 12h\n"}
    )
    earlier = datetime(2026, 10, 20, 4, 0, tzinfo=UTC)  # 13 hours before Special
    feed = parse_feed(build_site(twelve_hours, earlier) / "feeds/upcoming.xml")
    assert not [e for e in feed.entries if "#reminder-" in e.id]
    feed = parse_feed(build_site(twelve_hours) / "feeds/upcoming.xml")
    [reminder] = [e for e in feed.entries if "#reminder-" in e.id]
    assert feed_date(reminder) == datetime(2026, 10, 20, 5, 0, tzinfo=UTC)
    off = make_weekly_site(
        tmp_site, **{"site.yaml": MINIMAL_SITE_YAML + "feeds:\n  reminder: false\n"}
    )
    feed = parse_feed(build_site(off) / "feeds/upcoming.xml")
    assert not [e for e in feed.entries if "#reminder-" in e.id]


def test_a_chat_that_has_started_leaves_the_upcoming_feed(tmp_site: MakeSite) -> None:
    source = make_weekly_site(tmp_site)
    feed = parse_feed(build_site(source, DST_NOW + timedelta(hours=6)) / "feeds/upcoming.xml")
    assert not [e for e in feed.entries if "Special" in e.title]


def test_writeup_feeds_have_full_content_with_absolute_links(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    atom = parse_feed(out / "feeds/write-ups.xml")
    rss = parse_feed(out / "feeds/write-ups.rss.xml")
    assert atom.version == "atom10" and rss.version == "rss20"
    for feed in (atom, rss):
        [entry] = feed.entries  # the only chat that has taken place
        assert entry.title == "Early days"
        assert entry.link == "https://chat.example.org/chats/2012-02-16-early/"
        assert feed_date(entry) == datetime(2012, 2, 16, 20, 0, tzinfo=UTC)
        content = entry.content[0].value
        assert 'href="https://example.com/a"' in content
        assert 'href="https://chat.example.org/chats/other/"' in content
    assert atom.feed.links[0].href in {
        "https://chat.example.org/feeds/write-ups.xml",
        "https://chat.example.org/chats/",
    }


def test_writeup_feed_limit_and_order(tmp_site: MakeSite) -> None:
    chats = {
        f"content/chats/c{n}.md": chat_md(f"Chat {n}", f"2012-0{n}-16T20:00") for n in range(1, 6)
    }
    source = tmp_site({"site.yaml": MINIMAL_SITE_YAML + "feeds:\n  limit: 3\n", **chats})
    feed = parse_feed(build_site(source) / "feeds/write-ups.xml")
    assert [e.title for e in feed.entries] == ["Chat 5", "Chat 4", "Chat 3"]


def test_series_feed_holds_the_series_writeups(tmp_site: MakeSite) -> None:
    feed = parse_feed(build_site(make_weekly_site(tmp_site)) / "feeds/series/thursday.xml")
    assert feed.feed.title == "Thursday chat · Test Chat"
    assert [e.title for e in feed.entries] == ["Early days"]


def test_topic_feed_is_one_call_with_entries() -> None:
    cfg, _ = parse_config(MINIMAL_SITE_YAML)
    assert cfg is not None
    from generator.core.model import TopicDef

    topic = TopicDef("mentors", "Mentors", "Finding one.")
    entries = [
        feeds.FeedEntry(
            guid="https://chat.example.org/chats/x/",
            title="A \x0bchat",
            url="https://chat.example.org/chats/x/",
            date=datetime(2012, 2, 16, 20, tzinfo=UTC),
            html="<p>Hello\x00 there</p>",
        )
    ]
    data = feeds.topic_feed(cfg, DST_NOW, topic, entries)
    feed = feedparser_parse(data)
    assert feed.feed.title == "Mentors · Test Chat"
    [entry] = feed.entries
    assert entry.title == "A chat" and entry.content[0].value == "<p>Hello there</p>"
    assert entry.id == "https://chat.example.org/chats/x/"


def feedparser_parse(data: bytes) -> object:
    import feedparser

    feed = feedparser.parse(data)
    assert feed.bozo == 0
    return feed


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "feeds:\n  reminder: tomorrow\n",
            "site.yaml:6: feeds.reminder: expected a period like 1d, 12h or 90m, or false for "
            'no reminders, got "tomorrow"',
        ),
        (
            "feeds:\n  limit: 0\n",
            "site.yaml:6: feeds.limit: expected a whole number of at least 1, got 0",
        ),
        (
            "calendar:\n  months_ahead: 1200000\n",
            "site.yaml:6: calendar.months_ahead: expected a whole number of months from 1 to "
            "60, got 1200000",
        ),
        (
            "calendar:\n  months_ahead: 0\n",
            "site.yaml:6: calendar.months_ahead: expected a whole number of months from 1 to "
            "60, got 0",
        ),
        (
            "feeds:\n  reminder: 99999999999d\n",
            "site.yaml:6: feeds.reminder: expected a period between 1 minute and 60 days, got "
            '"99999999999d"',
        ),
        (
            "calendar:\n  months: 6\n",
            "site.yaml:6: calendar.months: unknown key; expected one of months_ahead "
            "(did you mean 'months_ahead'?)",
        ),
    ],
)
def test_feed_and_calendar_settings_are_validated(yaml_text: str, message: str) -> None:
    cfg, diagnostics = parse_config(MINIMAL_SITE_YAML + yaml_text)
    assert cfg is None
    assert [d.format() for d in diagnostics] == [message]


# --- the example site -----------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator import build

    out = tmp_path_factory.mktemp("example-feeds") / "output"
    build(ROOT, out, EXAMPLE_NOW)
    return out


def test_example_feeds_are_valid_and_dated_no_later_than_now(example: Path) -> None:
    paths = all_feeds(example)
    assert len(paths) >= 3 + 2 + 10  # site feeds, a feed per series, a feed per topic
    for path in paths:
        feed = parse_feed(path)
        for entry in feed.entries:
            assert feed_date(entry) <= EXAMPLE_NOW, (path, entry.title)
    writeups = parse_feed(example / "feeds/write-ups.xml")
    site, _ = load_site(ROOT, EXAMPLE_NOW)
    past = [c for c in site.chats if c.start <= EXAMPLE_NOW]
    assert len(writeups.entries) == len(past)
    assert writeups.entries[0].title == max(past, key=lambda c: c.start).title


def test_topic_and_series_pages_advertise_their_feeds(tmp_site: MakeSite) -> None:
    from tests.calendar_fixtures import page

    out = build_site(make_weekly_site(tmp_site))
    topic = page(out, "topics/mentoring").xpath("//head/link[@rel='alternate']/@href")
    assert "https://chat.example.org/feeds/topics/mentoring.xml" in topic
    chat = page(out, "chats/2026-10-22-october").xpath("//head/link[@rel='alternate']/@href")
    assert "https://chat.example.org/series/thursday.ics" in chat


def test_an_announcement_without_a_date_keeps_its_date_from_build_to_build(
    tmp_site: MakeSite,
) -> None:
    """No `announced:` and no git: two weeks before the chat, a fixed date. Before
    then the item is not in the feed; after, every build gives it that date."""
    source = tmp_site({"content/chats/later.md": chat_md("Later", "2026-12-10T20:00")})
    link = "https://chat.example.org/chats/later/"

    def announcement(now: datetime) -> datetime | None:
        feed = parse_feed(build_site(source, now) / "feeds/upcoming.xml")
        dates = [feed_date(e) for e in feed.entries if e.id == link + "#announcement"]
        return dates[0] if dates else None

    assert announcement(datetime(2026, 11, 1, tzinfo=UTC)) is None  # not yet two weeks out
    assert announcement(datetime(2026, 11, 2, tzinfo=UTC)) is None
    fixed = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
    assert announcement(datetime(2026, 11, 27, tzinfo=UTC)) == fixed
    assert announcement(datetime(2026, 11, 28, tzinfo=UTC)) == fixed


def test_the_atom_author_is_cleaned_of_control_characters(tmp_site: MakeSite) -> None:
    config, problems = parse_config(MINIMAL_SITE_YAML)
    assert config is not None, problems
    bell = replace(config, title="Bell\a chat")
    data = feeds.writeups_atom(bell, DST_NOW, ())
    feed = feedparser.parse(data)
    assert feed.bozo == 0
    assert feed.feed.author_detail.name == "Bell chat"


def test_a_plain_text_summary_is_text_in_rss(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {"content/chats/a.md": chat_md("A", "2026-10-01T20:00", summary='"s <i>i</i> & co"')}
    )
    out = build_site(source)
    # RSS descriptions are HTML: the markup arrives escaped, to be shown as text.
    [rss] = parse_feed(out / "feeds/write-ups.rss.xml").entries
    assert "<i>" not in rss.summary
    assert "&lt;i&gt;i&lt;/i&gt; &amp; co" in rss.summary
    # Atom says what its summary is: text.
    [atom] = parse_feed(out / "feeds/write-ups.xml").entries
    assert atom.summary_detail.type == "text/plain"
    assert atom.summary == "s <i>i</i> & co"


def test_example_upcoming_feed_is_not_a_year_of_placeholders(example: Path) -> None:
    """A new subscriber sees the announced chats and each series' next date only."""
    for now in (EXAMPLE_NOW, datetime(2027, 3, 1, tzinfo=UTC)):
        site, _ = load_site(ROOT, now)
        config = site.config
        index = build_calendar(
            site.chats, site.series, now, config.timezone, config.calendar.months_ahead
        )
        data = feeds.upcoming_feed(config, now, feeds.upcoming_entries(config, index))
        feed = feedparser.parse(data)
        assert feed.bozo == 0
        links = list(announcements(feed))
        placeholders = [link for link in links if "/calendar/" in link]
        chats = [link for link in links if "/chats/" in link]
        assert len(links) == len(placeholders) + len(chats)
        # At most one date per series; by March, both series have one.
        by_series = [link.rstrip("/").rsplit("/", 1)[1] for link in placeholders]
        assert len(by_series) == len(set(by_series))
        upcoming_chats = [e for e in index.upcoming if e.chat is not None]
        assert len(chats) <= len(upcoming_chats)
        assert len(feed.entries) <= len(upcoming_chats) + 2 * len(site.series)
    assert sorted(by_series) == ["chartership", "uklibcpd"]
    # The built feed (30-odd items before the series' dates were thinned out).
    assert len(parse_feed(example / "feeds/upcoming.xml").entries) < 10
