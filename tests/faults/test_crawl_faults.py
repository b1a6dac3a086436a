"""A crawl against a server that misbehaves on purpose: nothing stored is lost or cancelled.

Every source first serves a good feed (FlaskCon, six sessions; the source
"shrunk" a feed ten times as long) and is crawled; then each misbehaves in
its own way and is crawled twice more, since two clean crawls that miss an
event cancel it. After that every stored event is still there and
scheduled, each faulty source's health says in plain words what happened
(in the store, in ``meetscout sources`` and in ``/sources``), and the
healthy source's crawls finished.

The crawl's limits are kept small here so that the test is quick: a 2 s
download timeout and a 2 MB download limit stand for the 30 s and 20 MB
of a real crawl.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import chain
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crawlers.report import Outcome
from service.app import create_app
from service.model import Status
from service.settings import Settings
from service.store import EventQuery, EventStore, HealthStore, make_engine, migrate
from tests.support.crawling import FLASKCON, FLASKCON_NOW, crawl
from tests.support.tls import self_signed_context

GOOD = FLASKCON.read_bytes()
MB = 1 << 20
LIMITS = {
    "DOWNLOAD_TIMEOUT": 2,
    "DOWNLOAD_MAXSIZE": 2 * MB,
    "DOWNLOAD_WARNSIZE": 1 * MB,
    # Politeness is not under test: every source here shares one host.
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}
DAYS = 10
"""The long feed of the source "shrunk": FlaskCon's sessions on ten days, 60 events."""


def _feed(days: int) -> bytes:
    """FlaskCon's six sessions repeated on ``days`` consecutive days (each its own UID)."""
    head, _, rest = GOOD.partition(b"BEGIN:VEVENT")
    body = (b"BEGIN:VEVENT" + rest).rpartition(b"END:VCALENDAR")[0]
    copies = [
        body.replace(b"20250516T", f"202505{16 + day:02d}T".encode()).replace(
            b"\nUID:", f"\nUID:day{day}-".encode()
        )
        for day in range(days)
    ]
    return head + b"".join(copies) + b"END:VCALENDAR\r\n"


LONG = _feed(DAYS)
SHRUNK = _feed(1)
"""The long feed cut down to its first day: a tenth of its events."""


@cache
def _bomb() -> bytes:
    """256 MB of zeros gzipped to about a quarter of a megabyte."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # the gzip format
    zeros = b"\0" * MB
    return b"".join(packer.compress(zeros) for _ in range(256)) + packer.flush()


def _fault(handler: BaseHTTPRequestHandler, name: str, stop: threading.Event) -> None:
    """Answer as the fault ``name`` says; ``good`` serves the feed."""
    port = handler.server.server_address[1]
    feed = LONG if handler.path.endswith("/shrunk.ics") else GOOD

    def answer(status: int, body: bytes = b"", **headers: str) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def stream(chunks: Iterator[bytes], **headers: str) -> None:
        handler.send_response(200)
        for key, value in headers.items():
            handler.send_header(key.replace("_", "-"), value)
        handler.end_headers()
        handler.close_connection = True
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                handler.wfile.write(chunk)
                handler.wfile.flush()
        except OSError:
            return  # the crawler hung up: what a limit should do

    if name == "good":
        answer(200, feed, Content_Type="text/calendar; charset=utf-8")
    elif name in ("e500", "e404", "e410"):
        answer(int(name[1:]), b"<html>error</html>", Content_Type="text/html")
    elif name in ("e429", "e503"):
        answer(int(name[1:]), b"slow down", Retry_After="1", Content_Type="text/plain")
    elif name == "empty":
        answer(200, b"", Content_Type="text/calendar")
    elif name == "truncated":
        handler.send_response(200)
        handler.send_header("Content-Type", "text/calendar")
        handler.send_header("Content-Length", str(len(GOOD)))
        handler.end_headers()
        handler.wfile.write(GOOD[: len(GOOD) // 3])
        handler.close_connection = True
    elif name == "html":
        answer(200, b"<html><body>Log in</body></html>", Content_Type="text/html")
    elif name == "loop":
        answer(302, Location=f"http://127.0.0.1:{port}/feeds/loop.ics")
    elif name == "hops":
        hop = int(handler.path.rsplit("=", 1)[-1]) if "=" in handler.path else 0
        answer(302, Location=f"http://127.0.0.1:{port}/feeds/hops.ics?hop={hop + 1}")
    elif name == "metadata":
        answer(302, Location="http://169.254.169.254/latest/meta-data/")
    elif name == "wrong-charset":
        answer(200, GOOD.decode("utf-8").encode("latin-1", "replace"), Content_Type="text/calendar")
    elif name == "timeout":
        stop.wait(30)  # accepted, then silence
    elif name == "drip":
        drip = (GOOD[i : i + 1] for i in range(len(GOOD)) if not stop.wait(1))
        stream(drip, Content_Length=str(len(GOOD)))
    elif name == "huge":  # says it is 50 MB
        stream((b"\0" * MB for _ in range(50)), Content_Length=str(50 * MB))
    elif name == "huge-unsaid":  # 50 MB, its length not given
        stream(chain([b"BEGIN:VCALENDAR\r\n"], (b"X" * MB for _ in range(50))))
    elif name == "bomb":
        answer(200, _bomb(), Content_Type="text/calendar", Content_Encoding="gzip")
    elif name == "shrunk":
        answer(200, SHRUNK, Content_Type="text/calendar; charset=utf-8")


HEALTH = {
    "e500": "the server answered 500 Internal Server Error",
    "e404": "the server answered 404 Not Found",
    "e410": "the server answered 410 Gone",
    "e429": "the server answered 429 Too Many Requests",
    "e503": "the server answered 503 Service Unavailable",
    "empty": "empty response",
    "truncated": "the answer was cut short before its end",
    "html": "not an iCalendar feed",
    "loop": "a redirect loop:",
    "hops": "more than 5 redirects in a row",
    "metadata": "refused 169.254.169.254: a cloud metadata address",
    "timeout": "no complete answer within 2 s (timed out",
    "drip": "no complete answer within 2 s (timed out",
    "huge": "the answer is larger than the 2 MB download limit: not read",
    "huge-unsaid": "the answer is larger than the 2 MB download limit: not read",
    "bomb": "the answer unpacks to more than the 2 MB download limit",
    "tls": "TLS error: the site's certificate is not trusted",
    "shrunk": "the source listed 6 events, under half of the 60 of its last clean crawl",
}
"""What each faulty source's health says after its fault (its last error or its note)."""
FAULTS = [*HEALTH, "wrong-charset"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[int, int, dict[str, str]]]:
    """A plain HTTP server and a TLS one with a self-signed certificate, both on 127.0.0.1."""
    behaviour: dict[str, str] = {}
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.split("?")[0].rsplit("/", 1)[-1].removesuffix(".ics")
            _fault(self, behaviour.get(name, "good"), stop)

        def log_message(self, *_args: object) -> None:
            return

    plain = _Server(("127.0.0.1", 0), Handler)
    secure = _Server(("127.0.0.1", 0), Handler)
    context: ssl.SSLContext = self_signed_context(tmp_path)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (plain, secure)]
    for thread in threads:
        thread.start()
    yield plain.server_address[1], secure.server_address[1], behaviour
    stop.set()
    for server in (plain, secure):
        server.shutdown()
        server.server_close()


def _scheduled(settings: Settings) -> dict[str, int]:
    engine = make_engine(settings.database_url)
    try:
        events = EventStore(engine).search(query=EventQuery())
    finally:
        engine.dispose()
    counts: dict[str, int] = {}
    for event in events:
        if event.status is Status.SCHEDULED:
            counts[event.source] = counts.get(event.source, 0) + 1
    return counts


def _sources_command(settings: Settings) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "service", "sources"],
        env={
            **os.environ,
            "MEETSCOUT_DATABASE_URL": settings.database_url,
            "MEETSCOUT_SOURCES": str(settings.sources),
            "COLUMNS": "400",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return " ".join(done.stdout.split())


def test_a_misbehaving_server_costs_no_stored_event(
    settings: Settings, tmp_path: Path, servers: tuple[int, int, dict[str, str]]
) -> None:
    port, tls_port, behaviour = servers
    names = [*FAULTS, "healthy"]

    def url(name: str) -> str:
        if name == "tls":
            return f"https://127.0.0.1:{tls_port}/feeds/{name}.ics"
        return f"http://127.0.0.1:{port}/feeds/{name}.ics"

    settings.sources.write_text(
        "".join(
            f'[[source]]\nname = "{name}"\ntype = "ics"\nurl = "{url(name)}"\ndays_back = 30\n'
            for name in names
        )
    )
    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()

    # The TLS source cannot be read even while its server behaves: its certificate is bad.
    first = crawl(settings, now=FLASKCON_NOW, overrides=LIMITS)
    assert first["tls"]["outcome"] == "failed"
    assert {name: first[name]["outcome"] for name in names if name != "tls"} == dict.fromkeys(
        [name for name in names if name != "tls"], "ok"
    )
    before = _scheduled(settings)
    assert before == {name: 6 * DAYS if name == "shrunk" else 6 for name in names if name != "tls"}

    behaviour.update({name: name for name in FAULTS})
    for crawl_number in (2, 3):  # a fault that lasts two crawls cancels nothing either
        now = FLASKCON_NOW + timedelta(hours=crawl_number)
        reports = crawl(settings, now=now, overrides=LIMITS)
        assert _scheduled(settings) == before, crawl_number  # nothing lost, nothing cancelled
        assert reports["healthy"]["outcome"] == "ok"
        assert reports["healthy"]["found"] == 6
        # A feed sent as Latin-1 without saying so is still read whole.
        assert (reports["wrong-charset"]["outcome"], reports["wrong-charset"]["found"]) == ("ok", 6)
        for name in HEALTH:
            expected = "partial" if name == "shrunk" else "failed"
            assert reports[name]["outcome"] == expected, (name, reports[name])

    engine = make_engine(settings.database_url)
    try:
        overview = HealthStore(engine).overview(events_by_source={})
    finally:
        engine.dispose()
    health = {item.last_run.source: item.last_run for item in overview}
    for name, words in HEALTH.items():
        said = f"{health[name].last_error or ''} {health[name].note or ''}"
        assert words in said, (name, said)
        assert not health[name].clean
    assert health["shrunk"].cancelled == 0
    assert "none cancelled" in (health["shrunk"].note or "")

    table = _sources_command(settings)
    with TestClient(create_app(settings)) as client:
        listed = {item["name"]: item for item in client.get("/sources").json()["items"]}
    for name, words in HEALTH.items():
        assert words in table, name
        assert words in f"{listed[name]['last_error'] or ''} {listed[name]['note'] or ''}", name
        assert listed[name]["outcome"] == ("partial" if name == "shrunk" else "failed")
    assert listed["healthy"]["outcome"] == Outcome.OK.value
