"""Outputs benchmark: the snapshot (agency_year + workbook + CSV/Parquet) and the static site on a synthetic
warehouse of N agencies × 6 years.

    .venv/bin/python bench/bench_outputs.py [--agencies 2000] [--dir DIR]

Each figure is printed with a baseline measured in the same run on the same data, because these 2-core machines
are noisy:
  - export: the whole snapshot against DuckDB copying `cells` to one CSV file (the least any export does);
  - site: the whole build against writing the same number of files with the same bytes (pure file output).
No assertions: the figures are for the reader.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import layout  # noqa: E402
from warehouse import db, publish  # noqa: E402

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)


def make_warehouse(data_dir: Path, n_agencies: int, seed: int = 7) -> int:
    """Agencies spread over the real county list, one report per agency and year (5% posted twice), ~200 cells
    each, a few failed checks. Returns the number of cells."""
    rng = np.random.default_rng(seed)
    counties = [d for d in db.divisions_table().to_pylist() if d["level"] == "county"]
    keys: dict[str, list[str]] = {}
    for r in db.cell_dictionary_table().to_pylist():
        keys.setdefault(r["template"], []).append(r["cell_id"])  # the fact table's integer cell key
    agencies, reports, cells_parts, checks = [], [], [], []
    for i in range(n_agencies):
        c = counties[int(rng.integers(0, len(counties)))]
        level = "government" if i % 20 == 0 else "department"
        name = f"{c['name']}{'人民政府' if level == 'government' else f'第{i}局'}"
        agencies.append({"agency_id": f"{i:016x}", "name": name, "normalized_name": name, "region_code": c["code"],
                         "province": c["province"], "city": c["city"], "county": c["name"], "level": level,
                         "resolved_by": "name"})
    n = 0
    for a in agencies:
        for y in YEARS:
            copies = 2 if rng.random() < 0.05 else 1
            for k in range(copies):
                rid = f"{n:016x}"
                n += 1
                tpl = "2019" if y <= 2020 else "2021"
                published = dt.date(y + 1, 1, 1) + dt.timedelta(days=int(rng.integers(0, 120)))
                failed = int(rng.random() < 0.1)
                reports.append({"report_key": n - 1, "report_id": rid, "portal_id": "p", "agency_id": a["agency_id"], "agency": a["name"],
                                "report_year": y, "template": tpl, "published": published, "status": "ok",
                                "source_url": f"https://www.example.gov.cn/{rid}.html",
                                "document_url": f"https://www.example.gov.cn/{rid}.html",
                                "title": f"{a['name']}{y}年政府信息公开工作年度报告", "format": "html",
                                "cells_count": len(keys[tpl]), "checks_total": 10, "checks_failed": failed})
                vals = rng.integers(0, 60, len(keys[tpl])).astype("int64")
                cells_parts.append(pa.table({
                    "report_key": pa.array([n - 1] * len(vals), pa.int32()),
                    "cell_id": pa.array(keys[tpl], pa.int16()), "value": pa.array(vals),
                    "raw_text": pa.nulls(len(vals), pa.string()),  # NULL: the text is exactly the digits of value
                    "unit": pa.nulls(len(vals), pa.string()), "report_year": pa.array([y] * len(vals), pa.int32())}))
                if failed:
                    checks.append({"report_key": n - 1, "rule": "apply_flow.total", "ok": False, "detail": "x"})
    cells = pa.concat_tables(cells_parts)
    with publish.writer(data_dir) as w:
        con = w.con
        con.execute("BEGIN TRANSACTION")
        db.insert_arrow(con, "agencies", pa.Table.from_pylist(agencies))
        db.insert_arrow(con, "reports", pa.Table.from_pylist(reports))
        db.insert_arrow(con, "cells", cells)
        if checks:
            db.insert_arrow(con, "checks", pa.Table.from_pylist(checks))
        con.execute("INSERT INTO runs (run_id, kind, loaded_at) VALUES ('bench', 'load', now())")
        con.execute("COMMIT")
    return cells.num_rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agencies", type=int, default=2000)
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temporary one, removed)")
    args = ap.parse_args()
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="nianbao-bench-outputs-"))
    data_dir = work / "data"
    print(f"machine: {os.cpu_count()} CPUs; work dir {work}")
    try:
        t = time.perf_counter()
        n_cells = make_warehouse(data_dir, args.agencies)
        print(f"synthetic warehouse: {args.agencies:,} agencies × {len(YEARS)} years, {n_cells:,} cells "
              f"({time.perf_counter() - t:.1f} s)")

        from warehouse.export import export_snapshot
        from warehouse.site.build import build_site

        con = db.connect(layout.published_path(data_dir), read_only=True)
        t = time.perf_counter()
        con.execute(f"COPY cells TO '{work / 'baseline.csv'}' (FORMAT csv, HEADER true)")
        base = time.perf_counter() - t
        con.close()
        t = time.perf_counter()
        snap = export_snapshot(data_dir, work / "exports", date="2026-01-01")
        dt_export = time.perf_counter() - t
        xlsx = snap / "agency_year.xlsx"
        print(f"export: {dt_export:.1f} s = {dt_export / base:.1f}× the baseline (DuckDB COPY cells TO csv: "
              f"{base:.2f} s); agency_year.xlsx {xlsx.stat().st_size / 1e6:.1f} MB")

        t = time.perf_counter()
        s = build_site(data_dir, work / "site", raw=False)
        dt_site = time.perf_counter() - t
        files = [p for p in (work / "site").rglob("*") if p.is_file()]
        blobs = [p.read_bytes() for p in files]
        out = work / "baseline-files"
        t = time.perf_counter()
        for i, b in enumerate(blobs):
            d = out / str(i % 64)
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{i}.html").write_bytes(b)
        base_files = time.perf_counter() - t
        print(f"site: {s.pages:,} pages, {s.bytes / 1e6:.0f} MB, {dt_site:.1f} s = {dt_site / s.agencies * 1000:.1f} ms "
              f"per agency page; {dt_site / base_files:.1f}× the baseline (writing the same {len(files):,} files: "
              f"{base_files:.2f} s)")
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
