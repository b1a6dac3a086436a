"""Reading the pages the way a browser would: parsed HTML, not substrings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

import lxml.html
from lxml.html import HtmlElement


class Response(Protocol):
    """What these helpers read of a test client's (or a browser's) response."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def text(self) -> str: ...


def document(response: Response) -> HtmlElement:
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def texts(root: HtmlElement, xpath: str) -> list[str]:
    return [" ".join(element.text_content().split()) for element in root.xpath(xpath)]


def result_ids(root: HtmlElement) -> list[str]:
    links = root.xpath("//ol[@class='result-list']/li//h3/a/@href")
    return [str(href).removeprefix("/e/") for href in links]


def field_error(root: HtmlElement, field: str) -> str:
    """The message shown next to a field, checked to be tied to the field for screen readers."""
    [control] = root.xpath(f"//*[@id='{field}']")
    [message] = root.xpath(f"//*[@id='{field}-error']")
    if control.tag in ("input", "select", "textarea"):
        assert control.get("aria-invalid") == "true"
        assert f"{field}-error" in control.get("aria-describedby", "").split()
    return " ".join(message.text_content().split())


def json_ld(root: HtmlElement) -> dict[str, Any]:
    [script] = root.xpath("//script[@type='application/ld+json']")
    data = json.loads(script.text)
    assert isinstance(data, dict)
    return data


def unlabelled_controls(root: HtmlElement) -> list[str]:
    """Form controls a screen reader could not name: no <label for>, no wrapping label."""
    labelled = set(root.xpath("//label/@for"))
    missing = []
    for control in root.xpath("//input[not(@type='hidden')] | //select | //textarea"):
        if control.get("id") in labelled or control.xpath("ancestor::label"):
            continue
        if control.get("aria-label") or control.get("aria-labelledby"):
            continue
        missing.append(lxml.html.tostring(control, encoding="unicode")[:120])
    return missing
