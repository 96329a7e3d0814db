"""End-to-end tests of the Prefect flows: real flow runs, a real DuckDB file, the demo portal on 127.0.0.1.

Prefect is never imported in the pytest process. Flows run in subprocesses whose environment is built here
(own PREFECT_HOME, telemetry off, a generous start-up timeout for the temporary server, no PREFECT_API_URL
inherited from the user). Each Prefect start costs 20-40 s on a 2-core machine, so the nightly runs share ONE
process (tests/flows/driver.py) driven by the session fixture `pipeline`:

    run1  generation 1, default sources                 first crawl: everything new
    run2  generation 1, default sources                 increment: known reports are not asked for again
    run3  generation 1, sources with recheck_days: 0    increment: every known report re-validated (304)
    (copy of the warehouse for the killed-load test)
    portal.mutate()  -> generation 2 (one new report, one page corrected in place)
    run4  generation 2, recheck_days: 0, while a read-only reader holds the published warehouse open
    run5  generation 2, `nianbao backfill` (a full re-crawl ignoring the increment state)

The results (CLI exit code and summary, manifest rows, the portal's request log, a dump of the warehouse after
each run, what the reader saw) are kept for the test functions and written to RESULTS.json for debugging.
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pytest

# The pytest process itself never needs Prefect, but if anything imports it, it must not touch ~/.prefect nor
# phone home. Must be set before prefect is imported.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="nianbao-test-prefect-")
atexit.register(shutil.rmtree, os.environ["PREFECT_HOME"], True)
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")


from tests.flows.flowkit import (Driver, _reader_state, _reader_state_in_subprocess, manifest_rows, published,  # noqa: E402
                     tail, wh_snapshot, write_sources)


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory):
    import duckdb

    from demoportal.portal import start_portal

    root = tmp_path_factory.mktemp("flows")
    data = root / "data"
    res: dict[str, Any] = {"root": str(root), "data": str(data), "runs": {}, "errors": []}
    portal = start_portal(host="127.0.0.1", slow_seconds=1.0)
    sources = write_sources(portal, root / "sources.yaml")
    recheck = write_sources(portal, root / "sources-recheck.yaml", recheck_days=0)
    res["sources"], res["sources_recheck"] = str(sources), str(recheck)
    driver = None

    def log_rows() -> list[dict]:
        return [{"url": portal.site(e.site_id).base_url.rstrip("/") + e.path, "method": e.method,
                 "status": e.status, "site_id": e.site_id} for e in portal.request_log]

    def run(label: str, sources_file: Path, poll: Callable[[], None] | None = None,
            snapshot: bool = True, command: str = "run") -> dict[str, Any]:
        portal.clear_log()
        exp = portal.expected()
        out = driver.start(label, [command, "--sources", str(sources_file), "--data-dir", str(data)])
        t0 = time.monotonic()
        r = driver.wait(label, out, poll=poll)
        r["wall"] = time.monotonic() - t0
        r["expected"] = exp
        r["log"] = log_rows()
        summary = r.get("summary") or {}
        r["manifest"] = manifest_rows(summary["run_dir"]) if summary.get("run_dir") else []
        r["wh"] = wh_snapshot(published(data)) if snapshot and published(data).exists() else None
        res["runs"][label] = r
        return r

    try:
        driver = Driver(root)
        res["driver_log"] = str(driver.log)
        run("run1", sources)
        run("run2", sources)
        run("run3", recheck)
        # the killed-load test loads run4 into a copy of this warehouse
        kill_base = root / "kill-base"
        shutil.copytree(data / "warehouse", kill_base / "warehouse",
                        ignore=shutil.ignore_patterns(".writer.lock", "*.building*"))
        res["kill_base"] = str(kill_base)

        portal.mutate()
        db_path = published(data)
        reader = duckdb.connect(str(db_path), read_only=True)  # an analyst's connection, open all along
        reader_info: dict[str, Any] = {"inode_before": os.stat(db_path).st_ino, "before": _reader_state(reader),
                                       "during": [], "errors": []}

        def poll() -> None:
            try:
                reader_info["during"].append(_reader_state(reader))
            except Exception as exc:  # noqa: BLE001 - the test reports it
                reader_info["errors"].append(f"{type(exc).__name__}: {exc}")

        try:
            # no snapshot while the reader is open: this process would get the reader's (old) database
            run4 = run("run4", recheck, poll=poll, snapshot=False)
            reader_info["after_old_connection"] = _reader_state(reader)
            reader_info["after_other_process"] = _reader_state_in_subprocess(db_path)
        finally:
            reader.close()
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            reader_info["after_reopen"] = _reader_state(con)
        finally:
            con.close()
        run4["wh"] = wh_snapshot(db_path)
        reader_info["inode_after"] = os.stat(db_path).st_ino
        res["reader"] = reader_info

        run("run5", sources, command="backfill")  # a full re-crawl of the same generation
    except Exception:  # noqa: BLE001 - every test that needs the missing part fails with this
        import traceback

        res["errors"].append(traceback.format_exc())
        res["errors"].append(tail(driver.log) if driver else "")
    finally:
        if driver:
            driver.close()
        portal.stop()
    (root / "RESULTS.json").write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    res["portal"] = portal  # stopped; expected() and site() still answer
    yield res


