"""A load killed in the middle (SIGKILL inside its transaction) leaves the published warehouse as it was, and
the next load succeeds. Uses a copy of the warehouse after the fixture's run3 and loads run4 (the next
generation) into it through `nianbao load`, as an operator would."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.flows.flowkit import (NIANBAO, compare_dumps, need, popen, prefect_env, published, sha256_file, tail,
                     wh_snapshot)

pytestmark = [pytest.mark.timeout(1800), pytest.mark.slow, pytest.mark.prefect]  # includes the `pipeline` fixture when this module runs alone

PAUSE_ENV = "NIANBAO_TEST_LOAD_PAUSE"  # warehouse.load._pause_hook


def test_killed_load_leaves_the_published_warehouse_intact(pipeline, tmp_path):
    run3, run4 = need(pipeline, "run3", "run4")
    data = tmp_path / "data"
    shutil.copytree(pipeline["kill_base"], data)
    pub = published(data)
    before = wh_snapshot(pub)
    assert compare_dumps(run3["wh"], before) == [], "the copy is not run3's warehouse"
    run_dir = Path(run4["summary"]["run_dir"])
    load_cmd = NIANBAO + ["load", "--run", str(run_dir), "--extracted", str(run_dir / "extracted.jsonl"),
                          "--data-dir", str(data)]
    env = prefect_env(tmp_path / "home")

    hook = tmp_path / "paused.pid"
    proc = popen(load_cmd, env={**env, PAUSE_ENV: str(hook), "NIANBAO_TEST_LOAD_PAUSE_SECONDS": "600"},
                 log=tmp_path / "load1.log")
    try:
        deadline = time.monotonic() + 180
        while not hook.exists():
            assert proc.poll() is None, f"the load ended ({proc.returncode}) before pausing:\n{tail(tmp_path / 'load1.log')}"
            assert time.monotonic() < deadline, "the load never reached its transaction"
            time.sleep(0.1)
        time.sleep(0.2)
        assert hook.read_text().strip() == str(proc.pid)
        building = pub.with_name(pub.name + ".building")
        assert building.exists(), "the writer should be loading into a copy"
        # while the writer sits inside its transaction, readers open the published file as before
        assert wh_snapshot(pub) == before
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    # the published warehouse: same bytes, same answers
    assert sha256_file(pub) == before["sha256"]
    assert wh_snapshot(pub) == before

    # the next load succeeds at once (the lock died with the killed writer; the stale copy is cleared)
    out = subprocess.run(load_cmd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    after = wh_snapshot(pub)
    assert after["sha256"] != before["sha256"]
    assert not building.exists()
    # and gives exactly what the nightly run4 gave (same inputs into the same previous warehouse)
    assert compare_dumps(after, run4["wh"]) == []
    assert len(after["reports"]) == len(before["reports"]) + 1
