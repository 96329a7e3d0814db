"""Warehouse benchmark: bulk-load 10 million cells, then time the analysts' national query.

    .venv/bin/python bench/bench_warehouse.py [--reports 50000] [--jsonl-reports 5000] [--dir DIR]

Prints:
  - bulk insert of N cells from Arrow into `cells` (cells/s), inside the writer's transaction;
  - the whole publish (copy-on-write build + CHECKPOINT + fsync + swap) with the cells in it;
  - replacing every report's cells (delete, then insert) as a re-extraction does;
  - the analyst query "national totals per year and template" over the published file (cold and warm),
    straight over cells ⋈ reports and through the deduplicating `national_totals` view;
  - the snapshot export (CSV with BOM + Parquet + manifest);
  - the end-to-end loader (`load_run` from a run directory + extraction JSON Lines) on a smaller run.
No assertions: the figures are for the reader.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouse import db, paths, publish  # noqa: E402
from warehouse.ingest import insert_cells  # noqa: E402

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
QUERY = """
SELECT report_year, template, cell_key, sum(value) AS total, count(value) AS n
FROM cells
GROUP BY report_year, template, cell_key
"""
JOIN_QUERY = """
SELECT r.report_year, r.template, c.cell_key, sum(c.value) AS total, count(c.value) AS n
FROM cells c JOIN reports r ON r.report_id = c.report_id
WHERE r.status = 'ok'
GROUP BY r.report_year, r.template, c.cell_key
"""


def keys_by_template() -> dict[str, list[str]]:
    t = db.cell_dictionary_table()
    out: dict[str, list[str]] = {}
    for tpl, key in zip(t.column("template").to_pylist(), t.column("cell_key").to_pylist()):
        out.setdefault(tpl, []).append(key)
    return out


def make_data(n_reports: int, seed: int = 7) -> tuple[pa.Table, pa.Table, pa.Table]:
    """reports, agencies and ~200 cells per report, as Arrow (vectorised: no Python loop per cell)."""
    rng = np.random.default_rng(seed)
    keys = keys_by_template()
    years = rng.choice(YEARS, n_reports)
    template = np.where(years <= 2020, "2019", "2021")
    report_ids = pa.array([f"{i:016x}" for i in range(n_reports)], pa.string())
    n_agencies = max(1, n_reports // len(YEARS))
    agency_idx = rng.integers(0, n_agencies, n_reports)
    agency_ids = pa.array([f"a{i:015x}" for i in range(n_agencies)], pa.string())
    reports = pa.table({
        "report_id": report_ids,
        "portal_id": pa.array(["p"] * n_reports),
        "agency_id": pc.take(agency_ids, pa.array(agency_idx)),
        "agency": pc.take(pa.array([f"机关{i}" for i in range(n_agencies)]), pa.array(agency_idx)),
        "report_year": pa.array(years, pa.int32()),
        "template": pa.array(template),
        "status": pa.array(["ok"] * n_reports),
        "cells_count": pa.array([len(keys[t]) for t in template], pa.int32()),
    })
    agencies = pa.table({"agency_id": agency_ids, "name": pa.array([f"机关{i}" for i in range(n_agencies)]),
                         "level": pa.array(["department"] * n_agencies)})
    # cells: for each template, its reports × its keys. String columns are dictionary-encoded, as the loader
    # builds them (a report id or cell key is stored once per batch, not once per cell).
    parts = []
    for tpl, tkeys in keys.items():
        idx = np.nonzero(template == tpl)[0]
        nk = len(tkeys)
        rep = np.repeat(idx, nk).astype(np.int32)
        key_idx = np.tile(np.arange(nk, dtype=np.int32), len(idx))
        values = rng.integers(0, 60, len(rep)).astype("float64")
        nulls = rng.random(len(rep)) < 0.03
        value_arr = pa.array(values, pa.float64(), mask=nulls)
        parts.append(pa.table({
            "report_id": pa.DictionaryArray.from_arrays(pa.array(rep), report_ids),
            "cell_key": pa.DictionaryArray.from_arrays(pa.array(key_idx), pa.array(tkeys)),
            "value": value_arr,
            "raw_text": pc.cast(value_arr, pa.string()),
            "unit": pa.nulls(len(rep), pa.string()),
            "report_year": pa.array(years[rep], pa.int32()),
            "template": pa.DictionaryArray.from_arrays(pa.array(np.zeros(len(rep), np.int32)), pa.array([tpl])),
        }))
    cells = pa.concat_tables(parts, promote_options="permissive")
    return reports, agencies, cells


def timed(fn, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def write_jsonl_run(root: Path, n_reports: int) -> tuple[Path, Path]:
    """A run directory + extraction file with n_reports 2021 reports of 207 cells (the loader's real input)."""
    import hashlib

    keys = keys_by_template()["2021"]
    rng = np.random.default_rng(3)
    run_dir = root / "runs" / "20260101T000000Z"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"run_id": "20260101T000000Z"}))
    (run_dir / "portals.jsonl").write_text(json.dumps({"id": "p", "name": "达州市人民政府", "region_code": "511700"}) + "\n")
    with open(run_dir / "manifest.jsonl", "w") as man, open(root / "extracted.jsonl", "w") as ext:
        for i in range(n_reports):
            url = f"https://www.dazhou.gov.cn/nb/{i}.html"
            sha = hashlib.sha256(url.encode()).hexdigest()
            man.write(json.dumps({"run_id": "20260101T000000Z", "portal_id": "p", "url": url, "final_url": url,
                                  "status": 200, "headers": {}, "fetched_at": "2026-01-01T00:00:00+00:00",
                                  "sha256": sha, "size": 1000, "detected_type": "html", "role": "report",
                                  "state": "ok"}) + "\n")
            vals = rng.integers(0, 60, len(keys)).tolist()
            ext.write(json.dumps({
                "source": url, "status": "ok", "reason": None, "template": "2021", "report_year": 2021 + i % 4,
                "agency": f"达州市第{i}局", "published": "2022-01-20", "cells": dict(zip(keys, vals)), "units": {},
                "raw": {k: str(v) for k, v in zip(keys, vals)},
                "checks": [{"rule": f"apply_flow.{c}", "ok": True, "detail": None} for c in range(7)],
                "format": "html", "layout": "html_table", "title": None, "url": url, "sha256": sha,
                "extractor_version": "bench",
            }, ensure_ascii=False) + "\n")
    return run_dir, root / "extracted.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=50_000)
    ap.add_argument("--jsonl-reports", type=int, default=5_000, help="reports for the end-to-end loader (0: skip)")
    ap.add_argument("--no-export", action="store_true", help="skip timing the snapshot export")
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temporary one, removed)")
    args = ap.parse_args()
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    data_dir = work / "data"
    print(f"machine: {os.cpu_count()} CPUs; work dir {work}")
    try:
        t = time.perf_counter()
        reports, agencies, cells = make_data(args.reports)
        n = cells.num_rows
        print(f"generated {args.reports:,} reports, {n:,} cells as Arrow in {time.perf_counter() - t:.1f} s")

        t_pub = time.perf_counter()
        with publish.writer(data_dir) as w:
            con = w.con
            con.execute("BEGIN TRANSACTION")
            db.insert_arrow(con, "reports", reports)
            db.insert_arrow(con, "agencies", agencies)
            t = time.perf_counter()
            insert_cells(con, cells)
            dt_insert = time.perf_counter() - t
            con.execute("COMMIT")
            t_commit = time.perf_counter()
        dt_pub = time.perf_counter() - t_pub
        size = paths.published_path(data_dir).stat().st_size
        print(f"bulk insert:   {n:,} cells in {dt_insert:.2f} s = {n / dt_insert:,.0f} cells/s")
        print(f"whole publish: {dt_pub:.2f} s = {n / dt_pub:,.0f} cells/s "
              f"(checkpoint+fsync+swap {time.perf_counter() - t_commit:.2f} s); file {size / 1e6:.0f} MB")
        # Baseline in the same run: DuckDB copying the same Arrow table into a bare table of a fresh file
        # (no schema, keys or transaction of ours), i.e. the fastest this machine writes these rows.
        import duckdb

        base_path = work / "baseline.duckdb"
        bcon = duckdb.connect(str(base_path))
        bcon.register("arrow_cells", cells)
        t = time.perf_counter()
        bcon.execute("CREATE TABLE cells_raw AS SELECT * FROM arrow_cells")
        dt_base = time.perf_counter() - t
        bcon.close()
        base_path.unlink()
        print(f"baseline:      DuckDB CREATE TABLE AS from the same Arrow table: {n / dt_base:,.0f} cells/s; "
              f"our bulk insert runs at {dt_base / dt_insert:.2f}x of its speed")

        t_pub = time.perf_counter()
        with publish.writer(data_dir) as w:
            con = w.con
            con.execute("BEGIN TRANSACTION")
            t = time.perf_counter()
            db.delete_keys(con, "cells", "report_id", reports.column("report_id").to_pylist())
            insert_cells(con, cells)
            dt_replace = time.perf_counter() - t
            con.execute("COMMIT")
        dt_pub = time.perf_counter() - t_pub
        size2 = paths.published_path(data_dir).stat().st_size
        print(f"replace all:   delete+insert {n:,} cells in {dt_replace:.2f} s = {n / dt_replace:,.0f} cells/s; "
              f"with copy+publish {dt_pub:.2f} s; file {size2 / 1e6:.0f} MB")
        t = time.perf_counter()
        with publish.writer(data_dir, compact=True):
            pass
        print(f"compacting publish: {time.perf_counter() - t:.2f} s; file "
              f"{paths.published_path(data_dir).stat().st_size / 1e6:.0f} MB")

        import duckdb

        con = db.connect(paths.published_path(data_dir), read_only=True)
        try:
            con.execute("SET enable_progress_bar = false")
            total = con.execute("SELECT count(*) FROM cells").fetchall()[0][0]
            groups = len(con.execute(QUERY).fetchall())
            print(f"analyst query: national totals per year, template and cell key over {total:,} cells "
                  f"({groups} groups)")
            for label, q in (("cells alone (report_year, template kept on cells)", QUERY),
                             ("cells JOIN reports", JOIN_QUERY),
                             ("national_totals view (one report per agency and year)", "SELECT * FROM national_totals")):
                first = timed(lambda: con.execute(q).fetchall())[0]
                warm = timed(lambda: con.execute(q).fetchall(), repeat=5)
                print(f"  {label}: first {first:.3f} s, warm median {statistics.median(warm):.3f} s")
        finally:
            con.close()
        # The same join through a plain DuckDB connection (DuckDB 2.0 defaults, no warehouse.db settings).
        con = duckdb.connect(str(paths.published_path(data_dir)), read_only=True)
        try:
            con.execute("SET enable_progress_bar = false")
            t = timed(lambda: con.execute(JOIN_QUERY).fetchall(), repeat=2)
            print(f"  cells JOIN reports on a plain duckdb.connect (partial aggregate pushdown on): "
                  f"median {statistics.median(t):.3f} s")
        finally:
            con.close()

        if not args.no_export:
            from warehouse.export import export_snapshot

            t = time.perf_counter()
            folder = export_snapshot(data_dir, work / "exports", date="2026-01-01")
            size = sum(p.stat().st_size for p in folder.iterdir())
            print(f"export snapshot (CSV+Parquet of every table, {n:,} cells): {time.perf_counter() - t:.1f} s, "
                  f"{size / 1e6:.0f} MB")

        if args.jsonl_reports:
            jdir = work / "jsonl"
            run_dir, extracted = write_jsonl_run(jdir, args.jsonl_reports)
            from warehouse.load import load_run

            s = load_run(jdir / "data", run_dir, extracted)
            print(f"end-to-end load_run (JSON Lines → published): {s.cells:,} cells, {s.reports:,} reports in "
                  f"{s.seconds:.2f} s = {s.cells_per_second:,.0f} cells/s")
            import benchout

            e2e, base = s.cells_per_second, n / dt_base
            benchout.write("bench_warehouse", [benchout.row(
                "load", "load, extraction output -> published DuckDB", ratio=round(e2e / base, 3),
                ratio_of="cells/s: end-to-end load_run / DuckDB CREATE TABLE AS (same run)",
                value=f"{e2e / 1e6:.2f} M cells/s", baseline=f"CREATE TABLE AS {base / 1e6:.2f} M cells/s",
                target=">= 5 M cells/s end to end", passed=e2e >= 5e6, cells=s.cells, reports=s.reports,
                load_seconds=s.seconds, baseline_cells=n, baseline_seconds=dt_base,
                note="baseline: CTAS from the bulk benchmark's Arrow table")])
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
