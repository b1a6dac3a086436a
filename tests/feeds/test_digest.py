"""The digest renderers, checked by parsing what they write: HTML, Atom, Markdown, JSON, text."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from lxml import etree

from feeds.digest import (
    DigestLinks,
    markdown_escape,
    render_atom,
    render_html,
    render_json,
    render_markdown,
    render_notice,
    render_text,
)
from service.digest.build import PreviousDigest, build_digest
from service.model import Attendance, Digest, Event, FreeTime, Kind, ListedEvent, Status, Venue
from service.search import SearchResult
from service.text.labels import KIND_LABELS
from tests.factories import berlin_meetup

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
SCRIPT = "<script>alert(1)</script>"
LINKS = DigestLinks(
    page="https://meetscout.test/subscriptions/tok/digest",
    manage="https://meetscout.test/subscriptions/tok",
    unsubscribe="https://meetscout.test/subscriptions/tok/unsubscribe",
    feed="https://meetscout.test/subscriptions/tok/digest.atom",
)


def event(number: int, title: str, **changes: object) -> Event:
    """PyBerlin's meetup ``e{number}`` on the (8 + number)th, first seen the day before NOW."""
    values: dict[str, object] = {
        "title": title,
        "sectors": ["technology"],
        "organizer": "PyBerlin",
        "first_seen": NOW - timedelta(days=1),
        "updated": NOW - timedelta(hours=number),
    }
    return berlin_meetup(number, day=8 + number, **(values | changes))


@pytest.fixture
def digest() -> Digest:
    hostile = event(
        0,
        SCRIPT,
        organizer='"><img src=x onerror=alert(2)>',
        url="javascript:alert(3)",
        venue=Venue(name="<b>Hall</b>", city="Berlin", lat=52.5, lon=13.4),
    )
    results = [
        SearchResult(hostile, 1.5, 0.9, ["<i>close</i>"]),
        SearchResult(event(1, "PyData *Berlin* [meetup](https://evil.example)"), 3.0, 0.8, []),
        SearchResult(event(2, "Line\r\nBcc: victim@example.org"), 4.0, 0.7, []),
        SearchResult(event(3, "Online hour", attendance=Attendance.ONLINE), None, 0.6, []),
    ]
    went = event(4, "Last week's meetup", start=datetime(2026, 12, 2, 17, tzinfo=UTC))
    previous = PreviousDigest(
        week="2026-W49",
        sent_at=NOW - timedelta(days=7),
        items=(ListedEvent("e4", went.title, went.start, 0, Status.SCHEDULED, "top_pick"),),
    )
    return build_digest(
        results,
        now=NOW,
        timezone="Europe/Berlin",
        place="Berlin, Germany",
        radius_km=25.0,
        sectors=["technology"],
        free_times=[FreeTime.WEEKDAY_EVENINGS],
        previous=previous,
        current={"e4": went},
    )


def text_of(html: str) -> str:
    return str(lxml.html.fromstring(html).text_content())


def assert_inert(document: lxml.html.HtmlElement) -> None:
    """No script, no event-handler attribute, no link that is not http(s)."""
    assert document.xpath("//script") == []
    assert document.xpath("//img") == []
    for element in document.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            if name == "href":
                assert value.startswith(("https://", "http://")), value


def test_render_html_shows_markup_in_titles_as_text(digest: Digest) -> None:
    html = render_html(digest, LINKS)
    document = lxml.html.fromstring(html)
    assert_inert(document)
    assert SCRIPT in document.text_content()
    assert '"><img src=x onerror=alert(2)>' in document.text_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_render_html_has_the_sections_a_person_acts_on(digest: Digest) -> None:
    text = text_of(render_html(digest, LINKS))
    for heading in ("Top pick", "Alternates", "Follow up on last week"):
        assert heading in text
    assert "Who do you know that you think I should meet?" in text
    assert "résumé" in text
    assert "Last week's meetup" in text
    document = lxml.html.fromstring(render_html(digest, LINKS))
    assert document.xpath("//a[@href=$url]", url=LINKS.unsubscribe)


def test_render_html_never_links_a_javascript_url(digest: Digest) -> None:
    html = render_html(digest, LINKS)
    assert "javascript:" not in html


def test_render_text_keeps_every_title_on_one_line(digest: Digest) -> None:
    text = render_text(digest, LINKS)
    assert "Line Bcc: victim@example.org" in text
    assert not any(line.startswith("Bcc:") for line in text.splitlines())
    assert "\r" not in text
    assert "TOP PICK" in text and "ALTERNATES" in text
    assert f"Unsubscribe: {LINKS.unsubscribe}" in text


def test_render_markdown_escapes_links_emphasis_and_html(digest: Digest) -> None:
    md = render_markdown(digest, LINKS)
    assert "PyData \\*Berlin\\* \\[meetup\\](https://evil.example)" in md
    assert "\\<script\\>" in md
    assert "](javascript:" not in md
    assert "<script>" not in md


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("1. Not a list", "1\\. Not a list"),
        ("- not a bullet", "\\- not a bullet"),
        ("# not a heading", "\\# not a heading"),
        ("a_b*c`d", "a\\_b\\*c\\`d"),
        ("2026 Summit", "2026 Summit"),
    ],
)
def test_markdown_escape(raw: str, escaped: str) -> None:
    assert markdown_escape(raw) == escaped


def test_render_json_round_trips_with_local_times(digest: Digest) -> None:
    data = json.loads(render_json(digest, LINKS))
    assert data["week"] == "2026-W50"
    assert data["timezone"] == "Europe/Berlin"
    top = data["top_pick"]
    assert top["title"] == SCRIPT
    assert top["url"] is None
    assert top["start"].endswith("+01:00")
    assert top["prepare"]["ask"] == "Who do you know that you think I should meet?"
    assert [item["id"] for item in data["alternates"]] == ["e1", "e2", "e3"]
    assert data["links"]["unsubscribe"] == LINKS.unsubscribe


def test_render_json_names_each_kind_as_the_page_and_the_feed_do() -> None:
    results = [
        SearchResult(event(number, f"A {kind.value}", kind=kind), 1.0, 0.9 - number / 10, [])
        for number, kind in enumerate(Kind)
    ]
    built = build_digest(results, now=NOW, timezone="Europe/Berlin", place="Berlin", radius_km=25)

    data = json.loads(render_json(built))

    shown = {item["title"]: item["kind"] for item in [data["top_pick"], *data["alternates"]]}
    assert shown == {f"A {kind.value}": KIND_LABELS[kind] for kind in Kind}
    assert shown["A other"] == "Event"


def parse_atom(body: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(body, parser)


def test_render_atom_is_atom_1_0_with_escaped_content(digest: Digest) -> None:
    body = render_atom([digest], feed_key="k1", self_url=LINKS.feed or "", links=LINKS)
    feed = parse_atom(body)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == LINKS.feed  # type: ignore[union-attr]
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    for name in ("id", "title", "updated", "content", "summary"):
        assert entry.find(f"{ATOM}{name}") is not None, name
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert stamp.match(entry.findtext(f"{ATOM}updated") or "")
    assert entry.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
    content = entry.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    assert entry.findtext(f"{ATOM}summary") == f"Top pick: {SCRIPT}"
    # Unescaped once by the XML parser, the content is HTML whose title is text.
    document = lxml.html.fromstring(content.text or "")
    assert_inert(document)
    assert SCRIPT in document.text_content()
    assert b"<script>" not in body


def test_render_atom_ids_are_stable_and_per_week(digest: Digest) -> None:
    first = parse_atom(render_atom([digest], feed_key="k1", self_url="https://x.test/a"))
    again = parse_atom(render_atom([digest], feed_key="k1", self_url="https://x.test/a"))
    other = parse_atom(render_atom([digest], feed_key="k2", self_url="https://x.test/a"))

    def ids(feed: etree._Element) -> list[str]:
        return [feed.findtext(f"{ATOM}id", "")] + [
            entry.findtext(f"{ATOM}id", "") for entry in feed.findall(f"{ATOM}entry")
        ]

    assert ids(first) == ids(again)
    assert set(ids(first)).isdisjoint(ids(other))
    assert first.findtext(f"{ATOM}updated") == again.findtext(f"{ATOM}updated")


def test_render_atom_drops_characters_xml_cannot_hold(digest: Digest) -> None:
    hostile = build_digest(
        [SearchResult(event(1, "Bell\x07 and NUL\x00"), 1.0, 0.9, [])],
        now=NOW,
        timezone="Europe/Berlin",
        place="Berlin\x0b",
        radius_km=25.0,
    )
    feed = parse_atom(render_atom([hostile], feed_key="k", self_url="https://x.test/a"))
    assert feed.findtext(f"{ATOM}entry/{ATOM}summary") == "Top pick: Bell and NUL"


def test_render_notice_page_escapes_and_posts_only_to_its_action() -> None:
    html = render_notice(
        "Unsubscribe?", [SCRIPT], action="/subscriptions/t/unsubscribe", button="Unsubscribe"
    )
    document = lxml.html.fromstring(html)
    assert document.xpath("//script") == []
    assert SCRIPT in document.text_content()
    forms = document.xpath("//form")
    assert [(form.get("method"), form.get("action")) for form in forms] == [
        ("post", "/subscriptions/t/unsubscribe")
    ]


def test_a_distance_is_said_once_beside_the_place_as_the_search_says_it() -> None:
    from service.search.rank import reasons

    near = event(1, "PyData Berlin", venue=Venue(name="Hall", city="Berlin", lat=52.5, lon=13.4))
    why = reasons(near, distance_km=0.39, now=NOW, near=True, sectors=["technology"])
    built = build_digest(
        [SearchResult(near, 0.39, 0.9, why)],
        now=NOW,
        timezone="Europe/Berlin",
        place="Berlin, Germany",
        radius_km=25.0,
        sectors=["technology"],
        free_times=[],
    )
    text = render_text(built, LINKS)

    assert "390 m away" in why
    assert "  Where: Hall, Berlin (390 m away)" in text.splitlines()
    assert text.count("390 m away") == 1
    assert "0.4 km" not in text
    assert "390 m away" in text_of(render_html(built, LINKS))
