"""Signing in: a form, an HttpOnly SameSite=Strict cookie, CSRF on every change, and
nothing at all without a token."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.app import create_app
from service.settings import Settings
from tests.support.admin import TOKEN, sign_in


def test_without_a_token_the_operator_pages_do_not_exist(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        for path in ("/admin", "/admin/sources", "/admin/sign-in", "/suggest"):
            assert client.get(path).status_code == 404, path
        assert client.post("/admin/sign-in", data={"token": "x"}).status_code == 404
        assert client.post("/suggest", data={"address": "https://e.org"}).status_code == 404


def test_a_too_short_token_is_refused(settings: Settings) -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="admin_token"):
        Settings(admin_token=SecretStr("short"))  # type: ignore[call-arg]


def test_signing_in_sets_a_strict_http_only_cookie_that_is_not_the_token(
    admin: TestClient,
) -> None:
    assert admin.get("/admin/sources", follow_redirects=False).headers["location"] == (
        "/admin/sign-in"
    )

    answer = admin.post("/admin/sign-in", data={"token": TOKEN}, follow_redirects=False)

    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 303
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert TOKEN not in cookie
    assert TOKEN not in answer.headers["location"]
    page = admin.get("/admin/sources")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"


def test_a_wrong_token_or_a_forged_cookie_signs_nobody_in(admin: TestClient) -> None:
    assert admin.post("/admin/sign-in", data={"token": TOKEN + "x"}).status_code == 401
    admin.cookies.set("meetscout_admin", "nonce.0123", path="/admin")
    assert admin.get("/admin/sources", follow_redirects=False).status_code == 303


def test_guessing_the_token_is_rate_limited(admin: TestClient) -> None:
    codes = [
        admin.post("/admin/sign-in", data={"token": f"guess-{n}"}).status_code for n in range(8)
    ]
    assert codes[:5] == [401] * 5
    assert 429 in codes[5:]


def test_a_change_without_the_session_csrf_token_is_refused(
    admin: TestClient, admin_settings: Settings
) -> None:
    csrf = sign_in(admin)
    before = admin_settings.sources.read_text()

    missing = admin.post("/admin/sources/library/pause", data={})
    wrong = admin.post("/admin/sources/library/pause", data={"csrf": "0" * 64})
    elsewhere = admin.post(
        "/admin/sources/library/pause",
        data={"csrf": csrf},
        headers={"Origin": "https://attacker.example"},
    )

    assert (missing.status_code, wrong.status_code, elsewhere.status_code) == (403, 403, 403)
    assert admin_settings.sources.read_text() == before


def test_signing_out_ends_the_session(admin: TestClient) -> None:
    csrf = sign_in(admin)
    answer = admin.post("/admin/sign-out", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert admin.get("/admin/sources", follow_redirects=False).status_code == 303
