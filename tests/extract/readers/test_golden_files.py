"""Every golden file through the reader its bytes select: statuses and reasons as in its truth,
and the apply rows of every positive file (checked here without the table parser)."""
from __future__ import annotations

import pytest

from extract.readers import read
from core.sniff import sniff

from tests.extract.readers.conftest import check_apply_rows, golden, golden_documents, truth_of


def test_corpus_size_and_coverage():
    docs = golden_documents()
    assert len(docs) >= 18
    layouts = {truth_of(d)["layout"] for d in docs}
    assert {"pdf", "docx", "doc", "wps", "xls", "xlsx", "image"} <= layouts
    templates = {truth_of(d)["template"] for d in docs if truth_of(d)["status"] == "ok"}
    assert templates == {"2019", "2021"}
    for d in docs:
        t = truth_of(d)
        if t["status"] == "ok":
            n = len(t["cells"])
            assert n == (198 if t["template"] == "2019" else 207), d
            partial = any("one page of a report" in v for v in t["variants"])  # a picture of one page
            assert (t["agency"] and t["published"] or partial) and t["variants"], d


def _scanned(name: str) -> bool:
    """Golden files whose tables are pictures (read by OCR: minutes, not seconds)."""
    t = truth_of(name)
    return t["status"] == "ok" and (t["layout"] == "image" or "image-only" in " ".join(t.get("variants") or []))


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if _scanned(n) else n
                                  for n in golden_documents()])
@pytest.mark.slow
def test_golden_file(name, settings):
    truth = truth_of(name)
    data = golden(name)
    doc = read(data, sniff(data), settings)
    if truth["status"] == "ok":
        assert doc.status is None, (doc.status, doc.reason)
        if doc.layout == "ocr":  # OCR'd: graded cell by cell (doubted values blank) by the golden gate
            assert truth["layout"] in ("image", "pdf") and doc.cells
        else:
            assert check_apply_rows(doc, truth) == []
    else:
        assert (doc.status, doc.reason) == (truth["status"], truth["reason"])
