"""A rendered calendar as an HTTP answer: a strong ETag, 304 when the client has it."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response

ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


def calendar_response(
    request: Request, body: bytes, *, private: bool, filename: str, max_age: int = 3600
) -> Response:
    """``body`` with validators; a private calendar is never cached by anyone in between,
    never indexed, and sends no referrer from the links inside it."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"{'private' if private else 'public'}, max-age={max_age}",
        "Content-Disposition": f'inline; filename="{filename}"',
    }
    if private:
        headers["X-Robots-Tag"] = "noindex, nofollow"
        headers["Referrer-Policy"] = "no-referrer"
    if etag in {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(media_type=ICS_MEDIA_TYPE, headers=headers)
    return Response(body, media_type=ICS_MEDIA_TYPE, headers=headers)
