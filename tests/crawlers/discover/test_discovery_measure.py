"""Discovery measured on saved real pages of 41 organisations (the RESULTS "Discovery" table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.discovery import CASES, GOAL, Outcome, load_cases, measure, summarise

MANIFEST = CASES.parent / "MANIFEST.md"


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return measure()


def test_a_source_is_found_for_nine_in_ten_pages_that_offer_one(outcomes: list[Outcome]) -> None:
    summary = summarise(outcomes)
    assert summary.pages >= 30
    assert summary.rate >= GOAL, [o.case.slug for o in outcomes if o.verdict == "missed"]


def test_every_page_without_a_source_says_why(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if not outcome.found:
            assert outcome.proposal.why_not, outcome.case.slug
    assert not [o.case.slug for o in outcomes if o.verdict == "found (none expected)"]


def test_proposals_whose_pages_are_saved_crawl_with_no_error_but_unsaved_pages(
    outcomes: list[Outcome],
) -> None:
    summary = summarise(outcomes)
    assert summary.crawled >= 8
    assert summary.crawled_clean + summary.crawled_short_of_pages == summary.crawled
    assert summary.met


def test_each_saved_page_is_in_the_manifest_with_its_source_and_licence() -> None:
    manifest = MANIFEST.read_text(encoding="utf-8")
    for case in load_cases():
        for path in (case.file, *case.linked.values(), *case.pages.values()):
            name = path.name if path.parent == CASES.parent else f"../html/{path.name}"
            row = next((line for line in manifest.splitlines() if f"`{name}`" in line), None)
            assert row is not None, name
            assert any(
                licence in row
                for licence in ("MIT", "AGPL-3.0", "BSD-3-Clause", "Apache-2.0", "NONE")
            ), row
    assert Path(CASES).exists()
