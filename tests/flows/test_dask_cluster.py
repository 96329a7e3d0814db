"""The flows on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on 127.0.0.1.

- the nightly flow (`nianbao run --dask-address`): crawl shards and extraction batches run as Prefect task runs
  on the two workers, and the warehouse has the same reports and cells as a run on the default local cluster;
- `nianbao reextract --dask-address` and the `reextract` flow through the same cluster leave every cell as it was;
- on the workers, the memory cap holds (set where the run starts: NIANBAO_WORKER_MEMORY_MB travels with each
  batch) and a document that kills its reader is marked unreadable while its batch's other documents are read,
  without the workers dying and without the coordinator's local fallback.

The workers are started with tests/flows/crashhook on their PYTHONPATH (a document holding the marker kills the
process reading it with SIGKILL) and without DASK_DISTRIBUTED__WORKER__DAEMON=False (the harder case).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.flows.flowkit import (PYTHON, ROOT, Driver, by_url, compare_dumps, free_port_base, need, popen,
                                 prefect_env, published, stop, tail, truth_mismatches, wh_snapshot, write_sources)

pytestmark = [pytest.mark.timeout(1800), pytest.mark.slow, pytest.mark.prefect]

CRASHHOOK = Path(__file__).resolve().parent / "crashhook"
CRASH_MARK = "NIANBAO-TEST-CRASH-7f3a"
SEEDS = ROOT / "tests" / "golden" / "seeds"


def _worker_env(home: Path) -> dict[str, str]:
    env = prefect_env(home)
    env["PYTHONPATH"] = os.pathsep.join([str(CRASHHOOK), env["PYTHONPATH"]])
    env["NIANBAO_TEST_CRASH_MARKER"] = CRASH_MARK
    env.pop("NIANBAO_WORKER_MEMORY_MB", None)  # the cap must come from the coordinator
    env.pop("NIANBAO_DASK_ADDRESS", None)
    return env


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    from distributed import Client

    root = tmp_path_factory.mktemp("dask")
    port = free_port_base(1)
    address = f"tcp://127.0.0.1:{port}"
    env = _worker_env(root / "prefect-home")
    procs = [popen([PYTHON, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                    "--no-dashboard"], env=env, log=root / "scheduler.log")]
    try:
        for i in range(2):
            procs.append(popen([PYTHON, "-m", "dask", "worker", address, "--nthreads", "1", "--nworkers", "1",
                                "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{i}",
                                "--local-directory", str(root / f"w{i}")], env=env, log=root / f"worker{i}.log"))
        deadline = time.monotonic() + 240
        client = None
        while client is None:
            try:
                client = Client(address, timeout=10)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        client.wait_for_workers(2, timeout=240)
        workers = sorted(client.scheduler_info()["workers"])
        client.close()
        yield {"address": address, "workers": workers, "root": root}
    finally:
        for p in reversed(procs):  # workers first, then the scheduler (logs stay in `root`)
            stop(p, timeout=30)


def _store(data_dir: Path, data: bytes) -> tuple[str, str]:
    import hashlib

    from core.layout import raw_path

    sha = hashlib.sha256(data).hexdigest()
    p = raw_path(data_dir, sha)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return sha


def test_memory_cap_and_crash_isolation_hold_on_the_workers(dask_cluster, tmp_path, monkeypatch):
    from distributed import Client

    from flows.cluster import Cluster
    from flows.extract_stage import extract_on_cluster
    from tests.extract.test_extract_stage import pdf_bomb

    monkeypatch.setenv("NIANBAO_WORKER_MEMORY_MB", "400")  # here, where the run starts; not in the workers' env
    seeds = sorted(SEEDS.glob("*.txt"))
    good = (_store(tmp_path, seeds[2].read_bytes()), "http://127.0.0.1/good.txt")
    crasher = (_store(tmp_path, f"<html><body>{CRASH_MARK}</body></html>".encode()), "http://127.0.0.1/crash.html")
    other = (_store(tmp_path, seeds[1].read_bytes()), "http://127.0.0.1/other.txt")
    bomb = (_store(tmp_path, pdf_bomb(600)), "http://127.0.0.1/bomb.pdf")  # read whole under the 3 GiB default
    report: dict[str, Any] = {}
    with Cluster(dask_cluster["address"]) as cluster:
        assert cluster.worker_count() == 2
        results = extract_on_cluster(cluster, tmp_path, [[good, crasher, other], [bomb]], report=report)
    by = {r["url"].rsplit("/", 1)[1]: r for r in results}
    assert [r["url"].rsplit("/", 1)[1] for r in results] == ["good.txt", "crash.html", "other.txt", "bomb.pdf"]
    assert by["crash.html"]["status"] == "unreadable"
    assert by["crash.html"]["reason"].startswith("reader crashed")
    assert "SIGKILL" in by["crash.html"]["reason"]
    assert by["good.txt"]["status"] == "ok"
    assert by["other.txt"]["status"] == "ok"
    assert by["bomb.pdf"]["status"] == "unreadable"
    assert "out of memory under the 400 MiB cap" in by["bomb.pdf"]["reason"]  # the coordinator's cap, not 3072
    # both were handled on the workers, not by the coordinator's fallback, and no worker died
    assert report == {"batches": 2, "batches_failed_on_cluster": 0}
    client = Client(dask_cluster["address"], timeout=30)
    try:
        assert sorted(client.scheduler_info()["workers"]) == dask_cluster["workers"]
    finally:
        client.close()


@pytest.fixture(scope="module")
def runs(dask_cluster, tmp_path_factory):
    """One driver (one Prefect start): a local run, a run on the Dask cluster, reextract (command and flow)."""
    from demoportal.portal import start_portal

    root = tmp_path_factory.mktemp("dask-runs")
    portal = start_portal(host="127.0.0.1", slow_seconds=0.2)
    sources = write_sources(portal, root / "sources.yaml")
    res: dict[str, Any] = {"runs": {}, "errors": [], "expected": portal.expected()}
    driver = None

    def run(label: str, argv: list[str] | None = None, flow: str | None = None, **kwargs: Any) -> dict[str, Any]:
        out = driver.start_flow(label, flow, **kwargs) if flow else driver.start(label, argv)
        r = driver.wait(label, out)
        res["runs"][label] = r
        return r

    try:
        driver = Driver(root)
        res["driver_log"] = str(driver.log)
        local, remote = root / "local", root / "remote"
        run("local", ["run", "--sources", str(sources), "--data-dir", str(local), "--no-export"])
        res["local"] = wh_snapshot(published(local))
        run("dask", ["run", "--sources", str(sources), "--data-dir", str(remote), "--no-export",
                     "--dask-address", dask_cluster["address"]])
        res["dask"] = wh_snapshot(published(remote))
        run("reextract-cli", ["reextract", "--data-dir", str(remote), "--force",
                              "--dask-address", dask_cluster["address"]])
        res["reextract-cli"] = wh_snapshot(published(remote))
        run("reextract-flow", flow="reextract", data_dir=str(remote), force=True,
            dask_address=dask_cluster["address"])
        res["reextract-flow"] = wh_snapshot(published(remote))
    except Exception:  # noqa: BLE001 - every test that needs the missing part fails with this
        import traceback

        res["errors"].append(traceback.format_exc())
        res["errors"].append(tail(driver.log) if driver else "")
    finally:
        if driver:
            driver.close()
        portal.stop()
    yield res
    shutil.rmtree(root, ignore_errors=True)


def _cells_by_url(wh: dict) -> dict[str, tuple]:
    reports = by_url(wh)
    return {url: (r["status"], r["template"], r["report_year"], r["agency"], wh["cells"].get(r["report_id"], {}))
            for url, r in reports.items()}


def test_nightly_on_the_cluster_has_the_cells_of_a_local_run(runs, dask_cluster):
    local, dask = need(runs, "local", "dask")
    assert dask["summary"]["cluster"]["address"] == dask_cluster["address"]
    assert dask["summary"]["cluster"]["workers"] == 2
    assert local["summary"]["cluster"]["address"] is None  # the default: a local cluster
    assert _cells_by_url(runs["dask"]) == _cells_by_url(runs["local"])
    assert runs["dask"]["cell_rows"] == runs["local"]["cell_rows"] > 0


def test_nightly_on_the_cluster_matches_the_portal_truth(runs):
    need(runs, "dask")
    problems = truth_mismatches({"wh": runs["dask"], "expected": runs["expected"]})
    assert not problems, "\n".join(problems)


def test_the_crawl_ran_in_shards_by_host_on_the_workers(runs, dask_cluster):
    (dask,) = need(runs, "dask")
    cluster = dask["summary"]["cluster"]
    shards = cluster["shards"]
    assert len(shards) == 2  # seven demo sites (seven hosts) over two worker slots
    assert {s["worker"] for s in shards} <= set(dask_cluster["workers"])
    assert sum(s["portals"] for s in shards) == len(dask["summary"]["portals"])
    # the extraction too ran as batches on the cluster, none read by the coordinator's fallback
    assert cluster["batches"] > 0 and cluster["batches_failed_on_cluster"] == 0


def test_reextract_command_and_flow_on_the_cluster_keep_every_cell(runs):
    need(runs, "dask", "reextract-cli", "reextract-flow")
    assert not compare_dumps(runs["dask"], runs["reextract-cli"])
    assert not compare_dumps(runs["dask"], runs["reextract-flow"])
    flow = runs["runs"]["reextract-flow"]["summary"]
    assert flow["reextract"]["documents_extracted"] > 0
    assert flow["cluster"]["batches"] > 0 and flow["cluster"]["batches_failed_on_cluster"] == 0
