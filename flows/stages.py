"""Plain functions behind the flow's tasks, kept free of Prefect so they can be tested and reused."""
from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
from typing import Any


BATCH_SIZE = 25  # documents per task sent to an extraction worker


def warehouse_path(data_dir: Path) -> Path:
    from core.layout import published_path

    return published_path(data_dir)


def reextract(data_dir: Path, force: bool = False, workers: int | None = None, wait: float = 0.0,
              progress: Callable[[int, int], None] | None = None, dask_address: str | None = None,
              cluster: Any = None, report: dict[str, Any] | None = None):
    """Rebuild the stale reports (every report with `force`) from the stored raw bodies, without crawling.

    The warehouse says which reports are stale and loads the new results (one writer, here); the extraction
    runs as batches on a Dask cluster through the same extract stage as the nightly run (capped child
    processes, crash isolation, cache): `cluster` if given, else the scheduler at `dask_address`
    ($NIANBAO_DASK_ADDRESS), else a LocalCluster of `workers` processes (default: one per core). Used by the
    `reextract` flow (batches are Prefect task runs) and by `nianbao reextract` (plain Dask tasks).
    `report` receives the cluster's batch counts (flows.extract_stage.extract_on_cluster).
    """
    from extract.pipeline import EXTRACTOR_VERSION
    from flows import extract_stage
    from flows.cluster import Cluster
    from warehouse.reextract import reextract as rebuild

    def run(c) -> Any:
        def extract_docs(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
            refs = [extract_stage.DocRef(d["sha256"], d["url"], d.get("role") or "") for d in docs]
            refs = extract_stage.with_pictures(refs, docs)  # a scanned report's pictures read with its page
            groups = extract_stage.batches(refs, BATCH_SIZE)
            return extract_stage.extract_on_cluster(c, Path(data_dir), groups, force=force, report=report)

        return rebuild(Path(data_dir), EXTRACTOR_VERSION, extract_docs, force=force, wait=wait, progress=progress)

    if cluster is not None:
        return run(cluster)
    with _LazyCluster(lambda: Cluster(dask_address, workers)) as lazy:
        return run(lazy)


class _LazyCluster:
    """A cluster started on first use: a re-extraction with nothing stale never starts one."""

    def __init__(self, make: Callable[[], Any]):
        self._make, self._cluster = make, None

    def __enter__(self) -> "_LazyCluster":
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._cluster is not None:
            self._cluster.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        if self._cluster is None:
            self._cluster = self._make().__enter__()
        return getattr(self._cluster, name)


def crawl(sources: Path | None, data_dir: Path, only: list[str] | None = None, full: bool = False,
          on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run the crawler (a `scrapy crawl` subprocess) and return its run directory and portal summaries.

    sources None means the bundled national list.  A crawl process that fails (or could not store every
    response) raises; portals that are challenged or unreachable are states in the summary, not failures.
    """
    from crawlers.run import crawl as run_crawl
    from flows.backlog import reopen_incomplete

    # report pages of earlier crawls that did not finish are fetched again, so their attachments are found
    reopened = reopen_incomplete(Path(data_dir))

    def progress(info: dict[str, Any]) -> None:
        if on_progress:
            on_progress(int(info.get("portals_done") or 0), int(info.get("portals_total") or 0))

    summary = run_crawl(Path(sources) if sources else None, Path(data_dir), only=only, full=full, progress=progress)
    if not summary.ok:
        raise RuntimeError(f"crawl {summary.run_id} failed: {summary.error or 'see its crawl.log'}")
    return {
        "run_id": summary.run_id,
        "run_dir": str(summary.run_dir),
        "portals": [p.to_dict() for p in summary.portals],
        "pages": sum(p.count("pages") for p in summary.portals),
        "reports": sum(p.count("reports") for p in summary.portals),
        "reopened": reopened,
    }


def crawl_sharded(sources: Path | None, data_dir: Path, cluster: Any, only: list[str] | None = None,
                  full: bool = False, shards: int | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """The crawl sharded by host across the cluster's workers (crawlers/shards.py): one `scrapy crawl` per
    shard, each into runs/RUN_ID/shards/NNN; the increment state merged by this process when all succeeded.

    `shards` defaults to the cluster's task slots. A shard that fails (after its task's retry) fails the crawl,
    as a failed crawl process does, and nothing of the run's state is merged.
    """
    import time

    from core import layout
    from crawlers.run import load_summary, resolve_sources
    from crawlers.shards import crawl_shard, finish_sharded_run, start_sharded_run
    from flows import work

    src = resolve_sources(Path(sources) if sources else None, only=only)
    plan = start_sharded_run(src, Path(data_dir), shards or cluster.slots(), full=full, national=sources is None)
    futures = [cluster.submit(work.crawl_shard, crawl_shard, **plan.shard_args(i)) for i in range(len(plan.shards))]
    total = sum(len(ids) for ids in plan.shards)
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    remaining = {f.dask.key: f for f in futures}
    last = 0.0
    while remaining:
        done = [k for k, f in remaining.items() if f.dask.done()]
        for key in done:
            fut = remaining.pop(key)
            try:
                results.append(fut.result())
            except Exception as exc:  # noqa: BLE001 - reported as the crawl's failure below
                errors.append(f"{type(exc).__name__}: {exc}")
        if on_progress and time.monotonic() - last > 1.0:
            last = time.monotonic()
            on_progress(sum(_count_lines(p) for p in layout.run_files(Path(plan.run_dir), layout.PORTALS_FILE)), total)
        if remaining:
            time.sleep(0.2)
    if on_progress:
        on_progress(sum(_count_lines(p) for p in layout.run_files(Path(plan.run_dir), layout.PORTALS_FILE)), total)
    finished = finish_sharded_run(plan, results)
    if errors or not finished["ok"]:
        raise RuntimeError(f"crawl failed (run {plan.run_id}): {errors[0] if errors else finished['error']}")
    summary = load_summary(Path(plan.run_dir))
    return {
        "run_id": plan.run_id,
        "run_dir": plan.run_dir,
        "portals": [p.to_dict() for p in summary.portals],
        "pages": sum(p.count("pages") for p in summary.portals),
        "reports": sum(p.count("reports") for p in summary.portals),
        "shards": [{"index": r["index"], "portals": r["portals"], "host": r.get("host"), "worker": r.get("worker"),
                    "seconds": r.get("elapsed")} for r in sorted(results, key=lambda r: r["index"])],
        "requests": finished["requests"],
    }


def _count_lines(path: Path) -> int:
    try:
        with open(path, "rb") as fh:
            return sum(1 for _ in fh)
    except OSError:
        return 0


def quality(data_dir: Path) -> dict[str, Any]:
    """Data-quality figures of the published warehouse (read-only: never blocks or waits for a writer)."""
    from warehouse.db import connect

    path = warehouse_path(data_dir)
    if not path.exists():
        return {"reports": 0, "reports_ok": 0, "reports_with_failed_checks": 0, "checks_failed": 0,
                "cross_year_breaks": 0}
    con = connect(path, read_only=True)
    try:
        reports, reports_ok = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'ok') FROM reports").fetchone()
        failed_reports, failed_checks = con.execute(
            "SELECT count(DISTINCT c.report_key), count(*) FROM checks c JOIN reports r USING (report_key) "
            "WHERE c.ok = false AND r.status = 'ok'").fetchone()
        cross = con.execute("SELECT count(*) FROM cross_year_checks WHERE ok = false").fetchone()[0]
        by_status = dict(con.execute("SELECT status, count(*) FROM reports GROUP BY status ORDER BY status").fetchall())
    finally:
        con.close()
    return {"reports": reports, "reports_ok": reports_ok, "reports_with_failed_checks": failed_reports,
            "checks_failed": failed_checks, "cross_year_breaks": cross, "reports_by_status": by_status}


def _read_published(data_dir: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    """Rows of a query on the published warehouse (read-only; none when there is no warehouse yet)."""
    from warehouse.db import connect

    path = warehouse_path(data_dir)
    if not path.exists():
        return []
    con = connect(path, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def portal_states(data_dir: Path) -> dict[str, dict[str, Any]]:
    """The latest state of each portal in the published warehouse (before this run's load): for "got worse"."""
    rows = _read_published(data_dir, "SELECT portal_id, state, run_id FROM portals")
    return {pid: {"state": state, "run_id": run_id} for pid, state, run_id in rows}


FAILED_REPORT_STATUSES = ("unreadable", "unsupported", "no_tables", "fetch_failed", "not_extracted")


def failed_reports(data_dir: Path, run_ids: list[str], limit: int = 200) -> dict[str, Any]:
    """Reports of these runs whose extraction failed (status and reason), from the published warehouse:
    {"total": n, "rows": the first `limit`}."""
    if not run_ids:
        return {"total": 0, "rows": []}
    marks = ", ".join("?" for _ in run_ids)
    statuses = ", ".join(f"'{s}'" for s in FAILED_REPORT_STATUSES)
    where = f"WHERE run_id IN ({marks}) AND status IN ({statuses})"
    total = _read_published(data_dir, f"SELECT count(*) FROM reports {where}", list(run_ids))
    rows = _read_published(
        data_dir,
        f"SELECT portal_id, agency, report_year, status, reason, source_url, document_url FROM reports {where} "
        f"ORDER BY portal_id, source_url LIMIT {int(limit)}", list(run_ids))
    cols = ("portal_id", "agency", "report_year", "status", "reason", "source_url", "document_url")
    return {"total": int(total[0][0]) if total else 0, "rows": [dict(zip(cols, r)) for r in rows]}
