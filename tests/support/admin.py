"""Signing in to the operator's pages in tests, and reading a page's CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

TOKEN = "operator-token-for-tests-0123456789"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def sign_in(client: TestClient, token: str = TOKEN) -> str:
    """Sign ``client`` in and return the CSRF token of its session's pages."""
    answer = client.post("/admin/sign-in", data={"token": token}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    page = client.get("/admin/sources")
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


def sources_toml(*names: str, url: str = "https://calendar.example.org/feed.ics") -> str:
    """A sources file with a comment and one ics source per name."""
    blocks = [
        f"# {name}: kept by the operator\n"
        f'[[source]]\nname = "{name}"\ntype = "ics"\nurl = "{url}"\n'
        for name in names
    ]
    return "# Our city's calendars\n\n" + "\n".join(blocks)
