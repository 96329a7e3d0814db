"""Portals across runs: which portal's count of reports dropped sharply since its previous run.

    report_drops(data_dir, run_id=None) -> list[PortalDrop]   # for the run report and Prefect artifacts

Reads the published warehouse's `portal_runs` (read-only: never waits for or blocks a writer) together with the
runs held back because they brought nothing new (warehouse/unpublished.py), so a run is compared with the run
before it whether or not that run republished the file. The SQL view `portal_report_changes` applies the same rule
for analysts.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from core import layout

from . import unpublished

# A count that fell to half or less (from at least DROP_MIN_PREVIOUS reports), or to zero from any.
DROP_MIN_PREVIOUS = 4


def is_sharp_drop(previous: int | None, current: int | None) -> bool:
    if not previous or current is None:
        return False
    return current == 0 or (previous >= DROP_MIN_PREVIOUS and current * 2 <= previous)


@dataclass(frozen=True)
class PortalDrop:
    portal_id: str
    name: str | None
    run_id: str
    reports: int
    prev_run_id: str
    prev_reports: int
    state: str | None
    prev_state: str | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        return (f"{self.portal_id} ({self.name or '?'}): {self.prev_reports} → {self.reports} reports since run "
                f"{self.prev_run_id}; state {self.state}" + (f" ({self.reason})" if self.reason else ""))


def _history(data_dir: Path) -> list[dict[str, Any]]:
    """(run_id, portal_id, name, state, reason, reports) of every recorded run, published or held."""
    rows: list[dict[str, Any]] = []
    path = layout.published_path(data_dir)
    if path.exists():
        from . import db

        con = db.connect(path, read_only=True)
        try:
            cols = ["run_id", "portal_id", "name", "state", "reason", "reports"]
            rows = [dict(zip(cols, r)) for r in con.execute(f"SELECT {', '.join(cols)} FROM portal_runs").fetchall()]
        finally:
            con.close()
    seen = {(r["run_id"], r["portal_id"]) for r in rows}
    for entry in unpublished.read(data_dir):
        run_id = entry["run"]["run_id"]
        for p in entry.get("portals") or []:
            if (run_id, p["portal_id"]) not in seen:
                rows.append({"run_id": run_id, "portal_id": p["portal_id"], "name": p.get("name"),
                             "state": p.get("state"), "reason": p.get("reason"), "reports": p.get("reports")})
    return rows


def report_drops(data_dir: Path, run_id: str | None = None) -> list[PortalDrop]:
    """The portals whose count of reports in `run_id` (default: the latest run) dropped sharply from their
    previous run. Empty when there is no warehouse yet or no earlier run."""
    by_portal: dict[str, list[dict[str, Any]]] = {}
    for r in _history(Path(data_dir)):
        by_portal.setdefault(r["portal_id"], []).append(r)
    if run_id is None:
        run_id = max((r["run_id"] for rs in by_portal.values() for r in rs), default=None)
        if run_id is None:
            return []
    out = []
    for pid, runs in sorted(by_portal.items()):
        runs.sort(key=lambda r: r["run_id"])
        for i, r in enumerate(runs):
            if r["run_id"] != run_id or i == 0:
                continue
            prev = runs[i - 1]
            if is_sharp_drop(prev["reports"], r["reports"]):
                out.append(PortalDrop(pid, r["name"], run_id, r["reports"], prev["run_id"], prev["reports"],
                                      r["state"], prev["state"], r["reason"]))
    return out
