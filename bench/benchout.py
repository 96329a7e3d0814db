"""Machine-readable benchmark results: each producer writes bench/out/<producer>.json, bench/run_all.py reads them.

    from benchout import row, write
    write("bench_extract", [row("html", "HTML extraction", ratio=0.21, baseline="trafilatura.extract",
                                target="<= 0.10x", passed=0.21 <= 0.10, value="8.2 ms/page", ...)])

A row is one line of issue 12's table (or an extra line): its `id` (the table's key), the stage, the measured
`value`, the same-run `baseline` it is compared with, the `ratio` to that baseline, the `target` and whether it
is met (`passed`: True, False, or None when the target does not apply). Everything is measured in the run
that writes the file: a producer writes only what it measured, and run_all says "not measured" for the rest.
"""
from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

OUT_DIR = Path(os.environ.get("NIANBAO_BENCH_OUT") or Path(__file__).resolve().parent / "out")


def row(id: str, stage: str, *, ratio: float | None, baseline: str, target: str, passed: bool | None,
        value: str = "", ratio_of: str = "", note: str = "", **figures: Any) -> dict[str, Any]:
    """One result row. `ratio_of` says what the ratio divides (e.g. "cost per page: ours / trafilatura");
    extra keyword figures (seconds, counts) are kept for docs and later comparison."""
    return {"id": id, "stage": stage, "value": value, "baseline": baseline, "ratio": ratio, "ratio_of": ratio_of,
            "target": target, "passed": passed, "note": note, "figures": figures}


def write(producer: str, rows: list[dict[str, Any]], **context: Any) -> Path:
    """Write the producer's rows (replacing its earlier file) and return the path."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{producer}.json"
    doc = {"producer": producer, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "node": platform.node(),
                       "load": [round(x, 2) for x in os.getloadavg()]},  # 1, 5, 15 min when the rows were written
           "context": context, "rows": rows}
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_all(out_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every row written under out_dir, by row id (the newest file wins when two producers write one id)."""
    folder = Path(out_dir or OUT_DIR)
    docs = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            docs.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    out: dict[str, dict[str, Any]] = {}
    for doc in sorted(docs, key=lambda d: d.get("measured_at", "")):
        for r in doc.get("rows", []):
            out[r["id"]] = {**r, "producer": doc.get("producer"), "measured_at": doc.get("measured_at"),
                            "load": (doc.get("machine") or {}).get("load")}
    return out
