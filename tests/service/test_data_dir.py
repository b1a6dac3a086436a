"""One data folder holds the store and the crawl's caches unless each is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.settings import Settings


def test_the_data_folder_moves_the_store_and_the_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETSCOUT_DATA_DIR", str(tmp_path / "data"))
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'meetscout.db'}"
    assert settings.http_cache_dir == tmp_path / "data" / "httpcache"
    assert settings.geocoder_cache == tmp_path / "data" / "geocode-cache.sqlite3"


def test_a_setting_named_beats_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETSCOUT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEETSCOUT_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'elsewhere.db'}"
    assert settings.http_cache_dir == tmp_path / "data" / "httpcache"
