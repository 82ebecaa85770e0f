"""Every .ics reads the same in ical.js (Thunderbird, many web calendars) as in Python.

ical.js takes a zone's clock changes from the file's VTIMEZONE, not from its own
zone data, so a VTIMEZONE it misreads moves every summer occurrence by an hour
while Python clients (icalendar + recurring-ical-events, which use zoneinfo) stay
right. tests/js/expand_ics.mjs expands the files with the ical.js pinned in
package.json; both expansions must land each occurrence on the same UTC instant.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar
from lxml import html as lxml_html

from generator import build
from tests.calendar_fixtures import MakeSite
from tests.conftest import MINIMAL_SITE_YAML, NOW, ROOT
from tests.npm import node, node_modules

EXPAND = ROOT / "tests" / "js" / "expand_ics.mjs"
# The next 18 months of the example site: two March and two October changes.
HORIZON = datetime(2028, 5, 23, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")

Occurrence = tuple[str, datetime, str]  # uid, UTC start, summary


def ical_js(files: list[Path], start: datetime, end: datetime) -> dict[Path, list[Occurrence]]:
    """Each file's occurrences in [start, end) as ical.js expands them."""
    node_modules()
    done = subprocess.run(
        [node(), str(EXPAND), start.isoformat(), end.isoformat(), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    return {
        Path(name): [
            (o["uid"], datetime.fromisoformat(o["start"]).astimezone(UTC), o["summary"])
            for o in items
        ]
        for name, items in found.items()
    }


def python_clients(path: Path, start: datetime, end: datetime) -> list[Occurrence]:
    cal = Calendar.from_ical(path.read_bytes())
    found = [
        (str(e["UID"]), e["DTSTART"].dt.astimezone(UTC), str(e["SUMMARY"]))
        for e in recurring_ical_events.of(cal).between(start, end)
    ]
    return sorted(found, key=lambda o: (o[1], o[0]))


def assert_same(files: list[Path], start: datetime, end: datetime) -> list[Occurrence]:
    js = ical_js(files, start, end)
    everything = []
    for path in files:
        py = python_clients(path, start, end)
        wrong = [(a, b) for a, b in zip(js[path], py, strict=False) if a != b]
        assert js[path] == py, f"{path.name}: ical.js vs Python, first differences: {wrong[:3]}"
        everything += py
    return everything


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "out"
    build(ROOT, out, NOW)
    return out


def test_example_series_land_on_the_same_instants_in_ical_js(example: Path) -> None:
    files = [example / "calendar.ics", *sorted((example / "series").glob("*.ics"))]
    assert len(files) >= 3
    found = assert_same(files, NOW, HORIZON)
    # The window really crosses the changes: occurrences on both sides of both.
    offsets = {o[1].astimezone(LONDON).utcoffset() for o in found}
    assert len(offsets) == 2
    summer = [o for o in found if o[1].astimezone(LONDON).dst()]
    assert {o[1].year for o in summer} == {2027, 2028}
    assert len(summer) >= 20


def test_every_example_ics_parses_the_same_in_both(example: Path) -> None:
    files = sorted(example.rglob("*.ics"))
    assert len(files) > 3
    found = assert_same(files, datetime(2000, 1, 1, tzinfo=UTC), HORIZON)
    assert len(found) > 50


SERIES = """\
name: "{zone} chat"
timezone: {zone}
start: {start}
rrule: FREQ=WEEKLY;BYDAY={day}
until: {until}
moves:
  - {{from: {moved}, to: {to}}}
"""


@pytest.mark.parametrize(
    ("zone", "start", "day", "until", "moved", "to"),
    [
        # Southern hemisphere: summer time across the new year.
        (
            "Australia/Sydney",
            "2026-09-01T19:00",
            "TU",
            "2099-01-01",
            "2027-04-06",
            "2027-04-07T19:00",
        ),
        (
            "America/New_York",
            "2026-09-02T12:00",
            "WE",
            "2099-01-01",
            "2027-03-17",
            "2027-03-18T12:00",
        ),
        # Inside the hour skipped in March: after the gap, in both. (Not into the
        # repeated hour in October: there ical.js takes the second 01:30, RFC 5545 and
        # our pages the first, and no VTIMEZONE can change its choice.)
        ("Europe/London", "2026-09-06T01:30", "SU", "2027-10-24", "2027-01-03", "2027-01-04T01:30"),
    ],
)
def test_series_in_other_zones_agree(
    tmp_site: MakeSite, zone: str, start: str, day: str, until: str, moved: str, to: str
) -> None:
    source = tmp_site(
        {
            "site.yaml": MINIMAL_SITE_YAML,
            "content/series/s.yaml": SERIES.format(
                zone=zone, start=start, day=day, until=until, moved=moved, to=to
            ),
        }
    )
    out = source / "output"
    build(source, out, NOW)
    found = assert_same([out / "calendar.ics", out / "series/s.ics"], NOW, HORIZON)
    tz = ZoneInfo(zone)
    assert len({o[1].astimezone(tz).utcoffset() for o in found}) == 2


@pytest.mark.parametrize(
    ("page", "ics"),
    [("calendar/", "calendar.ics"), ("series/chartership/", "series/chartership.ics")],
)
def test_calendar_and_series_pages_offer_one_click_subscription_first(
    example: Path, page: str, ics: str
) -> None:
    """Before anything else on the page: webcal:// (opens the calendar app), Google
    Calendar's add-by-URL, and the address; each names the file ical.js reads."""
    doc = lxml_html.fromstring((example / page / "index.html").read_bytes())
    [main] = doc.xpath("//main")
    sections = main.xpath(".//section")
    assert sections[0].get("id") == "subscribe"
    address = f"https://chartership-chat.example.org/{ics}"
    webcal = sections[0].xpath(".//a[@data-subscribe='webcal']/@href")
    assert webcal == [f"webcal://chartership-chat.example.org/{ics}"]
    [google] = sections[0].xpath(".//a[@data-subscribe='google']/@href")
    parts = urlsplit(google)
    assert (parts.scheme, parts.hostname) == ("https", "calendar.google.com")
    assert parse_qs(parts.query)["cid"] == webcal
    assert address in sections[0].text_content()
    [download] = sections[0].xpath(".//a[@data-subscribe='ics']/@href")
    target = (example / page / download).resolve()
    assert target == (example / ics).resolve()
    # What the app then fetches over https is an .ics that ical.js expands.
    assert ical_js([target], NOW, HORIZON)[target]
