"""What the ``kill -9`` campaigns of ``tests/faults/`` share: the command, the store's checks,
and killing a run at a chosen moment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from tests.support.databases import postgres_integrity

SEED = 20261205
KILLS = 10
"""Kills per campaign on each store: 20 kills of a crawl and 20 of a digest send in all."""


def seed_for(url: str) -> int:
    """Each store's campaign its own moments: together they draw 20 different ones."""
    return SEED if sqlite_file(url) else SEED + 1


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "service", *args]


def sqlite_file(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:") else None


def exists(url: str) -> bool:
    """Whether the store is there at all (a PostgreSQL database is, from the start)."""
    database = sqlite_file(url)
    return database is None or database.exists()


def reader(url: str) -> Engine:
    """An engine that reads the store as it is (a SQLite file opened read-only)."""
    database = sqlite_file(url)
    return create_engine(f"sqlite:///file:{database}?mode=ro&uri=true" if database else url)


def integrity(url: str) -> str:
    """``ok``, or what is wrong: ``PRAGMA integrity_check``, or its stand-in on PostgreSQL."""
    if sqlite_file(url) is None:
        _, wrong = postgres_integrity(url)
        return "; ".join(wrong) or "ok"
    engine = reader(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("PRAGMA integrity_check")).scalar_one())
    finally:
        engine.dispose()


def kill_when(
    args: list[str], env: dict[str, str], ready: Callable[[float], bool]
) -> tuple[bool, float]:
    """Run ``args``; SIGKILL it as soon as ``ready(seconds since start)``.

    Returns (killed, seconds): False when the run ended by itself first.
    """
    began = time.monotonic()
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None:
            elapsed = time.monotonic() - began
            if ready(elapsed):
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                return True, elapsed
            time.sleep(0.002)
        return False, time.monotonic() - began
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def backend(url: str) -> str:
    """The store's name, and on PostgreSQL what its integrity check looked at."""
    if sqlite_file(url):
        return "SQLite"
    checked, _ = postgres_integrity(url)
    return f"PostgreSQL (checked: {'; '.join(checked)})"


def after_seconds(at: float) -> Callable[[float], bool]:
    return lambda elapsed: elapsed >= at


def to_the_end(
    args: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], float]:
    began = time.monotonic()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    return done, time.monotonic() - began
