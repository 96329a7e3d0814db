"""Pipeline benchmark: `nianbao demo` end to end (127.0.0.1 only), wall time split by stage.

Runs `nianbao demo` as a subprocess on a fresh data directory: a first run (crawls and extracts everything) and
an incremental run (list pages re-read, nothing fetched again), both with Prefect's temporary server, then the
same incremental run once more against a long-lived `prefect server start` (PREFECT_API_URL set, as `nianbao
serve` and a production night use it). It prints, per run, where the time goes:

    prefect    Prefect's start-up and the flow's orchestration (the whole flow call minus its body); with the
               temporary server this includes starting it (its own line, `server`, is printed below the table)
    crawl      the `scrapy crawl` subprocess with the demo's politeness (0.2 s per site, sites in parallel)
    extract    extraction in worker processes (cached by content hash: nothing new on the second run)
    load       the single writer: copy of the warehouse, load, CHECKPOINT, atomic swap
    checks     quality figures from the published warehouse
    export     the dated CSV/Parquet snapshot
    other      the rest of the process: Python imports, starting the demo portal, printing the summary

The stage figures come from the flow's own summary (RunSummary.seconds, printed by the CLI on its `seconds`
line); `process` is the subprocess's wall time measured here.

    python bench/bench_pipeline.py [--json] [--data-dir DIR] [--port-base PORT]
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
    # configures its own (PREFECT_HOME in the data directory, telemetry off); `api_url` names our server.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"DO_NOT_TRACK": "1", "COLUMNS": "200", "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def start_server(home: Path) -> tuple[subprocess.Popen, str, float]:
    """A long-lived Prefect server on a free port of 127.0.0.1: (process, PREFECT_API_URL, start seconds)."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_UI_ENABLED": "false"})
    exe = Path(sys.executable).with_name("prefect")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "prefect"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd + ["server", "start", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    while True:
        try:
            with urllib.request.urlopen(api + "/health", timeout=5) as resp:
                if resp.status == 200:
                    return proc, api, time.perf_counter() - t0
        except OSError:
            pass
        if proc.poll() is not None or time.perf_counter() - t0 > 300:
            proc.kill()
            raise RuntimeError("prefect server start did not answer within 300 s")
        time.sleep(0.3)


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
    temp = [r for r in runs if not r.get("server")]
    served = [r for r in runs if r.get("server")]
    if temp and served:
        a, b = temp[-1]["split"]["prefect"], served[-1]["split"]["prefect"]
        print(f"\nPrefect per run (incremental run): temporary server {a:.1f} s "
              f"(of which starting it {temp[-1]['seconds'].get('server', 0.0):.1f} s), long-lived server {b:.1f} s"
              + (f": {a / b:.1f}x" if b > 0 else "") + f"; starting the long-lived server once: "
              f"{served[-1]['server_start']:.1f} s")


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
    server_home = Path(tempfile.mkdtemp(prefix="nianbao-bench-prefect-"))
    try:
        runs = [run_demo(data_dir, port_base, "first run"), run_demo(data_dir, port_base, "incremental")]
        if not args.no_server:
            server, api, started = start_server(server_home)
            r = run_demo(data_dir, port_base, "incr. + server", api_url=api)
            r.update({"server": api, "server_start": started})
            runs.append(r)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(server_home, ignore_errors=True)
    if args.json:
        print(json.dumps({"machine_cpus": os.cpu_count(), "runs": runs}, indent=2))
    else:
        print(f"nianbao demo, {os.cpu_count()} CPUs (wall seconds and share of the process)\n")
        print_table(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
