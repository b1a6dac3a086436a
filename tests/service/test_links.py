"""The links every result carries: the fast query string must be ``urlencode``'s, byte for byte."""

from __future__ import annotations

from dataclasses import fields
from urllib.parse import parse_qsl, urlencode, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from service.api.schemas import VenueOut
from service.links import google_calendar_url, query_string
from service.model import Venue
from tests.factories import NOW, make_event


@given(st.lists(st.tuples(st.text(max_size=40), st.text(max_size=80)), max_size=6))
def test_query_string_is_urlencode(params: list[tuple[str, str]]) -> None:
    assert query_string(params) == urlencode(params)


def test_query_string_quotes_what_would_break_a_link() -> None:
    encoded = query_string([("text", "Tea & talk = 100% fun?#1 <b>"), ("ctz", "America/Toronto")])
    assert encoded == "text=Tea+%26+talk+%3D+100%25+fun%3F%231+%3Cb%3E&ctz=America%2FToronto"
    assert query_string([("text", "Café Zürich ☕")]) == "text=Caf%C3%A9+Z%C3%BCrich+%E2%98%95"


def test_google_calendar_link_round_trips_the_title() -> None:
    event = make_event(
        title="Book signing: Ünïcode & friends #2",
        start=NOW,
        timezone="Europe/Berlin",
        venue=Venue(name="Buchhandlung", city="Berlin"),
    )
    query = dict(parse_qsl(urlsplit(google_calendar_url(event)).query))
    assert query["text"] == "Book signing: Ünïcode & friends #2"
    assert query["action"] == "TEMPLATE"


def test_the_api_venue_has_every_field_of_the_model_venue() -> None:
    assert list(VenueOut.model_fields) == [field.name for field in fields(Venue)]
