"""Extraction speed on the golden HTML pages, against trafilatura alone on the same pages.

Prints pages per second for `extract_bytes` (our whole extraction: decoding, cells, metadata, checks) and for
`trafilatura.extract(html, include_tables=True)`, both measured in this run, and the ratio of their costs per page
(target: ours <= 0.10x trafilatura's, issue 12).  The machines are shared and noisy, so the two sides are timed in
alternating rounds, each round in CPU time (process_time: what this process itself spent, whatever else runs on the
machine) and wall time (perf_counter); the ratio is taken per round and the median over the rounds is reported,
with the range.

    .venv/bin/python bench/bench_extract.py [--rounds 7]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchout  # noqa: E402
from core.decode import decode_bytes  # noqa: E402
from extract.pipeline import extract_bytes  # noqa: E402

TARGET = 0.10  # issue 12: HTML extraction <= 0.10x trafilatura.extract per page


def golden_html_pages() -> list[tuple[str, bytes]]:
    pages = []
    for truth in sorted((ROOT / "tests" / "golden").rglob("*.truth.json")):
        doc = truth.parent / json.loads(truth.read_text(encoding="utf-8"))["document"]
        if doc.suffix.lower() in (".html", ".htm", ".shtml"):
            pages.append((doc.name, doc.read_bytes()))
    return pages


def time_round(fn, pages) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one pass over the pages."""
    cpu, wall = time.process_time(), time.perf_counter()
    for name, data in pages:
        fn(name, data)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()

    import trafilatura

    pages = golden_html_pages()
    if not pages:
        print("no golden HTML pages found", file=sys.stderr)
        return 1
    texts = {name: decode_bytes(data)[0] for name, data in pages}

    def ours(name, data):
        return extract_bytes(data, name)

    def traf(name, data):
        # trafilatura gets the decoded text, so decoding is not counted against it
        return trafilatura.extract(texts[name], include_tables=True)

    for name, data in pages:  # warm up imports and the per-process caches on every page
        ours(name, data), traf(name, data)
    o_cpu, o_wall, t_cpu, t_wall = [], [], [], []
    for _ in range(args.rounds):
        c, w = time_round(ours, pages)
        o_cpu.append(c), o_wall.append(w)
        c, w = time_round(traf, pages)
        t_cpu.append(c), t_wall.append(w)
    n = len(pages)
    size = sum(len(d) for _, d in pages)
    med = statistics.median
    print(f"golden HTML pages: {n} ({size / n / 1024:.1f} KiB average), {args.rounds} alternating rounds, medians")
    print(f"{'':34}{'CPU ms/page':>12}{'wall ms/page':>13}{'pages/s (CPU)':>15}")
    for label, cpu, wall in (("nianbao extract_bytes (all)", o_cpu, o_wall),
                             ("trafilatura.extract(tables=True)", t_cpu, t_wall)):
        print(f"{label:34}{1000 * med(cpu) / n:>12.2f}{1000 * med(wall) / n:>13.2f}{n / med(cpu):>15.1f}")
    r_cpu = [a / b for a, b in zip(o_cpu, t_cpu)]
    r_wall = [a / b for a, b in zip(o_wall, t_wall)]
    ok = med(r_cpu) <= TARGET
    print(f"cost ratio ours/trafilatura, CPU:  {med(r_cpu):.3f} (rounds {min(r_cpu):.3f}-{max(r_cpu):.3f})"
          f"  target <= {TARGET:.2f}: {'pass' if ok else 'FAIL'}")
    print(f"cost ratio ours/trafilatura, wall: {med(r_wall):.3f} (rounds {min(r_wall):.3f}-{max(r_wall):.3f})")
    benchout.write("bench_extract", [benchout.row(
        "html", "HTML extraction", ratio=round(med(r_cpu), 3),
        ratio_of="CPU cost per page: extract_bytes / trafilatura (median of alternating rounds)",
        value=f"{1000 * med(o_cpu) / n:.2f} ms/page", baseline=f"trafilatura.extract {1000 * med(t_cpu) / n:.2f} ms/page",
        target="<= 0.10x (issue 12)", passed=ok, pages=n, rounds=args.rounds,
        ratio_range=[round(min(r_cpu), 3), round(max(r_cpu), 3)], ratio_wall=round(med(r_wall), 3))])
    return 0


if __name__ == "__main__":
    sys.exit(main())
