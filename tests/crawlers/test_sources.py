"""``sources.toml`` is validated on load, with errors naming entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.sources import SourcesError, load_sources

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    return path


def test_load_bundled_sources_resolve_to_existing_files() -> None:
    sources = load_sources(ROOT / "data" / "sources.toml")
    assert {source.type for source in sources} == {"ics", "confs_tech", "deadlines"}
    for source in sources:
        assert source.url.startswith("file://")
        assert Path(source.url.removeprefix("file://")).exists()


def test_load_example_sources_are_live_urls() -> None:
    sources = load_sources(ROOT / "data" / "sources.example.toml")
    assert len(sources) >= 4
    assert all(source.url.startswith("https://") for source in sources)


def test_load_relative_url_is_resolved_against_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[[source]]\nname = "a"\ntype = "ics"\nurl = "feeds/a.ics"\n')
    assert load_sources(path)[0].url == (tmp_path / "feeds/a.ics").as_uri()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[source]]\nname = "a"\ntype = "rss"\nurl = "https://x.example"\n', "source a: type"),
        ('[[source]]\nname = "a"\ntype = "ics"\nurl = "ftp://x.example"\n', "source a: url"),
        ('[[source]]\nname = "a"\ntype = "ics"\n', "source a: url"),
        ('[[source]]\nname = "A B"\ntype = "ics"\nurl = "https://x"\n', "source A B: name"),
        (
            '[[source]]\nname = "a"\ntype = "ics"\nurl = "https://x"\nkind = "party"\n',
            "source a: kind",
        ),
        (
            '[[source]]\nname = "a"\ntype = "ics"\nurl = "https://x"\ntimezone = "Mars/Base"\n',
            "source a: timezone",
        ),
        (
            '[[source]]\nname = "a"\ntype = "ics"\nurl = "https://x"\ncolour = "red"\n',
            "source a: colour",
        ),
        (
            '[[source]]\nname = "a"\ntype = "ics"\nurl = "https://x"\nlocation = { lat = 123 }\n',
            "source a: location.lat",
        ),
        ('[[source]]\nname = "a"\ntype = "ics"\nurl = "https://x"\n' * 2, "source a: name"),
        (
            '[[source]]\nname = "a"\ntype = "ics"\nurl = "https://x"\ndays_ahead = 0\n',
            "source a: days_ahead",
        ),
        ("[[source]\n", "cannot read"),
        ('source = "x"\n', "array of tables"),
    ],
)
def test_load_invalid_entry_names_entry_and_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SourcesError, match=message.replace(".", r"\.")):
        load_sources(write(tmp_path, text))


def test_load_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="no such sources file"):
        load_sources(tmp_path / "nope.toml")
