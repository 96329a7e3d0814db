"""Runs that brought nothing new: held beside the warehouse until the next load that publishes.

A nightly run whose every document, report and portal state is what the warehouse already holds does not
republish the file (see warehouse.load). Its bookkeeping (the `runs` row, the portals' states of that run) is not
lost: it is appended to `warehouse/unpublished_runs.jsonl` (under the writer lock) and written into the tables by
the next publishing load, inside its transaction. The file is removed only after that load has published.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from core import layout

FILE = "unpublished_runs.jsonl"
_TIME_FIELDS = ("started_at", "finished_at", "loaded_at")


def path(data_dir: Path) -> Path:
    return layout.warehouse_dir(data_dir) / FILE


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


def add(data_dir: Path, run: dict[str, Any], portals: list[dict[str, Any]]) -> None:
    """Hold one run (its `runs` row and its portal rows). The caller holds the writer lock."""
    from datetime import timezone

    run = dict(run, loaded_at=datetime.now(timezone.utc), unpublished=True)
    entry = {"run": {k: _plain(v) for k, v in run.items()}, "portals": portals}
    rows = [r for r in read(data_dir) if r["run"]["run_id"] != run["run_id"]] + [entry]
    _write(data_dir, rows)


def read(data_dir: Path) -> list[dict[str, Any]]:
    p = path(data_dir)
    if not p.exists():
        return []
    out = []
    for line in p.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a torn line cannot happen (atomic writes); never let it stop a load
    return out


def _write(data_dir: Path, rows: list[dict[str, Any]]) -> None:
    p = path(data_dir)
    if not rows:
        p.unlink(missing_ok=True)
        return
    tmp = p.with_name(p.name + f".tmp{os.getpid()}")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    os.replace(tmp, p)


def fold(con, data_dir: Path) -> list[str]:
    """Write the held runs into the warehouse being built (caller's transaction); returns their run ids."""
    from .load import record_run, record_portal_runs

    held = read(data_dir)
    done = []
    known = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()}
    for entry in sorted(held, key=lambda e: e["run"]["run_id"]):
        run = dict(entry["run"])
        run.pop("unpublished", None)
        for k in _TIME_FIELDS:
            if run.get(k):
                run[k] = datetime.fromisoformat(run[k])
        if run["run_id"] not in known:
            record_run(con, run)
            record_portal_runs(con, entry.get("portals") or [], run["run_id"])
        done.append(run["run_id"])
    return done


def clear(data_dir: Path, run_ids: list[str]) -> None:
    """Forget the runs that a published load has written."""
    if run_ids:
        _write(data_dir, [r for r in read(data_dir) if r["run"]["run_id"] not in set(run_ids)])
