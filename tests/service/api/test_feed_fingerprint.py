"""A feed's ETag follows every file that decides its bytes, not only the iCalendar writer."""

from __future__ import annotations

from pathlib import Path

import pytest

import feeds.ical
from service.api import feed_cache
from service.text import labels


def test_the_renderer_fingerprint_covers_the_shown_text_and_the_time_zone_builder() -> None:
    names = {path.name for path in feeds.ical.SOURCE_FILES}
    assert {"ical.py", "vtimezone.py", "labels.py", "phrases.py", "advice.py"} <= names


def test_changing_a_label_changes_the_renderer_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies = []
    for path in feeds.ical.SOURCE_FILES:
        copy = tmp_path / f"{len(copies)}-{path.name}"
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(feeds.ical, "SOURCE_FILES", tuple(copies))
    feed_cache.renderer_fingerprint.cache_clear()
    before = feed_cache.renderer_fingerprint()
    label_copy = next(copy for copy in copies if copy.name.endswith(Path(labels.__file__).name))
    label_copy.write_text(label_copy.read_text() + "\n# a word changed\n")
    feed_cache.renderer_fingerprint.cache_clear()
    try:
        assert feed_cache.renderer_fingerprint() != before
    finally:
        feed_cache.renderer_fingerprint.cache_clear()
