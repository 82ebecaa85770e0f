"""Series: a regular chat declared once, in content/series/<slug>.yaml.

```yaml
name: "#chartership"
hashtag: "#chartership"
description: Monthly evening chat for people working towards Chartership.
timezone: Europe/London         # optional: the site's zone
start: 2026-09-10T20:00         # the first occurrence, wall-clock time in `timezone`
duration: 1h
rrule: FREQ=MONTHLY;BYDAY=2TH   # RFC 5545 recurrence rule: the second Thursday
until: 2027-12-31               # optional; or `count: 12`
exceptions: [2026-12-10]        # occurrences cancelled (series-local dates)
moves:                          # occurrences held at another time
  - {from: 2027-03-11, to: 2027-03-18T20:00}
```

Occurrences are wall-clock times: the rule is expanded with python-dateutil on
*naive* local date-times and each one is given the zone afterwards, so a 20:00 chat
stays at 20:00 on both sides of a DST change (a UTC-based expansion would drift an
hour). That is also what RFC 5545 says a TZID-anchored RRULE means, so calendar apps
reading our .ics agree with our pages.

This module loads and validates series (every problem as a file:line:key diagnostic)
and expands them (`occurrences`), a pure function the calendar index and the
validation share, so what is checked is what is built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from icalendar import vRecur

from generator.core import schema, yamlsafe
from generator.core.errors import Collector, Diagnostic, errors_only
from generator.core.model import Series, SeriesMove, SiteConfig
from generator.core.pickling import fast_pickle
from generator.core.schema import Field, Invalid
from generator.core.values import (
    duration,
    iso_date,
    local_date_or_datetime,
    local_datetime,
    positive_int,
    timezone,
    wall_clock,
)
from generator.sources import content, files

_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
MAX_INTERVAL = 99
GAP_YEARS = 10  # how far ahead of its start a series is searched for DST gaps
REACH_YEARS = 100  # exceptions and moves fall within this many years of the start
_WEEKDAY_NAMES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NUMBER = re.compile(r"[+-]?[0-9]{1,3}")
_BYDAY_ITEM = re.compile(r"[+-]?(?P<n>[0-9]{1,2})?(?:MO|TU|WE|TH|FR|SA|SU)")
_RULE_CHARACTERS = re.compile(r"[A-Z0-9=;,+-]+")
# The last 400 years dateutil can reach (it stops at 9999): where rules are probed.
_PROBE_START = datetime(MAXYEAR - 399, 1, 1)  # noqa: DTZ001 - rules expand on naive times
_RULE_EXAMPLE = "an RFC 5545 recurrence rule like FREQ=WEEKLY;BYDAY=TH or FREQ=MONTHLY;BYDAY=3TH"
_DAY_END = time(23, 59, 59)


# --- converters -----------------------------------------------------------------------


def _numbers(low: int, high: int, signed: bool) -> Callable[[str], bool]:
    """A comma list of whole numbers from `low` to `high` (or minus that, if `signed`)."""

    def ok(value: str) -> bool:
        for item in value.split(","):
            if not _NUMBER.fullmatch(item) or (item[0] in "+-" and not signed):
                return False
            if not low <= abs(int(item)) <= high:
                return False
        return True

    return ok


def _weekdays(value: str) -> bool:
    for item in value.split(","):
        m = _BYDAY_ITEM.fullmatch(item)
        if m is None or (m["n"] and not 1 <= int(m["n"]) <= 53):
            return False
    return True


# Every rule part RFC 5545 (3.3.10) defines that a series may use, with the shape of
# its value. Anything else (dateutil's BYEASTER, a second RRULE smuggled in after a
# newline, a stray DTSTART) is refused here, before any library sees the text.
_PART_SHAPES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "INTERVAL": (f"a whole number from 1 to {MAX_INTERVAL}", _numbers(1, MAX_INTERVAL, False)),
    "BYDAY": ("weekdays like TH, 2TH or -1FR", _weekdays),
    "BYMONTHDAY": ("days of the month from 1 to 31 (or -1 to -31)", _numbers(1, 31, True)),
    "BYYEARDAY": ("days of the year from 1 to 366 (or -1 to -366)", _numbers(1, 366, True)),
    "BYWEEKNO": ("ISO week numbers from 1 to 53 (or -1 to -53)", _numbers(1, 53, True)),
    "BYMONTH": ("months from 1 to 12", _numbers(1, 12, False)),
    "BYSETPOS": ("positions from 1 to 366 (or -1 to -366)", _numbers(1, 366, True)),
    "WKST": ("a weekday like MO", lambda v: v in _WEEKDAY_NAMES),
}
_KNOWN_PARTS = ("FREQ", *_PART_SHAPES)


def recurrence_rule(value: Any) -> str:
    """RRULE text, normalised to upper case, without the "RRULE:" prefix.

    The time of day comes from `start` and the end from `until`/`count`, so the rule
    may not carry its own (one place for each fact, and UNTIL must be written in UTC
    in an .ics, which is ours to get right, not the organiser's).

    The text is copied into every .ics we write, so it is checked part by part
    against RFC 5545 rather than trusted to a parser: only the parts in
    `_PART_SHAPES`, each with a value of the right shape, and nothing else (no
    newline can get through to become a second property).
    """
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_RULE_EXAMPLE)
    text = value.strip().upper().removeprefix("RRULE:").strip().rstrip(";")
    if not _RULE_CHARACTERS.fullmatch(text):
        one_line = not any(c in text for c in "\r\n\x0b\x0c\x85\u2028\u2029")
        raise Invalid(
            _RULE_EXAMPLE,
            hint=None if one_line else "a rule is one line: one RRULE, no other property",
        )
    parts: dict[str, str] = {}
    for part in text.split(";"):
        key, eq, val = part.strip().partition("=")
        if not eq or not key or not val:
            raise Invalid(_RULE_EXAMPLE)
        if key in parts:
            raise Invalid(_RULE_EXAMPLE, hint=f"{key} is given twice")
        parts[key] = val
    if "UNTIL" in parts or "COUNT" in parts:
        raise Invalid("a rule without UNTIL or COUNT", hint="write the end as `until:` or `count:`")
    for key in ("DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND"):
        if key in parts:
            raise Invalid(f"a rule without {key}", hint="the time of day comes from `start:`")
    freq = parts.get("FREQ")
    if freq not in _FREQUENCIES:
        raise Invalid(
            f"a rule with FREQ={', FREQ='.join(_FREQUENCIES[:-1])} or FREQ={_FREQUENCIES[-1]}",
            hint=schema.did_you_mean(freq, _FREQUENCIES) if freq else None,
        )
    for key, val in parts.items():
        if key == "FREQ":
            continue
        if key not in _PART_SHAPES:
            near = schema.did_you_mean(key, _KNOWN_PARTS)
            raise Invalid(
                f"a rule made of {', '.join(_KNOWN_PARTS)}",
                hint=f"{key} is not one of them" + (f"; {near}" if near else ""),
            )
        shape, ok = _PART_SHAPES[key]
        if not ok(val):
            raise Invalid(f"{key} to be {shape}")
    normalised = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        vRecur.from_ical(normalised)  # the parser the .ics output goes through
        rrulestr(normalised, dtstart=_PROBE_START)
    except Exception as exc:  # noqa: BLE001 - any refusal by either parser is the author's
        raise Invalid(_RULE_EXAMPLE, hint=str(exc) or None) from None
    # A rule that never matches ("February 30th") would have dateutil search to the
    # year 9999 on every expansion. Without INTERVAL the rule gives every date any
    # phase of it could, and the Gregorian calendar repeats every 400 years: no date
    # in the last 400 years dateutil can reach means no date ever.
    unspaced = ";".join(f"{k}={v}" for k, v in parts.items() if k != "INTERVAL")
    if not _gives_a_date(unspaced, _PROBE_START):
        raise Invalid("a rule that gives dates", hint="this one never gives a date")
    return normalised


def _gives_a_date(rule: str, start: datetime) -> bool:
    """Whether `rule` from `start` gives any date before dateutil's year 9999.

    dateutil looks for a match until year 9999 whatever UNTIL says, so the probe is
    bounded by where it starts (at most about 800 years of steps), never by a clock.
    """
    try:
        return next(iter(rrulestr(rule, dtstart=start)), None) is not None
    except Exception:  # noqa: BLE001 - dateutil raises what it likes on odd rules
        return False


def _in_probe_range(start: datetime) -> datetime:
    """`start` moved by whole 400-year cycles into the last 400-800 years dateutil
    reaches. The calendar (leap years, weekdays) repeats exactly every 400 years and
    a rule's INTERVAL counts from its own start, so the rule gives the same dates
    there, shifted: a bounded way to ask "does it ever give a date from `start`"."""
    cycles = max(0, (_PROBE_START.year - start.year) // 400)
    return start.replace(year=start.year + 400 * cycles)


MAX_COUNT = 10_000  # occurrences; a weekly chat for 190 years


def _count(value: Any) -> int:
    number = positive_int(value)
    if number > MAX_COUNT:
        raise Invalid(f"a count between 1 and {MAX_COUNT}")
    return number


def series_fields(tz: ZoneInfo) -> dict[str, Field]:
    return {
        "name": Field(schema.text, required=True),
        "hashtag": Field(content.hashtag),
        "description": Field(schema.text, default=""),
        "timezone": Field(timezone),
        "start": Field(wall_clock(tz), required=True),
        "duration": Field(duration, default=content.DEFAULT_DURATION),
        "rrule": Field(recurrence_rule, required=True),
        "until": Field(iso_date),
        "count": Field(_count),
        "exceptions": Field(lambda v: v, default=()),  # validated item by item below
        "moves": Field(lambda v: v, default=()),  # validated item by item below
        "hosts": Field(schema.text_list, default=()),
        "announced": Field(local_date_or_datetime(tz)),
    }


def move_fields(tz: ZoneInfo) -> dict[str, Field]:
    return {
        "from": Field(iso_date, required=True),
        "to": Field(local_datetime(tz), required=True),
    }


# --- expansion (pure) -----------------------------------------------------------------


@fast_pickle
@dataclass(frozen=True, slots=True)
class Occurrence:
    """One dated instance of a series."""

    original: date  # the series-local date the rule gives (before any move)
    scheduled: datetime  # what the rule gives, aware: the EXDATE when moved
    start: datetime  # aware, in the series' zone: where it really is (after a move)
    end: datetime
    moved: bool
    # The rule's own wall-clock value, with the zone: what an .ics names in EXDATE and
    # RECURRENCE-ID. It differs from `scheduled` only on a spring-forward day, where
    # the rule's time does not exist and the occurrence is held after the gap.
    nominal: datetime

    @property
    def in_gap(self) -> bool:
        return self.nominal.replace(tzinfo=None) != self.scheduled.replace(tzinfo=None)


def _naive(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def localise(naive: datetime, tz: ZoneInfo) -> datetime:
    """Wall-clock time in `tz`. A time skipped by a DST change moves forward by the
    gap, as RFC 5545 (3.3.5) says and as calendar apps do."""
    aware = naive.replace(tzinfo=tz)
    try:
        return aware.astimezone(UTC).astimezone(tz)
    except OverflowError:  # the last hours of year 9999: no clock change to correct for
        return aware


def day_after(day: date) -> date:
    """The next day, or `day` itself at the end of the calendar (9999-12-31)."""
    return day if day == date.max else day + timedelta(days=1)


def _rule(series: Series) -> rrule:
    local_start = series.start.astimezone(series.timezone).replace(tzinfo=None)
    rule = rrulestr(series.rrule, dtstart=local_start)
    assert isinstance(rule, rrule)  # a single RRULE parses to one rrule, never a set
    if series.until is not None:
        return rule.replace(until=datetime.combine(series.until, _DAY_END))
    if series.count is not None:
        return rule.replace(count=series.count)
    return rule


def rule_starts(series: Series, through: datetime) -> Iterator[datetime]:
    """Naive local starts the rule gives (no exceptions, no moves) up to `through`."""
    last = _naive(through, series.timezone)
    for naive in _rule(series):
        if naive > last:
            return
        yield naive


def occurrences(series: Series, through: datetime) -> tuple[Occurrence, ...]:
    """Every occurrence from the series' start to `through` (inclusive), by start.

    Exceptions are dropped, moves land at their new time (and count if *that* is
    within range), exactly the set an .ics reader gets from RRULE, EXDATE and RDATE.
    """
    tz = series.timezone
    cancelled = set(series.exceptions)
    moved = {m.original: m for m in series.moves}
    found: list[Occurrence] = []
    # A move can bring an occurrence from beyond `through` into range: expand to it.
    extent = max(
        [through, *(localise(datetime.combine(m.original, _DAY_END), tz) for m in series.moves)]
    )
    for naive in rule_starts(series, extent):
        day = naive.date()
        if day in cancelled:
            continue
        scheduled = localise(naive, tz)
        move = moved.get(day)
        start = move.start.astimezone(tz) if move else scheduled
        if start > through:
            continue
        found.append(
            Occurrence(
                day,
                scheduled,
                start,
                _end(start, series),
                move is not None,
                naive.replace(tzinfo=tz),
            )
        )
    return tuple(sorted(found, key=lambda o: o.start))


def _end(start: datetime, series: Series) -> datetime:
    """Elapsed time, as for chats: a chat across a clock change lasts its duration."""
    try:
        return (start.astimezone(UTC) + series.duration).astimezone(series.timezone)
    except OverflowError:  # would end after 9999-12-31: end with the calendar
        return datetime.max.replace(tzinfo=series.timezone)


# --- loading --------------------------------------------------------------------------


def parse_series(
    path: str, text: str, config: SiteConfig
) -> tuple[Series | None, list[Diagnostic]]:
    """Validate one series file; pure, like `content.parse_chat`.

    Every mistake of a file is reported in one run: the dates are checked against
    the rule whenever `start` and `rrule` are valid, with whichever exceptions and
    moves parsed, whatever else is wrong.
    """
    out = Collector()
    slug = files.series_slug(path)
    files.check_slug(slug, path, out, "file name")
    try:
        doc = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        for problem in exc.problems:
            out.error(path, problem.line, problem.key, problem.message)
        return None, out.items
    if not isinstance(doc.data, dict):
        out.error(path, 1, None, f"expected a mapping of keys, got {schema.show(doc.data)}")
        return None, out.items
    tz = _zone(doc.data.get("timezone"), config.timezone)
    values = schema.validate(doc, (), series_fields(tz), path, out)
    until: date | None = values["until"]
    count: int | None = values["count"]
    if until is not None and count is not None:
        out.error(path, doc.line(("count",)), "count", "give either until or count, not both")
        count = None
    start: datetime | None = values["start"]
    rule: str | None = values["rrule"]
    if until is not None and start is not None and until < start.date():
        out.error(
            path,
            doc.line(("until",)),
            "until",
            f"expected a date on or after the start ({start.date().isoformat()}), "
            f"got {schema.show(doc.data['until'])}",
        )
        until = None
    exceptions = _dates(doc, "exceptions", path, out)
    moves = _moves(doc, tz, path, out)
    if start is None or rule is None:
        return None, out.items
    exceptions, moves = _within_reach(start, exceptions, moves, doc, path, out)
    series = Series(
        slug=slug,
        source_path=path,
        name=values["name"] or slug,
        hashtag=values["hashtag"],
        description=values["description"] or "",
        timezone=tz,
        start=start,
        duration=values["duration"] or content.DEFAULT_DURATION,
        rrule=rule,
        until=until,
        count=count,
        exceptions=tuple(sorted(d for d, _ in exceptions)),
        moves=tuple(sorted((m for m, _ in moves), key=lambda m: m.original)),
        hosts=values["hosts"] or (),
        announced=values["announced"],
    )
    if not _gives_a_date(series.rrule, _in_probe_range(start.replace(tzinfo=None))):
        # INTERVAL counts from the start: in this phase the rule never matches.
        out.error(
            path,
            doc.line(("rrule",)),
            "rrule",
            f"expected a rule that gives dates from the start, got {schema.show(rule)}",
            f"counted from {start.date().isoformat()}, this one never gives a date",
        )
        return None, out.items
    _check_dates_against_rule(series, doc, exceptions, moves, path, out)
    if errors_only(out.items):
        return None, out.items
    _warn_about_gaps(series, doc, path, out)
    return series, out.items


def _zone(raw: Any, default: ZoneInfo) -> ZoneInfo:
    """The zone `start` and `moves` are read in; a bad one is reported by validate."""
    if raw is None:
        return default
    try:
        return timezone(raw)
    except Invalid:
        return default


def _items(doc: yamlsafe.YamlDoc, key: str, path: str, out: Collector) -> list[Any]:
    raw = doc.data.get(key)
    if raw is None:
        return []
    if isinstance(raw, str | dict) or not isinstance(raw, list):
        out.error(path, doc.line((key,)), key, f"expected a list, got {schema.show(raw)}")
        return []
    return raw


def _dates(doc: yamlsafe.YamlDoc, key: str, path: str, out: Collector) -> list[tuple[date, int]]:
    """Each valid date with its index in the file's list (for its key and line)."""
    found: list[tuple[date, int]] = []
    seen: set[date] = set()
    for i, raw in enumerate(_items(doc, key, path, out)):
        line = doc.line((key, i))
        try:
            day = iso_date(raw)
        except Invalid as exc:
            out.error(path, line, f"{key}[{i}]", f"expected {exc.expected}, got {schema.show(raw)}")
            continue
        if day in seen:
            out.error(path, line, f"{key}[{i}]", f"{day.isoformat()} is listed twice")
            continue
        seen.add(day)
        found.append((day, i))
    return found


def _within_reach(
    start: datetime,
    exceptions: list[tuple[date, int]],
    moves: list[tuple[SeriesMove, int]],
    doc: yamlsafe.YamlDoc,
    path: str,
    out: Collector,
) -> tuple[list[tuple[date, int]], list[tuple[SeriesMove, int]]]:
    """Exceptions and moves within REACH_YEARS of the start; an error for the rest.

    Checking a date against the rule expands the rule up to it: a typo like 9026
    for 2026 would expand a daily series for seven thousand years.
    """
    first = start.date()
    last = date(min(first.year + REACH_YEARS, MAXYEAR), 12, 31)
    expected = f"a date from {first.isoformat()} (the start) to {last.isoformat()}"
    kept_dates = []
    for day, i in exceptions:
        if first <= day <= last:
            kept_dates.append((day, i))
        else:
            out.error(
                path,
                doc.line(("exceptions", i)),
                f"exceptions[{i}]",
                f"expected {expected}, got {day.isoformat()}",
            )
    kept_moves = []
    for move, i in moves:
        to = move.start.astimezone(start.tzinfo).date()
        for key, day in (("from", move.original), ("to", to)):
            if not first <= day <= last:
                out.error(
                    path,
                    doc.line(("moves", i, key)),
                    f"moves[{i}].{key}",
                    f"expected {expected}, got {day.isoformat()}",
                )
                break
        else:
            kept_moves.append((move, i))
    return kept_dates, kept_moves


def _moves(
    doc: yamlsafe.YamlDoc, tz: ZoneInfo, path: str, out: Collector
) -> list[tuple[SeriesMove, int]]:
    """Each valid move with its index in the file's list (for its key and lines)."""
    found: list[tuple[SeriesMove, int]] = []
    seen: set[date] = set()
    for i, _ in enumerate(_items(doc, "moves", path, out)):
        errors_before = len(out.items)
        values = schema.validate(doc, ("moves", i), move_fields(tz), path, out, f"moves[{i}].")
        if len(out.items) > errors_before or values["from"] is None or values["to"] is None:
            continue
        if values["from"] in seen:
            out.error(
                path,
                doc.line(("moves", i, "from")),
                f"moves[{i}].from",
                f"{values['from'].isoformat()} is already moved by an earlier entry",
            )
            continue
        seen.add(values["from"])
        found.append((SeriesMove(values["from"], values["to"]), i))
    return found


def _check_dates_against_rule(
    series: Series,
    doc: yamlsafe.YamlDoc,
    exceptions: list[tuple[date, int]],
    moves: list[tuple[SeriesMove, int]],
    path: str,
    out: Collector,
) -> None:
    """The start, every exception and every move must be a date the rule gives, and
    a move must land where nothing else is.

    RFC 5545 leaves a DTSTART the rule does not give undefined (dateutil drops it,
    some calendar apps keep it), and a cancelled date the rule never gives is a typo
    that would silently cancel nothing. A move is an EXDATE plus an RDATE: an RDATE
    on an EXDATE's time is cancelled with it (RFC 5545: EXDATE wins), and one on a
    day another occurrence keeps makes two events of one series that day.
    """
    tz = series.timezone
    first = series.start.astimezone(tz).date()
    wanted = [d for d, _ in exceptions] + [m.original for m, _ in moves]
    wanted += [m.start.astimezone(tz).date() for m, _ in moves]
    last = max([first, *wanted])
    through = localise(datetime.combine(day_after(last), _DAY_END), tz)
    given = [naive.date() for naive in rule_starts(series, through)]
    given_set = set(given)
    if first not in given_set:
        out.error(
            path,
            doc.line(("start",)),
            "start",
            f"expected the first date the rule gives; {_weekday(first)} is not one "
            f"of {series.rrule}",
            _first_hint(series),
        )
    cancelled = {d for d, _ in exceptions}
    for day, i in exceptions:
        if day not in given_set:
            out.error(
                path,
                doc.line(("exceptions", i)),
                f"exceptions[{i}]",
                f"expected a date the series meets on; {_weekday(day)} is not one",
                _nearest_hint(day, given),
            )
    moved_away = {m.original for m, _ in moves}
    landed: dict[date, int] = {}
    for move, i in moves:
        from_line = doc.line(("moves", i, "from"))
        if move.original not in given_set:
            out.error(
                path,
                from_line,
                f"moves[{i}].from",
                f"expected a date the series meets on; {_weekday(move.original)} is not one",
                _nearest_hint(move.original, given),
            )
            continue
        if move.original in cancelled:
            out.error(
                path,
                from_line,
                f"moves[{i}].from",
                f"{move.original.isoformat()} is also in exceptions; "
                "expected it cancelled or moved, not both",
            )
            continue
        problem = _landing_problem(series, move, given_set, cancelled, moved_away, landed)
        if problem is not None:
            out.error(path, doc.line(("moves", i, "to")), f"moves[{i}].to", *problem)
        landed.setdefault(move.start.astimezone(tz).date(), i)


def _landing_problem(
    series: Series,
    move: SeriesMove,
    given: set[date],
    cancelled: set[date],
    moved_away: set[date],
    landed: dict[date, int],
) -> tuple[str, str] | None:
    """Why `move.to` is no place for an occurrence (message, hint), or None."""
    tz = series.timezone
    to = move.start.astimezone(tz)
    day = to.date()
    shown = to.replace(tzinfo=None).isoformat(timespec="minutes")
    if to == _rule_time(day, series) and day == move.original:
        return (
            f"expected a new time for {move.original.isoformat()}, got {shown}, "
            "the time it is already at",
            "remove the move, or give another time",
        )
    if day in cancelled and to == _rule_time(day, series):
        return (
            f"expected a time no exception cancels; {shown} is the cancelled "
            f"occurrence of {day.isoformat()}",
            "calendar apps drop an occurrence moved onto an exception; "
            "take the date out of exceptions and leave it as it is",
        )
    if day != move.original and day in given and day not in cancelled | moved_away:
        return (
            f"expected a day the series does not already meet on; "
            f"{_weekday(day)} has its own occurrence",
            "cancel or move that one too, or pick another day",
        )
    if day in landed:
        return (
            f"expected a day no other move lands on; moves[{landed[day]}] is moved "
            f"to {day.isoformat()} too",
            "one occurrence a day: pick another day",
        )
    return None


def _rule_time(day: date, series: Series) -> datetime:
    """Where the rule puts an occurrence on `day` (after any DST gap), aware."""
    local_time = series.start.astimezone(series.timezone).time()
    return localise(datetime.combine(day, local_time), series.timezone)


def _warn_about_gaps(series: Series, doc: yamlsafe.YamlDoc, path: str, out: Collector) -> None:
    """zoneinfo accepts a wall-clock time a spring-forward change skips; calendar apps
    (RFC 5545 3.3.5) and our pages hold such an occurrence after the gap. Say so,
    naming the dates, over the series or its first ten years."""
    tz = series.timezone
    local = series.start.astimezone(tz)
    end = date(min(local.year + GAP_YEARS, MAXYEAR), 12, 31)
    through = localise(datetime.combine(end, _DAY_END), tz)
    moved = {m.original for m in series.moves}
    skipped = [
        naive
        for naive in rule_starts(series, through)
        if naive.date() not in moved
        and naive.date() not in series.exceptions
        and localise(naive, tz).replace(tzinfo=None) != naive
    ]
    if not skipped:
        return
    days = ", ".join(d.date().isoformat() for d in skipped[:3])
    more = (
        f" and {len(skipped) - 3} more up to {skipped[-1].date().isoformat()}"
        if len(skipped) > 3
        else ""
    )
    held = localise(skipped[0], tz).strftime("%H:%M")
    out.warning(
        path,
        doc.line(("start",)),
        "start",
        f"{local.strftime('%H:%M')} does not exist in {tz.key} on {days}{more} "
        f"(the clocks go forward); {'that occurrence is' if len(skipped) == 1 else 'those are'} "
        f"held at {held}, as calendar apps hold them",
        "move them, or choose a time outside the skipped hour",
    )


def _weekday(day: date) -> str:
    return f"{day.isoformat()} ({day.strftime('%A')})"


def _first_hint(series: Series) -> str | None:
    """The rule's date nearest the given start (either side), as a suggestion."""
    local = series.start.astimezone(series.timezone).replace(tzinfo=None)
    year = timedelta(days=366)
    probe = rrulestr(series.rrule, dtstart=local - year)
    return _nearest_hint(
        local.date(), [d.date() for d in probe.between(local - year, local + year)]
    )


def _nearest_hint(day: date, given: list[date]) -> str | None:
    if not given:
        return "the rule gives no dates up to then"
    nearest = min(given, key=lambda d: (abs((d - day).days), d))
    return f"did you mean {_weekday(nearest)}?"


def declared_slugs(source: Path) -> frozenset[str]:
    """Slugs of every series file, valid or not: a chat naming a series whose file
    has a mistake should hear about that mistake only, not that the series is unknown."""
    listing = files.list_series(source, Collector())  # load_series reports its problems
    return frozenset(
        files.series_slug(path)
        for path in (*listing.sources, *listing.refused)
        if PurePosixPath(path).suffix in files.SERIES_SUFFIXES
    )


def check_series_files(source: Path) -> list[Diagnostic]:
    """What can be checked of the series files without site.yaml: readable UTF-8, a
    slug for a name, and YAML that loads (rules and dates need the site's zone)."""
    out = Collector()
    for path in files.list_series(source, out).sources:
        text = files.read_text(source, path, out)
        if text is None:
            continue
        files.check_slug(files.series_slug(path), path, out, "file name")
        try:
            yamlsafe.load(text)
        except yamlsafe.YamlError as exc:
            for problem in exc.problems:
                out.error(path, problem.line, problem.key, problem.message)
    return out.items


def load_series(source: Path, config: SiteConfig) -> tuple[tuple[Series, ...], list[Diagnostic]]:
    """Every content/series/*.yaml, sorted by slug (never directory order)."""
    out = Collector()
    found: dict[str, Series] = {}
    for path in files.list_series(source, out).sources:
        text = files.read_text(source, path, out)
        if text is None:
            continue
        series, diagnostics = parse_series(path, text, config)
        out.extend(diagnostics)
        if series is None:
            continue
        if series.slug in found:
            out.error(
                path,
                None,
                None,
                f"series {series.slug!r} is also defined by {found[series.slug].source_path}",
            )
            continue
        found[series.slug] = series
    return tuple(found[slug] for slug in sorted(found)), out.items
