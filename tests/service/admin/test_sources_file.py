"""Editing the sources file keeps every comment and the crawl's reader still reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.sources import load_sources
from service.admin.sources_file import (
    SourcesFileError,
    read_entries,
    remove,
    set_flag,
)
from tests.support.admin import sources_toml


@pytest.fixture
def path(tmp_path: Path) -> Path:
    file = tmp_path / "sources.toml"
    file.write_text(sources_toml("library", "chamber", "bookshop"), encoding="utf-8")
    return file


def test_switches_are_fields_the_crawl_reads(path: Path) -> None:
    set_flag(path, name="chamber", flag="paused", value=True)
    set_flag(path, name="bookshop", flag="hold", value=True)

    loaded = {source.name: source for source in load_sources(path)}
    assert loaded["chamber"].paused and not loaded["chamber"].hold
    assert loaded["bookshop"].hold and not loaded["bookshop"].paused
    assert [entry.paused for entry in read_entries(path)] == [False, True, False]

    assert '# bookshop: kept by the operator\n[[source]]\nname = "bookshop"' in path.read_text()
    assert 'feed.ics"\npaused = true\n\n# bookshop' in path.read_text()

    set_flag(path, name="chamber", flag="paused", value=False)
    assert "paused" not in path.read_text()


def test_a_switch_goes_after_the_fields_before_a_subtable(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nname = "a"\ntype = "ics"\nurl = "https://a.example.org/f.ics"\n'
        'topics = [\n  "x",\n]\n\n[source.location]\ncity = "Toronto"\n',
        encoding="utf-8",
    )

    set_flag(path, name="a", flag="hold", value=True)

    assert '  "x",\n]\nhold = true\n\n[source.location]' in path.read_text()
    (source,) = load_sources(path)
    assert source.hold and source.location is not None


def test_removing_keeps_the_other_entries_and_their_comments(path: Path) -> None:
    before = path.read_text()

    remove(path, name="chamber")

    after = path.read_text()
    assert [entry.name for entry in read_entries(path)] == ["library", "bookshop"]
    assert "# Our city's calendars" in after
    assert "# library: kept by the operator" in after
    assert "# bookshop: kept by the operator" in after
    assert len(after) < len(before)


def test_unknown_sources_and_switches_are_refused(path: Path) -> None:
    with pytest.raises(SourcesFileError, match="no source named"):
        remove(path, name="nobody")
    with pytest.raises(SourcesFileError, match="not a switch"):
        set_flag(path, name="library", flag="url", value=True)
    with pytest.raises(SourcesFileError, match="no such sources file"):
        read_entries(path.with_name("missing.toml"))
