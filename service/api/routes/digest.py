"""``/digest``: the week's digest for any search, without subscribing.

It takes the ``/events`` filters; ``start`` picks the week (default: this
one), which runs Monday to Sunday in the place's time zone.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Response

from feeds.digest import DigestLinks
from service.api.digest_formats import DIGEST_RESPONSES, DigestFormat, digest_response
from service.digest.build import Digest
from service.digest.compile import compile_digest
from service.http.deps import NowDep, SearchCacheDep, SettingsDep, StoreDep
from service.http.filters import EventFilters, FiltersDep, invalid, search_error
from service.links import absolute
from service.model import FreeTime
from service.places.timezones import zone_at
from service.search import SearchError

router = APIRouter(tags=["digest"])


def _zone(filters: EventFilters) -> str:
    if filters.place is not None:
        return filters.place.timezone
    if filters.lat is not None and filters.lon is not None:
        return zone_at(filters.lat, filters.lon)
    return "UTC"


def _place(filters: EventFilters) -> str:
    if filters.place is not None:
        return filters.place.label
    if filters.lat is not None and filters.lon is not None:
        return f"{filters.lat:g}, {filters.lon:g}"
    return "anywhere"


@router.get(
    "/digest",
    response_model=None,
    responses=DIGEST_RESPONSES,
)
def get_digest(
    filters: FiltersDep,
    store: StoreDep,
    cache: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
    format: Annotated[DigestFormat, Query(description="html, text, md or json.")] = "html",
    free_time: Annotated[
        list[FreeTime] | None,
        Query(
            description="When you can go (repeatable): weekday_daytime, weekday_evenings, "
            "weekends. The top pick fits one of them."
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        Query(max_length=64, description="IANA zone of the week; default: the place's."),
    ] = None,
) -> Response:
    """A top pick, alternates and how to prepare, for this week (or the week of `start`)."""
    zone = timezone or _zone(filters)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise invalid("timezone", "unknown time zone; use an IANA name", timezone) from exc
    try:
        digest = compile_digest(
            store,
            filters.search_request(limit=1),
            now=now,
            timezone=zone,
            place=_place(filters),
            free_times=tuple(dict.fromkeys(free_time or ())),
            week_of=filters.start,
            weights=settings.score_weights,
            cache=cache,
        )
    except SearchError as exc:
        raise search_error(exc) from exc
    return digest_response(digest, _links(settings.base_url, filters, digest), format)


PLACE_PARAMS = ("near", "lat", "lon", "radius_km", "attendance")


def _links(base_url: str, filters: EventFilters, digest: Digest) -> DigestLinks:
    """This page, and the wider and online searches a week with nothing near suggests."""
    params = filters.params()
    wider = online = None
    if digest.wider_radius_km is not None and (filters.near or filters.lat is not None):
        kept = [(key, value) for key, value in params if key != "radius_km"]
        wider = absolute(base_url, "/digest", [*kept, ("radius_km", f"{digest.wider_radius_km:g}")])
    if digest.top_pick is None:
        kept = [(key, value) for key, value in params if key not in PLACE_PARAMS]
        online = absolute(base_url, "/digest", [*kept, ("attendance", "online")])
    page = absolute(base_url, "/digest", params)
    return DigestLinks(page=page, wider=wider, online=online)
