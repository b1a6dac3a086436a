"""Discovery measured on saved real events pages: does it find the source each page offers?

``python -m benchmarks.discovery`` reads ``tests/fixtures/discovery/cases.toml``
(one organisation's page each, with what the page offers a crawl, read by
hand), runs discovery on every page as ``meetscout sources add`` would (the
page, then the saved event pages it links to when the page holds nothing),
crawls every proposal whose pages are saved from a local server on
127.0.0.1, and writes the "Discovery" section of ``RESULTS.md``.

Goal: a source found for at least :data:`GOAL` of the pages that offer one,
a reason for every page where none is found, and every proposal that can be
crawled offline crawling cleanly (no error, events stored).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawlers.discover import Proposal, propose
from crawlers.discover.page import linked_event_pages

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests/fixtures/discovery/cases.toml"
GOAL = 0.9
WIDE_WINDOW_DAYS = 3650
"""The saved pages are years old: the crawl check reads ten years ahead of its clock."""
CHECK_NOW = "2016-01-01T00:00:00+00:00"
"""The crawl check's clock, with ten years each way: every saved page's events fall inside."""


@dataclass(frozen=True)
class Case:
    slug: str
    organisation: str
    url: str
    file: Path
    has: str
    why: str
    linked: Mapping[str, Path] = field(default_factory=dict)
    pages: Mapping[str, Path] = field(default_factory=dict)
    """Other saved pages of the organisation's sites (the crawl check serves them too)."""

    @property
    def offers(self) -> bool:
        return self.has != "none"


@dataclass
class Outcome:
    case: Case
    proposal: Proposal
    crawl: dict[str, Any] | None = None
    """The crawl check's report, or None when what it would fetch is not saved."""

    @property
    def found(self) -> bool:
        return self.proposal.crawlable

    @property
    def verdict(self) -> str:
        if self.case.offers:
            return "found" if self.found else "missed"
        return "found (none expected)" if self.found else "none, said why"


def load_cases(path: Path = CASES) -> list[Case]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Case(
            slug=entry["slug"],
            organisation=entry["organisation"],
            url=entry["url"],
            file=(path.parent / entry["file"]).resolve(),
            has=entry["has"],
            why=entry["why"],
            linked=_paths(path, entry.get("linked", {})),
            pages=_paths(path, entry.get("pages", {})),
        )
        for entry in data["case"]
    ]


def _paths(path: Path, names: Mapping[str, str]) -> dict[str, Path]:
    return {url: (path.parent / name).resolve() for url, name in names.items()}


def discover(case: Case) -> Proposal:
    """What ``sources add`` proposes for the case: a linked page is had only if it was saved."""
    body = case.file.read_bytes()
    proposal = propose(case.url, body)
    if proposal.crawlable:
        return proposal
    linked = {
        url: case.linked[url].read_bytes()
        for url in linked_event_pages(case.url, body)
        if url in case.linked
    }
    return propose(case.url, body, linked=linked) if linked else proposal


# --- the crawl check: the organisations' hosts stood in for by one local server -------------


def _key(url: str) -> str:
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.hostname}{parts.path or '/'}{query}"


def routes(cases: list[Case]) -> dict[str, Path]:
    """Each saved page at its original host and path."""
    table: dict[str, Path] = {}
    for case in cases:
        table[_key(case.url)] = case.file
        for url, path in {**case.linked, **case.pages}.items():
            table[_key(url)] = path
    return table


def local(url: str, base: str) -> str:
    """An organisation's address as the local server serves it: ``BASE/host/path?query``."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{base}/{parts.hostname}{parts.path or '/'}{query}"


@contextmanager
def stand_in(table: Mapping[str, Path], missing: list[tuple[str, str]]) -> Iterator[str]:
    """A server on 127.0.0.1 serving each saved page at ``/host/path``; links to the saved hosts
    in the pages it serves point at itself, so a crawl that follows them stays here (a link
    from the site's root, ``/x``, is read on the host of the page it came from). Each address
    asked for that was not saved is added to ``missing``, with the host that linked to it."""
    hosts = sorted({key.split("/", 1)[0] for key in table}, key=len, reverse=True)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.lstrip("/")
            referer = urlsplit(self.headers.get("Referer") or "").path.lstrip("/")
            from_host = referer.split("/", 1)[0]
            if path.split("/", 1)[0] not in hosts and from_host in hosts:
                path = f"{from_host}/{path}"
            found = table.get(path) or table.get(path.rstrip("/") + "/")
            if path == "robots.txt" or path.endswith("/robots.txt"):
                self.send_error(404)
                return
            if found is None:
                missing.append((from_host or path.split("/", 1)[0], path))
                self.send_error(404)
                return
            body = found.read_bytes()
            for host in hosts:
                for scheme in (b"https://", b"http://"):
                    body = body.replace(scheme + host.encode(), f"{base}/{host}".encode())
            self.send_response(200)
            kind = "text/calendar" if found.suffix == ".ics" else "text/html; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


CRAWL = """
import json, sys
from datetime import UTC, datetime
from pathlib import Path
from crawlers.runner import run_crawl
from crawlers.sources import load_sources
from service.settings import Settings
from service.store import make_engine, migrate
settings = Settings(database_url=sys.argv[1], sources=Path(sys.argv[2]), log_level="ERROR")
engine = make_engine(settings.database_url); migrate(engine); engine.dispose()
now = datetime.fromisoformat(sys.argv[3])
reports = run_crawl(settings, load_sources(settings.sources), now=now)
print(json.dumps([{"source": r.source, "outcome": r.outcome.value, "found": r.found,
                   "stored": r.stored, "errors": dict(r.errors), "error": r.last_error,
                   "dropped": dict(r.dropped)} for r in reports]))
"""


def crawl_check(outcomes: list[Outcome], cases: list[Case]) -> None:
    """Crawl, in one process, every proposal whose address is saved; its report on the outcome."""
    table = routes(cases)
    checkable = [o for o in outcomes if o.found and _key(o.proposal.url or "") in table]
    if not checkable:
        return
    missing: list[tuple[str, str]] = []
    with stand_in(table, missing) as base, tempfile.TemporaryDirectory() as folder:
        lines = []
        for outcome in checkable:
            proposal = outcome.proposal
            lines += [
                "[[source]]",
                f'name = "{outcome.case.slug}"',
                f'type = "{proposal.type}"',
                f"url = {json.dumps(local(proposal.url or '', base))}",
                f"days_back = {WIDE_WINDOW_DAYS}",
                f"days_ahead = {WIDE_WINDOW_DAYS}",
            ]
            if proposal.follow:
                lines.append(f"follow = {json.dumps(proposal.follow)}")
            if proposal.timezone:
                lines.append(f'timezone = "{proposal.timezone}"')
            lines.append("")
        sources = Path(folder) / "sources.toml"
        sources.write_text("\n".join(lines), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", CRAWL, f"sqlite:///{folder}/check.db", str(sources), CHECK_NOW],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
            cwd=ROOT,
            env={**os.environ, "MEETSCOUT_FETCH_ALLOW": "127.0.0.1"},
        )
    reports = {r["source"]: r for r in json.loads(done.stdout.strip().splitlines()[-1])}
    for outcome in checkable:
        outcome.crawl = reports.get(outcome.case.slug)
        if outcome.crawl is not None:
            host = urlsplit(outcome.proposal.url or "").hostname or ""
            outcome.crawl["not_saved"] = [
                path for linked_from, path in missing if linked_from == host
            ]


def clean(report: Mapping[str, Any]) -> bool:
    return report["outcome"] == "ok" and not report["errors"] and report["stored"] > 0


def only_unsaved(report: Mapping[str, Any]) -> bool:
    """Every error of the crawl is a page it asked for that was not saved."""
    errors = report["errors"]
    return set(errors) <= {"fetch_failed"} and sum(errors.values()) <= len(report["not_saved"])


def measure(cases: list[Case] | None = None, *, crawl: bool = True) -> list[Outcome]:
    cases = cases if cases is not None else load_cases()
    outcomes = [Outcome(case=case, proposal=discover(case)) for case in cases]
    if crawl:
        crawl_check(outcomes, cases)
    return outcomes


@dataclass(frozen=True)
class Summary:
    pages: int
    offering: int
    found: int
    none_expected: int
    none_said_why: int
    crawled: int
    crawled_clean: int
    crawled_short_of_pages: int
    """Crawls whose only errors are pages that were not saved."""

    @property
    def rate(self) -> float:
        return self.found / self.offering if self.offering else 1.0

    @property
    def met(self) -> bool:
        """The goal: the rate, a reason for every page without a source, no crawl error
        other than a page that was not saved."""
        return (
            self.rate >= GOAL
            and self.none_said_why == self.none_expected
            and self.crawled_clean + self.crawled_short_of_pages == self.crawled
        )


def summarise(outcomes: list[Outcome]) -> Summary:
    offering = [o for o in outcomes if o.case.offers]
    none = [o for o in outcomes if not o.case.offers]
    crawled = [o for o in outcomes if o.crawl is not None]
    return Summary(
        pages=len(outcomes),
        offering=len(offering),
        found=sum(o.found for o in offering),
        none_expected=len(none),
        none_said_why=sum(bool(not o.found and o.proposal.why_not) for o in none),
        crawled=len(crawled),
        crawled_clean=sum(clean(o.crawl) for o in crawled if o.crawl is not None),
        crawled_short_of_pages=sum(
            not clean(o.crawl) and only_unsaved(o.crawl) for o in crawled if o.crawl is not None
        ),
    )


def _crawl_cell(outcome: Outcome) -> str:
    report = outcome.crawl
    if not outcome.found:
        return ""
    if report is None:
        return "not saved"
    if clean(report):
        return f"ok, {report['stored']} stored"
    if report.get("not_saved"):
        return (
            f"{report['outcome']}: asked for {len(report['not_saved'])} page(s) not saved "
            f"({report['not_saved'][0]}); {report['stored']} stored"
        )
    return f"{report['outcome']}: {report['error'] or report['dropped']}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_markdown(outcomes: list[Outcome]) -> str:
    summary = summarise(outcomes)
    lines = [
        f"{summary.pages} saved events pages of {summary.pages} organisations "
        "(`tests/fixtures/discovery/cases.toml`; files, sources and licences in its "
        "`MANIFEST.md`), each read as `meetscout sources add` reads it: the page, then the "
        "event pages it links to (one hop, same site, at most 3) when the page holds nothing. "
        "What each page offers was read by hand before measuring.",
        "",
        f"- **Found a crawlable source for {summary.found} of the {summary.offering} pages that "
        f"offer one ({summary.rate:.0%}; goal {GOAL:.0%}).**",
        f"- Said why for {summary.none_said_why} of the {summary.none_expected} pages that offer "
        "none.",
        f"- Crawled cleanly (no error, events stored) {summary.crawled_clean} of the "
        f"{summary.crawled} proposals whose pages are saved, served by a local server on "
        "127.0.0.1 standing in for the organisations' hosts (clock 2016-01-01, ten years each "
        f"way); the other {summary.crawled_short_of_pages} erred only on pages they link to "
        "that were not saved (a listing's next page, an event page). The remaining proposals "
        "name feeds on the organisations' hosts whose bytes were not saved: their address is "
        "checked against the form the platform publishes (tests), not crawled.",
        "",
        "Pages of the platforms discovery knows: The Events Calendar, schema.org Event data "
        "on the page, Eventbrite, GrowthZone, ChamberMaster, Squarespace, a Google calendar's "
        "export, DICE, OutSavvy, Songkick, and plain sites with nothing to crawl. No saved page of "
        "LibCal, "
        "Localist, LiveWhale, CivicPlus, Luma, Meetup or Outlook was found in the public "
        "repositories searched: those recognisers are tested on markup written for their tests "
        "(`tests/crawlers/discover/test_platforms.py`), not measured here. Nothing here is timed.",
        "",
        "| organisation | offers | discovery proposes | crawl | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for outcome in outcomes:
        proposal = outcome.proposal
        if proposal.crawlable:
            via = f" ({proposal.platform})" if proposal.platform else ""
            proposed = f"`{proposal.type}`{via}: {proposal.guesses['type'].evidence}"
        else:
            proposed = "nothing: " + "; ".join(proposal.why_not)
        lines.append(
            f"| {_cell(outcome.case.organisation)} | {outcome.case.has}: "
            f"{_cell(outcome.case.why)} | {_cell(proposed)} | {_cell(_crawl_cell(outcome))} | "
            f"{outcome.verdict} |"
        )
    return "\n".join(lines)


def main() -> int:
    from benchmarks.results import write_section

    outcomes = measure()
    body = report_markdown(outcomes)
    write_section("Discovery", body)
    print(body)
    return 0 if summarise(outcomes).met else 1


if __name__ == "__main__":
    sys.exit(main())
