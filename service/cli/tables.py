"""The crawl's summary and the sources' health as tables that read in an 80-column terminal.

Names and counts never wrap; what varies in length (errors, drops) goes in
one last column that takes the room left and folds. Sources that need the
operator come first: failed, then partial, then stale, then healthy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from rich import box
from rich.markup import escape
from rich.table import Table

from service.model import Event
from service.text.labels import KIND_LABELS
from service.text.phrases import where_short_text

if TYPE_CHECKING:
    from service.store.health import SourceHealth


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def cell(text: str) -> str:
    """Text from a source as a table shows it: its markup and terminal controls are not run.

    A title may hold rich markup (``[link=...]``) or escape sequences that
    would clear the screen or hide a link; both are shown as the text they are.
    """
    return escape(" ".join(CONTROL_CHARACTERS.sub(" ", text).split()))


class SourceReport(Protocol):
    """What the summary reads of a crawl's report (the crawlers' ``SourceReport``)."""

    @property
    def source(self) -> str: ...

    @property
    def found(self) -> int: ...

    @property
    def stored(self) -> int: ...

    @property
    def inserted(self) -> int: ...

    @property
    def changed(self) -> int: ...

    @property
    def vanished(self) -> int: ...

    @property
    def cancelled(self) -> int: ...

    @property
    def unlocated(self) -> int: ...

    @property
    def last_error(self) -> str | None: ...

    @property
    def partial_reason(self) -> str | None: ...

    @property
    def dropped(self) -> Mapping[str, int]: ...
    @property
    def outcome(self) -> Enum: ...


class CheckedReport(Protocol):
    """What the dry crawl's account of skips reads of a crawl's report."""

    @property
    def dropped(self) -> Mapping[str, int]: ...
    @property
    def errors(self) -> Mapping[str, int]: ...
    @property
    def pages_without_events(self) -> int: ...
    @property
    def unlocated(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...


STALE_AFTER = timedelta(days=7)
"""A source whose last clean crawl is this much older than its last crawl is stale."""
ATTENTION = {"failed": 0, "partial": 1, "stale": 2, "ok": 3}
NAME_WIDTH = 24
COLOURS = {"ok": "green", "partial": "yellow", "failed": "red", "stale": "yellow"}


def outcome_text(outcome: str) -> str:
    return f"[{COLOURS.get(outcome, 'white')}]{outcome}[/]"


def _table(title: str) -> Table:
    return Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, expand=False)


def _name_column(table: Table) -> None:
    table.add_column("source", no_wrap=True, overflow="ellipsis", max_width=NAME_WIDTH)


def _count(table: Table, header: str) -> None:
    table.add_column(header, justify="right", no_wrap=True)


def _dropped(dropped: Mapping[str, int]) -> str:
    parts = sorted(dropped.items(), key=lambda item: (-item[1], item[0]))
    return "dropped " + ", ".join(f"{reason} {count}" for reason, count in parts) if parts else ""


def _dropped_total(dropped: Mapping[str, int]) -> str:
    total = sum(dropped.values())
    return f"{total} dropped" if total else ""


def _note(*parts: str | None) -> str:
    return "; ".join(part for part in parts if part) or "-"


def summary_table(reports: Iterable[SourceReport]) -> Table:
    """One row per source crawled, those that failed first."""
    table = _table("Crawl summary")
    _name_column(table)
    table.add_column("outcome", no_wrap=True)
    _count(table, "found")
    _count(table, "stored")
    _count(table, "new")
    table.add_column("note", overflow="fold", ratio=1, min_width=16)
    ordered = sorted(reports, key=lambda r: (ATTENTION.get(r.outcome.value, 9), r.source))
    for report in ordered:
        table.add_row(
            report.source,
            outcome_text(report.outcome.value),
            str(report.found),
            str(report.stored),
            str(report.inserted),
            _note(
                report.last_error,
                report.partial_reason,
                f"changed {report.changed}" if report.changed else None,
                f"vanished {report.vanished} ({report.cancelled} cancelled)"
                if report.vanished
                else None,
                f"unlocated {report.unlocated}" if report.unlocated else None,
                _dropped(report.dropped),
            ),
        )
    return table


def health_of(item: SourceHealth) -> str:
    """failed, partial, stale (no clean crawl for a week before its last), or ok."""
    run = item.last_run
    if run.outcome in ("failed", "partial"):
        return run.outcome
    if item.last_clean is None or run.finished - item.last_clean > STALE_AFTER:
        return "stale"
    return "ok"


def _when(moment: datetime | None) -> str:
    return f"{moment:%m-%d %H:%M}" if moment is not None else "never"


def health_table(overview: Iterable[SourceHealth]) -> Table:
    """Each source's last crawl, those that need attention first; times in UTC."""
    table = _table("Sources (times: month-day UTC)")
    _name_column(table)
    table.add_column("health", no_wrap=True)
    table.add_column("last crawl", no_wrap=True)
    _count(table, "events")
    table.add_column("note", overflow="fold", ratio=1, min_width=16)
    rows = sorted(overview, key=lambda item: (ATTENTION[health_of(item)], item.last_run.source))
    for item in rows:
        run = item.last_run
        health = health_of(item)
        table.add_row(
            run.source,
            outcome_text(health),
            _when(run.finished),
            str(item.events),
            _note(
                run.last_error,
                run.note,
                f"last clean {_when(item.last_clean)}" if health != "ok" else None,
                _dropped(run.dropped) if health != "ok" else _dropped_total(run.dropped),
            ),
        )
    return table


def _event_when(event: Event) -> str:
    """The start in the event's own zone: the day only when it lasts all day."""
    local = event.local_start()
    return f"{local:%Y-%m-%d}" if event.all_day else f"{local:%Y-%m-%d %H:%M}"


def check_table(events: Sequence[Event], *, title: str) -> Table:
    """What a dry crawl would store, one row an event: when, what, where, kind, sectors."""
    table = _table(title)
    table.add_column("date", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=3, min_width=16)
    table.add_column("venue / online", overflow="fold", ratio=2, min_width=12)
    table.add_column("kind", overflow="fold", max_width=9)
    table.add_column("sectors", overflow="fold", ratio=1, min_width=11)
    for event in events:
        table.add_row(
            _event_when(event),
            cell(event.title),
            cell(where_short_text(event)),
            KIND_LABELS[event.kind],
            escape("\n".join(sector.replace("-", " ") for sector in event.sectors) or "-"),
        )
    return table


def skipped_lines(report: CheckedReport) -> list[str]:
    """Every count of what a crawl would not store, and why, one line each; most first."""
    counts: Counter[str] = Counter()
    for reason, count in report.dropped.items():
        counts[f"dropped: {reason.replace('_', ' ')}"] += count
    for reason, count in report.errors.items():
        counts[f"error: {reason.replace('_', ' ')}"] += count
    if report.pages_without_events:
        counts["pages without events"] += report.pages_without_events
    if report.unlocated:
        counts["kept, but not located (no coordinates)"] += report.unlocated
    lines = [f"{count:>5}  {what}" for what, count in counts.most_common()]
    if report.last_error:
        lines.append(f"last error: {report.last_error}")
    return lines
