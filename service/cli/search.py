"""``meetscout search``: the ranked search in a terminal, with the reasons for each result."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.cli.tables import cell
from service.model import Attendance, Kind, Status
from service.search import (
    Point,
    SearchError,
    SearchPage,
    SearchRequest,
    point_of,
    resolve_place,
    search,
)
from service.text.labels import ATTENDANCE_LABELS, KIND_LABELS
from service.text.phrases import count_text, runs_until_text
from service.text.recording import recording_notice
from service.text.series import series_line

console = Console()


class SortOrder(StrEnum):
    SCORE = "score"
    DATE = "date"
    DISTANCE = "distance"


def search_command(
    near: Annotated[
        str | None, typer.Option(help='A place: "Toronto", "Portland, OR", "London, UK".')
    ] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude of the centre (with --lon).")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude of the centre (with --lat).")] = None,
    radius_km: Annotated[float, typer.Option(help="How far from the place, in km.")] = 25.0,
    sector: Annotated[
        list[str] | None, typer.Option(help="A sector slug (repeatable); see GET /sectors.")
    ] = None,
    kind: Annotated[list[Kind] | None, typer.Option(help="A kind of event (repeatable).")] = None,
    online: Annotated[
        bool, typer.Option("--online", help="Also online events, wherever they are.")
    ] = False,
    free: Annotated[bool, typer.Option("--free", help="Only free events.")] = False,
    q: Annotated[str | None, typer.Option(help="Words to look for.")] = None,
    start: Annotated[
        str | None, typer.Option(help="From this date (YYYY-MM-DD); default: now.")
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=1, max=3660, help="Only the next this many days.")
    ] = None,
    sort: Annotated[SortOrder, typer.Option(help="score, date or distance.")] = SortOrder.SCORE,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many results.")] = 20,
) -> None:
    """Events near a place and in your field, best chance to meet someone new first."""
    from service.settings import get_settings
    from service.store import EventStore, make_engine, migrate

    settings = get_settings()
    now = settings.now()
    try:
        point = _point(near, lat, lon)
        window_start = _day(start, "start") if start else None
        first = window_start or now
        request = SearchRequest(
            near=point,
            radius_km=radius_km,
            sectors=tuple(dict.fromkeys(sector or ())),
            kinds=tuple(dict.fromkeys(kind or ())),
            attendance=(Attendance.IN_PERSON, Attendance.ONLINE) if online else (),
            free=True if free else None,
            start=window_start,
            end=first + timedelta(days=days) if days else None,
            q=q,
            sort=sort.value,  # type: ignore[arg-type]
            limit=limit,
            statuses=(Status.SCHEDULED, Status.POSTPONED),
            once=True,
        )
        engine = make_engine(settings.database_url)
        try:
            migrate(engine)
            page = search(EventStore(engine), request, now=now, weights=settings.score_weights)
        finally:
            engine.dispose()
    except SearchError as exc:
        console.print(f"[red]error:[/red] --{exc.parameter.replace('_', '-')}: {exc.message}")
        raise typer.Exit(2) from exc
    if settings.replay_at is not None:
        console.print(f"[yellow]{recording_notice(settings.replay_at)}[/yellow]", highlight=False)
    if point is not None and point.label:
        console.print(f"Near [bold]{point.label}[/bold], within {radius_km:g} km")
    if not page.items:
        console.print("Nothing found: try a wider --radius-km, fewer filters, or --online.")
        return
    console.print(results_table(page, now=now))


def results_table(page: SearchPage, *, now: datetime) -> Table:
    """One row a result; an event that repeats is one row, at its next date, with its rhythm.

    An event on for longer than a week that has started says until when it runs (as its
    reasons do), not the day it began: that may be months ago.
    """
    title = f"{count_text(page.total, exact=page.total_exact)}, best first"
    table = Table(title=title if page.total else "No events")
    for column, justify in (
        ("when", "left"),
        ("title", "left"),
        ("kind", "left"),
        ("where", "left"),
        ("distance", "right"),
        ("score", "right"),
        ("why", "left"),
    ):
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for item in page.items:
        event = item.event
        local = event.local_start()
        when = f"{local:%a %d %b %Y}" if event.all_day else f"{local:%a %d %b %Y %H:%M}"
        when = runs_until_text(event, now) or when
        if item.series is not None:
            when = f"{when} ({series_line(item.series.rhythm, item.series.count)})"
        where = ", ".join(p for p in dict.fromkeys((event.venue.name, event.venue.city)) if p)
        if event.attendance is Attendance.ONLINE:
            where = ATTENDANCE_LABELS[Attendance.ONLINE]
        table.add_row(
            when,
            cell(event.title),
            KIND_LABELS[event.kind],
            cell(where) or "-",
            f"{item.distance_km:.1f} km" if item.distance_km is not None else "-",
            f"{item.score:.2f}",
            cell("; ".join(item.why)),
        )
    return table


def _point(near: str | None, lat: float | None, lon: float | None) -> Point | None:
    if near is not None and (lat is not None or lon is not None):
        raise SearchError("near", "give either --near or --lat and --lon, not both")
    if (lat is None) != (lon is None):
        raise SearchError("lon" if lon is None else "lat", "give --lat and --lon together")
    if near is not None:
        return point_of(resolve_place(near))
    if lat is not None and lon is not None:
        return Point(lat=lat, lon=lon)
    return None


def _day(text: str, parameter: str) -> datetime:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise SearchError(parameter, f"not a date (YYYY-MM-DD): {text!r}") from exc
    return datetime.combine(day, time(0, 0), tzinfo=UTC)
