"""The ``meetscout`` command: crawl, serve, up."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from service.cli.curate import corrections_command
from service.cli.digest import digest_app
from service.cli.search import search_command
from service.cli.tables import check_table, health_table, skipped_lines, summary_table
from service.settings import BUNDLE, SOURCES_FILE, Settings, get_settings
from service.text.recording import recording_notice

if TYPE_CHECKING:
    from crawlers.discover import Proposal
    from crawlers.report import SourceReport
    from crawlers.schedule import Scheduler

app = typer.Typer(
    help="meetscout: places to meet someone new in your field.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
app.command("search")(search_command)
app.command("corrections")(corrections_command)


@app.callback()
def _settings_are_valid() -> None:
    """Every command reads the MEETSCOUT_* settings: a bad one ends the run with its name."""
    try:
        get_settings()
    except ValidationError as error:
        for problem in error.errors():
            _one_line_error(setting_problem(problem))
        raise typer.Exit(2) from error
    except SettingsError as error:  # a value the environment source cannot even decode
        _one_line_error(settings_source_problem(error))
        raise typer.Exit(2) from error


def _one_line_error(message: str) -> None:
    """The error on one line, however narrow the terminal; a value's brackets stay text."""
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)


def settings_source_problem(error: SettingsError) -> str:
    """pydantic-settings' "error parsing value for field "x" ...", as the variable at fault."""
    found = re.search(r'field "([^"]+)"', str(error))
    if found is None:
        return str(error)
    return f"MEETSCOUT_{found.group(1).upper()}: not valid JSON"


def setting_problem(problem: Mapping[str, Any]) -> str:
    """One of pydantic's errors about the settings, as the environment variable at fault."""
    message = str(problem["msg"]).removeprefix("Value error, ")
    if not problem["loc"]:
        return message
    name = f"MEETSCOUT_{str(problem['loc'][0]).upper()}"
    return f"{name}: {message}"


QUIET_LOGGERS = ("scrapy", "twisted", "alembic", "py.warnings")


class _QuietLibraries(logging.Filter):
    """Scrapy's and Alembic's routine chatter drowns the progress display."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return not record.name.startswith(QUIET_LOGGERS)


def _setup_logging(settings: Settings) -> None:
    handler = RichHandler(console=console, show_path=False, rich_tracebacks=True)
    handler.setLevel(settings.log_level.upper())
    handler.addFilter(_QuietLibraries())
    logging.basicConfig(format="%(name)s: %(message)s", handlers=[handler], force=True)


def run_crawl_command(settings: Settings, source_name: str | None = None) -> list[SourceReport]:
    """Crawl the configured sources with a progress display; print a summary."""
    from crawlers.runner import run_crawl
    from crawlers.sources import SourcesError, crawlable, load_sources
    from crawlers.spread import SharedCrawlError
    from service.store import make_engine, migrate

    try:
        listed = load_sources(settings.sources)
    except SourcesError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    sources = crawlable(listed, named=source_name)
    if source_name is None and len(sources) < len(listed):
        paused = ", ".join(source.name for source in listed if source.paused)
        console.print(f"Paused, not crawled: {paused}")
    if source_name is not None and not sources:
        console.print(f"[red]error:[/red] no source named {source_name!r} in {settings.sources}")
        raise typer.Exit(2)
    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()
    say_if_recording(settings)
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.completed} events"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks = {source.name: progress.add_task(source.name, total=None) for source in sources}

        def on_event(name: str, what: str) -> None:
            if what == "item":
                progress.advance(tasks[name])
            else:
                progress.update(tasks[name], total=progress.tasks[tasks[name]].completed)

        try:
            reports = run_crawl(settings, sources, now=settings.now(), on_event=on_event)
        except SharedCrawlError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        here = {report.source for report in reports}
        for name in tasks.keys() - here:  # a shared crawl's other processes crawled them
            progress.remove_task(tasks[name])
    if len(here) < len(sources):
        console.print(
            f"Crawled by the other processes of the shared crawl: "
            f"{len(sources) - len(here)} sources"
        )
    console.print(summary_table(reports))
    return reports


def say_if_recording(settings: Settings) -> None:
    """A replayed recording says so before anything else is printed about it."""
    if settings.replay_at is not None:
        console.print(f"[yellow]{recording_notice(settings.replay_at)}[/yellow]", highlight=False)


@app.command()
def crawl(
    source: Annotated[
        str | None, typer.Option(help="Crawl only the source with this name.")
    ] = None,
) -> None:
    """Crawl the sources of sources.toml into the store."""
    settings = get_settings()
    _setup_logging(settings)
    reports = run_crawl_command(settings, source)
    if reports and all(report.outcome.value == "failed" for report in reports):
        raise typer.Exit(1)


WorkersOption = Annotated[
    int,
    typer.Option(
        min=1,
        max=64,
        help="Server processes sharing the port (each one a copy of the app; about one per core).",
    ),
]


def _scheduler(settings: Settings) -> Scheduler:
    """Crawls each source again on its interval, each crawl a ``meetscout crawl --source``
    process with its output in the data folder's ``crawl-logs/``."""
    from crawlers.schedule import Scheduler, crawl_in_a_process
    from service.store import HealthStore, ScheduleStore, make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    return Scheduler(
        sources=settings.sources,
        schedule=ScheduleStore(engine),
        health=HealthStore(engine),
        clock=settings.now,
        crawl=crawl_in_a_process(settings.data_dir / "crawl-logs"),
        default_refresh=timedelta(minutes=settings.crawl_refresh_minutes),
    )


@app.command()
def schedule(
    once: Annotated[
        bool, typer.Option("--once", help="Crawl what is due now, wait for it, and stop.")
    ] = False,
) -> None:
    """Crawl each source again on its own interval, until stopped: for a crawler-only machine.

    A source's interval is its refresh in sources.toml, else what its feed asks for, else
    MEETSCOUT_CRAWL_REFRESH_MINUTES. Any number of schedulers may share one store: each
    source is crawled by one of them at a time.
    """
    settings = get_settings()
    _setup_logging(settings)
    scheduler = _scheduler(settings)
    if once:
        started = scheduler.tick()
        statuses = {name: crawl.result() for name, crawl in started.items()}
        scheduler.close()
        for name, status in sorted(statuses.items()):
            console.print(f"{escape(name)}: crawled (exit {status})")
        if not statuses:
            console.print("Nothing is due.")
        raise typer.Exit(1 if any(statuses.values()) else 0)
    say_if_recording(settings)
    console.print(f"Crawling each source of {escape(str(settings.sources))} on its interval.")
    stop = threading.Event()
    try:
        scheduler.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()
        scheduler.close()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: WorkersOption = 1,
) -> None:
    """Serve the API, the web page and the feeds."""
    settings = get_settings()
    _setup_logging(settings)
    _serve(settings, host, port, workers=workers)


@app.command()
def up(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: WorkersOption = 1,
) -> None:
    """Crawl every source, then serve, crawling each again on its interval: the one command to
    see meetscout work.

    With no mail server configured, mail (the digest's confirmation) is
    printed here instead of sent, so signing up works on a fresh machine.
    """
    settings = get_settings()
    _setup_logging(settings)
    run_crawl_command(settings)
    # Then each source again on its interval, for as long as the server runs.
    threading.Thread(
        target=_scheduler(settings).run_forever,
        args=(threading.Event(),),
        name="schedule",
        daemon=True,
    ).start()
    if settings.smtp_url is not None:
        _serve(settings, host, port, workers=workers)
        return
    from pydantic import SecretStr

    from service.digest.devmail import printing_mail_sink

    with printing_mail_sink(console) as smtp_url:
        console.print(
            "No MEETSCOUT_SMTP_URL set: mail is [bold]printed in this terminal[/bold], not sent."
        )
        _serve(
            settings.model_copy(update={"smtp_url": SecretStr(smtp_url)}),
            host,
            port,
            workers=workers,
        )


STARTER_SOURCES = BUNDLE / "sources.example.toml"


@app.command()
def init(
    folder: Annotated[
        Path, typer.Argument(help="The folder to set up (default: this one).")
    ] = Path("."),
) -> None:
    """Write a starter sources.toml (live calendars to edit) into a folder of your own.

    Commands run in that folder then read it, and keep their data in its var/.
    """
    target = folder / SOURCES_FILE
    if target.exists():
        _one_line_error(f"{target} exists already: it is left as it is")
        raise typer.Exit(1)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(STARTER_SOURCES.read_bytes())
    console.print(
        f"Wrote {escape(str(target))}: edit it, then run [bold]meetscout up[/bold] there."
    )


sources_app = typer.Typer(
    help="Each source's health (with no command); add one by its address; check one dry.",
    invoke_without_command=True,
)
app.add_typer(sources_app, name="sources")


@sources_app.command("add")
def sources_add(
    url: Annotated[str, typer.Argument(help="The address of an events page or calendar.")],
    name: Annotated[
        str | None, typer.Option(help="The source's name (default: from the page's title).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Write it to the sources file.")] = False,
) -> None:
    """Fetch the page once and propose what can be crawled behind it, with the evidence."""
    from crawlers.discover import propose
    from crawlers.discover.fetch import fetch_page
    from crawlers.discover.write import add_source, default_name
    from crawlers.sources import SourcesError

    settings = get_settings()
    page = fetch_page(settings, url)
    if page.error is not None:
        _one_line_error(f"{url}: {page.error}")
        raise typer.Exit(1)
    proposal = propose(page.url, page.body, page.encoding, page.linked)
    if not proposal.crawlable:
        _nothing_to_crawl(proposal)
        raise typer.Exit(1)
    _print_proposal(proposal)
    chosen = name or default_name(proposal)
    if not yes:
        console.print(f"Add it as {chosen!r} with --yes (or choose a name with --name).")
        return
    try:
        add_source(settings.sources, proposal, chosen)
    except SourcesError as exc:
        _one_line_error(str(exc))
        raise typer.Exit(2) from exc
    console.print(f"Added {chosen!r} to {escape(str(settings.sources))}.")


def _print_proposal(proposal: Proposal) -> None:
    console.print(f"type = {proposal.type}\nurl = {escape(proposal.url or '')}", soft_wrap=True)
    if proposal.platform:
        console.print(f"platform: {escape(proposal.platform)}")
    for field, guess in proposal.guesses.items():
        console.print(f"{field}: {escape(guess.value)}  (from {escape(guess.evidence)})")


def _nothing_to_crawl(proposal: Proposal) -> None:
    console.print(f"Nothing to crawl at {escape(proposal.page)}:")
    for reason in proposal.why_not:
        console.print(f"  - {escape(reason)}")


@sources_app.command("check")
def sources_check(
    target: Annotated[
        str, typer.Argument(help="A source's name in the sources file, or an address to discover.")
    ],
    rows: Annotated[int, typer.Option(help="Events listed at most (all are counted).")] = 50,
) -> None:
    """Crawl one source dry: print what would be stored and what would be skipped, and why."""
    from crawlers.check import check
    from crawlers.sources import SourcesError, load_sources

    settings = get_settings()
    _setup_logging(settings)
    say_if_recording(settings)
    if "://" in target:
        result = check(settings, now=settings.now(), url=target)
    else:
        try:
            listed = load_sources(settings.sources)
        except SourcesError as exc:
            _one_line_error(str(exc))
            raise typer.Exit(2) from exc
        named = [source for source in listed if source.name == target]
        if not named:
            _one_line_error(f"no source named {target!r} in {settings.sources}")
            raise typer.Exit(2)
        result = check(settings, now=settings.now(), source=named[0])
    if result.proposal is not None:
        if not result.proposal.crawlable:
            _nothing_to_crawl(result.proposal)
            raise typer.Exit(1)
        _print_proposal(result.proposal)
    if result.error is not None or result.report is None or result.source is None:
        _one_line_error(result.error or "the crawl did not run")
        raise typer.Exit(1)
    events, report = result.events, result.report
    console.print(
        f"Dry run of {escape(result.source.name)}: nothing was written to the store.",
        highlight=False,
    )
    if events:
        title = f"Would store {len(events)} event{'s' if len(events) != 1 else ''}"
        if len(events) > rows:
            title += f" (the first {rows} listed)"
        console.print(check_table(events[:rows], title=title))
    else:
        console.print("Would store no event.")
    skipped = skipped_lines(report)
    console.print(f"Found {report.found}; not stored:" if skipped else f"Found {report.found}.")
    for line in skipped:
        console.print(escape(line), highlight=False, soft_wrap=True)
    if report.outcome.value == "failed":
        raise typer.Exit(1)


@sources_app.callback()
def sources(ctx: typer.Context) -> None:
    """Show each source's health: its last crawl, what it stored and dropped, its last error."""
    if ctx.invoked_subcommand is not None:
        return
    from service.store import EventStore, HealthStore, make_engine, migrate

    settings = get_settings()
    engine = make_engine(settings.database_url)
    migrate(engine)
    try:
        store = EventStore(engine)
        overview = HealthStore(engine).overview(events_by_source=store.count_by_source())
    finally:
        engine.dispose()
    if not overview:
        console.print("No crawl has run yet: try [bold]meetscout crawl[/bold].")
        return
    table = health_table(overview)
    console.print(table)


def _serve(settings: Settings, host: str | None, port: int | None, *, workers: int = 1) -> None:
    """One process serving, or ``workers`` processes each building the app from the
    environment (uvicorn's factory): the schema is migrated here once before they start."""
    import uvicorn

    from service.app import create_app
    from service.store import make_engine, migrate

    application: Any
    if workers == 1:
        application = create_app(settings)
    else:
        engine = make_engine(settings.database_url)
        migrate(engine)
        engine.dispose()
        os.environ.update(worker_environment(settings))
        application = APP_FACTORY
    bind_host, bind_port = host or settings.host, port or settings.port
    console.print(f"Serving on [bold]http://{bind_host}:{bind_port}[/bold]")
    if settings.replay_at is not None:
        say_if_recording(settings)
        console.print(
            "To search it from another terminal, replay the same moment: "
            f"[bold]MEETSCOUT_REPLAY_AT={settings.replay_at:%Y-%m-%dT%H:%M:%SZ} "
            ".venv/bin/meetscout search --near Toronto[/bold]",
            highlight=False,
        )
    uvicorn.run(
        application,
        host=bind_host,
        port=bind_port,
        log_level=settings.log_level.lower(),
        factory=workers > 1,
        workers=workers if workers > 1 else None,
    )


APP_FACTORY = "service.app:create_app"
"""What each worker process loads: ``create_app()`` reads the environment's settings."""


def worker_environment(settings: Settings) -> dict[str, str]:
    """The settings a worker must see that this process chose itself (the printing mail
    sink of ``up``): workers read only the environment."""
    chosen = {}
    if settings.smtp_url is not None:
        chosen["MEETSCOUT_SMTP_URL"] = settings.smtp_url.get_secret_value()
    return chosen


app.add_typer(digest_app, name="digest")


def main() -> None:
    app()
