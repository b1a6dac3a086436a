"""Pages about people: a host's page at ``/h/{slug}``, a person's private "I'm going" list
at ``/g/{token}``, and the forms that mark, unmark, delete and follow.

The going list is reached by an unguessable token: the page gives its link
to whoever marks an event, with no email needed, and keeps it in a cookie
(HttpOnly, SameSite=Strict) so that event pages can show "You're going".
Every form that changes something must come from this site (its Origin, when
sent) and, when it acts on the list the cookie opens, carry a check derived
from that list's token, which only a page served to its holder knows.
Nothing of a list is shown to anyone else.
"""

from __future__ import annotations

import hmac
import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import ImmutableMultiDict

from service import going as going_use
from service.going import GoingError
from service.hosts import host_profile
from service.http.deps import NowDep, SettingsDep, StoreDep
from service.links import absolute, webcal
from service.settings import Settings
from service.store import EventStore, GoingStore, HostStore, SubscriptionStore
from service.text import hosts as text
from service.text.advice import FOLLOW_UP_STEPS
from service.web.admin.forms import read_form
from service.web.going_state import (
    COOKIE,
    TOKEN,
    Visitor,
    form_check,
    note_text,
    same_origin,
    visitor,
)
from service.web.routes import EVENT_ID, PAGE_HEADERS, recording_banner, render
from service.web.view import event_view

router = APIRouter(include_in_schema=False)

COOKIE_DAYS = 365
SLUG = re.compile(r"[a-z0-9-]{1,80}")
PRIVATE_HEADERS = {
    **PAGE_HEADERS,
    # The token is in the address: it goes to no other site. (With no-referrer, browsers
    # would send "Origin: null" with the page's own forms.)
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def _set_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_DAYS * 86400,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.base_url.startswith("https://"),
    )


def _refused(status: int = 403) -> HTMLResponse:
    return render("message.html", status=status, title="Not done", text=text.FORM_REFUSED)


def _checked(form: ImmutableMultiDict[str, str] | None, token: str) -> bool:
    return form is not None and hmac.compare_digest(form.get("check", ""), form_check(token))


def _event_path(event_id: str, note: str | None = None) -> str:
    path = f"/e/{quote(event_id, safe='')}"
    return f"{path}?note={note}" if note else path


# Marking from the event page


@router.post("/g/mark", response_class=HTMLResponse)
async def mark_going(
    request: Request, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    """ "I'm going": on the list this browser holds, else on a new private list."""
    form = await read_form(request)
    if form is None or not same_origin(request, settings):
        return _refused()
    event_id = form.get("event_id", "")
    if not EVENT_ID.fullmatch(event_id):
        return _refused(400)
    holder = visitor(request, store, now)
    if holder is not None and not _checked(form, holder.token):
        return _refused()
    going = GoingStore(store.engine)
    try:
        found, _ = going_use.mark(
            going, store, event_id=event_id, token=holder.token if holder else None, now=now
        )
    except GoingError:
        return render("message.html", status=404, title="Not found", text=text.GOING_NOT_FOUND)
    response = RedirectResponse(_event_path(event_id, "marked"), status_code=303)
    if holder is None:
        _set_cookie(response, found.token, settings)
    return response


@router.post("/g/unmark", response_class=HTMLResponse)
async def unmark_going(
    request: Request, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    """Take an event off this browser's list; back to where the form was."""
    form = await read_form(request)
    holder = visitor(request, store, now)
    if form is None or holder is None or not same_origin(request, settings):
        return _refused()
    if not _checked(form, holder.token):
        return _refused()
    event_id = form.get("event_id", "")
    going_use.unmark(GoingStore(store.engine), token=holder.token, event_id=event_id, now=now)
    if form.get("back") == "list":
        return RedirectResponse(f"/g/{holder.token}?note=unmarked", status_code=303)
    return RedirectResponse(_event_path(event_id, "unmarked"), status_code=303)


# The private list


@router.get("/g/{token}", response_class=HTMLResponse)
def going_page(
    token: str, request: Request, store: StoreDep, settings: SettingsDep, now: NowDep
) -> HTMLResponse:
    """The private list: its events, its feed, one-click unmark and delete."""
    going = GoingStore(store.engine)
    found = going.find(token=token, now=now) if TOKEN.fullmatch(token) else None
    if found is None:
        missing = render(
            "message.html", status=404, title="No such list", text=text.GOING_NOT_FOUND
        )
        missing.headers.update(PRIVATE_HEADERS)
        return missing
    items = going_use.marked_events(going, store, found=found)
    upcoming = [item for item in items if item.event.effective_end > now]
    past = [item for item in items if item.event.effective_end <= now]
    feed = absolute(settings.base_url, f"/going/{token}.ics")
    response = render(
        "going.html",
        recording=recording_banner(settings),
        upcoming=[event_view(item.event) for item in upcoming],
        past=[event_view(item.event) for item in past],
        token=token,
        check=form_check(token),
        feed_url=feed,
        webcal_url=webcal(feed),
        note=note_text(request.query_params.get("note")),
        text=text,
        follow_up=FOLLOW_UP_STEPS,
        linked=found.subscription_id is not None,
    )
    response.headers.update(PRIVATE_HEADERS)
    if request.cookies.get(COOKIE) != token:
        _set_cookie(response, token, settings)
    return response


@router.post("/g/{token}/delete", response_class=HTMLResponse)
async def delete_going(
    token: str, request: Request, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    """Delete the list and every mark on it; the cookie goes too."""
    form = await read_form(request)
    if (
        not TOKEN.fullmatch(token)
        or not same_origin(request, settings)
        or not _checked(form, token)
    ):
        return _refused()
    try:
        going_use.delete(GoingStore(store.engine), token=token, now=now)
    except GoingError:
        return render("message.html", status=404, title="No such list", text=text.GOING_NOT_FOUND)
    response = render("message.html", title="Deleted", text=text.GOING_DELETED)
    response.headers.update(PRIVATE_HEADERS)
    response.delete_cookie(COOKIE, path="/")
    return response


# A host's page


def _subscription_id(store: EventStore, holder: Visitor | None, key: str | None) -> int | None:
    """The digest subscription a follow acts for: the cookie's list's, else the key typed."""
    if holder is not None and holder.going.subscription_id is not None:
        return holder.going.subscription_id
    if key and TOKEN.fullmatch(key):
        subscription = SubscriptionStore(store.engine).get(token=key)
        if subscription is not None and subscription.unsubscribed is None:
            return subscription.id
    return None


@router.get("/h/{slug}", response_class=HTMLResponse)
def host_page(
    slug: str, request: Request, store: StoreDep, settings: SettingsDep, now: NowDep
) -> HTMLResponse:
    """Who the host is, where to read about them, what they run, their feed, follow."""
    hosts = HostStore(store.engine)
    profile = host_profile(hosts, slug=slug, now=now) if SLUG.fullmatch(slug) else None
    if profile is None:
        return render(
            "message.html",
            status=404,
            title="We could not find that host",
            text="The link may be mistyped, or meetscout has not seen them in any source yet.",
        )
    holder = visitor(request, store, now)
    subscription_id = _subscription_id(store, holder, None)
    following = subscription_id is not None and any(
        host.slug == slug for host in hosts.followed(subscription_id=subscription_id)
    )
    feed = absolute(settings.base_url, f"/hosts/{slug}.ics")
    response = render(
        "host.html",
        recording=recording_banner(settings),
        profile=profile,
        name=profile.host.name,
        upcoming=[event_view(event) for event in profile.upcoming],
        recent=[event_view(event) for event in profile.recent],
        feed_url=feed,
        webcal_url=webcal(feed),
        json_url=f"/hosts/{slug}",
        check=holder.check if holder else "",
        linked=subscription_id is not None,
        following=following,
        note=_follow_note(request.query_params.get("note"), profile.host.name),
        text=text,
    )
    if holder is not None:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _follow_note(key: str | None, name: str) -> str | None:
    notes = {
        "followed": text.FOLLOWED,
        "unfollowed": text.UNFOLLOWED,
        "no_subscription": text.NO_SUBSCRIPTION,
    }
    return notes[key].format(name=name) if key in notes else None


@router.post("/h/{slug}/follow", response_class=HTMLResponse)
async def follow_host(
    slug: str, request: Request, store: StoreDep, settings: SettingsDep, now: NowDep
) -> Response:
    """Follow (or, with ``unfollow``, stop following) a host in the visitor's digest."""
    form = await read_form(request)
    if form is None or not SLUG.fullmatch(slug) or not same_origin(request, settings):
        return _refused()
    holder = visitor(request, store, now)
    acting_for_holder = holder is not None and holder.going.subscription_id is not None
    if acting_for_holder and holder is not None and not _checked(form, holder.token):
        return _refused()
    hosts = HostStore(store.engine)
    if hosts.get(slug=slug) is None:
        return _refused(404)
    subscription_id = _subscription_id(store, holder, (form.get("key") or "").strip())
    if subscription_id is None:
        return RedirectResponse(f"/h/{slug}?note=no_subscription#follow", status_code=303)
    if form.get("unfollow"):
        hosts.unfollow(subscription_id=subscription_id, slug=slug)
        return RedirectResponse(f"/h/{slug}?note=unfollowed#follow", status_code=303)
    hosts.follow(subscription_id=subscription_id, slug=slug, now=now)
    return RedirectResponse(f"/h/{slug}?note=followed#follow", status_code=303)


__all__ = ["router"]
