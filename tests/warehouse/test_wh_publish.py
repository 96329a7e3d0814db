"""Publishing: a killed load leaves the published warehouse as it was; readers never block the writer."""
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from tests.warehouse.wh_helpers import dump, reader, rows
from tests.warehouse.wh_synth import RunBuilder, make_result

from core.errors import UserError
from warehouse import ingest as ingest_mod
from core import layout
from warehouse import publish
from warehouse.load import PAUSE_HOOK_ENV, load_run

P = "https://www.tc.example.gov.cn"
ROOT = Path(__file__).resolve().parents[2]


def two_runs(data_dir):
    b1 = RunBuilder(data_dir, "20260101T000000Z")
    b1.portal("tc", "达州市通川区人民政府", "511702")
    for i in range(5):
        b1.fetch("tc", f"{P}/{i}.html", "report", result=make_result(seed=i))
    b2 = RunBuilder(data_dir, "20260201T000000Z", started=datetime(2026, 2, 1, tzinfo=timezone.utc))
    b2.portal("tc", "达州市通川区人民政府", "511702")
    for i in range(3, 9):
        b2.fetch("tc", f"{P}/{i}.html", "report", result=make_result(seed=100 + i), body=f"v2 {i}".encode())
    return b1.write(), b2.write()


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_in_subprocess(data_dir, run, env_extra=None):
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from warehouse.load import load_run
        s = load_run(Path({str(data_dir)!r}), Path({str(run[0])!r}), Path({str(run[1])!r}))
        print(s.cells)
    """)
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def count_in_subprocess(data_dir):
    code = textwrap.dedent(f"""
        from pathlib import Path
        from core import layout
        from warehouse import db
        con = db.connect(layout.published_path(Path({str(data_dir)!r})), read_only=True)
        print(con.execute("SELECT count(*) FROM reports").fetchall()[0][0])
        con.close()
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


@pytest.mark.slow
def test_killed_load_leaves_published_warehouse(data_dir, tmp_path):
    run1, run2 = two_runs(data_dir)
    load_run(data_dir, *run1)
    published = layout.published_path(data_dir)
    before_sha, before = sha(published), dump(data_dir)
    marker = tmp_path / "paused"
    proc = load_in_subprocess(data_dir, run2, {PAUSE_HOOK_ENV: str(marker)})
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the load never reached its pause"
            time.sleep(0.05)
        assert layout.build_path(data_dir).exists()  # the load is writing its copy...
        os.kill(proc.pid, signal.SIGKILL)  # ...and dies inside its transaction
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert sha(published) == before_sha
    assert dump(data_dir) == before
    # The next writer gets the lock (the kernel dropped it), removes the stale copy and loads.
    assert layout.build_path(data_dir).exists()
    s = load_run(data_dir, *run2)
    assert s.reports == 6
    assert not layout.build_path(data_dir).exists()
    with reader(data_dir) as con:
        assert rows(con, "SELECT count(*) FROM reports") == [(9,)]


def test_failed_load_leaves_published_warehouse(data_dir, monkeypatch):
    run1, run2 = two_runs(data_dir)
    load_run(data_dir, *run1)
    before_sha = sha(layout.published_path(data_dir))

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("warehouse.load.write_assembly", boom)
    with pytest.raises(RuntimeError):
        load_run(data_dir, *run2)
    assert sha(layout.published_path(data_dir)) == before_sha
    assert not layout.build_path(data_dir).exists()
    assert ingest_mod.write_assembly is not boom


@pytest.mark.slow
def test_reader_does_not_block_load(data_dir):
    run1, run2 = two_runs(data_dir)
    load_run(data_dir, *run1)
    with reader(data_dir) as old:
        assert rows(old, "SELECT count(*) FROM reports") == [(5,)]
        s = load_run(data_dir, *run2)  # completes while the reader holds the published file open
        assert s.reports == 6
        assert rows(old, "SELECT count(*) FROM reports") == [(5,)]  # the old reader still sees the old data
        assert rows(old, "SELECT count(*) FROM cells") == [(5 * 207,)]
        assert count_in_subprocess(data_dir) == 9  # a new reader sees the new data
    with reader(data_dir) as new:
        assert rows(new, "SELECT count(*) FROM reports") == [(9,)]


@pytest.mark.slow
def test_reader_in_another_process_does_not_block_load(data_dir, tmp_path):
    run1, run2 = two_runs(data_dir)
    load_run(data_dir, *run1)
    ready = tmp_path / "ready"
    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from core import layout
        from warehouse import db
        con = db.connect(layout.published_path(Path({str(data_dir)!r})), read_only=True)
        con.execute("SELECT count(*) FROM cells").fetchall()
        Path({str(ready)!r}).write_text("1")
        time.sleep(60)
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert holder.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        s = load_run(data_dir, *run2)
        assert s.reports == 6
        with reader(data_dir) as con:
            assert rows(con, "SELECT count(*) FROM reports") == [(9,)]
    finally:
        holder.kill()
        holder.wait()


def test_one_writer_at_a_time(data_dir):
    run1, _ = two_runs(data_dir)
    with publish.writer_lock(data_dir):
        with pytest.raises(UserError, match="another warehouse writer"):
            load_run(data_dir, *run1)
    assert load_run(data_dir, *run1).reports == 5


def test_stale_build_is_removed(data_dir):
    run1, _ = two_runs(data_dir)
    build = layout.build_path(data_dir)
    build.parent.mkdir(parents=True)
    build.write_bytes(b"garbage from a crashed writer")
    Path(str(build) + ".wal").write_bytes(b"garbage")
    assert load_run(data_dir, *run1).reports == 5
    assert not build.exists() and not Path(str(build) + ".wal").exists()
    with reader(data_dir) as con:
        assert rows(con, "SELECT count(*) FROM reports") == [(5,)]


@pytest.mark.slow
def test_compacting_load_keeps_content(data_dir):
    run1, run2 = two_runs(data_dir)
    load_run(data_dir, *run1)
    load_run(data_dir, *run2)
    before = dump(data_dir)
    load_run(data_dir, *run2, force=True, compact=True)
    assert dump(data_dir) == before
    with reader(data_dir) as con:
        assert rows(con, "SELECT count(*) FROM apply_wide")[0][0] > 0  # views came along
        assert rows(con, "SELECT count(*) FROM runs") == [(2,)]


@pytest.mark.slow
def test_file_does_not_grow_without_bound(data_dir):
    run1, _ = two_runs(data_dir)
    load_run(data_dir, *run1)
    sizes = []
    for _ in range(4):
        load_run(data_dir, *run1, force=True)
        sizes.append(layout.published_path(data_dir).stat().st_size)
    assert max(sizes) <= 2.5 * min(sizes)
