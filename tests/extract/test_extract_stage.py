"""The flow's extract stage: parallel workers, the on-disk cache, and a memory bomb kept to its worker."""
import hashlib
import json
import zlib
from pathlib import Path

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


def test_memory_bomb_fails_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_WORKER_MEMORY_MB", "900")  # read by each spawned worker at import
    bomb = (store(tmp_path, pdf_bomb(1400)), "http://127.0.0.1/bomb.pdf")
    good = (store(tmp_path, (SEEDS / "002_0af6aedfa9b98a0c.txt").read_bytes()), "http://127.0.0.1/good.txt")
    results = extract_stage.extract_batches(tmp_path, [[bomb], [good]], workers=2)
    assert results[0]["status"] == "unreadable" and results[0]["reason"]
    assert results[1]["status"] == "ok"
