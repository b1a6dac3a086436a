"""``meetscout digest``: send the week's digests (for cron or a timer), or preview one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.digest.subscribe import CONFIRM_WITHIN
from service.model import FreeTime, Kind
from service.settings import get_settings

digest_app = typer.Typer(
    help="The weekly digest: send it to subscribers, or preview one.", no_args_is_help=True
)
console = Console()


def utcnow() -> datetime:
    """The run's one reading of the clock: a replayed recording's moment, else the real one
    (tests replace it)."""
    return get_settings().now()


@digest_app.command()
def send() -> None:
    """Send this week's digest to every confirmed subscriber who has not had it.

    Safe to run as often as you like: each subscription gets one digest per
    ISO week; failures are retried by the next run. Exits 1 when any failed.
    """
    from feeds.mail import HeaderError, sender_address
    from service.digest.compose import compose_digest
    from service.digest.deliver import send_digests
    from service.digest.mailer import SmtpMailer
    from service.store import EventStore, SubscriptionStore, make_engine, migrate

    settings = get_settings()
    if settings.smtp_url is None:
        console.print("[red]error:[/red] set MEETSCOUT_SMTP_URL to send the digest")
        raise typer.Exit(2)
    if not sender_address(settings.mail_from):
        console.print(
            f"[red]error:[/red] MEETSCOUT_MAIL_FROM is not an address: {settings.mail_from!r}"
        )
        raise typer.Exit(2)
    try:
        mailer = SmtpMailer.from_url(settings.smtp_url.get_secret_value())
    except ValueError as exc:
        console.print(f"[red]error:[/red] MEETSCOUT_SMTP_URL: {exc}")
        raise typer.Exit(2) from exc
    now = utcnow()
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        subscriptions = SubscriptionStore(engine)
        purged = subscriptions.purge_unconfirmed(created_before=now - CONFIRM_WITHIN)
        with mailer:
            report = send_digests(
                store=EventStore(engine),
                subscriptions=subscriptions,
                mailer=mailer,
                compose=lambda digest, subscription: compose_digest(
                    digest,
                    subscription,
                    base_url=settings.base_url,
                    sender=settings.mail_from,
                    now=now,
                ),
                now=now,
                stale_after=timedelta(minutes=settings.digest_retry_minutes),
                max_attempts=settings.digest_max_attempts,
                weights=settings.score_weights,
            )
    except HeaderError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    table = Table(title="Digest summary")
    table.add_column("outcome")
    table.add_column("subscriptions", justify="right")
    for label, count in (
        ("sent", report.sent),
        ("  of which retries", report.retried),
        ("  of which had nothing near", report.nothing_near),
        ("failed (retried next run)", report.failed),
        ("already sent this week", report.already_sent),
        ("being sent by another run", report.in_progress),
        ("gave up this week", report.gave_up),
        ("unconfirmed, forgotten", purged),
    ):
        table.add_row(label, str(count))
    console.print(table)
    for subscription_id, error in report.errors:
        console.print(f"subscription {subscription_id}: {error}", markup=False, highlight=False)
    if report.failed:
        raise typer.Exit(1)


@digest_app.command()
def preview(
    near: Annotated[
        str | None, typer.Option(help='A place name: "Toronto", "Portland, OR".')
    ] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude (with --lon).")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude (with --lat).")] = None,
    radius_km: Annotated[float, typer.Option(help="How far, in km.")] = 25.0,
    sector: Annotated[list[str] | None, typer.Option(help="A sector slug (repeatable).")] = None,
    kind: Annotated[list[Kind] | None, typer.Option(help="A kind of event (repeatable).")] = None,
    free_time: Annotated[
        list[FreeTime] | None, typer.Option(help="When you can go (repeatable).")
    ] = None,
    week: Annotated[
        datetime | None, typer.Option(help="A day of the week to preview (default: this week).")
    ] = None,
    format: Annotated[str, typer.Option(help="text, md, html or json.")] = "text",
) -> None:
    """Print one digest in the terminal, as a subscriber with these choices would get it."""
    from feeds.digest import render_html, render_json, render_markdown, render_text
    from service.digest.compile import compile_digest
    from service.places.timezones import zone_at
    from service.search import Point, SearchError, SearchRequest, resolve_place
    from service.store import EventStore, make_engine, migrate

    renderers = {
        "text": render_text,
        "md": render_markdown,
        "html": render_html,
        "json": render_json,
    }
    if format not in renderers:
        console.print(f"[red]error:[/red] --format must be one of {', '.join(renderers)}")
        raise typer.Exit(2)
    if (lat is None) != (lon is None) or (near is None) == (lat is None):
        console.print("[red]error:[/red] give --near, or --lat and --lon")
        raise typer.Exit(2)
    settings = get_settings()
    now = utcnow()
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        if near is not None:
            place = resolve_place(near)
            point, zone, label = (
                Point(place.lat, place.lon, place.label),
                place.timezone,
                place.label,
            )
        else:
            assert lat is not None and lon is not None
            point, zone, label = Point(lat, lon), zone_at(lat, lon), f"{lat:g}, {lon:g}"
        request = SearchRequest(
            near=point,
            radius_km=radius_km,
            sectors=tuple(dict.fromkeys(sector or ())),
            kinds=tuple(dict.fromkeys(kind or ())),
        )
        week_of = week.replace(tzinfo=week.tzinfo or UTC) if week is not None else None
        digest = compile_digest(
            EventStore(engine),
            request,
            now=now,
            timezone=zone,
            place=label,
            free_times=tuple(dict.fromkeys(free_time or ())),
            week_of=week_of,
            weights=settings.score_weights,
        )
    except SearchError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    typer.echo(renderers[format](digest), nl=False)


@digest_app.command()
def unsubscribe(
    address: Annotated[str, typer.Argument(help="The address that asked to stop.")],
) -> None:
    """Stop every digest to ADDRESS: for unsubscribe requests that arrive by email."""
    from service.store import SubscriptionStore, make_engine, migrate

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        stopped = SubscriptionStore(engine).unsubscribe_address(email=address, now=utcnow())
    finally:
        engine.dispose()
    console.print(f"{stopped} subscription(s) stopped.", highlight=False)
