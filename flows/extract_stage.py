"""The extract stage between crawl and load: every fetched document of a run, extracted once.

Results are cached on disk by content hash and extractor version
(DATA_DIR/extracted/ab/<sha256>.<version>.json), so a nightly run only extracts what is new,
the same body found under two URLs is read once, and `reextract` after a version bump reads the
raw bytes again without crawling.  The run's results are written as JSON Lines beside its
manifest for the single-writer loader.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

DOCUMENT_ROLES = ("report", "attachment")
DOCUMENT_STATES = ("ok", "not_modified")
RESULTS_FILE = "extracted.jsonl"


@dataclass(frozen=True)
class DocRef:
    """A document to extract: where its bytes are and where they came from."""

    sha256: str
    url: str
    role: str


def raw_path(data_dir: Path, sha256: str) -> Path:
    return Path(data_dir) / "raw" / sha256[:2] / sha256


def cache_path(data_dir: Path, sha256: str, version: str) -> Path:
    return Path(data_dir) / "extracted" / sha256[:2] / f"{sha256}.{version}.json"


def read_manifest(run_dir: Path) -> list[dict]:
    rows = []
    with open(Path(run_dir) / "manifest.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def documents_of_run(run_dir: Path) -> list[DocRef]:
    """Report pages and attachments of a run that have a stored body, one per (sha256, url)."""
    seen: set[tuple[str, str]] = set()
    refs = []
    for row in read_manifest(run_dir):
        if row.get("role") not in DOCUMENT_ROLES or row.get("state") not in DOCUMENT_STATES or not row.get("sha256"):
            continue
        key = (row["sha256"], row.get("final_url") or row["url"])
        if key in seen:
            continue
        seen.add(key)
        refs.append(DocRef(row["sha256"], key[1], row["role"]))
    return refs


def extract_one(data_dir: Path, sha256: str, url: str, force: bool = False) -> dict:
    """Extract one stored body (or read the cached result) and return the output dict."""
    from extract.model import UNREADABLE, ExtractResult
    from extract.pipeline import EXTRACTOR_VERSION, extract_bytes

    cache = cache_path(data_dir, sha256, EXTRACTOR_VERSION)
    if not force and cache.is_file():
        result = json.loads(cache.read_text(encoding="utf-8"))
    else:
        raw = raw_path(data_dir, sha256)
        try:
            data = raw.read_bytes()
        except OSError as exc:
            return ExtractResult(source=url, url=url, sha256=sha256, status=UNREADABLE,
                                 reason=f"raw body missing: {exc.strerror}",
                                 extractor_version=EXTRACTOR_VERSION).to_dict()
        result = extract_bytes(data, url, url=url).to_dict()
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache)
    result["source"] = url
    result["url"] = url
    return result


def extract_many(data_dir: str, items: list[tuple[str, str]], force: bool = False) -> list[dict]:
    """Worker entry point (runs in a separate process): a batch of (sha256, url)."""
    return [extract_one(Path(data_dir), sha, url, force) for sha, url in items]


def batches(refs: list[DocRef], size: int) -> list[list[tuple[str, str]]]:
    items = [(r.sha256, r.url) for r in refs]
    return [items[i:i + size] for i in range(0, len(items), size)]


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


WORKER_MEMORY_LIMIT = int(os.environ.get("NIANBAO_WORKER_MEMORY_MB", "3072")) * 1024 * 1024


def _limit_memory() -> None:
    """Cap a worker's address space: a PDF stream that inflates to gigabytes fails alone (MemoryError →
    status unreadable) instead of taking the machine down."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_LIMIT, WORKER_MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass


def make_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the parent runs Prefect's threads and an event loop, which fork does not copy safely
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_limit_memory)


def _crashed(url: str, sha256: str, why: str) -> dict:
    from extract.model import UNREADABLE, ExtractResult
    from extract.pipeline import EXTRACTOR_VERSION

    return ExtractResult(source=url, url=url, sha256=sha256, status=UNREADABLE, reason=f"reader crashed: {why}",
                         extractor_version=EXTRACTOR_VERSION).to_dict()


def _isolate(data_dir: Path, group: list[tuple[str, str]], force: bool) -> list[dict]:
    """A batch whose worker died: run its documents one by one, each in a fresh process, so one bad
    file is marked unreadable and the others are still read."""
    out = []
    for sha, url in group:
        try:
            with make_pool(1) as pool:
                out.extend(pool.submit(extract_many, str(data_dir), [(sha, url)], force).result())
        except BrokenProcessPool as exc:
            out.append(_crashed(url, sha, str(exc) or "worker process died"))
    return out


def extract_batches(data_dir: Path, groups: list[list[tuple[str, str]]], workers: int, force: bool = False,
                    on_batch: Callable[[int], None] | None = None) -> list[dict]:
    """Extract batches in parallel processes; results come back in input order."""
    if not groups:
        return []
    if workers <= 1 or len(groups) == 1:
        out = []
        for g in groups:
            out.extend(extract_many(str(data_dir), g, force))
            if on_batch:
                on_batch(len(g))
        return out
    results: dict[int, list[dict]] = {}
    with make_pool(workers) as pool:
        futures = {pool.submit(extract_many, str(data_dir), g, force): i for i, g in enumerate(groups)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except BrokenProcessPool:
                results[i] = None  # type: ignore[assignment]
                continue
            if on_batch:
                on_batch(len(groups[i]))
    for i, res in list(results.items()):
        if res is None:
            results[i] = _isolate(Path(data_dir), groups[i], force)
            if on_batch:
                on_batch(len(groups[i]))
    return [r for i in range(len(groups)) for r in results[i]]


def write_results(path: Path, results: Iterable[dict]) -> int:
    """Write results as JSON Lines atomically (a crash leaves no half file for the loader)."""
    path = Path(path)
    tmp = path.with_suffix(".jsonl.tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, path)
    return n
