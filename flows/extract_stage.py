"""The extract stage between crawl and load: every fetched document of a run, extracted once.

Results are cached on disk by content hash and extractor version
(DATA_DIR/extracted/ab/<sha256>.<version>.json), so a nightly run only extracts what is new,
the same body found under two URLs is read once, and `reextract` after a version bump reads the
raw bytes again without crawling.  The run's results are written as JSON Lines beside its
manifest for the single-writer loader, with the same results in columns (Parquet) beside them, which the loader
bulk-inserts.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from core import lifetime
from core.columnar import write_columnar
from core.layout import cache_path, pictures_memo_path, raw_path
from core.records import UNREADABLE, ExtractResult, read_manifest, write_jsonl_atomic


@dataclass(frozen=True)
class DocRef:
    """A document to extract: where its bytes are and where they came from.

    A report page whose tables may be pictures carries its picture attachments (url, sha256) and reads
    them with itself, in page order; such a picture carries `part_of`, its page (extract/scans.py).
    """

    sha256: str
    url: str
    role: str
    pictures: tuple[tuple[str, str], ...] = ()
    part_of: str | None = None


def with_pictures(refs: list[DocRef], docs: list[dict]) -> list[DocRef]:
    """Attach to each report page its picture attachments, and to each such picture its page."""
    from dataclasses import replace

    from extract.scans import picture_groups

    pictures, part_of = picture_groups(docs)
    return [replace(r, pictures=tuple(pictures.get(r.url, ())), part_of=part_of.get(r.url)) for r in refs]


def documents_of_run(run_dir: Path) -> list[DocRef]:
    """Report pages and attachments of a run that have a stored body, one per (sha256, url)."""
    seen: set[tuple[str, str]] = set()
    refs = []
    rows = read_manifest(run_dir)
    for row in rows:
        if not row.is_document:
            continue
        key = (row.sha256, row.source_url)
        if key in seen:
            continue
        seen.add(key)
        refs.append(DocRef(row.sha256, row.source_url, row.role))
    return with_pictures(refs, [r.to_dict() for r in rows if r.is_document])


def _raw(data_dir: Path, sha256: str) -> tuple[bytes, tuple[str, str] | None]:
    """A stored body checked against its sha256: (bytes, None) or (b"", (problem, reason))."""
    try:
        data = raw_path(data_dir, sha256).read_bytes()
    except OSError as exc:
        return b"", ("missing", f"raw body missing: {exc.strerror}")
    if hashlib.sha256(data).hexdigest() != sha256:
        return b"", ("corrupt", f"raw body does not match its sha256 ({len(data)} bytes on disk): refused")
    return data, None


def extract_one(data_dir: Path, sha256: str, url: str, force: bool = False,
                pictures: tuple[tuple[str, str], ...] = (), part_of: str | None = None) -> dict:
    """Extract one stored body (or read the cached result) and return the output dict.

    `pictures`: a report page's picture attachments, read with it (extract.scans); `part_of`: this picture's
    report page, which reads it (the picture's own result says so, without OCR of its own).

    The body is checked against its sha256 before it is read: a raw file that went missing or no longer
    matches (bit rot, a partial copy) gives `unreadable` with the reason and `raw_problem` set, which tells
    re-extraction to keep the earlier extraction instead of replacing a good report.
    """
    from extract.pipeline import EXTRACTOR_VERSION, extract_bytes

    if part_of:
        from extract.scans import picture_part

        out = picture_part(url, sha256, part_of).to_dict()
        return out
    if not pictures:
        pictures = _remembered_pictures(data_dir, sha256)
    if pictures:
        return _extract_with_pictures(data_dir, sha256, url, pictures, force)
    cache = cache_path(data_dir, sha256, EXTRACTOR_VERSION)
    if not force and cache.is_file():
        result = json.loads(cache.read_text(encoding="utf-8"))
    else:
        raw = raw_path(data_dir, sha256)
        problem = None
        try:
            data = raw.read_bytes()
        except OSError as exc:
            data, problem = b"", ("missing", f"raw body missing: {exc.strerror}")
        if problem is None and hashlib.sha256(data).hexdigest() != sha256:
            problem = ("corrupt", f"raw body does not match its sha256 ({len(data)} bytes on disk): refused")
        if problem is not None:
            out = ExtractResult(source=url, url=url, sha256=sha256, status=UNREADABLE, reason=problem[1],
                                extractor_version=EXTRACTOR_VERSION).to_dict()
            out["raw_problem"] = problem[0]
            return out
        result = extract_bytes(data, url, url=url).to_dict()
        _cache_result(cache, result)
    result["source"] = url
    result["url"] = url
    return result


def _remembered_pictures(data_dir: Path, sha256: str) -> tuple[tuple[str, str], ...]:
    """The pictures this page body was last read with, when every one of them is still stored.

    A report page answered 304 (or fetched again with the same bytes) is not asked for its attachments again, so
    its pictures are not in that run's manifest.  Read alone, a page whose tables are pictures would turn from a
    report with cells into `no_tables` on a night when nothing changed; the same bytes link the same pictures.
    """
    memo = pictures_memo_path(data_dir, sha256)
    try:
        pictures = tuple((str(u), str(s)) for u, s in json.loads(memo.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return ()
    if not pictures or not all(raw_path(data_dir, s).is_file() for _, s in pictures):
        return ()
    return pictures


def _remember_pictures(data_dir: Path, sha256: str, pictures: tuple[tuple[str, str], ...]) -> None:
    _write_json_atomic(pictures_memo_path(data_dir, sha256), [list(p) for p in pictures])


def _cache_result(cache: Path, result: dict) -> None:
    """Keep a result for the next run, unless a time limit cut it short (that depends on the load: read it
    again next run)."""
    if "timed_out" not in (result.get("reason") or ""):
        _write_json_atomic(cache, result)


def _write_json_atomic(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _extract_with_pictures(data_dir: Path, sha256: str, url: str, pictures: tuple[tuple[str, str], ...],
                           force: bool) -> dict:
    """A report page read with its pictures; cached under a key of the page and every picture."""
    from extract.pipeline import EXTRACTOR_VERSION
    from extract.scans import extract_page_with_pictures, group_sha

    _remember_pictures(data_dir, sha256, pictures)

    cache = cache_path(data_dir, group_sha(sha256, [s for _, s in pictures]), EXTRACTOR_VERSION)
    if not force and cache.is_file():
        result = json.loads(cache.read_text(encoding="utf-8"))
    else:
        data, problem = _raw(data_dir, sha256)
        if problem is not None:
            out = ExtractResult(source=url, url=url, sha256=sha256, status=UNREADABLE, reason=problem[1],
                                extractor_version=EXTRACTOR_VERSION).to_dict()
            out["raw_problem"] = problem[0]
            return out
        bodies = []
        for purl, psha in pictures:
            body, trouble = _raw(data_dir, psha)
            if trouble is None:  # a picture that went missing is left out; the page says what it read
                bodies.append((purl, body))
        result = extract_page_with_pictures(data, url, bodies).to_dict()
        _cache_result(cache, result)
    result["source"] = url
    result["url"] = url
    return result


PAUSE_HOOK_ENV = "NIANBAO_TEST_EXTRACT_PAUSE"  # tests: a worker writes its pid to this path and sleeps


def extract_many(data_dir: str, items: list[tuple], force: bool = False) -> list[dict]:
    """Worker entry point (runs in a separate process): a batch of (sha256, url[, pictures, part_of])."""
    hook = os.environ.get(PAUSE_HOOK_ENV)
    if hook:  # the kill tests stop a run while its extraction workers are busy
        with open(hook, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        time.sleep(float(os.environ.get("NIANBAO_TEST_EXTRACT_PAUSE_SECONDS", "600")))
    return [extract_one(Path(data_dir), item[0], item[1], force, *item[2:]) for item in items]


def batches(refs: list[DocRef] | list[tuple], size: int) -> list[list[tuple]]:
    """Batches of at most `size` documents, the documents in input order; a report page read with its pictures (whole pages
    of OCR: a minute where an HTML page takes milliseconds) is a batch of its own, so that it does not hold up
    the documents batched with it and can start first (`submission_order`)."""
    items = [_item(r) if isinstance(r, DocRef) else tuple(r) for r in refs]
    out: list[list[tuple]] = []
    light: list[tuple] = []
    for item in items:
        if _weight(item):
            out.append([item])
            light = []  # the next light document starts a new batch: the order of the documents is kept
            continue
        if not light:
            out.append(light)
        light.append(item)
        if len(light) >= size:
            light = []
    return out


def _weight(item: tuple) -> int:
    """Pictures a document is read with (each an OCR'd page); 0 for everything else."""
    return len(item[2]) if len(item) > 2 and item[2] else 0


def submission_order(groups: list[list[tuple]]) -> list[int]:
    """Indexes of `groups`, heaviest first (most pictures to OCR), else as given: the long batches start first
    and the short ones fill the other workers around them, instead of one long batch ending the run alone."""
    return sorted(range(len(groups)), key=lambda i: -sum(_weight(it) for it in groups[i]))


def _item(r: DocRef) -> tuple:
    return (r.sha256, r.url, r.pictures, r.part_of) if (r.pictures or r.part_of) else (r.sha256, r.url)


def default_workers() -> int:
    """One extraction process per core (extraction is CPU-bound)."""
    return max(1, os.cpu_count() or 1)


MEMORY_ENV = "NIANBAO_WORKER_MEMORY_MB"
DEFAULT_MEMORY_MB = 3072


def memory_limit_mb(given: int | None = None) -> int:
    """The address-space cap of an extraction process in MiB: `given`, else $NIANBAO_WORKER_MEMORY_MB, else 3072."""
    return int(given or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_MB)


def _limit_memory(limit_bytes: int) -> None:
    """Cap a worker's address space: a PDF stream that inflates to gigabytes fails alone (MemoryError →
    status unreadable) instead of taking the machine down."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    except (ImportError, ValueError, OSError):
        pass


def _init_worker(parent_pid: int, limit_bytes: int, ocr_threads: int) -> None:
    """Each extraction worker: capped memory; killed by the kernel when the process that started it dies (even
    by SIGKILL), so a killed `nianbao run` or Dask worker leaves no reader behind (core.lifetime); and its share
    of the cores for OCR (NIANBAO_OCR_THREADS, unless the operator set it): N workers each running ONNX Runtime
    on every core oversubscribe the machine."""
    lifetime.die_with_parent(parent_pid=parent_pid)
    _limit_memory(limit_bytes)
    os.environ.setdefault("NIANBAO_OCR_THREADS", str(ocr_threads))


def ocr_threads_per_worker(workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def make_pool(workers: int, memory_mb: int | None = None, ocr_threads: int | None = None) -> ProcessPoolExecutor:
    """`ocr_threads`: OCR threads per worker (default: the cores shared among `workers`)."""
    # spawn, not fork: the parent runs Prefect's threads and an event loop, which fork does not copy safely
    limit = memory_limit_mb(memory_mb) * 1024 * 1024
    threads = ocr_threads or ocr_threads_per_worker(workers)
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker,
                               initargs=(os.getpid(), limit, threads))


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: queued batches cancelled, running workers killed (an interrupted run must not wait for
    them to finish their batches)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        try:
            proc.terminate()
        except (OSError, ValueError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + 5
    for proc in procs:
        try:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join(1)
        except (OSError, ValueError, AssertionError):
            pass


@contextmanager
def worker_pool(workers: int, memory_mb: int | None = None) -> Iterator[ProcessPoolExecutor]:
    """A process pool that is shut down normally when the block ends, and killed when it raises (Ctrl-C,
    SIGTERM turned into KeyboardInterrupt by the CLI, a failed write)."""
    pool = make_pool(workers, memory_mb)
    try:
        yield pool
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown(wait=True)


def _crashed(url: str, sha256: str, why: str) -> dict:
    from extract.pipeline import EXTRACTOR_VERSION

    return ExtractResult(source=url, url=url, sha256=sha256, status=UNREADABLE, reason=f"reader crashed: {why}",
                         extractor_version=EXTRACTOR_VERSION).to_dict()


def _isolate(data_dir: Path, group: list[tuple], force: bool, memory_mb: int | None = None) -> list[dict]:
    """A batch whose worker died: run its documents one by one, each in a fresh process, so one bad
    file is marked unreadable and the others are still read."""
    out = []
    for item in group:
        sha, url = item[0], item[1]
        procs: list = []
        try:
            with worker_pool(1, memory_mb) as pool:
                # the process is started (and kept a hold of) before the document goes in: a reader that dies at
                # once could otherwise break the pool, which forgets its processes, before we saw how it died
                pool.submit(os.getpid).result()
                procs = list((getattr(pool, "_processes", None) or {}).values())
                out.extend(pool.submit(extract_many, str(data_dir), [item], force).result())
        except BrokenProcessPool as exc:
            out.append(_crashed(url, sha, _death(procs, memory_mb) or str(exc) or "worker process died"))
    return out


def _death(procs: list, memory_mb: int | None) -> str | None:
    """How a pool's one process ended, for the reason a user reads: a C library that cannot allocate under
    the memory cap aborts (SIGABRT) instead of raising MemoryError (pdfium does)."""
    import signal

    for p in procs:
        p.join(timeout=5)
    codes = [p.exitcode for p in procs if getattr(p, "exitcode", None) is not None]
    if not codes:
        return None
    code = codes[0]
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else f"signal {-code}"
        if -code == signal.SIGABRT:
            return (f"process aborted ({name}), most likely out of memory under the "
                    f"{memory_limit_mb(memory_mb)} MiB cap")
        return f"process killed by {name}"
    return f"process exited with code {code}"


_child_pools: dict[int, tuple[ProcessPoolExecutor, int]] = {}  # per worker thread: its capped child, its cap (MiB)


def _allow_children() -> None:
    """Let a daemonic process (a Dask worker started by its nanny) start the capped child.

    multiprocessing refuses children to daemonic processes only so that they are not orphaned; our child
    leaves by itself when its parent goes (the pool's pipe breaks). Clusters we start set
    distributed.worker.daemon False; this covers `dask worker` processes started without
    DASK_DISTRIBUTED__WORKER__DAEMON=False (docs/scaling.md)."""
    import multiprocessing

    proc = multiprocessing.current_process()
    if proc.daemon:
        proc._config["daemon"] = False  # type: ignore[attr-defined]


def extract_capped(data_dir: str, group: list[tuple], force: bool = False,
                   memory_mb: int | None = None) -> list[dict]:
    """One batch in a capped child process of this one: what a Dask worker runs (flows/cluster.py).

    The child (one per worker thread, kept between batches) has the memory cap; a document that kills it
    breaks only the child: the batch is then read document by document, each in a fresh child, so that
    document is marked unreadable ("reader crashed") and the others are still read, and the Dask worker
    itself lives on.
    """
    limit = memory_limit_mb(memory_mb)
    _allow_children()
    me = threading.get_ident()
    pool, pool_limit = _child_pools.get(me, (None, None))
    if pool is None or pool_limit != limit:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        # one capped child per worker thread; a Dask worker does not know how many share its machine: one
        # OCR thread each unless NIANBAO_OCR_THREADS says otherwise (docs/scaling.md)
        pool = make_pool(1, limit, ocr_threads=1)
        _child_pools[me] = (pool, limit)
    try:
        return pool.submit(extract_many, str(data_dir), group, force).result()
    except BrokenProcessPool:
        _child_pools.pop(me, None)
        pool.shutdown(wait=False, cancel_futures=True)
        if id(pool) in _stopped_pools:  # release_children(stop=True) killed it: the run is over, read nothing more
            _stopped_pools.discard(id(pool))
            raise RuntimeError("extraction stopped: the run that asked for it was interrupted") from None
        return _isolate(Path(data_dir), group, force, limit)


_stopped_pools: set[int] = set()  # ids of pools release_children(stop=True) killed while a batch ran in them


def release_children(stop: bool = False) -> int:
    """Stop this process's capped children (run on every worker when a run's cluster closes: their memory
    is given back, and a worker asked to close does not wait on them). Returns how many were stopped.

    stop=True (the run was interrupted or failed): a child in the middle of a batch is killed, not waited for,
    and the batch it was reading ends with an error instead of being read again document by document."""
    pools = list(_child_pools.values())
    _child_pools.clear()
    for pool, _ in pools:
        if stop:
            _stopped_pools.add(id(pool))
            _terminate(pool)
        else:
            pool.shutdown(wait=True, cancel_futures=True)
    return len(pools)


def extract_batches(data_dir: Path, groups: list[list[tuple[str, str]]], workers: int, force: bool = False,
                    on_batch: Callable[[int], None] | None = None,
                    on_results: Callable[[list[dict]], None] | None = None) -> list[dict]:
    """Extract batches in parallel processes; results come back in input order.  `on_batch(n)` after each
    batch, and `on_results(results)` with its results (progress: scanned pages OCR'd so far)."""
    if not groups:
        return []
    if workers <= 1 or len(groups) == 1:
        out = []
        for g in groups:
            got = extract_many(str(data_dir), g, force)
            out.extend(got)
            if on_results:
                on_results(got)
            if on_batch:
                on_batch(len(g))
        return out
    results: dict[int, list[dict]] = {}
    with worker_pool(workers) as pool:
        futures = {pool.submit(extract_many, str(data_dir), groups[i], force): i for i in submission_order(groups)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except BrokenProcessPool:
                results[i] = None  # type: ignore[assignment]
                continue
            if on_results:
                on_results(results[i])
            if on_batch:
                on_batch(len(groups[i]))
    for i, res in list(results.items()):
        if res is None:
            results[i] = _isolate(Path(data_dir), groups[i], force)
            if on_results:
                on_results(results[i])
            if on_batch:
                on_batch(len(groups[i]))
    return [r for i in range(len(groups)) for r in results[i]]


def write_results(path: Path, results: Iterable[dict]) -> int:
    """Write results as JSON Lines (the public contract) and, beside them, as columnar files for the loader
    (core/columnar.py), each atomically: a crash leaves no half file, and columns that do not match the JSON Lines
    as they are are never used (the loader converts the JSON Lines again)."""
    results = list(results)
    n = write_jsonl_atomic(path, results)
    write_columnar(results, path, source_stat=Path(path).stat())
    return n


def extract_on_cluster(cluster, data_dir: Path, groups: list[list[tuple]], force: bool = False,
                       on_batch: Callable[[int], None] | None = None, report: dict | None = None,
                       on_results: Callable[[list[dict]], None] | None = None) -> list[dict]:
    """Extract batches as tasks on a Dask cluster (flows/cluster.Cluster); results come back in input order.

    Each batch runs in a capped child process on its worker (extract_capped), so the memory cap and the crash
    isolation hold there as they do here. A batch the cluster itself failed (its worker lost: KilledWorker, a
    connection gone) is read here instead, document by document in fresh capped processes: never dropped.
    The memory cap set where the run starts ($NIANBAO_WORKER_MEMORY_MB) travels with each batch.
    `report` (a dict) receives {"batches", "batches_failed_on_cluster", "cluster_error"}: the run summary shows
    them, so a cluster that fails every batch is seen, not hidden behind the local fallback.
    `on_results(results)` with each batch's results (progress: scanned pages OCR'd so far).
    """
    import logging

    from flows import work

    if not groups:
        return []
    memory_mb = int(os.environ[MEMORY_ENV]) if os.environ.get(MEMORY_ENV) else None
    pending = {}
    for i in submission_order(groups):
        fut = cluster.submit(work.extract_batch, extract_capped, data_dir=str(data_dir), group=groups[i], force=force,
                             memory_mb=memory_mb)
        pending[fut.dask.key] = (i, fut)
    results: dict[int, list[dict]] = {}
    lost = []
    for fut in cluster.as_completed([f for _, f in pending.values()]):
        i, _ = pending.pop(fut.dask.key)
        try:
            results[i] = fut.result()
        except Exception as exc:  # noqa: BLE001 - the cluster failed the batch, not a document
            lost.append((i, f"{type(exc).__name__}: {exc}"))
            continue
        finally:
            fut.dask.release()  # the cluster may forget the batch's results now
        if on_batch:
            on_batch(len(groups[i]))
        if on_results:
            on_results(results[i])
    if lost:
        logging.getLogger(__name__).warning("%d extraction batches failed on the cluster (first: %s); reading them "
                                            "here one document at a time", len(lost), lost[0][1])
    if report is not None:
        report["batches"] = report.get("batches", 0) + len(groups)
        report["batches_failed_on_cluster"] = report.get("batches_failed_on_cluster", 0) + len(lost)
        if lost and not report.get("cluster_error"):
            report["cluster_error"] = lost[0][1][:500]
    for i, _why in lost:
        results[i] = _isolate(Path(data_dir), groups[i], force, memory_mb)
        if on_batch:
            on_batch(len(groups[i]))
        if on_results:
            on_results(results[i])
    return [r for i in range(len(groups)) for r in results[i]]
