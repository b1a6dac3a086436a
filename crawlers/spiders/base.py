"""What every source spider shares: its source, its window, its report."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from crawlers.guard import FetchRefused
from crawlers.report import SourceReport
from crawlers.sources import Source
from crawlers.standalone import (
    RUN_BY_MEETSCOUT,
    alone_settings,
    conclude_alone,
    spider_arguments,
    take_lease,
)
from service.model import Venue
from service.places.gazetteer import get_gazetteer
from service.places.geocode import point_stands, town_elsewhere
from service.settings import get_settings
from service.text.health import FETCH, size

DEFAULT_DAYS_BACK = 7
DEFAULT_DAYS_AHEAD = 365


class SourceSpider(scrapy.Spider):
    """Base of every spider type; one instance crawls one ``sources.toml`` entry.

    ``now`` is given, never read from the clock here, so that tests and the
    crawl window are deterministic.
    """

    source_type = ""

    def __init__(
        self,
        *,
        source: Source,
        now: datetime,
        days_back: int = DEFAULT_DAYS_BACK,
        days_ahead: int = DEFAULT_DAYS_AHEAD,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=source.name, **kwargs)
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.source = source
        self.now = now
        back = source.days_back if source.days_back is not None else days_back
        ahead = source.days_ahead if source.days_ahead is not None else days_ahead
        self.window_start = now - timedelta(days=back)
        self.window_end = now + timedelta(days=ahead)
        self.host_names: list[str] = [source.host] if source.host else []
        """Who runs the source's events, as it names them (its ``host``, a calendar's own
        name): the field a name says is lent to the events (``service.classify.whole_source``)."""
        self.report = SourceReport(
            source=source.name,
            type=self.source_type,
            started=now,
            window_start=self.window_start,
            window_end=self.window_end,
        )

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Run by Scrapy's own command, the store and the rest come from meetscout's settings
        (``meetscout crawl`` sets them itself, above these)."""
        super().update_settings(settings)
        if settings.getbool(RUN_BY_MEETSCOUT):
            return
        for name, value in alone_settings(get_settings()).items():
            settings.set(name, value, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Built by ``meetscout crawl`` with its source, or by ``scrapy crawl <type> -a
        source=<name>`` with the source's name (:mod:`crawlers.standalone`)."""
        alone = isinstance(kwargs.get("source"), str)
        if alone:
            kwargs = spider_arguments(cls.source_type, kwargs)
            leases = take_lease(kwargs["source"].name)
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_dropped, signal=signals.request_dropped)
        if alone:
            began = time.monotonic()

            def closed(*_args: object, **_kwargs: object) -> None:
                conclude_alone(spider, began, leases)

            crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
        return spider

    def default_venue(self) -> Venue:
        location = self.source.location
        if location is None:
            return Venue()
        return Venue(**location.model_dump())

    def unlend_place(self, venue: Venue) -> None:
        """Forget the place the source lends its events where the event's address names a
        town far from it (:func:`service.places.geocode.town_elsewhere`): the locate step
        then places the event by its own address."""
        home = self.default_venue() if self.source.location is not None else None
        if town_elsewhere(venue.address, home=home, gazetteer=get_gazetteer()) is None:
            return
        venue.lat = venue.lon = None
        venue.city = venue.region = venue.country = None

    def place_at(self, venue: Venue, lat: float, lon: float, *, where: str | None = None) -> None:
        """Put ``venue`` at the coordinates its event gives, unless they lie far from the
        source's own place, outside its region and away from any town the event's address
        names (``where``, else the venue's address; see
        :func:`service.places.geocode.point_stands`): then it keeps the source's place, and
        the crawl says so in one line and counts it."""
        home = self.default_venue() if self.source.location is not None else None
        address = where or venue.address
        if point_stands(lat, lon, home=home, address=address, gazetteer=get_gazetteer()):
            venue.lat, venue.lon = lat, lon
            return
        self.logger.info(
            "%s: left out the coordinates %.5f, %.5f of %r: far from the source's place, "
            "outside its region and away from any town its address names",
            self.source.name,
            lat,
            lon,
            venue.address or venue.name or "a venue",
        )
        self.report.drop("coordinates_far_off")

    def record_response(self, response: Response) -> None:
        self.report.http_status = response.status

    def on_error(self, failure: Failure) -> None:
        """Count a request that failed (DNS, refused, missing file, HTTP error)."""
        if failure.check(FetchRefused):
            message = str(failure.value)
            self.logger.warning("%s: %s", self.source.name, message)
            self.report.fail("refused", message)
            return
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.report.http_status = response.status
        message = self.failure_text(failure, response)[:500]
        self.logger.warning("%s: fetch failed: %s", self.source.name, message)
        self.report.fail("fetch_failed", message)

    def failure_text(self, failure: Failure, response: Response | None) -> str:
        """What went wrong with a fetch, in the words of the source's health."""
        settings = self.settings
        error = failure.value
        request = getattr(failure, "request", None)
        meta = request.meta if isinstance(request, Request) else {}
        limit = size(meta.get("download_maxsize", settings.getint("DOWNLOAD_MAXSIZE")))
        detail = _details(error)
        if response is not None and response.status >= 300:
            try:
                reason = HTTPStatus(response.status).phrase
            except ValueError:
                reason = ""
            return FETCH["http"].format(status=response.status, reason=reason).rstrip()
        if isinstance(error, DownloadTimeoutError | TwistedTimeoutError):
            seconds = meta.get("download_timeout", settings.getfloat("DOWNLOAD_TIMEOUT"))
            return FETCH["timeout"].format(seconds=seconds)
        if isinstance(error, DownloadCancelledError):
            return FETCH["too_large"].format(limit=limit)  # the only download Scrapy cancels
        if isinstance(error, IgnoreRequest) and "decompression" in detail:
            return FETCH["bomb"].format(limit=limit)
        if isinstance(error, IgnoreRequest) and "max redirections" in detail:
            return FETCH["too_many_redirects"].format(count=settings.getint("REDIRECT_MAX_TIMES"))
        if isinstance(error, IgnoreRequest) and "robots.txt" in detail:
            return FETCH["robots"]
        if "certificate verify failed" in detail:
            return FETCH["untrusted_certificate"]
        if "SSL" in detail or "TLS" in detail:
            return FETCH["tls"].format(detail=detail[:200])
        if isinstance(error, ResponseDataLossError):
            return FETCH["cut_short"]
        if isinstance(error, DownloadConnectionRefusedError):
            return FETCH["connection_refused"]
        if isinstance(error, CannotResolveHostError):
            return FETCH["no_such_host"]
        return f"{failure.type.__name__}: {failure.getErrorMessage()}"

    def on_dropped(self, request: Request, spider: scrapy.Spider) -> None:
        """A redirect back to an address already fetched is a loop, not a duplicate link.

        Scrapy drops such a request as a duplicate without calling its
        errback; without this the crawl would end with nothing found and no
        reason given.
        """
        if spider is not self:
            return
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain:
            message = FETCH["redirect_loop"].format(url=request.url)
            self.logger.warning("%s: %s", self.source.name, message)
            self.report.fail("redirect_loop", message)


def _details(error: BaseException) -> str:
    """The message of an error and of the errors it wraps (Twisted keeps them in ``reasons``)."""
    seen: list[str] = []
    pending: list[Any] = [error]
    while pending and len(seen) < 10:
        item = pending.pop()
        item = getattr(item, "value", item)  # a Failure holds its error
        seen.append(f"{type(item).__name__}: {item}")
        pending.extend(getattr(item, "reasons", None) or [])
        if item.__cause__ is not None:
            pending.append(item.__cause__)
    return " | ".join(seen)
