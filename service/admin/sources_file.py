"""The sources file as the operator edits it: pause, hold, remove, keeping every comment.

Edits go through tomlkit, so the file keeps its comments and layout, and
are written whole to a temporary file then renamed over the old one: a
crawl reading it at that moment sees the old file or the new, never half.
Validation stays with the crawl's own reader (``crawlers/sources.py``);
here an entry is read only for what the operator's page shows.
"""

from __future__ import annotations

import os
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
    """Switch ``paused`` or ``hold`` of source ``name``; off removes the field."""
    if flag not in FLAGS:
        raise SourcesFileError(f"{flag!r} is not a switch of a source")
    with _lock:
        document = _load(path)
        table = _find(document, name, path)
        if value:
            table[flag] = True
        elif flag in table:
            del table[flag]
        _write(path, document)


def remove(path: Path, *, name: str) -> None:
    """Take source ``name`` out of the file (its stored events stay until they pass)."""
    with _lock:
        document = _load(path)
        sources = document.get("source")
        table = _find(document, name, path)
        assert sources is not None
        index = next(i for i, item in enumerate(sources) if item is table)
        del sources[index]
        _write(path, document)


def _load(path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesFileError(f"{path.name}: no such sources file") from None
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise SourcesFileError(f"{path.name}: cannot read: {exc}") from None


def _sources(document: tomlkit.TOMLDocument) -> list[Any]:
    sources = document.get("source", [])
    return [table for table in sources if hasattr(table, "get")]


def _find(document: tomlkit.TOMLDocument, name: str, path: Path) -> Any:
    for table in _sources(document):
        if table.get("name") == name:
            return table
    raise SourcesFileError(f"{path.name}: no source named {name!r}")


def _write(path: Path, document: tomlkit.TOMLDocument) -> None:
    text = tomlkit.dumps(document)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
