"""The golden-corpus gate: extraction accuracy may not fall below the pinned floors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.evaluate import evaluate, format_report

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
FLOORS = json.loads((GOLDEN / "floors.json").read_text(encoding="utf-8"))


@pytest.mark.timeout(3600)  # the scanned reports are OCR'd: minutes on a loaded 2-core machine
def test_golden_corpus_meets_floors(capsys):
    scores = evaluate(GOLDEN)
    report = format_report(scores)
    with capsys.disabled():
        print("\n" + report)
    assert len(scores.docs) >= FLOORS["min_documents"]
    failures = []
    for what in ("cells", "status", "template", "report_year", "agency", "published"):
        right, total = scores.rate(what)
        if total and right / total < FLOORS[what]:
            failures.append(f"{what}: {right}/{total} below floor {FLOORS[what]:.2%}")
    assert not failures, "\n".join(failures) + "\n" + report


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
