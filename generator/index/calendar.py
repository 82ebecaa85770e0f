"""When chats happen relative to the build's "now": the index behind every
"upcoming"/"past" list, the month pages, the .ics files and the upcoming feed.

"Now" is an input, never read from the clock here, so a build with `--now` is
reproducible and tests can stand anywhere in time.

One index feeds every output so they cannot disagree: each series is expanded
once (`series.occurrences`) up to a horizon, each chat is matched to the occurrence
on its series-local date, and what is left over is a one-off event. The HTML pages,
`ical` and `feeds` all read `CalendarIndex.events`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from generator.core import urls
from generator.core.frozenmap import FrozenMap
from generator.core.model import Chat, Series, stage
from generator.core.pickling import fast_pickle
from generator.sources.series import Occurrence, occurrences


@fast_pickle
@dataclass(frozen=True, slots=True)
class Timeline:
    """Chats by their life-cycle stage (model.stage), so no list decides it again."""

    upcoming: tuple[Chat, ...]  # soonest first
    past: tuple[Chat, ...]  # written up, newest first: the write-up lists
    on_now: tuple[Chat, ...] = ()  # started and not yet over, soonest first
    awaiting_write_up: tuple[Chat, ...] = ()  # over, only announced so far; newest first


def build_timeline(chats: Sequence[Chat], now: datetime) -> Timeline:
    """Each chat in the list of its stage."""
    ordered = sorted(chats, key=lambda c: (c.start, c.slug))

    def at(wanted: str) -> list[Chat]:
        return [c for c in ordered if stage(c, now) == wanted]

    return Timeline(
        upcoming=tuple(at("upcoming")),
        past=tuple(reversed(at("written_up"))),
        on_now=tuple(at("on_now")),
        awaiting_write_up=tuple(reversed(at("awaiting_write_up"))),
    )


@fast_pickle
@dataclass(frozen=True, slots=True)
class Event:
    """Something on the calendar: a series occurrence (with or without its chat's
    write-up yet) or a chat outside any series' rule (a one-off)."""

    key: str  # stable: "<series>/<original date>" or "chat/<slug>"
    title: str
    start: datetime  # aware, in the chat's or the series' own zone
    end: datetime
    url: str  # the event's page: the chat's page, or a calendar page for an occurrence
    chat: Chat | None
    series: Series | None
    occurrence: Occurrence | None  # None for a one-off

    @property
    def ics_url(self) -> str:
        return urls.event_ics(self.url)

    @property
    def summary(self) -> str | None:
        if self.chat is not None:
            return self.chat.summary
        return self.series.description or None if self.series else None

    @property
    def hosts(self) -> tuple[str, ...]:
        if self.chat is not None and self.chat.hosts:
            return self.chat.hosts
        return self.series.hosts if self.series else ()

    @property
    def hashtag(self) -> str | None:
        if self.chat is not None and self.chat.hashtag:
            return self.chat.hashtag
        return self.series.hashtag if self.series else None


@fast_pickle
@dataclass(frozen=True, slots=True)
class SeriesSchedule:
    """One series: its occurrences within the horizon and every chat that belongs to it."""

    series: Series
    occurrences: tuple[Event, ...]  # by start
    one_offs: tuple[Event, ...]  # member chats on no occurrence's date, by start

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(sorted(self.occurrences + self.one_offs, key=_event_order))

    @property
    def chats(self) -> tuple[Chat, ...]:
        """Every chat of the series, newest first."""
        found = [e.chat for e in self.events if e.chat is not None]
        return tuple(reversed(found))


@fast_pickle
@dataclass(frozen=True, slots=True)
class Day:
    day: date
    in_month: bool  # False for the days of the neighbouring months that fill a week
    events: tuple[Event, ...]


@fast_pickle
@dataclass(frozen=True, slots=True)
class Month:
    year: int
    month: int
    weeks: tuple[tuple[Day, ...], ...]  # Monday first, seven days each
    previous: tuple[int, int] | None  # the nearest earlier month that has events
    next: tuple[int, int] | None

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def url(self) -> str:
        return urls.calendar_month(self.year, self.month)

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(e for week in self.weeks for d in week if d.in_month for e in d.events)


@fast_pickle
@dataclass(frozen=True, slots=True)
class CalendarIndex:
    now: datetime
    horizon: datetime  # series are expanded up to here
    timezone: ZoneInfo  # the site's: which day an event falls on in the month grid
    events: tuple[Event, ...]  # everything, by start
    schedules: tuple[SeriesSchedule, ...]  # by series slug
    months: tuple[Month, ...]  # only months that have events, oldest first
    by_chat: FrozenMap[str, Event]  # chat slug -> its event

    @property
    def upcoming(self) -> tuple[Event, ...]:
        """Events that have not started, soonest first."""
        return tuple(e for e in self.events if e.start > self.now)

    @property
    def on_now(self) -> tuple[Event, ...]:
        """Events that have started and not ended: the home page says so rather than
        jumping to the next one while a chat runs."""
        return tuple(e for e in self.events if e.start <= self.now < e.end)

    @property
    def next_event(self) -> Event | None:
        return next((e for e in self.events if e.start > self.now), None)

    def has_page(self, event: Event) -> bool:
        """A chat is its own page; an occurrence with no chat has one only until it
        is over (it says "on now" while it runs): a past one with no write-up has
        nothing to show."""
        return event.chat is not None or event.end > self.now

    def for_month(self, month: Month) -> MonthCalendar:
        """What one month's page needs of the calendar, and nothing else."""
        shown = [e for week in month.weeks for day in week for e in day.events]
        shown += month.events
        return MonthCalendar(
            self.timezone, tuple(sorted({e.key for e in shown if self.has_page(e)}))
        )


@fast_pickle
@dataclass(frozen=True, slots=True)
class MonthCalendar:
    """The calendar as a month page sees it: the site's zone and which of the
    month's events have a page. Not the whole CalendarIndex, whose clock and every
    event would otherwise be part of each month page's cache key, so that a new
    build time or any edit re-rendered all of them; this changes only when what
    the month shows does."""

    timezone: ZoneInfo
    # Keys of the events shown that have a page: sorted, not a set, whose order (so
    # its pickle, so the page's cache key) would change from one process to the next.
    with_pages: tuple[str, ...]

    def has_page(self, event: Event) -> bool:
        return event.key in self.with_pages


def _event_order(event: Event) -> tuple[datetime, str]:
    return (event.start, event.key)


def horizon(now: datetime, months_ahead: int) -> datetime:
    try:
        return now + relativedelta(months=months_ahead)
    except (OverflowError, ValueError):  # past the year 9999
        return datetime.max.replace(tzinfo=now.tzinfo)


def _day_later(moment: datetime) -> datetime:
    try:
        return moment + timedelta(days=1)
    except OverflowError:
        return moment


def _folded(tag: str | None) -> str:
    return (tag or "").lstrip("#").casefold()


def series_membership(
    chats: Sequence[Chat], series: Sequence[Series], through: datetime
) -> dict[str, str]:
    """chat slug -> series slug: by `series:` in front matter, else by hashtag.

    When two series share a hashtag, a chat joins the one that meets on its date;
    if neither does, it joins none (it stays a one-off outside every series).
    """
    by_tag: dict[str, list[Series]] = {}
    for s in series:
        if s.hashtag:
            by_tag.setdefault(_folded(s.hashtag), []).append(s)
    dates: dict[str, set[date]] = {}
    membership: dict[str, str] = {}
    for chat in chats:
        if chat.series is not None:
            membership[chat.slug] = chat.series
            continue
        candidates = by_tag.get(_folded(chat.hashtag), []) if chat.hashtag else []
        if len(candidates) == 1:
            membership[chat.slug] = candidates[0].slug
            continue
        for s in candidates:
            if s.slug not in dates:
                last = max([through, *(c.start for c in chats)])
                dates[s.slug] = {o.start.date() for o in occurrences(s, last)}
            if chat.start.astimezone(s.timezone).date() in dates[s.slug]:
                membership[chat.slug] = s.slug
                break
    return membership


def build_calendar(
    chats: Sequence[Chat],
    series: Sequence[Series],
    now: datetime,
    timezone: ZoneInfo,
    months_ahead: int = 12,
) -> CalendarIndex:
    """Expand every series up to `months_ahead` after `now`, match chats to occurrences.

    A series is expanded further when one of its chats is announced beyond the
    horizon, so that chat is still *its* occurrence (and not a duplicate of it in a
    calendar app that expands the RRULE itself).
    """
    until = horizon(now, months_ahead)
    membership = series_membership(chats, series, until)
    members: dict[str, list[Chat]] = {}
    for chat in sorted(chats, key=lambda c: (c.start, c.slug)):
        if chat.slug in membership:
            members.setdefault(membership[chat.slug], []).append(chat)
    events: list[Event] = []
    schedules: list[SeriesSchedule] = []
    matched: set[str] = set()
    for s in sorted(series, key=lambda s: s.slug):
        own = members.get(s.slug, [])
        through = max([until, *(_day_later(c.start) for c in own)])
        on_date: dict[date, Chat] = {}
        for chat in own:
            on_date.setdefault(chat.start.astimezone(s.timezone).date(), chat)
        occurring: list[Event] = []
        for occ in occurrences(s, through):
            held = on_date.pop(occ.start.date(), None)
            if held is None and occ.start > until:
                continue  # expanded only to find a far-off chat its occurrence
            if held is not None:
                matched.add(held.slug)
            occurring.append(
                Event(
                    key=f"{s.slug}/{occ.original.isoformat()}",
                    title=held.title if held else s.name,
                    start=held.start if held else occ.start,
                    end=held.end if held else occ.end,
                    url=urls.chat(held.slug)
                    if held
                    else urls.calendar_occurrence(occ.start.date(), s.slug),
                    chat=held,
                    series=s,
                    occurrence=occ,
                )
            )
        one_offs = tuple(_one_off(chat, s) for chat in own if chat.slug not in matched)
        matched.update(chat.slug for chat in own)
        schedules.append(SeriesSchedule(s, tuple(occurring), one_offs))
        events += occurring
        events += one_offs
    events += [_one_off(chat, None) for chat in chats if chat.slug not in matched]
    ordered = tuple(sorted(events, key=_event_order))
    return CalendarIndex(
        now=now,
        horizon=until,
        timezone=timezone,
        events=ordered,
        schedules=tuple(schedules),
        months=build_months(ordered, timezone),
        by_chat=FrozenMap({e.chat.slug: e for e in ordered if e.chat is not None}),
    )


def _one_off(chat: Chat, series: Series | None) -> Event:
    return Event(
        key=f"chat/{chat.slug}",
        title=chat.title,
        start=chat.start,
        end=chat.end,
        url=urls.chat(chat.slug),
        chat=chat,
        series=series,
        occurrence=None,
    )


def build_months(events: Sequence[Event], timezone: ZoneInfo) -> tuple[Month, ...]:
    """A month grid for every month with an event, linked to its neighbours that have one.

    Weeks start on Monday (ISO 8601, and the UK's habit); an event sits on the day it
    starts in the site's time zone.
    """
    by_day: dict[date, list[Event]] = {}
    for event in events:
        by_day.setdefault(event.start.astimezone(timezone).date(), []).append(event)
    keys = sorted({(d.year, d.month) for d in by_day})
    months = []
    for i, (year, month) in enumerate(keys):
        first = date(year, month, 1)
        cursor = first - timedelta(days=first.weekday())
        weeks = []
        ended = False  # past the last day a date can have (9999-12-31, a Friday)
        while not ended and (cursor <= first or (cursor.year, cursor.month) == (year, month)):
            week = []
            for _ in range(7):
                in_month = not ended and (cursor.year, cursor.month) == (year, month)
                events_on = by_day.get(cursor, ()) if in_month else ()
                week.append(Day(cursor, in_month, tuple(sorted(events_on, key=_event_order))))
                ended = ended or cursor == date.max
                cursor = cursor if ended else cursor + timedelta(days=1)
            weeks.append(tuple(week))
        months.append(
            Month(
                year,
                month,
                tuple(weeks),
                keys[i - 1] if i > 0 else None,
                keys[i + 1] if i + 1 < len(keys) else None,
            )
        )
    return tuple(months)


_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
_DAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}


def describe_rule(rule: str) -> str | None:
    """Plain English for the rules organisers write ("on the second Thursday of every
    month"); None for anything fancier, which pages then show as the rule itself."""
    parts = dict(p.split("=", 1) for p in rule.split(";"))
    freq = parts.pop("FREQ")
    interval = int(parts.pop("INTERVAL", "1"))
    parts.pop("WKST", None)
    byday = parts.pop("BYDAY", None)
    if parts or interval < 1:
        return None
    unit = _UNITS[freq]
    if interval == 1:
        every = f"every {unit}"
    elif interval == 2:
        every = f"every other {unit}"
    else:
        every = f"every {interval} {unit}s"
    if byday is None:
        return every
    items = byday.split(",")
    if any(item[-2:] not in _DAYS for item in items):
        return None
    numbered = [item[:-2] for item in items]
    if freq == "WEEKLY" and not any(numbered):
        days = " and ".join(_DAYS[item] for item in items)
        return f"every {days}" if interval == 1 else f"{every}, on {days}"
    if freq == "MONTHLY" and all(n and int(n) in _ORDINALS for n in numbered):
        days = " and ".join(f"the {_ORDINALS[int(item[:-2])]} {_DAYS[item[-2:]]}" for item in items)
        return f"on {days} of every month" if interval == 1 else f"{every}, on {days}"
    return None


def describe_period(period: timedelta) -> str:
    """ "1 hour", "1 hour 30 minutes", "2 days": for durations and reminder notice."""
    minutes = int(period.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(parts) or "0 minutes"


def month_name(year: int, month: int) -> str:
    return f"{date(year, month, 1).strftime('%B')} {year}"
