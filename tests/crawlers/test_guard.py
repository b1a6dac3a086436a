"""The SSRF guard: no loopback, private, link-local or metadata address, at any hop, after DNS."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError
from twisted.internet import defer
from twisted.internet.base import ThreadedResolver

from crawlers.guard import FetchPolicy, FetchRefused, GuardedResolver
from service.settings import Settings
from tests.support.crawling import FLASKCON, FLASKCON_NOW, crawl
from tests.support.serving import answering

FEED = FLASKCON.read_bytes()


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "reserved"),
        ("224.0.0.1", "multicast"),
    ],
)
def test_addresses_off_the_internet_are_refused_with_their_kind(address: str, kind: str) -> None:
    problem = FetchPolicy().refusal("calendar.example.org", address)
    assert problem is not None
    assert f"a {kind} address" in problem
    assert address in problem and "MEETSCOUT_FETCH_ALLOW" in problem


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert FetchPolicy().refusal("calendar.example.org", address) is None


def test_the_operator_allows_a_host_by_name_or_a_range() -> None:
    policy = FetchPolicy.of(["Intranet.Corp.example", "10.1.0.0/16", "127.0.0.1"])
    assert policy.refusal("intranet.corp.example", "10.9.9.9") is None
    assert policy.refusal("calendar.corp.example", "10.1.2.3") is None
    assert policy.refusal("127.0.0.1", "127.0.0.1") is None
    assert policy.refusal("calendar.corp.example", "10.2.0.1") is not None
    assert policy.refusal("localhost", "127.0.0.2") is not None


def test_the_allow_setting_is_comma_separated_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEETSCOUT_FETCH_ALLOW", " intranet.corp.example, 10.0.0.0/8 ,")
    assert Settings().fetch_allow == ("intranet.corp.example", "10.0.0.0/8")
    monkeypatch.setenv("MEETSCOUT_FETCH_ALLOW", "http://x/")
    with pytest.raises(ValidationError, match="neither a host name nor an address range"):
        Settings()


def test_the_resolver_refuses_the_address_it_would_connect_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: whatever a name answers, the connection gets only a checked address."""
    answers = iter(["93.184.215.14", "10.0.0.5"])

    def resolve(self: ThreadedResolver, name: str, timeout: object = ()) -> defer.Deferred[str]:
        return defer.succeed(next(answers))

    monkeypatch.setattr(ThreadedResolver, "getHostByName", resolve)
    resolver = GuardedResolver(object(), 0, 5.0, FetchPolicy())  # type: ignore[arg-type]
    got: list[object] = []
    resolver.getHostByName("rebind.example.org").addBoth(got.append)
    resolver.getHostByName("rebind.example.org").addBoth(got.append)
    assert got[0] == "93.184.215.14"
    failure = got[1]
    assert isinstance(failure, defer.Failure) and failure.check(FetchRefused)
    assert "rebind.example.org (10.0.0.5): a private address" in str(failure.value)


class Server(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/feed.ics":
            self._send(200, FEED, {"Content-Type": "text/calendar"})
        elif self.path == "/to-loopback":
            self._send(302, b"", {"Location": f"http://127.0.0.2:{port}/feed.ics"})
        elif self.path == "/to-metadata":
            self._send(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
        elif self.path == "/to-file":
            self._send(302, b"", {"Location": "file:///etc/passwd"})
        else:
            self._send(404, b"", {})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    """The port :class:`Server` answers on at 127.0.0.1 (the tests name other hosts on it)."""
    with answering(Server) as base:
        port = urlsplit(base).port
        assert port is not None
        yield port


def _sources(path: Path, urls: dict[str, str]) -> None:
    path.write_text(
        "".join(
            f'[[source]]\nname = "{name}"\ntype = "ics"\nurl = "{url}"\n'
            for name, url in urls.items()
        )
    )


def test_a_crawl_refuses_loopback_at_every_hop_and_says_why(
    port: int, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETSCOUT_HTTP_CACHE_DIR", str(tmp_path / "cache"))
    _sources(
        settings.sources,
        {
            "allowed": f"http://127.0.0.1:{port}/feed.ics",
            "hop": f"http://127.0.0.1:{port}/to-loopback",
            "metadata": f"http://127.0.0.1:{port}/to-metadata",
            "to-file": f"http://127.0.0.1:{port}/to-file",
            "ipv6": f"http://[::1]:{port}/feed.ics",
        },
    )
    reports = crawl(settings, FLASKCON_NOW, allow="127.0.0.1")
    assert reports["allowed"]["outcome"] == "ok"
    assert reports["allowed"]["stored"] == 6
    assert reports["hop"]["outcome"] == "failed"
    assert reports["hop"]["error"].startswith("refused 127.0.0.2: a loopback address")
    assert reports["metadata"]["error"].startswith("refused 169.254.169.254: a cloud metadata")
    assert reports["to-file"]["outcome"] == "failed"
    assert reports["ipv6"]["error"].startswith("refused ::1: a loopback address")


def test_a_name_is_checked_after_it_is_resolved(
    port: int, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEETSCOUT_HTTP_CACHE_DIR", str(tmp_path / "cache"))
    _sources(settings.sources, {"by-name": f"http://localhost:{port}/feed.ics"})
    refused = crawl(settings, FLASKCON_NOW, allow="")
    assert refused["by-name"]["outcome"] == "failed"
    assert refused["by-name"]["error"].startswith("refused localhost (127.0.0.1): a loopback")
    allowed = crawl(settings, FLASKCON_NOW, allow="localhost")
    assert allowed["by-name"]["outcome"] == "ok"
    assert allowed["by-name"]["stored"] == 6
