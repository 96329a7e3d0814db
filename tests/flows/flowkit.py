"""Helpers of the flow tests (tests/flows): subprocess environments for Prefect, the driver, warehouse dumps."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from demoportal.server import free_port_base  # noqa: F401 - re-exported for the flow tests
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("driver.py")
PYTHON = sys.executable
NIANBAO = [PYTHON, "-m", "nianbao.cli"]

# Politeness for tests: tiny but real delays, set per portal in the sources file.
TEST_DELAY = 0.05
RUN_TIMEOUT = 600  # seconds per flow run (the first one includes Prefect's start-up)


def prefect_env(home: Path, api_url: str | None = None, **extra: str) -> dict[str, str]:
    """Environment for a subprocess that runs Prefect: nothing PREFECT_* inherited, our own home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "NIANBAO_DATA_DIR"}
    Path(home).mkdir(parents=True, exist_ok=True)
    env.update({
        "PREFECT_HOME": str(home),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300",
        "PREFECT_API_REQUEST_TIMEOUT": "120",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "200",  # rich wraps the CLI's summary at 80 columns without a terminal
    })
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env.update(extra)
    return env


def _default_sigint() -> None:
    # A shell without job control starts background jobs with SIGINT ignored and children inherit that;
    # the subprocesses of these tests must react to SIGINT (Ctrl-C) as they would in a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def popen(cmd: list[str], *, env: dict[str, str], log: Path, cwd: Path | None = None, **kw) -> subprocess.Popen:
    """Start a subprocess in its own session, stdout+stderr to `log` unless given."""
    with open(log, "ab") as fh:  # the child keeps its own copy of the descriptor
        kw.setdefault("stdout", fh)
        kw.setdefault("stderr", subprocess.STDOUT if kw["stdout"] is fh else fh)
        return subprocess.Popen(cmd, env=env, cwd=str(cwd or ROOT), preexec_fn=_default_sigint,
                                start_new_session=True, **kw)


def stop(proc: subprocess.Popen, sig: int = signal.SIGINT, timeout: float = 60) -> int | None:
    """Stop a process we started (by its pid): `sig`, then SIGKILL after `timeout`."""
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
    return proc.returncode


def tail(path: Path, n: int = 4000) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")[-n:]
    except OSError:
        return f"({path} not found)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]




def write_sources(portal: Any, path: Path, *, recheck_days: float | None = None,
                  site_ids: list[str] | None = None) -> Path:
    """The portal's sources file with small per-portal politeness settings (and optionally recheck_days)."""
    doc = yaml.safe_load(portal.sources_yaml(site_ids))
    doc["version"] = 1
    doc["defaults"] = {"delay": 1.0}  # overridden per portal below: the per-portal keys must win
    for entry in doc["portals"]:
        entry.update({"delay": TEST_DELAY, "jitter": 0.5, "concurrency": 1, "retry_backoff": 0.2, "timeout": 20})
        if recheck_days is not None:
            entry["recheck_days"] = recheck_days
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def published(data_dir: Path) -> Path:
    return Path(data_dir) / "warehouse" / "nianbao.duckdb"


def wh_snapshot(db_path: Path) -> dict[str, Any]:
    """Everything the tests compare, from a read-only connection that is closed again (DuckDB shares one
    database instance per path inside a process: a connection left open would pin the old file)."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        cols = ["report_id", "source_url", "status", "reason", "agency", "report_year", "template", "document_url",
                "document_sha256", "cells_count", "portal_id", "verified", "layout"]
        reports = [dict(zip(cols, r)) for r in con.execute(f"SELECT {', '.join(cols)} FROM reports").fetchall()]
        cells: dict[str, dict[str, float | None]] = {}
        n_cells = 0
        for rid, key, value in con.execute("SELECT report_id, cell_key, coalesce(CAST(value AS DOUBLE), CAST(amount AS DOUBLE)) "
                                          "FROM cell_values").fetchall():
            cells.setdefault(rid, {})[key] = value
            n_cells += 1
        dcols = ["document_id", "url", "role", "fetch_state", "report_id", "status", "cells_count"]
        documents = [dict(zip(dcols, r)) for r in con.execute(f"SELECT {', '.join(dcols)} FROM documents").fetchall()]
        runs = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()]
    finally:
        con.close()
    # runs that brought nothing new are held beside the warehouse, not republished (warehouse/unpublished.py)
    held = Path(db_path).parent / "unpublished_runs.jsonl"
    held_runs = [json.loads(line)["run"]["run_id"] for line in held.read_text(encoding="utf-8").splitlines()
                 if line.strip()] if held.exists() else []
    return {"reports": reports, "cells": cells, "cell_rows": n_cells, "documents": documents, "runs": runs,
            "held_runs": held_runs,
            "sha256": sha256_file(db_path)}


def manifest_rows(run_dir: str | Path) -> list[dict]:
    """Every manifest row of a run, its crawl shards' included (the flows shard the crawl by host)."""
    from core.records import read_manifest

    return [r.to_dict() for r in read_manifest(Path(run_dir))]


def document_urls(expected_reports: list[dict]) -> set[str]:
    """Report pages (and their aliases) and attachments of the portal."""
    out: set[str] = set()
    for r in expected_reports:
        out.add(r["url"])
        out.update(r.get("aliases") or [])
        out.update(r["attachments"])
    return out


# ------------------------------------------------------------------------------------------------ driver

def by_url(wh: dict) -> dict[str, dict]:
    return {r["source_url"]: r for r in wh["reports"]}


def truth_mismatches(run: dict) -> list[str]:
    """Every published report against its truth: status, agency, year, template and every cell."""
    wh, exp = run["wh"], run["expected"]
    reports = by_url(wh)
    problems = []
    for site in exp["sites"].values():
        for r in site["reports"]:
            w = reports.get(r["url"])
            if w is None:
                problems.append(f"missing: {r['url']} ({r['format']}, {r['title']})")
                continue
            if r["format"] == "image":  # the numbers are only in scanned JPEGs: read by OCR (issue 13)
                problems += _ocr_mismatches(r, w, wh["cells"].get(w["report_id"], {}))
                continue
            t = r["truth"]
            got = (w["status"], w["agency"], w["report_year"], w["template"])
            want = ("ok", t["agency"], t["report_year"], t["template"])
            if got != want:
                problems.append(f"{r['url']} ({r['format']}): {got} != {want} ({w['reason']})")
                continue
            cells = wh["cells"].get(w["report_id"], {})
            if set(cells) != set(t["cells"]):
                problems.append(f"{r['url']}: cell keys differ: missing {sorted(set(t['cells']) - set(cells))[:5]}, "
                                f"extra {sorted(set(cells) - set(t['cells']))[:5]}")
            wrong = {k: (cells.get(k), v) for k, v in t["cells"].items() if k in cells and cells[k] != v}
            if wrong:
                problems.append(f"{r['url']} ({r['format']}): {len(wrong)} wrong cells, e.g. "
                                f"{dict(list(wrong.items())[:3])}")
    return problems


def compare_dumps(a: dict, b: dict) -> list[str]:
    """Differences between two warehouse dumps: reports (ids and fields) and every cell value."""
    out = []
    ra = {r["report_id"]: r for r in a["reports"]}
    rb = {r["report_id"]: r for r in b["reports"]}
    if set(ra) != set(rb):
        out.append(f"reports lost {sorted(set(ra) - set(rb))}, added {sorted(set(rb) - set(ra))}")
    for rid in set(ra) & set(rb):
        fa = {k: v for k, v in ra[rid].items()}
        fb = {k: v for k, v in rb[rid].items()}
        if fa != fb:
            out.append(f"report {rid} changed: {[(k, fa[k], fb[k]) for k in fa if fa[k] != fb.get(k)]}")
    if a["cell_rows"] != b["cell_rows"]:
        out.append(f"cell rows {a['cell_rows']} -> {b['cell_rows']}")
    if a["cells"] != b["cells"]:
        diff = [rid for rid in set(a["cells"]) | set(b["cells"]) if a["cells"].get(rid) != b["cells"].get(rid)]
        out.append(f"cells differ in {len(diff)} reports, e.g. {diff[:3]}")
    return out


class Driver:
    """tests/flows/driver.py in a subprocess: `nianbao` commands in one Python process (one Prefect start)."""

    def __init__(self, root: Path):
        self.root = root
        self.log = root / "driver.log"
        # stdin: commands; stdout: "READY" / "DONE <label>"; stderr (the CLI's progress and summary): the log
        self.proc = popen([PYTHON, str(DRIVER)], env=prefect_env(root / "prefect-home"), log=self.log,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._expect("READY", 120)

    def _read(self) -> None:
        for raw in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def _expect(self, token: str, timeout: float, poll: Callable[[], None] | None = None) -> None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"driver: no {token!r} after {timeout} s\n{tail(self.log)}")
            try:
                line = self.lines.get(timeout=min(0.5, left))
            except queue.Empty:
                if poll:
                    poll()
                continue
            if line is None:
                raise RuntimeError(f"driver exited ({self.proc.poll()}) before {token!r}\n{tail(self.log)}")
            if line.strip() == token:
                return

    def start(self, label: str, argv: list[str]) -> Path:
        out = self.root / f"{label}.result.json"
        self.proc.stdin.write((json.dumps({"label": label, "argv": argv, "out": str(out)}) + "\n").encode())  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        return out

    def start_flow(self, label: str, flow: str, **kwargs: Any) -> Path:
        """Call a flow of flows.nightly in the driver (e.g. "reextract", which has no command of its own)."""
        out = self.root / f"{label}.result.json"
        cmd = {"label": label, "flow": flow, "kwargs": kwargs, "out": str(out)}
        self.proc.stdin.write((json.dumps(cmd) + "\n").encode())  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        return out

    def wait(self, label: str, out: Path, timeout: float = RUN_TIMEOUT,
             poll: Callable[[], None] | None = None) -> dict[str, Any]:
        self._expect(f"DONE {label}", timeout, poll)
        return json.loads(out.read_text(encoding="utf-8"))

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b'{"quit": true}\n')  # type: ignore[union-attr]
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                stop(self.proc, signal.SIGTERM, 30)


READER_SQL = {
    "reports": "SELECT count(*) FROM reports",
    "cells": "SELECT count(*) FROM cells",
    "runs": "SELECT count(*) FROM runs",
    "value_sum": ("SELECT sum(CAST(round(coalesce(CAST(value AS DOUBLE), CAST(amount AS DOUBLE)) * 1000) AS HUGEINT)) "
                  "FROM cells"),  # exact, any order
}


def _reader_state(con) -> dict[str, Any]:
    return {k: con.execute(q).fetchone()[0] for k, q in READER_SQL.items()}


def _reader_state_in_subprocess(db_path: Path) -> dict[str, Any]:
    code = ("import duckdb, json, sys\n"
            "con = duckdb.connect(sys.argv[1], read_only=True)\n"
            f"print(json.dumps({{k: con.execute(q).fetchone()[0] for k, q in {READER_SQL!r}.items()}}))\n")
    out = subprocess.run([PYTHON, "-c", code, str(db_path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def need(res: dict[str, Any], *labels: str) -> list[dict[str, Any]]:
    """The runs a test needs; fails (with the fixture's error) when one is missing or the CLI failed."""
    out = []
    for label in labels:
        r = res["runs"].get(label)
        assert r is not None, f"{label} did not run:\n" + "\n".join(res["errors"])
        assert r["rc"] == 0 and r["error"] is None, (
            f"{label}: nianbao run exited {r['rc']}\n{r['error'] or ''}\n{tail(Path(res['driver_log']))}")
        out.append(r)
    return out


def _ocr_mismatches(r: dict, w: dict, cells: dict) -> list[str]:
    """A report whose tables are scanned pictures: read by OCR into cells.  Every value stored is the truth's;
    a value OCR could not confirm is null, and then the report is not verified (never a guess, never silent)."""
    t = r["truth"]
    if (w["status"], w["template"]) != ("ok", t["template"]):
        return [f"image-only report {r['url']}: {(w['status'], w['template'])} != ('ok', {t['template']!r}) "
                f"({w['reason']})"]
    problems = []
    if w.get("layout") not in (None, "ocr"):
        problems.append(f"image-only report {r['url']}: layout {w.get('layout')!r}, want ocr")
    read = {k: v for k, v in cells.items() if v is not None}
    if not read:
        problems.append(f"image-only report {r['url']}: no cell read")
    wrong = {k: (v, t["cells"].get(k)) for k, v in read.items() if t["cells"].get(k) != v}
    if wrong:
        problems.append(f"image-only report {r['url']}: {len(wrong)} wrong cells, e.g. {dict(list(wrong.items())[:3])}")
    if len(read) < len(t["cells"]) and w.get("verified"):
        problems.append(f"image-only report {r['url']}: {len(t['cells']) - len(read)} cells null, yet verified")
    return problems
# ------------------------------------------------------------------------------------------------ processes

def prefect_cli() -> list[str]:
    exe = Path(PYTHON).with_name("prefect")
    return [str(exe)] if exe.exists() else [PYTHON, "-m", "prefect"]


def start_prefect_server(home: Path, log: Path, timeout: float = 240) -> tuple[subprocess.Popen, str]:
    """A real `prefect server start` on a free port of 127.0.0.1: (process, PREFECT_API_URL)."""
    import urllib.request

    port = free_port()
    proc = popen(prefect_cli() + ["server", "start", "--host", "127.0.0.1", "--port", str(port)],
                 env=prefect_env(home, PREFECT_UI_ENABLED="false"), log=log)
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(api + "/health", timeout=5) as resp:
                if resp.status == 200:
                    return proc, api
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc, signal.SIGTERM, 10)
            raise RuntimeError(f"prefect server did not start:\n{tail(log)}")
        time.sleep(0.5)


def session_processes(sid: int) -> list[tuple[int, str, str]]:
    """Live processes of a session (pid, state, command line), zombies left out: what a killed `nianbao run`
    (started in its own session) would leave behind."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            state, session = fields[0], int(fields[3])
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, ValueError, IndexError):
            continue
        if session == sid and state != "Z":
            out.append((int(entry.name), state, cmd[:200]))
    return out


def wait_session_empty(sid: int, timeout: float = 15.0) -> list[tuple[int, str, str]]:
    """Wait until no live process of the session is left; returns what is still there after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        left = session_processes(sid)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def kill_session(sid: int) -> None:
    """Clean up after a failed test: SIGKILL whatever is left of a session we started."""
    for pid, _, _ in session_processes(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def duplicates(db_path: Path) -> dict[str, int]:
    """Rows that repeat a key, per table (a rerun must not load anything twice)."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        q = {
            "reports": "SELECT count(*) - count(DISTINCT report_id) FROM reports",
            "report_keys": "SELECT count(*) - count(DISTINCT report_key) FROM reports",
            "report_urls": "SELECT count(*) - count(DISTINCT (portal_id, source_url)) FROM reports",
            "documents": "SELECT count(*) - count(DISTINCT document_id) FROM documents",
            "cells": "SELECT count(*) - count(DISTINCT (report_key, cell_id)) FROM cells",
            "checks": "SELECT count(*) - count(DISTINCT (report_key, rule)) FROM checks",
        }
        return {k: con.execute(v).fetchone()[0] for k, v in q.items()}
    finally:
        con.close()
