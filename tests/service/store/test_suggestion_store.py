"""Suggested calendars: kept once per address, decided once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.store import EventStore, SuggestionsFull, SuggestionStore
from service.store import suggestions as suggestions_module
from tests.factories import NOW


def test_a_suggestion_waits_until_decided(store: EventStore) -> None:
    suggestions = SuggestionStore(store.engine)
    first = suggestions.add(url="https://library.example/events", note="Our library", now=NOW)
    same = suggestions.add(url="https://library.example/events", note=None, now=NOW)

    assert same.id == first.id
    assert [s.url for s in suggestions.waiting()] == ["https://library.example/events"]
    assert suggestions.decide(suggestion_id=first.id, status="rejected", now=NOW)
    assert not suggestions.decide(suggestion_id=first.id, status="accepted", now=NOW)
    assert suggestions.waiting() == []
    decided = suggestions.get(suggestion_id=first.id)
    assert decided is not None and decided.status == "rejected"


def test_too_many_waiting_suggestions_are_refused(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suggestions_module, "MAX_WAITING", 2)
    suggestions = SuggestionStore(store.engine)
    for n in range(2):
        suggestions.add(url=f"https://e.example/{n}", note=None, now=NOW + timedelta(minutes=n))
    with pytest.raises(SuggestionsFull):
        suggestions.add(url="https://e.example/3", note=None, now=NOW)
