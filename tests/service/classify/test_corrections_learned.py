"""The operator's corrections become training examples when the models are rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.sectors import load_examples, load_kind_examples, main
from service.admin.examples import write_examples
from service.classify.kinds import classify_kind
from service.classify.learned import get_model, load_model
from service.classify.sectors import classify
from service.model import Kind
from service.store import CurationStore, EventStore
from tests.factories import NOW, python_meetup

WORD = "quillfeather"
"""A word in no listing of the development set and no vocabulary: only a correction can teach it."""


def corrections_file(
    store: EventStore, path: Path, *, kind: Kind | None = None, sectors: list[str] | None = None
) -> Path:
    events = [
        python_meetup(
            n, title=f"{WORD.title()} evening {n}", description=f"The {WORD} circle meets."
        )
        for n in range(1, 4)
    ]
    store.upsert_many(events, now=NOW)
    curation = CurationStore(store.engine)
    for event in events:
        curation.correct(
            event_id=event.id,
            kind=kind,
            sectors=["healthcare"] if sectors is None else sectors,
            now=NOW,
        )
    with path.open("w", encoding="utf-8", newline="") as handle:
        write_examples(curation.examples(), handle)
    return path


def test_rebuilt_model_learns_the_corrected_sector(store: EventStore, tmp_path: Path) -> None:
    examples = corrections_file(store, tmp_path / "corrections.csv")
    model_path = tmp_path / "sector_model.json"
    shipped = get_model()
    assert shipped is not None
    # The invented word alone: a word the word part knows ("night") is that part's to weigh.
    before = classify(title=WORD.title(), model=shipped)
    assert "healthcare" not in before.sectors

    code = main(
        ["--write-model", "--examples", str(examples), "--model", str(model_path), "--no-measure"]
    )

    assert code == 0
    rebuilt = load_model(model_path)
    assert rebuilt is not None
    after = classify(title=WORD.title(), model=rebuilt)
    assert after.sectors[0] == "healthcare"
    assert WORD in after.evidence["healthcare"]


def test_rebuilt_kind_model_learns_the_corrected_kind(store: EventStore, tmp_path: Path) -> None:
    examples = corrections_file(store, tmp_path / "corrections.csv", kind=Kind.WORKSHOP)
    title = f"{WORD.title()} evening"
    assert classify_kind(title=title).kind is Kind.OTHER

    code = main(
        [
            *("--write-model", "--examples", str(examples)),
            *("--model", str(tmp_path / "sector_model.json"), "--no-measure"),
        ]
    )

    assert code == 0
    rebuilt = load_model(tmp_path / "kind_model.json")
    assert rebuilt is not None
    decision = classify_kind(title=title, model=rebuilt)
    assert decision.kind is Kind.WORKSHOP
    assert WORD in decision.reason


def test_corrections_without_a_known_sector_teach_nothing(tmp_path: Path) -> None:
    path = tmp_path / "corrections.csv"
    path.write_text(
        "source,label,sectors,kind,title,description\n"
        "test,operator correction,,career_fair,Kind only,\n"
        "test,operator correction,not-a-sector;legal,,Law night,\n",
        encoding="utf-8",
    )

    rows = load_examples([path])

    assert [(row["title"], row["sectors"]) for row in rows] == [("Law night", "legal")]
    assert [row["title"] for row in load_kind_examples([path])] == ["Kind only"]


def test_a_file_of_other_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("name,start\nMixer,2026-01-01\n", encoding="utf-8")

    with pytest.raises(SystemExit):
        main(["--write-model", "--examples", str(path), "--model", str(tmp_path / "m.json")])
    assert not (tmp_path / "m.json").exists()
