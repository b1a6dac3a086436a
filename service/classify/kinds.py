"""Decide what kind of event something is from the words its source gives.

A job seeker filters by kind because the kind says *how* they will meet
people: a conference (talks, a hallway track, many strangers), a book signing
(an author and a queue of readers), a meetup (an evening of peers), a career
fair (employers at stands), a workshop (learning side by side). Sources rarely
say so in a field of their own, so this module reads the title, the schema.org
type, the categories and the description, and falls back on what the source
usually lists.

When no word names the format, the shape of a name may: a brand and a place
("PyData Amsterdam") for a conference, an author and a book for a book
signing, a numbered edition for a meetup. For that it reads a list of place
names (``data/places.txt``) and the sector vocabulary's terms, both loaded
once. When nothing else speaks, a model learned from listings whose publisher
chose their format (``data/kind_model.json``) may: a library's cooking class
names no format, yet listings worded as it is are classes. Otherwise pure
(standard library, :mod:`service.model` and its labels), so the classify
pipeline, the API and tests can all call it.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from service.classify.learned import SectorModel, get_kind_model
from service.model import Kind
from service.text.labels import KIND_PLURALS

__all__ = ["PLACES_PATH", "KindDecision", "classify_kind"]

PLACES_PATH = Path(__file__).parent / "data" / "places.txt"
"""Countries, regions and large cities (``python -m benchmarks.sectors --write-places``)."""

MAX_TITLE_CHARS = 1_000
MAX_DESCRIPTION_CHARS = 2_000
MAX_CATEGORIES = 50
MAX_CATEGORY_CHARS = 200
LEARNED_SURE = 0.6
"""How sure the kind model must be to speak. Measured one source out on the three sets of
publishers' formats (``python -m benchmarks.sectors``): at 0.5 as many listings were right in
all, but more concerts and tours were taken for meetups or workshops (other right: 88% of 662
against 93%)."""


@dataclass(frozen=True, slots=True)
class KindDecision:
    """A kind and the one piece of evidence it rests on, for the ``why`` list."""

    kind: Kind
    reason: str


# A rule is a regular expression over normalised text: lower case, accents
# removed, every run of non-alphanumerics collapsed to one space, and a space
# at each end. A pattern only matches whole words because every match must sit
# between two spaces.
Rule = tuple[Kind, re.Pattern[str]]


def _rules(kind: Kind, *patterns: str) -> list[Rule]:
    return [(kind, re.compile(rf"(?<= )(?:{p})(?= )")) for p in patterns]


# Titles that name a meeting of a body, a one-way broadcast, a private booking
# or a closure: nothing a newcomer can walk into to meet people. Checked first
# so that "conference call" or "Summit County Board Meeting" does not read as a
# conference.
_OTHER_STRONG = _rules(
    Kind.OTHER,
    r"(?:conference|project|community|pmc|group|intro|team|status) call",
    r"press conference",
    r"working groups?|work groups?|wg",
    r"(?:steering |advisory |finance |executive )?committee(?: meeting)?",
    r"board meeting|board of directors(?: meeting)?|regular meeting|general meeting",
    r"meeting (?:no )?[0-9]+",
    r"(?:project|member|members|council|staff|pmc|sig) (?:meeting|mtg)",
    r"annual general meeting|agm|assemblee generale|asamblea general",
    r"mitgliederversammlung|vereinssitzung|plenum",
    r"office hours|all hands",
    r"webinars?",
    r"private (?:event|session|booking|hire)|empty slot",
    r"geschlossen",
)

_CAREER_FAIR_STRONG = _rules(
    Kind.CAREER_FAIR,
    r"(?:career|careers|job|jobs|graduate|recruitment|recruiting|hiring|internship) fairs?",
    r"(?:career|careers|job|jobs) (?:expo|day|days|forum)",
    r"hiring (?:event|day)s?|recruit(?:ment|ing) (?:event|day)s?",
    r"job ?dating",
    r"salon (?:de l |des |de )?(?:emploi|recrutement|metiers)",
    r"forum (?:de l |des |de )?(?:emploi|metiers|entreprises)",
    r"feria (?:de |del )?(?:empleo|trabajo|empleabilidad)|feria laboral",
    r"[^ ]*(?:job|karriere|berufs|ausbildungs|absolventen|firmenkontakt)messe",
    r"jobborse",
)

_BOOK_SIGNING_STRONG = _rules(
    Kind.BOOK_SIGNING,
    r"book ?signings?|signing (?:session|event)s?|author signings?",
    r"meet the author|author (?:talk|event|evening|reading|q a)s?",
    r"in conversation(?: with)?",
    r"book (?:launch|reading|tour)s?",
    r"(?:novel|poetry|memoir|collection|anthology) launch(?:es)?|launch (?:party|celebration) for",
    r"reading and (?:book )?signing|reading (?:and|&) conversation|(?:new|debut) (?:book|novel)",
    r"(?:seance de )?dedicaces?|rencontre (?:avec l |d )auteure?s?|rencontre litteraire",
    r"signierstunde|autogrammstunde|buchpremiere|buchvorstellung|lesung",
    r"firma de (?:libros|ejemplares)|presentacion (?:del |de )libro",
)

# Strong words for a conference: nobody calls a meetup a "summit". The German,
# French and Spanish words cover "Fachkonferenz", "Kongress" and "congreso".
_CONFERENCE_STRONG = _rules(
    Kind.CONFERENCE,
    r"[^ ]*conferences?|[^ ]*konferenz(?:en)?|conferencias?",
    r"[^ ]+conf|[^ ]*devcon",
    r"summits?|sommet|symposi(?:um|a|on)|simposio",
    r"conventions?|convencion",
    r"[^ ]*kongress|congress(?:es|o)?|congres|congreso",
    r"[^ ]*tagung|colloques?|coloquio",
)

_WORKSHOP_STRONG = _rules(
    Kind.WORKSHOP,
    r"[^ ]*workshops?|work shops?",
    r"master ?class(?:es)?",
    r"hands on",
    r"boot ?camps?",
    r"tutorials?",
    r"trainings?(?! (?:data|set|sets|model|models|corpus|corpora))",
    r"ateliers?|talleres|taller",
    r"[^ ]*werkstatt|schulung(?:en)?",
    r"code ?labs?|study jams?|cod(?:e|ing) dojos?",
)

# A book club is a peer discussion with no author present, so it is a
# meetup, not a book signing. A hackathon is peers building together with no
# one teaching, which is closer to a long hack night than to a workshop.
_MEETUP_STRONG = _rules(
    Kind.MEETUP,
    r"meet ?ups?",
    r"users? ?groups?|user gruppe",
    r"networking|mixers?|meet (?:and )?greet|mix (?:and )?mingle|get together",
    r"hack ?nights?|hackathons?|hack days?",
    r"stammtisch|[^ ]*treff(?:en)?",
    r"after ?work|aperos?|aperitivo|happy hours?|watch party",
    r"tech talks?|lightning talks|demo (?:day|night)s?",
    r"book clubs?|club de lectur[ae]|lesekreis|reading group",
    r"quedadas?",
)

# Weak words hint at a kind but also turn up in other events ("Open Forum",
# "Open Days", the French "conf" for a single talk); they count only when
# nothing stronger has spoken. "Festival" and "fest" are not even weak: a
# food festival or a street party is no conference, and tech festivals come
# from conference lists whose default already says so.
_BOOK_SIGNING_WEAK = _rules(
    Kind.BOOK_SIGNING, r"signings?|authors?|auteure?s?", r"(?:toronto |local |virtual )?launch of"
)
_CAREER_FAIR_WEAK = _rules(Kind.CAREER_FAIR, r"recruit(?:ment|ing)|hiring")
_WORKSHOP_WEAK = _rules(
    Kind.WORKSHOP,
    r"[^ ]*seminars?|seminaires?|seminarios?",
    r"courses?|cursos?|cours|kurse?|formations?",
    r"for beginners|fur einsteiger(?:innen)?|fur einsteigende|pour debutants|para principiantes",
    # Not "world class", "class of 2016", "classes begin" on an academic calendar, "class reunion".
    r"(?<!world )(?<!first )(?<!business )(?<!day of )(?<!no )class(?:es)?"
    r"(?! (?:of|action|begins?|starts?|ends?|resumes?|reunions?) )|lessons?|learn to",
)
_MEETUP_WEAK = _rules(
    Kind.MEETUP,
    r"socials?|drinks|coffee|soirees?|rencontres?|encuentros?",
    r"charlas?|vortrag|vortrage",
)
_CONFERENCE_WEAK = _rules(
    Kind.CONFERENCE,
    r"conf|(?<!open )(?<!in )days|forums?|expos?|trade ?shows?|jornadas|journees",
    r"(?:association|society|societies|academy) (?:annual )?meetings?|annual meeting",
    r"(?:world [a-z]+|general) assembly",
    r"(?:community|dev|developer|developers) days?|devdays?",
    r"(?:bar|code|coach|container|data|design|dev|devops|hack|tech|typo3|ux|web|word) camps?",
)
# Words in English, French and Spanish that end in "con", "days" or "camp"
# without being a conference.
_NOT_A_CONFERENCE_SUFFIX = frozenset(
    {
        "bacon",
        "beacon",
        "deacon",
        "falcon",
        "recon",
        "silicon",
        "lexicon",
        "rubicon",
        "helicon",
        "flacon",
        "balcon",
        "faucon",
        "garcon",
        "facon",
        "lecon",
        "glacon",
        "macon",
        "hamecon",
        "soupcon",
        "besancon",
        "arcon",
        "halcon",
        "rincon",
        "holidays",
        "nowadays",
        "weekdays",
        "birthdays",
        "mondays",
        "tuesdays",
        "wednesdays",
        "thursdays",
        "fridays",
        "saturdays",
        "sundays",
        "schooldays",
        "todays",
        "yesterdays",
        "bootcamp",
        "bootcamps",
    }
)
_CONFERENCE_SUFFIX = re.compile(r"(?<= )([^ ]{2,}(?:con|days|camp))(?= )")

# "PyCon", "JSConf", "DevFest", "DevOpsDays": a capitalised suffix glued to a
# name. Read on the original capitals, because in lower case "con" is also
# Spanish for "with" and "fest" ends German words for any party. "Fest" only
# after "Dev" or an acronym ("JSFest"): a town's or a library's "PrideFest",
# "CenterFest Arts Festival" and "CatVideoFest" are festivals.
_CAMEL_STRONG = re.compile(
    r"(?<=[0-9A-Za-z])(?:Conf|Con|Days|Summit|Week)(?![a-z])"
    r"|(?<![A-Za-z])(?:Dev|[A-Z]{2,})Fest(?![a-z])"
)
_CAMEL_WEAK = re.compile(r"(?<=[0-9A-Za-z])(?:Camp|Day)(?![a-z])")
_STANDALONE_CON = re.compile(r"(?<![A-Za-z])Con(?![A-Za-z])")

# The shapes of names that say what an event is without a format word.
#
# A bookstore lists an author's evening as the author and the book: "Sarah
# Addison Allen | Paper Ghosts", 'Craig Fehrman on "This Vast Enterprise"'.
_NAME_WORD = r"(?:[A-Z][a-z\u00e0-\u00ff'\u2019-]+|[A-Z]\.|(?:de|van|von|da|del|le|la))"
_PERSON = rf"[A-Z](?:[a-z\u00e0-\u00ff'\u2019-]+|\.)(?: {_NAME_WORD}){{1,3}}"
_AUTHOR_AND_BOOK = re.compile(
    rf"^\s*(?:[A-Z][a-z]+ (?:&|and) )?{_PERSON}(?:(?: &| and|,) {_PERSON})*"
    rf" (?:\||on (?P<quoted>[\"\u201c\u2018'])?[A-Z0-9])"
)
# The pipe also separates a series from an artist ("Art Break | Dawn Roe") and
# "on" a name from a place ("One Night on Sugar Hill"), so they count only
# beside words about books; "on" followed by a quoted title needs none.
_BOOKISH = re.compile(
    r"(?<= )(?:bestsell(?:er|ers|ing)|sequel|picture books?|fiction|nonfiction|romantasy"
    r"|thriller|poems|essays|stories|story)(?= )"
)
# A numbered edition of a series: "Tech a break #3", "Vis ma vie de Dev #2".
_NUMBERED = re.compile(r"(?<![\w#])#\d{1,3}(?!\d)")
# Not a series but a day of a school's calendar, a meeting or a ranking ("at #3 Kentucky").
_NOT_A_SERIES = re.compile(r"(?i)\b(?:day|days|week|meeting|at|vs|no|game)\s*$")
# A conference's name is often a brand and a place: "PyData Amsterdam", "PHP
# Russia", "GraphQL Asia". The brand is told from other words by its shape
# (capitals inside a word, a digit, a dot or "++") or by naming a field.
_BRAND_SHAPE = re.compile(r"[a-z][A-Z]|[A-Z]{2,}|[A-Za-z][0-9]|[A-Za-z]\.[A-Za-z]|\+\+")
_NOT_BEFORE_A_PLACE = frozenset(
    {
        *("of", "in", "at", "from", "to", "for", "by", "near", "around", "across"),
        *("visit", "tour", "explore", "hosted", "presented", "sponsored"),
    }
)
"""Words that make the place where something happens or what it is about, not a name's part."""
_NOT_JUST_BEFORE_A_PLACE = frozenset({"the", "and", "with", "welcome"})
# A place named after a field of leisure is no sign of a conference ("Sports
# Toronto"); a working field's name is ("Kubernetes India").
_LEISURE_SECTORS = frozenset(
    {
        "sports-and-fitness",
        "music-and-entertainment",
        "agriculture-and-food",
        "education",
        "social-care-and-community",
        "hospitality-and-retail",
    }
)
MAX_NAME_WORDS = 6

# Descriptions mention many things besides the event itself ("after the
# conference", "we are hiring"), so only phrases that describe a format are
# read, and the first one in the text wins.
_DESCRIPTION_RULES = [
    *_rules(
        Kind.BOOK_SIGNING,
        r"book ?signings?|will be signing|signing copies|signed copies|meet the author",
        r"book launch|author talk|in conversation with|dedicaces?|lesung",
        # How bookstores announce an author's evening: the author, the new book, its release.
        r"(?:bestselling|best selling|award winning|acclaimed|debut) (?:author|novelist)s?",
        r"(?:his|her|their) (?:new |latest |debut |forthcoming )?(?:book|novel|memoir|cookbook)s?",
        r"celebrat(?:e|es|ing) (?:the )?(?:release|publication|launch) of",
    ),
    *_rules(
        Kind.CAREER_FAIR,
        r"(?:career|careers|job|jobs|recruitment|hiring) fairs?|hiring events?",
        r"meet (?:employers|recruiters|hiring managers)|salon de l emploi|jobmesse",
    ),
    *_rules(
        Kind.WORKSHOP,
        r"workshops?|hands on|master ?class(?:es)?|boot ?camps?|tutorials?",
        r"bring (?:your|a) (?:own )?laptops?|ateliers?|taller(?:es)?",
    ),
    *_rules(
        Kind.MEETUP,
        r"meet ?ups?|users? groups?|networking|mixers?|stammtisch|happy hour",
        r"book clubs?|club de lecture|hack night|after ?work|apero",
    ),
    *_rules(
        Kind.CONFERENCE,
        r"conferences?|summits?|symposium|keynotes?|call for (?:papers|proposals)",
        r"konferenz|kongress|congreso|two day conference",
    ),
]

_CATEGORY_RULES = [
    *_rules(Kind.MEETUP, r"socials?|social events?|networking|community meetups?"),
    *_rules(Kind.WORKSHOP, r"education(?:al)?|classes|courses?|training|learning"),
    *_rules(Kind.CONFERENCE, r"conferences?|conventions?"),
    *_rules(Kind.BOOK_SIGNING, r"author events?|book signings?|readings"),
    *_rules(
        Kind.OTHER,
        r"music|concerts?|sports?|fitness|yoga|films?|cinema|movies?|theat(?:re|er)",
        r"comedy|dance|kids|children|family",
    ),
]

# schema.org subtypes of Event. The "other" ones are formats where meeting
# someone in one's field is not the point, so they decide even when the
# source's default says otherwise.
_SCHEMA_KINDS: dict[str, Kind] = {
    "educationevent": Kind.WORKSHOP,
    "courseinstance": Kind.WORKSHOP,
    # Chambers of commerce and business networks use BusinessEvent for
    # breakfasts, mixers and "business after hours" far more than for
    # conferences, which usually say so in their name.
    "businessevent": Kind.MEETUP,
    "socialevent": Kind.MEETUP,
    "hackathon": Kind.MEETUP,
    **dict.fromkeys(
        (
            "musicevent",
            "sportsevent",
            "screeningevent",
            "theaterevent",
            "danceevent",
            "comedyevent",
            "childrensevent",
            "foodevent",
            "festival",
            "exhibitionevent",
            "visualartsevent",
            "saleevent",
            "deliveryevent",
            "publicationevent",
            "broadcastevent",
            "ondemandevent",
        ),
        Kind.OTHER,
    ),
}
_LITERARY_SUPPORT = re.compile(
    r"(?<= )(?:books?|authors?|auteure?s?|autor(?:in)?|novel(?:s|ist)?|memoir|signing|signed"
    r"|livres?|libros?|buch|roman|novela|reading|readings|lesung|dedicaces?"
    r"|in conversation|launch)(?= )"
)
_SCHEMA_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?(?:schema\.org/|schema:)", re.IGNORECASE)


def classify_kind(
    *,
    title: str,
    description: str | None = None,
    schema_type: str | None = None,
    categories: Sequence[str] = (),
    default: Kind | None = None,
    model: SectorModel | Literal["shipped"] | None = "shipped",
) -> KindDecision:
    """Decide an event's kind and say why.

    The evidence is read from the most to the least reliable, and the first
    that speaks decides:

    1. Strong words in the title ("book signing", "career fair", "workshop",
       "meetup", "conference", "PyCon"). The organiser wrote the title to tell
       people what the event is. Within the title a meeting of a body
       ("working group", "board meeting") outranks a career fair, which
       outranks a book signing, a conference, a workshop and a meetup, so
       that "Conference call" is not a conference and "Hands-on workshop at
       the user group" is a workshop.
    2. The schema.org type, which the page chose from a fixed list but often
       leaves at plain ``Event``; ``LiteraryEvent`` counts as a book signing
       only when the text mentions books or authors.
    3. Categories, which organisers pick for this purpose but word loosely.
    4. Weak words in the title ("forum", "social", "seminar", "Con").
    5. Format phrases in the description, earliest first, since descriptions
       also talk about other events.
    6. The source's default (a conference list lists conferences).
    7. The shape of a name: a brand and a place ("PyData Amsterdam", which
       is also a Meetup group's name, so a source's default outranks it),
       an author and a book, a numbered edition.
    8. The learned model (``model``; the shipped one unless told), where it
       is sure and words of the listing carry it ("Library Chef: Holiday
       Crostini", a class).
    9. ``other``.

    Never raises: any input, however malformed, gives a decision.
    """
    title_text = _Text(_as_text(title)[:MAX_TITLE_CHARS])
    description_text = _Text(_as_text(description)[:MAX_DESCRIPTION_CHARS])

    decision = (
        _strong_title(title_text)
        or _from_schema(schema_type, title_text, description_text)
        or _from_categories(categories)
        or _weak_title(title_text)
    )
    if decision is not None:
        return decision

    found = _earliest(_DESCRIPTION_RULES, description_text)
    if found is not None:
        kind, phrase = found
        return KindDecision(kind, f'description says "{phrase}"')

    default_kind = _as_kind(default)
    if default_kind is not None:
        return KindDecision(default_kind, f"source default {default_kind.value}")

    shaped = _from_name_shape(title_text, description_text)
    if shaped is not None:
        return shaped
    learned = get_kind_model() if model == "shipped" else model
    if learned is not None:
        guessed = _from_model(learned, f"{title_text.raw}\n{description_text.raw}")
        if guessed is not None:
            return guessed
    return KindDecision(Kind.OTHER, "nothing says what kind of event it is")


def _from_model(model: SectorModel, text: str) -> KindDecision | None:
    """The kind the model is sure of, with the words that carried it; None for ``other``."""
    if not text.strip():
        return None
    chances = model.chances(text)
    if not chances:
        return None
    best = max(chances, key=lambda label: chances[label])
    kind = _as_kind(best)
    if kind is None or kind is Kind.OTHER or chances[best] < LEARNED_SURE:
        return None
    words = model.reasons(best, text, limit=2)
    if not words:
        return None
    said = ", ".join(f'"{word}"' for word in words)
    return KindDecision(
        kind, f"words like {said} mark {KIND_PLURALS[kind]} in publishers' listings"
    )


class _Text:
    """Text as written, and its normalised form with a map back to the original.

    Rules match the normalised form (lower case, no accents, words separated
    by single spaces, a space at each end); reasons quote the original words.
    """

    __slots__ = ("norm", "origin", "raw")

    def __init__(self, text: str) -> None:
        self.raw = html.unescape(text)
        self.norm, self.origin = _normalise(self.raw)

    def quote(self, match: re.Match[str]) -> str:
        """The original words behind a match on the normalised form."""
        start, end = match.span()
        return self.raw[self.origin[start] : self.origin[end - 1] + 1]


_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_NORMALISED_CACHE_SIZE = 20_000
_normalised: dict[str, tuple[str, list[int]]] = {}


def _normalise(raw: str) -> tuple[str, list[int]]:
    """``raw`` normalised, with each character's index in ``raw``; remembered per text.

    A recurring series repeats its title and description on every instance,
    so most texts of a crawl were seen before. Callers only read the result.
    """
    found = _normalised.get(raw)
    if found is None:
        if len(_normalised) >= _NORMALISED_CACHE_SIZE:
            _normalised.clear()
        found = _normalised[raw] = _normalise_ascii(raw) if raw.isascii() else _normalise_any(raw)
    return found


def _normalise_any(raw: str) -> tuple[str, list[int]]:
    """Character by character: decompose, casefold, drop accents, one space per gap."""
    chars = [" "]
    origin = [0]
    for index, char in enumerate(raw):
        decomposed = unicodedata.normalize("NFKD", char)
        for folded in decomposed.casefold():
            if unicodedata.combining(folded):
                continue
            if folded.isalnum():
                chars.append(folded)
                origin.append(index)
            elif chars[-1] != " ":
                chars.append(" ")
                origin.append(index)
    if chars[-1] != " ":
        chars.append(" ")
        origin.append(len(raw))
    return "".join(chars), origin


def _normalise_ascii(raw: str) -> tuple[str, list[int]]:
    """The same result as ``_normalise_any`` for ASCII text, a word at a time.

    ASCII has no accents and folds by ``lower()``; each gap between words
    maps to its first character, and the closing space to the end of the
    last word.
    """
    lowered = raw.lower()
    words: list[str] = []
    origin = [0]
    end = 0
    for match in _ASCII_WORD.finditer(lowered):
        if words:
            origin.append(end)  # the gap after the previous word
        start, end = match.span()
        words.append(match.group())
        origin.extend(range(start, end))
    if not words:
        return " ", origin
    origin.append(end)
    return f" {' '.join(words)} ", origin


def _strong_title(title: _Text) -> KindDecision | None:
    for rules in (_OTHER_STRONG, _CAREER_FAIR_STRONG, _BOOK_SIGNING_STRONG, _CONFERENCE_STRONG):
        found = _first(rules, title)
        if found is not None:
            return _title_says(*found)
    camel = _CAMEL_STRONG.search(title.raw)
    if camel is not None:
        return _title_says(Kind.CONFERENCE, _word_around(title.raw, camel))
    for rules in (_WORKSHOP_STRONG, _MEETUP_STRONG):
        found = _first(rules, title)
        if found is not None:
            return _title_says(*found)
    return None


def _weak_title(title: _Text) -> KindDecision | None:
    for rules in (_BOOK_SIGNING_WEAK, _CAREER_FAIR_WEAK, _WORKSHOP_WEAK, _MEETUP_WEAK):
        found = _first(rules, title)
        if found is not None:
            return _title_says(*found)
    for pattern in (_CAMEL_WEAK, _STANDALONE_CON):
        match = pattern.search(title.raw)
        if match is not None:
            return _title_says(Kind.CONFERENCE, _word_around(title.raw, match))
    found = _first(_CONFERENCE_WEAK, title)
    if found is not None:
        return _title_says(*found)
    for match in _CONFERENCE_SUFFIX.finditer(title.norm):
        if match.group(1) not in _NOT_A_CONFERENCE_SUFFIX:
            return _title_says(Kind.CONFERENCE, title.quote(match))
    return None


def _from_name_shape(title: _Text, description: _Text) -> KindDecision | None:
    """Kinds that the shape of a name says when no word does."""
    raw = title.raw.strip()
    author = _AUTHOR_AND_BOOK.match(raw)
    if author is not None and (author.group("quoted") or _about_a_book(title, description)):
        return KindDecision(Kind.BOOK_SIGNING, f'title names an author and a book: "{raw}"')
    numbered = _NUMBERED.search(raw)
    if numbered is not None and not _NOT_A_SERIES.search(raw[: numbered.start()]):
        return KindDecision(Kind.MEETUP, f'title numbers a series: "{numbered.group()}"')
    words = title.norm.split()
    if not 2 <= len(words) <= MAX_NAME_WORDS:
        return None
    place = _places().search(title.norm)
    if place is not None:
        head = title.norm[: place.start()].split()
        brand = title.raw[: title.origin[place.start()]]
        if (
            head
            and head[-1] not in _NOT_JUST_BEFORE_A_PLACE
            and not _NOT_BEFORE_A_PLACE.intersection(head)
            and _names_a_brand(brand, shouting=title.raw.isupper())
        ):
            return KindDecision(Kind.CONFERENCE, f'title names a brand and a place: "{raw}"')
    return None


def _about_a_book(title: _Text, description: _Text) -> bool:
    return any(
        pattern.search(text.norm)
        for pattern in (_LITERARY_SUPPORT, _BOOKISH)
        for text in (title, description)
    )


def _names_a_brand(text: str, *, shouting: bool = False) -> bool:
    """A brand by its shape (unless the whole title is in capitals), or a working field's name."""
    if not text.strip():
        return False
    if not shouting and _BRAND_SHAPE.search(text):
        return True
    from service.classify.sectors import get_taxonomy

    return any(term.sector not in _LEISURE_SECTORS for term in get_taxonomy().matches(text))


@lru_cache(maxsize=1)
def _places() -> re.Pattern[str]:
    """One pattern for every place name, matching the end of a normalised title."""
    try:
        lines = PLACES_PATH.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    names = sorted({_normalise_any(line)[0].strip() for line in lines if line.strip()}, key=len)
    if not names:
        return re.compile(r"(?!)")
    alternation = "|".join(re.escape(name) for name in reversed(names))
    return re.compile(rf"(?<= )(?:{alternation}) $")


def _from_schema(schema_type: object, title: _Text, description: _Text) -> KindDecision | None:
    for name in _schema_names(schema_type):
        key = name.casefold()
        if key == "literaryevent":
            if _LITERARY_SUPPORT.search(title.norm) or _LITERARY_SUPPORT.search(description.norm):
                return KindDecision(Kind.BOOK_SIGNING, f"schema.org type {name} about a book")
            return KindDecision(Kind.OTHER, f"schema.org type {name}")
        kind = _SCHEMA_KINDS.get(key)
        if kind is not None:
            return KindDecision(kind, f"schema.org type {name}")
    return None


def _schema_names(schema_type: object) -> list[str]:
    """Accept "BusinessEvent", "https://schema.org/BusinessEvent" or a list of them."""
    if isinstance(schema_type, str):
        candidates: Sequence[object] = (schema_type,)
    elif isinstance(schema_type, list | tuple):
        candidates = schema_type[:10]
    else:
        return []
    names = []
    for candidate in candidates:
        if isinstance(candidate, str):
            name = _SCHEMA_PREFIX.sub("", candidate.strip()[:200]).strip("/# ")
            if name:
                names.append(name)
    return names


def _from_categories(categories: object) -> KindDecision | None:
    if isinstance(categories, str):
        categories = [categories]
    if not isinstance(categories, list | tuple | set | frozenset):
        return None
    labels = [
        _Text(_as_text(label)[:MAX_CATEGORY_CHARS])
        for label in itertools.islice(categories, MAX_CATEGORIES)
    ]
    for rules in (
        _OTHER_STRONG,
        _CAREER_FAIR_STRONG,
        _BOOK_SIGNING_STRONG,
        _CONFERENCE_STRONG,
        _WORKSHOP_STRONG,
        _MEETUP_STRONG,
        _CATEGORY_RULES,
    ):
        for label in labels:
            found = _first(rules, label)
            if found is not None:
                return KindDecision(found[0], f'category "{label.raw.strip()}"')
    return None


def _first(rules: list[Rule], text: _Text) -> tuple[Kind, str] | None:
    """The first rule, in table order, that matches anywhere."""
    for kind, pattern in rules:
        match = pattern.search(text.norm)
        if match is not None:
            return kind, text.quote(match)
    return None


def _earliest(rules: list[Rule], text: _Text) -> tuple[Kind, str] | None:
    """The rule whose match starts first in the text."""
    best: tuple[re.Match[str], Kind] | None = None
    for kind, pattern in rules:
        match = pattern.search(text.norm)
        if match is not None and (best is None or match.start() < best[0].start()):
            best = (match, kind)
    return None if best is None else (best[1], text.quote(best[0]))


def _title_says(kind: Kind, phrase: str) -> KindDecision:
    return KindDecision(kind, f'title says "{phrase}"')


def _word_around(text: str, match: re.Match[str]) -> str:
    start, end = match.span()
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end]


def _as_text(value: object) -> str:
    """Any value as text; the crawl hands over whatever the source held."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value[: MAX_DESCRIPTION_CHARS * 4]).decode("utf-8", "replace")
    try:
        return str(value)
    except Exception:
        return ""


def _as_kind(value: object) -> Kind | None:
    if isinstance(value, Kind):
        return value
    if isinstance(value, str):
        try:
            return Kind(value.strip().lower())
        except ValueError:
            return None
    return None
