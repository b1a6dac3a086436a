"""The ``meetscout`` command, run as a person would run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.saved import FIXTURES


def run(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "MEETSCOUT_SOURCES": str(tmp_path / "sources.toml"),
        "COLUMNS": "200",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def row(output: str, name: str) -> str:
    """The table row of the source ``name``: the last line whose first word it is (the table
    comes after the crawl's progress)."""
    return [line for line in output.splitlines() if line.split()[:1] == [name]][-1]


def write_sources(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "confs-tech", tmp_path / "confs-tech")
    # A wide window keeps these 2026-2027 files inside it whatever today is.
    (tmp_path / "sources.toml").write_text(
        '[[source]]\nname = "confs"\ntype = "confs_tech"\nurl = "confs-tech"\n'
        "years = [2026, 2027]\ndays_back = 3650\ndays_ahead = 3650\n"
        '[[source]]\nname = "gone"\ntype = "ics"\nurl = "nowhere.ics"\n'
    )


def test_crawl_prints_a_summary_per_source(tmp_path: Path) -> None:
    write_sources(tmp_path)
    done = run(tmp_path, "crawl")
    assert done.returncode == 0, done.stderr
    assert "Crawl summary" in done.stdout
    confs = row(done.stdout, "confs")
    assert "ok" in confs
    gone = row(done.stdout, "gone")
    assert "failed" in gone
    assert "No such file" in done.stdout


def test_crawl_one_source_by_name(tmp_path: Path) -> None:
    write_sources(tmp_path)
    done = run(tmp_path, "crawl", "--source", "gone")
    assert done.returncode == 1  # every source crawled failed
    assert not any(line.split()[:1] == ["confs"] for line in done.stdout.splitlines())


def test_crawl_unknown_source_is_a_clear_error(tmp_path: Path) -> None:
    write_sources(tmp_path)
    done = run(tmp_path, "crawl", "--source", "nope")
    assert done.returncode == 2
    assert "no source named 'nope'" in done.stdout


def test_crawl_invalid_sources_file_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text('[[source]]\nname = "x"\ntype = "rss"\nurl = "a"\n')
    done = run(tmp_path, "crawl")
    assert done.returncode == 2
    assert "source x: type" in done.stdout


def test_help_lists_the_commands(tmp_path: Path) -> None:
    done = run(tmp_path, "--help")
    assert done.returncode == 0
    for command in ("crawl", "serve", "up"):
        assert command in done.stdout


def test_sources_shows_each_sources_health(tmp_path: Path) -> None:
    write_sources(tmp_path)
    assert "No crawl has run yet" in run(tmp_path, "sources").stdout
    run(tmp_path, "crawl")
    done = run(tmp_path, "sources")
    assert done.returncode == 0, done.stderr
    confs = row(done.stdout, "confs")
    assert "ok" in confs
    gone = row(done.stdout, "gone")
    assert "failed" in gone
    assert "last clean never" in " ".join(done.stdout.split())  # its note folds


def test_a_bad_setting_ends_any_command_with_its_name(tmp_path: Path) -> None:
    """Settings come from the environment: a wrong one is named, without a traceback."""
    for command, env, expected in (
        (("crawl",), {"MEETSCOUT_PORT": "eighty"}, "MEETSCOUT_PORT: Input should be a valid"),
        (
            ("digest", "send"),
            {"MEETSCOUT_CONTACT": "a\nb"},
            "MEETSCOUT_CONTACT: one line of printable ASCII",
        ),
        (("crawl",), {"MEETSCOUT_GEOCODER": "nominatim"}, "nominatim needs MEETSCOUT_CONTACT"),
    ):
        done = run(tmp_path, *command, env=env)
        assert done.returncode == 2, done.stderr
        assert expected in done.stdout
        assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("MEETSCOUT_LOG_LEVEL", "bogus", "MEETSCOUT_LOG_LEVEL: Input should be 'CRITICAL'"),
        ("MEETSCOUT_DATABASE_URL", "bogus", "MEETSCOUT_DATABASE_URL: not a database URL"),
        ("MEETSCOUT_DATABASE_URL", "mysql://db/x", "'mysql': only sqlite and postgresql"),
        ("MEETSCOUT_SCORE_WEIGHTS", "{bad", "MEETSCOUT_SCORE_WEIGHTS: not valid JSON"),
        ("MEETSCOUT_BASE_URL", "events.example.org", "MEETSCOUT_BASE_URL: an http:// or"),
    ],
)
def test_every_bad_setting_is_one_line_and_exit_2(
    tmp_path: Path, name: str, value: str, expected: str
) -> None:
    done = run(tmp_path, "sources", env={name: value, "COLUMNS": "40"})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert [line for line in done.stdout.splitlines() if line] == [
        next(line for line in done.stdout.splitlines() if expected in line)
    ]


def test_the_log_level_is_read_in_any_case(tmp_path: Path) -> None:
    done = run(tmp_path, "sources", env={"MEETSCOUT_LOG_LEVEL": "debug"})
    assert done.returncode == 0, done.stdout + done.stderr
