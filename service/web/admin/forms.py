"""Reading a posted form, and the checks every operator's form passes first."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request

from service.web.routes import FORM_MEDIA_TYPE, MAX_FORM_BYTES


async def read_form(request: Request) -> ImmutableMultiDict[str, str] | None:
    """The posted urlencoded form, or None: not a form, too large, or too many fields."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        return None
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        pairs = parse_qsl(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=50
        )
    except ValueError:  # more fields than any of these forms has
        return None
    return ImmutableMultiDict(pairs)
