"""The professional sector taxonomy and the classifier that assigns sectors to events.

A job seeker filters by the field they work in ("healthcare", "finance"), so
every event needs sector slugs even when its source never says. The taxonomy
is data (``service/classify/data/sectors.toml``): each sector's vocabulary can grow
without code changes. Classification is keyword evidence, weighted by where
the word appears, and it explains itself: every assigned sector comes with
the words that decided it, which the API shows in ``why``.
"""

from __future__ import annotations

import html
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from service.classify.learned import SectorModel, get_model

DEFAULT_PATH = Path(__file__).parent / "data" / "sectors.toml"

FIELD_WEIGHTS = {"title": 3.0, "categories": 3.0, "organizer": 2.0, "description": 1.0}
"""A word in the title or a category says more about the event than one in its blurb."""

THRESHOLD = 3.0
"""One title or category word is enough; a description needs three different words."""

DEFAULT_EVIDENCE = "source default"

MAX_SECTORS = 3
"""The learned model adds sectors only while fewer than three are given."""
LEARNED_ALONE = 0.25
LEARNED_EXTRA = 0.5
"""How sure the learned model must be to add a sector: alone, or beside keyword evidence
(chosen by leaving one source out; ``benchmarks/sectors.py``)."""

MAX_CHARS = {"title": 500, "categories": 2_000, "organizer": 300, "description": 1_500}
"""Descriptions can be 100 kB of page chrome; their opening says what the event is about."""

EVENT_SUFFIX = "(?:conf|con|days?|camp|fest)?"
"""Glued onto a keyword the way conferences are named: "ReactConf", "DevOpsDays"."""

MAX_CATEGORIES = 50
MATCH_CACHE_SIZE = 20_000
"""Texts whose matches a taxonomy remembers (see ``Taxonomy.matches``)."""
MAX_MATCHES_PER_FIELD = 300

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SEPARATOR = re.compile(r"[\s\-_]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_SEPARATOR_ATOM = r"[\s\-_]*"
_CAMEL = r"(?-i:(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]))"
"""Where a word glued on in camel case begins: "Kotlin|Leeds", "App|Dev|Con", "SQL|Bits"."""
_WORD_TAIL = EVENT_SUFFIX + "(?:s|es)?"
_STEM_TAIL = r"\w*"
_TAILS = {_WORD_TAIL, _STEM_TAIL, ""}
_LEAF = "\x00"


@dataclass(frozen=True, slots=True)
class Sector:
    """One field of work, with the words that mark an event as belonging to it."""

    slug: str
    label: str
    description: str
    keywords: tuple[str, ...]
    acronyms: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    """Words that say a host is of the field ("city of"), read in a host's or a calendar's
    own name only: in an event's text they say nothing ("City of God", a film)."""


@dataclass(frozen=True, slots=True)
class _Term:
    sector: str
    term: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """A scanning pattern shaped as a trie (fast on long text) and a grouped
    pattern that names the term behind each match (group number -> term)."""

    scan: re.Pattern[str]
    name: re.Pattern[str]
    terms: tuple[str, ...]

    def find(self, slug: str, text: str) -> Iterator[_Term]:
        for match in self.scan.finditer(text):
            if match.end() == match.start():
                continue
            named = self.name.fullmatch(match.group())
            if named is not None and named.lastindex:
                yield _Term(slug, self.terms[named.lastindex - 1], match.start(), match.end())


@dataclass(frozen=True, slots=True)
class _Matcher:
    """One sector's compiled vocabulary: its keywords and its case-sensitive acronyms."""

    slug: str
    vocabularies: tuple[_Vocabulary, ...]

    def find(self, text: str) -> Iterator[_Term]:
        for vocabulary in self.vocabularies:
            yield from vocabulary.find(self.slug, text)


class Taxonomy:
    """The sectors in file order, each with its vocabulary compiled once."""

    def __init__(self, sectors: Iterable[Sector]) -> None:
        self._sectors = tuple(sectors)
        self._by_slug = {sector.slug: sector for sector in self._sectors}
        self._matchers = tuple(_compile(sector) for sector in self._sectors)
        self._hosts = tuple(
            (sector.slug, vocabulary)
            for sector in self._sectors
            if (vocabulary := _words_of(sector.hosts)) is not None
        )
        self._found: dict[tuple[str, bool], tuple[_Term, ...]] = {}

    @cached_property
    def _glued(self) -> tuple[_Matcher, ...]:
        """The matchers that also read words glued in camel case, compiled at the first title
        read (as long again as the plain ones: a process that only lists sectors never needs
        them)."""
        return tuple(_compile(sector, glued=True) for sector in self._sectors)

    @property
    def slugs(self) -> list[str]:
        return [sector.slug for sector in self._sectors]

    def get(self, slug: str) -> Sector | None:
        return self._by_slug.get(slug) if isinstance(slug, str) else None

    def __iter__(self) -> Iterator[Sector]:
        return iter(self._sectors)

    def __len__(self) -> int:
        return len(self._sectors)

    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and slug in self._by_slug

    def matches(self, text: str, *, glued: bool = False) -> list[_Term]:
        """Every sector term in ``text``, minus those inside a longer term.

        "machine learning" is technology; the "learning" inside it is not
        evidence for education. With ``glued`` (a name: a title), a keyword
        also counts where the text glues it in camel case ("KotlinLeeds");
        prose names brands that way ("BlackRock", "eBooks"), and reading
        every capital of a long text as a word's start costs ten times more.
        """
        known = self._found.get((text, glued))
        if known is None:
            # A recurring series repeats its texts on every instance: scan each text once.
            if len(self._found) >= MATCH_CACHE_SIZE:
                self._found.clear()
            matchers = self._glued if glued else self._matchers
            known = self._found[text, glued] = tuple(self._scan(text, matchers))
        return list(known)

    def hosted_by(self, name: str) -> list[str]:
        """The sectors whose host words a host's name holds ("Town of Chapel Hill")."""
        text = _text(name, MAX_CHARS["organizer"])
        return [slug for slug, vocabulary in self._hosts if next(vocabulary.find(slug, text), None)]

    def _scan(self, text: str, matchers: tuple[_Matcher, ...]) -> list[_Term]:
        found: list[_Term] = []
        for matcher in matchers:
            for term in matcher.find(text):
                found.append(term)
                if len(found) >= MAX_MATCHES_PER_FIELD:
                    return _drop_shadowed(found)
        return _drop_shadowed(found)


@dataclass(slots=True)
class Classification:
    """Sectors ordered by strength, and for each the words that decided it."""

    sectors: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def primary(self) -> str | None:
        return self.sectors[0] if self.sectors else None


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy file; a ValueError names what is wrong and where."""
    source = Path(path) if path is not None else DEFAULT_PATH
    try:
        with source.open("rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{source}: cannot read sector taxonomy: {error}") from error
    entries = document.get("sector")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{source}: no [[sector]] tables")
    sectors = [_parse_sector(entry, position, source) for position, entry in enumerate(entries, 1)]
    _check_unique(sectors, source)
    return Taxonomy(sectors)


@lru_cache(maxsize=1)
def get_taxonomy() -> Taxonomy:
    """The bundled taxonomy, loaded on first use."""
    return load_taxonomy()


def classify(
    *,
    title: object,
    description: object = None,
    organizer: object = None,
    categories: object = (),
    defaults: object = (),
    taxonomy: Taxonomy | None = None,
    model: SectorModel | Literal["shipped"] | None = "shipped",
) -> Classification:
    """Assign every sector whose evidence passes the threshold, strongest first.

    Source defaults (the sectors ``sources.toml`` gives a source) are always
    kept; they count as much as the threshold, so an event with its own
    evidence for a default sector ranks it first.
    """
    if taxonomy is None:
        taxonomy = get_taxonomy()
    fields = {
        "title": _text(title, MAX_CHARS["title"]),
        "categories": _text(
            " | ".join(_strings(categories, MAX_CATEGORIES)), MAX_CHARS["categories"]
        ),
        "organizer": _text(organizer, MAX_CHARS["organizer"]),
        "description": _text(description, MAX_CHARS["description"]),
    }
    scores: dict[str, float] = {}
    evidence: dict[str, list[str]] = {}
    for name, text in fields.items():
        if text:
            matched = taxonomy.matches(text, glued=name == "title")
            _score_field(matched, FIELD_WEIGHTS[name], scores, evidence)
    kept = {slug: score for slug, score in scores.items() if score >= THRESHOLD}
    learned = get_model() if model == "shipped" else model
    if learned is not None:
        text = "\n".join(fields[name] for name in ("title", "organizer", "description"))
        sure = bool(kept) or any(slug in taxonomy for slug in _strings(defaults, len(taxonomy)))
        _add_learned(learned, text, taxonomy, kept, evidence, sure=sure)
    for slug in dict.fromkeys(_strings(defaults, len(taxonomy))):
        if slug in taxonomy:
            kept[slug] = kept.get(slug, 0.0) + THRESHOLD
            evidence.setdefault(slug, []).append(DEFAULT_EVIDENCE)
    order = {slug: position for position, slug in enumerate(taxonomy.slugs)}
    ranked = sorted(kept, key=lambda slug: (-kept[slug], -scores.get(slug, 0.0), order[slug]))
    return Classification(
        sectors=ranked,
        evidence={slug: evidence[slug] for slug in ranked},
        scores={slug: kept[slug] for slug in ranked},
    )


def _add_learned(
    model: SectorModel,
    text: str,
    taxonomy: Taxonomy,
    kept: dict[str, float],
    evidence: dict[str, list[str]],
    *,
    sure: bool,
) -> None:
    """Add the sectors the model is sure of, after the keyword ones, never more than three in all.

    With no keyword evidence and no source default a lower bar applies: a
    listing that names its field only in passing should still reach the
    people of that field. Beside a default it only adds, and only when sure.
    """
    if not text.strip():
        return
    chances = model.chances(text)
    bar = LEARNED_EXTRA if sure else LEARNED_ALONE
    for slug in sorted(chances, key=lambda s: -chances[s])[:MAX_SECTORS]:
        if len(kept) >= MAX_SECTORS or chances[slug] < bar:
            break
        if slug in kept or slug not in taxonomy:
            continue
        reasons = model.reasons(slug, text)
        if not reasons:
            continue
        kept[slug] = chances[slug]
        evidence[slug] = reasons


def fold(text: str) -> str:
    """Strip accents so "Sécurité" meets "securite"; case is left to the patterns."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def _score_field(
    terms: list[_Term], weight: float, scores: dict[str, float], evidence: dict[str, list[str]]
) -> None:
    seen: set[tuple[str, str]] = set()
    for term in terms:
        key = (term.sector, term.term.lower())
        if key in seen:
            continue
        seen.add(key)
        scores[term.sector] = scores.get(term.sector, 0.0) + weight
        words = evidence.setdefault(term.sector, [])
        if term.term.lower() not in map(str.lower, words):
            words.append(term.term)


def _drop_shadowed(terms: list[_Term]) -> list[_Term]:
    """Drop terms lying inside a longer term found by any sector."""
    spans = {(term.start, term.end) for term in terms}
    kept: list[_Term] = []
    for term in sorted(terms, key=lambda t: t.start):
        length = term.end - term.start
        if not any(
            end - start > length and start <= term.start and term.end <= end for start, end in spans
        ):
            kept.append(term)
    return kept


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    return fold(html.unescape(value[: limit * 2]))[:limit]


def _strings(values: object, limit: int) -> list[str]:
    if isinstance(values, str):
        return [values]
    if not isinstance(values, Iterable):
        return []
    found: list[str] = []
    try:
        for value in values:
            if isinstance(value, str) and value.strip():
                found.append(value.strip())
            if len(found) >= limit:
                break
    except Exception:
        return found
    return found


def _compile(sector: Sector, *, glued: bool = False) -> _Matcher:
    acronyms = {fold(term): term for term in sector.acronyms}
    vocabularies = (
        _words_of(sector.keywords, glued=glued),
        _vocabulary_of(acronyms, _acronym_atoms, 0),
    )
    return _Matcher(sector.slug, tuple(v for v in vocabularies if v is not None))


def _words_of(terms: tuple[str, ...], *, glued: bool = False) -> _Vocabulary | None:
    """Words match whole; with ``glued``, also as a part of a name glued in camel case
    ("KotlinLeeds", "DevNexus", "ForwardJS"). Acronyms, matched by case, only ever whole."""
    words = {fold(term).lower(): term for term in terms}
    return _vocabulary_of(words, _word_atoms, re.IGNORECASE, glued=glued)


def _vocabulary_of(
    spellings: dict[str, str],
    atoms_of: Callable[[str], list[str]],
    flags: int,
    *,
    glued: bool = False,
) -> _Vocabulary | None:
    if not spellings:
        return None
    ordered = sorted(spellings.items(), key=lambda item: (-len(item[0]), item[0]))
    atoms = [atoms_of(key) for key, _ in ordered]
    groups = "|".join(f"({''.join(sequence)})" for sequence in atoms)
    start, end = (
        (rf"(?:(?<!\w)|{_CAMEL})", rf"(?:(?!\w)|{_CAMEL})") if glued else (r"(?<!\w)", r"(?!\w)")
    )
    return _Vocabulary(
        scan=re.compile(f"{start}{_trie(atoms)}{end}", flags),
        name=re.compile(groups, flags),
        terms=tuple(term for _, term in ordered),
    )


def _word_atoms(keyword: str) -> list[str]:
    """Regex pieces for one keyword, in order.

    Spaces and hyphens match any (or no) separator; a word keyword takes a
    plural and an event-name suffix glued on the way conferences are named
    ("ReactConf", "DevOpsDays", "DrupalCon"); ``word*`` matches any word
    starting with ``word``.
    """
    stem = keyword.endswith("*")
    atoms: list[str] = []
    for position, part in enumerate(_SEPARATOR.split(keyword.rstrip("*").strip())):
        if position:
            atoms.append(_SEPARATOR_ATOM)
        atoms.extend(re.escape(char) for char in part)
    if stem:
        return [*atoms, _STEM_TAIL]
    return [*atoms, _WORD_TAIL if keyword.rstrip("*")[-1:].isalnum() else ""]


def _acronym_atoms(acronym: str) -> list[str]:
    return [*(re.escape(char) for char in acronym), "s?"]


def _trie(sequences: list[list[str]]) -> str:
    """One alternation that shares common prefixes, so each position is tried once per branch."""
    root: dict[str, Any] = {}
    for sequence in sequences:
        node = root
        for atom in sequence:
            node = node.setdefault(atom, {})
        node[_LEAF] = {}
    return _emit(root)


def _emit(node: dict[str, Any]) -> str:
    branches = sorted((atom for atom in node if atom != _LEAF), key=_atom_rank)
    parts = [atom + _emit(node[atom]) for atom in branches]
    if _LEAF in node:
        parts.append("")
    if len(parts) == 1:
        return parts[0]
    return "(?:" + "|".join(parts) + ")"


def _atom_rank(atom: str) -> int:
    """Longer matches first: literal characters, then separators, then optional tails."""
    if atom in _TAILS:
        return 2
    return 1 if atom == _SEPARATOR_ATOM else 0


def _parse_sector(entry: Any, position: int, source: Path) -> Sector:
    if not isinstance(entry, dict):
        raise ValueError(f"{source}: sector #{position} is not a table")
    slug = entry.get("slug")
    name = f"sector {slug!r}" if isinstance(slug, str) and slug else f"sector #{position}"
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise ValueError(f"{source}: {name}: slug must be lowercase words joined by hyphens")
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"{source}: {name}: needs a label")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise ValueError(f"{source}: {name}: description must be text")
    keywords = _vocabulary(entry.get("keywords", []), f"{source}: {name}: keywords")
    acronyms = _vocabulary(entry.get("acronyms", []), f"{source}: {name}: acronyms")
    hosts = _vocabulary(entry.get("hosts", []), f"{source}: {name}: hosts")
    if not keywords and not acronyms:
        raise ValueError(f"{source}: {name}: vocabulary is empty (no keywords or acronyms)")
    return Sector(slug, label.strip(), description.strip(), keywords, acronyms, hosts)


def _vocabulary(values: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise ValueError(f"{where} must be a list of strings")
    terms: list[str] = []
    for value in values:
        if not isinstance(value, str) or not any(char.isalnum() for char in value):
            raise ValueError(f"{where}: {value!r} is not a word or phrase")
        if "*" in value.rstrip("*") or value.count("*") > 1:
            raise ValueError(f"{where}: {value!r}: '*' may only end a keyword")
        terms.append(value.strip())
    return tuple(terms)


def _check_unique(sectors: list[Sector], source: Path) -> None:
    seen: set[str] = set()
    for sector in sectors:
        if sector.slug in seen:
            raise ValueError(f"{source}: sector {sector.slug!r}: duplicate slug")
        seen.add(sector.slug)
