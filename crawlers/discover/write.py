"""Writing a proposal into the sources file, keeping its comments and layout (tomlkit)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomlkit
from pydantic import ValidationError
from tomlkit.items import AoT

from crawlers.discover.page import Proposal
from crawlers.sources import Source, SourcesError


def slug(text: str) -> str:
    """A source name from free text: lowercase letters, digits and dashes, at most 64."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:64].rstrip("-") or "source"


def default_name(proposal: Proposal) -> str:
    """The page's title as a slug, else its host."""
    title = proposal.guesses.get("name")
    if title is not None:
        return slug(title.value.split("|")[0].split(" - ")[0])
    return slug(urlsplit(proposal.page).hostname or "source")


def entry_fields(proposal: Proposal) -> dict[str, Any]:
    """The fields of the entry, in the order they are written: what was found and guessed."""
    fields: dict[str, Any] = {"type": proposal.type, "url": proposal.url}
    if proposal.follow:
        fields["follow"] = proposal.follow
    if proposal.timezone:
        fields["timezone"] = proposal.timezone
    if proposal.sectors:
        fields["sectors"] = list(proposal.sectors)
    if proposal.location:
        fields["location"] = dict(proposal.location)
    return fields


def proposed_source(proposal: Proposal, name: str | None = None) -> Source:
    """The entry a proposal makes, named ``name`` or from the page; SourcesError if none."""
    if not proposal.crawlable or proposal.type is None or proposal.url is None:
        raise SourcesError("nothing crawlable to add")
    chosen = name or default_name(proposal)
    try:
        return Source.model_validate({"name": chosen, **entry_fields(proposal)})
    except ValidationError as exc:
        problems = "; ".join(str(err["msg"]) for err in exc.errors())
        raise SourcesError(f"source {chosen}: {problems}") from None


def add_source(path: Path, proposal: Proposal, name: str) -> Source:
    """Append the proposal as a ``[[source]]`` of ``path``; refuse a name already used."""
    source = proposed_source(proposal, name)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    document = tomlkit.parse(text)
    entries = document.get("source")
    if entries is None:
        entries = tomlkit.aot()
        document.append("source", entries)
    if not isinstance(entries, AoT):
        raise SourcesError(f"{path}: 'source' must be an array of tables ([[source]])")
    if any(entry.get("name") == name for entry in entries):
        raise SourcesError(f"{path}: source {name}: name: used already (choose one with --name)")
    table = tomlkit.table()
    table.add("name", name)
    for key, value in entry_fields(proposal).items():
        if key == "location":
            location = tomlkit.inline_table()
            location.update(value)
            table.add(key, location)
        else:
            table.add(key, value)
    entries.append(table)
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return source
