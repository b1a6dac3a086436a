"""One digest, four formats: the page, plain text, Markdown and JSON."""

from __future__ import annotations

from typing import Literal

from fastapi import Response
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from feeds.digest import DigestLinks, digest_json, render_html, render_markdown, render_text
from service.digest.build import Digest

DigestFormat = Literal["html", "text", "md", "json"]
DIGEST_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {
            "text/html": {},
            "text/plain": {},
            "text/markdown": {},
            "application/json": {},
        }
    }
}
"""What an operation answering with :func:`digest_response` documents for its 200."""


def digest_response(digest: Digest, links: DigestLinks, format: DigestFormat) -> Response:
    if format == "json":
        return JSONResponse(digest_json(digest, links))
    if format == "text":
        return PlainTextResponse(render_text(digest, links))
    if format == "md":
        return Response(render_markdown(digest, links), media_type="text/markdown; charset=utf-8")
    return HTMLResponse(render_html(digest, links))
