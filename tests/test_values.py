"""Value converters: each form a site author writes is accepted or refused in one place."""

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from generator.core import values
from generator.core.errors import UsageError
from generator.core.schema import Invalid

LONDON = ZoneInfo("Europe/London")
YEAR_BOUND = "a year between 1900 and 2200"


def refusal(convert: Any, value: Any) -> str:
    with pytest.raises(Invalid) as caught:
        convert(value)
    return caught.value.expected


# --- dates and date-times -------------------------------------------------------------


def test_iso_date() -> None:
    assert values.iso_date(" 2026-12-10 ") == date(2026, 12, 10)
    for bad in ("2026-12-32", "10/12/2026", "2026-12-10T20:00", 20261210, None):
        assert refusal(values.iso_date, bad) == "an ISO date like 2026-12-10"


def test_local_datetime_reads_wall_clock_time_in_the_zone_or_keeps_an_offset() -> None:
    convert = values.local_datetime(LONDON)
    assert convert("2012-06-14T20:00") == datetime(2012, 6, 14, 20, 0, tzinfo=LONDON)
    assert convert("2012-06-14 20:00") == datetime(2012, 6, 14, 20, 0, tzinfo=LONDON)
    with_offset = convert("2012-06-14T20:00+02:00")
    assert with_offset.utcoffset() == timedelta(hours=2)
    assert with_offset == datetime(2012, 6, 14, 18, 0, tzinfo=UTC)
    for bad in ("next thurs", "2012-06-14", "2012-13-14T20:00", 1170):
        assert refusal(convert, bad) == values.DATETIME_EXPECTED


def test_a_time_skipped_by_the_clocks_going_forward_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        values.local_datetime(LONDON)("2027-03-28T01:30")
    assert caught.value.expected == "a time that exists in Europe/London"
    assert caught.value.hint is not None and "clocks go forward" in caught.value.hint


def test_local_date_or_datetime() -> None:
    convert = values.local_date_or_datetime(LONDON)
    assert convert("2026-11-01") == datetime(2026, 11, 1, tzinfo=LONDON)
    assert convert("2026-11-01T09:30") == datetime(2026, 11, 1, 9, 30, tzinfo=LONDON)
    for bad in ("soon", "2026-11-31", "2026-11-31T09:30", True):
        assert refusal(convert, bad) == "an ISO date like 2026-11-01 or date and time"


@pytest.mark.parametrize("day", ["0005-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_every_date_converter_has_the_one_year_bound(day: str) -> None:
    assert refusal(values.iso_date, day) == YEAR_BOUND
    assert refusal(values.local_date_or_datetime(LONDON), day) == YEAR_BOUND
    for convert in (
        values.local_datetime(LONDON),
        values.local_date_or_datetime(LONDON),
        values.wall_clock(LONDON),
    ):
        assert refusal(convert, f"{day}T10:00") == YEAR_BOUND


def test_a_date_and_a_date_time_of_the_same_day_obey_the_same_bounds() -> None:
    convert = values.local_date_or_datetime(LONDON)
    for day in ("0005-01-01", "2201-01-01"):
        assert refusal(convert, day) == refusal(convert, f"{day}T10:00") == YEAR_BOUND
    for day in ("1900-01-01", "2200-12-31"):
        assert convert(day).date() == convert(f"{day}T10:00").date()


def test_the_bound_is_on_the_year_as_written() -> None:
    assert values.local_datetime(LONDON)("2200-12-31T23:30-05:00").year == 2200
    values.check_year(1900)
    values.check_year(2200)


def test_wall_clock_refuses_an_offset() -> None:
    convert = values.wall_clock(LONDON)
    assert convert("2026-09-10T20:00") == datetime(2026, 9, 10, 20, 0, tzinfo=LONDON)
    with pytest.raises(Invalid) as caught:
        convert("2026-09-10T20:00+01:00")
    assert "without an offset" in caught.value.expected
    assert refusal(convert, "thursdays") == values.DATETIME_EXPECTED


def test_timezone() -> None:
    assert values.timezone(" Europe/London ") == LONDON
    with pytest.raises(Invalid) as caught:
        values.timezone("Europe/Londn")
    assert caught.value.expected == "an IANA time zone like Europe/London"
    assert caught.value.hint == "did you mean 'Europe/London'?"
    assert refusal(values.timezone, "") == "an IANA time zone like Europe/London"


# --- lengths of time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1h", 60),
        ("90m", 90),
        ("90min", 90),
        ("1h30m", 90),
        ("1h 30m", 90),
        (45, 45),
        ("24h", 1440),
    ],
)
def test_duration(text: Any, minutes: int) -> None:
    assert values.duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1d", "a duration like 1h, 90m or 1h30m"),
        ("30m1h", "a duration like 1h, 90m or 1h30m"),
        ("", "a duration like 1h, 90m or 1h30m"),
        (True, "a duration like 1h, 90m or 1h30m"),
        ("0m", "a duration between 1 minute and 24 hours"),
        ("25h", "a duration between 1 minute and 24 hours"),
        (-5, "a duration between 1 minute and 24 hours"),
    ],
)
def test_duration_refusals(text: Any, expected: str) -> None:
    assert refusal(values.duration, text) == expected


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("1d", timedelta(days=1)),
        ("12h", timedelta(hours=12)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("90m", timedelta(minutes=90)),
        ("2d 3h 4min", timedelta(days=2, hours=3, minutes=4)),
        ("60d", timedelta(days=60)),
        (False, None),
    ],
)
def test_notice_period(text: Any, period: timedelta | None) -> None:
    assert values.notice_period(text) == period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("soon", "a period like 1d, 12h or 90m, or false for no reminders"),
        (True, "a period like 1d, 12h or 90m, or false for no reminders"),
        (30, "a period like 1d, 12h or 90m, or false for no reminders"),
        ("0m", "a period between 1 minute and 60 days"),
        ("61d", "a period between 1 minute and 60 days"),
        ("99999999999d", "a period between 1 minute and 60 days"),
    ],
)
def test_notice_period_refusals(text: Any, expected: str) -> None:
    assert refusal(values.notice_period, text) == expected


# --- counts ---------------------------------------------------------------------------


def test_positive_int() -> None:
    assert values.positive_int(1) == 1
    for bad in (0, -1, True, "3", 2.5):
        assert refusal(values.positive_int, bad) == "a whole number of at least 1"


def test_months_ahead() -> None:
    assert values.months_ahead(1) == 1 and values.months_ahead(60) == 60
    for bad in (0, 61, 1_200_000, True, "12"):
        assert refusal(values.months_ahead, bad) == "a whole number of months from 1 to 60"


# --- the command line -----------------------------------------------------------------


def test_an_option_is_read_with_its_keys_converter() -> None:
    assert values.option("--duration", values.duration, "90m") == timedelta(minutes=90)
    with pytest.raises(UsageError) as caught:
        values.option("--duration", values.duration, "a while")
    assert (
        str(caught.value) == "--duration: expected a duration like 1h, 90m or 1h30m, got 'a while'"
    )
    with pytest.raises(UsageError) as caught:
        values.option("--date", values.local_datetime(LONDON), "2027-03-28T01:30")
    assert str(caught.value).startswith("--date: expected a time that exists in Europe/London")
    assert "(2027-03-28T01:30 falls in the hour skipped when clocks go forward)" in str(
        caught.value
    )


def test_an_offset_date_time_keeps_its_offset() -> None:
    moment = values.local_date_or_datetime(LONDON)("2026-11-01T09:30+05:30")
    assert moment.tzinfo == timezone(timedelta(hours=5, minutes=30))
