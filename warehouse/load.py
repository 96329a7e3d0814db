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
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa

from core import layout
from core.errors import UserError
from core.records import PortalRecord, read_manifest, read_portals

from . import db, publish
from .agencies import default_resolver
from .ingest import documents_from_manifest, ingest, parse_time
from .results import Results

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
    skipped: bool = False  # the same inputs were loaded before: nothing done
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
    """The `portals` table's rows for a run's portal records."""
    return [{
        "portal_id": p.id, "name": p.name, "url": p.url, "platform": p.platform,
        "region_code": str(p.region_code) if p.region_code not in (None, "") else None, "state": p.state,
        "counts": json.dumps(p.counts, ensure_ascii=False, sort_keys=True), "run_id": run_id,
    } for p in portals]


def _pause_hook() -> None:
    hook = os.environ.get(PAUSE_HOOK_ENV)
    if hook:
        Path(hook).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("NIANBAO_TEST_LOAD_PAUSE_SECONDS", "60")))


def record_run(con, row: dict[str, Any]) -> None:
    con.execute("DELETE FROM runs WHERE run_id = ?", [row["run_id"]])
    db.insert_arrow(con, "runs", pa.table({k: pa.array([row.get(k)], t) for k, t in RUN_TYPES.items()}))


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
    inputs = [*layout.run_files(run_dir, layout.MANIFEST_FILE), *layout.run_files(run_dir, layout.PORTALS_FILE),
              run_json_path, extracted]
    digest = input_digest(inputs)

    say("reading the manifest")
    try:
        manifest = [row.to_dict() for row in read_manifest(run_dir)]
        portals = portal_rows(read_portals(run_dir), run_id)
    except json.JSONDecodeError as exc:
        raise UserError(f"{run_dir}: a run file is not valid JSON Lines ({exc.msg})") from None
    say("reading the extraction results")
    results = Results.from_jsonl(extracted)
    docs = documents_from_manifest(manifest, run_id)

    summary = LoadSummary(run_id=run_id, manifest_rows=len(manifest), results=len(results),
                          warehouse=str(layout.published_path(data_dir)))
    say("loading")
    with publish.writer(data_dir, wait=wait, compact=compact) as w:
        con = w.con
        if not force:
            prev = con.execute("SELECT input_sha256 FROM runs WHERE run_id = ? AND kind = 'load'", [run_id]).fetchall()
            if prev and prev[0][0] == digest:
                w.discard()
                summary.skipped = True
                summary.seconds = time.perf_counter() - t0
                return summary
        t_load = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        s = ingest(
            con,
            docs,
            results,
            portals={p["portal_id"]: p for p in portals},
            resolver=default_resolver(),
            run_id=run_id,
            portal_rows=portals,
        )
        _pause_hook()
        record_run(
            con,
            {
                "run_id": run_id,
                "kind": "load",
                "started_at": parse_time(run_info.get("started_at")),
                "finished_at": parse_time(run_info.get("finished_at")),
                "sources": _as_text(run_info.get("sources") or run_info.get("sources_file")),
                "options": json.dumps(run_info.get("options"), ensure_ascii=False, sort_keys=True)
                if run_info.get("options") is not None else None,
                "run_json": json.dumps(run_info, ensure_ascii=False, sort_keys=True),
                "extracted_file": str(extracted),
                "input_sha256": digest,
                "loaded_at": datetime.now(timezone.utc),
                "load_seconds": time.perf_counter() - t_load,
                "manifest_rows": len(manifest),
                "documents": s.documents,
                "reports": s.reports,
                "reports_ok": s.reports_ok,
                "documents_kept": s.documents_kept,
                "cells": s.cells,
                "checks": s.checks,
                "agencies": s.agencies,
                "portals": s.portals,
                "extractor_versions": ",".join(sorted(s.extractor_versions)) or None,
            },
        )
        con.execute("COMMIT")
        say("publishing")
    for name in ("documents", "documents_kept", "results_unused", "reports", "reports_ok", "reports_replaced",
                 "cells", "checks", "agencies", "portals"):
        setattr(summary, name, getattr(s, name))
    summary.statuses = dict(sorted(s.statuses.items()))
    summary.extractor_versions = sorted(s.extractor_versions)
    summary.seconds = time.perf_counter() - t0
    return summary


def _as_text(v: Any) -> str | None:
    if v is None:
        return None
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
