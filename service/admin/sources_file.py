"""The sources file as the operator edits it: pause, hold, remove, keeping every comment.

Edits change only the lines of the entry they touch (a switch on its own
line after the entry's fields; a removed entry with the comment block just
above it), so the file keeps its comments and layout; tomlkit reads the
entries and checks the edited file before it replaces the old one, which
is written whole to a temporary file then renamed over the old one: a
crawl reading it at that moment sees the old file or the new, never half.
Validation stays with the crawl's own reader (``crawlers/sources.py``);
here an entry is read only for what the operator's page shows.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

FLAGS = ("paused", "hold")
"""The fields the operator's page switches."""

_lock = threading.Lock()


class SourcesFileError(ValueError):
    """The sources file cannot be read or has no such source."""


@dataclass(frozen=True)
class SourceEntry:
    name: str
    type: str
    url: str
    paused: bool = False
    hold: bool = False


def read_entries(path: Path) -> list[SourceEntry]:
    """Every ``[[source]]`` of ``path`` with a name, in file order."""
    document = _load(path)
    return [
        SourceEntry(
            name=str(table["name"]),
            type=str(table.get("type", "")),
            url=str(table.get("url", "")),
            paused=bool(table.get("paused", False)),
            hold=bool(table.get("hold", False)),
        )
        for table in _sources(document)
        if isinstance(table.get("name"), str)
    ]


def set_flag(path: Path, *, name: str, flag: str, value: bool) -> None:
    """Switch ``paused`` or ``hold`` of source ``name``; off removes the field.

    The field goes on its own line after the entry's last field, before any
    comment that introduces the next entry.
    """
    if flag not in FLAGS:
        raise SourcesFileError(f"{flag!r} is not a switch of a source")
    with _lock:
        lines = _lines(path)
        entry = _entry(lines, name, path)
        body_end = entry.body_end(lines)
        field = re.compile(rf"^\s*{flag}\s*=")
        existing = [i for i in range(entry.header + 1, body_end) if field.match(lines[i])]
        for index in reversed(existing):
            del lines[index]
        if value:
            last = max(
                (i for i in range(entry.header, body_end - len(existing)) if _is_content(lines[i])),
                default=entry.header,
            )
            if not lines[last].endswith("\n"):
                lines[last] += "\n"
            lines.insert(last + 1, f"{flag} = true\n")
        _write(path, lines)


def remove(path: Path, *, name: str) -> None:
    """Take source ``name`` out of the file, with the comment lines just above it (its stored
    events stay until they pass)."""
    with _lock:
        lines = _lines(path)
        entry = _entry(lines, name, path)
        del lines[entry.start : entry.end]
        _write(path, lines)


HEADER = re.compile(r"^\s*\[\[\s*source\s*\]\]\s*(#.*)?$")
TABLE = re.compile(r"^\s*\[")


@dataclass(frozen=True)
class _Span:
    """Where one ``[[source]]`` is in the file's lines: its comments, header and fields."""

    start: int
    header: int
    end: int

    def body_end(self, lines: list[str]) -> int:
        """The line after the entry's own fields (before a subtable or the end)."""
        for index in range(self.header + 1, self.end):
            if TABLE.match(lines[index]):
                return index
        return self.end


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _leading_comments(lines: list[str], header: int) -> int:
    """The first line of the comment block directly above ``header``."""
    start = header
    while start > 0 and lines[start - 1].strip().startswith("#"):
        start -= 1
    return start


def _lines(path: Path) -> list[str]:
    _load(path)  # a file tomlkit cannot read is refused before any edit
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _entry(lines: list[str], name: str, path: Path) -> _Span:
    headers = [index for index, line in enumerate(lines) if HEADER.match(line)]
    starts = [_leading_comments(lines, header) for header in headers]
    for k, header in enumerate(headers):
        end = starts[k + 1] if k + 1 < len(headers) else len(lines)
        try:
            tables = _sources(tomlkit.parse("".join(lines[header:end])))
        except TOMLKitError:
            continue
        if tables and tables[0].get("name") == name:
            # Comments opening the file are the file's, not its first entry's.
            first = header if starts[k] == 0 else starts[k]
            return _Span(start=first, header=header, end=end)
    raise SourcesFileError(f"{path.name}: no source named {name!r}")


def _load(path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesFileError(f"{path.name}: no such sources file") from None
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise SourcesFileError(f"{path.name}: cannot read: {exc}") from None


def _sources(document: tomlkit.TOMLDocument) -> list[Any]:
    """The ``[[source]]`` tables of the file."""
    sources = document.get("source", [])
    return [table for table in sources if hasattr(table, "get")]


def _find(document: tomlkit.TOMLDocument, name: str, path: Path) -> Any:
    for table in _sources(document):
        if table.get("name") == name:
            return table
    raise SourcesFileError(f"{path.name}: no source named {name!r}")


def _write(path: Path, lines: list[str]) -> None:
    text = "".join(lines)
    try:
        tomlkit.parse(text)
    except TOMLKitError as exc:  # pragma: no cover - an edit of a valid file stays valid
        raise SourcesFileError(f"{path.name}: the edit would break the file: {exc}") from None
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
