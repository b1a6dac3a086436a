"""The ``meetscout`` command: crawl, serve, up."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from service.settings import Settings, get_settings

if TYPE_CHECKING:
    from crawlers.report import SourceReport

app = typer.Typer(
    help="meetscout: places to meet someone new in your field.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


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
    from crawlers.sources import SourcesError, load_sources
    from service.store import make_engine, migrate

    try:
        sources = load_sources(settings.sources)
    except SourcesError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if source_name is not None:
        sources = [source for source in sources if source.name == source_name]
        if not sources:
            console.print(
                f"[red]error:[/red] no source named {source_name!r} in {settings.sources}"
            )
            raise typer.Exit(2)
    engine = make_engine(settings.database_url)
    migrate(engine)
    engine.dispose()
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

        reports = run_crawl(settings, sources, now=datetime.now(UTC), on_event=on_event)
    console.print(summary_table(reports))
    return reports


def summary_table(reports: list[SourceReport]) -> Table:
    table = Table(title="Crawl summary")
    for column in (
        "source",
        "type",
        "outcome",
        "found",
        "stored",
        "new",
        "changed",
        "dropped",
        "last error",
    ):
        table.add_column(column, overflow="fold")
    colours = {"ok": "green", "partial": "yellow", "failed": "red"}
    for report in reports:
        dropped = ", ".join(f"{reason} {count}" for reason, count in report.dropped.most_common())
        outcome = report.outcome.value
        table.add_row(
            report.source,
            report.type,
            f"[{colours[outcome]}]{outcome}[/]",
            str(report.found),
            str(report.stored),
            str(report.inserted),
            str(report.changed),
            dropped or "-",
            report.last_error or "-",
        )
    return table


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


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the API, the web page and the feeds."""
    settings = get_settings()
    _setup_logging(settings)
    _serve(settings, host, port)


@app.command()
def up(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Crawl every source, then serve: the one command to see meetscout work."""
    settings = get_settings()
    _setup_logging(settings)
    run_crawl_command(settings)
    _serve(settings, host, port)


def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from service.api.app import create_app

    application = create_app(settings)
    bind_host, bind_port = host or settings.host, port or settings.port
    console.print(f"Serving on [bold]http://{bind_host}:{bind_port}[/bold]")
    uvicorn.run(application, host=bind_host, port=bind_port, log_level=settings.log_level.lower())


def main() -> None:
    app()
