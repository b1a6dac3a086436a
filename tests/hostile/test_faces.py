"""The iCalendar-injection and markup corpora through every face that shows an event.

Each text of ``HOSTILE`` and ``MARKUP`` fills every text field of one event
(title, description, organizer, venue, the reason for its sector), and each
address of ``MARKUP_URLS`` is one event's link. Every face is read twice,
over a store of these events and over the same events in plain words, and
compared: hostile text may change words, never structure. A page has no
element, attribute or script the plain page lacks and no link to a script
address; a calendar has no component or property the plain one lacks; Atom
parses as XML; a JSON feed as JSON; a CSV cell never starts a formula; plain
text and the terminal get no control characters.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from markdown_it import MarkdownIt

from service.app import create_app
from service.model import Event
from service.settings import Settings
from service.store import EventStore, make_engine, migrate
from tests.factories import HOSTILE, MARKUP, MARKUP_URLS, NOW, hostile_event

CORPUS = {
    **{name: words for name, words in HOSTILE.items() if name != "lone-surrogate"},
    **MARKUP,
}
SEARCH = "near=Berlin&radius_km=50"
SAFE_SCHEMES = ("http:", "https:", "mailto:", "webcal:", "/", "#", "?")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcset"}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def events(words: dict[str, str]) -> list[Event]:
    """One event per corpus text, and one per script address, keyed by name."""
    made = [hostile_event(name, text) for name, text in words.items()]
    made += [
        hostile_event(f"url-{name}", f"Link {name}", url=url, source_url=url)
        for name, url in MARKUP_URLS.items()
    ]
    return made


HOSTILE_EVENTS = events(CORPUS)
PLAIN_EVENTS = events({name: f"Plain words {index}" for index, name in enumerate(CORPUS)})


def seeded_settings(folder: Path, made: list[Event]) -> Settings:
    settings = Settings(
        database_url=f"sqlite:///{folder / 'meetscout.db'}",
        sources=folder / "sources.toml",
        base_url="http://testserver",
    )
    engine = make_engine(settings.database_url)
    migrate(engine)
    EventStore(engine).upsert_many(made, now=NOW)
    engine.dispose()
    return settings


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Settings]:
    return {
        "hostile": seeded_settings(tmp_path_factory.mktemp("hostile"), HOSTILE_EVENTS),
        "plain": seeded_settings(tmp_path_factory.mktemp("plain"), PLAIN_EVENTS),
    }


@pytest.fixture(scope="module")
def clients(stores: dict[str, Settings]) -> Iterator[dict[str, TestClient]]:
    with (
        TestClient(create_app(stores["hostile"], clock=lambda: NOW)) as hostile,
        TestClient(create_app(stores["plain"], clock=lambda: NOW)) as plain,
    ):
        yield {"hostile": hostile, "plain": plain}


class Shape(HTMLParser):
    """What a page is made of: (element, attribute) pairs, addresses, scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: set[tuple[str, str]] = set()
        self.urls: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.pairs.add((tag, ""))
        for name, value in attrs:
            self.pairs.add((tag, name))
            if name in URL_ATTRIBUTES and value is not None:
                self.urls.append(value)
        if tag == "script":
            self._script, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None


def assert_same_shape(hostile: str, plain: str) -> None:
    """Hostile text added nothing to the page that the same page in plain words lacks."""
    seen, expected = Shape(hostile), Shape(plain)
    assert seen.pairs <= expected.pairs, sorted(seen.pairs - expected.pairs)
    assert not [pair for pair in seen.pairs if pair[1].startswith("on")]
    for url in seen.urls:
        compact = re.sub(r"[\x00-\x20]", "", url).lower()
        assert compact.startswith(SAFE_SCHEMES) or ":" not in compact.split("/")[0], url
    assert len(seen.scripts) == len(expected.scripts)
    for attrs, body in seen.scripts:
        if attrs.get("src") is None:
            assert attrs.get("type") == "application/ld+json"
            json.loads(body)
            assert "</" not in body


def get_both(clients: dict[str, TestClient], path: str) -> tuple[str, str]:
    answers = {name: client.get(path) for name, client in clients.items()}
    for name, answer in answers.items():
        assert answer.status_code == 200, (name, path, answer.text[:300])
    return answers["hostile"].text, answers["plain"].text


PAGES = {
    "search page": f"/?{SEARCH}",
    "embed": f"/embed?{SEARCH}",
    "digest page": f"/digest?{SEARCH}",
    "digest HTML": f"/digest?{SEARCH}&format=html",
}


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES)
def test_pages_show_hostile_text_as_text(clients: dict[str, TestClient], path: str) -> None:
    hostile, plain = get_both(clients, path)
    assert_same_shape(hostile, plain)


@pytest.mark.parametrize("event", HOSTILE_EVENTS, ids=lambda event: event.id)
def test_event_page_shows_hostile_text_as_text(
    clients: dict[str, TestClient], event: Event
) -> None:
    hostile, plain = get_both(clients, f"/e/{event.id}")
    assert_same_shape(hostile, plain)


def calendar_shape(body: str) -> tuple[list[str], set[tuple[str, str]]]:
    calendar = Calendar.from_ical(body)
    components = [component.name for component in calendar.walk()]
    properties = {(component.name, name) for component in calendar.walk() for name in component}
    return components, properties


@pytest.mark.parametrize("path", ["/feeds/events.ics", f"/feeds/events.ics?{SEARCH}"])
def test_calendar_feed_keeps_every_text_in_its_property(
    clients: dict[str, TestClient], path: str
) -> None:
    hostile, plain = get_both(clients, path)
    components, properties = calendar_shape(hostile)
    plain_components, plain_properties = calendar_shape(plain)
    assert sorted(components) == sorted(plain_components)
    assert components.count("VEVENT") == len(HOSTILE_EVENTS)
    assert properties <= plain_properties, sorted(properties - plain_properties)


@pytest.mark.parametrize("event", HOSTILE_EVENTS, ids=lambda event: event.id)
def test_event_calendar_file_is_one_event(clients: dict[str, TestClient], event: Event) -> None:
    hostile, plain = get_both(clients, f"/events/{event.id}.ics")
    components, properties = calendar_shape(hostile)
    assert components == calendar_shape(plain)[0]
    assert components.count("VEVENT") == 1
    assert properties <= calendar_shape(plain)[1]


def test_atom_feed_is_xml_and_its_html_is_text(clients: dict[str, TestClient]) -> None:
    hostile, plain = get_both(clients, f"/feeds/events.atom?{SEARCH}")
    tree, plain_tree = ElementTree.fromstring(hostile), ElementTree.fromstring(plain)
    assert {element.tag for element in tree.iter()} <= {
        element.tag for element in plain_tree.iter()
    }
    atom = "{http://www.w3.org/2005/Atom}"
    assert len(tree.findall(f"{atom}entry")) == len(HOSTILE_EVENTS)
    plain_html = "".join(
        element.text or "" for element in plain_tree.iter() if element.get("type") == "html"
    )
    for element in tree.iter():
        if element.get("type") == "html":
            assert_same_shape(element.text or "", plain_html)


def test_json_feed_parses_and_its_html_is_text(clients: dict[str, TestClient]) -> None:
    hostile, plain = get_both(clients, f"/feeds/events.json?{SEARCH}")
    items = json.loads(hostile)["items"]
    plain_html = "".join(item.get("content_html", "") for item in json.loads(plain)["items"])
    assert len(items) == len(HOSTILE_EVENTS)
    for item in items:
        assert_same_shape(item.get("content_html", ""), plain_html)
        assert str(item.get("url", "https:")).lower().startswith(("http:", "https:"))


def test_csv_cells_never_start_a_formula(clients: dict[str, TestClient]) -> None:
    hostile, plain = get_both(clients, f"/feeds/events.csv?{SEARCH}")
    rows = list(csv.reader(io.StringIO(hostile)))
    assert len(rows) == len(list(csv.reader(io.StringIO(plain))))
    for row in rows:
        assert len(row) == len(rows[0])
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell[:40]


@pytest.mark.parametrize("face", ["text", "md"])
def test_digest_text_has_no_control_characters(clients: dict[str, TestClient], face: str) -> None:
    hostile, plain = get_both(clients, f"/digest?{SEARCH}&format={face}")
    assert not CONTROL.search(hostile), repr(CONTROL.search(hostile))
    if face == "md":
        renderer = MarkdownIt("commonmark")
        assert_same_shape(renderer.render(hostile), renderer.render(plain))


def test_cli_table_prints_hostile_text_as_text(stores: dict[str, Settings]) -> None:
    env = {
        **os.environ,
        "MEETSCOUT_DATABASE_URL": stores["hostile"].database_url,
        "MEETSCOUT_REPLAY_AT": NOW.isoformat(),
        "COLUMNS": "250",
    }
    done = subprocess.run(
        [sys.executable, "-m", "service", "search", "--near", "Berlin", "--limit", "100"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not CONTROL.search(done.stdout), repr(CONTROL.search(done.stdout))
    # Markup in a title is shown, not applied: its brackets are still there.
    assert "[bold red]" in done.stdout
