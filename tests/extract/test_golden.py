"""The golden-corpus gate: extraction accuracy may not fall below the pinned floors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.evaluate import evaluate, format_report

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FLOORS = json.loads((GOLDEN / "floors.json").read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.timeout(3600)  # the scanned reports are OCR'd: minutes on a loaded 2-core machine
def test_golden_corpus_meets_floors(capsys):
    scores = evaluate(GOLDEN)
    report = format_report(scores)
    with capsys.disabled():
        print("\n" + report)
    assert len(scores.docs) >= FLOORS["min_documents"]
    failures = []
    for what in ("cells", "status", "template", "report_year", "agency", "published", "verified", "failed_checks"):
        right, total = scores.rate(what)
        if total and right / total < FLOORS[what]:
            failures.append(f"{what}: {right}/{total} below floor {FLOORS[what]:.2%}")
    silent, _ = scores.rate("silent_errors")
    if silent > FLOORS["silent_errors"]:
        failures.append(f"silent errors: {silent} wrong cells in reports marked verified (ceiling "
                        f"{FLOORS['silent_errors']})")
    assert not failures, "\n".join(failures) + "\n" + report


def test_every_report_truth_says_whether_it_is_verified():
    """The gate grades `verified` on every document: a truth without it would be skipped silently."""
    for truth_path in GOLDEN.rglob("*.truth.json"):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        assert "verified" in truth, truth_path
        assert truth["verified"] is None if truth.get("status", "ok") != "ok" else isinstance(truth["verified"], bool)


def test_corpus_holds_unverified_reports_of_every_kind():
    """The silent-error measure means something only if the corpus has reports that must not be verified."""
    expected = [json.loads(p.read_text(encoding="utf-8")).get("expected_failed_checks") or []
                for p in GOLDEN.rglob("*.truth.json")]
    names = {e for exp in expected for e in exp}
    for rule in ("layout.rows_missing", "layout.columns_missing", "layout.table_missing", "layout.rows_ambiguous",
                 "text.apply_new", "text.reconsideration", "domain.apply"):
        assert rule in names, rule


def test_corpus_digest_is_pinned():
    """A fixture that changed without anyone saying so trips the gate (update floors.json on purpose)."""
    from extract.evaluate import corpus_digest

    assert corpus_digest(GOLDEN) == FLOORS["corpus_digest"], (
        "the golden corpus changed: if on purpose, pin the new digest in tests/golden/floors.json "
        "(python -c 'from extract.evaluate import corpus_digest; print(corpus_digest(\"tests/golden\"))')")


def test_every_truth_names_an_existing_document():
    for truth_path in GOLDEN.rglob("*.truth.json"):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        assert (truth_path.parent / truth["document"]).is_file(), truth_path
