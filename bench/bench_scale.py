"""Re-extraction of the demo's stored documents: one process, local Dask clusters of 1 and 2 workers, and a
two-worker Dask cluster started here as real `dask scheduler` / `dask worker` processes on 127.0.0.1.

The demo portal is crawled once (politeness off), extracted and loaded; then `reextract --force` (the code of
`nianbao reextract`: flows.stages.reextract, which re-reads every stored body and publishes the warehouse) is
timed on each cluster, best of --rounds, each cluster started before the clock starts (its start-up is printed
apart). Also timed: the extraction alone on each cluster (flows.extract_stage.extract_on_cluster, the figure
per worker that docs/scaling.md projects from), the same documents read in this process one after another
(the baseline of one worker: no pool, no child, no Dask), and the pre-Dask process pool of 2 workers.

    .venv/bin/python bench/bench_scale.py [--rounds 2] [--quick] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchout  # noqa: E402


def prepare(work: Path) -> tuple[Path, list[tuple]]:
    """Crawl the demo portal, extract, load: a data directory with a warehouse and its stored documents."""
    import yaml

    from crawlers.run import crawl
    from demoportal.portal import start_portal
    from flows import extract_stage
    from warehouse.load import load_run

    data = work / "data"
    portal = start_portal(slow_seconds=0.05)
    try:
        sources = work / "sources.yaml"
        sources.write_text(yaml.safe_dump(yaml.safe_load(portal.sources_yaml()), allow_unicode=True), encoding="utf-8")
        summary = crawl(sources, data, run_id="bench", polite=False)
    finally:
        portal.stop()
    refs = extract_stage.documents_of_run(summary.run_dir)  # a scanned report's pictures go with its page
    items = [item for group in extract_stage.batches(refs, len(refs) or 1) for item in group]
    results = extract_stage.extract_batches(data, extract_stage.batches(items, 25), workers=2)
    extracted = summary.run_dir / "extracted.jsonl"
    extract_stage.write_results(extracted, results)
    load_run(data, summary.run_dir, extracted)
    return data, items


def start_dask(work: Path, workers: int = 2) -> tuple[str, list[subprocess.Popen]]:
    from demoportal.server import free_port_base

    port = free_port_base(1)
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    logs = work / "dask-logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=open(logs / "scheduler.log", "wb"),
                              stderr=subprocess.STDOUT, start_new_session=True)]
    for i in range(workers):
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", address, "--nthreads", "1", "--nworkers", "1", "--host",
             "127.0.0.1", "--no-dashboard", "--local-directory", str(work / f"dask-w{i}")], env=env,
            stdout=open(logs / f"worker{i}.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True))
    return address, procs


def stop_all(procs: list[subprocess.Popen]) -> None:
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _rss_mb() -> tuple[int, list[int]]:
    """Resident memory of this (worker) process and of its children, in MB."""
    import psutil

    me = psutil.Process()
    return me.memory_info().rss // 2**20, [c.memory_info().rss // 2**20 for c in me.children(recursive=True)]


def time_cluster(label: str, make, data: Path, items: list[tuple], rounds: int) -> dict:
    """Start the cluster, then best-of-`rounds` for the extraction alone and for the whole reextract."""
    from flows import extract_stage
    from flows.stages import BATCH_SIZE, reextract

    t0 = time.perf_counter()
    with make() as cluster:
        start = time.perf_counter() - t0
        workers = cluster.worker_count()
        groups = extract_stage.batches(items, BATCH_SIZE)
        extract_stage.extract_on_cluster(cluster, data, groups[:workers], force=True)  # children started
        best_ext, best_rx, docs = float("inf"), float("inf"), 0
        for _ in range(rounds):
            report: dict = {}
            t = time.perf_counter()
            extract_stage.extract_on_cluster(cluster, data, groups, force=True, report=report)
            best_ext = min(best_ext, time.perf_counter() - t)
            if report.get("batches_failed_on_cluster"):
                raise RuntimeError(f"{label}: {report}")
            t = time.perf_counter()
            s = reextract(data, force=True, cluster=cluster)
            best_rx = min(best_rx, time.perf_counter() - t)
            docs = s.documents_extracted
        memory = cluster.client.run(_rss_mb)  # each worker and its capped child, after the rounds
    out = {"label": label, "workers": workers, "start_seconds": round(start, 2), "documents": len(items),
           "extract_seconds": round(best_ext, 3), "extract_docs_per_second": round(len(items) / best_ext, 2),
           "reextract_documents": docs, "reextract_seconds": round(best_rx, 3),
           "reextract_docs_per_second": round(docs / best_rx, 2),
           "worker_rss_mb": sorted(m[0] for m in memory.values()),
           "child_rss_mb": sorted(c for m in memory.values() for c in m[1])}
    print(f"  {label:<34} start {start:5.1f} s; extraction {out['extract_docs_per_second']:6.2f} docs/s; "
          f"reextract {docs} docs in {best_rx:5.1f} s = {out['reextract_docs_per_second']:6.2f} docs/s; "
          f"RSS MB workers {out['worker_rss_mb']}, children {out['child_rss_mb']}", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="one round")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rounds = 1 if args.quick else max(1, args.rounds)

    # every round reads cold: the OCR reader's in-process page cache would make a second round of the demo's
    # scanned report free in one process and not in another (workers and their children inherit this)
    os.environ["NIANBAO_OCR_CACHE_PAGES"] = "0"
    from flows import prefect_env

    prefect_env.configure(quiet=True)
    from flows import extract_stage
    from flows.cluster import Cluster

    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-scale-"))
    procs: list[subprocess.Popen] = []
    try:
        t = time.perf_counter()
        data, items = prepare(work)
        print(f"demo data: {len(items)} stored documents (crawl + extract + load in {time.perf_counter() - t:.1f} s); "
              f"{os.cpu_count()} CPUs; best of {rounds} round(s)", flush=True)

        # baseline: this process reads every document in turn
        best_one = float("inf")
        for _ in range(rounds):
            t = time.perf_counter()
            extract_stage.extract_many(str(data), items, force=True)
            best_one = min(best_one, time.perf_counter() - t)
        one = {"label": "one process (no pool)", "workers": 1, "extract_seconds": round(best_one, 3),
               "extract_docs_per_second": round(len(items) / best_one, 2)}
        print(f"  {one['label']:<34} extraction {one['extract_docs_per_second']:6.2f} docs/s", flush=True)
        best_pool = float("inf")
        groups = extract_stage.batches(items, 25)
        for _ in range(rounds):
            t = time.perf_counter()
            extract_stage.extract_batches(data, groups, workers=2, force=True)
            best_pool = min(best_pool, time.perf_counter() - t)
        pool = {"label": "process pool, 2 workers (no Dask)", "workers": 2, "extract_seconds": round(best_pool, 3),
                "extract_docs_per_second": round(len(items) / best_pool, 2)}
        print(f"  {pool['label']:<34} extraction {pool['extract_docs_per_second']:6.2f} docs/s (pool start included)",
              flush=True)

        local1 = time_cluster("local Dask cluster, 1 worker", lambda: Cluster(None, 1), data, items, rounds)
        local2 = time_cluster("local Dask cluster, 2 workers", lambda: Cluster(None, 2), data, items, rounds)
        address, procs = start_dask(work, 2)
        remote = time_cluster("dask scheduler + 2 dask workers", lambda: Cluster(address), data, items, rounds)
    finally:
        stop_all(procs)
        shutil.rmtree(work, ignore_errors=True)

    base1 = local1["reextract_docs_per_second"]

    def rx_row(id_: str, r: dict, baseline: str, ratio: float, ratio_of: str, target: float) -> dict:
        return benchout.row(id_, f"re-extraction, {r['label']}", ratio=round(ratio, 3), ratio_of=ratio_of,
                            value=f"{r['reextract_docs_per_second']:.2f} docs/s", baseline=baseline,
                            target=f">= {target:g}x", passed=ratio >= target,
                            note=(f"extraction alone {r['extract_docs_per_second']:.2f} docs/s; "
                                  f"cluster start {r['start_seconds']:.1f} s"), **r)

    # Targets (ours; the issue sets none for these rows): a Dask worker with its capped child costs at most 10%
    # against reading in this process alone, and two workers on two cores give at least 1.5x one (75% of linear,
    # with the single-writer load of reextract included).
    rows = [
        rx_row("reextract_local1", local1, f"one process, no pool: {one['extract_docs_per_second']:.2f} docs/s",
               local1["extract_docs_per_second"] / one["extract_docs_per_second"],
               "extraction docs/s: 1 Dask worker (capped child) / this process alone", 0.9),
        rx_row("reextract_local2", local2, f"1 local worker: {base1:.2f} docs/s", local2["reextract_docs_per_second"] / base1,
               "reextract --force docs/s: 2 local workers / 1", 1.5),
        rx_row("reextract_dask2", remote, f"1 local worker: {base1:.2f} docs/s", remote["reextract_docs_per_second"] / base1,
               "reextract --force docs/s: 2 dask workers / 1 local worker", 1.5),
    ]
    benchout.write("bench_scale", rows, one_process=one, process_pool=pool, documents=len(items), rounds=rounds)
    if args.json:
        print(json.dumps({"one": one, "pool": pool, "local1": local1, "local2": local2, "dask2": remote}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
