"""The Prefect flows: nightly (crawl → extract → load → checks → export), backfill and reextract.

Import `flows.prefect_env.configure()` before this module when running without a server.
The crawl and the extraction run on a Dask cluster (flows/cluster.py: a LocalCluster sized to the cores,
or the scheduler at `dask_address`): the crawl as shards by host, each its own `scrapy crawl` subprocess
(Twisted's reactor cannot restart in one process), the extraction as batches in capped child processes of
the workers. Loading is done here by one writer that publishes the warehouse atomically, so a failure at any
stage leaves the published warehouse as it was.

Reliability (docs/reliability.md):
- configuration errors (a bad sources file, a missing data directory) are checked in the flow body before any
  task, and fail the run at once with the command line's one-line reason; only network-type errors are retried;
- a flow run holds the data directory's run lock (flows/runlock.py) for its whole life;
- every earlier run that no published load has used (an interrupted night) is extracted and loaded before this
  run's own crawl (flows/backlog.py), so a rerun after any interruption ends with every report loaded;
- the run ends with a table and a markdown artifact and one event per portal that is not ok (flows/artifacts.py).
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from core import layout
from core.errors import UserError
from flows import backlog, config, errors, extract_stage, run_report, stages
from flows.cluster import Cluster, activate, active_cluster
from flows.progress import current
from flows.runlock import run_lock

BATCH_SIZE = stages.BATCH_SIZE


@dataclass
class RunSummary:
    """What a nightly/backfill run did, for the CLI's closing summary and the flow's result."""

    flow: str = "nightly"
    run_id: str | None = None
    run_dir: str | None = None
    portals: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0
    extracted_new: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    ocr_pages: int = 0  # scanned pages read by OCR this run (documents extracted before are not read again)
    load: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)
    snapshot: str | None = None
    warehouse: str | None = None
    # the Dask cluster of the run: address (None: a LocalCluster), workers, slots, and the crawl's shards
    cluster: dict[str, Any] = field(default_factory=dict)
    # earlier runs no published load had used, loaded by this run before its own (flows/backlog.py)
    backlog: list[dict[str, Any]] = field(default_factory=list)
    # reports of this run (and of the backlog) whose extraction failed: {"total": n, "rows": [...]}
    failed: dict[str, Any] = field(default_factory=dict)
    # what the run sent to Prefect (artifact ids, events sent, portals that got worse)
    published: dict[str, Any] = field(default_factory=dict)
    # work that failed without stopping the run; the run ends failed when there is any
    problems: list[str] = field(default_factory=list)
    # wall seconds per stage: crawl, extract, load, checks, export, total (the flow body); the CLI adds
    # flow (the whole flow call), prefect (flow - total: Prefect's start-up and orchestration) and wall
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RunFailed(RuntimeError):
    """The run did its work but some of it failed (the summary says which); the flow ends failed.
    The summary travels in `args` (Prefect keeps the exception of a failed run), so `nianbao run` can still
    print it before its one-line reason and non-zero exit."""

    def __init__(self, message: str, summary: dict[str, Any] | None = None):
        super().__init__(message, summary)

    @property
    def summary(self) -> dict[str, Any] | None:
        return self.args[1] if len(self.args) > 1 else None

    def __str__(self) -> str:
        return str(self.args[0])


@task(name="crawl", retries=2, retry_delay_seconds=[15, 60], retry_condition_fn=errors.retry_if_transient)
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


@task(name="backlog")
def backlog_task(data_dir: str, exclude: list[str]) -> list[dict[str, Any]]:
    """Earlier runs that no published load has used, sealed and ready to load (oldest first)."""
    runs = [backlog.seal(r) for r in backlog.pending_runs(Path(data_dir), exclude=set(exclude))]
    if runs:
        current().note(f"[yellow]![/yellow] {len(runs)} earlier runs were never loaded (an interrupted night); "
                       "loading them first: " + ", ".join(r.run_id for r in runs))
    return [r.to_dict() for r in runs]


@task(name="extract")
def extract_task(data_dir: str, run_dirs: list[str], workers: int | None = None) -> dict[str, Any]:
    """Extract every document of the runs as batches on the run's cluster; one results file per run (`workers`
    is kept for callers of the earlier signature; the cluster's size decides)."""
    from extract.pipeline import EXTRACTOR_VERSION

    per_run = {rd: extract_stage.documents_of_run(Path(rd)) for rd in run_dirs}
    # one extraction per document across the runs (a DocRef carries its pictures, so it is its own key)
    refs = list(dict.fromkeys(r for run_refs in per_run.values() for r in run_refs))
    groups = extract_stage.batches(refs, BATCH_SIZE)
    known = {(r.url, r.sha256) for r in refs if layout.cache_path(Path(data_dir), r.sha256, EXTRACTOR_VERSION).is_file()}
    cached = len(known)

    def ocr_done(batch: list[dict]) -> int:
        # pages OCR'd in this run: a document read on an earlier night comes from the cache, not from OCR
        return sum(int(r.get("ocr_pages") or 0) for r in batch if (r.get("url"), r.get("sha256")) not in known)

    with current().stage("extract", total=len(refs)) as st:
        ocr_seen = [0]

        def on_results(batch: list[dict]) -> None:
            # scanned pages as their batches come back (a page takes seconds to minutes: the operator sees them)
            ocr_seen[0] += ocr_done(batch)
            if ocr_seen[0]:
                st.describe(f"{ocr_seen[0]} scanned pages OCR'd")

        cluster_report: dict[str, Any] = {}
        results = extract_stage.extract_on_cluster(_cluster(), Path(data_dir), groups, on_batch=st.advance,
                                                   report=cluster_report, on_results=on_results)
        by_key = dict(zip(refs, results))
        paths: dict[str, str] = {}
        counts: dict[str, int] = {}
        statuses: dict[str, int] = {}
        for rd, run_refs in per_run.items():
            run_results = [by_key[r] for r in run_refs]
            path = Path(rd) / layout.RESULTS_FILE
            extract_stage.write_results(path, run_results)
            paths[rd], counts[rd] = str(path), len(run_results)
        for res in results:
            statuses[res["status"]] = statuses.get(res["status"], 0) + 1
        ocr_pages = ocr_done(results)
        st.done(f"{len(results)} documents ({len(refs) - cached} new), "
                + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
                + (f"; {ocr_pages} scanned pages OCR'd" if ocr_pages else ""))
    return {"paths": paths, "documents_per_run": counts, "documents": len(results), "new": len(refs) - cached,
            "statuses": statuses, "ocr_pages": ocr_pages, "batches": cluster_report.get("batches", 0),
            "batches_failed_on_cluster": cluster_report.get("batches_failed_on_cluster", 0),
            "cluster_error": cluster_report.get("cluster_error")}


@task(name="load")
def load_task(data_dir: str, run_dirs: list[str], paths: dict[str, str], current_run: str) -> dict[str, Any]:
    """Load the runs in order (the backlog first, this run last); each load publishes on its own.

    A backlog run whose files cannot be read (UserError) is reported and skipped, so that it does not block
    every later night; any other error fails the task (a full disk, a crash) and the next run tries again.
    """
    from warehouse.load import load_run

    out: dict[str, Any] = {"runs": {}, "problems": []}
    with current().stage("load", total=len(run_dirs)) as st:
        for rd in run_dirs:
            try:
                d = load_run(Path(data_dir), Path(rd), Path(paths[rd]), wait=600.0).to_dict()
            except UserError as exc:
                if rd == current_run:
                    raise
                out["problems"].append(f"earlier run {Path(rd).name} could not be loaded: {exc}")
                continue
            out["runs"][rd] = d
            st.advance(1)
        mine = out["runs"].get(current_run, {})
        note = "nothing new" if mine.get("skipped") else f"{mine.get('reports', 0)} reports, {mine.get('cells', 0)} cells"
        earlier = [d for rd, d in out["runs"].items() if rd != current_run]
        if earlier:
            note += (f"; {len(earlier)} earlier runs: {sum(d.get('reports', 0) for d in earlier)} reports, "
                     f"{sum(d.get('cells', 0) for d in earlier)} cells")
        st.done(note)
    out.update(mine)
    return out


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


def _pipeline(name: str, sources: str | None, data_dir: str, only: list[str] | None, full: bool, export: bool,
              out_dir: str | None, workers: int | None, wait: float, dask_address: str | None = None) -> dict[str, Any]:
    logger = get_run_logger()
    # configuration errors: checked here, outside any task, so they fail at once and are never retried
    src, ddir = config.check(sources, data_dir, only)
    if workers is not None and workers < 1:
        raise UserError(f"workers must be 1 or more, not {workers}")
    sources, data_dir = (str(src) if src else None), str(ddir)
    summary = RunSummary(flow=name)
    t = time.perf_counter()

    def timed(stage: str, fn, *args):
        # wall seconds per stage, task orchestration included (bench/bench_pipeline.py prints them)
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            summary.seconds[stage] = round(time.perf_counter() - t0, 3)

    with run_lock(ddir, wait=wait, what=f"the {name} flow"):
        previous = stages.portal_states(ddir)  # each portal's state before this run, for "got worse"
        # crawl shards and extraction batches run on the cluster; loading stays here (one writer)
        t_cluster = time.perf_counter()
        with Cluster(dask_address, workers) as cluster, activate(cluster):
            summary.seconds["cluster"] = round(time.perf_counter() - t_cluster, 3)  # start-up (or connection)
            summary.cluster = {"address": cluster.address, "workers": cluster.worker_count(), "slots": cluster.slots()}
            crawl = timed("crawl", crawl_task, sources, data_dir, only, full)
            summary.run_id, summary.run_dir, summary.portals = crawl["run_id"], crawl["run_dir"], crawl["portals"]
            summary.cluster["shards"] = crawl.get("shards", [])
            pending = backlog_task(data_dir, [crawl["run_id"]])
            run_dirs = [p["run_dir"] for p in pending] + [crawl["run_dir"]]
            ext = timed("extract", extract_task, data_dir, run_dirs)
            summary.documents, summary.extracted_new, summary.statuses = ext["documents"], ext["new"], ext["statuses"]
            summary.ocr_pages = ext.get("ocr_pages", 0)
            summary.cluster.update({k: ext[k] for k in ("batches", "batches_failed_on_cluster", "cluster_error")})
        load = timed("load", load_task, data_dir, run_dirs, ext["paths"], crawl["run_dir"])
        summary.problems += load.pop("problems")
        loaded = load.pop("runs")
        summary.load = load
        summary.backlog = [{**p, "documents": ext["documents_per_run"].get(p["run_dir"], 0),
                            "loaded": p["run_dir"] in loaded,
                            "reports": (loaded.get(p["run_dir"]) or {}).get("reports", 0)} for p in pending]
        summary.quality = timed("checks", checks_task, data_dir)
        if export:
            summary.snapshot = timed("export", export_task, data_dir, out_dir)
        summary.warehouse = str(stages.warehouse_path(ddir))
        summary.failed = stages.failed_reports(ddir, [b["run_id"] for b in summary.backlog] + [crawl["run_id"]])
        try:
            run_report.after_run(summary, data_dir, build=export)  # the site, then runs/RUN_ID/report.html
        except RuntimeError as exc:  # the site was not rebuilt: the run fails once its artifacts are out
            summary.problems.append(str(exc))
        summary.seconds["total"] = round(time.perf_counter() - t, 3)
        report_html = Path(crawl["run_dir"]) / layout.RUN_REPORT_FILE  # linked from the markdown artifact
        summary.published = _publish(summary, previous, str(report_html) if report_html.exists() else None)
    logger.info("run %s: %s", summary.run_id, json.dumps(summary.quality, ensure_ascii=False))
    if summary.problems:
        raise RunFailed("; ".join(summary.problems), summary.to_dict())
    return summary.to_dict()


def _publish(summary: RunSummary, previous: dict[str, dict[str, Any]], report_html: str | None) -> dict[str, Any]:
    """The artifacts and events of the run; a failure to send them is logged, never fatal to the data."""
    from flows import artifacts

    try:
        return artifacts.publish(summary.to_dict(), previous, summary.failed, report_html)
    except Exception as exc:  # noqa: BLE001 - the run's data is loaded; the operator still gets the CLI summary
        get_run_logger().warning("could not publish the run's artifacts and events: %s: %s", type(exc).__name__, exc)
        return {"error": f"{type(exc).__name__}: {exc}",
                "worse": artifacts.got_worse(summary.portals, previous)}


@flow(name="nightly", log_prints=False)
def nightly(sources: str | None, data_dir: str, only: list[str] | None = None, export: bool = True,
            out_dir: str | None = None, workers: int | None = None, wait: float = 0.0,
            dask_address: str | None = None) -> dict[str, Any]:
    """One incremental crawl of every portal in `sources`, then extract, load, check and export.
    `dask_address`: a running Dask scheduler (else $NIANBAO_DASK_ADDRESS, else a LocalCluster of `workers`)."""
    return _pipeline("nightly", sources, data_dir, only, False, export, out_dir, workers, wait, dask_address)


@flow(name="backfill", log_prints=False)
def backfill(sources: str | None, data_dir: str, only: list[str] | None = None, export: bool = True,
             out_dir: str | None = None, workers: int | None = None, wait: float = 0.0,
             dask_address: str | None = None) -> dict[str, Any]:
    """A full crawl that ignores the increment state (new portals, years missed), then the same stages."""
    return _pipeline("backfill", sources, data_dir, only, True, export, out_dir, workers, wait, dask_address)


@flow(name="reextract", log_prints=False)
def reextract(data_dir: str, force: bool = False, export: bool = False, out_dir: str | None = None,
              workers: int | None = None, wait: float = 0.0, dask_address: str | None = None) -> dict[str, Any]:
    """Rebuild reports and cells from the stored raw documents, without crawling (batches on the cluster)."""
    ddir = config.check_data_dir(data_dir)
    with run_lock(ddir, wait=wait, what="the reextract flow"):
        with current().stage("reextract") as st:
            cluster_report: dict[str, Any] = {}
            d = stages.reextract(ddir, force=force, wait=600.0, workers=workers, dask_address=dask_address,
                                 progress=lambda done, total: st.update(done, total), report=cluster_report).to_dict()
            st.done(", ".join(f"{k} {v}" for k, v in d.items()
                              if isinstance(v, (int, float)) and not isinstance(v, bool)))
        out: dict[str, Any] = {"reextract": d, "cluster": {"address": dask_address, **cluster_report},
                               "quality": checks_task(str(ddir))}
        if export:
            out["snapshot"] = export_task(str(ddir), out_dir)
    return out
