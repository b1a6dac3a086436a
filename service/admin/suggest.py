"""A visitor suggests a calendar: the address is checked and kept, nothing is fetched.

The operator accepts a suggestion (then runs the discovery on it, as for an
address typed on the sources page) or rejects it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from service.admin.addresses import check_address
from service.store import Suggestion, SuggestionStore

MAX_NOTE = 500
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def suggest(
    store: SuggestionStore, *, address: str, note: str, allow: Iterable[str], now: datetime
) -> Suggestion:
    """Keep a suggestion; :class:`service.admin.addresses.AddressError` for a bad address,
    :class:`service.store.SuggestionsFull` when too many wait."""
    url = check_address(address, allow=allow)
    cleaned = CONTROL.sub("", note).strip()[:MAX_NOTE] or None
    return store.add(url=url, note=cleaned, now=now)
