"""``/embed``: a search as a small list another site shows in an iframe.

A career centre or a library pastes a snippet (an ``<iframe>`` and one
first-party script) and shows a meetscout search on its own page. The
framed page runs ``static/embed-frame.js``, which posts its height to the
page around it; ``static/embed.js`` on that page sets the iframe's height
from messages of meetscout's own origin only. Nothing is loaded from
elsewhere. ``/embed`` is the one page whose headers allow framing (any
site may frame it); every other page says ``frame-ancestors 'none'``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from service.http.deps import NowDep, SearchCacheDep, SettingsDep, StoreDep
from service.http.describe import describe_search
from service.links import absolute
from service.search import SearchError, search
from service.settings import Settings
from service.text import syndication as words
from service.text.series import series_line
from service.web.form import parse_search_form
from service.web.routes import environment, recording_banner
from service.web.view import event_view

router = APIRouter(include_in_schema=False)

EMBED_DEFAULT_ITEMS = 10
EMBED_MAX_ITEMS = 50
EMBED_CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors *",
    )
)
EMBED_HEADERS = {
    "Content-Security-Policy": EMBED_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cache-Control": "public, max-age=900",
}


@router.get("/embed", response_class=HTMLResponse)
def embed_page(
    request: Request,
    store: StoreDep,
    cache: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
    items: Annotated[int, Query(ge=1, le=EMBED_MAX_ITEMS)] = EMBED_DEFAULT_ITEMS,
) -> HTMLResponse:
    """The search's soonest-best events as a compact list, framable by any site.

    Takes the search page's fields; a field with a mistake shows its message
    in the frame (answered 200, like the search page).
    """
    form = parse_search_form(request.query_params)
    problems = [message for _, message in form.ordered_errors()]
    results = []
    heading = ""
    total = 0
    exact = True
    if form.filters is not None:
        filters = form.filters
        try:
            page = search(
                store,
                replace(filters.search_request(limit=items), once=True),
                now=now,
                weights=settings.score_weights,
                cache=cache,
            )
        except SearchError as exc:
            problems.append(exc.message)
        else:
            results = [
                replace(
                    event_view(item.event, distance_km=item.distance_km),
                    repeats=series_line(item.series.rhythm, item.series.count)
                    if item.series
                    else None,
                )
                for item in page.items
            ]
            total = page.total
            exact = page.total_exact
        heading = describe_search(filters)
    return _render(
        settings,
        heading=heading,
        items=results,
        total=total,
        total_exact=exact,
        problems=problems,
        more_url=absolute(settings.base_url, "/", form.values.params()),
        base_url=settings.base_url.rstrip("/"),
        now=now,
    )


def _render(settings: Settings, *, now: datetime, **context: object) -> HTMLResponse:
    del now
    html = (
        environment()
        .get_template("embed.html")
        .render(recording=recording_banner(settings), words=words, **context)
    )
    return HTMLResponse(html, headers=EMBED_HEADERS)
