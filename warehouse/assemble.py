"""Assembling reports: documents + extraction results → report, document and agency rows (pure, no DuckDB).

A report is one report page (role `report`) plus its attachments (role `attachment`, `parent_url` = the
page). Its cells come from the page when the page's extraction is `ok`, else from the best `ok` attachment
(most non-null cells); a report with no `ok` document keeps the most telling status and no cells.

`assemble()` takes typed rows (the run's documents, the warehouse's stored documents and reports of the same
reports, the portals) and returns an `Assembly`: what to write, and which extraction result feeds which report's
cells. Writing it is warehouse.ingest's job; this module never touches a database, so every rule here is
unit-tested on plain dataclasses (tests/warehouse/test_wh_assemble.py).
"""
from __future__ import annotations

import copy
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from functools import lru_cache
from datetime import date, datetime, timezone
from typing import Any, Iterable, Protocol
from urllib.parse import urlsplit, urlunsplit

from core.titles import parse_title as _grammar

from .agencies import Agency, Resolver, parse_title

AGENCY_UNREADABLE = "agency unreadable:"  # extraction's reason when the title's name part cannot be read

EXTRACTABLE_ROLES = ("report", "attachment")
FETCH_OK = ("ok", "not_modified")
FETCH_FAILED = "fetch_failed"
NOT_EXTRACTED = "not_extracted"
# Which status speaks for a report that has no `ok` document (lower wins).
STATUS_RANK = {
    "ok": 0, "legacy_format": 1, "unreadable": 2, "no_tables": 3, "unsupported": 3, NOT_EXTRACTED: 4,
    FETCH_FAILED: 5, "not_a_report": 6,
}
_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


# -- identities ------------------------------------------------------------------------------
_CANONICAL = re.compile(r"https?://[a-z0-9.-]+/[^#\s]*")


def canonical_url(url: str | None) -> str | None:
    """Scheme and host lower-cased, default port and fragment dropped; path and query kept as fetched."""
    if not url:
        return None
    url = url.strip()
    if _CANONICAL.fullmatch(url):  # the common case: already canonical (no port, no fragment, lower-case host)
        return url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = port if port and (scheme, port) not in (("http", 80), ("https", 443)) else None
    netloc = host + (f":{port}" if port else "")
    if parts.username:
        netloc = parts.username + "@" + netloc
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def stable_id(portal_id: str | None, url: str | None) -> str:
    key = f"{portal_id or ''}\n{canonical_url(url) or ''}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def report_id_for(portal_id: str | None, page_url: str | None) -> str:
    return stable_id(portal_id, page_url)


def document_id_for(portal_id: str | None, url: str | None) -> str:
    return stable_id(portal_id, url)


# -- parsing helpers -----------------------------------------------------------------------------
def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def parse_date(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def parse_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value)
    return s if s != "" else None


# -- the rows --------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _field_names(cls) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


class _Row:
    """Conversion between a dataclass row and a table row (a dict with the table's columns)."""

    COLUMNS: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: dict[str, Any]):
        names = _field_names(cls)
        return cls(**{k: v for k, v in row.items() if k in names})

    def to_row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in self.COLUMNS}


@dataclass
class ExtractionOutcome:
    """What extraction said about one document (the extraction columns of `documents`)."""

    status: str | None = None
    reason: str | None = None
    template: str | None = None
    report_year: int | None = None
    agency: str | None = None
    published: date | None = None
    title: str | None = None
    format: str | None = None
    layout: str | None = None
    extractor_version: str | None = None
    cells_count: int | None = None  # non-null cells
    verified: bool | None = None  # every table complete, every identity holds, text and table agree
    unverified_reasons: list[str] | None = None
    ocr_confidence_min: float | None = None  # OCR'd documents only
    ocr_confidence_mean: float | None = None


EXTRACTION_FIELDS = tuple(f.name for f in fields(ExtractionOutcome))


@dataclass
class Document(ExtractionOutcome, _Row):
    """One row of `documents`: a fetched file (latest fetch per portal and URL) and its extraction outcome."""

    document_id: str = ""
    portal_id: str | None = None
    url: str = ""
    final_url: str | None = None
    role: str | None = None
    parent_url: str | None = None
    listing_url: str | None = None
    link_title: str | None = None
    list_date: date | None = None
    report_id: str | None = None
    run_id: str | None = None
    fetched_at: datetime | None = None
    http_status: int | None = None
    content_type: str | None = None
    fetch_state: str | None = None
    fetch_error: str | None = None
    sha256: str | None = None
    size: int | None = None
    detected_type: str | None = None
    # not columns: where this row's extraction comes from
    result: int | None = None  # index of this load's extraction result for the document
    reused: bool = False  # the extraction fields are the warehouse's earlier ones (same bytes)

    COLUMNS = (
        "document_id", "portal_id", "url", "final_url", "role", "parent_url", "listing_url", "link_title",
        "list_date", "report_id", "run_id", "fetched_at", "http_status", "content_type", "fetch_state",
        "fetch_error", "sha256", "size", "detected_type",
    ) + EXTRACTION_FIELDS

    def outcome(self) -> ExtractionOutcome:
        return ExtractionOutcome(**{f: getattr(self, f) for f in EXTRACTION_FIELDS})

    def set_outcome(self, o: ExtractionOutcome | None) -> None:
        if o is None:
            for f in EXTRACTION_FIELDS:
                setattr(self, f, None)
        else:
            self.__dict__.update((f, o.__dict__[f]) for f in EXTRACTION_FIELDS)


@dataclass
class Report(_Row):
    """One row of `reports`."""

    report_id: str
    portal_id: str | None = None
    agency_id: str | None = None
    agency: str | None = None
    report_year: int | None = None
    template: str | None = None
    published: date | None = None
    status: str | None = None
    reason: str | None = None
    source_url: str | None = None
    document_url: str | None = None
    document_id: str | None = None
    document_sha256: str | None = None
    title: str | None = None
    format: str | None = None
    extractor_version: str | None = None
    cells_count: int | None = None  # cells stored (including NULL values)
    checks_total: int | None = None
    checks_failed: int | None = None
    run_id: str | None = None
    fetched_at: datetime | None = None
    report_key: int | None = None  # the integer surrogate cells and checks carry (set by the writer)
    verified: bool | None = None  # the speaking document's mark (NULL: no figures, or not assessed)
    unverified_reasons: list[str] | None = None
    layout: str | None = None
    ocr_confidence_min: float | None = None
    ocr_confidence_mean: float | None = None
    agency_reason: str | None = None  # why agency is NULL: the title's name part could not be read

    COLUMNS = (
        "report_key", "report_id", "portal_id", "agency_id", "agency", "report_year", "template", "published", "status",
        "reason", "source_url", "document_url", "document_id", "document_sha256", "title", "format",
        "extractor_version", "cells_count", "checks_total", "checks_failed", "run_id", "fetched_at", "verified",
        "unverified_reasons", "layout", "ocr_confidence_min", "ocr_confidence_mean", "agency_reason",
    )


@dataclass
class ResultMeta:
    """One extraction result, without its cells and checks (which stay columnar)."""

    status: str | None = None
    reason: str | None = None
    template: str | None = None
    report_year: int | None = None
    agency: str | None = None
    published: str | None = None
    title: str | None = None
    format: str | None = None
    layout: str | None = None
    extractor_version: str | None = None
    url: str | None = None
    sha256: str | None = None
    cells_total: int = 0  # cells in the result (including NULL values)
    cells_count: int = 0  # non-null cells
    checks_total: int = 0
    checks_failed: int = 0
    verified: bool | None = None
    unverified_reasons: list[str] | None = None
    ocr_confidence_min: float | None = None
    ocr_confidence_mean: float | None = None

    def outcome(self) -> ExtractionOutcome:
        return ExtractionOutcome(
            status=_str(self.status) or NOT_EXTRACTED, reason=_str(self.reason), template=_str(self.template),
            report_year=parse_int(self.report_year), agency=_str(self.agency), published=_date(self.published),
            title=_str(self.title), format=_str(self.format), layout=_str(self.layout),
            extractor_version=_str(self.extractor_version), cells_count=self.cells_count,
            verified=self.verified if isinstance(self.verified, bool) else None,
            unverified_reasons=list(self.unverified_reasons) if self.unverified_reasons else None,
            ocr_confidence_min=self.ocr_confidence_min, ocr_confidence_mean=self.ocr_confidence_mean,
        )


@lru_cache(maxsize=4096)
def _date(value: Any) -> date | None:
    """parse_date, cached: a night's reports share a few hundred publication dates."""
    return parse_date(value)


class ResultIndex(Protocol):
    """The extraction results of a load, looked up by (URL, sha256)."""

    def find(self, urls: Iterable[str | None], sha256: str | None) -> int | None: ...

    def result(self, idx: int) -> ResultMeta: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True)
class PortalRef:
    """What the assembler needs of a portal: its name and region (the fallback agency of a nameless report)."""

    portal_id: str
    name: str | None = None
    region_code: str | None = None


# -- the manifest ------------------------------------------------------------------------------------
def documents_from_manifest(rows: Iterable[Any], run_id: str | None) -> list[Document]:
    """Manifest rows (core.records.ManifestRow, or their dicts) → documents (extraction fields not yet set).
    A URL fetched twice in one run counts once: the latest fetch wins."""
    docs: dict[str, Document] = {}
    for row in rows:
        get = row.get if isinstance(row, dict) else (lambda name, r=row: getattr(r, name, None))
        portal_id = _str(get("portal_id"))
        url = _str(get("url")) or _str(get("final_url"))
        if url is None:
            continue
        role = _str(get("role"))
        headers = get("headers") or {}
        content_type = None
        if isinstance(headers, dict):
            for k, v in headers.items():
                if str(k).lower() == "content-type":
                    content_type = _str(v)
        parent_url = _str(get("parent_url"))
        document_id = document_id_for(portal_id, url)
        if role == "report":
            report_id = document_id  # the same key: the page's portal and URL
        elif role == "attachment":
            report_id = report_id_for(portal_id, parent_url or url)
        else:
            report_id = None
        doc = Document(
            document_id=document_id, portal_id=portal_id, url=url,
            final_url=_str(get("final_url")), role=role, parent_url=parent_url,
            listing_url=_str(get("listing_url")), link_title=_str(get("link_title")),
            list_date=parse_date(get("list_date")), report_id=report_id,
            run_id=_str(get("run_id")) or run_id, fetched_at=parse_time(get("fetched_at")),
            http_status=parse_int(get("status")), content_type=content_type, fetch_state=_str(get("state")),
            fetch_error=_str(get("error")), sha256=_str(get("sha256")), size=parse_int(get("size")),
            detected_type=_str(get("detected_type")),
        )
        old = docs.get(doc.document_id)
        if old is not None and old.fetched_at and doc.fetched_at and old.fetched_at > doc.fetched_at:
            continue
        docs[doc.document_id] = doc
    return list(docs.values())


# -- the summary -----------------------------------------------------------------------------------
@dataclass
class IngestSummary:
    documents: int = 0
    documents_kept: int = 0  # fetched earlier than the warehouse's copy: left alone
    results_unused: int = 0  # extraction results that matched no document of the run
    reports: int = 0
    reports_ok: int = 0
    reports_replaced: int = 0  # already in the warehouse, now rebuilt
    cells: int = 0
    checks: int = 0
    agencies: int = 0
    portals: int = 0
    statuses: Counter = field(default_factory=Counter)
    extractor_versions: set = field(default_factory=set)

    COUNTS = ("documents", "documents_kept", "results_unused", "reports", "reports_ok", "reports_replaced",
              "cells", "checks", "agencies", "portals")

    def add(self, other: "IngestSummary") -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.statuses.update(other.statuses)
        self.extractor_versions |= other.extractor_versions


# -- the assembly ----------------------------------------------------------------------------------
@dataclass
class Assembly:
    """What one load writes."""

    documents: list[Document]  # the run's documents that replace the warehouse's rows
    reports: list[Report]  # every report touched by them, rebuilt whole
    agencies: list[Agency]  # the agencies of those reports
    cell_sources: dict[int, list[str]]  # extraction result → the reports whose cells and checks it gives
    kept_cells: set[str]  # reports whose stored cells and checks stay (same document, same bytes)
    summary: IngestSummary

    @property
    def rebuilt(self) -> list[str]:
        """Reports whose stored cells and checks are replaced (by new ones, or by none)."""
        return [r.report_id for r in self.reports if r.report_id not in self.kept_cells]


def _extraction_of(doc: Document, old: Document | None, results: ResultIndex) -> None:
    """Set a run document's extraction outcome: this load's result, else the stored one for the same bytes."""
    if doc.role not in EXTRACTABLE_ROLES:
        return
    idx = results.find([doc.url, doc.final_url], doc.sha256)
    if idx is not None and doc.sha256 is None and results.result(idx).sha256:
        idx = None  # a result for some bytes; this fetch has none
    if idx is not None:
        doc.set_outcome(results.result(idx).outcome())
        doc.result = idx
    elif doc.fetch_state not in FETCH_OK or not doc.sha256:
        doc.status = FETCH_FAILED
        doc.reason = "; ".join(x for x in (doc.fetch_state or "no body", doc.fetch_error) if x)
    elif old is not None and old.sha256 == doc.sha256 and old.status not in (None, NOT_EXTRACTED, FETCH_FAILED):
        doc.set_outcome(old.outcome())  # same bytes as before: the earlier extraction still holds
        doc.reused = True
    else:
        doc.status = NOT_EXTRACTED
        doc.reason = "no extraction result for this document"


def _choose(cands: list[Document], old_report: Report | None) -> tuple[Document | None, Document | None]:
    """(the report page, the document whose cells speak for the report or None)."""

    def available(d: Document) -> bool:
        if d.status != "ok":
            return False
        if d.result is not None:
            return True
        return bool(  # an ok document without a new result: usable only if its cells are the stored ones
            d.reused and old_report is not None and old_report.status == "ok"
            and old_report.document_id == d.document_id and old_report.document_sha256 == d.sha256
        )

    if len(cands) == 1:  # the common case: a report page alone
        d = cands[0]
        page = d if d.role == "report" else None
        return page, (d if available(d) else None)
    pages = sorted((d for d in cands if d.role == "report"), key=lambda d: d.fetched_at or _EPOCH, reverse=True)
    page = pages[0] if pages else None
    if page is not None and available(page):
        return page, page
    atts = sorted((d for d in cands if d.role == "attachment" and available(d)),
                  key=lambda d: (-(d.cells_count or 0), d.url))
    return page, (atts[0] if atts else None)


def assemble(
    docs: list[Document],
    results: ResultIndex,
    *,
    stored_documents: dict[str, Document],
    stored_reports: dict[str, Report],
    portals: dict[str, PortalRef],
    resolver: Resolver,
    run_id: str,
) -> Assembly:
    """Decide every touched report from this run's documents and the warehouse's rows of the same reports.

    `stored_documents` holds the warehouse's rows for the run's document ids and for every document of the
    reports they belong to; `stored_reports` the warehouse's rows of those reports.
    """
    summary = IngestSummary()
    touched_candidates = {d.report_id for d in docs if d.report_id}

    # 1. Each document's extraction outcome; a document fetched earlier than the stored copy is left alone.
    accepted: list[Document] = []
    used: set[int] = set()
    for doc in docs:
        old = stored_documents.get(doc.document_id)
        if old is not None and old.fetched_at and doc.fetched_at and old.fetched_at > doc.fetched_at:
            summary.documents_kept += 1
            continue
        doc.result, doc.reused = None, False
        _extraction_of(doc, old, results)
        if doc.result is not None:
            used.add(doc.result)
        if doc.status:
            summary.statuses[f"document:{doc.status}"] += 1
        accepted.append(doc)
    summary.documents = len(accepted)
    summary.results_unused = len(results) - len(used)

    # 2. Group into reports: the run's documents over the warehouse's for the same report.
    by_report: dict[str, dict[str, Document]] = {}
    for old in stored_documents.values():
        if old.report_id in touched_candidates:
            o = copy.copy(old)
            o.result, o.reused = None, True
            by_report.setdefault(old.report_id, {})[old.document_id] = o
    touched: set[str] = set()
    for doc in accepted:
        if doc.report_id:
            by_report.setdefault(doc.report_id, {})[doc.document_id] = doc
            touched.add(doc.report_id)

    reports: list[Report] = []
    agencies: dict[str, Agency] = {}
    # One result can serve several reports: the same file linked from two pages, or the same page listed by two
    # portals (same bytes, same sha256).
    cell_sources: dict[int, list[str]] = {}
    kept_cells: set[str] = set()
    for rid in sorted(touched):
        cands = list(by_report[rid].values())
        old_report = stored_reports.get(rid)
        page, chosen = _choose(cands, old_report)
        if chosen is not None:
            speaker, status, reason = chosen, "ok", chosen.reason
        else:
            speaker = sorted(cands, key=lambda d: (
                STATUS_RANK.get(d.status if d.status != "ok" else NOT_EXTRACTED, 4), 0 if d is page else 1, d.url))[0]
            status, reason = speaker.status or NOT_EXTRACTED, speaker.reason
            if status == "ok":  # an ok document whose cells are not at hand
                status, reason = NOT_EXTRACTED, "extraction result not available; run nianbao reextract"

        order = [speaker] + ([page] if page is not None and page is not speaker else []) + [
            d for d in cands if d is not speaker and d is not page]
        name = next((d.agency for d in order if d.agency), None)
        year = speaker.report_year or next((d.report_year for d in order if d.report_year), None)
        agency_reason = None
        if name is None or year is None:
            titles = [page.link_title if page else None] + [d.title for d in order] + [d.link_title for d in order]
            for t in titles:
                t_agency, t_year = parse_title(t)
                name, year = name or t_agency, year or t_year
                if name and year:
                    break
        if name is None:  # a name part the title grammar could not read: no agency, never the portal's name
            agency_reason = next((d.reason.split(":", 1)[1].strip() for d in order
                                  if d.reason and d.reason.startswith(AGENCY_UNREADABLE)), None)
            agency_reason = agency_reason or next((p.agency_reason for p in map(_grammar, titles)
                                                   if p is not None and p.agency_reason), None)
        published = speaker.published or next((d.published for d in order if d.published), None)
        if published is None and page is not None:
            published = page.list_date

        portal_id = (page or speaker).portal_id
        portal = portals.get(portal_id or "") or PortalRef(portal_id or "")
        if agency_reason is None:
            agency = resolver.resolve(name, _str(portal.region_code), _str(portal.name))
            known = agencies.get(agency.agency_id)
            if known is None or (known.resolved_by == "name_elsewhere" and agency.resolved_by == "name"):
                agencies[agency.agency_id] = agency  # the agency as found on its own region's portal, when it is
        else:
            agency = None

        cells_count = checks_total = checks_failed = None
        if chosen is not None:
            if chosen.result is not None:
                meta = results.result(chosen.result)
                cell_sources.setdefault(chosen.result, []).append(rid)
                cells_count, checks_total, checks_failed = meta.cells_total, meta.checks_total, meta.checks_failed
            elif old_report is not None:
                kept_cells.add(rid)
                cells_count = old_report.cells_count
                checks_total, checks_failed = old_report.checks_total, old_report.checks_failed
        fetched = [d.fetched_at for d in cands if d.fetched_at]
        reports.append(Report(
            report_key=old_report.report_key if old_report is not None else None, report_id=rid, portal_id=portal_id,
            agency_id=agency.agency_id if agency else None, agency=agency.name if agency else None,
            agency_reason=agency_reason,
            report_year=parse_int(year), template=speaker.template, published=parse_date(published),
            status=status, reason=reason,
            source_url=page.url if page is not None else (speaker.parent_url or speaker.url),
            document_url=speaker.url, document_id=speaker.document_id, document_sha256=speaker.sha256,
            title=speaker.title or (page.link_title if page else None) or speaker.link_title,
            format=speaker.format, extractor_version=speaker.extractor_version, cells_count=cells_count,
            checks_total=checks_total, checks_failed=checks_failed, run_id=run_id,
            verified=speaker.verified if status == "ok" else None,
            unverified_reasons=speaker.unverified_reasons if status == "ok" else None,
            layout=speaker.layout, ocr_confidence_min=speaker.ocr_confidence_min if status == "ok" else None,
            ocr_confidence_mean=speaker.ocr_confidence_mean if status == "ok" else None,
            fetched_at=(page.fetched_at if page is not None else None) or (max(fetched) if fetched else None),
        ))
        summary.statuses[f"report:{status}"] += 1
        summary.reports_ok += status == "ok"
        summary.reports_replaced += old_report is not None
        if speaker.extractor_version:
            summary.extractor_versions.add(speaker.extractor_version)
    summary.reports = len(reports)
    summary.agencies = len(agencies)
    return Assembly(documents=accepted, reports=reports, agencies=list(agencies.values()),
                    cell_sources=cell_sources, kept_cells=kept_cells, summary=summary)
