"""The search page's other ways out: the same search as reading lists, and embedded elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from service.links import absolute

EMBED_HEIGHT = 480
"""The iframe's height until its script says how tall the list is (or without scripts)."""


@dataclass(frozen=True)
class ReadingLinks:
    """The search as reading lists, its "new this week" variant, and the embed snippet."""

    atom: str
    json: str
    csv: str
    atom_new: str
    json_new: str
    embed: str
    snippet: str


def reading_links(base_url: str, params: list[tuple[str, str]], title: str) -> ReadingLinks:
    """The links a search page offers besides the calendar (``params``: the search's filters)."""

    def feed(format: str, new: bool = False) -> str:
        extra = [("new", "1")] if new else []
        return absolute(base_url, f"/feeds/events.{format}", [*params, *extra])

    embed = absolute(base_url, "/embed", params)
    script = absolute(base_url, "/static/embed.js")
    snippet = (
        f'<iframe src="{escape(embed)}" title="{escape(title)}" data-meetscout-embed '
        f'loading="lazy" style="width:100%;height:{EMBED_HEIGHT}px;border:0"></iframe>\n'
        f'<script src="{escape(script)}" async></script>'
    )
    return ReadingLinks(
        atom=feed("atom"),
        json=feed("json"),
        csv=feed("csv"),
        atom_new=feed("atom", new=True),
        json_new=feed("json", new=True),
        embed=embed,
        snippet=snippet,
    )
