"""What searches keep between requests while the store is unchanged: one object, one owner.

The app makes one :class:`SearchCache` when it starts and hands it to every
search it runs (``app.state.search_cache``); a command that runs one search
passes none and reads everything afresh. Nothing is kept at module level.
"""

from __future__ import annotations

from service.search.facts import StoreFacts
from service.search.kept_events import KEPT_BYTES, KeptEvents


class SearchCache:
    """Search totals, the earliest start still running, the latest start, and the whole
    events of result pages (with what faces derive from them), kept per store version."""

    def __init__(self, *, keep: bool = True, events_bytes: int = KEPT_BYTES) -> None:
        self.facts = StoreFacts(watch=keep)
        self.events = KeptEvents(self.facts, max_bytes=events_bytes)

    @classmethod
    def nothing_kept(cls) -> SearchCache:
        """A cache that keeps nothing: every ask reads the store."""
        return cls(keep=False)

    def forget(self) -> None:
        """Drop what is kept: the next ask reads everything afresh."""
        self.facts.forget()
        self.events.forget()

    def close(self) -> None:
        """Forget everything and close the connections that watch the stores for changes."""
        self.events.forget()
        self.facts.close()
