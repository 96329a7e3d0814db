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
from .tables import TableResult, parse_tables
from .template import detect_template
from .textnorm import nfkc, squash

# Bump when a change can alter any extracted value: `nianbao reextract` rebuilds older reports.
EXTRACTOR_VERSION = "1.0.0"

_TEXT_NEW = re.compile(r"(?:共|累计|全年)?(?:收到|受理)[^。，,;；]{0,12}?申请(?:共|合计)?(\d+)(?:件|条|个)")
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
    template, hits = detect_template(squashed)
    if template:
        return template, parse_tables(doc.cells, template), "labels"
    # No decisive labels (e.g. only the applications table printed): try both, keep the richer reading.
    t19, t21 = parse_tables(doc.cells, "2019"), parse_tables(doc.cells, "2021")
    if any(k.startswith("apply.other.no_") for k in t21.values):
        return "2021", t21, "labels"
    fallback = "2021" if (meta.report_year or 0) >= 2021 else "2019"
    return fallback, (t21 if fallback == "2021" else t19), "year"


def extract_document(doc: ParsedDocument, source: str, url: str | None = None, sha256: str | None = None,
                     extractor_version: str = EXTRACTOR_VERSION) -> ExtractResult:
    res = ExtractResult(source=source, status=OK, url=url, sha256=sha256, extractor_version=extractor_version,
                        format=doc.format, layout=doc.layout, title=doc.title)
    if doc.status:
        res.status, res.reason = doc.status, doc.reason
        return res
    squashed = squash(doc.text)
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
    cells = {k: None for k in keys}
    for key, cv in tables.values.items():
        if key in cells:
            cells[key] = cv.value
            res.raw[key] = cv.raw
            if cv.unit:
                res.units[key] = cv.unit
    res.cells = cells
    res.checks = _checks(template, cells, tables, doc.text)
    return res


def _checks(template: str, cells: dict, tables: TableResult, text: str) -> list[dict]:
    out = []
    for table in ("active", "apply", "review"):
        n = tables.rows_found[table]
        out.append({"rule": f"table.{table}", "ok": n > 0, "detail": f"{n} rows read" if n else "table not found"})
    for problem in tables.problems:
        out.append({"rule": "layout." + problem.split(":", 1)[0], "ok": False, "detail": problem})
    out += checks_mod.check_cells(template, cells)
    t = nfkc(text)
    m = _TEXT_NEW.search(t)
    stated = int(m.group(1)) if m else (0 if _TEXT_NONE.search(t) else None)
    for rule, value, key in (("text.apply_new", stated, "apply.new.total"),
                             ("text.reconsideration", _first_int(_TEXT_RECON, t), "review.reconsideration.total")):
        c = checks_mod.check_text(value, cells, rule, key)
        if c:
            out.append(c)
    return out


def _first_int(rx: re.Pattern, text: str) -> int | None:
    m = rx.search(text)
    return int(m.group(1)) if m else None
