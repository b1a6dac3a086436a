"""Serving a folder of saved files on 127.0.0.1, for crawls and discovery that fetch them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - the standard library's own class attribute
        **SimpleHTTPRequestHandler.extensions_map,
        ".ics": "text/calendar",
        ".json": "application/json",
    }

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """The folder's files at ``http://127.0.0.1:PORT/``; yields that base, without a slash."""
    with answering(partial(QuietHandler, directory=str(folder))) as base:
        yield base


@contextmanager
def answering(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` answering at ``http://127.0.0.1:PORT/``; yields that base, without a slash."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
