"""Each spider runs under Scrapy's own command: `scrapy crawl <type> -a source=<name>`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from service.store import HealthStore, ScheduleStore, make_engine
from service.store.tables import events
from tests.support.crawling import FLASKCON, FLASKCON_NOW
from tests.support.shared_redis import isolated_prefix, redis_url

SCRAPY = Path(sys.executable).with_name("scrapy")


def scrapy_crawl(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRAPY), "crawl", *args],
        cwd=tmp_path,  # not the project: the settings module is named, as a host would
        env={
            **os.environ,
            "SCRAPY_SETTINGS_MODULE": "crawlers.settings",
            "MEETSCOUT_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
            "MEETSCOUT_SOURCES": str(tmp_path / "sources.toml"),
            "MEETSCOUT_DATA_DIR": str(tmp_path / "data"),
            "MEETSCOUT_REPLAY_AT": FLASKCON_NOW.isoformat(),
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_spider_crawls_a_named_source_and_concludes_it(tmp_path: Path) -> None:
    shutil.copy(FLASKCON, tmp_path / "flaskcon.ics")
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "flaskcon"\ntype = "ics"\nurl = "flaskcon.ics"\n'
    )
    done = scrapy_crawl(tmp_path, "ics", "-a", "source=flaskcon")
    assert done.returncode == 0, done.stderr[-3000:]

    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.connect() as conn:
        assert len(conn.execute(select(events.c.id)).all()) == 6
    (run,) = HealthStore(engine).runs(source="flaskcon")
    assert (run.outcome, run.stored, run.started) == ("ok", 6, FLASKCON_NOW)
    assert "flaskcon" in ScheduleStore(engine).states()
    engine.dispose()
    # meetscout's settings, not the project module's defaults (Scrapy logs what it overrode)
    assert f"'HTTPCACHE_DIR': '{tmp_path / 'data' / 'httpcache'}'" in done.stderr


def test_a_source_of_another_type_says_which_command_crawls_it(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "confs"\ntype = "confs_tech"\nurl = "https://example.org/c"\n'
    )
    done = scrapy_crawl(tmp_path, "ics", "-a", "source=confs")
    assert "'confs' is a confs_tech source: scrapy crawl confs_tech -a source=confs" in (
        done.stderr
    )
    missing = scrapy_crawl(tmp_path, "ics", "-a", "source=nowhere")
    assert "no source named 'nowhere'" in missing.stderr


def test_on_redis_a_spider_queues_in_redis_and_never_crawls_a_source_held_elsewhere(
    tmp_path: Path,
) -> None:
    shutil.copy(FLASKCON, tmp_path / "flaskcon.ics")
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "flaskcon"\ntype = "ics"\nurl = "flaskcon.ics"\n'
    )
    with isolated_prefix() as (client, prefix):
        env = {"MEETSCOUT_REDIS_URL": redis_url(), "MEETSCOUT_REDIS_PREFIX": prefix}
        client.set(f"{prefix}:lease:flaskcon", "elsewhere:1:abc", px=60_000)
        held = scrapy_crawl(tmp_path, "ics", "-a", "source=flaskcon", env=env)
        assert "'flaskcon' is being crawled by elsewhere:1:abc" in held.stderr
        client.delete(f"{prefix}:lease:flaskcon")

        done = scrapy_crawl(tmp_path, "ics", "-a", "source=flaskcon", env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "'SCHEDULER': 'scrapy_redis.scheduler.Scheduler'" in done.stderr
        assert list(client.scan_iter(match=f"{prefix}:*")) == [], "queue, filter and lease gone"

    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    (run,) = HealthStore(engine).runs(source="flaskcon")
    assert (run.outcome, run.stored) == ("ok", 6)
    engine.dispose()
