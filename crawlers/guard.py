"""Which addresses a crawl may fetch: the public internet, and what the operator allows.

A source's address is given by a person (the sources file, ``meetscout
sources add``), so it must not turn the crawler into a way into the
machine's own network (SSRF): loopback, private, link-local (cloud metadata
at 169.254.169.254 and fd00:ec2::254), shared, reserved and multicast
addresses are refused unless ``MEETSCOUT_FETCH_ALLOW`` names the host or
its range. The check runs twice, both times on every request (each
redirect hop is a new request):

- :class:`FetchGuardMiddleware`, before anything else is done with a
  request, refuses other schemes and checks the address the host resolves
  to, for one clear refusal in the source's health;
- :class:`GuardedResolver`, the process's DNS resolver, checks every answer
  it gives to the connection itself, so that a name that resolves to a public
  address for the check and a private one for the connection (DNS rebinding)
  is still refused: the address checked is the address connected to.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer
from twisted.internet.base import ReactorBase

ALLOW_SETTING = "MEETSCOUT_FETCH_ALLOW"
"""The Scrapy setting carrying ``MEETSCOUT_FETCH_ALLOW``: host names and address ranges."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA = frozenset(
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
"""Cloud instance metadata services (AWS, ECS, AWS IPv6, Alibaba): named in refusals."""


class FetchRefused(IgnoreRequest):
    """A request to an address the crawl must not reach."""


def kind_of(address: Address) -> str | None:
    """Why ``address`` is not on the public internet, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA:
        return "cloud metadata"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"
    return None


@dataclass(frozen=True)
class FetchPolicy:
    """The hosts and ranges an operator allows beyond the public internet."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[str]) -> FetchPolicy:
        hosts: set[str] = set()
        networks: list[Network] = []
        for entry in entries:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def refusal(self, host: str, address: str) -> str | None:
        """Why ``host`` at ``address`` must not be fetched; None when it may be."""
        if self.allows_host(host):
            return None
        try:
            ip = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            return f"refused {host}: {address!r} is not an IP address"
        if any(ip.version == network.version and ip in network for network in self.networks):
            return None
        kind = kind_of(ip)
        if kind is None:
            return None
        where = host if host == address else f"{host} ({address})"
        return (
            f"refused {where}: a {kind} address, not on the public internet "
            f"(MEETSCOUT_FETCH_ALLOW can allow it)"
        )


def policy_of(settings: Any) -> FetchPolicy:
    """The policy from a Scrapy settings object's ``MEETSCOUT_FETCH_ALLOW``."""
    return FetchPolicy.of(settings.getlist(ALLOW_SETTING))


def literal_address(host: str) -> str | None:
    """``host`` itself when it is an IP address (IPv6 without brackets)."""
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare.split("%")[0])
    except ValueError:
        return None
    return bare


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that refuses to hand a connection a forbidden address."""

    def __init__(
        self, reactor: ReactorBase, cache_size: int, timeout: float, policy: FetchPolicy
    ) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), policy_of(settings))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        def check(address: str) -> str:
            problem = self.policy.refusal(name, address)
            if problem is not None:
                raise FetchRefused(problem)
            return address

        return super().getHostByName(name, timeout).addCallback(check)


class FetchGuardMiddleware:
    """Refuses a request to a forbidden scheme or address before it reaches the network.

    ``file:`` is fetched only for a source that is itself a file (the
    operator's own, from the sources file); no web page can lead there.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.policy = policy_of(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme == "file":
            if not _source_url(self.crawler.spider).startswith("file:"):
                raise FetchRefused(f"refused {request.url}: a local file, not a web address")
            return
        if parts.scheme not in ("http", "https"):
            raise FetchRefused(f"refused {request.url}: only http and https are fetched")
        host = parts.hostname or ""
        if self.policy.allows_host(host):
            return
        address = literal_address(host)
        if address is None:
            from twisted.internet import reactor

            try:
                address = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined,arg-type]
            except FetchRefused:
                raise
            except Exception:  # not resolvable: the download reports it as usual
                return
        problem = self.policy.refusal(host, str(address))
        if problem is not None:
            raise FetchRefused(problem)


def _source_url(spider: Spider | None) -> str:
    source = getattr(spider, "source", None)
    return str(getattr(source, "url", ""))
