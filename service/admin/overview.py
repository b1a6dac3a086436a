"""The sources page's table: every source with its health, those needing attention first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from service.admin.sources_file import SourceEntry, read_entries
from service.store import CurationStore, EventStore, HealthStore, SourceHealth
from service.text.admin import ATTENTION


@dataclass(frozen=True)
class SourceRow:
    name: str
    entry: SourceEntry | None
    """None: crawled before, no longer in the sources file."""
    health: SourceHealth | None
    """None: never crawled."""
    events: int
    held: int
    attention: tuple[str, ...]

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)


def attention(entry: SourceEntry | None, health: SourceHealth | None, held: int) -> list[str]:
    """Why a source needs the operator's eyes, worst first (empty when it does not)."""
    reasons = []
    if entry is None:
        reasons.append(ATTENTION["gone"])
    if health is None:
        if entry is not None and not entry.paused:
            reasons.append(ATTENTION["never"])
    elif health.last_run.outcome == "failed":
        reasons.append(ATTENTION["failed"])
    elif health.last_run.outcome == "partial":
        reasons.append(ATTENTION["partial"])
    elif health.events == 0 and held == 0:
        reasons.append(ATTENTION["empty"])
    if held:
        reasons.append(ATTENTION["held"].format(count=held))
    return reasons


def source_rows(sources: Path, store: EventStore) -> list[SourceRow]:
    """The file's sources and any crawled source no longer in it; attention first, then by name.

    Raises :class:`service.admin.sources_file.SourcesFileError` when the file cannot be read.
    """
    entries = {entry.name: entry for entry in read_entries(sources)}
    healths = {
        item.last_run.source: item
        for item in HealthStore(store.engine).overview(events_by_source=store.count_by_source())
    }
    held = CurationStore(store.engine).held_by_source()
    rows = []
    for name in [*entries, *(name for name in healths if name not in entries)]:
        entry, health = entries.get(name), healths.get(name)
        rows.append(
            SourceRow(
                name=name,
                entry=entry,
                health=health,
                events=health.events if health else 0,
                held=held.get(name, 0),
                attention=tuple(attention(entry, health, held.get(name, 0))),
            )
        )
    rows.sort(key=lambda row: (not row.needs_attention, row.name))
    return rows
