"""Crawl benchmark on the local demo portal (127.0.0.1 only).

1. Pages per second crawling the demo portal with politeness off (no delay, 16 requests per host, no
   AutoThrottle), next to `scrapy bench` run on the same machine in the same run (Scrapy's own local-server
   benchmark: the ceiling for this machine).
2. The request count of a second, incremental run as a fraction of the first (with politeness on: the
   nightly configuration).
3. What reading every entry of the 年报 column costs (the body decides, the title only ranks): the report-page
   entries the first run fetched, how many of them had no report title, and how many extraction then called
   `not_a_report` (the share of fetched entries that were not reports).

    python bench/bench_crawl.py [--json]
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def scrapy_bench(seconds: int = 10) -> float | None:
    """Pages per second that `scrapy bench` reports (the best per-minute figure of its run)."""
    out = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
                          "-s", "LOGSTATS_INTERVAL=1", "-s", "TELNETCONSOLE_ENABLED=0"],
                         capture_output=True, text=True, timeout=seconds + 120, cwd=tempfile.gettempdir())
    rates = [float(m.group(1)) for m in re.finditer(r"Crawled \d+ pages \(at (\d+) pages/min\)", out.stderr)]
    if not rates:
        return None
    return max(rates) / 60.0


def entry_costs(data_dir: Path, run_dir: Path) -> dict:
    """Fetched column entries of a run (report-role documents) and what extraction said of them."""
    from collections import Counter

    from core.records import read_manifest, read_portals
    from flows.extract_stage import extract_many

    docs = {(r.sha256, r.source_url) for r in read_manifest(run_dir) if r.is_document and r.role == "report"}
    statuses = Counter(res["status"] for res in extract_many(str(data_dir), sorted(docs)))
    portals = read_portals(run_dir)
    fetched = sum(statuses.values())
    return {"fetched": fetched, "statuses": dict(statuses),
            "not_a_report": statuses.get("not_a_report", 0),
            "not_a_report_share": round(statuses.get("not_a_report", 0) / fetched, 3) if fetched else None,
            "unranked": sum(p.count("unranked") for p in portals),
            "excluded": sum(p.count("excluded") for p in portals)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--bench-seconds", type=int, default=10)
    args = ap.parse_args()

    import yaml

    from crawlers.run import crawl
    from demoportal.portal import start_portal

    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        tmp_path = Path(tmp)
        portal = start_portal(slow_seconds=0.2)
        try:
            doc = yaml.safe_load(portal.sources_yaml())
            sources = tmp_path / "sources.yaml"
            sources.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")

            # 1. throughput, politeness off (after a warm-up crawl: the demo portal renders pages on first request)
            crawl(sources, tmp_path / "warm", run_id="warm", polite=False)
            portal.clear_log()
            t0 = time.perf_counter()
            fast = crawl(sources, tmp_path / "fast", run_id="fast", polite=False)
            wall = time.perf_counter() - t0
            log = portal.request_log
            requests = len(log)
            span = (log[-1].timestamp - log[0].timestamp) if len(log) > 1 else 0.0
            rows = sum(1 for _ in (fast.run_dir / "manifest.jsonl").open())
            results["crawl"] = {"responses": rows, "requests": requests, "crawl_seconds": fast.elapsed_seconds,
                                "wall_seconds": round(wall, 3),
                                "pages_per_second": round(requests / fast.elapsed_seconds, 1) if fast.elapsed_seconds else None,
                                "pages_per_second_wall": round(requests / wall, 1),
                                "first_to_last_request_seconds": round(span, 3),
                                "reports": fast.totals.get("reports", 0), "attachments": fast.totals.get("attachments", 0)}
            results["scrapy_bench_pages_per_second"] = round(scrapy_bench(args.bench_seconds) or 0.0, 1)

            # 2. incremental run, politeness on (small delay so the benchmark stays short)
            doc["defaults"] = {"delay": 0.05, "retry_backoff": 0.2}
            polite = tmp_path / "polite.yaml"
            polite.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
            portal.clear_log()
            crawl(polite, tmp_path / "inc", run_id="first")
            first = len(portal.request_log)
            portal.clear_log()
            crawl(polite, tmp_path / "inc", run_id="second")
            second_log = portal.request_log
            second = len(second_log)
            not_modified = sum(1 for e in second_log if e.status == 304)
            results["incremental"] = {"first_requests": first, "second_requests": second,
                                      "fraction": round(second / first, 3) if first else None,
                                      "second_304": not_modified}
            results["entries"] = entry_costs(tmp_path / "inc", tmp_path / "inc" / "runs" / "first")
        finally:
            portal.stop()

    import benchout

    inc = results["incremental"]
    frac = inc["fraction"]
    benchout.write("bench_crawl", [benchout.row(
        "incremental", "incremental night", ratio=frac, ratio_of="requests: second run / first run (demo portal)",
        value=f"{inc['second_requests']} requests", baseline=f"first run {inc['first_requests']} requests",
        target="<= 0.10", passed=frac is not None and frac <= 0.10, **inc)], crawl=results["crawl"],
        scrapy_bench_pages_per_second=results["scrapy_bench_pages_per_second"])
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    c, inc = results["crawl"], results["incremental"]
    print("nianbao crawl benchmark (demo portal on 127.0.0.1, 7 sites)")
    print(f"  politeness off : {c['requests']} requests in {c['crawl_seconds']:.2f} s of crawling "
          f"= {c['pages_per_second']} pages/s ({c['pages_per_second_wall']} pages/s with process start, "
          f"{c['wall_seconds']:.2f} s wall; first to last request {c['first_to_last_request_seconds']:.2f} s); "
          f"{c['reports']} report links, {c['attachments']} attachments")
    print(f"  scrapy bench   : {results['scrapy_bench_pages_per_second']} pages/s (same machine, same run)")
    print(f"  incremental    : second run {inc['second_requests']} requests / first run {inc['first_requests']} "
          f"= {inc['fraction']:.1%} ({inc['second_304']} answered 304; target <= 10%: "
          f"{'pass' if inc['fraction'] is not None and inc['fraction'] <= 0.10 else 'FAIL'})")
    e = results["entries"]
    print(f"  column entries : {e['fetched']} report pages fetched ({e['unranked']} without a report title, "
          f"{e['excluded']} entries not fetched by title); extraction: {e['not_a_report']} not_a_report "
          f"= {e['not_a_report_share']:.1%} of fetched entries ({e['statuses']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
