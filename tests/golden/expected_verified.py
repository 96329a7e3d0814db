#!/usr/bin/env python
"""The expected `verified` of a golden truth, derived from the truth and its document's text alone.

Usage: python tests/golden/expected_verified.py [--write] [DIR ...]   (default: every corpus under tests/golden)

Written from shared/spec/template.md, independently of extract/ (it imports nothing from it) and of the robust
corpus's own checker, so that the gate compares two derivations: this one, from the truth, and the extractor's,
from the document.  A report is verified when
  1. every statistical table is complete: no cell of the truth is null, except the 2021 `apply.other.*` cells the
     layout does not print (the single （六） row when its three sub-rows are printed, or the sub-rows when it is
     printed as one row) and cells of the active table printed with a not-reported marker ("/", "—") — the active
     table takes part in no identity, so a marker there leaves nothing unchecked; an active table with no value at
     all was not printed;
  2. identities 1-5 of template.md hold on the truth's values (a null the identity needs means it cannot be
     checked, which is not verified either);
  3. where the narrative states 共收到政府信息公开申请N件 (or 未收到…申请) or 行政复议N件, N equals the table's
     apply.new.total / review.reconsideration.total.
A document that is not an `ok` report has verified = null.

`--write` stores the result in each truth's "verified" field (after "cells"... in the order the builders use:
the builders call `expected_verified()` themselves, so a rebuilt corpus carries the same field); without it the
script reports truths whose stored value differs and exits 1.
"""
from __future__ import annotations

import html as _html
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

APPLICANTS = ("person", "business", "research", "nonprofit", "legal", "other_org")
COLS = APPLICANTS + ("total",)
DENIED = ("state_secret", "law_prohibited", "security_stability", "third_party", "internal_affairs", "process_info",
          "enforcement_file", "query_matter")
UNABLE = ("not_held", "needs_creation", "unclear")
REJECTED = ("petition", "duplicate", "publication", "excessive", "confirm")
OTHER_SUB = ("no_correction", "no_fee", "other")
REVIEW = ("reconsideration", "suit_direct", "suit_after")
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")


def _single_other(template: str, cells: dict) -> bool:
    return template == "2019" or any(cells.get(f"apply.other.{c}") is not None for c in COLS)


def _results(template: str, cells: dict) -> list[str]:
    rows = ["granted", "partial"] + [f"denied.{x}" for x in DENIED] + [f"unable.{x}" for x in UNABLE]
    rows += [f"rejected.{x}" for x in REJECTED]
    rows += ["other"] if _single_other(template, cells) else [f"other.{x}" for x in OTHER_SUB]
    return rows


def _not_printed_by_layout(template: str, cells: dict) -> set[str]:
    if template != "2021":
        return set()
    if _single_other(template, cells):
        return {f"apply.other.{s}.{c}" for s in OTHER_SUB for c in COLS}
    return {f"apply.other.{c}" for c in COLS}


def problems(template: str, cells: dict, stated: dict[str, int], layout_flags: list[str] = ()) -> list[str]:
    """Why the truth is not verified (empty: verified).

    layout_flags: layout problems that no value shows (crossed row labels), from the truth's
    expected_failed_checks.
    """
    out: list[str] = [f"layout: {x}" for x in layout_flags]
    skip = _not_printed_by_layout(template, cells)
    active = [k for k in cells if k.startswith("active.")]
    if all(cells[k] is None for k in active):
        out.append("table not printed: active")
    for k, v in cells.items():
        if v is None and k not in skip and not k.startswith("active."):
            out.append(f"null: {k}")

    def tot(keys: list[str]):
        vals = [cells.get(k) for k in keys]
        return None if any(v is None for v in vals) else sum(vals)

    def eq(a, b, name):
        if a is None or b is None:
            out.append(f"cannot check: {name}")
        elif abs(a - b) > 1e-9:
            out.append(f"broken: {name}")

    res = _results(template, cells)
    for c in COLS:
        eq(tot([f"apply.new.{c}", f"apply.carried_over.{c}"]), tot([f"apply.total.{c}", f"apply.carried_forward.{c}"]),
           f"flow {c}")
        eq(cells.get(f"apply.total.{c}"), tot([f"apply.{r}.{c}" for r in res]), f"results {c}")
    for r in ["new", "carried_over", "total", "carried_forward"] + res:
        eq(cells.get(f"apply.{r}.total"), tot([f"apply.{r}.{c}" for c in APPLICANTS]), f"row {r}")
    for g in REVIEW:
        eq(cells.get(f"review.{g}.total"), tot([f"review.{g}.{p}" for p in REVIEW_PARTS]), f"review {g}")
    for k, v in cells.items():
        if v is None:
            continue
        money = k in ("active.art20_8.fees.amount", "active.art20_9.procurement.amount")
        signed = template == "2019" and k.endswith(".change")
        if money:
            good = v >= 0
        elif signed:
            good = float(v).is_integer()
        else:
            good = float(v).is_integer() and v >= 0
        if not good:
            out.append(f"domain: {k}")
    for name, key in (("apply_new", "apply.new.total"), ("reconsideration", "review.reconsideration.total")):
        if name in stated and cells.get(key) is not None and stated[name] != cells[key]:
            out.append(f"text: {name} says {stated[name]}, table {cells[key]}")
    return out


# --- what the narrative states -------------------------------------------------------------------------------

_FW = str.maketrans("０１２３４５６７８９，", "0123456789,")
_NEW = re.compile(r"(?:收到|受理)(?:[^。；;，,\d]{0,14})申请(?:[^。；;，,\d]{0,3})(\d+)\s*件")
_NEW_NONE = re.compile(r"(?:未|没有)(?:收到|受理)(?:[^。；;，,\d]{0,10})申请")
_RECON = re.compile(r"行政复议(?:案件|申请)?(?:共|合计)?(\d+)\s*(?:件|起)")


def stated_figures(text: str) -> dict[str, int]:
    """The figures the narrative states (first statement of each kind)."""
    t = re.sub(r"[ \t\u3000\xa0]+", "", text.translate(_FW))
    out: dict[str, int] = {}
    m = _NEW.search(t)
    if m:
        out["apply_new"] = int(m.group(1))
    elif _NEW_NONE.search(t):
        out["apply_new"] = 0
    m = _RECON.search(t)
    if m:
        out["reconsideration"] = int(m.group(1))
    return out


def expected_verified(truth: dict, text: str) -> bool | None:
    if truth.get("status", "ok") != "ok":
        return None
    return not problems(truth["template"], truth["cells"], stated_figures(text), _layout_flags(truth))


def _layout_flags(truth: dict) -> list[str]:
    return [x for x in truth.get("expected_failed_checks") or [] if x.startswith("layout.")]


# --- the text of a document (small readers of our own) -------------------------------------------------------

def html_text(raw: str) -> str:
    m = re.search(r"_CONFIG\.DETAIL\s*=\s*(\{.*?\});", raw, flags=re.S)
    if m:
        try:
            raw = raw + json.loads(m.group(1)).get("content", "")
        except ValueError:
            pass
    raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", raw)
    raw = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li|h\d)>", "\n", raw)
    raw = re.sub(r"<[^>]+>", "", raw)
    return _html.unescape(raw)


def document_text(path: Path, truth: dict) -> str:
    ext = path.suffix.lower()
    data = path.read_bytes()
    if ext in (".html", ".htm"):
        return html_text(data.decode(truth.get("encoding") or "utf-8", errors="replace"))
    if ext == ".txt":
        return data.decode("utf-8", errors="replace")
    if ext == ".docx":
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("word/document.xml").decode("utf-8")
        xml = re.sub(r"</w:p>", "\n", xml)
        return _html.unescape(re.sub(r"<[^>]+>", "", xml))
    if ext == ".pdf":
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(str(path))
        except Exception:  # noqa: BLE001 - encrypted or cut files are not ok reports
            return ""
        pages = []
        for i in range(len(pdf)):
            tp = pdf[i].get_textpage()
            pages.append(tp.get_text_range())
            tp.close()
        pdf.close()
        return "\n".join(pages)
    if ext == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                         if v is not None)
    if ext == ".xls":
        import xlrd

        book = xlrd.open_workbook(str(path))
        return "\n".join(str(sh.cell_value(r, c)) for sh in book.sheets() for r in range(sh.nrows)
                         for c in range(sh.ncols))
    if ext in (".doc", ".wps"):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / ("in" + ext)
            src.write_bytes(data)
            subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", "txt:Text (encoded):UTF8", "--outdir", tmp, str(src)],
                           check=True, capture_output=True, timeout=180)
            return (Path(tmp) / "in.txt").read_text(encoding="utf-8", errors="replace")
    return ""


def with_verified(truth: dict, verified: bool | None) -> dict:
    """The truth with "verified" set, placed before "cells" (where the builders put it)."""
    out = {k: v for k, v in truth.items() if k not in ("verified", "cells")}
    out["verified"] = verified
    if "cells" in truth:
        out["cells"] = truth["cells"]
    return out


def truths(dirs: list[Path]) -> list[Path]:
    return sorted(p for d in dirs for p in d.rglob("*.truth.json"))


def main(argv: list[str]) -> int:
    write = "--write" in argv
    dirs = [Path(a) for a in argv if not a.startswith("--")] or [HERE]
    bad = 0
    for tp in truths(dirs):
        t = json.loads(tp.read_text(encoding="utf-8"))
        if t.get("status", "ok") == "ok":
            text = document_text(tp.parent / t["document"], t)
            probs = problems(t["template"], t["cells"], stated_figures(text), _layout_flags(t))
            want = not probs
        else:
            probs, want = [], None
        if write:
            if t.get("verified", "<absent>") != want:
                t = with_verified(t, want)
                tp.write_text(json.dumps(t, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        elif t.get("verified", "<absent>") != want:
            bad += 1
            print(f"{tp.relative_to(HERE) if tp.is_relative_to(HERE) else tp}: stored {t.get('verified', '<absent>')}"
                  f", derived {want}: {'; '.join(probs[:4])}")
        if "-v" in argv:
            print(f"{tp.name}: {want} {'; '.join(probs[:3])}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
