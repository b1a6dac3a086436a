"""The proposal written to the sources file: what was found and guessed, comments kept."""

from __future__ import annotations

from pathlib import Path

from crawlers.discover import propose
from crawlers.discover.write import add_source
from crawlers.sources import load_sources
from tests.support.saved import FIXTURES


def test_the_entry_carries_the_guessed_defaults_and_loads_back(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text("# Brooklyn's venues\n", encoding="utf-8")
    body = (FIXTURES / "html/songkick-event-detail.html").read_bytes()
    proposal = propose("http://www.songkick.com/concerts/25248299", body)

    add_source(sources, proposal, "owl")

    text = sources.read_text(encoding="utf-8")
    assert text.startswith("# Brooklyn's venues\n")
    [entry] = load_sources(sources)
    assert (entry.name, entry.type) == ("owl", "jsonld")
    assert entry.timezone == "America/New_York"
    assert entry.sectors == ("music-and-entertainment",)
    assert entry.location is not None
    assert (entry.location.city, entry.location.region, entry.location.country) == (
        "Brooklyn",
        "NY",
        "US",
    )


def test_a_follow_selector_is_written_with_the_entry(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    body = (FIXTURES / "discovery/chi_ssa_19.html").read_bytes()
    add_source(sources, propose("https://rpba.org/ssa-19/", body), "rpba")
    [entry] = load_sources(sources)
    assert entry.follow == 'a[href*="/events/details/"]'
