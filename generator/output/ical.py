"""iCalendar (RFC 5545) files: calendar.ics, one per series, one per event.

Built with the `icalendar` library from the same `CalendarIndex` the HTML pages
read, so a calendar app shows exactly the dates the site lists.

- A series is one VEVENT with the rule (RRULE, with UNTIL in UTC as RFC 5545 requires
  when DTSTART has a TZID), EXDATE for cancelled dates and EXDATE + RDATE for moved
  ones. Each occurrence that has a chat gets an override VEVENT (same UID,
  RECURRENCE-ID) carrying the chat's title, times and page.
- A chat outside its series' rule, or in no series, is a single VEVENT.
- UIDs are derived from slugs and the site's host, never random; DTSTAMP is the
  build's "now"; VTIMEZONE components come from `add_missing_timezones()`. Two builds
  with the same --now are byte-identical.
- The build's own files are made "unstamped" (`*_unstamped`): every DTSTAMP holds a
  placeholder that `restamp` replaces with the build's time. Serialising thousands of
  events is most of a rebuild's calendar time, and the build's time is the only part
  of them a new clock changes, so the build cache keeps the unstamped bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, vDuration, vRecur, vText
from icalendar import Event as VEvent

from generator.core import urls
from generator.core.model import Series, SiteConfig
from generator.core.pickling import fast_pickle
from generator.index.calendar import CalendarIndex, Event, SeriesSchedule

PRODID = "-//chatwiki//chatwiki static site//EN"
# Subscribed calendars: ask apps to look again daily (the site rebuilds daily).
REFRESH = timedelta(days=1)
# VTIMEZONE transitions are written out to at least here, so an open-ended RRULE
# reads correctly in apps that trust our VTIMEZONE rather than their own tz data.
_TZ_UNTIL = date(2038, 1, 1)
# icalendar computes transitions from the first day to the day after the last.
_TZ_FIRST_YEAR, _TZ_LAST_YEAR = 1, 9998


def uid(config: SiteConfig, name: str) -> str:
    """A stable, globally unique id: `name@host` (plus the base path, if any).

    `name` always starts with its kind (`series-`, `chat-`, `occurrence-`), so a
    series and a chat with one slug, or a chat slugged like an occurrence's date,
    can never share a UID (a calendar app would keep only one of them).
    """
    return _uid(config.base_url, name)


def _uid(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    path = parts.path.strip("/").replace("/", ".")
    return f"{name}@{parts.hostname}{'.' + path if path else ''}"


def _zoned(moment: datetime) -> datetime:
    """A TZID needs an IANA zone; a fixed offset from `date: ...+01:00` goes as UTC."""
    return moment if isinstance(moment.tzinfo, ZoneInfo) else moment.astimezone(UTC)


def _description(summary: str | None, hosts: Sequence[str], link: str) -> str:
    lines = [summary] if summary else []
    if hosts:
        lines.append("Hosted by " + ", ".join(hosts))
    lines.append(link)
    return "\n\n".join(lines)


# What every DTSTAMP says until `restamp` gives it the build's time: a moment no
# build runs at. A DTSTAMP line is never folded (26 octets), and no other line can
# start with it: text values escape their line breaks.
STAMP_PLACEHOLDER = datetime(1900, 1, 1, tzinfo=UTC)
_PLACEHOLDER_LINE = b"\r\nDTSTAMP:19000101T000000Z\r\n"


def restamp(data: bytes, now: datetime) -> bytes:
    """An unstamped file's bytes with the build's time in every DTSTAMP: the bytes
    the stamped producer makes (icalendar writes a UTC DATE-TIME to the second)."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode()
    return data.replace(_PLACEHOLDER_LINE, b"\r\nDTSTAMP:" + stamp + b"\r\n")


def _common(vevent: VEvent, base_url: str, now: datetime, name: str, title: str, link: str) -> None:
    vevent.add("uid", _uid(base_url, name))
    vevent.add("dtstamp", now.astimezone(UTC))
    vevent.add("summary", title)
    vevent.add("url", link)


@fast_pickle
@dataclass(frozen=True, slots=True)
class IcsEvent:
    """What a VEVENT shows of an Event, and nothing else: the calendars' cache keys
    are made of these, so editing a write-up's text (which no calendar shows) does
    not make calendar.ics again."""

    name: str  # the UID's name
    title: str
    start: datetime
    end: datetime
    url: str
    summary: str | None
    hosts: tuple[str, ...]
    hashtag: str | None
    recurrence_id: datetime | None = None  # an override of a series' occurrence

    @classmethod
    def of(cls, event: Event, name: str, recurrence_id: datetime | None = None) -> IcsEvent:
        return cls(
            name,
            event.title,
            event.start,
            event.end,
            event.url,
            event.summary,
            event.hosts,
            event.hashtag,
            recurrence_id,
        )


@fast_pickle
@dataclass(frozen=True, slots=True)
class IcsSeries:
    """A series' rule and the overrides of its occurrences that have chats."""

    series: Series
    overrides: tuple[IcsEvent, ...]

    @classmethod
    def of(cls, schedule: SeriesSchedule) -> IcsSeries:
        name = series_name(schedule.series)
        overrides = tuple(
            IcsEvent.of(event, name, event.occurrence.nominal)
            for event in schedule.occurrences
            if event.chat is not None and event.occurrence is not None
        )
        return cls(schedule.series, overrides)


def _event_component(base_url: str, now: datetime, event: IcsEvent) -> VEvent:
    link = urls.absolute(base_url, event.url)
    vevent = VEvent()
    _common(vevent, base_url, now, event.name, event.title, link)
    vevent.add("dtstart", _zoned(event.start))
    vevent.add("dtend", _zoned(event.end))
    vevent.add("description", _description(event.summary, event.hosts, link))
    if event.hashtag:
        vevent.add("categories", [event.hashtag])
    if event.recurrence_id is not None:
        vevent.add("recurrence-id", event.recurrence_id)
    return vevent


def _at(day: date, series: Series) -> datetime:
    """The rule's start time on `day`, as the EXDATE names it.

    That is the rule's own wall-clock value with the TZID, even on a spring-forward
    day when it does not exist (01:30 on the day 01:00-02:00 is skipped): it is the
    value a calendar app's RRULE expansion gives that instance, so apps that compare
    EXDATE and RECURRENCE-ID values literally match it, and apps that compare
    instants read it as RFC 5545 (3.3.5) says, after the gap, where our pages put
    the occurrence. RECURRENCE-ID of an override is written the same way.
    """
    local_time: time = series.start.astimezone(series.timezone).time()
    return datetime.combine(day, local_time, tzinfo=series.timezone)


def _series_master(config: SiteConfig, now: datetime, part: IcsSeries) -> VEvent:
    series = part.series
    tz = series.timezone
    link = urls.absolute(config.base_url, urls.series(series.slug))
    master = VEvent()
    _common(master, config.base_url, now, series_name(series), series.name, link)
    start = series.start.astimezone(tz)
    master.add("dtstart", start)
    master.add("dtend", start + series.duration)
    rule = vRecur.from_ical(series.rrule)
    if series.until is not None:
        # RFC 5545: with a TZID'd DTSTART, UNTIL is UTC. The end of the series-local
        # day keeps an occurrence on `until` itself, as our own expansion does.
        last = datetime.combine(series.until, time(23, 59, 59), tz)
        try:
            rule["UNTIL"] = last.astimezone(UTC)
        except OverflowError:  # the end of 9999 in a zone west of UTC
            rule["UNTIL"] = datetime.max.replace(tzinfo=UTC)
    elif series.count is not None:
        rule["COUNT"] = series.count
    master.add("rrule", rule)
    cancelled = [*series.exceptions, *(m.original for m in series.moves)]
    for day in sorted(cancelled):
        master.add("exdate", [_at(day, series)])
    for move in series.moves:
        master.add("rdate", [move.start.astimezone(tz)])
    master.add("description", _description(series.description or None, series.hosts, link))
    if series.hashtag:
        master.add("categories", [series.hashtag])
    return master


def _series_parts(config: SiteConfig, part: IcsSeries) -> list[_Part]:
    master = _series_master(config, STAMP_PLACEHOLDER, part)
    parts = [(bytes(master.to_ical()), _tzids_of(master))]
    return parts + [_vevent(config.base_url, override) for override in part.overrides]


# One component's serialised lines and the time zones (TZIDs) they name.
_Part = tuple[bytes, frozenset[str]]


def _tzids_of(component: VEvent) -> frozenset[str]:
    alone = Calendar()
    alone.add_component(component)
    return frozenset(alone.get_missing_tzids())


def _vevent(base_url: str, event: IcsEvent) -> _Part:
    """One event's VEVENT, serialised once per process: a preview rebuilding after
    one chat's title changed serialises that chat's event, not all 4,000 again.

    Keyed by the times' zones too: two datetimes naming one instant are equal (and
    hash alike) whatever their zones, so an event moved from Europe/Berlin to
    Europe/Paris at the same instant would otherwise get Berlin's TZID back."""
    times = (event.start, event.end, event.recurrence_id)
    return _vevent_in(base_url, event, tuple(t.tzinfo if t else None for t in times))


@functools.lru_cache(maxsize=1 << 14)
def _vevent_in(base_url: str, event: IcsEvent, zones: tuple[object, ...]) -> _Part:
    del zones  # only the cache's key
    component = _event_component(base_url, STAMP_PLACEHOLDER, event)
    return bytes(component.to_ical()), _tzids_of(component)


def _calendar(config: SiteConfig, name: str, description: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # TEXT values (RFC 5545 3.3.11, RFC 7986 5.1): backslash, comma, semicolon and
    # line breaks escaped. icalendar types NAME and the X-WR- properties as unknown
    # and would copy them raw, so a line break could start a property of its own.
    cal.add("name", vText(name))
    cal.add("x-wr-calname", vText(name))
    if description:
        cal.add("x-wr-caldesc", vText(description))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    return cal


def span(starts: Iterable[datetime]) -> tuple[date, date]:
    """The days a calendar's VTIMEZONEs cover, for events starting at `starts`.

    Whole years, so the many small calendars of one build share one VTIMEZONE each:
    the year before the first event to the year after the last, within the years a
    date can have (a chat dated 9999-12-31 must not overflow)."""
    moments = list(starts)
    first = min((m.date() for m in moments), default=_TZ_UNTIL)
    last = max([_TZ_UNTIL, *(m.date() for m in moments)])
    return (
        date(max(first.year - 1, _TZ_FIRST_YEAR), 1, 1),
        date(min(last.year + 1, _TZ_LAST_YEAR), 12, 31),
    )


_END = b"END:VCALENDAR\r\n"


def _assemble(cal: Calendar, parts: Iterable[_Part], days: tuple[date, date]) -> bytes:
    """`cal` (its own properties only) with the VTIMEZONEs the parts name, then the
    parts: the bytes icalendar writes for the calendar holding them all, each
    component being serialised on its own (RFC 5545 lines do not span components)."""
    pieces: list[bytes] = []
    tzids: set[str] = set()
    for data, named in parts:
        pieces.append(data)
        tzids |= named
    zones = [_vtimezone_lines(tzid, *days) for tzid in sorted(tzids)]
    head = bytes(cal.to_ical())
    assert head.endswith(_END)
    return head[: -len(_END)] + b"".join(z for z in zones if z) + b"".join(pieces) + _END


@functools.lru_cache(maxsize=64)
def _vtimezone_lines(tzid: str, first: date, last: date) -> bytes:
    """A VTIMEZONE serialised once per process (a century of transitions: each
    event's own .ics carries one), or b"" for a zone icalendar does not know."""
    timezone = _vtimezone(tzid, first, last)
    return b"" if timezone is None else bytes(timezone.to_ical())


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str, first: date, last: date) -> Timezone | None:
    """The VTIMEZONE for `tzid` over whole years, shared by every calendar of a build.

    Building it from the zone database is the costliest step of a small .ics; the
    component is only ever serialised, never changed, so one instance can be shared.
    """
    try:
        timezone = Timezone.from_tzid(tzid, first_date=first, last_date=last)
    except ValueError:  # a zone icalendar does not know: leave it out, as it would
        return None
    return _one_rdate_per_line(timezone)


def _one_rdate_per_line(timezone: Timezone) -> Timezone:
    """Each transition on an RDATE of its own, as ical.js needs.

    icalendar lists every clock change of a STANDARD or DAYLIGHT on one
    comma-separated RDATE. RFC 5545 allows that, but ical.js (Thunderbird, many web
    calendars) reads only the first value of each RDATE, so it saw one change a
    year and put every summer occurrence an hour out. One value per RDATE reads the
    same in every client; Python clients take the offsets from the TZID anyway.
    """
    for observance in timezone.subcomponents:
        rdates = observance.pop("RDATE", None)
        if rdates is None:
            continue
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            for value in rdate.dts:
                observance.add("rdate", value.dt)
    return timezone


def _starts(schedule: SeriesSchedule) -> list[datetime]:
    return [schedule.series.start, *(e.start for e in schedule.events)]


def calendar_parts(
    events: Sequence[Event], schedules: Sequence[SeriesSchedule]
) -> tuple[tuple[IcsSeries, ...], tuple[IcsEvent, ...], tuple[date, date]]:
    """calendar.ics's arguments after the config: each series, the single events and
    the days its time zones cover."""
    starts: list[datetime] = []
    for schedule in schedules:
        starts += _starts(schedule)
    one_offs = tuple(
        IcsEvent.of(event, _one_off_name(event)) for event in events if event.occurrence is None
    )
    starts += [event.start for event in one_offs]
    return tuple(map(IcsSeries.of, schedules)), one_offs, span(starts)


def calendar_ics(config: SiteConfig, now: datetime, index: CalendarIndex) -> bytes:
    """Every chat: each series as one recurring event, everything else as single events."""
    parts = calendar_parts(index.events, index.schedules)
    return restamp(calendar_ics_unstamped(config, *parts), now)


def calendar_ics_unstamped(
    config: SiteConfig,
    series: Sequence[IcsSeries],
    one_offs: Sequence[IcsEvent],
    days: tuple[date, date],
) -> bytes:
    """calendar.ics with the placeholder stamp, from `calendar_parts`."""
    parts = [part for one in series for part in _series_parts(config, one)]
    parts += [_vevent(config.base_url, event) for event in one_offs]
    return _assemble(_calendar(config, config.title, config.description), parts, days)


def series_parts(
    schedule: SeriesSchedule,
) -> tuple[IcsSeries, tuple[IcsEvent, ...], tuple[date, date]]:
    """A series' .ics arguments after the config."""
    one_offs = tuple(IcsEvent.of(event, _one_off_name(event)) for event in schedule.one_offs)
    return IcsSeries.of(schedule), one_offs, span(_starts(schedule))


def series_ics(config: SiteConfig, now: datetime, schedule: SeriesSchedule) -> bytes:
    """One series: its rule, its chats' overrides and its one-off chats."""
    return restamp(series_ics_unstamped(config, *series_parts(schedule)), now)


def series_ics_unstamped(
    config: SiteConfig, part: IcsSeries, one_offs: Sequence[IcsEvent], days: tuple[date, date]
) -> bytes:
    series = part.series
    parts = _series_parts(config, part)
    parts += [_vevent(config.base_url, event) for event in one_offs]
    cal = _calendar(config, f"{series.name} · {config.title}", series.description)
    return _assemble(cal, parts, days)


def event_ics(config: SiteConfig, now: datetime, event: Event) -> bytes:
    """ "Add to calendar" for one event: a single VEVENT, no rule.

    An occurrence gets its own UID (`occurrence-<series>-YYYYMMDD@host`): a lone
    instance with the series' UID and a RECURRENCE-ID but no master confuses several
    calendar apps.
    """
    return restamp(event_ics_unstamped(config, IcsEvent.of(event, event_name(event))), now)


def event_ics_unstamped(config: SiteConfig, event: IcsEvent) -> bytes:
    cal = _calendar(config, event.title, "")
    return _assemble(cal, [_vevent(config.base_url, event)], span([event.start]))


def series_name(series: Series) -> str:
    return f"series-{series.slug}"


def _one_off_name(event: Event) -> str:
    # Every event not on a series' date has a chat; the key is a fallback for types.
    return f"chat-{event.chat.slug}" if event.chat else event.key.replace("/", "-")


def event_name(event: Event) -> str:
    """The UID name of an event on its own: the chat's, or the occurrence's (series
    and original date)."""
    if event.occurrence is not None and event.series is not None:
        day = event.occurrence.original.strftime("%Y%m%d")
        return f"occurrence-{event.series.slug}-{day}"
    return _one_off_name(event)
