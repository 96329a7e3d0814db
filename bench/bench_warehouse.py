"""Warehouse benchmark: the end-to-end load of a national night, then the analysts' queries.

    .venv/bin/python bench/bench_warehouse.py [--reports 50000] [--no-export] [--dir DIR]

Prints, all measured in this run:
  - end-to-end load: extraction output (the extract stage's files: JSON Lines + columnar Parquet, and the crawl's
    manifest) → published DuckDB (`load_run`: assembly, bulk insert from Parquet, CHECKPOINT, fsync, swap), in
    cells/s, against the baseline: DuckDB's own `CREATE TABLE AS SELECT * FROM read_parquet(…)` of the same
    cells, checks and docs files into a fresh file, checkpointed and closed;
  - the same run loaded again (same inputs: skipped) and a next night with nothing new (not republished);
  - the analyst queries (national totals, cell_values per year) over the published file, in a plain
    `duckdb.connect(path, read_only=True)` (the client's default optimizers) and through warehouse.db.connect;
  - the snapshot export.
No assertions: the figures are for the reader (and bench/run_all.py's table).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import layout  # noqa: E402
from core.cells import keys_for  # noqa: E402
from warehouse import db  # noqa: E402

TARGET_CELLS_PER_S = 5_000_000
RUN_ID = "20260101T000000Z"
QUERIES = {
    "national_totals view": "SELECT * FROM national_totals",
    "cell_values: received per year": "SELECT report_year, template, sum(value) FROM cell_values "
                                      "WHERE cell_key = 'apply.new.total' GROUP BY ALL",
    "cell_values: every key per year": "SELECT report_year, template, cell_key, sum(value), count(value) "
                                       "FROM cell_values GROUP BY ALL",
}


def write_run(root: Path, n_reports: int, run_id: str = RUN_ID, seed: int = 3) -> tuple[Path, Path]:
    """A run directory + the extract stage's output for n_reports reports (2019 and 2021 templates, realistic
    checks from the extractor's own identity code), written as the extract stage writes them."""
    from extract.checks import check_cells
    from flows.extract_stage import write_results

    rng = np.random.default_rng(seed)
    run_dir = root / "runs" / run_id
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"run_id": run_id}))
    (run_dir / "portals.jsonl").write_text(json.dumps({"id": "p", "name": "达州市人民政府", "region_code": "511700",
                                                       "state": "ok", "counts": {"reports": n_reports}}) + "\n")
    results = []
    keys = {t: keys_for(t) for t in ("2019", "2021")}
    with open(run_dir / "manifest.jsonl", "w") as man:
        for i in range(n_reports):
            url = f"https://www.dazhou.gov.cn/nb/{i}.html"
            sha = hashlib.sha256(url.encode()).hexdigest()
            man.write(json.dumps({"run_id": run_id, "portal_id": "p", "url": url, "final_url": url, "status": 200,
                                  "headers": {}, "fetched_at": "2026-01-01T00:00:00+00:00", "sha256": sha,
                                  "size": 1000, "detected_type": "html", "role": "report", "state": "ok"}) + "\n")
            year = 2019 + i % 6
            template = "2019" if year <= 2020 else "2021"
            vals = rng.integers(0, 60, len(keys[template])).tolist()
            cells = dict(zip(keys[template], vals))
            for k in rng.choice(len(vals), 6, replace=False):  # a few not reported
                cells[keys[template][k]] = None
            raw = {k: ("/" if v is None else str(v)) for k, v in cells.items()}
            results.append({
                "source": url, "status": "ok", "reason": None, "template": template, "report_year": year,
                "agency": f"达州市第{i % 9000}局", "published": f"{year + 1}-01-20", "cells": cells, "units": {},
                "raw": raw, "checks": check_cells(template, cells), "format": "html", "layout": "html_table",
                "title": None, "url": url, "sha256": sha, "extractor_version": "bench", "verified": False,
                "unverified_reasons": ["checks failed"],
            })
    extracted = run_dir / layout.RESULTS_FILE
    write_results(extracted, results)
    return run_dir, extracted


CPU: dict[str, float] = {}


def baseline_ctas(extracted: Path, out: Path) -> float:
    """DuckDB's own CREATE TABLE AS from the same columnar files into a fresh file, checkpointed and closed."""
    import duckdb

    c = time.process_time()
    t = time.perf_counter()
    con = duckdb.connect(str(out), config={"storage_compatibility_version": db.STORAGE_VERSION})
    con.execute("SET enable_progress_bar = false")
    for part, path in layout.columnar_paths(extracted).items():
        con.execute(f"CREATE TABLE {part} AS SELECT * FROM read_parquet({db.sql_literal(path)})")
    con.execute("CHECKPOINT")
    con.close()
    CPU["baseline"] = min(CPU.get("baseline", 1e9), time.process_time() - c)
    return time.perf_counter() - t


def timed(fn, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=50_000, help="reports in the run (~200 cells each)")
    ap.add_argument("--no-export", action="store_true", help="skip timing the snapshot export")
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temporary one, removed)")
    args = ap.parse_args()
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    data_dir = work / "data"
    print(f"machine: {os.cpu_count()} CPUs; work dir {work}")
    try:
        from warehouse.load import load_run

        t = time.perf_counter()
        run_dir, extracted = write_run(data_dir, args.reports)
        sizes = {p.name: p.stat().st_size for p in [extracted, *layout.columnar_paths(extracted).values()]}
        print(f"extract stage output for {args.reports:,} reports written in {time.perf_counter() - t:.1f} s: "
              + ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in sizes.items()))

        dt_base = baseline_ctas(extracted, work / "baseline.duckdb")
        (work / "baseline.duckdb").unlink()
        c = time.process_time()
        s = load_run(data_dir, run_dir, extracted)
        CPU["load"] = time.process_time() - c
        dt_base2 = baseline_ctas(extracted, work / "baseline.duckdb")  # again after: the machine is noisy
        (work / "baseline.duckdb").unlink()
        base = min(dt_base, dt_base2)
        size = layout.published_path(data_dir).stat().st_size
        print(f"end-to-end load (extraction output → published warehouse): {s.cells:,} cells, {s.checks:,} checks, "
              f"{s.reports:,} reports in {s.seconds:.2f} s = {s.cells_per_second:,.0f} cells/s; file {size / 1e6:.0f} MB")
        print(f"baseline: DuckDB CREATE TABLE AS from the same Parquet files: {base:.2f} s = "
              f"{s.cells / base:,.0f} cells/s (runs: {dt_base:.2f} s, {dt_base2:.2f} s)")
        print(f"ratio: our load runs at {base / s.seconds:.2f}x of DuckDB's CTAS; target {TARGET_CELLS_PER_S:,} cells/s: "
              f"{'PASS' if s.cells_per_second >= TARGET_CELLS_PER_S else 'MISS'}")
        print(f"CPU seconds (all threads; steadier than wall time on a shared machine): load {CPU['load']:.2f}, "
              f"baseline {CPU['baseline']:.2f}, ratio {CPU['baseline'] / CPU['load']:.2f}x; phases (wall) "
              + ", ".join(f"{k} {v:.2f}" for k, v in s.phases.items()))
        print(f"RESULT load_cells_per_s={s.cells_per_second:.0f} baseline_cells_per_s={s.cells / base:.0f} "
              f"ratio={base / s.seconds:.3f}")
        import benchout  # bench/run_all.py's table

        benchout.write("bench_warehouse", [benchout.row(
            "load", "load, extraction output -> published DuckDB", ratio=round(base / s.seconds, 3),
            ratio_of="cells/s: end-to-end load_run / DuckDB CREATE TABLE AS from the same Parquet files",
            value=f"{s.cells_per_second / 1e6:.2f} M cells/s", baseline=f"CREATE TABLE AS {s.cells / base / 1e6:.2f} M cells/s",
            target=f">= {TARGET_CELLS_PER_S / 1e6:.0f} M cells/s end to end",
            passed=s.cells_per_second >= TARGET_CELLS_PER_S, cells=s.cells, reports=s.reports,
            load_seconds=s.seconds, baseline_seconds=base)])

        again = load_run(data_dir, run_dir, extracted)
        print(f"same run loaded again: skipped={again.skipped} in {again.seconds:.2f} s")
        # the next night: every report answered 304; extraction gives the same results
        night2 = data_dir / "runs" / "20260102T000000Z"
        night2.mkdir()
        with open(run_dir / "manifest.jsonl") as src, open(night2 / "manifest.jsonl", "w") as dst:
            for line in src:
                row = json.loads(line)
                row.update(run_id="20260102T000000Z", state="not_modified", status=304,
                           fetched_at="2026-01-02T00:00:00+00:00")
                dst.write(json.dumps(row) + "\n")
        shutil.copy(run_dir / "portals.jsonl", night2 / "portals.jsonl")
        (night2 / "run.json").write_text(json.dumps({"run_id": "20260102T000000Z"}))
        for p in [extracted, *layout.columnar_paths(extracted).values()]:
            shutil.copy2(p, night2 / p.name)
        before = layout.published_path(data_dir).stat().st_ino
        s2 = load_run(data_dir, night2, night2 / layout.RESULTS_FILE)
        same = layout.published_path(data_dir).stat().st_ino == before
        print(f"next night, nothing new: unchanged={s2.unchanged}, file republished={not same}, {s2.seconds:.2f} s")

        import duckdb

        path = layout.published_path(data_dir)
        for label, connect in (("plain duckdb.connect (client defaults)",
                                lambda: duckdb.connect(str(path), read_only=True)),
                               ("warehouse.db.connect", lambda: db.connect(path, read_only=True))):
            con = connect()
            try:
                con.execute("SET enable_progress_bar = false")
                print(f"analyst queries, {label}:")
                for name, q in QUERIES.items():
                    first = timed(lambda: con.execute(q).fetchall())[0]
                    warm = timed(lambda: con.execute(q).fetchall(), repeat=3)
                    print(f"  {name}: first {first:.3f} s, warm median {statistics.median(warm):.3f} s")
            finally:
                con.close()

        if not args.no_export:
            from warehouse.export import export_snapshot

            t = time.perf_counter()
            folder = export_snapshot(data_dir, work / "exports", date="2026-01-01")
            size = sum(p.stat().st_size for p in folder.iterdir())
            print(f"export snapshot ({s.cells:,} cells): {time.perf_counter() - t:.1f} s, {size / 1e6:.0f} MB")
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
