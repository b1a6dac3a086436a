"""The web pages: search at ``/``, one event at ``/e/{id}``, the digest sign-up at ``/subscribe``.

Server-rendered HTML that works without JavaScript; ``static/site.js`` only
adds place suggestions, live subscribe links and a copy button. The search
is the API's (:func:`service.search.search` over the same filters), and the
sign-up calls the same handler as ``POST /subscriptions``. Pages load
nothing from elsewhere, and their Content-Security-Policy says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict

from feeds.digest import safe_url
from service.classify.sectors import get_taxonomy
from service.digest import subscribe as signups
from service.digest.subscribe import CONFIRM_WITHIN
from service.http.deps import NowDep, SearchCacheDep, SettingsDep, StoreDep
from service.http.describe import describe_search
from service.http.filters import EventFilters
from service.http.ratelimit import TOO_MANY, wait_for
from service.http.subscription_schemas import SubscriptionIn, mask_email
from service.model import FreeTime
from service.search import SearchCache, SearchError, SearchPage, search
from service.settings import Settings
from service.store import EventStore, SubscriptionStore
from service.text import maps as map_words
from service.text import syndication as syndication_words
from service.text.advice import FOLLOW_UP_STEPS, prepare
from service.text.labels import FREE_TIME_LABELS, KIND_CHOICE_LABELS
from service.text.phrases import count_text, how_soon_text
from service.text.recording import recording_notice
from service.text.series import series_line
from service.web.form import (
    ATTENDANCE_CHOICES,
    MAX_RADIUS_KM,
    MIN_RADIUS_KM,
    SORT_CHOICES,
    SearchForm,
    parse_search_form,
)
from service.web.going_state import event_page_extras
from service.web.reading import ReadingLinks, reading_links
from service.web.view import (
    ALARM_CHOICES,
    CANCELLED_CHOICES,
    EventView,
    event_json_ld,
    event_view,
    json_for_script,
    page_url,
    share_description,
    subscribe_links,
)

router = APIRouter(include_in_schema=False)

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

PAGE_SIZE = 20
MAX_FORM_BYTES = 16_384
EVENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https://tile.openstreetmap.org",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
SEARCH_FIELDS = {
    "near": "near",
    "lat": "near",
    "lon": "near",
    "radius_km": "radius_km",
    "sector": "sectors",
    "kind": "kinds",
    "start": "start",
    "end": "end",
    "q": "q",
    "sort": "sort",
}
"""The form field that shows a :class:`SearchError` about each search parameter."""


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        kind_choices=[(kind.value, label) for kind, label in KIND_CHOICE_LABELS.items()],
        attendance_choices=ATTENDANCE_CHOICES,
        sort_choices=SORT_CHOICES,
        cancelled_choices=CANCELLED_CHOICES,
        alarm_choices=ALARM_CHOICES,
        free_time_choices=[
            (value.value, label[:1].upper() + label[1:])
            for value, label in FREE_TIME_LABELS.items()
        ],
        min_radius=f"{MIN_RADIUS_KM:g}",
        max_radius=f"{MAX_RADIUS_KM:g}",
    )
    return env


def render(
    template: str, *, status: int = 200, recording: str | None = None, **context: Any
) -> HTMLResponse:
    """A page; ``recording`` is the notice every page shows while a recording is replayed."""
    html = environment().get_template(template).render(recording=recording, **context)
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def recording_banner(settings: Settings) -> str | None:
    """The notice a replayed recording shows at the top of every page, else None."""
    return recording_notice(settings.replay_at) if settings.replay_at is not None else None


@dataclass
class Results:
    """One page of a search as the page lists it."""

    heading: str
    total: int
    count: str
    """The total in words."""
    items: list[EventView]
    next_path: str | None = None
    notice: str | None = None
    wider: tuple[str, str] | None = None
    online_path: str | None = None


@dataclass
class Signup:
    """The digest sign-up form's state: what was typed, and what was wrong with it."""

    email: str = ""
    free_times: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None


# The search page


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    cache: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
) -> HTMLResponse:
    """The search form and its results; a bad field gets a message beside it.

    A form with mistakes is answered 200, as the same page again: a browser
    reports a 4xx page as a console error, and nothing failed but the typing.
    """
    form = parse_search_form(request.query_params)
    return search_response(form, store=store, cache=cache, settings=settings, now=now)


def search_response(
    form: SearchForm,
    *,
    store: EventStore,
    cache: SearchCache,
    settings: Settings,
    now: datetime,
    signup: Signup | None = None,
) -> HTMLResponse:
    results = find(form, store=store, cache=cache, settings=settings, now=now)
    signup = signup or Signup()
    links = reading = None
    if form.filters is not None:
        links = subscribe_links(settings.base_url, form.filters.params(), form.choices)
        reading = reading_list_links(settings, form.filters)
    return render(
        "search.html",
        recording=recording_banner(settings),
        form=form,
        values=form.values,
        choices=form.choices,
        errors=form.errors,
        suggestions=[(label, _path(form, near=label)) for label in form.suggestions],
        results=results,
        links=links,
        reading=reading,
        reading_words=syndication_words,
        map_words=map_words,
        signup=signup,
        signup_hidden=_signup_hidden(form),
        sectors=[(sector.slug, sector.label) for sector in get_taxonomy()],
        mail_ready=mail_ready(settings),
        digest_path=_digest_path(form),
    )


def reading_list_links(settings: Settings, filters: EventFilters) -> ReadingLinks:
    """The search as Atom, JSON Feed and CSV, and the snippet that embeds it elsewhere."""
    return reading_links(settings.base_url, filters.params(), describe_search(filters))


def find(
    form: SearchForm, *, store: EventStore, cache: SearchCache, settings: Settings, now: datetime
) -> Results | None:
    """Run the form's search; an error the search finds goes next to its field."""
    if form.filters is None:
        return None
    notice = None
    try:
        page = _search(form, store, cache, settings, now)
    except SearchError as exc:
        if exc.parameter != "cursor" or form.cursor is None:
            form.error(SEARCH_FIELDS.get(exc.parameter, "near"), _sentence(exc.message))
            form.filters = None
            return None
        form.cursor = None
        notice = "That page of results has moved on; here is the first page again."
        page = _search(form, store, cache, settings, now)
    filters = form.filters
    if form.place is not None:
        filters = replace(filters, near=form.place.label)
    return Results(
        heading=describe_search(filters),
        total=page.total,
        count=count_text(page.total, exact=page.total_exact),
        items=[
            replace(
                event_view(item.event, distance_km=item.distance_km, why=item.why),
                repeats=series_line(item.series.rhythm, item.series.count) if item.series else None,
            )
            for item in page.items
        ],
        next_path=_path(form, cursor=page.next_cursor) if page.next_cursor else None,
        notice=notice,
        wider=_wider(form) if not page.items else None,
        online_path=_path(form, attendance="online")
        if not page.items and form.values.attendance != "online"
        else None,
    )


def _wider(form: SearchForm) -> tuple[str, str] | None:
    """(label, path) of the same search over a wider radius, for a search that found nothing."""
    if form.filters is None or form.place is None or form.filters.radius_km >= MAX_RADIUS_KM:
        return None
    radius = f"{min(MAX_RADIUS_KM, max(100.0, form.filters.radius_km * 4)):g}"
    return f"within {radius} km", _path(form, radius_km=radius)


def _search(
    form: SearchForm, store: EventStore, cache: SearchCache, settings: Settings, now: datetime
) -> SearchPage:
    assert form.filters is not None
    return search(
        store,
        replace(form.filters.search_request(limit=PAGE_SIZE, cursor=form.cursor), once=True),
        now=now,
        weights=settings.score_weights,
        cache=cache,
    )


def _path(form: SearchForm, **changes: str | None) -> str:
    """This page with some parameters changed (a suggested place, the next page)."""
    pairs = [(name, value) for name, value in form.params() if name not in changes]
    pairs.extend((name, value) for name, value in changes.items() if value)
    return f"/?{urlencode(pairs)}" if pairs else "/"


def _signup_hidden(form: SearchForm) -> list[tuple[str, str]]:
    """The search the digest follows, carried by the sign-up form (the place is visible)."""
    return [(name, value) for name, value in form.params() if name != "near"]


def _digest_path(form: SearchForm) -> str | None:
    """This week's digest for the search, as a page: what the email would say."""
    if form.filters is None or form.place is None:
        return None
    pairs = [("near", form.place.label), ("radius_km", f"{form.filters.radius_km:g}")]
    pairs.extend(("sector", slug) for slug in form.filters.sectors)
    pairs.extend(("kind", kind.value) for kind in form.filters.kinds)
    pairs.extend(("attendance", value.value) for value in form.filters.attendance)
    return f"/digest?{urlencode(pairs)}"


def mail_ready(settings: Settings) -> bool:
    """Whether a confirmation email can go out at all."""
    return settings.smtp_url is not None


def _sentence(message: str) -> str:
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# The digest sign-up


@router.post("/subscribe", response_class=HTMLResponse)
async def subscribe(
    request: Request,
    store: StoreDep,
    cache: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
) -> HTMLResponse:
    """The sign-up form, posted without JavaScript: the same subscription as the API's."""
    if not _same_origin(request, settings):
        return render("message.html", status=403, **_message("forbidden"))
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        return render("message.html", status=415, **_message("media_type"))
    body = await _read_body(request)
    if body is None:
        return render("message.html", status=413, **_message("too_large"))
    try:
        pairs = parse_qsl(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=200
        )
    except ValueError:  # more fields than the form has, by far
        return render("message.html", status=413, **_message("too_large"))
    params = ImmutableMultiDict(pairs)
    return await run_in_threadpool(_subscribe, request, params, store, cache, settings, now)


def _subscribe(
    request: Request,
    params: ImmutableMultiDict[str, str],
    store: EventStore,
    cache: SearchCache,
    settings: Settings,
    now: datetime,
) -> HTMLResponse:
    form = parse_search_form(params)
    signup = Signup(
        email=(params.get("email") or "").strip()[:320],
        free_times=[value for value in params.getlist("free_time") if value in set(FreeTime)],
    )
    for name in ("near", "radius_km"):
        if name in form.errors:
            signup.errors[name] = form.errors[name]
    if not form.values.near and "near" not in signup.errors:
        signup.errors["near"] = "Type the place the weekly email is about, for example Berlin."
    if not signup.email:
        signup.errors["email"] = "Type your email address, for example name@example.org."
    elif CONTROL_CHARACTERS.search(signup.email):
        signup.errors["email"] = "An email address has no line breaks or control characters."
    if form.errors.keys() - {"near", "radius_km"}:
        signup.problem = "The search above has a problem; fix it, then sign up again."
    if signup.errors or signup.problem or form.filters is None:
        return search_response(
            form, store=store, cache=cache, settings=settings, now=now, signup=signup
        )
    filters = form.filters
    try:
        body = SubscriptionIn(
            email=signup.email,
            near=form.values.near,
            radius_km=filters.radius_km,
            sectors=list(filters.sectors),
            kinds=list(filters.kinds),
            attendance=list(filters.attendance),
            free_times=[FreeTime(value) for value in signup.free_times],
        )
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            message = _sentence(str(error["msg"]).removeprefix("Value error, "))
            if name in ("email", "near"):
                signup.errors.setdefault(name, message)
            else:
                signup.problem = signup.problem or message
        return search_response(
            form, store=store, cache=cache, settings=settings, now=now, signup=signup
        )
    if wait_for(request):
        signup.problem = _sentence(TOO_MANY)
        return search_response(
            form, store=store, cache=cache, settings=settings, now=now, signup=signup
        )
    wish = signups.SignUp(
        email=body.email,
        near=body.near,
        radius_km=body.radius_km,
        sectors=body.sectors,
        kinds=body.kinds,
        attendance=body.attendance,
        free_times=body.free_times,
    )
    try:
        subscription = signups.subscribe(SubscriptionStore(store.engine), settings, wish, now=now)
    except signups.SubscribeError as exc:
        signup.problem = _refusal_text(exc)
        return search_response(
            form, store=store, cache=cache, settings=settings, now=now, signup=signup
        )
    return render(
        "subscribed.html",
        recording=recording_banner(settings),
        email=mask_email(subscription.email),
        place=subscription.near or form.values.near,
        back_path=_path(form),
        confirm_days=CONFIRM_WITHIN.days,
    )


def _refusal_text(exc: signups.SubscribeError) -> str:
    """A refused sign-up as a sentence beside the form."""
    if exc.reason == "not_sent" or exc.reason == "no_mail":
        return "The confirmation email could not be sent just now. Please try again later."
    return _sentence(exc.message) or "That did not work; please try again."


def _same_origin(request: Request, settings: Settings) -> bool:
    """A form posted from another site would send someone else's email a confirmation."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = urlsplit(origin).netloc.lower()
    allowed = {request.headers.get("host", "").lower(), urlsplit(settings.base_url).netloc.lower()}
    return host in allowed


async def _read_body(request: Request) -> bytes | None:
    """The posted form, or None past :data:`MAX_FORM_BYTES` (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


MESSAGES: dict[str, tuple[str, str]] = {
    "forbidden": (
        "This form belongs to another page",
        "Sign up from the meetscout search page itself.",
    ),
    "media_type": ("That was not a form", "Sign up with the form on the search page."),
    "too_large": ("That form was too large", "Sign up with the form on the search page."),
    "not_found": (
        "We could not find that event",
        "It may have been removed by the site that listed it, or the link may be mistyped.",
    ),
}


def _message(key: str) -> dict[str, str]:
    title, text = MESSAGES[key]
    return {"title": title, "text": text}


# One event


@router.get("/e/{event_id:path}", response_class=HTMLResponse)
def event_page(
    event_id: str, request: Request, store: StoreDep, settings: SettingsDep, now: NowDep
) -> HTMLResponse:
    """An event, how to prepare for it, and its schema.org data for link previews."""
    event = store.get(event_id=event_id) if EVENT_ID.fullmatch(event_id) else None
    if event is None:
        return render("message.html", status=404, **_message("not_found"))
    view = event_view(event)
    url = page_url(settings.base_url, event)
    preparation = prepare(event)
    extras = event_page_extras(request, store, event_id=event.id, host=event.host, now=now)
    response = render(
        "event.html",
        recording=recording_banner(settings),
        event=view,
        relative=how_soon_text(event, now),
        preparation=preparation,
        host_url=safe_url(preparation.host_url),
        follow_up=FOLLOW_UP_STEPS,
        canonical=url,
        share=share_description(event),
        json_ld=Markup(json_for_script(event_json_ld(event, page_url=url))),
        **extras,
    )
    if extras["going"].check:
        # This visitor's own list is on the page: no cache in between may keep it.
        response.headers["Cache-Control"] = "private, no-store"
    return response
