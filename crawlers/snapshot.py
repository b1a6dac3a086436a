"""After a source's crawl: decide whether it is a clean snapshot, apply it, record it.

A clean crawl is the source's complete list, so an upcoming event missing
from two consecutive clean crawls has been taken down. A crawl that failed,
found nothing, or found under half of the last clean crawl (a feed cut
down to a tenth by a broken export, a listing that lost its pages) is not
trusted: what it found is stored, but no event it left out counts as
missing, and the source is marked partial with the reason in its health.
"""

from __future__ import annotations

from datetime import datetime

from crawlers.report import Outcome, SourceReport
from service.store import CrawlRun, EventStore, HealthStore, ScheduleStore
from service.text.health import UNTRUSTED

SHRINK_LIMIT = 0.5


def untrusted_reason(report: SourceReport, previous: CrawlRun | None) -> str | None:
    """Why this crawl must not count as a snapshot, or None when it may."""
    if report.outcome is not Outcome.OK:
        return None  # failed or partial already; not a snapshot either way
    if report.stored == 0:
        return UNTRUSTED["empty"]
    if previous is not None and report.stored < previous.stored * SHRINK_LIMIT:
        return UNTRUSTED["shrunk"].format(stored=report.stored, previous=previous.stored)
    return None


def conclude(
    report: SourceReport,
    *,
    events: EventStore,
    health: HealthStore,
    now: datetime,
    schedule: ScheduleStore | None = None,
) -> CrawlRun:
    """Apply the snapshot rules for one source and record the run (and, with ``schedule``,
    how often its feed asks to be polled, when it could be read)."""
    previous = health.last_clean(source=report.source)
    reason = untrusted_reason(report, previous)
    if reason is not None:
        report.partial_reason = reason
    clean = report.outcome is Outcome.OK
    if clean and report.window_start is not None and report.window_end is not None:
        report.vanished, report.cancelled = events.mark_missing(
            source=report.source,
            seen_ids=report.seen_ids,
            start=max(now, report.window_start),
            end=report.window_end,
            now=now,
        )
    run = CrawlRun(
        source=report.source,
        type=report.type,
        started=report.started or now,
        finished=report.finished or now,
        outcome=report.outcome.value,
        clean=clean,
        found=report.found,
        stored=report.stored,
        inserted=report.inserted,
        changed=report.changed,
        vanished=report.vanished,
        cancelled=report.cancelled,
        http_status=report.http_status,
        dropped=dict(report.dropped),
        errors=dict(report.errors),
        last_error=report.last_error,
        note=report.partial_reason,
    )
    health.record(run=run)
    if schedule is not None and report.fetched:
        advice = report.advised_refresh
        schedule.advise(
            source=report.source, seconds=int(advice.total_seconds()) if advice else None
        )
    return run
