"""Writing an assembly: documents, reports, agencies, cells and checks replace their rows by key.

Used by the loader (documents from a crawl run's manifest, results from the extraction file) and by
re-extraction (documents from the warehouse, results from the extractor). `ingest()` reads the warehouse's rows of
the touched reports, lets warehouse.assemble decide every report (pure), and writes the outcome: delete by key,
then insert from Arrow, inside the caller's transaction.
"""
from __future__ import annotations

import operator
from typing import Any

import pyarrow as pa

from . import db
from .agencies import Resolver
from .assemble import (  # noqa: F401  (re-exported: the loader, re-extraction and tests import them from here)
    EXTRACTABLE_ROLES, EXTRACTION_FIELDS, FETCH_FAILED, FETCH_OK, NOT_EXTRACTED, STATUS_RANK, Assembly, Document,
    IngestSummary, PortalRef, Report, assemble, canonical_url, document_id_for, documents_from_manifest,
    parse_date, parse_int, parse_time, report_id_for, stable_id,
)
from .results import ColumnarResults

DOCUMENT_TYPES = {
    "document_id": pa.string(), "portal_id": pa.string(), "url": pa.string(), "final_url": pa.string(),
    "role": pa.string(), "parent_url": pa.string(), "listing_url": pa.string(), "link_title": pa.string(),
    "list_date": pa.date32(), "report_id": pa.string(), "run_id": pa.string(),
    "fetched_at": pa.timestamp("us", tz="UTC"), "http_status": pa.int32(), "content_type": pa.string(),
    "fetch_state": pa.string(), "fetch_error": pa.string(), "sha256": pa.string(), "size": pa.int64(),
    "detected_type": pa.string(), "status": pa.string(), "reason": pa.string(), "template": pa.string(),
    "report_year": pa.int32(), "agency": pa.string(), "published": pa.date32(), "title": pa.string(),
    "format": pa.string(), "layout": pa.string(), "extractor_version": pa.string(), "cells_count": pa.int32(),
    "verified": pa.bool_(), "unverified_reasons": pa.list_(pa.string()), "ocr_confidence_min": pa.float64(),
    "ocr_confidence_mean": pa.float64(),
}
REPORT_TYPES = {
    "report_key": pa.int32(),
    "report_id": pa.string(), "portal_id": pa.string(), "agency_id": pa.string(), "agency": pa.string(),
    "report_year": pa.int32(), "template": pa.string(), "published": pa.date32(), "status": pa.string(),
    "reason": pa.string(), "source_url": pa.string(), "document_url": pa.string(), "document_id": pa.string(),
    "document_sha256": pa.string(), "title": pa.string(), "format": pa.string(),
    "extractor_version": pa.string(), "cells_count": pa.int32(), "checks_total": pa.int32(),
    "checks_failed": pa.int32(), "run_id": pa.string(), "fetched_at": pa.timestamp("us", tz="UTC"),
    "verified": pa.bool_(), "unverified_reasons": pa.list_(pa.string()), "layout": pa.string(),
    "ocr_confidence_min": pa.float64(), "ocr_confidence_mean": pa.float64(), "agency_reason": pa.string(),
}
AGENCY_TYPES = {k: pa.string() for k in ("agency_id", "name", "normalized_name", "region_code", "province", "city",
                                         "county", "level", "resolved_by", "region_reason")}
PORTAL_TYPES = {k: pa.string() for k in ("portal_id", "name", "url", "platform", "region_code", "state", "counts",
                                         "run_id", "reason", "agency_id")}


def _fetch_rows(con, sql: str, keys: list[str]) -> list[dict[str, Any]]:
    if not keys:
        return []
    con.register("_ingest_keys", pa.table({"k": pa.array(sorted(set(keys)), pa.string())}))
    try:
        return con.sql(sql).to_arrow_table().to_pylist()
    finally:
        db._unregister(con, "_ingest_keys")


def _fetch_objects(con, sql: str, keys: list[str], cls) -> list[Any]:
    """Rows of `sql` (over the registered keys) as dataclass objects, read column by column (fast)."""
    if not keys:
        return []
    con.register("_ingest_keys", pa.table({"k": pa.array(sorted(set(keys)), pa.string())}))
    try:
        table = con.sql(sql).to_arrow_table()
    finally:
        db._unregister(con, "_ingest_keys")
    names = [n for n in table.column_names if n in cls.__dataclass_fields__]
    columns = [table.column(n).to_pylist() for n in names]
    return [cls(**dict(zip(names, values))) for values in zip(*columns)]


def _table(rows: list[dict[str, Any]], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({name: pa.array([r.get(name) for r in rows], t) for name, t in types.items()})


def _objects_table(objs: list[Any], types: dict[str, pa.DataType]) -> pa.Table:
    """Dataclass rows → an Arrow table (one C-level attrgetter call per row, then columns)."""
    names = list(types)
    if not objs:
        return pa.table({n: pa.array([], t) for n, t in types.items()})
    columns = zip(*map(operator.attrgetter(*names), objs))
    return pa.table({n: pa.array(col, types[n]) for n, col in zip(names, columns)})


def stored_rows(con, docs: list[Document], portals: dict[str, PortalRef]):
    """The warehouse's rows that an assembly of `docs` needs: (documents, reports, portals)."""
    new_ids = [d.document_id for d in docs]
    report_ids = sorted({d.report_id for d in docs if d.report_id})
    stored_documents = {
        d.document_id: d
        for d in _fetch_objects(con, "SELECT * FROM documents WHERE document_id IN (SELECT k FROM _ingest_keys) "
                                     "UNION ALL SELECT * FROM documents WHERE report_id IN (SELECT k FROM _ingest_keys) "
                                     "AND document_id NOT IN (SELECT k FROM _ingest_keys)",
                                new_ids + report_ids, Document)
    }
    stored_reports = {
        r.report_id: r
        for r in _fetch_objects(con, "SELECT * FROM reports WHERE report_id IN (SELECT k FROM _ingest_keys)",
                                report_ids, Report)
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
    results: ColumnarResults,
    *,
    portals: dict[str, PortalRef],
    resolver: Resolver,
    run_id: str,
) -> IngestSummary:
    """Assemble the reports of `docs` and write them into the warehouse (caller's transaction)."""
    stored_documents, stored_reports, known_portals = stored_rows(con, docs, portals)
    plan = assemble(docs, results, stored_documents=stored_documents, stored_reports=stored_reports,
                    portals=known_portals, resolver=resolver, run_id=run_id)
    write_assembly(con, plan, results, replaced_agencies=bool(stored_reports))
    return plan.summary


def write_assembly(con, plan: Assembly, results: ColumnarResults, *, replaced_agencies: bool = True) -> None:
    """Delete by key, insert: documents, cells and checks of rebuilt reports, reports, agencies.

    Cells and checks go straight from the extraction's Parquet files into the fact tables
    (`INSERT … SELECT … FROM read_parquet(…)` joined to a small map of result → report key), never through Python.
    """
    summary = plan.summary
    db.delete_keys(con, "documents", "document_id", [d.document_id for d in plan.documents])
    db.insert_arrow(con, "documents", _objects_table(plan.documents, DOCUMENT_TYPES))

    next_key = con.execute("SELECT coalesce(max(report_key), 0) + 1 FROM reports").fetchall()[0][0]
    for r in plan.reports:
        if r.report_key is None:
            r.report_key, next_key = next_key, next_key + 1
    by_id = {r.report_id: r for r in plan.reports}
    rebuilt = [by_id[rid].report_key for rid in plan.rebuilt]
    db.delete_keys(con, "cells", "report_key", rebuilt, pa.int32())
    db.delete_keys(con, "checks", "report_key", rebuilt, pa.int32())
    if plan.cell_sources:
        pairs = [(idx, by_id[rid]) for idx, rids in plan.cell_sources.items() for rid in rids]
        summary.cells += insert_cells(con, results.paths["cells"], pairs)
        summary.checks += insert_checks(con, results.paths["checks"], pairs)

    db.delete_keys(con, "reports", "report_id", [r.report_id for r in plan.reports])
    db.insert_arrow(con, "reports", _objects_table(plan.reports, REPORT_TYPES))
    if plan.kept_cells:  # cells kept from an earlier load: keep their copy of the report's year in step
        db.with_keys(con, [by_id[rid].report_key for rid in plan.kept_cells], pa.int32(), lambda keys: con.execute(
            "UPDATE cells SET report_year = r.report_year FROM reports r "
            f"WHERE cells.report_key = r.report_key AND cells.report_key IN (SELECT k FROM {keys}) "
            "AND cells.report_year IS DISTINCT FROM r.report_year"))

    agency_rows = [_agency_dict(a) for a in plan.agencies]
    db.delete_keys(con, "agencies", "agency_id", [a["agency_id"] for a in agency_rows])
    db.insert_arrow(con, "agencies", _table(agency_rows, AGENCY_TYPES))
    if replaced_agencies:  # an agency whose last report now resolves elsewhere goes (unless a portal's own)
        con.execute("DELETE FROM agencies WHERE agency_id NOT IN (SELECT agency_id FROM reports "
                    "WHERE agency_id IS NOT NULL) AND agency_id NOT IN (SELECT agency_id FROM portals "
                    "WHERE agency_id IS NOT NULL)")


def _agency_dict(agency: Any) -> dict[str, Any]:
    if isinstance(agency, dict):
        return agency
    return {k: getattr(agency, k) for k in AGENCY_TYPES}


def _result_map(pairs: list[tuple[int, Report]]) -> pa.Table:
    """doc_idx → report_key (and the report's year): a result serving two reports appears twice."""
    return pa.table({
        "doc_idx": pa.array([i for i, _ in pairs], pa.int32()),
        "report_key": pa.array([r.report_key for _, r in pairs], pa.int32()),
        "report_year": pa.array([r.report_year for _, r in pairs], pa.int32()),
    })


def _money_ids() -> str:
    t = db.cell_dictionary_table()
    ids = [i for i, vt in zip(t.column("cell_id").to_pylist(), t.column("value_type").to_pylist()) if vt == "money"]
    return ", ".join(str(i) for i in ids)


WHOLE = "(c.value = trunc(c.value) AND abs(c.value) < 9007199254740992)"


def insert_cells(con, path, pairs: list[tuple[int, Report]]) -> int:
    """Insert the cells of the results in `pairs` from a columnar cells file; returns the rows inserted.

    A count goes to `value` (BIGINT), a money cell (and a count printed with a fraction) to `amount` (DECIMAL);
    cells whose key is not in cells.csv have no cell_id and stay out (their result carries a failed
    `contract.unknown_cell_keys` check).
    """
    money = _money_ids()
    con.register("_result_map", _result_map(pairs))
    try:
        return con.execute(f"""
            INSERT INTO cells (report_key, cell_id, value, amount, raw_text, unit, report_year)
            SELECT m.report_key, c.cell_id,
                   CASE WHEN c.cell_id NOT IN ({money}) AND {WHOLE} THEN CAST(c.value AS BIGINT) END,
                   CASE WHEN c.cell_id IN ({money}) OR NOT {WHOLE} THEN TRY_CAST(c.value AS DECIMAL(38,4)) END,
                   c.raw_text, c.unit, m.report_year
            FROM read_parquet({db.sql_literal(path)}) c
            JOIN _result_map m ON m.doc_idx = c.doc_idx
            WHERE c.cell_id IS NOT NULL""").fetchall()[0][0]
    finally:
        db._unregister(con, "_result_map")


def insert_checks(con, path, pairs: list[tuple[int, Report]]) -> int:
    con.register("_result_map", _result_map(pairs))
    try:
        return con.execute(f"""
            INSERT INTO checks (report_key, rule, ok, detail)
            SELECT m.report_key, k.rule, k.ok, k.detail
            FROM read_parquet({db.sql_literal(path)}) k
            JOIN _result_map m ON m.doc_idx = k.doc_idx""").fetchall()[0][0]
    finally:
        db._unregister(con, "_result_map")
