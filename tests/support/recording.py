"""The bundled recording crawled at its moment: once per test run, copied for each reader.

A crawl of the default ``sources.toml`` (3,875 events) takes a minute or two in a
process of its own, and several test files read the store it leaves. The first
to ask crawls it into a folder every test worker shares (under a file lock, as
pytest-xdist's documentation shows); each caller gets a copy of that folder, so a
test that crawls again or writes changes only its own.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from filelock import FileLock

from service.settings import BUNDLE, PROJECT_ROOT, Settings
from tests.support.crawling import crawl

DATABASE = "meetscout.db"
CACHE = "httpcache"
REPORTS = "reports.json"


def recording_moment() -> datetime:
    """The moment ``make run`` replays: the Makefile's ``RECORDING_AT``."""
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    found = re.search(r"(?m)^RECORDING_AT := (\S+)$", makefile)
    assert found is not None, "the Makefile names the recording's moment"
    return datetime.fromisoformat(found.group(1))


def crawled_recording(
    folder: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> dict[str, dict]:
    """The recording crawled into ``folder`` (a new one: its store ``meetscout.db``, its
    HTTP cache ``httpcache``); each source's report by name. ``worker_id`` is
    pytest-xdist's: without workers nothing is shared (the temporary folders' parent
    then outlives the run)."""
    if worker_id == "master":
        _crawl_into(folder)
    else:
        shared = tmp_path_factory.getbasetemp().parent / "bundled-recording"
        with FileLock(f"{shared}.lock"):
            if not (shared / REPORTS).exists():
                _crawl_into(shared)
        shutil.copytree(shared, folder)
    return json.loads((folder / REPORTS).read_text())


def _crawl_into(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        database_url=f"sqlite:///{folder / DATABASE}",
        sources=BUNDLE / "sources.toml",
        http_cache_dir=folder / CACHE,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MEETSCOUT_HTTP_CACHE_DIR", str(folder / CACHE))
        reports = crawl(settings, recording_moment())
    (folder / REPORTS).write_text(json.dumps(reports))
