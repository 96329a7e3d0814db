"""Synthetic crawl runs and extraction results for the warehouse tests."""
from __future__ import annotations

import csv
import hashlib
import json
import random
from datetime import datetime, timedelta, timezone
from core.bundled import bundled_text
from pathlib import Path
from typing import Any

try:  # the demo portal's generator, when present
    from demoportal.reports import random_truth
except ImportError:  # pragma: no cover
    random_truth = None


def cell_keys() -> dict[str, list[str]]:
    text = bundled_text("cells.csv")
    out: dict[str, list[str]] = {}
    for r in csv.DictReader(text.splitlines()):
        out.setdefault(r["template"], []).append(r["key"])
    return out


KEYS = cell_keys()


def make_cells(template: str, year: int, agency: str, seed: int) -> dict[str, Any]:
    if random_truth is not None:
        return dict(random_truth(template, year, agency, seed)["cells"])
    rng = random.Random(f"{template}{year}{agency}{seed}")
    return {k: rng.randint(0, 50) for k in KEYS[template]}


def make_result(
    *,
    template: str | None = "2021",
    year: int | None = 2021,
    agency: str | None = "达州市通川区经济和信息化局",
    published: str | None = "2022-01-12",
    status: str = "ok",
    reason: str | None = None,
    seed: int = 0,
    cells: dict[str, Any] | None = None,
    version: str = "x1",
    checks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    if status == "ok":
        cells = dict(cells) if cells is not None else make_cells(template, year or 2021, agency or "", seed)
        raw = {k: ("" if v is None else str(v)) for k, v in cells.items()}
        if checks is None:
            checks = [
                {"rule": "apply_flow.person", "ok": True, "detail": None},
                {"rule": "apply_flow.total", "ok": seed % 3 != 0, "detail": "x"},
                {"rule": "review.reconsideration", "ok": None, "detail": "missing"},
            ]
    else:
        cells, raw, checks = {}, {}, []
    return {
        "source": "x", "status": status, "reason": reason, "template": template if status == "ok" else None,
        "report_year": year, "agency": agency, "published": published, "cells": cells, "units": {}, "raw": raw,
        "checks": checks or [], "format": "html", "layout": "html_table",
        "title": f"{agency or ''}{year}年政府信息公开工作年度报告",
        "url": None, "sha256": None, "extractor_version": version,
    }


class RunBuilder:
    """A run directory under DATA_DIR/runs/RUN_ID, raw bodies under DATA_DIR/raw, and an extraction file."""

    def __init__(self, data_dir: Path, run_id: str = "20260101T000000Z", started: datetime | None = None):
        self.data_dir = Path(data_dir)
        self.run_id = run_id
        self.t = started or datetime(2026, 1, 1, tzinfo=timezone.utc)
        self.manifest: list[dict[str, Any]] = []
        self.portals: dict[str, dict[str, Any]] = {}
        self.results: list[dict[str, Any]] = []

    def portal(self, pid: str, name: str, region_code: str | None, url: str = "https://www.example.gov.cn/"):
        self.portals[pid] = {"id": pid, "name": name, "url": url, "platform": "generic", "region_code": region_code,
                             "state": "ok", "counts": {"reports": 0}}
        return self

    def _store(self, body: bytes) -> str:
        sha = hashlib.sha256(body).hexdigest()
        p = self.data_dir / "raw" / sha[:2] / sha
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(body)
        return sha

    def fetch(
        self,
        portal: str,
        url: str,
        role: str,
        *,
        result: dict[str, Any] | None = None,
        body: bytes | None = None,
        state: str = "ok",
        parent_url: str | None = None,
        link_title: str | None = None,
        detected_type: str = "html",
        list_date: str | None = None,
        error: str | None = None,
    ) -> str | None:
        self.t += timedelta(seconds=1)
        sha = None
        if state in ("ok", "not_modified"):
            if body is None:
                # The body carries its own extraction result, so a stand-in extractor can "re-extract" it.
                body = json.dumps({"url": url, "role": role, "result": result}, ensure_ascii=False,
                                  sort_keys=True).encode()
            sha = self._store(body)
        self.manifest.append({
            "run_id": self.run_id, "portal_id": portal, "url": url, "final_url": url,
            "status": 200 if sha else 500, "headers": {"Content-Type": "text/html"},
            "fetched_at": self.t.isoformat(), "sha256": sha, "size": len(body or b""),
            "detected_type": detected_type, "role": role, "listing_url": None, "link_title": link_title,
            "parent_url": parent_url, "list_date": list_date, "state": state, "error": error,
        })
        if result is not None and sha is not None:
            r = dict(result)
            r["url"], r["sha256"] = url, sha
            self.results.append(r)
        return sha

    def write(self, extracted_name: str = "extracted.jsonl") -> tuple[Path, Path]:
        run_dir = self.data_dir / "runs" / self.run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        with open(run_dir / "manifest.jsonl", "w", encoding="utf-8") as fh:
            for row in self.manifest:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        with open(run_dir / "portals.jsonl", "w", encoding="utf-8") as fh:
            for p in self.portals.values():
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
        (run_dir / "run.json").write_text(json.dumps({
            "run_id": self.run_id, "started_at": self.manifest[0]["fetched_at"] if self.manifest else None,
            "finished_at": self.t.isoformat(), "sources": "sources.yaml", "options": {"max_pages": 5},
        }))
        extracted = run_dir / extracted_name
        with open(extracted, "w", encoding="utf-8") as fh:
            for r in self.results:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        return run_dir, extracted


def fake_extract(version: str = "x2", bump: float = 1):
    """A stand-in for extract.pipeline.extract_bytes: reads the result stored in the synthetic body."""

    def extract_bytes(data: bytes, source: str, url: str | None = None):
        body = json.loads(data)
        if body.get("result") is None:
            return {"source": source, "status": "no_tables", "reason": "stand-in: nothing found",
                    "extractor_version": version}
        r = dict(body["result"])
        if r.get("status") == "ok":
            r["cells"] = {k: (v + bump if isinstance(v, (int, float)) else v) for k, v in r["cells"].items()}
        r["extractor_version"] = version
        r["source"] = source
        return r

    extract_bytes.extractor_version = version
    return extract_bytes


def docs_extractor(data_dir, fn):
    """A stand-in for the flow's batch extraction handed to warehouse.reextract: `fn(data, source, url=)` per
    document, on the stored raw body; a missing body is reported as such (the real stage does the same)."""
    from core import layout

    def extract_docs(docs):
        out = []
        for d in docs:
            path = layout.raw_path(data_dir, d["sha256"])
            if not path.exists():
                out.append({"status": "unreadable", "reason": "raw body missing", "raw_problem": "missing"})
                continue
            r = fn(path.read_bytes(), str(path), url=d["url"])
            out.append(r if isinstance(r, dict) else r.to_dict())
        return out

    return extract_docs
