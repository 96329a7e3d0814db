"""Rebuilding reports from the stored raw documents, without crawling: which reports are stale, and their load.

    reextract(data_dir, version, extract_docs, *, force=False) -> ReextractSummary

Every report/attachment document in the warehouse whose extractor_version differs from `version` (or every one
with `force`) is stale; its report is re-extracted whole (page and attachments, so the choice between them is
made again), and its documents, cells and checks are replaced, published atomically like a load.

The extraction itself is not done here: `extract_docs(docs) -> results` is handed in by the flow
(flows/stages.reextract), which runs it in the same process pool, memory cap, crash isolation and cache as the
nightly extract stage. A result marked `"raw_problem": "missing" | "corrupt"` (the stored body is gone, or no
longer matches its sha256) keeps the document's earlier extraction, and is counted.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core import layout
from core.errors import UserError

from . import publish
from .agencies import default_resolver
from .ingest import EXTRACTABLE_ROLES, FETCH_OK, Document, IngestSummary, ingest
from .load import record_run
from .results import ColumnarResults

BATCH_REPORTS = 500

# docs (dicts with document_id, sha256, url, …) -> one result dict per doc, in order
ExtractDocs = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@dataclass
class ReextractSummary:
    run_id: str
    version: str | None = None
    skipped: bool = False  # nothing to re-extract: the warehouse was left as it was
    documents_in_warehouse: int = 0
    documents_extracted: int = 0
    documents_missing_raw: int = 0  # body not in DATA_DIR/raw: the earlier extraction is kept
    documents_corrupt_raw: int = 0  # body no longer matches its sha256: refused, the earlier extraction is kept
    reports: int = 0
    reports_ok: int = 0
    cells: int = 0
    checks: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def stale_reports(con, version: str, force: bool = False) -> dict[str, list[dict[str, Any]]]:
    """The warehouse's extractable documents of every report that needs re-extraction, by report."""
    roles = ", ".join(f"'{r}'" for r in EXTRACTABLE_ROLES)
    states = ", ".join(f"'{s}'" for s in FETCH_OK)
    docs = con.sql(
        f"SELECT * FROM documents WHERE role IN ({roles}) AND fetch_state IN ({states}) "
        "AND sha256 IS NOT NULL AND report_id IS NOT NULL ORDER BY report_id, document_id"
    ).to_arrow_table().to_pylist()
    by_report: dict[str, list[dict[str, Any]]] = {}
    for d in docs:
        by_report.setdefault(d["report_id"], []).append(d)
    if force:
        return by_report
    return {rid: ds for rid, ds in by_report.items()
            if any(d.get("extractor_version") != version or d.get("status") in (None, "not_extracted") for d in ds)}


def reextract(
    data_dir: Path,
    version: str,
    extract_docs: ExtractDocs,
    *,
    force: bool = False,
    wait: float = 0.0,
    compact: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ReextractSummary:
    """Re-extract the stale reports (all with `force`) with `extract_docs` and publish.

    `compact` writes the new warehouse table by table, so the space of the replaced cells is given back.
    """
    t0 = time.perf_counter()
    data_dir = Path(data_dir)
    if not layout.published_path(data_dir).exists():
        raise UserError(f"no warehouse at {layout.published_path(data_dir)}; run nianbao load first")
    run_id = "reextract-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    summary = ReextractSummary(run_id=run_id, version=version)
    total = IngestSummary()

    with publish.writer(data_dir, wait=wait, compact=compact) as w:
        con = w.con
        summary.documents_in_warehouse = con.execute(
            "SELECT count(*) FROM documents WHERE sha256 IS NOT NULL AND report_id IS NOT NULL").fetchall()[0][0]
        by_report = stale_reports(con, version, force)
        pending = list(by_report)
        todo = sum(len(ds) for ds in by_report.values())
        if not pending:
            w.discard()
            summary.skipped = True
            summary.seconds = time.perf_counter() - t0
            return summary

        con.execute("BEGIN TRANSACTION")
        done = 0
        for start in range(0, len(pending), BATCH_REPORTS):
            batch_docs = [d for rid in pending[start:start + BATCH_REPORTS] for d in by_report[rid]]
            results = extract_docs(batch_docs)
            if len(results) != len(batch_docs):
                raise RuntimeError(f"the extractor returned {len(results)} results for {len(batch_docs)} documents")
            done = _ingest_batch(con, data_dir, batch_docs, results, summary, total, run_id, done, todo, progress)
        record_run(con, {
            "run_id": run_id, "kind": "reextract", "loaded_at": datetime.now(timezone.utc),
            "load_seconds": time.perf_counter() - t0, "documents": summary.documents_extracted,
            "reports": total.reports, "reports_ok": total.reports_ok, "cells": total.cells, "checks": total.checks,
            "agencies": total.agencies, "extractor_versions": version,
        })
        con.execute("COMMIT")

    summary.reports, summary.reports_ok = total.reports, total.reports_ok
    summary.cells, summary.checks = total.cells, total.checks
    summary.statuses = dict(sorted(total.statuses.items()))
    summary.seconds = time.perf_counter() - t0
    return summary


def _ingest_batch(con, data_dir, batch_docs, batch_results, summary, total, run_id, done, todo, progress) -> int:
    """Feed one batch of extracted documents to ingest; a document whose raw body is missing or corrupt keeps
    its earlier extraction (ingest keeps what is stored for a document without a new result)."""
    fresh: list[dict[str, Any]] = []
    docs = []
    for d, result in zip(batch_docs, batch_results):
        done += 1
        doc = Document.from_row(d)
        problem = result.get("raw_problem")
        if problem == "missing":
            summary.documents_missing_raw += 1
        elif problem == "corrupt":
            summary.documents_corrupt_raw += 1
        else:
            summary.documents_extracted += 1
            result = dict(result)
            result["url"], result["sha256"] = d["url"], d["sha256"]
            fresh.append(result)
            doc.set_outcome(None)
        docs.append(doc)
        if progress:
            progress(done, todo)
    results = ColumnarResults.from_dicts(fresh)  # in the system temp dir, removed after the batch
    try:
        total.add(ingest(con, docs, results, portals={}, resolver=default_resolver(), run_id=run_id))
    finally:
        results.close()
    return done
