"""docs/configuration.md lists every LANTAI_* variable the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from lantai.conf import REGISTRY

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(LANTAI_[A-Z0-9_]+)`", doc))
    used = set(REGISTRY)
    for path in (ROOT / "src").rglob("*.py"):
        used.update(re.findall(r"\b(LANTAI_[A-Z0-9_]+)\b", path.read_text(encoding="utf-8")))
    for path in (ROOT / "scripts").glob("*"):
        used.update(re.findall(r"\b(LANTAI_[A-Z0-9_]+)\b", path.read_text(encoding="utf-8")))
    assert used - documented == set(), f"undocumented settings: {sorted(used - documented)}"
    assert "LANTAI_DATA_DIR" in REGISTRY and "LANTAI_DATABASE_URL" in REGISTRY
