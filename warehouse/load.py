"""Loading a crawl run and its extraction results into the warehouse.

    load_run(data_dir, run_dir, extracted) -> LoadSummary

`run_dir` is DATA_DIR/runs/RUN_ID (manifest.jsonl, portals.jsonl, run.json; docs/CONTRACTS.md); `extracted`
is a JSON Lines file with one `ExtractResult.to_dict()` per document (`url` and `sha256` set). One writer
loads both into a copy of the published warehouse and swaps it in (warehouse.publish). Loading the same
inputs twice changes nothing (the second load is skipped; `force=True` reloads, with the same result).
"""
from __future__ import annotations

import hashlib
import json
import operator
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa

from core import layout
from core.errors import UserError
from core.records import PortalRecord, read_portals

from . import db, publish, unpublished
from .agencies import default_resolver
from .assemble import EXTRACTION_FIELDS, FETCH_OK, Assembly, Document, IngestSummary, PortalRef, Report, assemble
from .ingest import AGENCY_TYPES, PORTAL_TYPES, _agency_dict, _fetch_rows, _table, documents_from_manifest, parse_time, stored_rows, write_assembly
from . import results as results_mod
from .results import ColumnarResults

# NOTHING_NEW: a run that brings no new bytes, no new extraction outcome, no changed report and no changed portal
# state (an incremental night in which every page answered 304 or the same sha256) does not republish the
# warehouse: rebuilding and swapping a national file for nothing costs minutes and makes every reader reconnect.
# What differs is only bookkeeping (when each page was last fetched, the run's counters); the run is kept in
# warehouse/unpublished_runs.jsonl and written into `runs` (and `portal_runs`) with the next load that publishes.
DOCUMENT_CONTENT = ("sha256", "role", "parent_url", "report_id", "portal_id") + EXTRACTION_FIELDS
REPORT_CONTENT = tuple(c for c in Report.COLUMNS if c not in ("run_id", "fetched_at", "report_key"))
PORTAL_CONTENT = ("name", "url", "platform", "region_code", "state", "reports")  # a changed count is news

PAUSE_HOOK_ENV = "NIANBAO_TEST_LOAD_PAUSE"  # tests: touch this path and sleep inside the load's transaction

RUN_TYPES = {
    "run_id": pa.string(), "kind": pa.string(), "started_at": pa.timestamp("us", tz="UTC"),
    "finished_at": pa.timestamp("us", tz="UTC"), "sources": pa.string(), "options": pa.string(),
    "run_json": pa.string(), "extracted_file": pa.string(), "input_sha256": pa.string(),
    "loaded_at": pa.timestamp("us", tz="UTC"), "load_seconds": pa.float64(), "manifest_rows": pa.int64(),
    "documents": pa.int64(), "reports": pa.int64(), "reports_ok": pa.int64(), "documents_kept": pa.int64(),
    "cells": pa.int64(), "checks": pa.int64(), "agencies": pa.int64(), "portals": pa.int64(),
    "extractor_versions": pa.string(),
}


@dataclass
class LoadSummary:
    run_id: str
    skipped: bool = False  # nothing published: the same inputs were loaded before, or nothing new (unchanged)
    unchanged: bool = False  # the run brought nothing new: not republished, recorded with the next publish
    manifest_rows: int = 0
    results: int = 0  # extraction results read
    results_unused: int = 0  # results that matched no document of the run (by URL and sha256)
    documents: int = 0
    documents_kept: int = 0
    reports: int = 0
    reports_ok: int = 0
    reports_replaced: int = 0
    cells: int = 0
    checks: int = 0
    agencies: int = 0
    portals: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    extractor_versions: list[str] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # wall seconds: read, assemble, copy, write, publish
    warehouse: str = ""

    @property
    def cells_per_second(self) -> float:
        return self.cells / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["cells_per_second"] = self.cells_per_second
        return d


def input_digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0")
        if not f.exists():
            h.update(b"-\0")
            continue
        h.update(str(f.stat().st_size).encode() + b"\0")
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def portal_rows(portals: list[PortalRecord], run_id: str) -> list[dict[str, Any]]:
    """The `portals` table's rows for a run's portal records (plus the fields `portal_runs` keeps)."""
    return [{
        "portal_id": p.id, "name": p.name, "url": p.url, "platform": p.platform,
        "region_code": str(p.region_code) if p.region_code not in (None, "") else None, "state": p.state,
        "counts": json.dumps(p.counts, ensure_ascii=False, sort_keys=True), "run_id": run_id,
        "reason": p.error, "reports": _count(p.counts, "reports"), "pages": _count(p.counts, "pages"),
        "started_at": p.started_at, "finished_at": p.finished_at,
    } for p in portals]


def _count(counts: dict[str, Any], name: str) -> int | None:
    v = (counts or {}).get(name)
    try:
        return int(v) if v is not None else None
    except (TypeError, ValueError):
        return None


PORTAL_RUN_TYPES = {
    "run_id": pa.string(), "portal_id": pa.string(), "name": pa.string(), "url": pa.string(),
    "platform": pa.string(), "region_code": pa.string(), "state": pa.string(), "reason": pa.string(),
    "reports": pa.int64(), "pages": pa.int64(), "counts": pa.string(),
    "started_at": pa.timestamp("us", tz="UTC"), "finished_at": pa.timestamp("us", tz="UTC"),
}


def record_portal_runs(con, portals: list[dict[str, Any]], run_id: str) -> None:
    """Each portal's state in this run (history: one row per run and portal)."""
    con.execute("DELETE FROM portal_runs WHERE run_id = ?", [run_id])
    rows = [dict(p, run_id=run_id, started_at=parse_time(p.get("started_at")),
                 finished_at=parse_time(p.get("finished_at"))) for p in portals]
    if rows:
        db.insert_arrow(con, "portal_runs", _table(rows, PORTAL_RUN_TYPES))


def _pause_hook() -> None:
    hook = os.environ.get(PAUSE_HOOK_ENV)
    if hook:
        Path(hook).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("NIANBAO_TEST_LOAD_PAUSE_SECONDS", "60")))


def record_run(con, row: dict[str, Any]) -> None:
    con.execute("DELETE FROM runs WHERE run_id = ?", [row["run_id"]])
    db.insert_arrow(con, "runs", pa.table({k: pa.array([row.get(k)], t) for k, t in RUN_TYPES.items()}))


def _unchanged(plan: Assembly, stored_documents: dict[str, Document], stored_reports: dict[str, Report],
               portals: list[dict[str, Any]], stored_portals: dict[str, dict[str, Any]]) -> bool:
    """True when writing `plan` would change nothing but bookkeeping (see NOTHING_NEW in the module docstring)."""
    doc_content, report_content = operator.attrgetter(*DOCUMENT_CONTENT), operator.attrgetter(*REPORT_CONTENT)
    for d in plan.documents:
        old = stored_documents.get(d.document_id)
        if old is None or doc_content(d) != doc_content(old):
            return False
        if (d.fetch_state in FETCH_OK) != (old.fetch_state in FETCH_OK):
            return False
    for r in plan.reports:
        old = stored_reports.get(r.report_id)
        if old is None or report_content(r) != report_content(old):
            return False
    for p in portals:
        old = stored_portals.get(p["portal_id"])
        if old is None or any(p.get(f) != old.get(f) for f in PORTAL_CONTENT):
            return False
    return True


def load_run(
    data_dir: Path,
    run_dir: Path,
    extracted: Path,
    *,
    force: bool = False,
    wait: float = 0.0,
    compact: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadSummary:
    """Load one crawl run and its extraction results; publish the new warehouse atomically."""
    t0 = time.perf_counter()
    say = progress or (lambda msg: None)
    phases: dict[str, float] = {}
    mark = [t0]

    def lap(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(phases.get(name, 0.0) + now - mark[0], 4)
        mark[0] = now

    data_dir, run_dir, extracted = Path(data_dir), Path(run_dir), Path(extracted)
    if not layout.is_run_dir(run_dir):  # its own manifest.jsonl or its crawl shards'
        raise UserError(f"{run_dir} is not a run directory (no manifest.jsonl)")
    if not extracted.is_file():
        raise UserError(f"extraction results not found: {extracted}")
    run_json_path = run_dir / layout.RUN_FILE
    try:
        run_info = json.loads(run_json_path.read_text(encoding="utf-8")) if run_json_path.exists() else {}
    except json.JSONDecodeError as exc:
        raise UserError(f"{run_json_path}: not valid JSON ({exc.msg})") from None
    run_id = str(run_info.get("run_id") or run_info.get("id") or run_dir.name)

    say("reading the manifest")
    try:
        # the ManifestRow fields, read fast (orjson); a crawl sharded by host has one manifest per shard
        manifest_paths = layout.run_files(run_dir, layout.MANIFEST_FILE)
        manifest = [row for path in manifest_paths for row in results_mod.read_jsonl(path)]
        portal_records = read_portals(run_dir)
    except json.JSONDecodeError as exc:
        raise UserError(f"{run_dir}: a run file is not valid JSON Lines ({exc.msg})") from None
    portals = portal_rows(portal_records, run_id)
    portal_refs = {p["portal_id"]: PortalRef(p["portal_id"], p["name"], p["region_code"]) for p in portals}
    say("reading the extraction results")
    results = ColumnarResults.for_jsonl(extracted)
    try:
        digest = input_digest([*manifest_paths, *layout.run_files(run_dir, layout.PORTALS_FILE), run_json_path]
                              + [results.paths[p] for p in layout.COLUMNAR_PARTS])
        docs = documents_from_manifest(manifest, run_id)
        summary = LoadSummary(run_id=run_id, manifest_rows=len(manifest), results=len(results),
                              warehouse=str(layout.published_path(data_dir)), phases=phases)
        lap("read")
        run_row = {
            "run_id": run_id, "kind": "load",
            "started_at": parse_time(run_info.get("started_at")),
            "finished_at": parse_time(run_info.get("finished_at")),
            "sources": _as_text(run_info.get("sources") or run_info.get("sources_file")),
            "options": json.dumps(run_info.get("options"), ensure_ascii=False, sort_keys=True)
            if run_info.get("options") is not None else None,
            "run_json": json.dumps(run_info, ensure_ascii=False, sort_keys=True),
            "extracted_file": str(extracted), "input_sha256": digest, "manifest_rows": len(manifest),
        }
        with publish.writer_lock(data_dir, wait=wait):
            plan = None
            published = layout.published_path(data_dir)
            if published.exists() and not force:
                say("comparing with the warehouse")
                ro = db.connect(published, read_only=True)
                try:
                    current = _schema_version(ro) == db.SCHEMA_VERSION
                    if _loaded_before(ro, data_dir, run_id, digest):
                        summary.skipped = True
                    elif current:
                        stored_documents, stored_reports, known = stored_rows(ro, docs, portal_refs)
                        plan = assemble(docs, results, stored_documents=stored_documents,
                                        stored_reports=stored_reports, portals=known, resolver=default_resolver(),
                                        run_id=run_id)
                        lap("assemble")
                        if _unchanged(plan, stored_documents, stored_reports, portals, _stored_portals(ro, portals)):
                            summary.skipped = summary.unchanged = True
                            _fill(summary, plan.summary)
                            run_row.update(_run_counts(plan.summary, 0.0))
                            unpublished.add(data_dir, run_row, portals)
                        replaced_agencies = bool(stored_reports)
                finally:
                    ro.close()
                if summary.skipped:
                    summary.seconds = time.perf_counter() - t0
                    return summary
            say("loading")
            with publish.build(data_dir, compact=compact) as w:
                con = w.con
                lap("copy")
                t_load = time.perf_counter()
                con.execute("BEGIN TRANSACTION")
                if plan is None:
                    stored_documents, stored_reports, known = stored_rows(con, docs, portal_refs)
                    plan = assemble(docs, results, stored_documents=stored_documents, stored_reports=stored_reports,
                                    portals=known, resolver=default_resolver(), run_id=run_id)
                    replaced_agencies = bool(stored_reports)
                    lap("assemble")
                write_assembly(con, plan, results, replaced_agencies=replaced_agencies)
                write_portals(con, portals)
                record_portal_runs(con, portals, run_id)
                plan.summary.portals = len(portals)
                _pause_hook()
                folded = unpublished.fold(con, data_dir)
                run_row.update(_run_counts(plan.summary, time.perf_counter() - t_load))
                run_row["loaded_at"] = datetime.now(timezone.utc)
                record_run(con, run_row)
                con.execute("COMMIT")
                lap("write")
                say("publishing")
            unpublished.clear(data_dir, folded)
            lap("publish")
    finally:
        results.close()
    _fill(summary, plan.summary)
    summary.seconds = time.perf_counter() - t0
    return summary


def _fill(summary: LoadSummary, s: IngestSummary) -> None:
    for name in IngestSummary.COUNTS:
        setattr(summary, name, getattr(s, name))
    summary.statuses = dict(sorted(s.statuses.items()))
    summary.extractor_versions = sorted(s.extractor_versions)


def _run_counts(s: IngestSummary, seconds: float) -> dict[str, Any]:
    return {"load_seconds": seconds, "documents": s.documents, "reports": s.reports, "reports_ok": s.reports_ok,
            "documents_kept": s.documents_kept, "cells": s.cells, "checks": s.checks, "agencies": s.agencies,
            "portals": s.portals, "extractor_versions": ",".join(sorted(s.extractor_versions)) or None}


def _schema_version(con) -> str | None:
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        row = rows[0] if rows else None
    except Exception:  # noqa: BLE001 - no meta table: not a warehouse of ours
        return None
    return row[0] if row else None


def _loaded_before(con, data_dir: Path, run_id: str, digest: str) -> bool:
    """The same inputs were loaded (published, or found unchanged and held for the next publish) before."""
    prev = con.execute("SELECT input_sha256 FROM runs WHERE run_id = ? AND kind = 'load'", [run_id]).fetchall()
    if prev and prev[0][0] == digest:
        return True
    return any(r["run"]["run_id"] == run_id and r["run"].get("input_sha256") == digest
               for r in unpublished.read(data_dir))


def _stored_portals(con, portals: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    if not portals:
        return {}
    rows = _fetch_rows(con, "SELECT * FROM portal_latest WHERE portal_id IN (SELECT k FROM _ingest_keys)",
                       [p["portal_id"] for p in portals])
    return {r["portal_id"]: r for r in rows}


def write_portals(con, portals: list[dict[str, Any]]) -> None:
    """The portals' latest state, and each portal's own government as an agency (so that `coverage` lists it
    even when the portal yielded no report)."""
    if not portals:
        return
    resolver = default_resolver()
    own = {}
    for p in portals:
        if p.get("name"):
            a = resolver.resolve(p["name"], p.get("region_code"), p["name"])
            p["agency_id"] = a.agency_id
            own[a.agency_id] = a
    db.delete_keys(con, "portals", "portal_id", [p["portal_id"] for p in portals])
    db.insert_arrow(con, "portals", _table(portals, PORTAL_TYPES))
    have = {r[0] for r in con.execute("SELECT agency_id FROM agencies").fetchall()}
    new = [a for aid, a in own.items() if aid not in have]
    if new:
        db.insert_arrow(con, "agencies", _table([_agency_dict(a) for a in new], AGENCY_TYPES))


def _as_text(v: Any) -> str | None:
    if v is None:
        return None
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
