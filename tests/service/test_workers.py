"""Several workers: the app builds itself from the environment, `serve --workers` starts them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import get_settings
from service.store import is_current, make_engine


def test_the_factory_takes_no_argument_and_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "from-env.db"
    monkeypatch.setenv("MEETSCOUT_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("MEETSCOUT_BASE_URL", "http://events.example.org")
    get_settings.cache_clear()
    try:
        app = create_app()
        assert app.state.settings.base_url == "http://events.example.org"
        engine = make_engine(f"sqlite:///{database}")
        assert is_current(engine)
        engine.dispose()
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
    finally:
        get_settings.cache_clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads worker processes from /proc")
def test_serve_with_two_workers_answers_from_both(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "MEETSCOUT_SOURCES": str(tmp_path / "sources.toml"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        workers: set[int] = set()
        answered = False
        while time.monotonic() < deadline and not (answered and len(workers) >= 2):
            time.sleep(0.5)
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            workers = {child for child in children_of(server.pid) if "spawn_main" in cmdline(child)}
            try:
                address = f"http://127.0.0.1:{port}/healthz"
                with urllib.request.urlopen(address, timeout=30) as reply:
                    answered = reply.status == 200
            except OSError:
                answered = False
        assert answered
        assert len(workers) >= 2
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
