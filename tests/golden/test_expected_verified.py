"""Every truth's `verified` is what tests/golden/expected_verified.py derives from the truth and its document's text.

The gate compares the extractor's `verified` with the truth's; this test keeps the truth's own mark honest: it is
derived from the spec (complete tables, identities, narrative figures), never copied from the extractor's output.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.expected_verified import (APPLICANTS, document_text, expected_verified, problems,
                                            stated_figures, truths)

HERE = Path(__file__).resolve().parent
TRUTHS = truths([HERE])


@pytest.mark.slow
@pytest.mark.parametrize("path", TRUTHS, ids=lambda p: f"{p.parent.name}/{p.name.split('.')[0]}")
def test_stored_verified_is_derived_from_the_truth(path: Path):
    t = json.loads(path.read_text(encoding="utf-8"))
    text = document_text(path.parent / t["document"], t) if t.get("status", "ok") == "ok" else ""
    assert t.get("verified", "<absent>") == expected_verified(t, text)


def _cells_2021() -> dict:
    t = json.loads((HERE / "html" / "001_trs-district-finance.truth.json").read_text(encoding="utf-8"))
    assert t["verified"] is True
    return dict(t["cells"])


def test_derivation_flags_a_blank_apply_cell():
    cells = _cells_2021()
    cells["apply.granted.legal"] = None
    assert any("apply.granted.legal" in p for p in problems("2021", cells, {}))


def test_derivation_flags_a_broken_identity_and_a_disagreeing_text():
    cells = _cells_2021()
    assert problems("2021", cells, {}) == []
    cells["apply.granted.person"] += 1
    assert any(p.startswith("broken: row granted") for p in problems("2021", cells, {}))
    cells = _cells_2021()
    stated = {"apply_new": cells["apply.new.total"] + 1}
    assert any(p.startswith("text: apply_new") for p in problems("2021", cells, stated))


def test_narrative_figures_are_read():
    assert stated_figures("2021年，我局共收到政府信息公开申请 12 件，") == {"apply_new": 12}
    assert stated_figures("全年未收到政府信息公开申请。被申请行政复议3件") == {"apply_new": 0, "reconsideration": 3}
    assert len(APPLICANTS) == 6
