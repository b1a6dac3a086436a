"""A crawl against a server that misbehaves on purpose: nothing stored is lost or cancelled.

Every source first serves a good feed (FlaskCon, six sessions) and is crawled;
then each misbehaves in its own way and is crawled again. After the second
crawl every stored event is still there and scheduled, each faulty source's
report says what happened, and the healthy source's crawl finished.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from service.model import Status
from service.settings import Settings
from service.store import EventQuery, EventStore, make_engine, migrate
from tests.support.crawling import FLASKCON, FLASKCON_NOW, crawl

GOOD = FLASKCON.read_bytes()


def _fault(handler: BaseHTTPRequestHandler, name: str) -> None:
    """Answer as the fault ``name`` says; ``good`` serves the feed."""
    port = handler.server.server_address[1]

    def answer(status: int, body: bytes = b"", **headers: str) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    if name == "good":
        answer(200, GOOD, Content_Type="text/calendar; charset=utf-8")
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
    elif name == "metadata":
        answer(302, Location="http://169.254.169.254/latest/meta-data/")
    elif name == "wrong-charset":
        answer(200, GOOD.decode("utf-8").encode("latin-1", "replace"), Content_Type="text/calendar")


FAULTS = ["e500", "e404", "e410", "e429", "e503", "empty", "truncated", "html", "loop",
          "metadata", "wrong-charset"]  # fmt: skip
"""Each source's fault in the second crawl (the source "healthy" stays good)."""


@pytest.fixture
def server() -> Iterator[tuple[int, dict[str, str]]]:
    behaviour: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = self.path.rsplit("/", 1)[-1].removesuffix(".ics")
            _fault(self, behaviour.get(name, "good"))

        def log_message(self, *_args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], behaviour
    httpd.shutdown()
    httpd.server_close()


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


def test_a_misbehaving_server_costs_no_stored_event(
    settings: Settings, tmp_path: Path, server: tuple[int, dict[str, str]]
) -> None:
    port, behaviour = server
    names = [*FAULTS, "healthy"]
    settings.sources.write_text(
        "".join(
            f'[[source]]\nname = "{name}"\ntype = "ics"\n'
            f'url = "http://127.0.0.1:{port}/feeds/{name}.ics"\ndays_back = 30\n'
            for name in names
        )
    )
    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()

    first = crawl(settings, now=FLASKCON_NOW)
    assert {name: report["outcome"] for name, report in first.items()} == dict.fromkeys(names, "ok")
    before = _scheduled(settings)
    assert before == dict.fromkeys(names, 6)

    behaviour.update({name: name for name in FAULTS})
    second = crawl(settings, now=FLASKCON_NOW)

    assert _scheduled(settings) == before  # nothing lost, nothing cancelled
    assert second["healthy"]["outcome"] == "ok"
    # A feed sent as Latin-1 without saying so is still read whole.
    assert (second["wrong-charset"]["outcome"], second["wrong-charset"]["found"]) == ("ok", 6)
    for name in FAULTS:
        if name == "wrong-charset":
            continue
        report = second[name]
        assert report["outcome"] in ("failed", "partial"), (name, report)
        assert report["found"] == 0 or name == "truncated", (name, report)
