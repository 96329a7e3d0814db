"""`nianbao serve` against a real Prefect server on 127.0.0.1: the nightly deployment is registered with its
cron (Asia/Shanghai), a run triggered with `prefect deployment run nightly/nightly` completes and fills the
warehouse, and stopping serve with SIGINT (Ctrl-C) leaves the schedule active (pause_on_shutdown=False)."""
from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.flows.flowkit import (NIANBAO, PYTHON, free_port, popen, prefect_env, published, stop, tail, truth_mismatches,
                     wh_snapshot, write_sources)

pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow, pytest.mark.prefect]

CRON = "0 2 * * *"
TZ = "Asia/Shanghai"
TERMINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def prefect_cli() -> list[str]:
    exe = Path(PYTHON).with_name("prefect")
    return [str(exe)] if exe.exists() else [PYTHON, "-m", "prefect"]


def api(base: str, path: str, body: dict | None = None, timeout: float = 30):
    """GET (or POST with a JSON body) on the Prefect REST API: (status, decoded JSON or None)."""
    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json"}, method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None


def wait_for(what: str, fn, timeout: float, procs: dict[str, tuple[subprocess.Popen, Path]], every: float = 1.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        for name, (proc, log) in procs.items():
            assert proc.poll() is None, f"{name} exited ({proc.returncode}) while waiting for {what}:\n{tail(log)}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s:\n" + "\n".join(
            f"--- {name}\n{tail(log)}" for name, (_, log) in procs.items())
        time.sleep(every)


def test_serve_registers_the_nightly_schedule_and_runs_it(tmp_path):
    from demoportal.portal import start_portal

    portal = start_portal(host="127.0.0.1", slow_seconds=1.0)
    sources = write_sources(portal, tmp_path / "sources.yaml")
    data = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}/api"
    procs: dict[str, tuple[subprocess.Popen, Path]] = {}
    server = serve = None
    try:
        server_log = tmp_path / "server.log"
        server = popen(prefect_cli() + ["server", "start", "--host", "127.0.0.1", "--port", str(port)],
                       env=prefect_env(tmp_path / "server-home", PREFECT_UI_ENABLED="false",
                                       PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2"),
                       log=server_log)
        procs["prefect server"] = (server, server_log)
        wait_for("/api/health", lambda: api(base, "/health")[1] is True, 240, procs)

        serve_log = tmp_path / "serve.log"
        serve = popen(NIANBAO + ["serve", "--sources", str(sources), "--data-dir", str(data), "--cron", CRON],
                      env=prefect_env(tmp_path / "serve-home", api_url=base), log=serve_log)
        procs["nianbao serve"] = (serve, serve_log)

        def deployment():
            status, body = api(base, "/deployments/name/nightly/nightly")
            return body if status == 200 else None

        dep = wait_for("deployment nightly/nightly", deployment, 180, procs)
        assert dep["paused"] is False
        assert len(dep["schedules"]) == 1, dep["schedules"]
        sched = dep["schedules"][0]
        assert sched["active"] is True
        assert sched["schedule"]["cron"] == CRON and sched["schedule"]["timezone"] == TZ, sched
        assert dep["parameters"] == {"sources": str(sources.resolve()), "data_dir": str(data.resolve())}
        assert "nianbao" in dep["tags"]

        def runs(**flt):
            status, body = api(base, "/flow_runs/filter", {"deployments": {"id": {"any_": [dep["id"]]}}, **flt})
            return body if status == 200 else []

        # the server's scheduler puts the next nights on the calendar: 02:00 in Shanghai is 18:00 UTC
        upcoming = wait_for("auto-scheduled runs", lambda: [r for r in runs() if r["auto_scheduled"]], 60, procs)
        for r in upcoming:
            when = datetime.fromisoformat(r["expected_start_time"].replace("Z", "+00:00")).astimezone(
                timezone(timedelta(hours=8)))
            assert (when.hour, when.minute) == (2, 0), r["expected_start_time"]

        # trigger a run now, with the command the README gives
        trig = subprocess.run(prefect_cli() + ["deployment", "run", "nightly/nightly"],
                              env=prefect_env(tmp_path / "cli-home", api_url=base), capture_output=True, text=True,
                              timeout=180)
        assert trig.returncode == 0, trig.stdout + trig.stderr
        manual = wait_for("the triggered run", lambda: [r for r in runs() if not r["auto_scheduled"]], 30, procs)
        assert len(manual) == 1, manual
        run_id = manual[0]["id"]

        def finished():
            status, body = api(base, f"/flow_runs/{run_id}")
            return body if status == 200 and body["state"]["type"] in TERMINAL else None

        fr = wait_for("the triggered run to finish", finished, 600, procs, every=2.0)
        assert fr["state"]["type"] == "COMPLETED", (fr["state"], tail(serve_log))

        # the run filled the warehouse like a local one
        wh = wh_snapshot(published(data))
        problems = truth_mismatches({"wh": wh, "expected": portal.expected()})
        assert not problems, "\n".join(problems)

        # the unscheduled deployments beside it: backfill, and reextract, which rebuilds the same cells
        for other in ("backfill/backfill", "reextract/reextract"):
            status, body = api(base, f"/deployments/name/{other}")
            assert status == 200 and body["schedules"] == [], (other, status, body)
        trig = subprocess.run(prefect_cli() + ["deployment", "run", "reextract/reextract", "--param", "force=true"],
                              env=prefect_env(tmp_path / "cli-home", api_url=base), capture_output=True, text=True,
                              timeout=180)
        assert trig.returncode == 0, trig.stdout + trig.stderr
        status, rdep = api(base, "/deployments/name/reextract/reextract")

        def reextract_done():
            status, body = api(base, "/flow_runs/filter", {"deployments": {"id": {"any_": [rdep["id"]]}}})
            done = [r for r in body if r["state"]["type"] in TERMINAL] if status == 200 else []
            return done or None

        rr = wait_for("the reextract run to finish", reextract_done, 600, procs, every=2.0)[0]
        assert rr["state"]["type"] == "COMPLETED", (rr["state"], tail(serve_log))
        problems = truth_mismatches({"wh": wh_snapshot(published(data)), "expected": portal.expected()})
        assert not problems, "\n".join(problems)

        # Ctrl-C stops serving without pausing the schedule
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pytest.fail(f"nianbao serve did not stop within 90 s of SIGINT:\n{tail(serve_log)}")
        dep = deployment()
        assert dep is not None and dep["paused"] is False
        assert [s["active"] for s in dep["schedules"]] == [True]
    finally:
        if serve is not None:
            stop(serve, signal.SIGINT, 60)
        if server is not None:
            stop(server, signal.SIGINT, 60)
        portal.stop()
    assert server.returncode is not None
