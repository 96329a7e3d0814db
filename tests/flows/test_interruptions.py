"""An interrupted night, then a normal one: every report loaded, nothing twice, no process left behind
(issue 10 items 2 and 3). Real `nianbao run` processes against the demo portal on 127.0.0.1, killed at each
stage with SIGKILL or SIGTERM, or starved by a full disk (a real small tmpfs where the test can mount one, else
a simulated ENOSPC); then a normal run, and the warehouse is checked against the portal's ground truth.

Each `nianbao run` starts in its own session, so everything it started can be found afterwards by session id.
Most runs use one long-lived `prefect server start` (PREFECT_API_URL); the runs marked `temporary server` start
Prefect's own temporary server, to show that it too ends with the run.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from flows import backlog
from tests.flows.flowkit import (NIANBAO, PYTHON, ROOT, duplicates, kill_session, popen, prefect_cli, prefect_env,
                                 published, sha256_file, start_prefect_server, stop, tail, truth_mismatches,
                                 wait_session_empty, wh_snapshot, write_sources)

pytestmark = [pytest.mark.timeout(1800), pytest.mark.slow, pytest.mark.prefect]

# report pages with attachments (PDF, DOC), a second platform, and a portal that only answers challenges
SITES = ["demo-trs", "demo-hanweb", "demo-waf"]
ENOSPC_DIR = Path(__file__).with_name("enospc")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from demoportal.portal import start_portal

    root = tmp_path_factory.mktemp("interrupt")
    portal = start_portal(host="127.0.0.1", slow_seconds=1.0)
    server = None
    try:
        sources = write_sources(portal, root / "sources.yaml", site_ids=SITES)
        server, api = start_prefect_server(root / "server-home", root / "server.log")
        yield SimpleNamespace(root=root, portal=portal, sources=sources, api=api)
    finally:
        if server is not None:
            stop(server, signal.SIGTERM, 30)
        portal.stop()


def start_run(world, data: Path, log: Path, *, temporary_server: bool = False, extra: list[str] | None = None,
              sources: Path | None = None, **env: str) -> subprocess.Popen:
    home = world.root / ("home-temp" if temporary_server else "home")
    return popen(NIANBAO + ["run", "--sources", str(sources or world.sources), "--data-dir", str(data),
                            "--no-export", *(extra or [])],
                 env=prefect_env(home, api_url=None if temporary_server else world.api, **env), log=log)


def normal_run(world, data: Path, log: Path, **kw) -> str:
    proc = start_run(world, data, log, **kw)
    try:
        proc.wait(timeout=600)
    finally:
        if proc.poll() is None:
            kill_session(proc.pid)
    out = tail(log, 20000)
    assert proc.returncode == 0, out
    return out


def wait_until(what: str, cond, proc: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert proc.poll() is None, f"the run ended ({proc.returncode}) before {what}:\n{tail(log)}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s:\n{tail(log)}"
        time.sleep(0.05)


def document_rows(data: Path) -> int:
    n = 0
    # a sharded crawl (flows/cluster.py) writes one manifest per shard: runs/RUN_ID/shards/NNN/manifest.jsonl
    for manifest in (data / "runs").glob("**/manifest.jsonl"):
        for line in manifest.read_bytes().splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            n += row.get("role") in ("report", "attachment") and row.get("state") == "ok"
    return n


def interrupt(proc: subprocess.Popen, sig: int, log: Path) -> list:
    """Send `sig` to the run's process only (not its group), wait for it, and return what of its session is
    still alive after 15 s (must be nothing)."""
    os.kill(proc.pid, sig)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        kill_session(proc.pid)
        raise AssertionError(f"the run did not end within 120 s of signal {sig}:\n{tail(log)}")
    left = wait_session_empty(proc.pid, 15)
    kill_session(proc.pid)
    return left


def expected(world) -> dict:
    exp = world.portal.expected()
    assert set(SITES) <= set(exp["sites"])
    exp["sites"] = {k: v for k, v in exp["sites"].items() if k in SITES}
    return exp


def assert_complete(world, data: Path) -> None:
    """Every report of the portal is in the warehouse with its cells (status, agency, year, template, every
    cell against the truth), exactly the reports with numbers are ok, nothing is there twice, and no run is
    left unloaded."""
    exp = expected(world)
    wh = wh_snapshot(published(data))
    # image-only reports (numbers only in scanned pictures) are loaded, whatever OCR makes of them: what they
    # should read as is the extraction's concern (tests/flows/test_nightly.py), not recovery's
    images = {r["url"] for s in exp["sites"].values() for r in s["reports"] if r["format"] == "image"}
    loaded = {r["source_url"]: r for r in wh["reports"]}
    assert images <= set(loaded), sorted(images - set(loaded))
    assert all(loaded[u]["status"] in ("ok", "no_tables") for u in images), [loaded[u] for u in images]
    text = {k: v for k, v in exp.items() if k != "sites"}
    text["sites"] = {sid: {**site, "reports": [r for r in site["reports"] if r["format"] != "image"]}
                     for sid, site in exp["sites"].items()}
    problems = truth_mismatches({"wh": wh, "expected": text})
    assert not problems, "\n".join(problems)
    with_numbers = {r["url"] for s in text["sites"].values() for r in s["reports"]}
    ok = {r["source_url"] for r in wh["reports"] if r["status"] == "ok"} - images
    assert ok == with_numbers, (sorted(ok - with_numbers), sorted(with_numbers - ok))
    assert duplicates(published(data)) == {"reports": 0, "report_keys": 0, "report_urls": 0, "documents": 0,
                                           "cells": 0, "checks": 0}
    assert backlog.pending_runs(data) == []


# ------------------------------------------------------------------------------------------------ kills

@pytest.mark.parametrize("sig,temporary_server", [(signal.SIGKILL, True), (signal.SIGTERM, False)],
                         ids=["sigkill-temporary-server", "sigterm"])
def test_killed_during_crawl_then_a_normal_night_loads_every_report(world, tmp_path, sig, temporary_server):
    data = tmp_path / "data"
    data.mkdir()
    log = tmp_path / "killed.log"
    proc = start_run(world, data, log, temporary_server=temporary_server)
    try:
        # mid-crawl: some report bodies stored, the crawl still running
        wait_until("stored report bodies", lambda: document_rows(data) >= 8, proc, log)
        assert not list(data.glob("runs/*/extracted.jsonl")), "the crawl ended before the kill"
        left = interrupt(proc, sig, log)
    finally:
        kill_session(proc.pid)
    assert left == [], f"processes left behind: {left}"  # scrapy, the Prefect server
    if sig == signal.SIGTERM:
        assert proc.returncode == 143, tail(log)
        assert tail(log).strip().splitlines()[-1] == "nianbao: terminated (SIGTERM)"
    assert not published(data).exists()
    out = normal_run(world, data, tmp_path / "rerun.log")
    assert "recovered" in out and "(its crawl did not finish: " in out
    assert_complete(world, data)


@pytest.mark.parametrize("sig,temporary_server", [(signal.SIGKILL, False), (signal.SIGTERM, True)],
                         ids=["sigkill", "sigterm-temporary-server"])
def test_killed_during_extraction_then_a_normal_night_loads_every_report(world, tmp_path, sig, temporary_server):
    data = tmp_path / "data"
    data.mkdir()
    log, hook = tmp_path / "killed.log", tmp_path / "extracting.pids"
    proc = start_run(world, data, log, temporary_server=temporary_server, extra=["--workers", "2"],
                     NIANBAO_TEST_EXTRACT_PAUSE=str(hook))
    try:
        wait_until("busy extraction workers", lambda: hook.exists() and len(hook.read_text().split()) >= 2,
                   proc, log)
        workers = [int(p) for p in hook.read_text().split()]
        left = interrupt(proc, sig, log)
    finally:
        kill_session(proc.pid)
    assert left == [], f"processes left behind: {left}"
    for pid in workers:  # the workers were in the session; check them by pid too
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]
    if sig == signal.SIGTERM:
        assert proc.returncode == 143, tail(log)
    assert not published(data).exists()
    out = normal_run(world, data, tmp_path / "rerun.log")
    assert "recovered" in out
    assert_complete(world, data)


def test_killed_during_load_then_a_normal_night_loads_every_report(world, tmp_path):
    """A first night publishes one portal; the second night is killed inside its load: the published warehouse
    keeps its bytes, the lock the killed run held is no obstacle, and the third night loads everything."""
    data = tmp_path / "data"
    data.mkdir()
    normal_run(world, data, tmp_path / "first.log", extra=["--only", "demo-hanweb"])
    before_sha, before = sha256_file(published(data)), wh_snapshot(published(data))
    total = sum(len(site["reports"]) for site in expected(world)["sites"].values())
    assert 0 < len(before["reports"]) < total
    log, hook = tmp_path / "killed.log", tmp_path / "loading.pid"
    proc = start_run(world, data, log, NIANBAO_TEST_LOAD_PAUSE=str(hook), NIANBAO_TEST_LOAD_PAUSE_SECONDS="600")
    try:
        wait_until("the load's transaction", hook.exists, proc, log)
        assert (data / "warehouse" / "nianbao.duckdb.building").exists()
        left = interrupt(proc, signal.SIGKILL, log)
    finally:
        kill_session(proc.pid)
    assert left == []
    # the killed load published nothing: same bytes, same answers
    assert sha256_file(published(data)) == before_sha
    assert wh_snapshot(published(data)) == before
    # the lock file still names the dead run, but the kernel released its lock with it: the next night runs
    assert f"pid {proc.pid}" in (data / "run.lock").read_text()
    normal_run(world, data, tmp_path / "rerun.log")
    assert_complete(world, data)
    # and a third night changes nothing: nothing is loaded twice
    before = wh_snapshot(published(data))
    out = normal_run(world, data, tmp_path / "third.log")
    assert "recovered" not in out
    after = wh_snapshot(published(data))
    assert (len(after["reports"]), after["cell_rows"]) == (len(before["reports"]), before["cell_rows"])
    assert after["cells"] == before["cells"]


def test_terminated_during_load_stops_at_once_and_publishes_nothing(world, tmp_path):
    """SIGTERM (systemd's stop) inside the load's transaction: the run stops at once with 143 and its one line,
    instead of waiting for the load; nothing is published, no half-built copy is left, the next night loads all."""
    data = tmp_path / "data"
    data.mkdir()
    log, hook = tmp_path / "terminated.log", tmp_path / "loading.pid"
    proc = start_run(world, data, log, NIANBAO_TEST_LOAD_PAUSE=str(hook), NIANBAO_TEST_LOAD_PAUSE_SECONDS="600")
    try:
        wait_until("the load's transaction", hook.exists, proc, log)
        t0 = time.monotonic()
        left = interrupt(proc, signal.SIGTERM, log)
        took = time.monotonic() - t0
    finally:
        kill_session(proc.pid)
    assert left == []
    assert proc.returncode == 143, tail(log)
    assert tail(log).strip().splitlines()[-1] == "nianbao: terminated (SIGTERM)"
    assert took < 60 + 15, took  # not the 600 s the load would have taken (15 s: the session check)
    assert not published(data).exists()
    assert not (data / "warehouse" / "nianbao.duckdb.building").exists()
    normal_run(world, data, tmp_path / "rerun.log")
    assert_complete(world, data)


# ------------------------------------------------------------------------------------------------ a full disk

class SmallDisk:
    """A real tmpfs of a given size where this process may mount one (root), else a simulated ENOSPC."""

    def __init__(self, root: Path, size: str):
        self.root, self.size, self.real = root, size, False
        root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0 and shutil.which("mount"):
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(root)],
                               capture_output=True, text=True)
            self.real = r.returncode == 0
        self.limited = True

    def env(self) -> dict[str, str]:
        if self.real or not self.limited:
            return {}
        budget = {"k": 1 << 10, "m": 1 << 20}[self.size[-1]] * int(self.size[:-1])
        return {"PYTHONPATH": os.pathsep.join([str(ENOSPC_DIR), os.environ.get("PYTHONPATH", "")]),
                "NIANBAO_TEST_ENOSPC_DIR": str(self.root), "NIANBAO_TEST_ENOSPC_BYTES": str(budget)}

    def grow(self, size: str) -> None:
        if self.real:
            subprocess.run(["mount", "-o", f"remount,size={size}", str(self.root)], check=True)
        self.limited = False

    def close(self) -> None:
        if self.real:
            subprocess.run(["umount", "-l", str(self.root)], capture_output=True)


@pytest.mark.parametrize("size", ["2m", "5m"])
def test_full_disk_fails_the_night_in_one_line_and_the_next_loads_every_report(world, tmp_path, size):
    """2 MB fills during the crawl (raw bodies); 5 MB later (extraction cache, run files or the warehouse)."""
    disk = SmallDisk(tmp_path / "disk", size)
    try:
        data = disk.root / "data"
        data.mkdir()
        log = tmp_path / "full.log"
        proc = start_run(world, data, log, **disk.env())
        try:
            proc.wait(timeout=600)
        finally:
            kill_session(proc.pid)
        out = tail(log, 20000)
        assert proc.returncode == 1, out
        # the command's own last line (DuckDB's bindings may add leak notes at interpreter exit after it)
        last = [line for line in out.strip().splitlines() if line.startswith("nianbao: ")][-1]
        assert last.startswith("nianbao: nightly run failed: "), out[-3000:]
        assert "No space left on device" in last or "could not be stored" in last, last
        assert "✓ load" not in out  # never a success for work that failed
        assert not published(data).exists() or _readable(published(data))
        if "✗ crawl" in out:  # a disk error is not a network error: the crawl task was not retried
            (run,) = flow_runs_of(world, data)
            crawl = [t for t in run["tasks"] if t["name"].startswith("crawl-") and not t["name"].startswith("crawl-shard")]
            assert run["state"] == "FAILED" and [(t["state"], t["run_count"]) for t in crawl] == [("FAILED", 1)], run
            shards = [t for t in run["tasks"] if t["name"].startswith("crawl-shard")]  # the crawl's parts on the cluster
            assert shards and all(t["run_count"] == 1 for t in shards), run
        disk.grow("256m")
        normal_run(world, data, tmp_path / "rerun.log")
        assert_complete(world, data)
    finally:
        disk.close()


def _readable(db: Path) -> bool:
    wh_snapshot(db)
    return True


# ------------------------------------------------------------------------------------------------ two runs at once

def test_a_second_run_is_refused_or_waits_while_the_first_holds_the_data_dir(world, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    log, hook = tmp_path / "first.log", tmp_path / "loading.pid"
    first = start_run(world, data, log, NIANBAO_TEST_LOAD_PAUSE=str(hook), NIANBAO_TEST_LOAD_PAUSE_SECONDS="12")
    waiter = None
    try:
        wait_until("the first run's load", hook.exists, first, log)
        env = prefect_env(world.root / "home", api_url=world.api)
        cmd = NIANBAO + ["run", "--sources", str(world.sources), "--data-dir", str(data), "--no-export"]
        t0 = time.monotonic()
        second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        took = time.monotonic() - t0
        assert second.returncode == 75, second.stdout + second.stderr
        assert took < 15, took  # refused before Prefect or any crawl
        lines = second.stderr.strip().splitlines()
        assert lines == [lines[-1]] and lines[-1].startswith("nianbao: ") and "busy" in lines[-1], second.stderr
        assert f"pid {first.pid}" in lines[-1] and "nianbao run" in lines[-1]
        assert "✓" not in second.stdout + second.stderr
        t0 = time.monotonic()
        bounded = subprocess.run(cmd + ["--wait", "2"], env=env, capture_output=True, text=True, timeout=120)
        assert bounded.returncode == 75 and "after waiting 2 s" in bounded.stderr, bounded.stderr
        assert 2 <= time.monotonic() - t0 < 15
        # one that waits long enough runs when the first is done
        waiter = popen(cmd + ["--wait", "300"], env=env, log=tmp_path / "waiter.log")
        first.wait(timeout=300)
        assert first.returncode == 0, tail(log)
        waiter.wait(timeout=300)
        assert waiter.returncode == 0, tail(tmp_path / "waiter.log")
    finally:
        kill_session(first.pid)
        if waiter is not None:
            kill_session(waiter.pid)
    assert_complete(world, data)


# ------------------------------------------------------------------------------------------------ Prefect

def probe(world, flow: str = "nightly", limit: int = 20) -> list[dict]:
    out = subprocess.run([PYTHON, str(Path(__file__).with_name("prefect_probe.py")), flow, str(limit)],
                         env=prefect_env(world.root / "home", api_url=world.api), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def flow_runs_of(world, data: Path, flow: str = "nightly") -> list[dict]:
    return [r for r in probe(world, flow) if (r["parameters"] or {}).get("data_dir") == str(data.resolve())]


def test_artifacts_and_events_of_a_night_with_portals_that_got_worse(world, tmp_path):
    import yaml

    from demoportal.portal import start_portal

    data = tmp_path / "data"
    data.mkdir()
    portal = start_portal(host="127.0.0.1", slow_seconds=1.0)  # its own: this test takes it down
    try:
        sources = write_sources(portal, tmp_path / "sources.yaml", site_ids=SITES)
        normal_run(world, data, tmp_path / "first.log", sources=sources)
    finally:
        portal.stop()
    # the Automation of docs/automations/portal-not-ok.yaml, with a do-nothing action instead of a notification
    import yaml as _yaml

    auto = _yaml.safe_load((ROOT / "docs" / "automations" / "portal-not-ok.yaml").read_text(encoding="utf-8"))
    auto["name"] = f"portal alert {tmp_path.name}"
    auto["actions"] = [{"type": "do-nothing"}]
    made = subprocess.run(prefect_cli() + ["automation", "create", "--from-json", json.dumps(auto)],
                          env=prefect_env(world.root / "home", api_url=world.api), capture_output=True, text=True,
                          timeout=120)
    assert made.returncode == 0, made.stdout + made.stderr
    # the next night every host is gone: demo-hanweb ok -> unreachable, demo-trs partial -> unreachable (worse);
    # demo-waf challenged -> unreachable (as bad as before: not "worse"). No retries, to keep the test short.
    doc = yaml.safe_load(sources.read_text(encoding="utf-8"))
    for p in doc["portals"]:
        p["retry_times"] = 0
    sources.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = normal_run(world, data, tmp_path / "second.log", sources=sources)
    run_dir = sorted((data / "runs").iterdir())[-1]
    # the run's own portals.jsonl and each crawl shard's (runs/RUN_ID/shards/NNN/portals.jsonl)
    portals = {json.loads(x)["id"]: json.loads(x) for path in sorted(run_dir.glob("**/portals.jsonl"))
               for x in path.read_text(encoding="utf-8").splitlines()}
    bad = {pid: p for pid, p in portals.items() if p["state"] != "ok"}
    assert {pid: p["state"] for pid, p in bad.items()} == dict.fromkeys(SITES, "unreachable")
    # `nianbao run` ends with one line per portal that is not ok, with its state and reason
    assert f"portals not ok ({len(bad)})" in out
    not_ok = [line.strip() for line in out.splitlines() if line.startswith("  demo-")]
    assert len(not_ok) == len(bad), not_ok
    for pid, p in bad.items():
        line = next(x for x in not_ok if x.startswith(pid + " ("))
        reason = line.split(f" {p['state']}: ", 1)[1]
        assert reason and reason != "no reason recorded", line
    assert "Connection" in next(x for x in not_ok if x.startswith("demo-hanweb ("))
    deadline = time.monotonic() + 60
    while True:  # events are written by the server a moment after they are sent
        runs = flow_runs_of(world, data)
        assert len(runs) == 2, runs
        latest = runs[0]
        want = {(f"nianbao.portal.{p['state']}", f"nianbao.portal.{pid}") for pid, p in portals.items()
                if p["state"] != "ok"}
        got = {(e["event"], e["resource"]["prefect.resource.id"]) for e in latest["events"]}
        if got == want or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert latest["state"] == "COMPLETED"
    assert got == want and ("nianbao.portal.unreachable", "nianbao.portal.demo-hanweb") in got
    previous = {e["resource"]["prefect.resource.id"]: e["payload"]["previous_state"] for e in latest["events"]}
    assert previous == {"nianbao.portal.demo-hanweb": "ok", "nianbao.portal.demo-trs": "partial",
                        "nianbao.portal.demo-waf": "challenged"}
    for e in latest["events"]:
        assert e["payload"]["reason"] and e["payload"]["run_id"] == run_dir.name, e
        assert {"prefect.resource.id": f"prefect.flow-run.{latest['id']}",
                "prefect.resource.role": "flow-run"} in e["related"], e

    arts = {a["key"]: a for a in latest["artifacts"]}
    table = json.loads(arts["nianbao-portals"]["data"]) if isinstance(arts["nianbao-portals"]["data"], str) \
        else arts["nianbao-portals"]["data"]
    assert arts["nianbao-portals"]["type"] == "table"
    assert {r["portal"]: r["state"] for r in table} == {pid: p["state"] for pid, p in portals.items()}
    for r in table:
        c = portals[r["portal"]]["counts"]
        assert (r["pages"], r["reports"], r["new"], r["errors"]) == (c["pages"], c["reports"], c["new"], c["errors"])
        assert bool(r["reason"]) == (r["state"] != "ok"), r
    md = arts["nianbao-run-summary"]
    assert md["type"] == "markdown"
    text = md["data"]
    assert f"run {run_dir.name}" in text
    assert "got worse since the last run (2)" in text
    assert "| demo-hanweb | 示范区人民政府 | ok | unreachable |" in text
    assert "| demo-trs | 示例县人民政府 | partial | unreachable |" in text
    import duckdb

    con = duckdb.connect(str(published(data)), read_only=True)
    try:
        failed = con.execute("SELECT count(*) FROM reports WHERE status IN ('unreadable', 'unsupported', 'no_tables', "
                             "'fetch_failed', 'not_extracted') AND run_id = ?", [run_dir.name]).fetchone()[0]
    finally:
        con.close()
    assert f"failed extraction or fetch ({failed})" in text
    # the Automation fired once per portal event of the night
    def triggered() -> set[str]:
        import urllib.request

        req = urllib.request.Request(world.api + "/events/filter", method="POST",
                                     headers={"content-type": "application/json"},
                                     data=json.dumps({"filter": {"event": {"name": ["prefect.automation.triggered"]}},
                                                      "limit": 50}).encode())
        with urllib.request.urlopen(req, timeout=30) as resp:
            events = json.loads(resp.read())["events"]
        return {r["prefect.resource.id"] for e in events if e["resource"].get("prefect.resource.name") == auto["name"]
                for r in e["related"]}

    portal_event_ids = {f"prefect.event.{e['id']}" for e in latest["events"]}
    deadline = time.monotonic() + 60
    while not portal_event_ids <= triggered() and time.monotonic() < deadline:
        time.sleep(2)
    assert portal_event_ids <= triggered()
    # the first night's artifacts are there too, and it had nothing that got worse
    first_md = next(a for a in runs[1]["artifacts"] if a["key"] == "nianbao-run-summary")["data"]
    assert "got worse since the last run (0)" in first_md


def test_config_errors_fail_the_flow_at_once_with_the_commands_line_and_no_retry(world, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("portals:\n  - {id: x, name: 测试, url: 'ftp://nope'}\n", encoding="utf-8")
    missing = tmp_path / "unmounted" / "data"
    data = tmp_path / "data"
    data.mkdir()
    env = prefect_env(world.root / "home", api_url=world.api)
    # the command line refuses both before Prefect
    cli = subprocess.run(NIANBAO + ["run", "--sources", str(bad), "--data-dir", str(data)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 2 and cli.stderr.count("\n") == 1, cli.stderr
    line = cli.stderr.strip().removeprefix("nianbao: ")
    code = ("import json, sys\nfrom flows import prefect_env\nprefect_env.configure()\n"
            "from flows.nightly import nightly\nimport time\nt = time.monotonic()\n"
            "s = nightly(sys.argv[1], sys.argv[2], return_state=True)\n"
            "print(json.dumps({'type': s.type.value, 'message': s.message, 'seconds': time.monotonic() - t}))\n")
    for sources, data_dir, want in ((bad, data, line), (world.sources, missing, f"data directory not found: {missing}")):
        out = subprocess.run([PYTHON, "-c", code, str(sources), str(data_dir)], env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        state = json.loads(out.stdout.strip().splitlines()[-1])
        assert state["type"] == "FAILED", state
        assert want in state["message"], (want, state["message"])
        assert state["seconds"] < 30, state
    assert not missing.exists() and not missing.parent.exists()
    runs = probe(world)
    for r in runs:
        if (r["parameters"] or {}).get("data_dir") in (str(data), str(missing)):
            assert r["state"] == "FAILED" and r["tasks"] == [], r  # failed before any task: nothing retried
