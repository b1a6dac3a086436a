"""Addresses people type: a web address, no credentials, nothing written as an inside address."""

from __future__ import annotations

import pytest

from service.admin.addresses import AddressError, check_address


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("https://library.example.org/events", "https://library.example.org/events"),
        ("library.example.org", "https://library.example.org/"),
        ("webcal://cal.example.org/feed.ics", "https://cal.example.org/feed.ics"),
        ("  HTTP://Chamber.Example.org:8080/cal#top ", "http://chamber.example.org:8080/cal"),
    ],
)
def test_good_addresses_are_normalised(typed: str, kept: str) -> None:
    assert check_address(typed) == kept


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "Type the address"),
        ("ftp://files.example.org/x.ics", "https://"),
        ("file:///etc/passwd", "https://"),
        ("https://user:secret@example.org/", "without a user name"),
        ("http://127.0.0.1/", "loopback"),
        ("http://[::1]:8000/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.8/cal", "private"),
        ("http://[::ffff:192.168.1.1]/", "private"),
        ("http://localhost:8000/admin", "local name"),
        ("http://printer.local/", "local name"),
        ("http://intranet/", "without a domain"),
        ("http://2130706433/", "numbers"),
        ("http://127.1/", "numbers"),
        ("http://0x7f.0.0.1/", "numbers"),
        ("https://exa mple.org/", "https://"),
        ("https://" + "a" * 2100 + ".org", "too long"),
    ],
)
def test_addresses_that_cannot_be_suggested_say_why(typed: str, why: str) -> None:
    with pytest.raises(AddressError, match=why):
        check_address(typed)


def test_hosts_the_operator_allows_pass() -> None:
    assert check_address("http://intranet/cal.ics", allow=["intranet"]) == "http://intranet/cal.ics"
