"""``/places``: place names for a search box's autocomplete, from the offline gazetteer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.present import place_out
from service.api.schemas import PlaceOut
from service.places.gazetteer import get_gazetteer
from service.search import MAX_QUERY_CHARS

router = APIRouter(prefix="/places", tags=["places"])

MAX_SUGGESTIONS = 20


@router.get("", response_model=list[PlaceOut])
def suggest_places(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_CHARS,
            description='What the person has typed so far: "Tor", "Portland, M", "Torontoo".',
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS, description="How many.")] = 8,
) -> list[PlaceOut]:
    """Places starting with (or spelt like) `q`, biggest first; pass one's `label` as `near`."""
    return [place_out(place) for place in get_gazetteer().suggest(q, limit=limit)]
