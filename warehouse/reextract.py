"""Rebuilding cells from the stored raw documents, without crawling.

    reextract(data_dir, extract_fn=None, *, force=False, version=None, workers=1) -> ReextractSummary

For every report/attachment document in the warehouse whose body is in DATA_DIR/raw/<sha[:2]>/<sha>, and
whose extractor_version differs from the current one (or every one with `force`), the document is
extracted again with `extract_fn(data, source, url=url)` (default `extract.pipeline.extract_bytes`) and its
report's documents, cells and checks are replaced. A report is always re-extracted whole (page and
attachments), so the choice between page and attachment is made again. Published atomically like a load.
"""
from __future__ import annotations

import importlib
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any, Callable

from nianbao.errors import UserError

from . import paths, publish
from .agencies import default_resolver
from .ingest import EXTRACTABLE_ROLES, FETCH_OK, IngestSummary, ingest
from .load import record_run
from .results import Results

BATCH_REPORTS = 500


@dataclass
class ReextractSummary:
    run_id: str
    version: str | None = None
    skipped: bool = False  # nothing to re-extract: the warehouse was left as it was
    documents_in_warehouse: int = 0
    documents_extracted: int = 0
    documents_missing_raw: int = 0  # body not in DATA_DIR/raw: the earlier extraction is kept
    extractor_errors: int = 0  # the extractor raised: recorded as status unreadable
    reports: int = 0
    reports_ok: int = 0
    cells: int = 0
    checks: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_extract_fn() -> Callable[..., Any]:
    try:
        module = importlib.import_module("extract.pipeline")
    except ModuleNotFoundError as exc:
        raise UserError(f"the extractor is not available ({exc}); pass extract_fn") from None
    fn = getattr(module, "extract_bytes", None)
    if fn is None:
        raise UserError("extract.pipeline has no extract_bytes")
    return fn


def current_version(extract_fn: Callable[..., Any] | None, default: bool = False) -> str | None:
    """The extractor's version when it says so without extracting anything (else None: one document is probed).

    An `extract_fn` may carry an `extractor_version` attribute; the default extractor may publish
    `EXTRACTOR_VERSION` in extract.pipeline or extract.
    """
    v = getattr(extract_fn, "extractor_version", None) or getattr(extract_fn, "EXTRACTOR_VERSION", None)
    if v:
        return str(v)
    if default:
        for modname in ("extract.pipeline", "extract"):
            try:
                module = importlib.import_module(modname)
            except ImportError:
                continue
            for attr in ("EXTRACTOR_VERSION", "extractor_version"):
                v = getattr(module, attr, None)
                if isinstance(v, str) and v:
                    return v
    return None


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return dict(result)
    if hasattr(result, "to_dict"):
        return result.to_dict()
    raise TypeError(f"extract_fn returned {type(result).__name__}, expected ExtractResult or dict")


def _extract_one(extract_fn, data_dir: Path, doc: dict[str, Any], version: str | None) -> tuple[dict | None, str]:
    raw = paths.raw_path(data_dir, doc["sha256"])
    try:
        data = raw.read_bytes()
    except FileNotFoundError:
        return None, "missing"
    try:
        result = _as_dict(extract_fn(data, str(raw), url=doc["url"]))
        outcome = "ok"
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop the rebuild
        result = {"status": "unreadable", "reason": f"extractor error: {type(exc).__name__}: {exc}"[:500],
                  "extractor_version": version}
        outcome = "error"
    result["url"] = doc["url"]
    result["sha256"] = doc["sha256"]
    return result, outcome


def reextract(
    data_dir: Path,
    extract_fn: Callable[..., Any] | None = None,
    *,
    force: bool = False,
    version: str | None = None,
    workers: int = 1,
    wait: float = 0.0,
    compact: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ReextractSummary:
    """Re-extract stored documents whose extractor version differs (all with `force`) and publish.

    `workers` > 1 extracts in that many processes (`extract_fn` must then be a module-level function).
    `compact` writes the new warehouse table by table, so the space of the replaced cells is given back.
    """
    t0 = time.perf_counter()
    data_dir = Path(data_dir)
    if not paths.published_path(data_dir).exists():
        raise UserError(f"no warehouse at {paths.published_path(data_dir)}; run nianbao load first")
    fn = extract_fn or default_extract_fn()
    version = version or current_version(fn, default=extract_fn is None)
    run_id = "reextract-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    summary = ReextractSummary(run_id=run_id, version=version)
    total = IngestSummary()

    with publish.writer(data_dir, wait=wait, compact=compact) as w:
        con = w.con
        roles = ", ".join(f"'{r}'" for r in EXTRACTABLE_ROLES)
        states = ", ".join(f"'{s}'" for s in FETCH_OK)
        docs = con.sql(
            f"SELECT * FROM documents WHERE role IN ({roles}) AND fetch_state IN ({states}) "
            "AND sha256 IS NOT NULL AND report_id IS NOT NULL ORDER BY report_id, document_id"
        ).to_arrow_table().to_pylist()
        summary.documents_in_warehouse = len(docs)
        by_report: dict[str, list[dict[str, Any]]] = {}
        for d in docs:
            by_report.setdefault(d["report_id"], []).append(d)

        pending = list(by_report)
        cache: dict[str, tuple[dict | None, str]] = {}
        if version is None and docs and not force:
            # Ask the extractor by extracting one document (the first whose raw body is still there).
            for probe in docs:
                cache[probe["document_id"]] = _extract_one(fn, data_dir, probe, None)
                if cache[probe["document_id"]][0] is not None:
                    version = cache[probe["document_id"]][0].get("extractor_version")
                    break
            summary.version = version
        if not force:
            pending = [
                rid for rid in pending
                if any(d.get("extractor_version") != version or d.get("status") in (None, "not_extracted")
                       for d in by_report[rid])
            ]
        todo = sum(len(by_report[rid]) for rid in pending)
        if not pending:
            w.discard()
            summary.skipped = True
            summary.seconds = time.perf_counter() - t0
            return summary

        con.execute("BEGIN TRANSACTION")
        done = 0
        pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
        try:
            for start in range(0, len(pending), BATCH_REPORTS):
                batch_in = [d for rid in pending[start:start + BATCH_REPORTS] for d in by_report[rid]]
                todo_docs = [d for d in batch_in if d["document_id"] not in cache]
                if pool is not None:
                    outs = pool.map(partial(_extract_one, fn, data_dir, version=version), todo_docs, chunksize=4)
                else:
                    outs = (_extract_one(fn, data_dir, d, version) for d in todo_docs)
                for d, out in zip(todo_docs, outs):
                    cache[d["document_id"]] = out
                done = _ingest_batch(con, batch_in, cache, summary, total, run_id, done, todo, progress)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
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


def _ingest_batch(con, batch_in, cache, summary, total, run_id, done, todo, progress) -> int:
    """Feed one batch of extracted documents (results in `cache`) to ingest."""
    results = Results()
    batch_docs = []
    for d in batch_in:
        result, outcome = cache.pop(d["document_id"])
        done += 1
        doc = dict(d)
        if outcome == "missing":
            summary.documents_missing_raw += 1  # ingest keeps the earlier extraction of the same bytes
        else:
            summary.documents_extracted += 1
            if outcome == "error":
                summary.extractor_errors += 1
            results.add(result)
            for f in ("status", "reason", "template", "report_year", "agency", "published", "title", "format",
                      "layout", "extractor_version", "cells_count"):
                doc[f] = None
        batch_docs.append(doc)
        if progress:
            progress(done, todo)
    total.add(ingest(con, batch_docs, results, portals={}, resolver=default_resolver(), run_id=run_id))
    return done
