"""Extraction speed on the golden HTML pages, against trafilatura alone on the same pages.

Prints reports per second for `extract_bytes` (our whole extraction: decoding, cells, metadata,
checks) and for `trafilatura.extract(html, include_tables=True)`, both measured in this run, and
the ratio of their costs per page (target: ours ≤ 0.5× trafilatura's).  The machines are noisy,
so each side is timed in alternating rounds and the best round is kept.

    .venv/bin/python bench/bench_extract.py [--rounds 5]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchout  # noqa: E402
from core.decode import decode_bytes  # noqa: E402
from extract.pipeline import extract_bytes  # noqa: E402


def golden_html_pages() -> list[tuple[str, bytes]]:
    pages = []
    for truth in sorted((ROOT / "tests" / "golden").rglob("*.truth.json")):
        doc = truth.parent / json.loads(truth.read_text(encoding="utf-8"))["document"]
        if doc.suffix.lower() in (".html", ".htm", ".shtml"):
            pages.append((doc.name, doc.read_bytes()))
    return pages


def time_round(fn, pages) -> float:
    start = time.perf_counter()
    for name, data in pages:
        fn(name, data)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
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

    ours(*pages[0]), traf(*pages[0])  # warm up imports and caches
    best_ours, best_traf = float("inf"), float("inf")
    for _ in range(args.rounds):
        best_ours = min(best_ours, time_round(ours, pages))
        best_traf = min(best_traf, time_round(traf, pages))
    n = len(pages)
    size = sum(len(d) for _, d in pages)
    print(f"golden HTML pages: {n} ({size / n / 1024:.1f} KiB average), best of {args.rounds} rounds")
    print(f"{'':34}{'pages/s':>10}{'ms/page':>10}")
    print(f"{'nianbao extract_bytes (all)':34}{n / best_ours:>10.1f}{1000 * best_ours / n:>10.2f}")
    print(f"{'trafilatura.extract(tables=True)':34}{n / best_traf:>10.1f}{1000 * best_traf / n:>10.2f}")
    print(f"cost ratio ours/trafilatura: {best_ours / best_traf:.3f} (target <= 0.5)")
    ratio = best_ours / best_traf
    benchout.write("bench_extract", [benchout.row(
        "html", "HTML extraction", ratio=round(ratio, 3), ratio_of="cost per page: extract_bytes / trafilatura",
        value=f"{1000 * best_ours / n:.2f} ms/page", baseline=f"trafilatura.extract {1000 * best_traf / n:.2f} ms/page",
        target="<= 0.10x (issue 12)", passed=ratio <= 0.10, pages=n, rounds=args.rounds,
        ours_seconds=best_ours, trafilatura_seconds=best_traf)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
