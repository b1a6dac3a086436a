"""The operator's sign-in: a cookie derived from the token, and a CSRF token per session.

The token itself never travels after the sign-in form: the session cookie
is ``nonce.HMAC(token, nonce)`` (HttpOnly, SameSite=Strict, scoped to
``/admin``), checked in constant time, so changing the token signs every
session out. Each state-changing form carries ``HMAC(token, "csrf:" +
nonce)``, which only a page served to that session knows, and must come
from this site (its Origin header, when sent). JSON clients send the token
as ``Authorization: Bearer``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request

from service.settings import Settings

COOKIE = "meetscout_admin"
COOKIE_PATH = "/admin"
SESSION_SECONDS = 12 * 3600


def _key(settings: Settings) -> bytes:
    assert settings.admin_token is not None
    return settings.admin_token.get_secret_value().encode()


def _mac(settings: Settings, message: str) -> str:
    return hmac.new(_key(settings), message.encode(), hashlib.sha256).hexdigest()


def token_matches(settings: Settings, given: str) -> bool:
    """Whether ``given`` is the operator's token, compared in constant time."""
    return settings.admin_token is not None and hmac.compare_digest(
        hashlib.sha256(given.encode()).digest(), hashlib.sha256(_key(settings)).digest()
    )


def new_session(settings: Settings) -> str:
    """A session cookie's value for a fresh sign-in."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_mac(settings, 'session:' + nonce)}"


def session_nonce(settings: Settings, request: Request) -> str | None:
    """The nonce of the request's valid session cookie, else None."""
    if settings.admin_token is None:
        return None
    value = request.cookies.get(COOKIE, "")
    nonce, _, mac = value.partition(".")
    if not nonce or not mac:
        return None
    if not hmac.compare_digest(mac, _mac(settings, "session:" + nonce)):
        return None
    return nonce


def bearer_ok(settings: Settings, request: Request) -> bool:
    """Whether the request carries the token as ``Authorization: Bearer``."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and token_matches(settings, given.strip())


def csrf_token(settings: Settings, nonce: str) -> str:
    return _mac(settings, "csrf:" + nonce)


def csrf_ok(settings: Settings, nonce: str, given: str) -> bool:
    return hmac.compare_digest(given, csrf_token(settings, nonce))


def same_origin(request: Request, settings: Settings) -> bool:
    """A form posted from another site is refused (an absent Origin is an old browser)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = urlsplit(origin).netloc.lower()
    allowed = {request.headers.get("host", "").lower(), urlsplit(settings.base_url).netloc.lower()}
    return bool(host) and host in allowed


def cookie_secure(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")
