"""What a browser's "I'm going" cookie opens, and the check its forms carry.

Kept apart from the pages so that the event page (``service.web.routes``) can
show a visitor their own mark without importing the pages that set it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

from service.model import GoingList
from service.settings import Settings
from service.store import EventStore, GoingStore
from service.text import hosts as text

COOKIE = "meetscout_going"
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def form_check(token: str) -> str:
    """The check a form acting on the list ``token`` opens carries."""
    return hmac.new(token.encode(), b"meetscout going form", hashlib.sha256).hexdigest()[:32]


def same_origin(request: Request, settings: Settings) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = urlsplit(origin).netloc.lower()
    return host in {request.headers.get("host", "").lower(), urlsplit(settings.base_url).netloc}


@dataclass(frozen=True, slots=True)
class Visitor:
    """The going list this browser holds (through its cookie), if any."""

    token: str
    going: GoingList

    @property
    def check(self) -> str:
        return form_check(self.token)


def visitor(request: Request, store: EventStore, now: datetime) -> Visitor | None:
    token = request.cookies.get(COOKIE, "")
    if not TOKEN.fullmatch(token):
        return None
    found = GoingStore(store.engine).find(token=token, now=now)
    return Visitor(token, found) if found is not None else None


@dataclass(frozen=True, slots=True)
class GoingState:
    """What the event page shows its visitor about going: only their own list."""

    marked: bool
    check: str
    list_path: str | None


def going_state(request: Request, store: EventStore, *, event_id: str, now: datetime) -> GoingState:
    """For the event page: whether this visitor marked the event, and their form check."""
    found = visitor(request, store, now)
    if found is None:
        return GoingState(marked=False, check="", list_path=None)
    marks = GoingStore(store.engine).marks(going=found.going)
    return GoingState(
        marked=any(mark.event_id == event_id for mark in marks),
        check=found.check,
        list_path=f"/g/{found.token}",
    )


NOTES = {"marked": text.GOING_MARKED, "unmarked": text.GOING_UNMARKED}
"""Said at the top of a page after a form: by key, so nothing a link carries is shown."""


def note_text(key: str | None) -> str | None:
    return NOTES.get(key or "")


def event_page_extras(
    request: Request, store: EventStore, *, event_id: str, host: str | None, now: datetime
) -> dict[str, Any]:
    """What the event page adds about people: the host's page, and the visitor's going."""
    state = going_state(request, store, event_id=event_id, now=now)
    return {
        "host_path": f"/h/{host}" if host else None,
        "going": state,
        "going_note": note_text(request.query_params.get("note")),
    }
