// Parse meetscout .ics files with Mozilla's ical.js, the parser Thunderbird uses.
// Usage: node parse_ics.mjs FILE.ics [FILE.ics ...]
// Prints one JSON line per VEVENT (file, uid, summary, start and end as Unix
// seconds computed through the feed's own VTIMEZONEs, allDay) so the tests can
// compare them with what was rendered.
// Exits 1 with a message naming the file on the first error, 2 on bad usage.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function fail(file, message) {
  console.error(`${file}: ${message}`);
  process.exit(1);
}

function registerTimezones(calendar) {
  const tzids = new Set();
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    const timezone = new ICAL.Timezone(vtimezone);
    ICAL.TimezoneService.register(timezone, timezone.tzid);
    tzids.add(timezone.tzid);
  }
  return tzids;
}

function checkTime(file, uid, label, time, tzids) {
  if (!time) {
    fail(file, `${uid}: no ${label}`);
  }
  const tzid = time.timezone;
  if (!time.isDate && tzid && tzid !== "Z" && tzid !== "UTC" && !tzids.has(tzid)) {
    fail(file, `${uid}: ${label} uses TZID ${tzid} without a VTIMEZONE`);
  }
  const epoch = time.toUnixTime();
  if (!Number.isFinite(epoch)) {
    fail(file, `${uid}: ${label} is not a valid time`);
  }
  return epoch;
}

function checkEvent(file, vevent, tzids) {
  const event = new ICAL.Event(vevent);
  const uid = event.uid;
  if (!uid) {
    fail(file, "a VEVENT has no UID");
  }
  if (typeof event.summary !== "string" || event.summary.length === 0) {
    fail(file, `${uid}: no SUMMARY`);
  }
  const start = checkTime(file, uid, "DTSTART", event.startDate, tzids);
  const end = checkTime(file, uid, "DTEND", event.endDate, tzids);
  if (end <= start) {
    fail(file, `${uid}: DTEND is not after DTSTART`);
  }
  return { file, uid, summary: event.summary, start, end, allDay: event.startDate.isDate };
}

function checkFile(file) {
  let calendar;
  try {
    calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  } catch (error) {
    fail(file, `does not parse: ${error.message}`);
  }
  if (calendar.name !== "vcalendar") {
    fail(file, `top component is ${calendar.name}, not vcalendar`);
  }
  const tzids = registerTimezones(calendar);
  const uids = new Set();
  for (const vevent of calendar.getAllSubcomponents("vevent")) {
    let found;
    try {
      found = checkEvent(file, vevent, tzids);
    } catch (error) {
      fail(file, `a VEVENT fails: ${error.message}`);
    }
    if (uids.has(found.uid)) {
      fail(file, `UID ${found.uid} appears twice`);
    }
    uids.add(found.uid);
    console.log(JSON.stringify(found));
  }
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node parse_ics.mjs FILE.ics [FILE.ics ...]");
  process.exit(2);
}
for (const file of files) {
  checkFile(file);
}
