"""The search form: what a person typed in, a search or a message per field out.

The page checks every field on its own, so each mistake gets a message next
to its field at once (the API stops at the first). What passes becomes the
same :class:`~service.api.filters.EventFilters` the API builds, so the page,
the API and the feed it links to answer the same question.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from starlette.datastructures import ImmutableMultiDict

from feeds.digest import line
from service.classify.sectors import get_taxonomy
from service.http.filters import EventFilters
from service.model import Attendance, Kind
from service.places.gazetteer import Place
from service.search import DEFAULT_RADIUS_KM, MAX_QUERY_CHARS, SORTS, SearchError, resolve_place
from service.text.labels import ATTENDANCE_LABELS
from service.web.view import ALARM_CHOICES, CANCELLED_CHOICES, FeedChoices

MIN_RADIUS_KM = 1.0
MAX_RADIUS_KM = 500.0
MAX_CURSOR_CHARS = 500
MAX_CHOICES = 50
ATTENDANCE_CHOICES: tuple[tuple[str, str], ...] = (
    ("any", "Any"),
    *(
        (choice.value, ATTENDANCE_LABELS[choice])
        for choice in (Attendance.IN_PERSON, Attendance.ONLINE)
    ),
)
SORT_CHOICES: tuple[tuple[str, str], ...] = (
    ("score", "Best chance to meet someone"),
    ("date", "Soonest first"),
    ("distance", "Nearest first"),
)
TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
FIELD_ORDER = ("near", "radius_km", "q", "start", "end", "attendance", "kinds", "sort", "sectors")


Params = ImmutableMultiDict[str, str]
"""Query parameters (Starlette's ``QueryParams``) or a posted form, parsed alike."""


@dataclass
class FormValues:
    """The form's fields as the person typed them, to fill the form again."""

    near: str = ""
    radius_km: str = f"{DEFAULT_RADIUS_KM:g}"
    q: str = ""
    start: str = ""
    end: str = ""
    attendance: str = "any"
    kinds: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    free: bool = False
    sort: str = "score"

    def params(self) -> list[tuple[str, str]]:
        """Query parameters that fill the form the same way (defaults left out)."""
        pairs: list[tuple[str, str]] = []
        if self.near:
            pairs.append(("near", self.near))
        if self.radius_km and self.radius_km != f"{DEFAULT_RADIUS_KM:g}":
            pairs.append(("radius_km", self.radius_km))
        if self.q:
            pairs.append(("q", self.q))
        if self.start:
            pairs.append(("start", self.start))
        if self.end:
            pairs.append(("end", self.end))
        if self.attendance != "any":
            pairs.append(("attendance", self.attendance))
        pairs.extend(("kind", kind) for kind in self.kinds)
        pairs.extend(("sector", slug) for slug in self.sectors)
        if self.free:
            pairs.append(("free", "1"))
        if self.sort != "score":
            pairs.append(("sort", self.sort))
        return pairs


@dataclass
class SearchForm:
    """A parsed form: ``filters`` is set only when no field has an error."""

    values: FormValues
    choices: FeedChoices
    errors: dict[str, str] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    filters: EventFilters | None = None
    place: Place | None = None
    cursor: str | None = None

    def params(self) -> list[tuple[str, str]]:
        """The search and the feed choices, to link back to this very page."""
        return [*self.values.params(), *self.choices.params()]

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def ordered_errors(self) -> list[tuple[str, str]]:
        """The errors in the order of the fields on the page, for the summary above them."""
        return sorted(self.errors.items(), key=lambda item: _position(item[0]))


def parse_search_form(params: Params) -> SearchForm:
    """Read every field, collect a message per bad one, and build the filters if none is bad."""
    form = SearchForm(values=FormValues(), choices=parse_feed_choices(params))
    values = form.values
    values.near = _text(form, params, "near", "A place name")
    values.q = _text(form, params, "q", "Words to look for")
    radius = _radius(form, params)
    values.kinds = _choices(form, params, "kind", "kinds", [kind.value for kind in Kind])
    values.sectors = _choices(form, params, "sector", "sectors", get_taxonomy().slugs)
    values.attendance = _one_of(
        form, params, "attendance", [value for value, _ in ATTENDANCE_CHOICES], "any"
    )
    values.sort = _one_of(form, params, "sort", list(SORTS), "score")
    values.free = _flag(params, "free")
    cursor = _single(params, "cursor")
    form.cursor = cursor if cursor and len(cursor) <= MAX_CURSOR_CHARS else None

    if values.near and "near" not in form.errors:
        try:
            form.place = resolve_place(values.near)
        except SearchError as exc:
            form.error("near", _unknown_place(values.near, exc))
            form.suggestions = exc.suggestions
    if values.sort == "distance" and not values.near and "sort" not in form.errors:
        form.error("sort", "Nearest first needs a place: type one above.")

    zone = ZoneInfo(form.place.timezone if form.place else "UTC")
    start = _day(form, params, "start", zone)
    end = _day(form, params, "end", zone, next_day=True)
    if start and end and end <= start and "end" not in form.errors:
        form.error("end", "The last day cannot be before the first day.")

    if form.errors:
        return form
    attendance = () if values.attendance == "any" else (Attendance(values.attendance),)
    form.filters = EventFilters(
        start=start,
        end=end,
        kinds=tuple(Kind(kind) for kind in values.kinds),
        q=values.q or None,
        near=values.near or None,
        place=form.place,
        radius_km=radius if radius is not None else DEFAULT_RADIUS_KM,
        sectors=tuple(values.sectors),
        attendance=attendance,
        free=True if values.free else None,
        sort=values.sort,  # type: ignore[arg-type]
    )
    return form


def parse_feed_choices(params: Params) -> FeedChoices:
    """The calendar options; anything the page does not offer falls back to the default."""
    cancelled = _single(params, "cancelled")
    known_cancelled = {value for value, _ in CANCELLED_CHOICES}
    alarm_text = _single(params, "alarm")
    alarms = {str(value): value for value, _ in ALARM_CHOICES if value is not None}
    return FeedChoices(
        cancelled=cancelled if cancelled in known_cancelled else "keep",  # type: ignore[arg-type]
        alarm=alarms.get(alarm_text or ""),
        followup=_flag(params, "followup"),
    )


def _single(params: Params, name: str) -> str | None:
    value = params.get(name)
    return value if isinstance(value, str) else None


def _flag(params: Params, name: str) -> bool:
    return (_single(params, name) or "").strip().lower() in TRUE_WORDS


def _text(form: SearchForm, params: Params, name: str, what: str) -> str:
    """One line of text; too long is an error, and only the first part is kept to show."""
    raw = _single(params, name) or ""
    cleaned = line(raw, limit=len(raw) + 1)
    if len(cleaned) > MAX_QUERY_CHARS:
        form.error(
            name,
            f"{what} can be at most {MAX_QUERY_CHARS} characters long; "
            f"this one has {len(cleaned):,}.",
        )
        return cleaned[:MAX_QUERY_CHARS]
    return cleaned


def _radius(form: SearchForm, params: Params) -> float | None:
    raw = line(_single(params, "radius_km") or "", limit=40)
    form.values.radius_km = raw or f"{DEFAULT_RADIUS_KM:g}"
    if not raw:
        return None
    try:
        value = float(raw.replace(",", ".").removesuffix("km").strip())
    except ValueError:
        form.error("radius_km", "Enter the distance as a number of kilometres, for example 25.")
        return None
    if not math.isfinite(value) or not MIN_RADIUS_KM <= value <= MAX_RADIUS_KM:
        form.error(
            "radius_km",
            f"The distance must be between {MIN_RADIUS_KM:g} and {MAX_RADIUS_KM:g} km.",
        )
        return None
    return value


def _choices(
    form: SearchForm, params: Params, name: str, field_name: str, known: list[str]
) -> list[str]:
    """The known values among those ticked; an unknown one is an error that names it."""
    chosen: list[str] = []
    for raw in params.getlist(name)[:MAX_CHOICES]:
        value = line(raw, limit=60) if isinstance(raw, str) else ""
        if value in known:
            if value not in chosen:
                chosen.append(value)
        elif value:
            form.error(field_name, f"“{value}” is not one of the choices; pick from the list.")
    return chosen


def _one_of(form: SearchForm, params: Params, name: str, known: list[str], default: str) -> str:
    value = line(_single(params, name) or "", limit=60)
    if not value:
        return default
    if value not in known:
        form.error(name, f"“{value}” is not one of the choices; pick from the list.")
        return default
    return value


def _day(
    form: SearchForm, params: Params, name: str, zone: ZoneInfo, *, next_day: bool = False
) -> datetime | None:
    """A date as midnight in the place's zone; the last day counts whole (next midnight)."""
    raw = line(_single(params, name) or "", limit=40)
    setattr(form.values, name, raw)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
        if next_day:
            day += timedelta(days=1)
    except (ValueError, OverflowError):
        form.error(name, "Enter a date like 2026-12-01 (year, month, day).")
        return None
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _unknown_place(text: str, exc: SearchError) -> str:
    """The gazetteer knows towns of 15,000 people or more: say so, and what to try."""
    name = line(text, limit=60)
    if exc.suggestions:
        return f"We could not find a place called “{name}”. Did you mean one of these?"
    return (
        f"We could not find a place called “{name}”. Try the nearest city, "
        "or add its region or country: “Portland, OR”, “London, UK”."
    )


def _position(name: str) -> int:
    return FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER)
