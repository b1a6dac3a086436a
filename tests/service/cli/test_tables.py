"""The crawl summary and the sources' health read in an 80-column terminal, worst first."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.table import Table

from crawlers.report import SourceReport
from service.cli.tables import health_table, summary_table
from service.store.health import CrawlRun, SourceHealth

WHEN = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
ERROR = (
    "refused 10.0.0.7: a private address, not on the public internet "
    "(MEETSCOUT_FETCH_ALLOW can allow it)"
)


def render(table: Table) -> list[str]:
    console = Console(width=80, record=True, color_system=None, force_terminal=False)
    console.print(table)
    return console.export_text().splitlines()


def report(name: str, *, error: str | None = None, stored: int = 12) -> SourceReport:
    result = SourceReport(source=name, type="ics", found=stored + 2, stored=stored, inserted=3)
    result.dropped = Counter({"missing_start": 2})
    if error:
        result.fail("refused", error)
    else:
        result.fetched = 1
    return result


def health(name: str, outcome: str, clean_days_ago: int | None, error: str | None = None):
    run = CrawlRun(
        source=name,
        type="jsonld",
        started=WHEN,
        finished=WHEN,
        outcome=outcome,
        clean=outcome == "ok",
        found=40,
        stored=38,
        dropped={"missing_start": 2},
        last_error=error,
    )
    clean = None if clean_days_ago is None else WHEN - timedelta(days=clean_days_ago)
    return SourceHealth(last_run=run, last_clean=clean, events=38)


def rows_of(lines: list[str], names: list[str]) -> list[str]:
    """The names in the order their rows come, each found whole at the start of a line."""
    return [line.split()[0] for line in lines if line.split() and line.split()[0] in names]


def test_the_crawl_summary_fits_80_columns_and_puts_failures_first() -> None:
    names = [f"bloomington-public-library-{n}" for n in range(3)] + ["asheville-chamber"]
    reports = [report(name) for name in names[:3]] + [report(names[3], error=ERROR)]
    lines = render(summary_table(reports))
    assert max(len(line) for line in lines) <= 80
    # A name of up to 24 letters is never cut into pieces; longer ones end in an ellipsis.
    assert rows_of(lines, ["asheville-chamber"]) == ["asheville-chamber"]
    assert sum("bloomington-public-libr…" in line for line in lines) == 3
    first = next(i for i, line in enumerate(lines) if "asheville-chamber" in line)
    assert all(first < i for i, line in enumerate(lines) if "bloomington" in line)
    text = " ".join(" ".join(lines).split())
    assert "refused 10.0.0.7: a private address" in text
    assert "dropped missing_start 2" in text


def test_sources_health_fits_80_columns_and_needs_attention_first() -> None:
    overview = [
        health("toronto-library", "ok", 0),
        health("raleigh-meetup", "ok", 30),
        health("montclair-books", "failed", 3, error=ERROR),
        health("durham-chamber", "partial", 1, error="feed shrunk to a tenth"),
        health("asheville-art", "ok", None),
    ]
    overview += [health(f"source-{n:02}", "ok", 0) for n in range(30)]
    lines = render(health_table(overview))
    assert max(len(line) for line in lines) <= 80
    names = [item.last_run.source for item in overview]
    order = rows_of(lines, names)
    assert order[:4] == ["montclair-books", "durham-chamber", "asheville-art", "raleigh-meetup"]
    assert len(order) == len(names)
    stale = next(line for line in lines if line.strip().startswith("raleigh-meetup"))
    assert "stale" in stale
    never = next(line for line in lines if line.strip().startswith("asheville-art"))
    assert "stale" in never
    text = " ".join(" ".join(lines).split())
    assert "last clean never" in text
    assert "feed shrunk to a tenth" in text
