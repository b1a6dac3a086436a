"""The operator's pages: sources with their health, crawls on request, suggestions, held
events and corrections; and ``/suggest``, where visitors propose a calendar.

Every page needs the session cookie (:mod:`service.web.admin.auth`); every
form that changes something carries the session's CSRF token and must come
from this site. Work is done by :mod:`service.admin` and the store; the
discovery, the dry crawl and the recrawl are the ``meetscout`` command run
in the background (:mod:`service.admin.jobs`), so the page uses the very
discovery and fetch guard the command line does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict

from service.admin import sources_file
from service.admin.addresses import AddressError, check_address
from service.admin.jobs import Busy, Job, JobRunner
from service.admin.overview import source_rows
from service.admin.suggest import suggest
from service.classify.sectors import get_taxonomy
from service.http.deps import NowDep, SettingsDep, StoreDep
from service.http.ratelimit import StoreLimiter
from service.model import Kind
from service.settings import Settings
from service.store import CurationStore, EventQuery, EventStore, SuggestionsFull, SuggestionStore
from service.text import admin as text
from service.text.labels import KIND_CHOICE_LABELS
from service.web.admin import auth
from service.web.admin.forms import read_form
from service.web.routes import EVENT_ID, recording_banner, render
from service.web.view import event_view

router = APIRouter(prefix="/admin", include_in_schema=False)
suggest_router = APIRouter(include_in_schema=False)

ADMIN_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
SEARCH_LIMIT = 50


def page(template: str, settings: Settings, *, status: int = 200, **context: Any) -> HTMLResponse:
    response = render(template, status=status, recording=recording_banner(settings), **context)
    response.headers.update(ADMIN_HEADERS)
    return response


def go(path: str, **params: str) -> RedirectResponse:
    """After a form: see the page again (303), with a note of what was done."""
    query = urlencode({key: value for key, value in params.items() if value})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def jobs_of(request: Request) -> JobRunner:
    return request.app.state.admin_jobs  # type: ignore[no-any-return]


def refused(settings: Settings, message: str, status: int = 403) -> HTMLResponse:
    return page("admin/refused.html", settings, status=status, message=message)


async def signed_form(
    request: Request, settings: Settings
) -> tuple[ImmutableMultiDict[str, str] | None, Response | None]:
    """The posted form of a signed-in operator, or the answer refusing it."""
    nonce = auth.session_nonce(settings, request)
    if nonce is None:
        return None, go("/admin/sign-in")
    if not auth.same_origin(request, settings):
        return None, refused(settings, text.FORM_EXPIRED)
    form = await read_form(request)
    if form is None or not auth.csrf_ok(settings, nonce, form.get("csrf", "")):
        return None, refused(settings, text.FORM_EXPIRED)
    return form, None


def context(request: Request, settings: Settings, nonce: str) -> dict[str, Any]:
    """What every operator's page shows: the CSRF token and the note of the last action."""
    done = request.query_params.get("done", "")
    note = text.DONE.get(done, "").format(name=request.query_params.get("name", ""))
    return {"csrf": auth.csrf_token(settings, nonce), "note": note}


# Signing in and out


@router.get("", response_class=HTMLResponse)
async def admin_home() -> RedirectResponse:
    return go("/admin/sources")


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, settings: SettingsDep) -> Response:
    if auth.session_nonce(settings, request) is not None:
        return go("/admin/sources")
    done = request.query_params.get("done", "")
    return page("admin/sign_in.html", settings, error=None, note=text.DONE.get(done, ""))


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, settings: SettingsDep) -> Response:
    """The token, typed once into a form (never in a URL), becomes a session cookie."""
    if not auth.same_origin(request, settings):
        return refused(settings, text.FORM_EXPIRED)
    limiter: StoreLimiter = request.app.state.admin_sign_in_limiter
    if limiter.take(request.client.host if request.client else "unknown"):
        return page(
            "admin/sign_in.html", settings, status=429, error=text.SIGN_IN_TOO_MANY, note=""
        )
    form = await read_form(request)
    if form is None or not auth.token_matches(settings, form.get("token", "")):
        return page("admin/sign_in.html", settings, status=401, error=text.SIGN_IN_WRONG, note="")
    response = go("/admin/sources")
    response.set_cookie(
        auth.COOKIE,
        auth.new_session(settings),
        max_age=auth.SESSION_SECONDS,
        path=auth.COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=auth.cookie_secure(settings),
    )
    return response


@router.post("/sign-out", response_class=HTMLResponse)
async def sign_out(request: Request, settings: SettingsDep) -> Response:
    _, refusal = await signed_form(request, settings)
    if refusal is not None:
        return refusal
    response = go("/admin/sign-in", done="signed_out")
    response.delete_cookie(auth.COOKIE, path=auth.COOKIE_PATH)
    return response


# Sources


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    nonce = auth.session_nonce(settings, request)
    if nonce is None:
        return go("/admin/sign-in")
    try:
        rows = source_rows(settings.sources, store)
        problem = None
    except sources_file.SourcesFileError as exc:
        rows, problem = [], str(exc)
    jobs = jobs_of(request)
    return page(
        "admin/sources.html",
        settings,
        rows=rows,
        problem=problem,
        crawls={row.name: jobs.latest_for(f"crawl:{row.name}") for row in rows},
        jobs=jobs.latest()[:8],
        suggestions=SuggestionStore(store.engine).waiting(),
        attention=sum(row.needs_attention for row in rows),
        address=request.query_params.get("address", ""),
        address_error=None,
        **context(request, settings, nonce),
    )


def _switch(flag: str, value: bool, done: str) -> Callable[..., Any]:
    async def handler(name: str, request: Request, settings: SettingsDep) -> Response:
        _, refusal = await signed_form(request, settings)
        if refusal is not None:
            return refusal
        try:
            await run_in_threadpool(
                sources_file.set_flag, settings.sources, name=name, flag=flag, value=value
            )
        except sources_file.SourcesFileError:
            return refused(settings, text.NOT_A_SOURCE, status=404)
        return go("/admin/sources", done=done, name=name)

    return handler


for _path, _flag, _value, _done in (
    ("pause", "paused", True, "paused"),
    ("resume", "paused", False, "resumed"),
    ("hold", "hold", True, "held"),
    ("release", "hold", False, "released"),
):
    router.add_api_route(
        f"/sources/{{name}}/{_path}",
        _switch(_flag, _value, _done),
        methods=["POST"],
        response_class=HTMLResponse,
    )


@router.post("/sources/{name}/remove", response_class=HTMLResponse)
async def remove_source(name: str, request: Request, settings: SettingsDep) -> Response:
    _, refusal = await signed_form(request, settings)
    if refusal is not None:
        return refusal
    try:
        await run_in_threadpool(sources_file.remove, settings.sources, name=name)
    except sources_file.SourcesFileError:
        return refused(settings, text.NOT_A_SOURCE, status=404)
    return go("/admin/sources", done="removed", name=name)


@router.post("/sources/{name}/recrawl", response_class=HTMLResponse)
async def recrawl(name: str, request: Request, settings: SettingsDep) -> Response:
    """Crawl one source now, in the background: ``meetscout crawl --source NAME``."""
    _, refusal = await signed_form(request, settings)
    if refusal is not None:
        return refusal
    entries = await run_in_threadpool(sources_file.read_entries, settings.sources)
    if name not in {entry.name for entry in entries}:
        return refused(settings, text.NOT_A_SOURCE, status=404)
    return _start(request, settings, f"crawl:{name}", "crawl", "--source", name)


@router.post("/discover", response_class=HTMLResponse)
async def discover(request: Request, settings: SettingsDep) -> Response:
    """What the discovery finds at an address: ``meetscout sources add URL`` without writing."""
    form, refusal = await signed_form(request, settings)
    if refusal is not None or form is None:
        return refusal or refused(settings, text.FORM_EXPIRED)
    try:
        url = check_address(form.get("address", ""), allow=settings.fetch_allow)
    except AddressError as exc:
        return refused(settings, str(exc), status=422)
    name = form.get("name", "").strip()
    return _start(request, settings, f"discover:{url}", *_add_arguments(url, name))


@router.post("/preview", response_class=HTMLResponse)
async def preview(request: Request, settings: SettingsDep) -> Response:
    """What a crawl of the address would store, stored nowhere: ``meetscout sources check``."""
    form, refusal = await signed_form(request, settings)
    if refusal is not None or form is None:
        return refusal or refused(settings, text.FORM_EXPIRED)
    try:
        url = check_address(form.get("address", ""), allow=settings.fetch_allow)
    except AddressError as exc:
        return refused(settings, str(exc), status=422)
    return _start(request, settings, f"check:{url}", "sources", "check", url)


@router.post("/add", response_class=HTMLResponse)
async def add(request: Request, settings: SettingsDep) -> Response:
    """Write the proposed entry to the sources file: ``meetscout sources add URL --yes``."""
    form, refusal = await signed_form(request, settings)
    if refusal is not None or form is None:
        return refusal or refused(settings, text.FORM_EXPIRED)
    try:
        url = check_address(form.get("address", ""), allow=settings.fetch_allow)
    except AddressError as exc:
        return refused(settings, str(exc), status=422)
    name = form.get("name", "").strip()
    return _start(request, settings, f"add:{url}", *_add_arguments(url, name), "--yes")


def _add_arguments(url: str, name: str) -> tuple[str, ...]:
    return ("sources", "add", url, *(("--name", name) if name else ()))


def _start(request: Request, settings: Settings, label: str, *arguments: str) -> Response:
    try:
        job = jobs_of(request).start(label, *arguments)
    except Busy:
        return refused(settings, text.BUSY, status=429)
    return go(f"/admin/jobs/{job.id}")


@router.get("/jobs/{job_id:int}", response_class=HTMLResponse)
def job_page(job_id: int, request: Request, settings: SettingsDep) -> Response:
    nonce = auth.session_nonce(settings, request)
    if nonce is None:
        return go("/admin/sign-in")
    job = jobs_of(request).get(job_id)
    if job is None:
        return refused(settings, text.NOT_A_SOURCE, status=404)
    kind, _, subject = job.label.partition(":")
    return page(
        "admin/job.html",
        settings,
        job=job,
        state=job_state(job),
        kind=kind,
        subject=subject,
        **context(request, settings, nonce),
    )


def job_state(job: Job) -> str:
    if job.running:
        return text.JOB_STATE["running"]
    return text.JOB_STATE["ok" if job.succeeded else "failed"]


# Suggestions


@router.post("/suggestions/{suggestion_id:int}/accept", response_class=HTMLResponse)
async def accept_suggestion(
    suggestion_id: int, request: Request, settings: SettingsDep, store: StoreDep, now: NowDep
) -> Response:
    """Accepting runs the discovery on the suggested address; adding is one more click."""
    _, refusal = await signed_form(request, settings)
    if refusal is not None:
        return refusal
    suggestions = SuggestionStore(store.engine)
    found = suggestions.get(suggestion_id=suggestion_id)
    if found is None or not suggestions.decide(
        suggestion_id=suggestion_id, status="accepted", now=now
    ):
        return go("/admin/sources")
    return _start(request, settings, f"discover:{found.url}", *_add_arguments(found.url, ""))


@router.post("/suggestions/{suggestion_id:int}/reject", response_class=HTMLResponse)
async def reject_suggestion(
    suggestion_id: int, request: Request, settings: SettingsDep, store: StoreDep, now: NowDep
) -> Response:
    _, refusal = await signed_form(request, settings)
    if refusal is not None:
        return refusal
    SuggestionStore(store.engine).decide(suggestion_id=suggestion_id, status="rejected", now=now)
    return go("/admin/sources", done="rejected")


# Events: held, hidden, corrected


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    nonce = auth.session_nonce(settings, request)
    if nonce is None:
        return go("/admin/sign-in")
    curation = CurationStore(store.engine)
    q = request.query_params.get("q", "").strip()[:200]
    found = store.search(query=EventQuery(q=q, limit=SEARCH_LIMIT)) if q else []
    return page(
        "admin/events.html",
        settings,
        q=q,
        found=[event_view(event) for event in found],
        held=curation.held(),
        hidden=curation.hidden(),
        corrections=[c for c in curation.corrections() if not c.hidden][:50],
        **context(request, settings, nonce),
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(event_id: str, request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    nonce = auth.session_nonce(settings, request)
    if nonce is None:
        return go("/admin/sign-in")
    event, held = _event(store, event_id)
    if event is None:
        return refused(settings, text.NOT_AN_EVENT, status=404)
    return page(
        "admin/event.html",
        settings,
        event=event_view(event),
        kind=event.kind.value,
        sector=event.sectors[0] if event.sectors else "",
        held=held,
        kinds=[(kind.value, label) for kind, label in KIND_CHOICE_LABELS.items()],
        sectors=[(sector.slug, sector.label) for sector in get_taxonomy()],
        **context(request, settings, nonce),
    )


def _event(store: EventStore, event_id: str) -> tuple[Any, bool]:
    """The stored event, else the held one; and whether it is held."""
    if not EVENT_ID.fullmatch(event_id):
        return None, False
    event = store.get(event_id=event_id)
    if event is not None:
        return event, False
    held = CurationStore(store.engine).held_event(event_id=event_id)
    return held, held is not None


@router.post("/events/{event_id}/correct", response_class=HTMLResponse)
async def correct_event(
    event_id: str, request: Request, settings: SettingsDep, store: StoreDep, now: NowDep
) -> Response:
    form, refusal = await signed_form(request, settings)
    if refusal is not None or form is None:
        return refusal or refused(settings, text.FORM_EXPIRED)
    kinds = {kind.value: kind for kind in Kind}
    sector = form.get("sector", "")
    kind = kinds.get(form.get("kind", ""))
    sectors = [sector] if sector in set(get_taxonomy().slugs) else None
    done = CurationStore(store.engine).correct(
        event_id=event_id, kind=kind, sectors=sectors, now=now
    )
    if done is None and _event(store, event_id)[0] is None:
        return refused(settings, text.NOT_AN_EVENT, status=404)
    return go(f"/admin/events/{event_id}", done="corrected")


def _event_action(action: str) -> Callable[..., Any]:
    async def handler(
        event_id: str, request: Request, settings: SettingsDep, store: StoreDep, now: NowDep
    ) -> Response:
        _, refusal = await signed_form(request, settings)
        if refusal is not None:
            return refusal
        curation = CurationStore(store.engine)
        outcome: object = {
            "approve": curation.approve,
            "hide": curation.hide,
            "unhide": curation.unhide,
        }[action](event_id=event_id, now=now)
        if not outcome:
            return refused(settings, text.NOT_AN_EVENT, status=404)
        done = {"approve": "approved", "hide": "hidden", "unhide": "unhidden"}[action]
        return go("/admin/events", done=done)

    return handler


for _action in ("approve", "hide", "unhide"):
    router.add_api_route(
        f"/events/{{event_id}}/{_action}",
        _event_action(_action),
        methods=["POST"],
        response_class=HTMLResponse,
    )


# The visitors' suggestion form


@suggest_router.get("/suggest", response_class=HTMLResponse)
def suggest_page(settings: SettingsDep) -> HTMLResponse:
    return render(
        "suggest.html", recording=recording_banner(settings), address="", note="", error=None
    )


@suggest_router.post("/suggest", response_class=HTMLResponse)
async def suggest_calendar(
    request: Request, settings: SettingsDep, store: StoreDep, now: NowDep
) -> HTMLResponse:
    """Keep a visitor's suggested address for the operator; nothing is fetched now."""
    banner = recording_banner(settings)
    if not auth.same_origin(request, settings):
        return render("admin/refused.html", status=403, recording=banner, message=text.FORM_EXPIRED)
    form = await read_form(request)
    if form is None:
        return render("admin/refused.html", status=415, recording=banner, message=text.FORM_EXPIRED)
    address, note = form.get("address", "")[:2100], form.get("note", "")[:600]

    def again(error: str, status: int) -> HTMLResponse:
        return render(
            "suggest.html", status=status, recording=banner, address=address, note=note, error=error
        )

    try:
        check_address(address, allow=settings.fetch_allow)
    except AddressError as exc:
        return again(str(exc), 422)
    limiter: StoreLimiter = request.app.state.suggest_limiter
    if limiter.take(request.client.host if request.client else "unknown"):
        return again(text.SUGGEST_TOO_MANY, 429)
    try:
        kept = await run_in_threadpool(
            suggest,
            SuggestionStore(store.engine),
            address=address,
            note=note,
            allow=settings.fetch_allow,
            now=now,
        )
    except SuggestionsFull:
        return again(text.SUGGEST_FULL, 503)
    return render(
        "suggested.html", recording=banner, message=text.SUGGEST_THANKS.format(url=kept.url)
    )
