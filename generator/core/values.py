"""Converters for dates, times, durations and counts: each form is defined once.

Front matter, series files, site.yaml and the command line's options all read dates,
times and durations; when each kept its own copy, the copies drifted (one date
converter bounded the year, its date-and-time twin did not). Every converter here
takes a value as YAML (or the command line) gave it and returns the clean value or
raises `Invalid(expected)`, where `expected` completes "expected ...".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from generator.core.errors import UsageError
from generator.core.schema import Invalid, did_you_mean

T = TypeVar("T")

# Chats are real events. Bounding the years at the source keeps every later step
# (durations, calendar expansion, .ics time zones) clear of datetime's year-9999 edge.
YEARS = range(1900, 2201)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}")
# Days, hours and minutes, each optional, in that order: 1d, 12h, 1h30m, 90min.
_SPAN = re.compile(r"^(?:(?P<d>\d+)\s*d)?\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?$")

DATETIME_EXPECTED = "an ISO date and time like 2012-02-16T20:00 (optionally with +01:00)"
MAX_MONTHS_AHEAD = 60


# --- calendar dates and moments -------------------------------------------------------


def check_year(year: int) -> None:
    if year not in YEARS:
        raise Invalid(f"a year between {YEARS.start} and {YEARS.stop - 1}")


def _day(value: Any, expected: str) -> date:
    """A calendar date written YYYY-MM-DD, within YEARS."""
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise Invalid(expected)
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(expected) from None
    check_year(day.year)
    return day


def iso_date(value: Any) -> date:
    return _day(value, "an ISO date like 2026-12-10")


def _moment(value: Any, tz: ZoneInfo, expected: str) -> datetime:
    """A date and time; without an offset, wall-clock time in `tz`.

    A value of the wrong shape is refused with `expected`; one of the right shape
    that is out of bounds or never happens says so in its own words.
    """
    if not isinstance(value, str) or not _DATETIME_SHAPE.match(value.strip()):
        raise Invalid(expected)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(expected) from None
    check_year(parsed.year)
    if parsed.tzinfo is not None:
        return parsed
    local = parsed.replace(tzinfo=tz)
    # zoneinfo accepts wall-clock times skipped by a DST change; they never happen.
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != parsed:
        raise Invalid(
            f"a time that exists in {tz.key}",
            hint=f"{value} falls in the hour skipped when clocks go forward",
        )
    return local


def local_datetime(tz: ZoneInfo) -> Callable[[Any], datetime]:
    """ISO date and time; without an offset it is wall-clock time in `tz`."""

    def convert(value: Any) -> datetime:
        return _moment(value, tz, DATETIME_EXPECTED)

    return convert


def local_date_or_datetime(tz: ZoneInfo) -> Callable[[Any], datetime]:
    """An ISO date (midnight in `tz`) or date and time, as for `date:`.

    Both forms obey the same year bound: a date is a date-time at midnight, so a
    day that is refused with a time must not be accepted without one.
    """
    expected = "an ISO date like 2026-11-01 or date and time"

    def convert(value: Any) -> datetime:
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            day = _day(value, expected)
            return datetime(day.year, day.month, day.day, tzinfo=tz)
        return _moment(value, tz, expected)

    return convert


def wall_clock(tz: ZoneInfo) -> Callable[[Any], datetime]:
    """A series' `start`: a date and time on the wall clock of its zone, no offset.

    A series keeps its local time across DST changes, so an offset ("+01:00") would
    be right for half the year at most; the zone is `timezone:`'s business.
    """

    def convert(value: Any) -> datetime:
        moment = _moment(value, tz, DATETIME_EXPECTED)
        if not isinstance(moment.tzinfo, ZoneInfo):
            raise Invalid(
                f"a wall-clock date and time like 2026-09-10T20:00, without an offset "
                f"(a series keeps its local time in {tz.key} across clock changes)",
                hint="to meet in another zone, set `timezone:` instead",
            )
        return moment

    return convert


def timezone(value: Any) -> ZoneInfo:
    expected = "an IANA time zone like Europe/London"
    if not isinstance(value, str) or not value.strip():
        raise Invalid(expected)
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(expected, did_you_mean(value, available_timezones())) from None


# --- lengths of time ------------------------------------------------------------------


def duration(value: Any) -> timedelta:
    """How long a chat lasts: 1h, 90m, 1h30m, or a whole number of minutes."""
    expected = "a duration like 1h, 90m or 1h30m"
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    elif (
        isinstance(value, str)
        and (m := _SPAN.match(value.strip()))
        and not m["d"]
        and (m["h"] or m["m"])
    ):
        minutes = int(m["h"] or 0) * 60 + int(m["m"] or 0)
    else:
        raise Invalid(expected)
    if not 0 < minutes <= 24 * 60:
        raise Invalid("a duration between 1 minute and 24 hours")
    return timedelta(minutes=minutes)


def notice_period(value: Any) -> timedelta | None:
    """How long before a chat its reminder goes out: 1d, 12h, 1d12h, 90m; false: never."""
    expected = "a period like 1d, 12h or 90m, or false for no reminders"
    if value is False:
        return None
    if (
        not isinstance(value, str)
        or not (m := _SPAN.match(value.strip()))
        or not any(m.groupdict().values())
    ):
        raise Invalid(expected)
    try:
        period = timedelta(days=int(m["d"] or 0), hours=int(m["h"] or 0), minutes=int(m["m"] or 0))
    except OverflowError:  # "99999999999d"
        raise Invalid("a period between 1 minute and 60 days") from None
    if not timedelta(0) < period <= timedelta(days=60):
        raise Invalid("a period between 1 minute and 60 days")
    return period


# --- counts ---------------------------------------------------------------------------


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Invalid("a whole number of at least 1")
    return value


def months_ahead(value: Any) -> int:
    """1 to 60: each month ahead is a page per occurrence of every series, and a
    horizon of centuries would overflow the calendar (and never finish)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MONTHS_AHEAD:
        raise Invalid(f"a whole number of months from 1 to {MAX_MONTHS_AHEAD}")
    return value


# --- the command line -----------------------------------------------------------------


def option(flag: str, convert: Callable[[Any], T], text: str) -> T:
    """A command-line option read with the converter its YAML key uses, so `--date`
    accepts exactly what `date:` does; a refusal is a usage error naming the flag."""
    try:
        return convert(text)
    except Invalid as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        raise UsageError(f"{flag}: expected {exc.expected}, got {text!r}{hint}") from None
