"""Rebuild ``devset.csv``: real listings whose sector and kind come from their publisher.

Run from the repository root: ``python -m benchmarks.devset``.
It reads the shared real-data folders (``MEETSCOUT_REAL_DATA``, default
``../shared/fixtures/real``), a checkout of tbeason/financeconferences
(``FINANCE_CONFERENCES``) and one of judell/community-calendar
(``COMMUNITY_CALENDAR``, for ``formats.csv``), takes the listings of every source named in
``SOURCES`` in file order (one per distinct title, at most ``CAP`` per
source), and labels each with the sector(s) and kind its source's label maps
to. No listing is chosen or labelled by reading its text.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import icalendar
import yaml

from crawlers.ical_quirks import calendar_name
from crawlers.pipelines.normalize import clean_line

REAL = Path(os.environ.get("MEETSCOUT_REAL_DATA", "../shared/fixtures/real"))
FINANCE = Path(
    os.environ.get("FINANCE_CONFERENCES", "/work/.mirror/tbeason+financeconferences/repo")
)
FINANCE_COMMIT = "04e6c5230db207f21d7cd928381594da6e6a9409"
ARCHIVE = Path(os.environ.get("COMMUNITY_CALENDAR", "/work/.mirror/judell+community-calendar/repo"))
ARCHIVE_COMMIT = "a26c19a7a51b69795dca4faa15e6b3e9ecd87a59"
"""community-calendar's nightly archive of 2026-08-22, whose five cities the shared set holds
in part: the feeds it left out (too large, nothing upcoming, times rewritten upstream) give
``formats.csv``."""
OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sectors" / "devset.csv"
KINDS_OUT = OUT.with_name("kinds.csv")
FORMATS_OUT = OUT.with_name("formats.csv")
CALENDARS_OUT = OUT.with_name("calendars.csv")
"""Each iCalendar source's own name (RFC 7986 NAME, else X-WR-CALNAME) and producer (PRODID),
as a crawl reads them."""
CAP = 40
DESCRIPTION_CHARS = 600

# community-calendar feed -> (publisher's label as the manifest gives it, sectors, kind or "")
CC: dict[str, tuple[str, str, str]] = {
    # technology: Meetup and Luma groups whose platform topic is technology
    "asheville/meetup_avltech.ics": ("Meetup group: tech", "technology", "meetup"),
    "raleighdurham/meetup_data_science_nc.ics": ("Meetup group: tech", "technology", "meetup"),
    "raleighdurham/meetup_downtown_techies_durham.ics": (
        "Meetup group: tech",
        "technology",
        "meetup",
    ),
    "raleighdurham/meetup_durham_geeks.ics": ("Meetup group: tech", "technology", "meetup"),
    "toronto/meetup_microsoft_reactor_toronto.ics": ("Meetup group: tech", "technology", "meetup"),
    "toronto/meetup_toronto_tech_stack_exchange.ics": (
        "Meetup group: tech",
        "technology",
        "meetup",
    ),
    "raleighdurham/meetup_raleigh_ai_machine_learning_and_computer_vision_meetup.ics": (
        "Meetup group: tech",
        "technology",
        "meetup",
    ),
    "toronto/meetup_toronto_ai_machine_learning_data_science.ics": (
        "Meetup group: tech",
        "technology",
        "meetup",
    ),
    "raleighdurham/meetup_rdu_artificial_intelligence_meetup_group.ics": (
        "Meetup group: tech",
        "technology",
        "meetup",
    ),
    "montclair/meetup_nj_code_coffee.ics": ("Meetup group: tech", "technology", "meetup"),
    "toronto/meetup_toronto_postgres.ics": ("Meetup group: tech", "technology", "meetup"),
    "raleighdurham/meetup_trianglemodernweb.ics": ("Meetup group: tech", "technology", "meetup"),
    "montclair/meetup_cloud_data_driven.ics": ("Meetup group: tech", "technology", "meetup"),
    "toronto/luma_genai_collective.ics": ("Luma tech group", "technology", ""),
    "toronto/luma_techto_events.ics": ("Luma tech group", "technology", ""),
    # engineering: a faculty of engineering, hackerspaces and makerspaces
    "toronto/engineering_engineering_events.ics": (
        "university: faculty of engineering",
        "engineering-and-manufacturing;education",
        "",
    ),
    "raleighdurham/meetup_splatspace.ics": (
        "hackerspace",
        "engineering-and-manufacturing;technology",
        "meetup",
    ),
    "toronto/toronto_tool_library.ics": (
        "tool library / makerspace",
        "engineering-and-manufacturing",
        "",
    ),
    # healthcare
    "montclair/mhainspire.ics": ("health / mental health organisation", "healthcare", ""),
    "asheville/civicplus_buncombenc_35.ics": ("public health agency", "healthcare", ""),
    # education: school and school-district calendars
    "bloomington/rbbschools_cal_7.ics": ("school district", "education", ""),
    "bloomington/rbbschools_cal_11.ics": ("school", "education", ""),
    "bloomington/rbbschools_cal_3.ics": ("school", "education", ""),
    "asheville/ashevillecityschools_cal_24_10_6.ics": ("school", "education", ""),
    "asheville/ashevillecityschools_cal_25.ics": ("school", "education", ""),
    "asheville/ashevillecityschools_cal_28_2.ics": ("school", "education", ""),
    "asheville/ashevillecityschools_cal_34.ics": (
        "school: career and technical education",
        "education",
        "",
    ),
    "bloomington/gcal_c_eec83e1cbfbdf8804b061fbaa23ea7300a127c74c0668e9512747006f10b3833"
    "_group_calendar_google_com.ics": (
        "school",
        "education",
        "",
    ),
    # legal
    "bloomington/events_livewhale_64.ics": ("university: school of law", "legal;education", ""),
    # marketing and media
    "bloomington/events_livewhale_45.ics": (
        "university: media school",
        "marketing-and-media;education",
        "",
    ),
    # science and research: science museums and academic research units
    "raleighdurham/naturalsciences.ics": ("museum of natural sciences", "science-and-research", ""),
    "raleighdurham/moreheadplanetarium.ics": (
        "planetarium and science center",
        "science-and-research",
        "",
    ),
    "toronto/philosophy.ics": (
        "university: philosophy department",
        "science-and-research;education",
        "",
    ),
    "bloomington/events_livewhale_130.ics": (
        "university: arts and humanities institute",
        "science-and-research;design-and-arts;education",
        "",
    ),
    # sales and business
    "asheville/asheville_chamber.ics": ("chamber of commerce", "sales-and-business", ""),
    "raleighdurham/wakeforest_chamber.ics": ("chamber of commerce", "sales-and-business", ""),
    "raleighdurham/apex_chamber.ics": ("chamber of commerce", "sales-and-business", ""),
    "raleighdurham/durham_chamber.ics": ("chamber of commerce", "sales-and-business", ""),
    "montclair/north_essex_chamber.ics": ("chamber of commerce", "sales-and-business", ""),
    "bloomington/events_livewhale_343.ics": (
        "university: school of business",
        "sales-and-business;education",
        "",
    ),
    "toronto/meetup_downtown_toronto_women_in_business_meetup.ics": (
        "Meetup group: business",
        "sales-and-business",
        "meetup",
    ),
    "montclair/meetup_montclair_business_networking.ics": (
        "Meetup group: business",
        "sales-and-business",
        "meetup",
    ),
    # public sector and nonprofit
    "toronto/toronto_meetings.ics": (
        "city government: meetings",
        "public-sector-and-nonprofit",
        "other",
    ),
    "asheville/civicplus_buncombenc_37.ics": (
        "county government: planning",
        "public-sector-and-nonprofit",
        "",
    ),
    "montclair/civicplus_cliftonnj_14.ics": ("city government", "public-sector-and-nonprofit", ""),
    "bloomington/brown_county_gov.ics": ("county government", "public-sector-and-nonprofit", ""),
    "bloomington/morgancounty_egov_apps.ics": (
        "county government",
        "public-sector-and-nonprofit",
        "",
    ),
    "toronto/volunteer_toronto.ics": ("volunteer centre", "public-sector-and-nonprofit", ""),
    "raleighdurham/chapelhill_legistar.ics": (
        "town government: meetings",
        "public-sector-and-nonprofit",
        "other",
    ),
    "raleighdurham/durhamcounty_legistar.ics": (
        "county government: meetings",
        "public-sector-and-nonprofit",
        "other",
    ),
    "toronto/metrolinx_board.ics": ("public agency: board", "public-sector-and-nonprofit", "other"),
    # design and arts: art schools and art museums
    "toronto/ocad_u.ics": ("university of art and design", "design-and-arts;education", ""),
    "asheville/ashevilleart.ics": ("art museum", "design-and-arts", ""),
    "raleighdurham/events.ics": ("art museum", "design-and-arts", ""),
    "raleighdurham/nasher.ics": ("art museum", "design-and-arts", ""),
    "bloomington/events_livewhale_234.ics": ("art museum", "design-and-arts", ""),
    "toronto/textilemuseum.ics": ("textile museum", "design-and-arts", ""),
    # music, film and entertainment: venues, cinemas, performing-arts series
    "toronto/danforth_music_hall.ics": ("music venue", "music-and-entertainment", ""),
    "toronto/grossmanstavern.ics": ("music venue", "music-and-entertainment", ""),
    "bloomington/events_livewhale_81.ics": ("university cinema", "music-and-entertainment", ""),
    "montclair/peakperfs.ics": ("performing-arts series", "music-and-entertainment", ""),
    "raleighdurham/duke_arts.ics": (
        "university arts presenter",
        "music-and-entertainment;design-and-arts",
        "",
    ),
    # writing and publishing: bookstores, publishers, poetry listings, writers' groups
    "toronto/eventbrite_another_story.ics": ("bookstore", "writing-and-publishing", "book_signing"),
    "raleighdurham/eventbrite_quail_ridge.ics": (
        "bookstore",
        "writing-and-publishing",
        "book_signing",
    ),
    "bloomington/eventbrite_morgenstern_books.ics": (
        "bookstore",
        "writing-and-publishing",
        "book_signing",
    ),
    "toronto/eventbrite_glad_day.ics": ("bookstore", "writing-and-publishing", "book_signing"),
    "toronto/ben_mcnally_bm.ics": ("bookstore", "writing-and-publishing", "book_signing"),
    "toronto/prh_canada.ics": ("book publisher", "writing-and-publishing", "book_signing"),
    "toronto/coach_house.ics": ("book publisher", "writing-and-publishing", "book_signing"),
    "montclair/nj_poetry_events.ics": ("poetry listings", "writing-and-publishing", ""),
    "asheville/meetup_asheville_writers.ics": (
        "Meetup group: writers",
        "writing-and-publishing",
        "meetup",
    ),
    "raleighdurham/meetup_dwg_writers.ics": (
        "Meetup group: writers",
        "writing-and-publishing",
        "meetup",
    ),
    # energy and environment: conservation and environmental organisations
    "asheville/mountaintrue.ics": ("environmental organisation", "energy-and-environment", ""),
    "raleighdurham/haw_river_assembly.ics": (
        "environmental organisation",
        "energy-and-environment",
        "",
    ),
    "raleighdurham/triangleland.ics": ("land conservancy", "energy-and-environment", ""),
    "raleighdurham/ncwf.ics": ("wildlife federation", "energy-and-environment", ""),
    "bloomington/sycamore_land_trust.ics": ("land trust", "energy-and-environment", ""),
    "raleighdurham/keep_durham_beautiful.ics": (
        "environmental organisation",
        "energy-and-environment",
        "",
    ),
    "montclair/njaudubon.ics": ("conservation society", "energy-and-environment", ""),
    "montclair/neearth.ics": ("environmental organisation", "energy-and-environment", ""),
    "toronto/highparknaturecentre.ics": ("nature centre", "energy-and-environment", ""),
    # agriculture and food: farmers markets and horticulture
    "asheville/tockify_wild.goods.ics": ("farmers market", "agriculture-and-food", ""),
    "bloomington/gcal_bloomington_in_gov_0l6e93fe54psagva4dhojra2q0"
    "_group_calendar_google_com.ics": (
        "farmers market",
        "agriculture-and-food",
        "",
    ),
    "bloomington/master_gardeners.ics": ("master gardeners", "agriculture-and-food", ""),
    "toronto/etobicoke_hort.ics": ("horticultural society", "agriculture-and-food", ""),
    "raleighdurham/ncbg.ics": (
        "botanical garden",
        "agriculture-and-food;energy-and-environment",
        "",
    ),
    "toronto/torontobotanicalgarden.ics": (
        "botanical garden",
        "agriculture-and-food;energy-and-environment",
        "",
    ),
    # sports and fitness
    "bloomington/iu_athletics.ics": ("university athletics", "sports-and-fitness", ""),
    "raleighdurham/goheels_api_v2.ics": ("university athletics", "sports-and-fitness", ""),
    "asheville/meetup_asheville_runners.ics": (
        "Meetup group: running",
        "sports-and-fitness",
        "meetup",
    ),
    "toronto/meetup_founders_running_club_toronto.ics": (
        "Meetup group: running",
        "sports-and-fitness",
        "meetup",
    ),
    # social care and community services
    "montclair/ywcannj.ics": ("YWCA", "social-care-and-community", ""),
    "asheville/trumba_calendars_social_work_services_age_friendly.ics": (
        "senior centers (social work services)",
        "social-care-and-community",
        "",
    ),
    "toronto/scaddingcourt.ics": ("community centre", "social-care-and-community", ""),
}

# Other iCalendar files of the shared set: (label, sectors, kind)
ICS: dict[str, tuple[str, str, str]] = {
    "ics/icalcreator-fablab-cottbus-makerspace.ics": (
        "makerspace",
        "engineering-and-manufacturing;technology",
        "",
    ),
    "ics/google-hackerspace-machbar-potsdam.ics": (
        "hackerspace",
        "engineering-and-manufacturing;technology",
        "",
    ),
    "ics/gdg-toulouse-tech-hub-meetups.ics": (
        "Meetup tech groups (aggregate)",
        "technology",
        "meetup",
    ),
}

# confs.tech topic -> sectors (the topic file is the curated list's scope;
# every entry is a conference)
CONFS_TECH_YEARS = ("2019", "2020", "2025", "2026", "2027")
CONFS_TECH_TOPICS = {
    "ux": "design-and-arts;technology",
    "tech-comm": "writing-and-publishing;technology",
    "product": "sales-and-business;technology",
    "leadership": "sales-and-business;technology",
}
CONFS_TECH_CAP = 12

# LiGHT curated subject (`sub`) -> sectors; `type` -> kind
LIGHT_SUBJECTS = {
    "Global Health": "healthcare",
    "Health AI": "healthcare;technology",
    "ML": "technology;science-and-research",
    "AI": "technology;science-and-research",
    "NLP": "technology;science-and-research",
    "CV": "technology;science-and-research",
    "DM": "technology;science-and-research",
    "SEC": "technology",
    "HCI": "technology;design-and-arts",
    "SE": "technology",
}
LIGHT_KINDS = {"conference": "conference", "summit": "conference", "workshop": "workshop"}

FIELDS = ["source", "label", "sectors", "kind", "title", "description"]
KIND_FIELDS = ["source", "label", "kind", "title", "description"]

# Kinds chosen event by event: a calendar's own format category (iCalendar
# CATEGORIES) or an Eventbrite format. Only categories that name a format
# are mapped; topics ("Technology"), audiences ("Adults") and mixed
# categories ("Lectures, talks, seminars, and conferences", "Mixers and
# Parties", "Lecture") are not. An event whose mapped categories disagree is
# left out. Formats where meeting people in one's field is not the point
# (a film, a concert, a story time, a walk) map to ``other``.
KIND_CATEGORIES: dict[str, str] = {
    # workshops, classes, training
    "workshop": "workshop",
    "workshops and training": "workshop",
    "workshop/short course": "workshop",
    "classes & workshops": "workshop",
    "teacher workshop": "workshop",
    "class": "workshop",
    "computer class": "workshop",
    "adult classes": "workshop",
    "kids classes": "workshop",
    "adult education": "workshop",
    "training": "workshop",
    "class, training, or workshop": "workshop",
    "workshops and classes": "workshop",
    "silversmithing workshops": "workshop",
    "lost wax casting workshops": "workshop",
    "two-hour workshops": "workshop",
    # conferences
    "conference/symposium": "conference",
    "conference / convention": "conference",
    "conference": "conference",
    "convention": "conference",
    # career fairs
    "career fair": "career_fair",
    # author events
    "author event/talk": "book_signing",
    "author visit": "book_signing",
    "appearance or signing": "book_signing",
    # meetups: networking, socials, book clubs (a peer discussion, as the kind rules say)
    "networking": "meetup",
    "meeting or networking event": "meetup",
    "social": "meetup",
    "social event": "meetup",
    "book club": "meetup",
    # other formats
    "story time": "other",
    "storytime": "other",
    "concert": "other",
    "concerts (music)": "other",
    "comedy": "other",
    "film": "other",
    "guided tours": "other",
    "exhibits": "other",
    "movie": "other",
    "screening": "other",
    "exhibitions": "other",
    "exhibition": "other",
    "exhibit": "other",
    "performances": "other",
    "performance": "other",
    "live music": "other",
    "concert/music": "other",
    "concert or performance": "other",
    "dance performance": "other",
    "planetarium shows": "other",
    "worship": "other",
    "athletics": "other",
    "athletic": "other",
    "bird walk": "other",
    "nature walk": "other",
    "hike": "other",
    "boat trip": "other",
    "tours": "other",
    "tour": "other",
    "public tour": "other",
    "library closed": "other",
    "board meeting": "other",
    "game or competition": "other",
    "race or endurance event": "other",
}
# LiveWhale splits its category "Training, non-credit classes, and learning
# opportunities" at the commas; its first part names the format.
KIND_CATEGORY_PARTS = {"non-credit classes": "training"}
KIND_CAP = 40
KIND_EVENTBRITE = "html/eventbrite-organizer-queer-lit-bookshop.html"


def clean(value: object, limit: int) -> str:
    text = html.unescape(str(value or ""))
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:limit]


def read_calendars(path: Path, source: str) -> list[icalendar.Calendar]:
    """The feed's calendars; none (and a line on stderr) when icalendar cannot read it."""
    try:
        # Tockify's "P15M" (meant as minutes) makes icalendar reject the whole file.
        data = re.sub(
            rb"(?m)^(?:REFRESH-INTERVAL|X-PUBLISHED-TTL)[;:][^\r\n]*\r?\n", b"", path.read_bytes()
        )
        return list(icalendar.Calendar.from_ical(data, multiple=True))
    except Exception as error:  # a feed icalendar cannot read gives no rows
        print(f"skip {source}: {error}", file=sys.stderr)
        return []


def ics_rows(
    path: Path, source: str, label: str, sectors: str, kind: str, cap: int = CAP
) -> Iterator[dict[str, str]]:
    calendars = read_calendars(path, source)
    seen: set[str] = set()
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            title = clean(event.get("SUMMARY"), 300)
            if not title or title.lower() in seen:
                continue
            seen.add(title.lower())
            yield {
                "source": source,
                "label": label,
                "sectors": sectors,
                "kind": kind,
                "title": title,
                "description": clean(event.get("DESCRIPTION"), DESCRIPTION_CHARS),
            }
            if len(seen) >= cap:
                return


def confs_tech_rows() -> Iterator[dict[str, str]]:
    topics = sorted(
        {p.stem for year in CONFS_TECH_YEARS for p in (REAL / "confs-tech" / year).glob("*.json")}
    )
    for topic in topics:
        seen: set[str] = set()
        for year in CONFS_TECH_YEARS:
            path = REAL / "confs-tech" / year / f"{topic}.json"
            if not path.exists():
                continue
            for entry in json.loads(path.read_text(encoding="utf-8")):
                title = clean(entry.get("name"), 300)
                if not title or title.lower() in seen or len(seen) >= CONFS_TECH_CAP:
                    continue
                seen.add(title.lower())
                yield {
                    "source": f"confs-tech/{topic}",
                    "label": f"confs.tech topic: {topic}",
                    "sectors": CONFS_TECH_TOPICS.get(topic, "technology"),
                    "kind": "conference",
                    "title": title,
                    "description": "",
                }


def light_rows() -> Iterator[dict[str, str]]:
    for name in ("conferences", "summits", "workshops"):
        records = yaml.safe_load(
            (REAL / "health-conferences" / f"{name}.yaml").read_text(encoding="utf-8")
        )
        seen: set[str] = set()
        for record in records:
            subjects = record.get("sub") or []
            subject = subjects if isinstance(subjects, str) else subjects[0]
            title = clean(record.get("full_name") or record.get("title"), 300)
            if subject not in LIGHT_SUBJECTS or title.lower() in seen:
                continue
            seen.add(title.lower())
            yield {
                "source": f"health-conferences/{name}",
                "label": f"LiGHT subject: {subject}",
                "sectors": LIGHT_SUBJECTS[subject],
                "kind": LIGHT_KINDS[record["type"]],
                "title": title,
                "description": "",
            }


def finance_rows() -> Iterator[dict[str, str]]:
    seen: set[str] = set()
    for name in ("data/financeconfdeadlines.csv", "data/conferences_pastdue.csv"):
        text = subprocess.run(
            ["git", "-C", str(FINANCE), "show", f"{FINANCE_COMMIT}:{name}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for row in csv.DictReader(text.splitlines()):
            title = clean(row.get("Conference Name"), 300)
            if not title or title.lower() in seen:
                continue
            seen.add(title.lower())
            yield {
                "source": "financeconferences",
                "label": "finance conference list",
                "sectors": "finance",
                "kind": "conference",
                "title": title,
                "description": "",
            }
            if len(seen) >= 80:
                return


def category_kind(categories: list[str]) -> tuple[str, str] | None:
    """The kind the event's format categories map to, and the category; None if none or several."""
    names = [KIND_CATEGORY_PARTS.get(c.strip().lower(), c.strip().lower()) for c in categories]
    found = {KIND_CATEGORIES[n]: n for n in names if n in KIND_CATEGORIES}
    if len(found) != 1:
        return None
    kind, name = next(iter(found.items()))
    return kind, name


def event_categories(event: icalendar.cal.Component) -> list[str]:
    values = event.get("CATEGORIES")
    if values is None:
        return []
    found: list[str] = []
    for value in values if isinstance(values, list) else [values]:
        cats = getattr(value, "cats", None)
        found.extend(str(c) for c in (cats if cats is not None else [value]))
    return [html.unescape(c) for c in found]


def kind_rows_ics(feed: bytes, source: str) -> Iterator[dict[str, str]]:
    """Events of one feed whose format category maps to a kind, at most KIND_CAP per kind."""
    data = re.sub(rb"(?m)^(?:REFRESH-INTERVAL|X-PUBLISHED-TTL)[;:][^\r\n]*\r?\n", b"", feed)
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as error:  # a feed icalendar cannot read gives no rows
        print(f"skip {source}: {str(error)[:80]}", file=sys.stderr)
        return
    seen: set[str] = set()
    per_kind: dict[str, int] = {}
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            found = category_kind(event_categories(event))
            title = clean(event.get("SUMMARY"), 300)
            if found is None or not title or title.lower() in seen:
                continue
            kind, category = found
            if per_kind.get(kind, 0) >= KIND_CAP:
                continue
            seen.add(title.lower())
            per_kind[kind] = per_kind.get(kind, 0) + 1
            yield {
                "source": source,
                "label": f"category: {category}",
                "kind": kind,
                "title": title,
                "description": clean(event.get("DESCRIPTION"), DESCRIPTION_CHARS),
            }


def kind_rows_eventbrite(path: Path, source: str) -> Iterator[dict[str, str]]:
    """An Eventbrite organiser page's events with the format each was listed under."""
    text = path.read_text(encoding="utf-8")
    seen: set[str] = set()
    for key in ('"future_events":', '"past_events":'):
        start = text.find(key)
        if start < 0:
            continue
        events, _ = json.JSONDecoder().raw_decode(text[start + len(key) :])
        for event in events:
            fmt = ((event.get("format") or {}).get("name") or "").strip()
            kind = KIND_CATEGORIES.get(fmt.lower())
            title = clean((event.get("name") or {}).get("text"), 300)
            if kind is None or not title or title.lower() in seen:
                continue
            seen.add(title.lower())
            yield {
                "source": source,
                "label": f"Eventbrite format: {fmt}",
                "kind": kind,
                "title": title,
                "description": clean(event.get("summary"), DESCRIPTION_CHARS),
            }


# Cities of the shared set kept for independent checks; never read here.
RESERVED_CITIES = ("santarosa", "lancaster", "davis")


def kind_main() -> None:
    rows: list[dict[str, str]] = []
    folder = REAL / "community-calendar"
    for path in sorted(folder.glob("*/*.ics")):
        if path.parent.name in RESERVED_CITIES:
            continue
        source = f"community-calendar/{path.parent.name}/{path.name}"
        rows.extend(kind_rows_ics(path.read_bytes(), source))
    rows.extend(kind_rows_eventbrite(REAL / KIND_EVENTBRITE, KIND_EVENTBRITE))
    write_kind_rows(KINDS_OUT, rows)


def formats_main() -> None:
    """The same per-event formats from the archive's feeds of the same five cities that the
    shared set left out: other publishers than ``kinds.csv``'s, to learn kinds from."""
    shared = {path.relative_to(REAL) for path in (REAL / "community-calendar").glob("*/*.ics")}
    listing = subprocess.run(
        ["git", "-C", str(ARCHIVE), "ls-tree", "-r", "--name-only", ARCHIVE_COMMIT, "cities"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    rows: list[dict[str, str]] = []
    for name in listing:
        city, file = name.split("/")[1:]
        source = Path("community-calendar") / city / file
        if city in RESERVED_CITIES or not file.endswith(".ics") or file == "combined.ics":
            continue
        if source in shared:
            continue
        shown = subprocess.run(
            ["git", "-C", str(ARCHIVE), "show", f"{ARCHIVE_COMMIT}:{name}"], capture_output=True
        )
        if shown.returncode == 0:  # blobs the snapshot did not store are skipped
            rows.extend(kind_rows_ics(shown.stdout, f"archive/{city}/{file}"))
    write_kind_rows(FORMATS_OUT, rows)


def write_kind_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, KIND_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} listings -> {path}")


def calendars_main() -> None:
    paths = {f"community-calendar/{path}": REAL / "community-calendar" / path for path in CC}
    paths |= {path: REAL / path for path in ICS}
    rows = []
    for source, path in sorted(paths.items()):
        calendars = read_calendars(path, source) if path.exists() else []
        if calendars:
            # Read as the crawl reads them (crawlers/spiders/ics.py), from the first calendar.
            name = clean_line(calendar_name(calendars[0])) or ""
            producer = str(calendars[0].get("PRODID", ""))
            rows.append({"source": source, "name": name, "producer": producer})
    with CALENDARS_OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["source", "name", "producer"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} calendars -> {CALENDARS_OUT}")


def main() -> None:
    rows: list[dict[str, str]] = []
    for path, (label, sectors, kind) in CC.items():
        rows.extend(
            ics_rows(
                REAL / "community-calendar" / path,
                f"community-calendar/{path}",
                label,
                sectors,
                kind,
            )
        )
    for path, (label, sectors, kind) in ICS.items():
        rows.extend(ics_rows(REAL / path, path, label, sectors, kind))
    rows.extend(confs_tech_rows())
    rows.extend(light_rows())
    rows.extend(finance_rows())
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} listings -> {OUT}")
    kind_main()
    formats_main()
    calendars_main()


if __name__ == "__main__":
    main()
