"""`make bench`: run every benchmark under bench/, then print ONE table of issue 12's rows.

Each producer prints its own figures and writes bench/out/<producer>.json (bench/benchout.py): per row the
measured value, the same-run baseline, the ratio to it, the target and whether it is met. This script clears
bench/out, runs the producers one after another, and prints the table; a row whose producer did not write it
(not there yet, or it failed) says "not measured". Every figure is from this run (these 2-core machines are
noisy, so each is a ratio against a baseline measured beside it). Nothing touches the network beyond
127.0.0.1.

    .venv/bin/python bench/run_all.py [--quick] [--only bench_scale,bench_crawl] [--table-only]

--quick: fewer rounds and smaller inputs (about half the time); --table-only: print the table of the results
already in bench/out without running anything.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchout  # noqa: E402

ORDER = ["bench_extract.py", "bench_formats.py", "bench_ocr.py", "bench_crawl.py", "bench_render.py",
         "bench_warehouse.py", "bench_pipeline.py", "bench_outputs.py", "bench_scale.py"]
# The producers' own options for a shorter run (each keeps its defaults otherwise).
QUICK_ARGS = {
    "bench_extract.py": ["--rounds", "2"],
    "bench_formats.py": ["--files", "2", "--rounds", "1"],
    "bench_ocr.py": ["--max-pages", "2"],
    "bench_crawl.py": ["--bench-seconds", "5"],
    "bench_warehouse.py": ["--reports", "10000", "--no-export"],
    "bench_scale.py": ["--quick"],
}
# Issue 12's table, then the re-extraction rows: (row id, stage as the issue names it).
ROWS = [
    ("html", "HTML extraction vs trafilatura.extract"),
    ("pdf", "PDF with a text layer vs pdfplumber extract_text"),
    ("load", "load -> published DuckDB vs CREATE TABLE AS"),
    ("incremental", "incremental night requests vs first run"),
    ("prefect", "Prefect per run: running vs temporary server"),
    ("reextract_local1", "re-extraction, 1 local worker"),
    ("reextract_local2", "re-extraction, 2 local workers"),
    ("reextract_dask2", "re-extraction, 2-worker Dask cluster"),
    ("extract_text_local2", "extraction, demo text documents, 2 local workers"),
    ("extract_text_dask2", "extraction, demo text documents, 2-worker Dask"),
]


def run_producers(names: list[str], quick: bool) -> list[str]:
    failed = []
    for name in names:
        script = HERE / name
        if not script.exists():
            print(f"\n=== {name}: not there (its rows will say 'not measured') ===", flush=True)
            continue
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script), *(QUICK_ARGS.get(name, []) if quick else [])])
        print(f"--- {name}: exit {rc}, {time.perf_counter() - t0:.0f} s", flush=True)
        if rc:
            failed.append(name)
    return failed


def verdict(r: dict) -> str:
    if r.get("passed") is True:
        return "pass"
    if r.get("passed") is False:
        return "FAIL"
    if r.get("ratio") is None:
        return "not measured"
    return "-"


def table(results: dict[str, dict]) -> str:
    head = ("stage", "measured", "same-run baseline", "ratio", "target", "result")
    lines = []
    for rid, stage in ROWS:
        r = results.get(rid)
        if r is None:
            lines.append((stage, "not measured", "", "", "", "not measured"))
            continue
        ratio = f"{r['ratio']:.3f}" if isinstance(r.get("ratio"), (int, float)) else "not measured"
        lines.append((stage, r.get("value") or "", r.get("baseline") or "", ratio, r.get("target") or "", verdict(r)))
    extra = [r for rid, r in results.items() if rid not in dict(ROWS)]
    for r in extra:
        ratio = f"{r['ratio']:.3f}" if isinstance(r.get("ratio"), (int, float)) else "not measured"
        lines.append((r.get("stage", r["id"]), r.get("value") or "", r.get("baseline") or "", ratio,
                      r.get("target") or "", verdict(r)))
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    fmt = lambda row: "  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip()  # noqa: E731
    out = [fmt(head), "  ".join("-" * w for w in widths)] + [fmt(x) for x in lines]
    notes = [f"  {stage}: ratio = {results[rid]['ratio_of']}" for rid, stage in ROWS
             if rid in results and results[rid].get("ratio_of")]
    remarks = [f"  {stage}: {results[rid]['note']}" for rid, stage in ROWS if rid in results and results[rid].get("note")]
    when: dict[str, tuple] = {}
    for r in results.values():
        when.setdefault(r.get("producer") or "?", (r.get("measured_at"), r.get("load")))
    produced = [f"  {p}: {at}, load average {' / '.join(str(x) for x in (load or []))}"
                for p, (at, load) in sorted(when.items(), key=lambda kv: kv[1][0] or "")]
    return "\n".join(out + ["", "ratios:"] + notes + ["", "notes:"] + remarks
                     + ["", f"written by (load: 1 / 5 / 15 min on {os.cpu_count()} cores):"] + produced)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer rounds, smaller inputs")
    ap.add_argument("--only", help="comma-separated producers to run again (e.g. bench_scale); the others' "
                                   "rows stay as bench/out has them (their measured_at says when)")
    ap.add_argument("--table-only", action="store_true", help="print the table of bench/out as it is")
    args = ap.parse_args()
    failed: list[str] = []
    t0 = time.perf_counter()
    if not args.table_only:
        names = ORDER
        if args.only:
            wanted = {n if n.endswith(".py") else n + ".py" for n in args.only.split(",") if n.strip()}
            names = [n for n in ORDER if n in wanted]
        if args.only:  # the chosen producers' rows are measured again; the others' files stay as they were
            for name in names:
                (benchout.OUT_DIR / name.replace(".py", ".json")).unlink(missing_ok=True)
        else:
            shutil.rmtree(benchout.OUT_DIR, ignore_errors=True)  # only this run's figures go in the table
        failed = run_producers(names, args.quick)
    results = benchout.read_all()
    print("\n=== issue 12: every stage against its same-run baseline ===")
    print(table(results))
    if not args.table_only:
        print(f"\n(make bench: {time.perf_counter() - t0:.0f} s{', quick' if args.quick else ''}; "
              f"machine-readable rows in {benchout.OUT_DIR})")
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
