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
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

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


def extract_many(data_dir: str, items: list[tuple], force: bool = False) -> list[dict]:
    """Worker entry point (runs in a separate process): a batch of (sha256, url[, pictures, part_of])."""
    return [extract_one(Path(data_dir), item[0], item[1], force, *item[2:]) for item in items]


def batches(refs: list[DocRef] | list[tuple], size: int) -> list[list[tuple]]:
    items = [_item(r) if isinstance(r, DocRef) else tuple(r) for r in refs]
    return [items[i:i + size] for i in range(0, len(items), size)]


def _item(r: DocRef) -> tuple:
    return (r.sha256, r.url, r.pictures, r.part_of) if (r.pictures or r.part_of) else (r.sha256, r.url)


def default_workers() -> int:
    """One extraction process per core (extraction is CPU-bound)."""
    return max(1, os.cpu_count() or 1)


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
    from extract.pipeline import EXTRACTOR_VERSION

    return ExtractResult(source=url, url=url, sha256=sha256, status=UNREADABLE, reason=f"reader crashed: {why}",
                         extractor_version=EXTRACTOR_VERSION).to_dict()


def _isolate(data_dir: Path, group: list[tuple], force: bool) -> list[dict]:
    """A batch whose worker died: run its documents one by one, each in a fresh process, so one bad
    file is marked unreadable and the others are still read."""
    out = []
    for item in group:
        sha, url = item[0], item[1]
        try:
            with make_pool(1) as pool:
                out.extend(pool.submit(extract_many, str(data_dir), [item], force).result())
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
    """Write results as JSON Lines (the public contract) and, beside them, as columnar files for the loader
    (core/columnar.py), each atomically: a crash leaves no half file, and columns that do not match the JSON Lines
    as they are are never used (the loader converts the JSON Lines again)."""
    results = list(results)
    n = write_jsonl_atomic(path, results)
    write_columnar(results, path, source_stat=Path(path).stat())
    return n
