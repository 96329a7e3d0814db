"""Writing an assembly: documents, reports, agencies, cells and checks replace their rows by key.

Used by the loader (documents from a crawl run's manifest, results from the extraction file) and by
re-extraction (documents from the warehouse, results from the extractor). `ingest()` reads the warehouse's rows of
the touched reports, lets warehouse.assemble decide every report (pure), and writes the outcome: delete by key,
then insert from Arrow, inside the caller's transaction.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from . import db
from .agencies import Resolver
from .assemble import (  # noqa: F401  (re-exported: the loader, re-extraction and tests import them from here)
    EXTRACTABLE_ROLES, EXTRACTION_FIELDS, FETCH_FAILED, FETCH_OK, NOT_EXTRACTED, STATUS_RANK, Assembly, Document,
    IngestSummary, PortalRef, Report, assemble, canonical_url, document_id_for, documents_from_manifest,
    parse_date, parse_int, parse_time, report_id_for, stable_id,
)
from .results import Results

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


def stored_rows(con, docs: list[Document], portals: dict[str, PortalRef]):
    """The warehouse's rows that an assembly of `docs` needs: (documents, reports, portals)."""
    new_ids = [d.document_id for d in docs]
    report_ids = sorted({d.report_id for d in docs if d.report_id})
    stored_documents = {
        r["document_id"]: Document.from_row(r)
        for r in _fetch_rows(con, "SELECT * FROM documents WHERE document_id IN (SELECT k FROM _ingest_keys) "
                                  "OR report_id IN (SELECT k FROM _ingest_keys)", new_ids + report_ids)
    }
    stored_reports = {
        r["report_id"]: Report.from_row(r)
        for r in _fetch_rows(con, "SELECT * FROM reports WHERE report_id IN (SELECT k FROM _ingest_keys)",
                             report_ids)
    }
    known = dict(portals)
    missing = sorted({d.portal_id for d in docs if d.portal_id and d.portal_id not in portals})
    for r in _fetch_rows(con, "SELECT portal_id, name, region_code FROM portals "
                              "WHERE portal_id IN (SELECT k FROM _ingest_keys)", missing):
        known[r["portal_id"]] = PortalRef(r["portal_id"], r["name"], r["region_code"])
    return stored_documents, stored_reports, known


def ingest(
    con,
    docs: list[Document],
    results: Results,
    *,
    portals: dict[str, PortalRef],
    resolver: Resolver,
    run_id: str,
    portal_rows: list[dict[str, Any]] | None = None,
) -> IngestSummary:
    """Assemble the reports of `docs` and write them into the warehouse (caller's transaction)."""
    stored_documents, stored_reports, known_portals = stored_rows(con, docs, portals)
    plan = assemble(docs, results, stored_documents=stored_documents, stored_reports=stored_reports,
                    portals=known_portals, resolver=resolver, run_id=run_id)
    write_assembly(con, plan, results, replaced_agencies=bool(stored_reports))
    if portal_rows:
        db.delete_keys(con, "portals", "portal_id", [p["portal_id"] for p in portal_rows])
        db.insert_arrow(con, "portals", _table(portal_rows, PORTAL_TYPES))
        plan.summary.portals = len(portal_rows)
    return plan.summary


def write_assembly(con, plan: Assembly, results: Results, *, replaced_agencies: bool = True) -> None:
    """Delete by key, insert from Arrow: documents, cells and checks of rebuilt reports, reports, agencies."""
    summary = plan.summary
    db.delete_keys(con, "documents", "document_id", [d.document_id for d in plan.documents])
    db.insert_arrow(con, "documents", _table([d.to_row() for d in plan.documents], DOCUMENT_TYPES))

    db.delete_keys(con, "cells", "report_id", plan.rebuilt)
    db.delete_keys(con, "checks", "report_id", plan.rebuilt)
    if plan.cell_sources:
        info = {r.report_id: (r.report_year, r.template) for r in plan.reports}
        rounds = max(len(v) for v in plan.cell_sources.values())
        for k in range(rounds):  # round k: each result's k-th report
            mapping = {idx: rids[k] for idx, rids in plan.cell_sources.items() if len(rids) > k}
            summary.cells += insert_result_cells(con, results, mapping, info)
            summary.checks += insert_result_checks(con, results, mapping)

    db.delete_keys(con, "reports", "report_id", [r.report_id for r in plan.reports])
    db.insert_arrow(con, "reports", _table([r.to_row() for r in plan.reports], REPORT_TYPES))
    if plan.kept_cells:  # cells kept from an earlier load: keep their copies of the report's year and template
        con.register("_kept", pa.table({"k": pa.array(sorted(plan.kept_cells), pa.string())}))
        try:
            con.execute(
                "UPDATE cells SET report_year = r.report_year, template = r.template FROM reports r "
                "WHERE cells.report_id = r.report_id AND cells.report_id IN (SELECT k FROM _kept) "
                "AND (cells.report_year IS DISTINCT FROM r.report_year OR cells.template IS DISTINCT FROM r.template)"
            )
        finally:
            db._unregister(con, "_kept")

    agency_rows = [_agency_dict(a) for a in plan.agencies]
    db.delete_keys(con, "agencies", "agency_id", [a["agency_id"] for a in agency_rows])
    db.insert_arrow(con, "agencies", _table(agency_rows, AGENCY_TYPES))
    if replaced_agencies:  # an agency whose last report now resolves elsewhere goes
        con.execute("DELETE FROM agencies WHERE agency_id NOT IN (SELECT agency_id FROM reports "
                    "WHERE agency_id IS NOT NULL)")


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
