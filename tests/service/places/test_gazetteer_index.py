"""The gazetteer's indexed file: built once by a process of its own, the same answers as the
data it is built from."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from service.places import gazetteer as module
from service.places.gazetteer import Gazetteer, get_gazetteer


def test_the_index_is_built_in_another_process_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_here(min_population: int) -> None:
        raise AssertionError("built in the calling process")

    monkeypatch.setattr(module, "_build", not_here)
    path = tmp_path / "cache" / "gazetteer.sqlite3"
    fresh = Gazetteer(path=path)
    assert not path.exists()
    toronto = fresh.resolve("Toronto")
    assert toronto is not None and toronto.country_code == "CA"
    assert path.is_file()
    assert not list(path.parent.glob("*.partial"))


def test_every_name_means_what_the_built_data_says(tmp_path: Path) -> None:
    """Each name key's places, in the order the in-memory build ranks them."""
    data = module._build(15000)
    gazetteer = get_gazetteer()
    keys = sorted(data.index)
    for key in random.Random(11).sample(keys, 3000):
        expected = [geonameid for _, geonameid in data.index[key]]
        assert [place.geonameid for place in gazetteer._named(key)] == expected, key
    sample = random.Random(5).sample(sorted(data.by_id), 500)
    assert [gazetteer.by_id(geonameid) for geonameid in sample] == [
        data.by_id[geonameid] for geonameid in sample
    ]
    assert sum(1 for _ in gazetteer.places()) == len(data.by_id)
