// Expand .ics files the way ical.js-based calendar apps do (Thunderbird, many web
// calendars), for tests/test_ical_clients.py.
//
//   node expand_ics.mjs START END FILE.ics...
//
// START and END are ISO instants. Prints one JSON object {file: occurrences}, each a
// list of {"uid", "start" (UTC, ISO 8601), "summary"} for every occurrence starting
// in [START, END), overrides (RECURRENCE-ID) applied. A TZID that names no VTIMEZONE
// of its file is an error: ical.js would silently read it as floating local time.
// One process reads many files, as starting Node is the slow part.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const YEAR_MS = 366 * 86400000;
const [startArg, endArg, ...files] = process.argv.slice(2);
const from = new Date(startArg).getTime();
const until = new Date(endArg).getTime();

function instant(file, time, uid) {
  if (!time.isDate && time.zone === ICAL.Timezone.localTimezone && time.timezone) {
    throw new Error(`${file}: ${uid}: TZID ${time.timezone} has no VTIMEZONE`);
  }
  return time.toJSDate().getTime();
}

function expand(file) {
  const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  const byUid = new Map();
  for (const vevent of root.getAllSubcomponents("vevent")) {
    const uid = vevent.getFirstPropertyValue("uid");
    if (!byUid.has(uid)) byUid.set(uid, { master: null, exceptions: [] });
    const group = byUid.get(uid);
    if (vevent.hasProperty("recurrence-id")) group.exceptions.push(vevent);
    else group.master = vevent;
  }
  const found = [];
  const keep = (uid, at, summary) => {
    if (at >= from && at < until) found.push({ uid, start: at, summary });
  };
  for (const [uid, group] of byUid) {
    if (group.master === null) {
      // Overrides with no master: each is an event of its own.
      for (const vevent of group.exceptions) {
        const event = new ICAL.Event(vevent);
        keep(uid, instant(file, event.startDate, uid), event.summary);
      }
      continue;
    }
    const event = new ICAL.Event(group.master);
    for (const vevent of group.exceptions) event.relateException(vevent);
    if (!event.isRecurring()) {
      keep(uid, instant(file, event.startDate, uid), event.summary);
      continue;
    }
    const iterator = event.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) {
      // An override may move an instance by a while: stop a year past the window.
      if (instant(file, next, uid) >= until + YEAR_MS) break;
      const details = event.getOccurrenceDetails(next);
      keep(uid, instant(file, details.startDate, uid), details.item.summary);
    }
  }
  found.sort((a, b) => a.start - b.start || a.uid.localeCompare(b.uid));
  return found.map((o) => ({ ...o, start: new Date(o.start).toISOString() }));
}

const out = {};
for (const file of files) out[file] = expand(file);
process.stdout.write(JSON.stringify(out) + "\n");
