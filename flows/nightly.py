"""The Prefect flows: nightly (crawl → extract → load → checks → export), backfill and reextract.

Import `flows.prefect_env.configure()` before this module when running without a server.
The crawl and the extraction run on a Dask cluster (flows/cluster.py: a LocalCluster sized to the cores,
or the scheduler at `dask_address`): the crawl as shards by host, each its own `scrapy crawl` subprocess
(Twisted's reactor cannot restart in one process), the extraction as batches in capped child processes of
the workers. Loading is done here by one writer that publishes the warehouse atomically, so a failure at any
stage leaves the published warehouse as it was.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from core import layout
from flows import extract_stage, run_report, stages
from flows.cluster import Cluster, activate, active_cluster
from flows.progress import current

BATCH_SIZE = stages.BATCH_SIZE


@dataclass
class RunSummary:
    """What a nightly/backfill run did, for the CLI's closing summary and the flow's result."""

    run_id: str | None = None
    run_dir: str | None = None
    portals: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0
    extracted_new: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    load: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)
    snapshot: str | None = None
    warehouse: str | None = None
    # the Dask cluster of the run: address (None: a LocalCluster), workers, slots, and the crawl's shards
    cluster: dict[str, Any] = field(default_factory=dict)
    # wall seconds per stage: crawl, extract, load, checks, export, total (the flow body); the CLI adds
    # flow (the whole flow call), prefect (flow - total: Prefect's start-up and orchestration) and wall
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@task(name="crawl", retries=2, retry_delay_seconds=[15, 60])
def crawl_task(sources: str | None, data_dir: str, only: list[str] | None, full: bool) -> dict[str, Any]:
    """The crawl, sharded by host over the run's cluster (one `scrapy crawl` per shard)."""
    with current().stage("crawl (portals)") as st:
        out = stages.crawl_sharded(Path(sources) if sources else None, Path(data_dir), _cluster(), only=only,
                                   full=full, on_progress=st.update)
        st.done(f"{out['pages']} responses, {out['reports']} reports, {len(out['portals'])} portals")
    return out


def _cluster() -> Cluster:
    cluster = active_cluster()
    if cluster is None:
        raise RuntimeError("the crawl and extract tasks run inside a flow's cluster (flows.cluster.activate)")
    return cluster


@task(name="extract")
def extract_task(data_dir: str, run_dir: str, workers: int | None = None) -> dict[str, Any]:
    """Extract every document of the run as batches on the run's cluster (`workers` is kept for callers of
    the earlier signature; the cluster's size decides)."""
    refs = extract_stage.documents_of_run(Path(run_dir))
    groups = extract_stage.batches(refs, BATCH_SIZE)
    from extract.pipeline import EXTRACTOR_VERSION

    cached = sum(layout.cache_path(Path(data_dir), r.sha256, EXTRACTOR_VERSION).is_file() for r in refs)
    with current().stage("extract", total=len(refs)) as st:
        cluster_report: dict[str, Any] = {}
        results = extract_stage.extract_on_cluster(_cluster(), Path(data_dir), groups, on_batch=st.advance,
                                                   report=cluster_report)
        statuses: dict[str, int] = {}
        for r in results:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        path = Path(run_dir) / layout.RESULTS_FILE
        extract_stage.write_results(path, results)
        ocr_pages = sum(int(r.get("ocr_pages") or 0) for r in results)
        st.done(f"{len(results)} documents ({len(refs) - cached} new), "
                + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
                + (f"; {ocr_pages} scanned pages OCR'd" if ocr_pages else ""))
    return {"path": str(path), "documents": len(results), "new": len(refs) - cached, "statuses": statuses,
            "batches": cluster_report.get("batches", 0),
            "batches_failed_on_cluster": cluster_report.get("batches_failed_on_cluster", 0),
            "cluster_error": cluster_report.get("cluster_error")}


@task(name="load")
def load_task(data_dir: str, run_dir: str, extracted: str) -> dict[str, Any]:
    from warehouse.load import load_run

    with current().stage("load") as st:
        summary = load_run(Path(data_dir), Path(run_dir), Path(extracted), wait=600.0)
        d = summary.to_dict()
        st.done("nothing new" if d.get("skipped") else f"{d.get('reports', 0)} reports, {d.get('cells', 0)} cells")
    return d


@task(name="checks")
def checks_task(data_dir: str) -> dict[str, Any]:
    with current().stage("checks") as st:
        q = stages.quality(Path(data_dir))
        st.done(f"{q['reports_with_failed_checks']} of {q['reports_ok']} reports break an identity; "
                f"{q['cross_year_breaks']} cross-year breaks")
    return q


@task(name="export")
def export_task(data_dir: str, out_dir: str | None) -> str:
    from warehouse.export import export_snapshot

    with current().stage("export") as st:
        path = export_snapshot(Path(data_dir), Path(out_dir) if out_dir else None)
        st.done(str(path))
    return str(path)


def _pipeline(sources: str | None, data_dir: str, only: list[str] | None, full: bool, export: bool,
              out_dir: str | None, workers: int | None, dask_address: str | None = None) -> dict[str, Any]:
    logger = get_run_logger()
    summary = RunSummary()
    t = time.perf_counter()

    def timed(stage: str, fn, *args):
        # wall seconds per stage, task orchestration included (bench/bench_pipeline.py prints them)
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            summary.seconds[stage] = round(time.perf_counter() - t0, 3)

    # crawl shards and extraction batches run on the cluster; loading stays here (one writer)
    t_cluster = time.perf_counter()
    with Cluster(dask_address, workers) as cluster, activate(cluster):
        summary.seconds["cluster"] = round(time.perf_counter() - t_cluster, 3)  # start-up (or connection)
        summary.cluster = {"address": cluster.address, "workers": cluster.worker_count(), "slots": cluster.slots()}
        crawl = timed("crawl", crawl_task, sources, data_dir, only, full)
        summary.run_id, summary.run_dir, summary.portals = crawl["run_id"], crawl["run_dir"], crawl["portals"]
        summary.cluster["shards"] = crawl.get("shards", [])
        ext = timed("extract", extract_task, data_dir, crawl["run_dir"])
        summary.documents, summary.extracted_new, summary.statuses = ext["documents"], ext["new"], ext["statuses"]
        summary.cluster.update({k: ext[k] for k in ("batches", "batches_failed_on_cluster", "cluster_error")})
    summary.load = timed("load", load_task, data_dir, crawl["run_dir"], ext["path"])
    summary.quality = timed("checks", checks_task, data_dir)
    if export:
        summary.snapshot = timed("export", export_task, data_dir, out_dir)
    summary.warehouse = str(stages.warehouse_path(Path(data_dir)))
    run_report.after_run(summary, data_dir, build=export)  # the site, then runs/RUN_ID/report.html
    summary.seconds["total"] = round(time.perf_counter() - t, 3)
    logger.info("run %s: %s", summary.run_id, json.dumps(summary.quality, ensure_ascii=False))
    return summary.to_dict()


@flow(name="nightly", log_prints=False)
def nightly(sources: str | None, data_dir: str, only: list[str] | None = None, export: bool = True,
            out_dir: str | None = None, workers: int | None = None,
            dask_address: str | None = None) -> dict[str, Any]:
    """One incremental crawl of every portal in `sources`, then extract, load, check and export.
    `dask_address`: a running Dask scheduler (else $NIANBAO_DASK_ADDRESS, else a LocalCluster of `workers`)."""
    return _pipeline(sources, data_dir, only, False, export, out_dir, workers, dask_address)


@flow(name="backfill", log_prints=False)
def backfill(sources: str | None, data_dir: str, only: list[str] | None = None, export: bool = True,
             out_dir: str | None = None, workers: int | None = None,
             dask_address: str | None = None) -> dict[str, Any]:
    """A full crawl that ignores the increment state (new portals, years missed), then the same stages."""
    return _pipeline(sources, data_dir, only, True, export, out_dir, workers, dask_address)


@flow(name="reextract", log_prints=False)
def reextract(data_dir: str, force: bool = False, export: bool = False, out_dir: str | None = None,
              workers: int | None = None, dask_address: str | None = None) -> dict[str, Any]:
    """Rebuild reports and cells from the stored raw documents, without crawling (batches on the cluster)."""
    with current().stage("reextract") as st:
        cluster_report: dict[str, Any] = {}
        d = stages.reextract(Path(data_dir), force=force, wait=600.0, workers=workers, dask_address=dask_address,
                             progress=lambda done, total: st.update(done, total), report=cluster_report).to_dict()
        st.done(", ".join(f"{k} {v}" for k, v in d.items() if isinstance(v, (int, float)) and not isinstance(v, bool)))
    out: dict[str, Any] = {"reextract": d, "cluster": {"address": dask_address, **cluster_report},
                           "quality": checks_task(data_dir)}
    if export:
        out["snapshot"] = export_task(data_dir, out_dir)
    return out
