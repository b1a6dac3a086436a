"""Reading iCalendar feeds: three independent parsers (icalendar, vobject, Mozilla's ical.js).

icalendar and vobject always run. ical.js (the parser inside Thunderbird)
runs under node when node and ``tests/feeds/js/node_modules`` are there;
``test_icaljs_is_installed`` reports a skip when they are not, so a missing
parser is visible rather than silently passing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import vobject
from icalendar import Calendar

JS_DIR = Path(__file__).resolve().parent.parent / "feeds" / "js"


def icaljs_missing() -> str | None:
    """Why ical.js cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not on PATH: the ical.js checks need Node.js"
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        return "ical.js is not installed: run `npm ci --prefix tests/feeds/js`"
    return None


def parse_with_icalendar(data: bytes) -> Calendar:
    calendar = Calendar.from_ical(data)
    for component in calendar.walk():
        assert component.errors == [], f"{component.name}: {component.errors}"
    return calendar


def parse_with_vobject(data: bytes) -> Any:
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.validate(raiseException=True)
    for vevent in getattr(parsed, "vevent_list", []):
        assert vevent.dtstart.value is not None
        assert vevent.dtend.value is not None
    return parsed


def parse_with_icaljs(data: bytes) -> list[dict[str, Any]] | None:
    """One row per VEVENT as ical.js reads it (times through the feed's VTIMEZONEs)."""
    if icaljs_missing():
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.ics"
        path.write_bytes(data)
        done = subprocess.run(
            [shutil.which("node") or "node", str(JS_DIR / "parse_ics.mjs"), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def check_feed(data: bytes) -> Calendar:
    """Parse ``data`` with all three parsers; they must agree on UIDs and times."""
    calendar = parse_with_icalendar(data)
    parsed = parse_with_vobject(data)
    uids = [str(vevent["UID"]) for vevent in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids)), "a UID appears twice"
    assert sorted(uids) == sorted(v.uid.value for v in getattr(parsed, "vevent_list", []))
    rows = parse_with_icaljs(data)
    if rows is not None:
        expected = {}
        for vevent in calendar.walk("VEVENT"):
            start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
            timed = isinstance(start, datetime)
            expected[str(vevent["UID"])] = (
                (int(start.timestamp()), int(end.timestamp())) if timed else None
            )
        seen = {row["uid"]: None if row["allDay"] else (row["start"], row["end"]) for row in rows}
        assert seen == expected
    return calendar


def fetch_feed(client: Any, url: str, **kwargs: Any) -> tuple[Any, Calendar]:
    """GET a feed over HTTP (identity encoding unless asked) and check it with every parser."""
    headers = {"Accept-Encoding": "identity", **kwargs.pop("headers", {})}
    response = client.get(url, headers=headers, **kwargs)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    return response, check_feed(response.content)


# Content lines as a parser sees them


def unfolded_lines(data: bytes) -> list[str]:
    text = re.sub(r"\r\n[ \t]", "", data.decode("utf-8"))
    return [line for line in text.split("\r\n") if line]


def property_names(data: bytes) -> list[str]:
    """The name of every content line, in order: what a parser sees."""
    return [re.split(r"[;:]", line, maxsplit=1)[0] for line in unfolded_lines(data)]


def begin_lines(data: bytes) -> list[str]:
    """The BEGIN: and END: lines, in order: the components a parser sees."""
    return [line for line in unfolded_lines(data) if line.startswith(("BEGIN:", "END:"))]
