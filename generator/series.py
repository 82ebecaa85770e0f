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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from generator import config as config_stage
from generator import content, schema, yamlsafe
from generator.errors import Collector, Diagnostic
from generator.model import Series, SeriesMove, SiteConfig
from generator.schema import Field, Invalid

SERIES_DIR = "content/series"
SERIES_SUFFIXES = (".yaml", ".yml")

_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_RULE_EXAMPLE = "an RFC 5545 recurrence rule like FREQ=WEEKLY;BYDAY=TH or FREQ=MONTHLY;BYDAY=3TH"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_END = time(23, 59, 59)


# --- converters -----------------------------------------------------------------------


def recurrence_rule(value: Any) -> str:
    """RRULE text, normalised to upper case, without the "RRULE:" prefix.

    The time of day comes from `start` and the end from `until`/`count`, so the rule
    may not carry its own (one place for each fact, and UNTIL must be written in UTC
    in an .ics, which is ours to get right, not the organiser's).
    """
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_RULE_EXAMPLE)
    text = value.strip().upper().removeprefix("RRULE:").strip().rstrip(";")
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
    normalised = ";".join(f"{k}={v}" for k, v in parts.items())
    probe_start = datetime(2000, 1, 1)  # noqa: DTZ001 - rules are expanded on naive local times
    try:
        probe = rrulestr(normalised, dtstart=probe_start)
    except (ValueError, TypeError) as exc:
        raise Invalid(_RULE_EXAMPLE, hint=str(exc) or None) from None
    # A rule that never matches ("February 30th") would have dateutil search to the
    # year 9999 on every expansion: refuse it while the search is ten years long.
    assert isinstance(probe, rrule)
    if next(iter(probe.replace(until=probe_start.replace(year=2010))), None) is None:
        raise Invalid("a rule that gives dates", hint="this one gives none in ten years")
    return normalised


def iso_date(value: Any) -> date:
    expected = "an ISO date like 2026-12-10"
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise Invalid(expected)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(expected) from None


def series_fields(tz: ZoneInfo) -> dict[str, Field]:
    return {
        "name": Field(schema.text, required=True),
        "hashtag": Field(content.hashtag),
        "description": Field(schema.text, default=""),
        "timezone": Field(config_stage.timezone),
        "start": Field(content.local_datetime(tz), required=True),
        "duration": Field(content.duration, default=content.DEFAULT_DURATION),
        "rrule": Field(recurrence_rule, required=True),
        "until": Field(iso_date),
        "count": Field(config_stage.positive_int),
        "exceptions": Field(lambda v: v, default=()),  # validated item by item below
        "moves": Field(lambda v: v, default=()),  # validated item by item below
        "hosts": Field(schema.text_list, default=()),
        "announced": Field(content.local_date_or_datetime(tz)),
    }


def move_fields(tz: ZoneInfo) -> dict[str, Field]:
    return {
        "from": Field(iso_date, required=True),
        "to": Field(content.local_datetime(tz), required=True),
    }


# --- expansion (pure) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One dated instance of a series."""

    original: date  # the series-local date the rule gives (before any move)
    scheduled: datetime  # what the rule gives, aware: the EXDATE when moved
    start: datetime  # aware, in the series' zone: where it really is (after a move)
    end: datetime
    moved: bool


def _naive(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def localise(naive: datetime, tz: ZoneInfo) -> datetime:
    """Wall-clock time in `tz`. A time skipped by a DST change moves forward by the
    gap, as RFC 5545 (3.3.5) says and as calendar apps do."""
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz)


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
        # Elapsed time, as for chats: a chat across a clock change lasts its duration.
        end = (start.astimezone(UTC) + series.duration).astimezone(tz)
        found.append(Occurrence(day, scheduled, start, end, move is not None))
    return tuple(sorted(found, key=lambda o: o.start))


# --- loading --------------------------------------------------------------------------


def series_slug(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    for suffix in SERIES_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def parse_series(
    path: str, text: str, config: SiteConfig
) -> tuple[Series | None, list[Diagnostic]]:
    """Validate one series file; pure, like `content.parse_chat`."""
    out = Collector()
    slug = series_slug(path)
    schema.check_slug(slug, path, out, "file name")
    try:
        doc = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        out.error(path, exc.line, None, str(exc))
        return None, out.items
    if not isinstance(doc.data, dict):
        out.error(path, 1, None, f"expected a mapping of keys, got {schema.show(doc.data)}")
        return None, out.items
    tz = _zone(doc.data.get("timezone"), config.timezone)
    values = schema.validate(doc, (), series_fields(tz), path, out)
    if values["until"] is not None and values["count"] is not None:
        out.error(path, doc.line(("count",)), "count", "give either until or count, not both")
    start: datetime | None = values["start"]
    rule: str | None = values["rrule"]
    if values["until"] is not None and start is not None and values["until"] < start.date():
        out.error(
            path,
            doc.line(("until",)),
            "until",
            f"expected a date on or after the start ({start.date().isoformat()}), "
            f"got {schema.show(doc.data['until'])}",
        )
    exceptions = _dates(doc, "exceptions", path, out)
    moves = _moves(doc, tz, path, out)
    if out.items or start is None or rule is None:
        return None, out.items
    series = Series(
        slug=slug,
        source_path=path,
        name=values["name"],
        hashtag=values["hashtag"],
        description=values["description"],
        timezone=tz,
        start=start,
        duration=values["duration"],
        rrule=rule,
        until=values["until"],
        count=values["count"],
        exceptions=tuple(sorted(d for d, _ in exceptions)),
        moves=tuple(sorted((m for m, _ in moves), key=lambda m: m.original)),
        hosts=values["hosts"],
        announced=values["announced"],
    )
    _check_dates_against_rule(series, doc, exceptions, moves, path, out)
    return (None if out.items else series), out.items


def _zone(raw: Any, default: ZoneInfo) -> ZoneInfo:
    """The zone `start` and `moves` are read in; a bad one is reported by validate."""
    if raw is None:
        return default
    try:
        return config_stage.timezone(raw)
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


def _dates(
    doc: yamlsafe.YamlDoc, key: str, path: str, out: Collector
) -> list[tuple[date, int | None]]:
    found: list[tuple[date, int | None]] = []
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
        found.append((day, line))
    return found


def _moves(
    doc: yamlsafe.YamlDoc, tz: ZoneInfo, path: str, out: Collector
) -> list[tuple[SeriesMove, int | None]]:
    found: list[tuple[SeriesMove, int | None]] = []
    seen: set[date] = set()
    for i, _ in enumerate(_items(doc, "moves", path, out)):
        errors_before = len(out.items)
        values = schema.validate(doc, ("moves", i), move_fields(tz), path, out, f"moves[{i}].")
        if len(out.items) > errors_before or values["from"] is None or values["to"] is None:
            continue
        line = doc.line(("moves", i, "from"))
        if values["from"] in seen:
            out.error(
                path,
                line,
                f"moves[{i}].from",
                f"{values['from'].isoformat()} is already moved by an earlier entry",
            )
            continue
        seen.add(values["from"])
        found.append((SeriesMove(values["from"], values["to"]), line))
    return found


def _check_dates_against_rule(
    series: Series,
    doc: yamlsafe.YamlDoc,
    exceptions: list[tuple[date, int | None]],
    moves: list[tuple[SeriesMove, int | None]],
    path: str,
    out: Collector,
) -> None:
    """The start, every exception and every move must be a date the rule gives.

    RFC 5545 leaves a DTSTART the rule does not give undefined (dateutil drops it,
    some calendar apps keep it), and a cancelled date the rule never gives is a typo
    that would silently cancel nothing.
    """
    tz = series.timezone
    wanted = [d for d, _ in exceptions] + [m.original for m, _ in moves]
    last = max([series.start.astimezone(tz).date(), *wanted])
    through = localise(datetime.combine(last + timedelta(days=1), _DAY_END), tz)
    given = [naive.date() for naive in rule_starts(series, through)]
    given_set = set(given)
    first = series.start.astimezone(tz).date()
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
    for i, (day, line) in enumerate(exceptions):
        if day not in given_set:
            out.error(
                path,
                line,
                f"exceptions[{i}]",
                f"expected a date the series meets on; {_weekday(day)} is not one",
                _nearest_hint(day, given),
            )
    for i, (move, line) in enumerate(moves):
        if move.original not in given_set:
            out.error(
                path,
                line,
                f"moves[{i}].from",
                f"expected a date the series meets on; {_weekday(move.original)} is not one",
                _nearest_hint(move.original, given),
            )
        elif move.original in cancelled:
            out.error(
                path,
                line,
                f"moves[{i}].from",
                f"{move.original.isoformat()} is also in exceptions; "
                "expected it cancelled or moved, not both",
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
    root = source / SERIES_DIR
    if not root.is_dir():
        return frozenset()
    return frozenset(
        series_slug(f.name) for f in root.iterdir() if f.is_file() and f.suffix in SERIES_SUFFIXES
    )


def load_series(source: Path, config: SiteConfig) -> tuple[tuple[Series, ...], list[Diagnostic]]:
    """Every content/series/*.yaml, sorted by slug (never directory order)."""
    out = Collector()
    root = source / SERIES_DIR
    found: dict[str, Series] = {}
    if not root.is_dir():
        return (), out.items
    for file in sorted(root.iterdir()):
        if file.name.startswith(".") or not file.is_file():
            continue
        path = file.relative_to(source).as_posix()
        if file.suffix not in SERIES_SUFFIXES:
            out.warning(path, None, None, "ignored: expected series files to end in .yaml or .yml")
            continue
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            out.error(path, None, None, f"expected UTF-8 text ({exc.reason})")
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
