"""Run every benchmark under bench/ in turn (`make bench`); each prints its own figures.

Each figure is a ratio against a baseline measured in the same run, because these 2-core
machines are noisy.  Nothing here touches the network beyond 127.0.0.1.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["bench_extract.py", "bench_formats.py", "bench_ocr.py", "bench_crawl.py", "bench_render.py",
         "bench_warehouse.py", "bench_pipeline.py", "bench_outputs.py"]


def main() -> int:
    failed = []
    for name in ORDER:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)])
        print(f"--- {name}: exit {rc}, {time.perf_counter() - t0:.0f} s", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
