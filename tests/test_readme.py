"""The README documents every setting, and only real ones."""

from __future__ import annotations

import re
from pathlib import Path

from service.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_settings_table_matches_settings_class() -> None:
    documented = set(re.findall(r"^\| `(MEETSCOUT_[A-Z_]+)` \|", README.read_text(), re.M))
    declared = {f"MEETSCOUT_{name.upper()}" for name in Settings.model_fields}
    assert documented == declared


def test_readme_names_the_two_commands() -> None:
    text = README.read_text()
    assert "make run" in text
    assert "make test" in text
