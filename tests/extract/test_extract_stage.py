"""The flow's extract stage: parallel workers, the on-disk cache, and a memory bomb kept to its worker."""
import hashlib
import os
import json
import zlib
from pathlib import Path

import pytest

from flows import extract_stage

SEEDS = Path(__file__).parent.parent / "golden" / "seeds"


def store(data_dir: Path, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    p = extract_stage.raw_path(data_dir, sha)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return sha


def pdf_bomb(inflated_mb: int) -> bytes:
    """A one-page PDF whose content stream inflates to `inflated_mb` MiB."""
    comp = zlib.compressobj(9)
    block = b" " * (1 << 20)
    stream = b"".join(comp.compress(block) for _ in range(inflated_mb)) + comp.compress(b"BT ET") + comp.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_parallel_batches_keep_order_and_cache(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))
    items = [(store(tmp_path, p.read_bytes()), f"http://127.0.0.1/{p.name}") for p in seeds]
    groups = [items[:2], items[2:4], items[4:]]
    done, seen = [], []
    results = extract_stage.extract_batches(tmp_path, groups, workers=2, on_batch=done.append, on_results=seen.append)
    assert [r["url"] for r in results] == [u for _, u in items]
    assert sorted(r["url"] for batch in seen for r in batch) == sorted(u for _, u in items)
    assert all(r["status"] == "ok" for r in results) and sum(done) == len(items)
    from extract.pipeline import EXTRACTOR_VERSION

    cached = extract_stage.cache_path(tmp_path, items[0][0], EXTRACTOR_VERSION)
    assert json.loads(cached.read_text(encoding="utf-8"))["sha256"] == items[0][0]


@pytest.mark.slow
def test_memory_bomb_fails_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_WORKER_MEMORY_MB", "900")  # read by each spawned worker at import
    bomb = (store(tmp_path, pdf_bomb(1400)), "http://127.0.0.1/bomb.pdf")
    good = (store(tmp_path, (SEEDS / "002_0af6aedfa9b98a0c.txt").read_bytes()), "http://127.0.0.1/good.txt")
    results = extract_stage.extract_batches(tmp_path, [[bomb], [good]], workers=2)
    assert results[0]["status"] == "unreadable" and results[0]["reason"]
    assert results[1]["status"] == "ok"


# A document that takes its reader process down (tests/flows/crashhook: SIGKILL on a marker, as a segfault in a
# C library would). The hook reaches the spawned children through the environment they inherit.
CRASHHOOK = Path(__file__).resolve().parents[1] / "flows" / "crashhook"
CRASH_MARK = "NIANBAO-TEST-CRASH-7f3a"


@pytest.fixture
def crash_env(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(CRASHHOOK), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("NIANBAO_TEST_CRASH_MARKER", CRASH_MARK)


def _crash_batch(tmp_path):
    good = (store(tmp_path, (SEEDS / "002_0af6aedfa9b98a0c.txt").read_bytes()), "http://127.0.0.1/good.txt")
    crasher = (store(tmp_path, f"<html><body>{CRASH_MARK}</body></html>".encode()), "http://127.0.0.1/crash.html")
    other = (store(tmp_path, (SEEDS / "001_d872e84ffe724e9d.txt").read_bytes()), "http://127.0.0.1/other.txt")
    return [good, crasher, other]


@pytest.mark.slow
def test_a_document_that_kills_its_reader_is_unreadable_and_its_batch_still_read(tmp_path, crash_env):
    results = extract_stage.extract_capped(str(tmp_path), _crash_batch(tmp_path))
    assert [r["url"].rsplit("/", 1)[1] for r in results] == ["good.txt", "crash.html", "other.txt"]
    assert results[1]["status"] == "unreadable" and results[1]["reason"].startswith("reader crashed")
    assert results[0]["status"] == "ok"
    assert results[2]["status"] == "ok"
    # the next batch gets a fresh capped child
    again = extract_stage.extract_capped(str(tmp_path), [_crash_batch(tmp_path)[0]])
    assert again[0]["status"] == "ok"
    assert extract_stage.release_children() == 1


@pytest.mark.slow
def test_the_capped_child_holds_the_memory_cap(tmp_path):
    # 600 MiB inflated in a 400 MiB address space: pdfium cannot allocate and aborts its process (read whole
    # under the default 3 GiB cap, measured here: no_tables); the bomb is unreadable with a reason naming the cap,
    # and the batch's other document is read in a fresh child
    bomb = (store(tmp_path, pdf_bomb(600)), "http://127.0.0.1/bomb.pdf")
    good = (store(tmp_path, (SEEDS / "002_0af6aedfa9b98a0c.txt").read_bytes()), "http://127.0.0.1/good.txt")
    results = extract_stage.extract_capped(str(tmp_path), [bomb, good], memory_mb=400)
    assert results[0]["status"] == "unreadable"
    assert "out of memory under the 400 MiB cap" in results[0]["reason"]
    assert results[1]["status"] == "ok"
    extract_stage.release_children()


class _LostCluster:
    """A cluster whose worker died under one batch (Dask raises KilledWorker from its result)."""

    class _Fut:
        def __init__(self, key, value):
            self.key, self.value = key, value
            self.dask = self

        def result(self):
            if isinstance(self.value, Exception):
                raise self.value
            return self.value

        def release(self):
            pass

    def submit(self, task, fn, **params):
        group = params["group"]
        if any(url.endswith("lost.txt") for _, url in group):
            return self._Fut(id(group), RuntimeError("KilledWorker: attempted to run task 3 times"))
        return self._Fut(id(group), fn(**params))

    def as_completed(self, futures):
        return list(futures)


@pytest.mark.slow
def test_a_batch_the_cluster_loses_is_read_here_and_counted(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))
    a = (store(tmp_path, seeds[0].read_bytes()), "http://127.0.0.1/a.txt")
    lost = (store(tmp_path, seeds[1].read_bytes()), "http://127.0.0.1/lost.txt")
    report = {}
    results = extract_stage.extract_on_cluster(_LostCluster(), tmp_path, [[a], [lost]], report=report)
    assert [r["status"] for r in results] == ["ok", "ok"]
    assert report["batches"] == 2 and report["batches_failed_on_cluster"] == 1
    assert "KilledWorker" in report["cluster_error"]
    extract_stage.release_children()


def test_a_report_read_with_its_pictures_is_a_batch_of_its_own_and_goes_first():
    refs = [extract_stage.DocRef(f"{i:064x}", f"http://h/{i}.html", "report") for i in range(7)]
    scan = extract_stage.DocRef("f" * 64, "http://h/scan.html", "report",
                                pictures=(("http://h/1.jpg", "a" * 64), ("http://h/2.jpg", "b" * 64)))
    refs.insert(3, scan)
    groups = extract_stage.batches(refs, 2)
    assert [it[1] for g in groups for it in g] == [r.url for r in refs]  # every document, in order
    assert [len(g) for g in groups] == [2, 1, 1, 2, 2]
    assert groups[2] == [("f" * 64, "http://h/scan.html", scan.pictures, None)]
    assert extract_stage.submission_order(groups) == [2, 0, 1, 3, 4]
