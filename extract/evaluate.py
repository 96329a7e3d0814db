"""Accuracy of the extractor on a golden corpus: documents with hand-checked `*.truth.json`.

Used by the CI gate (tests/extract/test_golden.py) and by `nianbao evaluate DIR`.  A truth file names its
document in "document" (a path relative to the truth file) and holds the expected status,
template, report_year, agency, published and every cell of the template; "verified" (the mark a correct
extractor gives the report) and, optionally, "expected_failed_checks" (rule names, or prefixes ending in ".",
that must fail — and no other check may).

Besides accuracy it counts the **silent errors**: cells that differ from the truth in reports the extractor marked
verified.  A wrong cell in an unverified report is visible to its user; one in a verified report is not.

A report printed over several picture files lists them, in page order, in "pages" (read as one document:
extract.scans.extract_pictures).  OCR'd reports (layout "ocr"): a value OCR could not read with confidence is
null with a reason and the report is not verified (extract/ocr_trust.py); a null in an OCR'd report that is not
verified (a row OCR did not find, a value read as blank) is a visible gap too.  Such cells count as
right-or-doubted ("ocr doubted" in the report), never as silent; so does metadata an OCR'd document leaves null
(a date under a stamp), a "verified" the OCR doubts turned to false, and a check the truth expects to fail that
OCR's nulls leave unevaluated.  Every wrong value, and every verified report with a wrong value, is an error.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .pipeline import extract_path

FIELDS = ("status", "template", "report_year", "agency", "published")
GRADED = FIELDS + ("verified", "failed_checks")  # verified: the truth's mark; failed_checks: expected_failed_checks


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
    verified: bool | None = None  # what the extractor said
    silent_errors: int = 0  # wrong cells in a report the extractor marked verified
    cells_doubted: int = 0  # null in an OCR'd report not marked verified (counted in cells_right)
    fields_doubted: list[str] = field(default_factory=list)  # what OCR left open (counted right, listed)


@dataclass
class Scores:
    docs: list[DocScore]
    digest: str | None = None  # corpus_digest of the folder graded

    def rate(self, what: str, docs: list[DocScore] | None = None) -> tuple[int, int]:
        docs = self.docs if docs is None else docs
        if what == "cells":
            return sum(d.cells_right for d in docs), sum(d.cells_total for d in docs)
        if what == "silent_errors":
            return sum(d.silent_errors for d in docs), sum(d.cells_total for d in docs if d.verified)
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

        res = extract_pictures([(truth_path.parent / p).read_bytes() for p in truth["pages"]], str(doc_path))
    else:
        res = extract_path(doc_path)
    ocr_open = res.layout == "ocr" and res.verified is False  # an OCR'd report that says it is not sure
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
    score.verified = res.verified
    if "verified" in truth:
        want = truth["verified"]
        score.fields_right["verified"] = res.verified == want
        if want is True and ocr_open:  # the safe direction: OCR's doubts withhold the mark
            score.fields_right["verified"] = True
            score.fields_doubted.append("verified")
        elif res.verified != want:
            score.errors.append(f"verified: expected {want!r}, got {res.verified!r} ({'; '.join(res.unverified_reasons[:4])})")
    if truth.get("expected_failed_checks") is not None:
        failed = [c["rule"] for c in res.checks if c.get("ok") is False]
        expected = truth["expected_failed_checks"]
        unmet = [e for e in expected if not any(_rule_matches(e, f) for f in failed)]
        unexpected = [f for f in failed if not any(_rule_matches(e, f) for e in expected)]
        score.fields_right["failed_checks"] = not unmet and not unexpected
        if ocr_open and (unmet or unexpected):
            # OCR's gaps add failures and leave expected ones unevaluated; a check computed as passing where
            # the truth expects it to fail is still an error
            passed = [e for e in unmet if any(_rule_matches(e, c["rule"]) and c.get("ok") is True for c in res.checks)]
            score.fields_right["failed_checks"] = not passed
            if not passed:
                score.fields_doubted.append("failed_checks")
                unmet, unexpected = [], []
        if unmet or unexpected:
            score.errors.append(f"failed checks: expected {expected}, got {failed}")
    for key, want in (truth.get("cells") or {}).items():
        got = res.cells.get(key, "<absent>")
        score.cells_total += 1
        if got == want or (isinstance(want, float) and isinstance(got, (int, float)) and abs(got - want) < 1e-9):
            score.cells_right += 1
        elif got is None and ocr_open:
            score.cells_right += 1
            score.cells_doubted += 1
        else:
            if res.verified:
                score.silent_errors += 1
            score.errors.append(f"{key}: expected {want!r}, got {got!r} (printed {res.raw.get(key)!r})"
                                + (" [SILENT: report marked verified]" if res.verified else ""))
    if expected_status == "ok":
        extra = set(res.cells) - set(truth.get("cells") or {})
        if extra:
            score.errors.append(f"keys not in the truth: {sorted(extra)[:3]}")
            score.cells_total += len(extra)
            if res.verified:
                score.silent_errors += len(extra)
    return score


def _rule_matches(expected: str, rule: str) -> bool:
    """A rule name matches itself; a name ending in "." matches every rule it begins."""
    return rule == expected or (expected.endswith(".") and rule.startswith(expected))


def evaluate(root: Path) -> Scores:
    return Scores([score_document(p) for p in truth_files(root)], digest=corpus_digest(root))


def format_report(scores: Scores) -> str:
    lines = []

    def pct(right: int, total: int) -> str:
        return f"{right}/{total} ({100 * right / total:.2f}%)" if total else "-"

    lines.append(f"golden corpus: {len(scores.docs)} documents, digest {scores.digest[:16] if scores.digest else '-'}")
    for what in ("cells",) + GRADED:
        lines.append(f"  {what:<13} {pct(*scores.rate(what))}")
    silent, in_verified = scores.rate("silent_errors")
    n_verified = sum(1 for d in scores.docs if d.verified)
    lines.append(f"  {'silent errors':<13} {silent} wrong cells in {n_verified} reports marked verified "
                 f"({in_verified} cells)")
    doubted = sum(d.cells_doubted for d in scores.docs)
    fields = [f"{d.document.name}: {f}" for d in scores.docs for f in d.fields_doubted]
    if doubted or fields:
        lines.append(f"  {'ocr doubted':<13} {doubted} cells null in OCR'd reports not marked verified; "
                     f"{len(fields)} fields OCR left open (counted right: visible, not silent)")
        lines.extend(f"      {x}" for x in fields[:12])
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
