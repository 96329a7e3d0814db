"""One document in, one ExtractResult out: sniff, read, find the template, parse, check.

Every outcome is a result with a status; a document we cannot read is reported (unreadable,
not_a_report, legacy_format, no_tables) and never turned into a report of zeros.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from . import checks as checks_mod
from core.cells import keys_for
from .metadata import ReportMeta, read_metadata
from .model import (LEGACY_FORMAT, NO_TABLES, NOT_A_REPORT, OK, UNREADABLE, ExtractResult, ParsedDocument)
from .readers import limits, read
from .settings import ExtractSettings, current_settings
from core.sniff import sniff
from .tables import TableResult, assign, walk
from .template import detect_template
from .textnorm import squash_text

# Bump when a change can alter any extracted value: `nianbao reextract` rebuilds older reports.
EXTRACTOR_VERSION = "1.3.1"

# (a 共/累计/全年 before 收到 changes neither whether nor what it matches; starting on 收到/受理 scans 6x faster)
_TEXT_NEW = re.compile(r"(?:收到|受理)[^。，,;；]{0,12}?申请(?:共|合计)?(\d+)(?:件|条|个)")
_TEXT_NONE = re.compile(r"未(?:收到|受理|发生)[^。，,;；]{0,14}?(?:公开申请|申请公开|依申请)")
_TEXT_RECON = re.compile(r"行政复议(?:案件)?(?:共)?(\d+)(?:件|起)")


def extract_path(path: str | Path, url: str | None = None, settings: ExtractSettings | None = None) -> ExtractResult:
    p = Path(path)
    settings = settings or current_settings()
    try:
        size = p.stat().st_size
        if size > settings.max_bytes:
            return ExtractResult(source=str(p), status=UNREADABLE, url=url, extractor_version=EXTRACTOR_VERSION,
                                 reason=f"too_large: {size} bytes (limit {settings.max_bytes})")
        data = p.read_bytes()
    except OSError as exc:
        return ExtractResult(source=str(p), status=UNREADABLE, url=url, extractor_version=EXTRACTOR_VERSION,
                             reason=f"cannot read file: {exc.strerror or exc}")
    return extract_bytes(data, str(p), url=url, settings=settings)


def extract_bytes(data: bytes, source: str, url: str | None = None,
                  settings: ExtractSettings | None = None) -> ExtractResult:
    settings = settings or current_settings()
    sha = hashlib.sha256(data).hexdigest()
    base = dict(source=source, url=url, sha256=sha, extractor_version=EXTRACTOR_VERSION)
    if len(data) > settings.max_bytes:
        return ExtractResult(status=UNREADABLE, reason=f"too_large: {len(data)} bytes (limit {settings.max_bytes})", **base)
    kind = sniff(data)
    if kind == "empty":
        return ExtractResult(status=UNREADABLE, reason="empty file", format=kind, **base)
    try:
        # one time limit per document, reading and table parsing together (see limits.time_limit)
        with limits.time_limit(settings.read_timeout):
            try:
                doc = read(data, kind, settings)
            except Exception as exc:  # noqa: BLE001 - a reader bug must not stop a batch; the document is kept
                return ExtractResult(status=UNREADABLE, format=kind, **base,
                                     reason=f"reader failed: {type(exc).__name__}: {str(exc)[:120]}")
            res = extract_document(doc, **base)
            if doc.layout == "ocr":  # values OCR could not confirm, confidence figures (extract/ocr_trust.py)
                from . import ocr_trust

                res = ocr_trust.apply(res, doc)
            return res
    except limits.HardTimeout:
        return ExtractResult(status=UNREADABLE, reason=limits.TIMED_OUT, format=kind, **base)


def _classify_without_tables(doc: ParsedDocument, meta: ReportMeta, squashed: str) -> tuple[str, str]:
    if doc.report_links >= 3:
        return NOT_A_REPORT, f"a list of reports ({doc.report_links} links to report titles), no tables"
    if not meta.is_report_title:
        return NOT_A_REPORT, "no report title and none of the template's tables"
    if meta.report_year is not None and meta.report_year < 2019:
        return LEGACY_FORMAT, f"report for {meta.report_year}: before the 2019 national format"
    narrative = len(squashed)
    if "图片版" in squashed or (doc.images and narrative < 1500):
        return NO_TABLES, f"tables printed as images ({doc.images} images)"
    if doc.links and narrative < 1500:
        return NO_TABLES, f"tables not in the page: see attachment ({len(doc.links)} attachment links)"
    if narrative < 400:
        return NO_TABLES, "report page without the statistical tables"
    return LEGACY_FORMAT, "free-text report without the national format's tables"


def _choose_template(squashed: str, meta: ReportMeta, doc: ParsedDocument) -> tuple[str, TableResult, str]:
    """One walk over the cells serves both versions; the labels decide which one is read."""
    w = walk(doc.cells)
    template, hits = detect_template(squashed)
    if template:
        return template, assign(w, template), "labels"
    # No decisive labels (e.g. only the applications table printed): read both, keep the richer reading.
    t21 = assign(w, "2021")
    if any(p.startswith("apply.other.no_") for p in t21.found):
        return "2021", t21, "labels"
    fallback = "2021" if (meta.report_year or 0) >= 2021 else "2019"
    return fallback, (t21 if fallback == "2021" else assign(w, "2019")), "year"


def extract_document(doc: ParsedDocument, source: str, url: str | None = None, sha256: str | None = None,
                     extractor_version: str = EXTRACTOR_VERSION) -> ExtractResult:
    res = ExtractResult(source=source, status=OK, url=url, sha256=sha256, extractor_version=extractor_version,
                        format=doc.format, layout=doc.layout, title=doc.title)
    if doc.status:
        res.status, res.reason = doc.status, doc.reason
        return res
    squashed = squash_text(doc.text)
    meta = read_metadata(doc)
    res.agency, res.report_year, res.published = meta.agency, meta.report_year, meta.published
    res.title = meta.title or doc.title
    template, tables, _how = _choose_template(squashed, meta, doc)
    found = tables.rows_found
    if found["apply"] < 3 and found["active"] < 2 and not found["review"]:
        res.status, res.reason = _classify_without_tables(doc, meta, squashed)
        return res
    res.template = template
    keys = keys_for(template)
    cells: dict = dict.fromkeys(keys)
    for key, cv in tables.values.items():
        if key in cells:
            cells[key] = cv.value
            res.raw[key] = cv.raw
            if cv.unit:
                res.units[key] = cv.unit
    res.cells = cells
    unplaced = _unplaced_ocr_rows(doc, tables, cells)
    unprinted: dict[str, list[str]] = {}
    res.checks = _checks(template, cells, tables, squashed, unprinted)
    res.checks += _formula_checks(doc)
    res.verified, res.unverified_reasons = checks_mod.verdict(tables, res.checks, unprinted, list(keys))
    if unplaced:
        res.verified = False
        res.unverified_reasons += unplaced
    if res.agency is None and meta.agency_reason:
        # the figures may be verified; who published them is not known: say why (core.titles.parse_title)
        res.reason = f"agency unreadable: {meta.agency_reason}"
    return res


def _unplaced_ocr_rows(doc: ParsedDocument, tables: TableResult, cells: dict) -> list[str]:
    """In an OCR'd table, a row whose count of values differs from its columns was placed by position: a value
    lost under a stamp or a split box shifts the rest into the wrong columns.  A text layer keeps such a row
    (its report is unverified by layout.row_values); for OCR the placement is a guess, and OCR never stores a
    guess: the row's values become null, the printed text stays in `raw`, and the reason names the row."""
    if doc.layout != "ocr" or not tables.row_problems:
        return []
    reasons = []
    for problem in tables.row_problems:
        prefix, _, what = problem.partition(":")
        nulled = [k for k in cells if k.startswith(prefix + ".") and "." not in k[len(prefix) + 1:]
                  and cells[k] is not None]
        for k in nulled:
            cells[k] = None
        reasons.append(f"ocr: {prefix} values not placed with confidence ({what.strip()}); "
                       f"{len(nulled)} values kept null")
    return reasons


def _checks(template: str, cells: dict, tables: TableResult, squashed: str, unprinted: dict) -> list[dict]:
    """Layout (completeness), identities and the narrative's figures (read without spaces: PDF text layers print
    "申请 312 件")."""
    out = checks_mod.layout_checks(tables)
    out += checks_mod.check_cells(template, cells, unprinted)
    t = squashed
    m = _TEXT_NEW.search(t)
    stated = int(m.group(1)) if m else (0 if _TEXT_NONE.search(t) else None)
    for rule, value, key in (("text.apply_new", stated, "apply.new.total"),
                             ("text.reconsideration", _first_int(_TEXT_RECON, t), "review.reconsideration.total")):
        c = checks_mod.check_text(value, cells, rule, key)
        if c:
            out.append(c)
    return out


def _formula_checks(doc: ParsedDocument) -> list[dict]:
    """A workbook whose formulas carried no cached result (readers/sheet.py computes SUM and + - * / of cells):
    the check says how many were computed, and names those that could not be (their cells stay null)."""
    computed, failed = doc.meta.get("formulas_computed"), doc.meta.get("formulas_not_computed")
    if not computed and not failed:
        return []
    detail = f"{computed or 0} formula results computed (the file carried none)"
    if failed:
        detail += f"; not computed: {failed}"
    return [{"rule": "sheet.formulas", "ok": not failed, "detail": detail}]


def _first_int(rx: re.Pattern, text: str) -> int | None:
    m = rx.search(text)
    return int(m.group(1)) if m else None
