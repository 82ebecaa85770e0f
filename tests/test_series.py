"""Series files: validation with file:line:key messages, and wall-clock expansion."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from generator import ContentError, load_site
from generator.core.model import SiteConfig
from generator.index.calendar import describe_period, describe_rule
from generator.sources.config import parse_config
from generator.sources.series import occurrences, parse_series
from tests.conftest import MINIMAL_SITE_YAML, NOW, chat_md

MakeSite = Callable[[Mapping[str, str | bytes]], Path]
LONDON = ZoneInfo("Europe/London")
PATH = "content/series/weekly.yaml"


def site_config() -> SiteConfig:
    cfg, problems = parse_config(MINIMAL_SITE_YAML)
    assert cfg is not None, problems
    return cfg


def series_yaml(**extra: str) -> str:
    fields = {
        "name": '"#weekly"',
        "hashtag": '"#weekly"',
        "start": "2026-10-01T20:00",
        "rrule": "FREQ=WEEKLY;BYDAY=TH",
        **extra,
    }
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


def errors(text: str, path: str = PATH) -> list[str]:
    series, diagnostics = parse_series(path, text, site_config())
    assert series is None
    return [d.format() for d in diagnostics]


def test_a_valid_series_file() -> None:
    series, problems = parse_series(
        PATH,
        series_yaml(
            description="Every Thursday evening.",
            duration="90m",
            exceptions="[2026-12-24, 2026-12-31]",
            moves="\n  - {from: 2026-11-05, to: 2026-11-06T19:30}",
            hosts='["@ann"]',
            announced="2026-09-01",
        ),
        site_config(),
    )
    assert problems == []
    assert series is not None
    assert series.slug == "weekly"
    assert series.timezone == LONDON  # the site's, by default
    assert series.start == datetime(2026, 10, 1, 20, 0, tzinfo=LONDON)
    assert series.duration.total_seconds() == 90 * 60
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TH"
    assert series.exceptions == (date(2026, 12, 24), date(2026, 12, 31))
    assert series.moves[0].original == date(2026, 11, 5)
    assert series.moves[0].start == datetime(2026, 11, 6, 19, 30, tzinfo=LONDON)
    assert series.announced == datetime(2026, 9, 1, tzinfo=LONDON)


def test_rule_text_is_normalised() -> None:
    series, problems = parse_series(
        PATH,
        series_yaml(rrule="rrule:freq=monthly;byday=2th;", start="2026-10-08T20:00"),
        site_config(),
    )
    assert problems == [] and series is not None
    assert series.rrule == "FREQ=MONTHLY;BYDAY=2TH"


def test_weekly_series_keeps_wall_clock_time_across_the_october_change() -> None:
    series, _ = parse_series(PATH, series_yaml(), site_config())
    assert series is not None
    found = occurrences(series, datetime(2026, 11, 30, tzinfo=UTC))
    # The clocks go back on the last Sunday of October (2026-10-25).
    assert [o.start.date() for o in found] == [date(2026, 10, d) for d in (1, 8, 15, 22, 29)] + [
        date(2026, 11, d) for d in (5, 12, 19, 26)
    ]
    assert {o.start.astimezone(LONDON).time() for o in found} == {time(20, 0)}
    utc_hours = [o.start.astimezone(UTC).hour for o in found]
    assert utc_hours[:4] == [19] * 4 and utc_hours[4:] == [20] * 5


def test_exceptions_and_moves() -> None:
    series, _ = parse_series(
        PATH,
        series_yaml(
            exceptions="[2026-10-15]",
            moves="\n  - {from: 2026-10-29, to: 2026-10-27T18:00}",
        ),
        site_config(),
    )
    assert series is not None
    found = occurrences(series, datetime(2026, 11, 6, tzinfo=UTC))
    assert [(o.start, o.moved) for o in found] == [
        (datetime(2026, 10, 1, 20, 0, tzinfo=LONDON), False),
        (datetime(2026, 10, 8, 20, 0, tzinfo=LONDON), False),
        (datetime(2026, 10, 22, 20, 0, tzinfo=LONDON), False),
        (datetime(2026, 10, 27, 18, 0, tzinfo=LONDON), True),
        (datetime(2026, 11, 5, 20, 0, tzinfo=LONDON), False),
    ]
    moved = found[3]
    assert moved.original == date(2026, 10, 29)
    assert moved.scheduled == datetime(2026, 10, 29, 20, 0, tzinfo=LONDON)


def test_a_move_from_beyond_the_range_into_it_counts() -> None:
    series, _ = parse_series(
        PATH, series_yaml(moves="\n  - {from: 2026-10-15, to: 2026-10-06T20:00}"), site_config()
    )
    assert series is not None
    found = occurrences(series, datetime(2026, 10, 7, tzinfo=UTC))
    assert [o.start.date() for o in found] == [date(2026, 10, 1), date(2026, 10, 6)]


def test_until_and_count_end_the_series() -> None:
    cfg = site_config()
    until, _ = parse_series(PATH, series_yaml(until="2026-10-15"), cfg)
    count, _ = parse_series(PATH, series_yaml(count="2"), cfg)
    assert until is not None and count is not None
    far = datetime(2027, 6, 1, tzinfo=UTC)
    assert [o.start.day for o in occurrences(until, far)] == [1, 8, 15]
    assert [o.start.day for o in occurrences(count, far)] == [1, 8]


def test_another_time_zone() -> None:
    series, _ = parse_series(
        PATH, series_yaml(timezone="America/New_York", start="2026-10-29T21:00"), site_config()
    )
    assert series is not None
    found = occurrences(series, datetime(2026, 11, 14, tzinfo=UTC))
    # New York changes a week after London (2026-11-01); still 21:00 there.
    assert [o.start.astimezone(ZoneInfo("America/New_York")).hour for o in found] == [21] * 3
    assert [o.start.astimezone(UTC).hour for o in found] == [1, 2, 2]


def test_problems_are_reported_with_file_line_and_key() -> None:
    text = (
        'name: "#weekly"\n'
        "timezone: Europe/Lundon\n"
        "start: 2026-10-01T20:00\n"
        "rrule: FREQ=WEEKLY;BYDAY=TH;COUNT=4\n"
        "durration: 1h\n"
        "count: 0\n"
    )
    assert errors(text) == [
        "content/series/weekly.yaml:2: timezone: expected an IANA time zone like "
        "Europe/London, got \"Europe/Lundon\" (did you mean 'Europe/London'?)",
        "content/series/weekly.yaml:4: rrule: expected a rule without UNTIL or COUNT, got "
        '"FREQ=WEEKLY;BYDAY=TH;COUNT=4" (write the end as `until:` or `count:`)',
        "content/series/weekly.yaml:5: durration: unknown key; expected one of announced, "
        "count, description, duration, exceptions, hashtag, hosts, moves, name, rrule, start, "
        "timezone, until (did you mean 'duration'?)",
        "content/series/weekly.yaml:6: count: expected a whole number of at least 1, got 0",
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "FREQ=HOURLY",
            "expected a rule with FREQ=DAILY, FREQ=WEEKLY, FREQ=MONTHLY or FREQ=YEARLY, got "
            '"FREQ=HOURLY"',
        ),
        (
            "FREQ=WEEKY;BYDAY=TH",
            "expected a rule with FREQ=DAILY, FREQ=WEEKLY, FREQ=MONTHLY or FREQ=YEARLY, got "
            "\"FREQ=WEEKY;BYDAY=TH\" (did you mean 'WEEKLY'?)",
        ),
        (
            "every thursday",
            "expected an RFC 5545 recurrence rule like FREQ=WEEKLY;BYDAY=TH or "
            'FREQ=MONTHLY;BYDAY=3TH, got "every thursday"',
        ),
        (
            "FREQ=WEEKLY;BYHOUR=20",
            'expected a rule without BYHOUR, got "FREQ=WEEKLY;BYHOUR=20" '
            "(the time of day comes from `start:`)",
        ),
    ],
)
def test_bad_rules(rule: str, message: str) -> None:
    assert errors(series_yaml(rrule=f'"{rule}"')) == [
        f"content/series/weekly.yaml:4: rrule: {message}"
    ]


def test_a_malformed_rule_part_says_what_shape_it_needs() -> None:
    assert errors(series_yaml(rrule="FREQ=WEEKLY;BYDAY=XX")) == [
        "content/series/weekly.yaml:4: rrule: expected BYDAY to be weekdays like TH, 2TH or "
        '-1FR, got "FREQ=WEEKLY;BYDAY=XX"'
    ]


def test_start_must_be_a_date_of_the_rule() -> None:
    assert errors(series_yaml(start="2026-10-02T20:00")) == [
        "content/series/weekly.yaml:3: start: expected the first date the rule gives; "
        "2026-10-02 (Friday) is not one of FREQ=WEEKLY;BYDAY=TH "
        "(did you mean 2026-10-01 (Thursday)?)"
    ]


def test_start_in_the_spring_gap_is_refused() -> None:
    [message] = errors(series_yaml(start="2027-03-28T01:30", rrule="FREQ=WEEKLY;BYDAY=SU"))
    assert message == (
        "content/series/weekly.yaml:3: start: expected a time that exists in Europe/London, "
        'got "2027-03-28T01:30" (2027-03-28T01:30 falls in the hour skipped when clocks '
        "go forward)"
    )


def test_date_problems_name_the_nearest_meeting() -> None:
    text = series_yaml(
        exceptions="\n  - 2026-10-08\n  - 2026-10-16",
        moves="\n  - {from: 2026-10-08, to: 2026-10-09T20:00}\n  - {from: 2026-10-23, to: "
        "2026-10-24T20:00}",
    )
    assert errors(text) == [
        "content/series/weekly.yaml:7: exceptions[1]: expected a date the series meets on; "
        "2026-10-16 (Friday) is not one (did you mean 2026-10-15 (Thursday)?)",
        "content/series/weekly.yaml:9: moves[0].from: 2026-10-08 is also in exceptions; "
        "expected it cancelled or moved, not both",
        "content/series/weekly.yaml:10: moves[1].from: expected a date the series meets on; "
        "2026-10-23 (Friday) is not one (did you mean 2026-10-22 (Thursday)?)",
    ]


def test_list_item_problems() -> None:
    text = series_yaml(
        exceptions="\n  - 2026-10-08\n  - next week\n  - 2026-10-08",
        moves="\n  - {from: 2026-10-15, to: soon}\n  - {to: 2026-10-23T20:00}",
    )
    assert errors(text) == [
        "content/series/weekly.yaml:7: exceptions[1]: expected an ISO date like 2026-12-10, "
        'got "next week"',
        "content/series/weekly.yaml:8: exceptions[2]: 2026-10-08 is listed twice",
        "content/series/weekly.yaml:10: moves[0].to: expected an ISO date and time like "
        '2012-02-16T20:00 (optionally with +01:00), got "soon"',
        "content/series/weekly.yaml:11: moves[1].from: required key is missing",
    ]


def test_until_and_count_together() -> None:
    assert errors(series_yaml(until="2026-12-01", count="3")) == [
        "content/series/weekly.yaml:6: count: give either until or count, not both"
    ]


def test_file_name_must_be_a_slug() -> None:
    assert errors(series_yaml(), "content/series/Weekly Chat.yaml") == [
        "content/series/Weekly Chat.yaml: file name 'Weekly Chat' is not a URL slug; expected "
        "lowercase letters, digits and hyphens, like 'weekly-chat'"
    ]


def test_a_chat_naming_an_unknown_series_is_an_error(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/series/weekly.yaml": series_yaml(),
            "content/chats/a.md": chat_md(series="weekyl"),
        }
    )
    with pytest.raises(ContentError) as caught:
        load_site(source, NOW)
    assert [d.format() for d in caught.value.diagnostics] == [
        "content/chats/a.md:4: series: expected a series from content/series/ (weekly), "
        "got \"weekyl\" (did you mean 'weekly'?)"
    ]


def test_series_are_part_of_the_site(tmp_site: MakeSite) -> None:
    source = tmp_site(
        {
            "content/series/weekly.yaml": series_yaml(),
            "content/series/README.txt": "not a series",
            "content/chats/a.md": chat_md(series="weekly", announced="2012-02-01"),
        }
    )
    site, warnings = load_site(source, NOW)
    assert [s.slug for s in site.series] == ["weekly"]
    assert site.chats[0].series == "weekly"
    assert site.chats[0].announced == datetime(2012, 2, 1, tzinfo=LONDON)
    assert [w.format() for w in warnings] == [
        "content/series/README.txt: warning: ignored: expected series files to end in .yaml or .yml"
    ]


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("FREQ=WEEKLY;BYDAY=TH", "every Thursday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "every other week, on Tuesday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE", "every Monday and Wednesday"),
        ("FREQ=MONTHLY;BYDAY=3TH", "on the third Thursday of every month"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "on the last Friday of every month"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO", "every 3 months, on the first Monday"),
        ("FREQ=DAILY", "every day"),
        ("FREQ=MONTHLY;BYMONTHDAY=3", None),
    ],
)
def test_rules_in_plain_english(rule: str, text: str | None) -> None:
    assert describe_rule(rule) == text


def test_periods_in_plain_english() -> None:
    from datetime import timedelta

    assert describe_period(timedelta(hours=1)) == "1 hour"
    assert describe_period(timedelta(minutes=90)) == "1 hour 30 minutes"
    assert describe_period(timedelta(days=2)) == "2 days"


def test_a_rule_that_never_matches_is_refused_quickly() -> None:
    assert errors(series_yaml(rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")) == [
        "content/series/weekly.yaml:4: rrule: expected a rule that gives dates, got "
        '"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" (this one never gives a date)'
    ]


# Validating a rule expands it (does it ever give a date? does an exception fall on
# it?), and dateutil expands until year 9999 when nothing stops it. The guard is a
# bound on the work done, counted as calls into dateutil's rrule module: repeatable on
# any machine, unlike a time limit. A never-matching daily rule searched from 2026 to
# 9999 makes about 3,000,000 such calls (see the test below); the bounded probes make
# at most about 150,000.
MAX_RULE_WORK = 400_000


def rule_work(action: Callable[[], Any]) -> tuple[Any, int]:
    """`action()`'s result and how many dateutil.rrule functions it called."""
    calls = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call" and frame.f_code.co_filename.endswith("rrule.py"):
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        result = action()
    finally:
        sys.setprofile(previous)
    return result, calls


def test_rule_work_counts_an_unbounded_search_as_over_the_bound() -> None:
    """The bound can fail: what the guard prevents is far above it."""
    rule = rrulestr("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", dtstart=datetime(2026, 1, 1))  # noqa: DTZ001
    first, calls = rule_work(lambda: next(iter(rule), None))
    assert first is None and calls > 2 * MAX_RULE_WORK


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            '"FREQ=WEEKLY;BYDAY=TH\\nRRULE:FREQ=DAILY"',
            "expected an RFC 5545 recurrence rule like FREQ=WEEKLY;BYDAY=TH or "
            'FREQ=MONTHLY;BYDAY=3TH, got "FREQ=WEEKLY;BYDAY=TH\\nRRULE:FREQ=DAILY" '
            "(a rule is one line: one RRULE, no other property)",
        ),
        (
            '"FREQ=WEEKLY;BYDAY=TH\\nDTSTART:20000101T000000"',
            "expected an RFC 5545 recurrence rule like FREQ=WEEKLY;BYDAY=TH or "
            'FREQ=MONTHLY;BYDAY=3TH, got "FREQ=WEEKLY;BYDAY=TH\\nDTSTART:20000101T000000" '
            "(a rule is one line: one RRULE, no other property)",
        ),
        (
            "FREQ=WEEKLY;BYDAY=TH;INTERVAL=0",
            "expected INTERVAL to be a whole number from 1 to 99, got "
            '"FREQ=WEEKLY;BYDAY=TH;INTERVAL=0"',
        ),
        (
            "FREQ=WEEKLY;BYDAY=TH;INTERVAL=-1",
            "expected INTERVAL to be a whole number from 1 to 99, got "
            '"FREQ=WEEKLY;BYDAY=TH;INTERVAL=-1"',
        ),
        (
            "FREQ=YEARLY;BYEASTER=0",
            "expected a rule made of FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, "
            'BYMONTH, BYSETPOS, WKST, got "FREQ=YEARLY;BYEASTER=0" (BYEASTER is not one of them)',
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=0",
            "expected BYMONTHDAY to be days of the month from 1 to 31 (or -1 to -31), got "
            '"FREQ=MONTHLY;BYMONTHDAY=0"',
        ),
        (
            "FREQ=DAILY;BYYEARDAY=400",
            "expected BYYEARDAY to be days of the year from 1 to 366 (or -1 to -366), got "
            '"FREQ=DAILY;BYYEARDAY=400"',
        ),
        (
            "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
            'expected a rule that gives dates, got "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30" '
            "(this one never gives a date)",
        ),
    ],
)
def test_hostile_and_odd_rules_are_refused_quickly(rule: str, message: str) -> None:
    found, work = rule_work(lambda: errors(series_yaml(rrule=rule)))
    assert found == [f"content/series/weekly.yaml:4: rrule: {message}"]
    assert work < MAX_RULE_WORK


def test_a_rule_that_never_matches_from_its_start_is_refused_quickly() -> None:
    # Every other month from January: never February.
    text = series_yaml(
        rrule="FREQ=MONTHLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=1", start="2026-01-01T20:00"
    )
    found, work = rule_work(lambda: errors(text))
    assert work < MAX_RULE_WORK
    assert found == [
        "content/series/weekly.yaml:4: rrule: expected a rule that gives dates from the start, "
        'got "FREQ=MONTHLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=1" (counted from 2026-01-01, this '
        "one never gives a date)"
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {
                "exceptions": "[2026-10-15]",
                "moves": "\n  - {from: 2026-10-08, to: 2026-10-15T20:00}",
            },
            "content/series/weekly.yaml:7: moves[0].to: expected a time no exception cancels; "
            "2026-10-15T20:00 is the cancelled occurrence of 2026-10-15 (calendar apps drop an "
            "occurrence moved onto an exception; take the date out of exceptions and leave it "
            "as it is)",
        ),
        (
            {"moves": "\n  - {from: 2026-10-08, to: 2026-10-15T18:00}"},
            "content/series/weekly.yaml:6: moves[0].to: expected a day the series does not "
            "already meet on; 2026-10-15 (Thursday) has its own occurrence (cancel or move that "
            "one too, or pick another day)",
        ),
        (
            {"moves": "\n  - {from: 2026-10-08, to: 2026-10-08T20:00}"},
            "content/series/weekly.yaml:6: moves[0].to: expected a new time for 2026-10-08, got "
            "2026-10-08T20:00, the time it is already at (remove the move, or give another time)",
        ),
        (
            {
                "moves": "\n  - {from: 2026-10-08, to: 2026-10-10T20:00}"
                "\n  - {from: 2026-10-15, to: 2026-10-10T18:00}"
            },
            "content/series/weekly.yaml:7: moves[1].to: expected a day no other move lands on; "
            "moves[0] is moved to 2026-10-10 too (one occurrence a day: pick another day)",
        ),
    ],
)
def test_a_move_must_land_where_nothing_else_is(extra: dict[str, str], message: str) -> None:
    assert errors(series_yaml(**extra)) == [message]


@pytest.mark.parametrize(
    "extra",
    [
        {"moves": "\n  - {from: 2026-10-08, to: 2026-10-08T18:00}"},  # same day, new time
        # Onto a cancelled day at another time, and onto a day whose own occurrence moved.
        {"exceptions": "[2026-10-15]", "moves": "\n  - {from: 2026-10-08, to: 2026-10-15T18:00}"},
        {
            "moves": "\n  - {from: 2026-10-08, to: 2026-10-15T18:00}"
            "\n  - {from: 2026-10-15, to: 2026-10-16T20:00}"
        },
    ],
)
def test_moves_that_land_in_free_places(extra: dict[str, str]) -> None:
    series, problems = parse_series(PATH, series_yaml(**extra), site_config())
    assert problems == [] and series is not None


def test_every_mistake_of_a_file_is_reported_in_one_run() -> None:
    text = series_yaml(
        start="2026-10-02T20:00",
        exceptions="[2026-10-16, nope]",
        moves="\n  - {from: 2026-10-23, to: 2026-10-24T20:00}",
        count="0",
    )
    assert sorted(errors(text)) == [
        "content/series/weekly.yaml:3: start: expected the first date the rule gives; "
        "2026-10-02 (Friday) is not one of FREQ=WEEKLY;BYDAY=TH "
        "(did you mean 2026-10-01 (Thursday)?)",
        "content/series/weekly.yaml:5: exceptions[0]: expected a date the series meets on; "
        "2026-10-16 (Friday) is not one (did you mean 2026-10-15 (Thursday)?)",
        "content/series/weekly.yaml:5: exceptions[1]: expected an ISO date like 2026-12-10, "
        'got "nope"',
        "content/series/weekly.yaml:7: moves[0].from: expected a date the series meets on; "
        "2026-10-23 (Friday) is not one (did you mean 2026-10-22 (Thursday)?)",
        "content/series/weekly.yaml:8: count: expected a whole number of at least 1, got 0",
    ]


def test_start_with_an_offset_is_refused() -> None:
    assert errors(series_yaml(start="2026-10-01T20:00+01:00")) == [
        "content/series/weekly.yaml:3: start: expected a wall-clock date and time like "
        "2026-09-10T20:00, without an offset (a series keeps its local time in Europe/London "
        'across clock changes), got "2026-10-01T20:00+01:00" (to meet in another zone, set '
        "`timezone:` instead)"
    ]


def test_an_occurrence_in_the_spring_gap_is_a_warning_naming_the_date() -> None:
    series, problems = parse_series(
        PATH,
        series_yaml(start="2027-03-21T01:30", rrule="FREQ=WEEKLY;BYDAY=SU", until="2027-04-30"),
        site_config(),
    )
    assert series is not None
    assert [d.format() for d in problems] == [
        "content/series/weekly.yaml:3: warning: start: 01:30 does not exist in Europe/London on "
        "2027-03-28 (the clocks go forward); that occurrence is held at 02:30, as calendar apps "
        "hold them (move them, or choose a time outside the skipped hour)"
    ]
    [gap] = [o for o in occurrences(series, datetime(2027, 5, 1, tzinfo=UTC)) if o.in_gap]
    assert gap.start == datetime(2027, 3, 28, 2, 30, tzinfo=LONDON)
    assert gap.nominal.replace(tzinfo=None) == datetime(2027, 3, 28, 1, 30)  # noqa: DTZ001


def test_exceptions_and_moves_far_from_the_start_are_refused_quickly() -> None:
    """Checking a date against the rule expands the rule up to it: a typo (9999 for
    2026) would otherwise make a daily series expand for millennia."""
    text = series_yaml(
        rrule="FREQ=DAILY",
        exceptions="[nope, 9999-12-30]",
        moves="\n  - {from: 2026-10-08, to: 9999-12-31T20:00}",
    )
    found, work = rule_work(lambda: errors(text))
    assert work < MAX_RULE_WORK
    assert found == [
        "content/series/weekly.yaml:5: exceptions[0]: expected an ISO date like 2026-12-10, "
        'got "nope"',
        "content/series/weekly.yaml:5: exceptions[1]: expected a year between 1900 and 2200, "
        'got "9999-12-30"',
        "content/series/weekly.yaml:7: moves[0].to: expected a year between 1900 and 2200, "
        'got "9999-12-31T20:00"',
    ]
