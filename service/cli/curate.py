"""``meetscout corrections``: the operator's corrections as classifier examples (CSV)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from service.admin.examples import write_examples
from service.settings import get_settings
from service.store import CurationStore, make_engine, migrate

console = Console(stderr=True)


def corrections_command(
    out: Annotated[
        Path | None,
        typer.Option(help="Write to this file instead of the standard output."),
    ] = None,
) -> None:
    """Write the events the operator corrected as examples for the sector and kind classifier,
    in the columns of the development set (tests/fixtures/sectors/devset.csv)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    migrate(engine)
    try:
        examples = CurationStore(engine).examples()
    finally:
        engine.dispose()
    if out is None:
        count = write_examples(examples, sys.stdout)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            count = write_examples(examples, handle)
    console.print(f"{count} corrected events written as examples.")
