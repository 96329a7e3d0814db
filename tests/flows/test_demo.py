"""`nianbao demo`: the command a new user runs first (a subprocess, as from a terminal)."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess

import pytest

from tests.flows.flowkit import NIANBAO, free_port_base, prefect_env, sha256_file

pytestmark = [pytest.mark.timeout(900), pytest.mark.slow, pytest.mark.prefect]

BOM = b"\xef\xbb\xbf"


def test_demo_runs_end_to_end_and_writes_a_snapshot(tmp_path):
    data = tmp_path / "demo-data"
    env = prefect_env(tmp_path / "unused-home")
    del env["PREFECT_HOME"]  # the demo keeps Prefect's state beside its data (DATA_DIR/.prefect)
    out = subprocess.run(NIANBAO + ["demo", "--data-dir", str(data), "--port-base", str(free_port_base(7))],
                         env=env, cwd=tmp_path, capture_output=True, text=True, timeout=840)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-5000:]
    assert (data / ".prefect").is_dir(), "the demo should not use ~/.prefect"

    db = data / "warehouse" / "nianbao.duckdb"
    m = re.search(r"^\s*DuckDB\s+(\S+)\s*$", text, re.M)
    assert m and m.group(1) == str(db), text[-3000:]
    assert db.is_file()
    m = re.search(r"^\s*snapshot\s+(\S+)\s*$", text, re.M)
    assert m, text[-3000:]
    snap = data / "exports" / m.group(1).rsplit("/", 1)[-1]
    assert m.group(1) == str(snap) and snap.is_dir()

    manifest = json.loads((snap / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["file"]: f for f in manifest["files"]}
    for name in ("reports.csv", "cells.csv", "apply_wide.csv", "quality.csv"):
        raw = (snap / name).read_bytes()
        assert raw.startswith(BOM), name
        rows = list(csv.reader(io.StringIO(raw[len(BOM):].decode("utf-8"))))
        assert len(rows) > 1, name
        assert listed[name]["rows"] == len(rows) - 1, name
        assert listed[name]["sha256"] == sha256_file(snap / name), name
        assert (snap / name.replace(".csv", ".parquet")).is_file()
    reports = list(csv.DictReader(io.StringIO((snap / "reports.csv").read_text(encoding="utf-8-sig"))))
    assert sum(1 for r in reports if r["status"] == "ok") >= 80, "the demo portal has 90 reports with tables"
    # the closing summary names the stages' times
    assert re.search(r"^\s*seconds\s+crawl [\d.]+, extract [\d.]+, load [\d.]+", text, re.M), text[-2000:]
