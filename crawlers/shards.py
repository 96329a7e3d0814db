"""A crawl sharded by host across workers: each shard is its own `scrapy crawl` into its own part of the run.

Politeness (delay, concurrency) is kept per host inside one Scrapy process (crawlers.middlewares.slot_key), so
a host must never be asked by two processes at once: portals are grouped so that every portal whose home or
column URLs share a host lands in the same shard (one host, one shard), and the groups are spread over the
shards largest first.

    plan = start_sharded_run(sources, data_dir, shards=4)     # the coordinator: run dir, plan, state shares
    crawl_shard(plan.shard_args(i))                           # a worker, once per shard (flows/work.py)
    summary = finish_sharded_run(plan, results)               # the coordinator: one writer merges the state

Files (core/layout.py): the run's own run.json and sources.yaml (every selected portal), and per shard
DATA_DIR/runs/RUN_ID/shards/NNN/ with the usual manifest.jsonl, portals.jsonl, run.json, crawl.log; readers
merge them through core.records.read_manifest / read_portals. Raw bodies go straight to DATA_DIR/raw
(content-addressed, written by rename: safe from many machines on a shared filesystem).

The increment state (DATA_DIR/state/crawl.sqlite) is SQLite, which must not be written from several machines
(its locks do not hold on network filesystems). So the coordinator copies each shard's share (its portals'
documents and portals, every host and robots.txt row) into runs/RUN_ID/shards/.inputs/NNN.sqlite; the worker
copies that to its local disk, crawls with it, and copies it back as shards/NNN/state.sqlite; after every shard
succeeded the coordinator merges them into the state in one transaction. A run with a failed shard merges
nothing (its bodies are stored; the next run fetches what it did not record).
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core import layout

from .sources import NATIONAL_CITATION, Portal, Sources
from .store import State, new_run_id, prepare_run_dir, utcnow

INPUTS_DIR = ".inputs"  # under runs/RUN_ID/shards/: the state shares the coordinator hands out
SHARD_STATE = "state.sqlite"  # in a shard's folder: its state after the crawl, merged by the coordinator


# ------------------------------------------------------------------------------------------------ planning

def portal_hosts(portal: Portal) -> set[str]:
    """The politeness keys (host[:port]) of a portal's home and column URLs."""
    from .middlewares import slot_key

    return {slot_key(u) for u in [portal.url, *portal.column_urls] if u}


def plan_shards(portals: list[Portal], shards: int) -> list[list[str]]:
    """Portal ids per shard: portals sharing a host in one shard, groups spread largest first (at most
    `shards` shards, none empty; portal order within a shard follows the sources)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in portals:
        hosts = sorted(portal_hosts(p)) or [f"portal:{p.id}"]
        for h in hosts[1:]:
            parent[find(h)] = find(hosts[0])
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(portals):
        hosts = sorted(portal_hosts(p)) or [f"portal:{p.id}"]
        groups.setdefault(find(hosts[0]), []).append(i)
    n = max(1, min(shards, len(groups)))
    load = [0] * n
    members: list[list[int]] = [[] for _ in range(n)]
    for g in sorted(groups.values(), key=lambda g: (-len(g), g[0])):
        k = min(range(n), key=lambda j: (load[j], j))
        load[k] += len(g)
        members[k].extend(g)
    return [[portals[i].id for i in sorted(m)] for m in members if m]


# ------------------------------------------------------------------------------------------- state shares

_SHARE_SQL = {
    "docs": "SELECT {cols} FROM main_state.docs WHERE portal_id IN (SELECT id FROM temp.shard_portals)",
    "portals": "SELECT {cols} FROM main_state.portals WHERE portal_id IN (SELECT id FROM temp.shard_portals)",
    "bodies": "SELECT {cols} FROM main_state.bodies WHERE first_portal IN (SELECT id FROM temp.shard_portals)",
    "hosts": "SELECT {cols} FROM main_state.hosts",
    "robots": "SELECT {cols} FROM main_state.robots",
}


def _columns(con: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA {schema}.table_info({table})")]


def _portal_table(con: sqlite3.Connection, portal_ids: list[str]) -> None:
    con.execute("CREATE TEMP TABLE IF NOT EXISTS shard_portals (id TEXT PRIMARY KEY)")
    con.execute("DELETE FROM temp.shard_portals")
    con.executemany("INSERT OR IGNORE INTO temp.shard_portals VALUES (?)", [(p,) for p in portal_ids])


def _empty_state(path: Path) -> None:
    """A state file with the crawler's current schema, as a single file (no WAL beside it)."""
    State(path).close()
    con = sqlite3.connect(str(path))
    try:
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()


def write_state_share(state_path: Path, out: Path, portal_ids: list[str]) -> Path:
    """Copy the shard's share of the increment state into `out` (a new single-file SQLite database)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    _empty_state(out)
    if not Path(state_path).is_file():
        return out  # the first run of this data dir: nothing known yet
    State(state_path).close()  # bring an older state's schema up to date before copying columns by name
    con = sqlite3.connect(str(out), isolation_level=None)
    try:
        con.execute("ATTACH DATABASE ? AS main_state", (str(Path(state_path).resolve()),))
        _portal_table(con, portal_ids)
        con.execute("BEGIN")
        for table, sql in _SHARE_SQL.items():
            cols = [c for c in _columns(con, "main", table) if c in set(_columns(con, "main_state", table))]
            names = ", ".join(cols)
            con.execute(f"INSERT OR REPLACE INTO main.{table} ({names}) " + sql.format(cols=names))
        con.execute("COMMIT")
        con.execute("DETACH DATABASE main_state")
    finally:
        con.close()
    return out


def merge_states(state_path: Path, shares: list[tuple[Path, list[str]]], run_id: str) -> None:
    """Merge every shard's state back: its portals' documents and portal rows replace the old ones, bodies
    seen first are added, hosts and robots.txt rows touched by this run replace theirs.

    All or nothing: the shards are merged into a copy of the state, which then replaces it (SQLite cannot
    ATTACH inside a transaction, and a shard at a time in place would leave half a merge after a crash).
    """
    state_path = Path(state_path)
    State(state_path).close()  # create it (first run) or bring its schema up to date
    _checkpoint(state_path)
    work = state_path.with_name(state_path.name + ".merging")
    shutil.copyfile(state_path, work)
    con = sqlite3.connect(str(work), isolation_level=None)
    try:
        for share, portal_ids in shares:
            con.execute("ATTACH DATABASE ? AS shard", (str(Path(share).resolve()),))
            _portal_table(con, portal_ids)
            con.execute("BEGIN")
            for table in ("docs", "portals"):
                shard_cols = set(_columns(con, "shard", table))
                cols = ", ".join(c for c in _columns(con, "main", table) if c in shard_cols)
                con.execute(f"DELETE FROM main.{table} WHERE portal_id IN (SELECT id FROM temp.shard_portals)")
                con.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM shard.{table} "
                            "WHERE portal_id IN (SELECT id FROM temp.shard_portals)")
            cols = ", ".join(_columns(con, "main", "bodies"))
            con.execute(f"INSERT OR IGNORE INTO main.bodies ({cols}) SELECT {cols} FROM shard.bodies")
            cols = ", ".join(_columns(con, "main", "hosts"))
            con.execute(f"INSERT OR REPLACE INTO main.hosts ({cols}) SELECT {cols} FROM shard.hosts "
                        "WHERE last_run = ?", (run_id,))
            cols = ", ".join(_columns(con, "main", "robots"))
            con.execute(f"INSERT OR REPLACE INTO main.robots ({cols}) SELECT {cols} FROM shard.robots s "
                        "WHERE NOT EXISTS (SELECT 1 FROM main.robots m WHERE m.origin = s.origin "
                        "AND m.fetched_at >= s.fetched_at)")
            con.execute("COMMIT")
            con.execute("DETACH DATABASE shard")
    except BaseException:
        con.close()
        work.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(work, state_path)
    for suffix in ("-wal", "-shm"):  # the old file's (empty after the checkpoint): not the new one's
        Path(str(state_path) + suffix).unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------- a run

@dataclass
class ShardPlan:
    """What the coordinator decided for a sharded run (JSON-able: it travels to the workers)."""

    run_id: str
    run_dir: str
    data_dir: str
    sources_file: str
    full: bool
    shards: list[list[str]]  # portal ids per shard
    polite: bool = True
    settings: dict[str, Any] = field(default_factory=dict)
    started_at: str = ""

    def shard_args(self, index: int) -> dict[str, Any]:
        """The keyword arguments of crawl_shard for shard `index`."""
        return {"run_dir": self.run_dir, "data_dir": self.data_dir, "run_id": self.run_id, "index": index,
                "sources_file": self.sources_file, "portal_ids": self.shards[index], "full": self.full,
                "polite": self.polite, "settings": self.settings}


def share_path(run_dir: Path, index: int) -> Path:
    return Path(run_dir) / layout.SHARDS_DIR / INPUTS_DIR / f"{index:03d}.sqlite"


def start_sharded_run(sources: Sources, data_dir: Path, shards: int, *, full: bool = False, national: bool = False,
                      run_id: str | None = None, polite: bool = True,
                      settings: dict[str, Any] | None = None) -> ShardPlan:
    """Create the run directory, plan the shards and hand out their shares of the state."""
    data_dir = Path(data_dir).resolve()
    run_id = run_id or new_run_id()
    run_dir = prepare_run_dir(data_dir, run_id)
    header = f"Sources of nianbao crawl run {run_id} (sharded), selected from {sources.path or 'the given file'}."
    if national:
        header += "\n" + NATIONAL_CITATION
    sources_file = sources.write(run_dir / layout.SOURCES_FILE, header=header)
    plan = ShardPlan(run_id=run_id, run_dir=str(run_dir), data_dir=str(data_dir), sources_file=str(sources_file),
                     full=full, shards=plan_shards(sources.portals, shards), polite=polite,
                     settings=dict(settings or {}), started_at=utcnow())
    for i, ids in enumerate(plan.shards):
        write_state_share(layout.crawl_state_path(data_dir), share_path(run_dir, i), ids)
    _write_run_json(plan, {"finish_reason": None, "finished_at": None, "portals": len(sources.portals)})
    return plan


def _write_run_json(plan: ShardPlan, extra: dict[str, Any]) -> None:
    path = Path(plan.run_dir) / layout.RUN_FILE
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        run = {}
    run.update({"run_id": plan.run_id, "started_at": plan.started_at, "sources": plan.sources_file,
                "options": {"full": plan.full, "polite": plan.polite, "settings": plan.settings},
                "shards": [{"index": i, "dir": str(layout.shard_dir(Path(plan.run_dir), i)), "portals": ids}
                           for i, ids in enumerate(plan.shards)]})
    run.update(extra)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(run, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def crawl_shard(run_dir: str, data_dir: str, run_id: str, index: int, sources_file: str, portal_ids: list[str],
                full: bool = False, polite: bool = True, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Crawl one shard (on a worker): its own `scrapy crawl` into runs/RUN_ID/shards/NNN with a local copy of
    its state share, copied back when the crawl finished. A leftover of an earlier attempt is moved aside."""
    from .run import crawl

    shard = layout.shard_dir(Path(run_dir), index)
    if shard.exists():
        shard.rename(shard.with_name(f".{shard.name}.attempt-{int(time.time())}"))
    work = Path(tempfile.mkdtemp(prefix=f"nianbao-shard{index:03d}-"))
    try:
        local_state = work / SHARD_STATE
        shutil.copyfile(share_path(Path(run_dir), index), local_state)
        summary = crawl(sources_file, data_dir, only=portal_ids, run_id=run_id, run_dir=shard, state_path=local_state,
                        full=full, polite=polite, settings=settings)
        out = {"index": index, "ok": summary.ok, "error": summary.error, "run_dir": str(shard),
               "portals": len(summary.portals), "totals": summary.totals, "elapsed": summary.elapsed_seconds,
               "host": os.uname().nodename}
        if summary.ok:
            _checkpoint(local_state)
            tmp = shard / f".{SHARD_STATE}.tmp"
            shutil.copyfile(local_state, tmp)
            os.replace(tmp, shard / SHARD_STATE)
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _checkpoint(path: Path) -> None:
    """Fold a WAL into the database file, so the one file holds everything."""
    con = sqlite3.connect(str(path))
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()


def finish_sharded_run(plan: ShardPlan, results: list[dict[str, Any]]) -> dict[str, Any]:
    """After every shard: merge their states (only when all succeeded) and close the run's run.json.
    Returns {"ok", "error", "requests", ...}; the caller raises for a failed run."""
    run_dir = Path(plan.run_dir)
    failed = [r for r in results if not r.get("ok")]
    missing = sorted(set(range(len(plan.shards))) - {r["index"] for r in results})
    error = None
    if failed:
        error = f"shard {failed[0]['index']}: {failed[0].get('error') or 'failed'}"
    elif missing:
        error = f"shard {missing[0]} did not report"
    requests = 0
    for i in range(len(plan.shards)):
        try:
            shard_run = json.loads((layout.shard_dir(run_dir, i) / layout.RUN_FILE).read_text(encoding="utf-8"))
            requests += int(shard_run.get("requests") or 0)
        except (OSError, ValueError):
            pass
    reason = "shard_failed"
    if error is None:
        shares = [(layout.shard_dir(run_dir, i) / SHARD_STATE, ids) for i, ids in enumerate(plan.shards)]
        try:
            merge_states(layout.crawl_state_path(Path(plan.data_dir)), shares, plan.run_id)
        except (sqlite3.Error, OSError) as exc:
            # the state is left as it was (merge_states is all or nothing): the next run fetches these bodies
            # again, and the bodies this run stored are loaded from its manifests (flows/backlog.py)
            reason, error = "state_not_stored", f"the crawl state could not be stored: {type(exc).__name__}: {exc}"
            from .run import disk_full

            if disk_full(Path(plan.data_dir)):
                error += " (no space left on the data directory's disk)"
        else:
            for path, _ in shares:
                path.unlink(missing_ok=True)
            shutil.rmtree(run_dir / layout.SHARDS_DIR / INPUTS_DIR, ignore_errors=True)
    elapsed = sum(float(r.get("elapsed") or 0) for r in results)
    try:
        _write_run_json(plan, {"finished_at": utcnow(), "finish_reason": "finished" if error is None else reason,
                               "error": error, "requests": requests, "shard_results": results,
                               "elapsed_seconds_shards": round(elapsed, 3)})
    except OSError as exc:  # a full disk: the run stays "not finished" on disk, which is what it is
        if error is None:
            error = f"the run's run.json could not be written: {exc}"
    return {"ok": error is None, "error": error, "requests": requests, "results": results}



def plan_to_dict(plan: ShardPlan) -> dict[str, Any]:
    return asdict(plan)
