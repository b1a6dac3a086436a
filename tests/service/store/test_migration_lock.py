"""Servers start several workers at once: one migrates, under a lock, the others find it done."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic import command
from filelock import FileLock

from service.store import is_current, make_engine, migrate, migrate_once


def test_migrate_waits_for_the_lock_another_process_holds(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    finished = threading.Event()

    def migrating() -> None:
        migrate(engine)
        finished.set()

    with FileLock(tmp_path / "store.db.migrate.lock"):
        worker = threading.Thread(target=migrating)
        worker.start()
        worker.join(0.5)
        assert not finished.is_set()
        assert not is_current(engine)
    worker.join(60)
    assert finished.is_set()
    assert is_current(engine)
    engine.dispose()


def test_a_current_schema_is_not_migrated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrades: list[str] = []
    real_upgrade = command.upgrade

    def counting(config: object, revision: str) -> None:
        upgrades.append(revision)
        real_upgrade(config, revision)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "upgrade", counting)
    for _ in range(3):
        migrate_once(engine)
    assert upgrades == ["heads"]
    assert is_current(engine)
    engine.dispose()
