"""calendar.ics and friends: valid RFC 5545 that expands to exactly what the pages show."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from generator import ContentError, build, load_site
from generator.index.calendar import build_calendar
from generator.output import ical
from tests.calendar_fixtures import (
    DST_NOW,
    LONDON,
    MakeSite,
    build_site,
    ics_occurrences,
    make_weekly_site,
    month_events,
)
from tests.conftest import MINIMAL_SITE_YAML, NOW, chat_md

HORIZON = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)  # DST_NOW + calendar.months_ahead (2)


def components(path: object, name: str = "VEVENT") -> list[Calendar]:
    cal = Calendar.from_ical(path.read_bytes())  # type: ignore[attr-defined]
    return [c for c in cal.walk(name)]


def test_calendar_ics_expands_to_exactly_the_html_calendar(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    expanded = ics_occurrences(out / "calendar.ics", date(2000, 1, 1), HORIZON)
    assert [(start, title) for start, title, _ in expanded] == month_events(out)


def test_weekly_series_stays_at_eight_in_the_ics(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    expanded = ics_occurrences(
        out / "series/thursday.ics", datetime(2026, 10, 1, tzinfo=UTC), HORIZON
    )
    thursdays = [s for s, _, _ in expanded if s.astimezone(LONDON).weekday() == 3]
    assert len(thursdays) == 10
    assert {s.astimezone(LONDON).time() for s in thursdays} == {time(20, 0)}
    assert [s.utcoffset() for s in thursdays[:3]] == [timedelta(hours=1)] * 3
    assert [s.utcoffset() for s in thursdays[3:]] == [timedelta(0)] * 7


def test_series_is_one_recurring_event_with_exdate_rdate_and_overrides(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    events = components(out / "calendar.ics")
    masters = [e for e in events if "RRULE" in e]
    [master] = masters
    assert str(master["UID"]) == "series-thursday@chat.example.org"
    assert master["DTSTART"].params["TZID"] == "Europe/London"
    assert master["DTSTART"].dt == datetime(2026, 10, 1, 20, 0, tzinfo=LONDON)
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TH"
    exdates = sorted(d.dt for prop in master["EXDATE"] for d in prop.dts)
    assert exdates == [
        datetime(2026, 10, 15, 20, 0, tzinfo=LONDON),
        datetime(2026, 11, 26, 20, 0, tzinfo=LONDON),
    ]
    rdates = [d.dt for d in master["RDATE"].dts]
    assert rdates == [datetime(2026, 11, 24, 19, 0, tzinfo=LONDON)]
    assert str(master["URL"]) == "https://chat.example.org/series/thursday/"
    [override] = [e for e in events if "RECURRENCE-ID" in e]
    assert str(override["UID"]) == "series-thursday@chat.example.org"
    assert override["RECURRENCE-ID"].dt == datetime(2026, 10, 22, 20, 0, tzinfo=LONDON)
    assert str(override["SUMMARY"]) == "October chat"
    assert str(override["URL"]) == "https://chat.example.org/chats/2026-10-22-october/"
    one_offs = {str(e["UID"]) for e in events if "RRULE" not in e and "RECURRENCE-ID" not in e}
    assert one_offs == {
        "chat-2026-10-20-special@chat.example.org",
        "chat-2012-02-16-early@chat.example.org",
    }


def test_dtstamp_is_the_builds_now_and_every_tzid_has_a_vtimezone(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    for path in [out / "calendar.ics", out / "series/thursday.ics", *out.rglob("event.ics")]:
        cal = Calendar.from_ical(path.read_bytes())
        assert cal["VERSION"] == "2.0" and cal["PRODID"]
        events = list(cal.walk("VEVENT"))
        assert events, path
        assert {e["DTSTAMP"].dt for e in events} == {DST_NOW}
        tzids = {
            e[key].params.get("TZID") for e in events for key in ("DTSTART", "DTEND") if key in e
        } - {None}
        assert tzids <= {tz.tz_name for tz in cal.timezones}, path
        assert cal.get_missing_tzids() == set()
        for event in events:
            assert str(event["URL"]).startswith("https://chat.example.org/")


def test_per_event_ics_is_a_single_event(tmp_site: MakeSite) -> None:
    out = build_site(make_weekly_site(tmp_site))
    [occurrence] = components(out / "calendar/2026/10/29/thursday/event.ics")
    assert "RRULE" not in occurrence and "RECURRENCE-ID" not in occurrence
    assert str(occurrence["UID"]) == "occurrence-thursday-20261029@chat.example.org"
    assert occurrence["DTSTART"].dt == datetime(2026, 10, 29, 20, 0, tzinfo=LONDON)
    assert occurrence["DTEND"].dt == datetime(2026, 10, 29, 21, 0, tzinfo=LONDON)
    [chat] = components(out / "chats/2026-10-22-october/event.ics")
    assert str(chat["UID"]) == "occurrence-thursday-20261022@chat.example.org"
    assert str(chat["SUMMARY"]) == "October chat"
    assert "What October brings." in str(chat["DESCRIPTION"])
    [one_off] = components(out / "chats/2026-10-20-special/event.ics")
    assert str(one_off["UID"]) == "chat-2026-10-20-special@chat.example.org"
    assert "Hosted by @guest" in str(one_off["DESCRIPTION"])


def test_until_is_written_in_utc_and_count_as_count(tmp_site: MakeSite) -> None:
    until = "name: U\nstart: 2026-10-01T20:00\nrrule: FREQ=WEEKLY;BYDAY=TH\nuntil: 2026-10-29\n"
    count = "name: C\nstart: 2026-10-06T12:30\nrrule: FREQ=WEEKLY;BYDAY=TU\ncount: 3\n"
    out = build_site(
        tmp_site({"content/series/until.yaml": until, "content/series/count.yaml": count})
    )
    [master] = components(out / "series/until.ics")
    assert master["RRULE"]["UNTIL"] == [datetime(2026, 10, 29, 23, 59, 59, tzinfo=UTC)]
    expanded = ics_occurrences(out / "series/until.ics", date(2026, 1, 1), date(2027, 6, 1))
    assert [s.day for s, _, _ in expanded] == [1, 8, 15, 22, 29]
    [counted] = components(out / "series/count.ics")
    assert counted["RRULE"]["COUNT"] == [3]
    site, _ = load_site(out.parent, DST_NOW)
    index = build_calendar(site.chats, site.series, DST_NOW, LONDON, 12)
    in_html = [e.start for e in index.events if e.series and e.series.slug == "count"]
    expanded = ics_occurrences(out / "series/count.ics", date(2026, 1, 1), date(2027, 6, 1))
    assert [s for s, _, _ in expanded] == in_html


def test_a_fixed_offset_chat_is_written_in_utc(tmp_site: MakeSite) -> None:
    out = build_site(tmp_site({"content/chats/a.md": chat_md("A", "2026-11-02T20:00+05:30")}))
    [event] = components(out / "calendar.ics")
    assert event["DTSTART"].dt == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
    assert "TZID" not in event["DTSTART"].params


def test_two_builds_with_the_same_now_are_byte_identical(tmp_site: MakeSite) -> None:
    source = make_weekly_site(tmp_site)
    first = build_site(source)
    outputs = {
        p.relative_to(first).as_posix(): p.read_bytes()
        for p in first.rglob("*")
        if p.suffix in (".ics", ".xml")
    }
    assert len(outputs) > 10
    second = build_site(source)
    for rel, data in outputs.items():
        assert (second / rel).read_bytes() == data, rel


def test_text_is_escaped_as_rfc_5545_requires(tmp_site: MakeSite) -> None:
    out = build_site(
        tmp_site(
            {"content/chats/a.md": chat_md("Semi; colons, and\\\\ slashes", "2026-11-02T20:00")}
        )
    )
    raw = (out / "calendar.ics").read_bytes()
    assert b"SUMMARY:Semi\\; colons\\, and\\\\ slashes" in raw
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    [event] = components(out / "calendar.ics")
    assert str(event["SUMMARY"]) == "Semi; colons, and\\ slashes"


def text_value(prop: object) -> str:
    """A TEXT value as RFC 5545 (3.3.11) reads it (icalendar leaves NAME raw)."""
    raw = prop.to_ical().decode()  # type: ignore[attr-defined]
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)


def test_every_text_property_is_escaped_and_round_trips(tmp_site: MakeSite) -> None:
    """NAME, X-WR-CALNAME and X-WR-CALDESC too: a multi-line description, commas,
    semicolons and a bare carriage return stay inside their property."""
    hostile = "Line one\nline two, with; marks\rand a CR"
    described = (
        MINIMAL_SITE_YAML.replace("title: Test Chat", 'title: "Chat, with; marks"')
        + "description: |\n  Site line one\n  line two; three, four\n"
    )
    series = (
        'name: "Weekly, or; not"\nstart: 2026-10-01T20:00\nrrule: FREQ=WEEKLY;BYDAY=TH\n'
        "description: |\n  First line\n  second line, with; marks\n"
    )
    source = tmp_site(
        {
            "site.yaml": described,
            "content/series/weekly.yaml": series,
            "content/chats/a.md": chat_md("A", "2026-10-30T20:00"),
        }
    )
    out = build_site(source)  # multi-line descriptions once crashed the build
    assert text_value(Calendar.from_ical((out / "calendar.ics").read_bytes())["X-WR-CALDESC"]) == (
        "Site line one\nline two; three, four"
    )
    site, _ = load_site(source, DST_NOW)
    chat = replace(site.chats[0], title=hostile, summary=hostile)
    index = build_calendar((chat,), site.series, DST_NOW, LONDON, 2)
    config = replace(site.config, description=hostile)
    outputs: list[tuple[bytes, str | None, str | None]] = [
        (ical.calendar_ics(config, DST_NOW, index), "Chat, with; marks", hostile),
        (
            ical.series_ics(config, DST_NOW, index.schedules[0]),
            "Weekly, or; not · Chat, with; marks",
            "First line\nsecond line, with; marks",
        ),
        (ical.event_ics(config, DST_NOW, index.by_chat[chat.slug]), hostile, None),
    ]
    expected = hostile.replace("\r", "\n")  # RFC 5545 has no escape for a bare CR
    for data, name, description in outputs:
        lines = data.split(b"\r\n")
        assert b"\r" not in b"".join(lines) and b"\n" not in b"".join(lines)
        cal = Calendar.from_ical(data)
        if name is not None:
            for key in ("NAME", "X-WR-CALNAME"):
                assert text_value(cal[key]) == name.replace("\r", "\n")
        if description is not None:
            assert text_value(cal["X-WR-CALDESC"]) == description.replace("\r", "\n")
        assert {p for e in cal.walk("VEVENT") for p in e} <= {
            "UID", "DTSTAMP", "SUMMARY", "URL", "DTSTART", "DTEND", "DESCRIPTION",
            "CATEGORIES", "RRULE", "RECURRENCE-ID", "EXDATE", "RDATE",
        }  # fmt: skip
    [event] = Calendar.from_ical(outputs[2][0]).walk("VEVENT")
    assert str(event["SUMMARY"]) == expected
    assert str(event["DESCRIPTION"]).startswith(expected)


def test_uids_of_a_series_a_chat_and_an_occurrence_never_collide(tmp_site: MakeSite) -> None:
    """A series `weekly`, a one-off chat `weekly`, and a chat `weekly-20261029`
    (slugged like the series' occurrence that day, but not on it)."""
    series = "name: Weekly\nstart: 2026-10-01T20:00\nrrule: FREQ=WEEKLY;BYDAY=TH\n"
    source = tmp_site(
        {
            "site.yaml": MINIMAL_SITE_YAML + "calendar:\n  months_ahead: 2\n",
            "content/series/weekly.yaml": series,
            "content/chats/weekly.md": chat_md("Chat called weekly", "2026-10-27T12:00"),
            "content/chats/weekly-20261029.md": chat_md("Dated slug", "2026-10-28T12:00"),
        }
    )
    out = build_site(source)
    expanded = ics_occurrences(out / "calendar.ics", date(2026, 10, 1), HORIZON)
    titles = [t for _, t, _ in expanded]
    assert titles.count("Weekly") == 12  # every Thursday from 1 October to the horizon
    assert "Chat called weekly" in titles and "Dated slug" in titles
    assert [(s, t) for s, t, _ in expanded] == month_events(out)
    # Every calendar file names a different thing by a different UID.
    uids: dict[str, str] = {}
    for path in sorted(out.rglob("*.ics")):
        for event in components(path):
            if "RECURRENCE-ID" in event:
                continue
            what = str(event["SUMMARY"]) + ("" if "RRULE" in event else str(event["DTSTART"].dt))
            assert uids.setdefault(str(event["UID"]), what) == what, path
    assert "occurrence-weekly-20261029@chat.example.org" in uids
    assert "chat-weekly-20261029@chat.example.org" in uids


def test_a_chat_at_the_end_of_the_calendar_is_refused_not_a_crash(tmp_site: MakeSite) -> None:
    """Dates are bounded where they are read, so no later step meets year 9999."""
    series = "name: Weekly\nhashtag: '#w'\nstart: 2026-10-02T20:00\nrrule: FREQ=WEEKLY;BYDAY=FR\n"
    source = tmp_site(
        {
            "content/series/weekly.yaml": series,
            "content/chats/far.md": chat_md("Far", "9999-12-31T20:00"),
        }
    )
    with pytest.raises(ContentError) as exc:
        build(source, source / "output", NOW)
    assert [d.format() for d in exc.value.diagnostics] == [
        "content/chats/far.md:3: date: expected a year between 1900 and 2200, "
        'got "9999-12-31T20:00"'
    ]


def test_an_occurrence_in_the_spring_gap_reads_the_same_in_the_ics(tmp_site: MakeSite) -> None:
    """The rule says 01:30 on the Sunday the clocks skip 01:00-02:00: our pages and
    calendar apps both hold it at 02:30 BST. Its EXDATE and RECURRENCE-ID carry the
    rule's own value (01:30 with the TZID), which apps match by value or by instant."""
    series = (
        "name: Night\nstart: 2027-03-21T01:30\nrrule: FREQ=WEEKLY;BYDAY=SU\ncount: 4\n"
        "hashtag: '#night'\n"
    )
    now = datetime(2027, 3, 1, tzinfo=UTC)
    cancelled = tmp_site({"content/series/night.yaml": series + "exceptions: [2027-03-28]\n"})
    out = build_site(cancelled, now)
    raw = (out / "series/night.ics").read_bytes()
    assert b"EXDATE;TZID=Europe/London:20270328T013000" in raw
    expanded = ics_occurrences(out / "series/night.ics", date(2027, 3, 1), date(2027, 5, 1))
    # COUNT counts the cancelled one too (RFC 5545: EXDATE applies after COUNT).
    assert [s.date() for s, _, _ in expanded] == [
        date(2027, 3, 21),
        date(2027, 4, 4),
        date(2027, 4, 11),
    ]
    held = tmp_site(
        {
            "content/series/night.yaml": series,
            "content/chats/gap.md": chat_md("Gap night", "2027-03-28T02:30", hashtag="'#night'"),
        }
    )
    out = build_site(held, now)
    [override] = [e for e in components(out / "series/night.ics") if "RECURRENCE-ID" in e]
    assert override["RECURRENCE-ID"].to_ical() == b"20270328T013000"
    expanded = ics_occurrences(out / "series/night.ics", date(2027, 3, 1), date(2027, 5, 1))
    assert [(s.astimezone(UTC), t) for s, t, _ in expanded] == [
        (datetime(2027, 3, 21, 1, 30, tzinfo=UTC), "Night"),
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), "Gap night"),  # 02:30 BST, no duplicate
        (datetime(2027, 4, 4, 0, 30, tzinfo=UTC), "Night"),
        (datetime(2027, 4, 11, 0, 30, tzinfo=UTC), "Night"),
    ]


def test_an_event_moved_to_another_zone_at_the_same_instant_names_the_new_zone(
    tmp_site: MakeSite,
) -> None:
    """Serialised events are kept for the process (a preview's rebuilds); 20:00 in
    Berlin and 20:00 in Paris are one instant, which Python calls equal, yet each
    calendar must name its own zone."""
    from zoneinfo import ZoneInfo

    source = tmp_site({"content/chats/a.md": chat_md("A", "2026-12-10T20:00")})
    site, _ = load_site(source, NOW)
    index = build_calendar(site.chats, site.series, NOW, LONDON, 2)
    event = index.by_chat[site.chats[0].slug]
    shown = {}
    for zone in ("Europe/Berlin", "Europe/Paris"):
        tz = ZoneInfo(zone)
        moved = replace(event, start=event.start.astimezone(tz), end=event.end.astimezone(tz))
        shown[zone] = ical.event_ics(site.config, NOW, moved)
    for zone, data in shown.items():
        assert f"DTSTART;TZID={zone}:".encode() in data
        assert f"TZID:{zone}\r\n".encode() in data
