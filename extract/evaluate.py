"""Accuracy of the extractor on a golden corpus: documents with hand-checked `*.truth.json`.

Used by the CI gate (tests/test_golden.py) and by `nianbao evaluate DIR`.  A truth file names its
document in "document" (a path relative to the truth file) and holds the expected status,
template, report_year, agency, published and every cell of the template.  A report printed over several
picture files lists them, in page order, in "pages" (read as one document: extract.scans.extract_pictures).

OCR'd reports: a value OCR could not read with confidence is null with a reason and the report is not
verified (extract/ocr_trust.py); a null in an OCR'd report that is not verified (a row OCR did not find, a
value read as blank, which leave identities unchecked) is a visible gap too.  Such cells count as
right-or-doubted ("doubted" in the report), never as silent; so does metadata an OCR'd document leaves
null (a date under a stamp).  Every wrong value is an error.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .pipeline import extract_path

FIELDS = ("status", "template", "report_year", "agency", "published")


@dataclass
class DocScore:
    truth_path: Path
    document: Path
    layout: str
    template: str | None
    status: str
    cells_total: int = 0
    cells_right: int = 0
    fields_right: dict[str, bool] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    cells_doubted: int = 0  # null with an OCR reason in a report marked unverified (counted in cells_right)
    fields_doubted: list[str] = field(default_factory=list)  # metadata OCR left null (counted right, listed)


@dataclass
class Scores:
    docs: list[DocScore]
    digest: str | None = None  # corpus_digest of the folder graded

    def rate(self, what: str, docs: list[DocScore] | None = None) -> tuple[int, int]:
        docs = self.docs if docs is None else docs
        if what == "cells":
            return sum(d.cells_right for d in docs), sum(d.cells_total for d in docs)
        relevant = [d for d in docs if what in d.fields_right]
        return sum(d.fields_right[what] for d in relevant), len(relevant)

    def groups(self, by: str) -> dict[str, list[DocScore]]:
        out: dict[str, list[DocScore]] = defaultdict(list)
        for d in self.docs:
            out[str(getattr(d, by))].append(d)
        return dict(sorted(out.items()))


def truth_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.truth.json"))


def corpus_digest(root: Path) -> str:
    """sha256 over every graded file (each truth and its document, by relative path and content).

    The gate pins it next to the accuracy floors (as trafilatura's evaluation does), so a fixture that changes
    without anyone saying so trips the gate; a deliberate change updates the pinned digest in the same commit.
    """
    root = Path(root)
    files: set[Path] = set()
    for t in truth_files(root):
        files.add(t)
        truth = json.loads(t.read_text(encoding="utf-8"))
        for doc in [truth.get("document")] + list(truth.get("pages") or []):
            if doc:
                files.add(t.parent / doc)
    h = hashlib.sha256()
    for f in sorted(files):
        rel = f.relative_to(root).as_posix()
        h.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(f.read_bytes()).hexdigest().encode() + b"\n")
    return h.hexdigest()


def score_document(truth_path: Path) -> DocScore:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    doc_path = truth_path.parent / truth["document"]
    if truth.get("pages"):
        from .scans import extract_pictures

        paths = [truth_path.parent / p for p in truth["pages"]]
        res = extract_pictures([p.read_bytes() for p in paths], str(doc_path))
    else:
        res = extract_path(doc_path)
    doubted = _ocr_doubts(res)
    expected_status = truth.get("status", "ok")
    layout = truth.get("layout") or res.layout or "?"
    score = DocScore(truth_path, doc_path, layout=layout, template=truth.get("template"), status=expected_status)
    for f in FIELDS:
        if f == "status":
            want, got = expected_status, res.status
        elif expected_status != "ok":
            continue  # metadata of documents that are not reports is not graded
        else:
            want, got = truth.get(f), getattr(res, f)
        score.fields_right[f] = want == got
        if want != got and got is None and f != "status" and res.layout == "ocr":
            # a date or name under a stamp that OCR could not read is missing, visibly; never a guess
            score.fields_right[f] = True
            score.fields_doubted.append(f)
        elif want != got:
            score.errors.append(f"{f}: expected {want!r}, got {got!r}" + (f" ({res.reason})" if f == "status" else ""))
    for key, want in (truth.get("cells") or {}).items():
        got = res.cells.get(key, "<absent>")
        score.cells_total += 1
        if got == want or (isinstance(want, float) and isinstance(got, (int, float)) and abs(got - want) < 1e-9):
            score.cells_right += 1
        elif got is None and (key in doubted or (res.layout == "ocr" and res.verified is False)):
            score.cells_right += 1
            score.cells_doubted += 1
        else:
            score.errors.append(f"{key}: expected {want!r}, got {got!r} (printed {res.raw.get(key)!r})")
    if expected_status == "ok":
        extra = set(res.cells) - set(truth.get("cells") or {})
        if extra:
            score.errors.append(f"keys not in the truth: {sorted(extra)[:3]}")
            score.cells_total += len(extra)
    return score


def _ocr_doubts(res) -> set[str]:
    """Keys OCR could not read with confidence, in a report not marked verified (visible to its user)."""
    if getattr(res, "verified", None) is True:
        return set()
    return {r.split()[1] for r in (getattr(res, "unverified_reasons", None) or [])
            if r.startswith("ocr: ") and len(r.split()) > 1}


def evaluate(root: Path) -> Scores:
    return Scores([score_document(p) for p in truth_files(root)], digest=corpus_digest(root))


def format_report(scores: Scores) -> str:
    lines = []

    def pct(right: int, total: int) -> str:
        return f"{right}/{total} ({100 * right / total:.2f}%)" if total else "-"

    lines.append(f"golden corpus: {len(scores.docs)} documents, digest {scores.digest[:16] if scores.digest else '-'}")
    for what in ("cells",) + FIELDS:
        lines.append(f"  {what:<12} {pct(*scores.rate(what))}")
    doubted = sum(d.cells_doubted for d in scores.docs)
    fields = [f"{d.document.name}: {f}" for d in scores.docs for f in d.fields_doubted]
    if doubted or fields:
        lines.append(f"  {'ocr doubted':<12} {doubted} cells null with an OCR reason in unverified reports, "
                     f"{len(fields)} metadata fields OCR left null (counted right: visible, not silent)")
        lines.extend(f"      {x}" for x in fields[:10])
    for by in ("template", "layout"):
        lines.append(f"by {by}:")
        for name, docs in scores.groups(by).items():
            lines.append(f"  {name:<14} docs {len(docs):>3}  cells {pct(*scores.rate('cells', docs))}  "
                         f"agency {pct(*scores.rate('agency', docs))}  year {pct(*scores.rate('report_year', docs))}")
    bad = [d for d in scores.docs if d.errors]
    if bad:
        lines.append("documents with errors:")
        for d in bad:
            lines.append(f"  {d.document.name}: {len(d.errors)} errors")
            lines.extend(f"      {e}" for e in d.errors[:8])
    return "\n".join(lines)
