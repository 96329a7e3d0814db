"""Documents + extraction results → documents, reports, agencies, cells, checks.

Used by the loader (documents from a crawl run's manifest, results from the extraction file) and by
re-extraction (documents from the warehouse, results from the extractor). Everything it writes replaces
rows by key (delete, then insert from Arrow) inside the caller's transaction.

A report is one report page (role `report`) plus its attachments (role `attachment`, `parent_url` = the
page). Its cells come from the page when the page's extraction is `ok`, else from the best `ok` attachment
(most non-null cells); a report with no `ok` document keeps the most telling status and no cells.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pyarrow as pa

from . import db
from .agencies import Resolver, parse_title
from .results import Results

EXTRACTABLE_ROLES = ("report", "attachment")
FETCH_OK = ("ok", "not_modified")
FETCH_FAILED = "fetch_failed"
NOT_EXTRACTED = "not_extracted"
# Which status speaks for a report that has no `ok` document (lower wins).
STATUS_RANK = {
    "ok": 0, "legacy_format": 1, "unreadable": 2, "no_tables": 3, "unsupported": 3, NOT_EXTRACTED: 4,
    FETCH_FAILED: 5, "not_a_report": 6,
}

DOCUMENT_TYPES = {
    "document_id": pa.string(), "portal_id": pa.string(), "url": pa.string(), "final_url": pa.string(),
    "role": pa.string(), "parent_url": pa.string(), "listing_url": pa.string(), "link_title": pa.string(),
    "list_date": pa.date32(), "report_id": pa.string(), "run_id": pa.string(),
    "fetched_at": pa.timestamp("us", tz="UTC"), "http_status": pa.int32(), "content_type": pa.string(),
    "fetch_state": pa.string(), "fetch_error": pa.string(), "sha256": pa.string(), "size": pa.int64(),
    "detected_type": pa.string(), "status": pa.string(), "reason": pa.string(), "template": pa.string(),
    "report_year": pa.int32(), "agency": pa.string(), "published": pa.date32(), "title": pa.string(),
    "format": pa.string(), "layout": pa.string(), "extractor_version": pa.string(), "cells_count": pa.int32(),
}
EXTRACTION_FIELDS = ("status", "reason", "template", "report_year", "agency", "published", "title", "format",
                     "layout", "extractor_version", "cells_count")
REPORT_TYPES = {
    "report_id": pa.string(), "portal_id": pa.string(), "agency_id": pa.string(), "agency": pa.string(),
    "report_year": pa.int32(), "template": pa.string(), "published": pa.date32(), "status": pa.string(),
    "reason": pa.string(), "source_url": pa.string(), "document_url": pa.string(), "document_id": pa.string(),
    "document_sha256": pa.string(), "title": pa.string(), "format": pa.string(),
    "extractor_version": pa.string(), "cells_count": pa.int32(), "checks_total": pa.int32(),
    "checks_failed": pa.int32(), "run_id": pa.string(), "fetched_at": pa.timestamp("us", tz="UTC"),
}
AGENCY_TYPES = {k: pa.string() for k in ("agency_id", "name", "normalized_name", "region_code", "province", "city",
                                         "county", "level", "resolved_by")}
PORTAL_TYPES = {k: pa.string() for k in ("portal_id", "name", "url", "platform", "region_code", "state", "counts",
                                         "run_id")}


# -- identities ------------------------------------------------------------------------------
def canonical_url(url: str | None) -> str | None:
    """Scheme and host lower-cased, default port and fragment dropped; path and query kept as fetched."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)) else None
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
    text = str(value).strip()[:10]
    try:
        return date.fromisoformat(text)
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


def documents_from_manifest(rows: Iterable[dict[str, Any]], run_id: str | None) -> list[dict[str, Any]]:
    """Manifest rows → document records (the `documents` columns, extraction fields not yet set).

    A URL fetched twice in one run counts once: the latest fetch wins.
    """
    docs: dict[str, dict[str, Any]] = {}
    for row in rows:
        portal_id = _str(row.get("portal_id"))
        url = _str(row.get("url")) or _str(row.get("final_url"))
        if url is None:
            continue
        role = _str(row.get("role"))
        headers = row.get("headers") or {}
        content_type = None
        if isinstance(headers, dict):
            for k, v in headers.items():
                if str(k).lower() == "content-type":
                    content_type = _str(v)
        parent_url = _str(row.get("parent_url"))
        if role == "report":
            report_id = report_id_for(portal_id, url)
        elif role == "attachment":
            report_id = report_id_for(portal_id, parent_url or url)
        else:
            report_id = None
        state = _str(row.get("state"))
        doc = {
            "document_id": document_id_for(portal_id, url),
            "portal_id": portal_id,
            "url": url,
            "final_url": _str(row.get("final_url")),
            "role": role,
            "parent_url": parent_url,
            "listing_url": _str(row.get("listing_url")),
            "link_title": _str(row.get("link_title")),
            "list_date": parse_date(row.get("list_date")),
            "report_id": report_id,
            "run_id": _str(row.get("run_id")) or run_id,
            "fetched_at": parse_time(row.get("fetched_at")),
            "http_status": parse_int(row.get("status")),
            "content_type": content_type,
            "fetch_state": state,
            "fetch_error": _str(row.get("error")),
            "sha256": _str(row.get("sha256")),
            "size": parse_int(row.get("size")),
            "detected_type": _str(row.get("detected_type")),
        }
        for f in EXTRACTION_FIELDS:
            doc[f] = None
        old = docs.get(doc["document_id"])
        if old is not None and old["fetched_at"] and doc["fetched_at"] and old["fetched_at"] > doc["fetched_at"]:
            continue
        docs[doc["document_id"]] = doc
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

    def add(self, other: "IngestSummary") -> None:
        for name in ("documents", "documents_kept", "results_unused", "reports", "reports_ok", "reports_replaced",
                     "cells", "checks", "agencies", "portals"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.statuses.update(other.statuses)
        self.extractor_versions |= other.extractor_versions


# -- the work ------------------------------------------------------------------------------------
def _fetch_rows(con, sql: str, keys: list[str]) -> list[dict[str, Any]]:
    if not keys:
        return []
    con.register("_ingest_keys", pa.table({"k": pa.array(sorted(set(keys)), pa.string())}))
    try:
        return con.sql(sql).to_arrow_table().to_pylist()
    finally:
        db._unregister(con, "_ingest_keys")


def _table(rows: list[dict[str, Any]], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({name: pa.array([r.get(name) for r in rows], t) for name, t in types.items()})


def _apply_result(doc: dict[str, Any], meta: dict[str, Any]) -> None:
    doc["status"] = _str(meta.get("status")) or NOT_EXTRACTED
    doc["reason"] = _str(meta.get("reason"))
    doc["template"] = _str(meta.get("template"))
    doc["report_year"] = parse_int(meta.get("report_year"))
    doc["agency"] = _str(meta.get("agency"))
    doc["published"] = parse_date(meta.get("published"))
    doc["title"] = _str(meta.get("title"))
    doc["format"] = _str(meta.get("format"))
    doc["layout"] = _str(meta.get("layout"))
    doc["extractor_version"] = _str(meta.get("extractor_version"))
    doc["cells_count"] = meta.get("cells_count")


def ingest(
    con,
    docs: list[dict[str, Any]],
    results: Results,
    *,
    portals: dict[str, dict[str, Any]],
    resolver: Resolver,
    run_id: str,
    portal_rows: list[dict[str, Any]] | None = None,
) -> IngestSummary:
    """Write `docs` (document records) and the reports they make into the warehouse (caller's transaction)."""
    summary = IngestSummary()
    new_ids = [d["document_id"] for d in docs]
    touched_candidates = sorted({d["report_id"] for d in docs if d["report_id"]})

    stored_docs = {
        r["document_id"]: r
        for r in _fetch_rows(
            con,
            "SELECT * FROM documents WHERE document_id IN (SELECT k FROM _ingest_keys) "
            "OR report_id IN (SELECT k FROM _ingest_keys)",
            new_ids + touched_candidates,
        )
    }
    stored_reports = {
        r["report_id"]: r
        for r in _fetch_rows(con, "SELECT * FROM reports WHERE report_id IN (SELECT k FROM _ingest_keys)",
                             touched_candidates)
    }
    known_portals = dict(portals)
    missing_portals = sorted({d["portal_id"] for d in docs if d["portal_id"] and d["portal_id"] not in portals})
    for r in _fetch_rows(con, "SELECT * FROM portals WHERE portal_id IN (SELECT k FROM _ingest_keys)",
                         missing_portals):
        known_portals[r["portal_id"]] = r

    # 1. Each document's extraction outcome.
    accepted: list[dict[str, Any]] = []
    used: set[int] = set()
    for doc in docs:
        old = stored_docs.get(doc["document_id"])
        if old is not None and old.get("fetched_at") and doc["fetched_at"] and old["fetched_at"] > doc["fetched_at"]:
            summary.documents_kept += 1
            continue
        doc["_idx"] = None
        doc["_reused"] = False
        if doc["role"] in EXTRACTABLE_ROLES:
            idx = results.find([doc["url"], doc["final_url"]], doc["sha256"])
            if idx is not None and doc["sha256"] is None and results.meta[idx].get("sha256"):
                idx = None
            if idx is not None:
                _apply_result(doc, results.meta[idx])
                doc["_idx"] = idx
                used.add(idx)
            elif doc["fetch_state"] not in FETCH_OK or not doc["sha256"]:
                doc["status"] = FETCH_FAILED
                doc["reason"] = "; ".join(x for x in (doc["fetch_state"] or "no body", doc["fetch_error"]) if x)
            elif (
                old is not None
                and old.get("sha256") == doc["sha256"]
                and old.get("status") not in (None, NOT_EXTRACTED, FETCH_FAILED)
            ):
                for f in EXTRACTION_FIELDS:  # same bytes as before: the earlier extraction still holds
                    doc[f] = old.get(f)
                doc["_reused"] = True
            else:
                doc["status"] = NOT_EXTRACTED
                doc["reason"] = "no extraction result for this document"
            if doc["status"]:
                summary.statuses[f"document:{doc['status']}"] += 1
        accepted.append(doc)
    summary.documents = len(accepted)
    summary.results_unused = len(results) - len(used)

    # 2. Group into reports: this run's documents, plus the warehouse's for the same report.
    by_report: dict[str, dict[str, dict[str, Any]]] = {}
    for old in stored_docs.values():
        if old.get("report_id") in touched_candidates:
            o = dict(old)
            o["_idx"] = None
            o["_reused"] = True
            by_report.setdefault(old["report_id"], {})[old["document_id"]] = o
    touched = set()
    for doc in accepted:
        if doc["report_id"]:
            by_report.setdefault(doc["report_id"], {})[doc["document_id"]] = doc
            touched.add(doc["report_id"])

    report_rows: list[dict[str, Any]] = []
    agencies: dict[str, Any] = {}
    # One result can serve several reports: the same file linked from two pages, or the same page listed by two
    # portals (same bytes, same sha256).
    idx_to_reports: dict[int, list[str]] = {}
    keep_cells: set[str] = set()

    for rid in sorted(touched):
        cands = list(by_report[rid].values())
        old_report = stored_reports.get(rid)

        def available(d: dict[str, Any]) -> bool:
            if d.get("status") != "ok":
                return False
            if d.get("_idx") is not None:
                return True
            return bool(
                d.get("_reused")
                and old_report is not None
                and old_report.get("status") == "ok"
                and old_report.get("document_id") == d["document_id"]
                and old_report.get("document_sha256") == d.get("sha256")
            )

        pages = sorted((d for d in cands if d["role"] == "report"),
                       key=lambda d: d.get("fetched_at") or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        page = pages[0] if pages else None
        chosen = None
        if page is not None and available(page):
            chosen = page
        else:
            atts = [d for d in cands if d["role"] == "attachment" and available(d)]
            if atts:
                atts.sort(key=lambda d: (-(d.get("cells_count") or 0), d["url"]))
                chosen = atts[0]
        if chosen is not None:
            speaker = chosen
            status, reason = "ok", chosen.get("reason")
        else:
            ranked = sorted(
                cands,
                key=lambda d: (
                    STATUS_RANK.get(d.get("status") if d.get("status") != "ok" else NOT_EXTRACTED, 4),
                    0 if d is page else 1,
                    d["url"],
                ),
            )
            speaker = ranked[0]
            status = speaker.get("status") or NOT_EXTRACTED
            reason = speaker.get("reason")
            if status == "ok":  # an ok document whose cells are not at hand
                status, reason = NOT_EXTRACTED, "extraction result not available; run nianbao reextract"

        order = [speaker] + ([page] if page is not None and page is not speaker else []) + [
            d for d in cands if d is not speaker and d is not page
        ]
        name = next((d.get("agency") for d in order if d.get("agency")), None)
        year = speaker.get("report_year") or next((d.get("report_year") for d in order if d.get("report_year")), None)
        titles = [page.get("link_title") if page else None] + [d.get("title") for d in order] + [
            d.get("link_title") for d in order
        ]
        if name is None or year is None:
            for t in titles:
                t_agency, t_year = parse_title(t)
                name = name or t_agency
                year = year or t_year
                if name and year:
                    break
        published = speaker.get("published") or next((d.get("published") for d in order if d.get("published")), None)
        if published is None and page is not None:
            published = page.get("list_date")

        portal_id = (page or speaker)["portal_id"]
        portal = known_portals.get(portal_id or "", {})
        agency = resolver.resolve(name, _str(portal.get("region_code")), _str(portal.get("name")))
        agencies.setdefault(agency.agency_id, agency)

        fetched = [d.get("fetched_at") for d in cands if d.get("fetched_at")]
        cells_count = checks_total = checks_failed = None
        if chosen is not None:
            if chosen.get("_idx") is not None:
                meta = results.meta[chosen["_idx"]]
                idx_to_reports.setdefault(chosen["_idx"], []).append(rid)
                cells_count, checks_total, checks_failed = meta["cells_total"], meta["checks_total"], meta["checks_failed"]
            else:
                keep_cells.add(rid)
                cells_count = old_report.get("cells_count")
                checks_total, checks_failed = old_report.get("checks_total"), old_report.get("checks_failed")
        report_rows.append(
            {
                "report_id": rid,
                "portal_id": portal_id,
                "agency_id": agency.agency_id,
                "agency": agency.name,
                "report_year": parse_int(year),
                "template": speaker.get("template"),
                "published": parse_date(published),
                "status": status,
                "reason": reason,
                "source_url": page["url"] if page is not None else (speaker.get("parent_url") or speaker["url"]),
                "document_url": speaker["url"],
                "document_id": speaker["document_id"],
                "document_sha256": speaker.get("sha256"),
                "title": speaker.get("title") or (page.get("link_title") if page else None) or speaker.get("link_title"),
                "format": speaker.get("format"),
                "extractor_version": speaker.get("extractor_version"),
                "cells_count": cells_count,
                "checks_total": checks_total,
                "checks_failed": checks_failed,
                "run_id": run_id,
                "fetched_at": (page.get("fetched_at") if page is not None else None) or (max(fetched) if fetched else None),
            }
        )
        summary.statuses[f"report:{status}"] += 1
        if status == "ok":
            summary.reports_ok += 1
        if old_report is not None:
            summary.reports_replaced += 1
        if speaker.get("extractor_version"):
            summary.extractor_versions.add(speaker["extractor_version"])
    summary.reports = len(report_rows)
    summary.agencies = len(agencies)

    # 3. Write: delete by key, insert from Arrow.
    db.delete_keys(con, "documents", "document_id", [d["document_id"] for d in accepted])
    db.insert_arrow(con, "documents", _table(accepted, DOCUMENT_TYPES))

    rebuilt = [r["report_id"] for r in report_rows if r["report_id"] not in keep_cells]
    db.delete_keys(con, "cells", "report_id", rebuilt)
    db.delete_keys(con, "checks", "report_id", rebuilt)
    if idx_to_reports:
        info = {r["report_id"]: (r["report_year"], r["template"]) for r in report_rows}
        rounds = max(len(v) for v in idx_to_reports.values())
        for k in range(rounds):  # round k: each result's k-th report
            mapping = {idx: rids[k] for idx, rids in idx_to_reports.items() if len(rids) > k}
            summary.cells += insert_result_cells(con, results, mapping, info)
            summary.checks += insert_result_checks(con, results, mapping)

    db.delete_keys(con, "reports", "report_id", [r["report_id"] for r in report_rows])
    db.insert_arrow(con, "reports", _table(report_rows, REPORT_TYPES))
    if keep_cells:  # cells kept from an earlier load: keep their copies of the report's year and template
        con.register("_kept", pa.table({"k": pa.array(sorted(keep_cells), pa.string())}))
        try:
            con.execute(
                "UPDATE cells SET report_year = r.report_year, template = r.template FROM reports r "
                "WHERE cells.report_id = r.report_id AND cells.report_id IN (SELECT k FROM _kept) "
                "AND (cells.report_year IS DISTINCT FROM r.report_year OR cells.template IS DISTINCT FROM r.template)"
            )
        finally:
            db._unregister(con, "_kept")

    agency_rows = [_agency_dict(a) for a in agencies.values()]
    db.delete_keys(con, "agencies", "agency_id", [a["agency_id"] for a in agency_rows])
    db.insert_arrow(con, "agencies", _table(agency_rows, AGENCY_TYPES))
    if stored_reports:  # an agency whose last report now resolves elsewhere goes
        con.execute("DELETE FROM agencies WHERE agency_id NOT IN (SELECT agency_id FROM reports "
                    "WHERE agency_id IS NOT NULL)")

    if portal_rows:
        db.delete_keys(con, "portals", "portal_id", [p["portal_id"] for p in portal_rows])
        db.insert_arrow(con, "portals", _table(portal_rows, PORTAL_TYPES))
        summary.portals = len(portal_rows)
    return summary


def _agency_dict(agency: Any) -> dict[str, Any]:
    if isinstance(agency, dict):
        return agency
    return {k: getattr(agency, k) for k in AGENCY_TYPES}


def _report_index(results: Results, idx_to_report: dict[int, str]) -> tuple[np.ndarray, list[str]]:
    """doc_idx → position in a sorted list of report ids (-1: the document's cells are not loaded)."""
    report_ids = sorted(set(idx_to_report.values()))
    pos = {rid: i for i, rid in enumerate(report_ids)}
    mapping = np.full(len(results), -1, dtype=np.int32)
    for idx, rid in idx_to_report.items():
        mapping[idx] = pos[rid]
    return mapping, report_ids


def _with_report(table: pa.Table, mapping: np.ndarray, report_ids: list[str],
                 extra: dict[str, pa.Array] | None = None) -> pa.Table:
    """Replace doc_idx by report_id (dictionary-encoded) and add per-report columns (`extra`, by position)."""
    doc_idx = table.column("doc_idx").to_numpy()
    rpos = mapping[doc_idx]
    keep = rpos >= 0
    if not keep.all():
        table = table.filter(pa.array(keep))
        rpos = rpos[keep]
    indices = pa.array(rpos, pa.int32())
    table = table.drop_columns(["doc_idx"]).add_column(
        0, "report_id", pa.DictionaryArray.from_arrays(indices, pa.array(report_ids, pa.string())))
    for name, values in (extra or {}).items():
        table = table.append_column(name, values.take(indices))
    return table


def insert_result_cells(con, results: Results, idx_to_report: dict[int, str],
                        report_info: dict[str, tuple[int | None, str | None]] | None = None) -> int:
    """Insert the cells of the documents in `idx_to_report`; report_info: report_id → (report_year, template)."""
    cells = results.cells_table()
    if cells.num_rows == 0:
        return 0
    mapping, report_ids = _report_index(results, idx_to_report)
    info = report_info or {}
    years = pa.array([info.get(r, (None, None))[0] for r in report_ids], pa.int32())
    templates = pa.array([info.get(r, (None, None))[1] for r in report_ids], pa.string())
    return insert_cells(con, _with_report(cells, mapping, report_ids,
                                          {"report_year": years, "template": templates}))


CELL_COLUMNS = ["report_id", "cell_key", "value", "raw_text", "unit", "report_year", "template"]


def insert_cells(con, table: pa.Table) -> int:
    """Bulk insert into `cells` from an Arrow table with CELL_COLUMNS (string columns may be dictionary-encoded)."""
    return db.insert_arrow(con, "cells", table, CELL_COLUMNS)


def insert_result_checks(con, results: Results, idx_to_report: dict[int, str]) -> int:
    checks = results.checks_table()
    if checks.num_rows == 0:
        return 0
    mapping, report_ids = _report_index(results, idx_to_report)
    return db.insert_arrow(con, "checks", _with_report(checks, mapping, report_ids))
