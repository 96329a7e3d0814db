"""Pipeline benchmark: `nianbao demo` end to end (127.0.0.1 only), wall time split by stage.

Runs `nianbao demo` twice as a subprocess on a fresh data directory (the first run crawls and extracts
everything; the second is the incremental run: list pages re-read, nothing fetched again), then starts a
long-lived `prefect server` on 127.0.0.1 and runs the incremental demo a third time against it
(PREFECT_API_URL set, as `nianbao serve` and a national night run), and prints, per run, where the time goes:

    prefect    Prefect's start-up and the flow's orchestration (the whole flow call minus its body); with the
               temporary server this includes starting it (its own line, `server`, is printed below the table)
    crawl      the `scrapy crawl` subprocess with the demo's politeness (0.2 s per site, sites in parallel)
    extract    extraction in worker processes (cached by content hash: nothing new on the second run)
    load       the single writer: copy of the warehouse, load, CHECKPOINT, atomic swap
    checks     quality figures from the published warehouse
    export     the dated CSV/Parquet snapshot
    other      the rest of the process: Python imports, starting the demo portal, printing the summary

The stage figures come from the flow's own summary (RunSummary.seconds, printed by the CLI on its `seconds`
line); `process` is the subprocess's wall time measured here. The issue-12 row "Prefect per run" is the
`prefect` share of the incremental run against the running server over the same share of the incremental run
on a temporary server (same data, same run of this script); the running server's own start-up is printed apart
(it is paid once, not per run). The server is asked afterwards how many flow runs it holds, so a run that
silently fell back to a temporary server would show.

    python bench/bench_pipeline.py [--json] [--data-dir DIR] [--port-base PORT] [--no-server]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("prefect", "crawl", "extract", "load", "checks", "export", "other")
LABELS = {"prefect": "Prefect start-up + orchestration", "crawl": "crawl", "extract": "extract", "load": "load",
          "checks": "checks", "export": "export", "other": "other (imports, portal, summary)"}



def free_port_base(n: int = 7) -> int:
    from demoportal.server import free_port_base as find

    return find(n)


def demo_env(api_url: str | None = None) -> dict[str, str]:
    # No Prefect settings from the caller (a PREFECT_API_URL would send the demo to a server): the demo
    # configures its own (PREFECT_HOME in the data directory, telemetry off); `api_url`: the running server.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"DO_NOT_TRACK": "1", "COLUMNS": "200", "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def prefect_cli() -> list[str]:
    exe = Path(sys.executable).with_name("prefect")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "prefect"]


def api(base: str, path: str, body: dict | None = None) -> tuple[int, object]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except (urllib.error.URLError, OSError, ValueError):
        return 0, None


def start_server(home: Path) -> tuple[str, subprocess.Popen, float, Path]:
    """A long-lived `prefect server start` on a free port of 127.0.0.1: (api url, process, start-up s, log)."""
    from demoportal.server import free_port_base as find

    port = find(1)
    base = f"http://127.0.0.1:{port}/api"
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_UI_ENABLED": "false"})
    log = home / "server.log"
    t0 = time.perf_counter()
    proc = subprocess.Popen(prefect_cli() + ["server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    while time.perf_counter() - t0 < 300:
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited {proc.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        if api(base, "/health")[1] is True:
            return base, proc, time.perf_counter() - t0, log
        time.sleep(0.5)
    stop_server(proc)
    raise RuntimeError("prefect server did not answer /api/health within 300 s")


def stop_server(proc: subprocess.Popen) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def parse_summary(text: str) -> dict:
    """The figures of the CLI's closing summary."""
    out: dict = {}
    m = re.search(r"^\s*seconds\s+(.+)$", text, re.M)
    if not m:
        raise RuntimeError("no `seconds` line in the demo's summary:\n" + text[-3000:])
    out["seconds"] = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)", m.group(1))}
    for key, pattern in (("reports_found", r"^\s*reports found\s+(\d+)"),
                         ("documents", r"\((\d+) documents incl\. attachments"),
                         ("newly_extracted", r"; (\d+) newly extracted\)"),
                         ("cells_loaded", r"^\s*cells loaded\s+(\d+)")):
        m = re.search(pattern, text, re.M)
        out[key] = int(m.group(1)) if m else None
    return out


def run_demo(data_dir: Path, port_base: int, label: str, api_url: str | None = None) -> dict:
    cmd = [sys.executable, "-m", "nianbao.cli", "demo", "--data-dir", str(data_dir), "--port-base", str(port_base)]
    print(f"[{label}] {' '.join(cmd[1:])}" + (f" (PREFECT_API_URL={api_url})" if api_url else ""), file=sys.stderr,
          flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=demo_env(api_url), cwd=str(ROOT), capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - t0
    text = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise RuntimeError(f"nianbao demo exited {proc.returncode}:\n{text[-3000:]}")
    res = parse_summary(text)
    s = res["seconds"]
    split = {k: s.get(k, 0.0) for k in ("crawl", "extract", "load", "checks", "export")}
    split["prefect"] = s.get("prefect", s.get("flow", 0.0) - s.get("total", 0.0))
    split["other"] = max(0.0, wall - s.get("flow", sum(split.values())))
    res.update({"label": label, "process": wall, "split": split})
    return res


def print_table(runs: list[dict]) -> None:
    """Seconds and share of the process per stage, for each run, and the incremental run as a ratio of the first."""
    first, incr = runs[0], runs[1]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:>10.2f}" if b >= 0.05 else f"{'-':>10}"

    head = f"{'stage':<34}" + "".join(f"{r['label']:>14}{'':>7}" for r in runs) + f"{'incr/first':>12}"
    print(head)
    print("-" * len(head))
    for stage in STAGES:
        cells = "".join(f"{r['split'][stage]:>12.1f} s{100 * r['split'][stage] / r['process']:>6.0f}%" for r in runs)
        print(f"{LABELS[stage]:<34}{cells}  {ratio(incr['split'][stage], first['split'][stage])}")
    print("-" * len(head))
    print(f"{'process wall time':<34}" + "".join(f"{r['process']:>12.1f} s{'100%':>7}" for r in runs)
          + f"  {ratio(incr['process'], first['process'])}")
    print()
    for r in runs:
        print(f"{r['label']}: {r['reports_found']} reports found, {r['documents']} documents, "
              f"{r['newly_extracted']} newly extracted, {r['cells_loaded']} cells loaded")
    if len(runs) > 2:  # the incremental run again, against a long-lived server (PREFECT_API_URL)
        a, b = runs[1]["split"]["prefect"], runs[2]["split"]["prefect"]
        print(f"\nPrefect per run (incremental run): temporary server {a:.1f} s "
              f"(of which starting it {runs[1]['seconds'].get('server', 0.0):.1f} s), long-lived server {b:.1f} s"
              + (f": {a / b:.1f}x" if b > 0 else ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    ap.add_argument("--data-dir", type=Path, help="data directory (must not exist; default: a temporary one, removed)")
    ap.add_argument("--port-base", type=int, help="first port of the demo sites (default: a free range)")
    ap.add_argument("--no-server", action="store_true", help="skip the run against a long-lived Prefect server")
    args = ap.parse_args()

    tmp = None
    if args.data_dir:
        if args.data_dir.exists():
            ap.error(f"{args.data_dir} exists: the first run needs a fresh data directory")
        data_dir = args.data_dir
    else:
        tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-pipeline-"))
        data_dir = tmp / "data"
    port_base = args.port_base or free_port_base()  # the same ports twice: same URLs, so a real increment
    server = None
    server_info: dict = {}
    try:
        runs = [run_demo(data_dir, port_base, "first run"), run_demo(data_dir, port_base, "incremental")]
        if not args.no_server:
            base, server, started, log = start_server(data_dir.parent / "prefect-server-home")
            print(f"[prefect server] {base} answered /health after {started:.1f} s (paid once, not per run)",
                  file=sys.stderr, flush=True)
            runs.append(run_demo(data_dir, port_base, "incr. (server)", api_url=base))
            status, count = api(base, "/flow_runs/count", {})
            server_info = {"api_url": base, "startup_seconds": round(started, 2),
                           "flow_runs_on_server": count if status == 200 else None}
    finally:
        if server is not None:
            stop_server(server)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    import benchout

    temp = runs[1]["split"]["prefect"]  # the incremental run: Prefect's share is largest there
    keep = [{k: r[k] for k in ("label", "process", "split")} for r in runs]
    if server_info:
        running = runs[2]["split"]["prefect"]
        ratio = running / temp if temp > 0 else None
        used = bool(server_info.get("flow_runs_on_server"))
        target = 0.25  # the figures: 0.7-1.3 s against a running server, 8-16 s for a temporary one
        note = (f"server start-up {server_info['startup_seconds']:.1f} s, paid once; "
                f"{server_info.get('flow_runs_on_server')} flow run(s) recorded on it")
        if not used:
            note += "; the run did NOT reach the server"
        row = benchout.row(
            "prefect", "Prefect per run", ratio=round(ratio, 3) if ratio is not None else None,
            ratio_of="Prefect start-up + orchestration of an incremental demo run: running server / temporary server",
            value=f"running server {running:.1f} s per run", baseline=f"temporary server {temp:.1f} s per run",
            target=f"<= {target:g}x (PREFECT_API_URL used)", passed=bool(used and ratio is not None and ratio <= target),
            note=note, temporary_server_seconds=temp, running_server_seconds=running, server=server_info, runs=keep)
    else:
        row = benchout.row(
            "prefect", "Prefect per run", ratio=None, ratio_of="per-run start-up: running server / temporary server",
            value=f"temporary server {temp:.1f} s per run", baseline="running server: not measured (--no-server)",
            target="a running server when PREFECT_API_URL is set", passed=None,
            note="start-up + orchestration = flow call - flow body", temporary_server_seconds=temp, runs=keep)
    benchout.write("bench_pipeline", [row])
    if args.json:
        print(json.dumps({"machine_cpus": os.cpu_count(), "runs": runs}, indent=2))
    else:
        print(f"nianbao demo, {os.cpu_count()} CPUs (wall seconds and share of the process)\n")
        print_table(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
