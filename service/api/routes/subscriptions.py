"""``/subscriptions``: the weekly digest by email, double opt-in, one-click unsubscribe.

The token in every URL is the only key to a subscription; the address is
never shown. Confirming and unsubscribing are POSTs (a page with a button
answers the GET), because mail scanners follow every link in a message and
must not confirm or cancel anything by doing so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from feeds.digest import render_atom, render_notice
from service.api.digest_formats import DIGEST_RESPONSES, DigestFormat, digest_response
from service.api.openapi_docs import link
from service.digest.compile import subscription_digest
from service.digest.compose import (
    digest_links,
    public_key,
    subscription_links,
)
from service.digest.subscribe import CONFIRM_WITHIN, SignUp, SubscribeError, locate, subscribe
from service.http.deps import NowDep, SearchCacheDep, SettingsDep, StoreDep
from service.http.ratelimit import TOO_MANY, wait_for
from service.http.subscription_schemas import (
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionLinksOut,
    SubscriptionOut,
    SubscriptionPatch,
    mask_email,
)
from service.model import Subscription
from service.store import SubscriptionStore

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])

ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"

Token = Annotated[
    str,
    Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="From the 201."),
]


BY_TOKEN = "$response.body#/token"
SUBSCRIPTION_LINKS = {
    "GetSubscription": link("/subscriptions/{token}", "get", "Read it.", token=BY_TOKEN),
    "UpdateSubscription": link("/subscriptions/{token}", "patch", "Change it.", token=BY_TOKEN),
    "DeleteSubscription": link("/subscriptions/{token}", "delete", "Forget it.", token=BY_TOKEN),
    "ConfirmPage": link(
        "/subscriptions/{token}/confirm", "get", "The email's confirmation page.", token=BY_TOKEN
    ),
    "Confirm": link(
        "/subscriptions/{token}/confirm", "post", "Confirm with the email's code.", token=BY_TOKEN
    ),
    "UnsubscribePage": link(
        "/subscriptions/{token}/unsubscribe", "get", "The unsubscribe page.", token=BY_TOKEN
    ),
    "Unsubscribe": link(
        "/subscriptions/{token}/unsubscribe", "post", "Unsubscribe.", token=BY_TOKEN
    ),
    "Digest": link("/subscriptions/{token}/digest", "get", "This week's digest.", token=BY_TOKEN),
    "DigestFeed": link(
        "/subscriptions/{token}/digest.atom", "get", "The digest as Atom.", token=BY_TOKEN
    ),
    "ListFollows": link(
        "/subscriptions/{token}/hosts", "get", "The hosts it follows.", token=BY_TOKEN
    ),
    "FollowHost": link("/subscriptions/{token}/hosts", "post", "Follow a host.", token=BY_TOKEN),
}
"""Where a client goes from a new subscription: every operation its token opens."""
CANCELLED = {"description": "The subscription was cancelled (unsubscribed)."}


def subscription_store(store: StoreDep) -> SubscriptionStore:
    return SubscriptionStore(store.engine)


SubscriptionsDep = Annotated[SubscriptionStore, Depends(subscription_store)]


def rate_limited(request: Request) -> None:
    """One token per request from this client; 429 with Retry-After when the bucket is empty."""
    wait = wait_for(request)
    if wait:
        raise HTTPException(429, TOO_MANY, headers={"Retry-After": str(int(wait))})


def _body_error(field: str, message: str, value: object = None) -> HTTPException:
    error = {"type": "value_error", "loc": ["body", field], "msg": message, "input": value}
    return HTTPException(status_code=422, detail=[error])


def _refused(exc: SubscribeError, body: SubscriptionIn | SubscriptionPatch) -> HTTPException:
    """The HTTP answer to a refused sign-up or change."""
    if exc.parameter is not None:
        return _body_error(exc.parameter, exc.message, getattr(body, exc.parameter, None))
    if exc.reason == "pending":
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return HTTPException(429, exc.message, headers=headers)
    return HTTPException(503, exc.message)


def _out(subscription: Subscription, base_url: str) -> SubscriptionOut:
    links = subscription_links(base_url, subscription.token)
    return SubscriptionOut(
        status=subscription.status,
        email=mask_email(subscription.email),
        near=subscription.near,
        lat=subscription.lat,
        lon=subscription.lon,
        radius_km=subscription.radius_km,
        timezone=subscription.timezone,
        sectors=list(subscription.sectors),
        kinds=list(subscription.kinds),
        attendance=list(subscription.attendance),
        free_times=list(subscription.free_times),
        created=subscription.created,
        confirmed=subscription.confirmed,
        unsubscribed=subscription.unsubscribed,
        links=SubscriptionLinksOut(
            self=links.manage, digest=links.page, feed=links.feed, unsubscribe=links.unsubscribe
        ),
    )


def _get(subscriptions: SubscriptionStore, token: str) -> Subscription:
    subscription = subscriptions.get(token=token)
    if subscription is None:
        raise HTTPException(404, "no such subscription")
    return subscription


@router.post(
    "",
    status_code=201,
    response_model=SubscriptionCreated,
    dependencies=[Depends(rate_limited)],
    responses={
        201: {"links": SUBSCRIPTION_LINKS},
        429: {"description": "Too many from this client"},
        503: {"description": "No mail"},
    },
)
def create_subscription(
    body: SubscriptionIn,
    response: Response,
    subscriptions: SubscriptionsDep,
    settings: SettingsDep,
    now: NowDep,
) -> SubscriptionCreated:
    """Subscribe to the weekly digest; a confirmation email goes out first.

    Nothing else is sent until its link is followed (double opt-in).
    """
    wish = SignUp(
        email=body.email,
        near=body.near,
        lat=body.lat,
        lon=body.lon,
        timezone=body.timezone,
        radius_km=body.radius_km,
        sectors=body.sectors,
        kinds=body.kinds,
        attendance=body.attendance,
        free_times=body.free_times,
    )
    try:
        subscription = subscribe(subscriptions, settings, wish, now=now)
    except SubscribeError as exc:
        raise _refused(exc, body) from exc
    response.headers["Location"] = subscription_links(settings.base_url, subscription.token).manage
    return SubscriptionCreated(
        token=subscription.token,
        message="Check your inbox: the digest starts once you confirm.",
        subscription=_out(subscription, settings.base_url),
    )


@router.get("/{token}", response_model=SubscriptionOut)
def get_subscription(
    token: Token, subscriptions: SubscriptionsDep, settings: SettingsDep
) -> SubscriptionOut:
    """What the subscription asks for and where it stands; the address only masked."""
    return _out(_get(subscriptions, token), settings.base_url)


@router.patch("/{token}", response_model=SubscriptionOut)
def update_subscription(
    token: Token,
    body: SubscriptionPatch,
    subscriptions: SubscriptionsDep,
    settings: SettingsDep,
    now: NowDep,
) -> SubscriptionOut:
    """Change the place, radius, filters or free times; fields left out stay as they are."""
    subscription = _get(subscriptions, token)
    changes: dict[str, object] = {}
    if body.near is not None or body.lat is not None:
        try:
            where = locate(body.near, body.lat, body.lon, body.timezone)
        except SubscribeError as exc:
            raise _refused(exc, body) from exc
        changes.update(near=where.label, lat=where.lat, lon=where.lon, timezone=where.timezone)
    elif body.timezone is not None:
        changes["timezone"] = body.timezone
    if body.radius_km is not None:
        changes["radius_km"] = body.radius_km
    for name in ("sectors", "kinds", "attendance", "free_times"):
        value = getattr(body, name)
        if value is not None:
            changes[name] = tuple(dict.fromkeys(value))
    if changes:
        subscription = subscriptions.update_preferences(
            subscription=replace(subscription, **changes),  # type: ignore[arg-type]
            now=now,
        )
    return _out(subscription, settings.base_url)


@router.delete("/{token}", status_code=204, response_class=Response)
def delete_subscription(token: Token, subscriptions: SubscriptionsDep) -> Response:
    """Forget the subscription entirely: its address and every record of what was sent."""
    if not subscriptions.delete(token=token):
        raise HTTPException(404, "no such subscription")
    return Response(status_code=204)


def _page(
    title: str,
    *paragraphs: str,
    status: int = 200,
    action: str | None = None,
    button: str | None = None,
) -> HTMLResponse:
    return HTMLResponse(
        render_notice(title, paragraphs, action=action, button=button),
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


CodeQuery = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/{token}/confirm", response_class=HTMLResponse)
def confirm_page(
    token: Token, code: CodeQuery, subscriptions: SubscriptionsDep, settings: SettingsDep
) -> HTMLResponse:
    """The link in the confirmation email: a page whose button confirms."""
    subscription = _get(subscriptions, token)
    if subscription.confirmed is not None:
        return _page("Already confirmed", "Your weekly digest is on its way every week.")
    links = subscription_links(settings.base_url, token, code=code)
    return _page(
        "Confirm your weekly digest",
        f"One place a week to meet someone new near {subscription.place_label}.",
        action=links.confirm,
        button="Confirm",
    )


@router.post(
    "/{token}/confirm",
    response_class=HTMLResponse,
    responses={400: {"description": "The code is wrong or has expired."}},
)
def confirm_subscription(
    token: Token, code: CodeQuery, subscriptions: SubscriptionsDep, now: NowDep
) -> HTMLResponse:
    """Confirm with the code from the email (double opt-in)."""
    _get(subscriptions, token)
    if not subscriptions.confirm(token=token, code=code, now=now, valid_for=CONFIRM_WITHIN):
        return _page(
            "This link does not work",
            "The confirmation code is wrong or has expired. Subscribe again to get a new one.",
            status=400,
        )
    return _page(
        "Confirmed",
        "Your first digest comes with the next weekly run: one place to meet someone new.",
    )


@router.get("/{token}/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(
    token: Token, subscriptions: SubscriptionsDep, settings: SettingsDep
) -> HTMLResponse:
    """The unsubscribe link: a page whose button unsubscribes."""
    subscription = _get(subscriptions, token)
    if subscription.unsubscribed is not None:
        return _page("Unsubscribed", "No more digests will be sent.")
    links = subscription_links(settings.base_url, token)
    return _page(
        "Unsubscribe from the weekly digest?",
        "No more digests will be sent to this address.",
        action=links.unsubscribe,
        button="Unsubscribe",
    )


@router.post("/{token}/unsubscribe", response_class=HTMLResponse)
def unsubscribe(token: Token, subscriptions: SubscriptionsDep, now: NowDep) -> HTMLResponse:
    """One-click unsubscribe (RFC 8058): mail apps POST ``List-Unsubscribe=One-Click`` here."""
    if subscriptions.unsubscribe(token=token, now=now) is None:
        raise HTTPException(404, "no such subscription")
    return _page("Unsubscribed", "No more digests will be sent.")


@router.get("/{token}/digest", response_model=None, responses=DIGEST_RESPONSES)
def subscription_digest_page(
    token: Token,
    subscriptions: SubscriptionsDep,
    store: StoreDep,
    cache: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
    format: Annotated[DigestFormat, Query(description="html, text, md or json.")] = "html",
) -> Response:
    """This week's digest for the subscription, as the email shows it."""
    subscription = _get(subscriptions, token)
    digest = subscription_digest(
        store, subscriptions, subscription, now=now, weights=settings.score_weights, cache=cache
    )
    return digest_response(digest, digest_links(settings.base_url, subscription, digest), format)


@router.get(
    "/{token}/digest.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, 410: CANCELLED},
)
def subscription_digest_feed(
    token: Token,
    subscriptions: SubscriptionsDep,
    store: StoreDep,
    cache: SearchCacheDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """The weekly digest as an Atom feed: one entry per week, the same id all week."""
    subscription = _get(subscriptions, token)
    if subscription.unsubscribed is not None:
        raise HTTPException(410, "this subscription was cancelled")
    digest = subscription_digest(
        store, subscriptions, subscription, now=now, weights=settings.score_weights, cache=cache
    )
    links = digest_links(settings.base_url, subscription, digest)
    body = render_atom(
        [digest], feed_key=public_key(subscription), self_url=links.feed or "", links=links
    )
    return Response(body, media_type=ATOM_MEDIA_TYPE, headers={"Cache-Control": "no-cache"})
