"""Run a crawl from Python: `crawl(...)` starts `scrapy crawl nianbao` in a subprocess (the Twisted reactor
cannot restart, so every crawl gets its own process) and returns the run directory and per-portal summary.

    from crawlers.run import crawl
    summary = crawl(Path("sources.yaml"), Path("data"))
    summary.run_dir, summary.portals[0].state, summary.totals["reports"]
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from core import layout, lifetime
from core.errors import UserError
from core.records import PortalRecord, read_portals

from .sources import NATIONAL_CITATION, Sources, adhoc_source, load_sources, national_sources, select
from .store import STORE_ERROR_LAST_STAT, STORE_ERRORS_STAT, new_run_id, prepare_run_dir, utcnow


PROJECT_ROOT = Path(__file__).resolve().parent.parent
COUNT_KEYS = ("pages", "reports", "new", "changed", "attachments", "errors")


@dataclass
class CrawlSummary:
    run_id: str
    run_dir: Path
    data_dir: Path
    portals: list[PortalRecord]
    returncode: int
    started_at: str
    finished_at: str
    elapsed_seconds: float
    finish_reason: str | None = None
    log_path: Path | None = None
    store_errors: int = 0  # fetched responses whose body or manifest row could not be written (a full disk); -1: some
    store_error: str | None = None  # the last such error

    @property
    def ok(self) -> bool:
        """The crawl process finished normally and stored every response (portals may still be challenged or
        unreachable: those are states, not failures)."""
        return self.returncode == 0 and self.finish_reason in ("finished", None) and not self.store_errors

    @property
    def error(self) -> str | None:
        """None for a crawl that ran to its end; else one line saying why not (from its log)."""
        if self.ok:
            return None
        if self.returncode == 0 and self.finish_reason not in ("finished", None):
            return f"the crawl stopped early ({self.finish_reason})"
        if self.returncode == 0 and self.store_errors:
            n = f"{self.store_errors} fetched responses" if self.store_errors > 0 else "fetched responses"
            return (f"{n} could not be stored ({self.store_error or 'see crawl.log'}); they are not marked as "
                    "fetched, so the next run asks for them again")
        return failure_reason(self)

    @property
    def manifest_path(self) -> Path:
        return self.run_dir / layout.MANIFEST_FILE

    @property
    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.portals:
            for k, v in p.counts.items():
                out[k] = out.get(k, 0) + int(v or 0)
        return out

    def states(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.portals:
            out[p.state] = out.get(p.state, 0) + 1
        return out

    def portal(self, portal_id: str) -> PortalRecord:
        for p in self.portals:
            if p.id == portal_id:
                return p
        raise KeyError(portal_id)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["portals"] = [p.to_dict() for p in self.portals]
        d["run_dir"] = str(self.run_dir)
        d["data_dir"] = str(self.data_dir)
        d["log_path"] = str(self.log_path) if self.log_path else None
        d["totals"] = self.totals
        return d


def resolve_sources(sources: Path | str | None = None, *, url: str | None = None, platform: str = "auto",
                    only: list[str] | None = None, province: list[str] | None = None,
                    region: list[str] | None = None) -> Sources:
    """The portals a crawl will visit: an ad-hoc URL, a sources file, or the national default; then selected."""
    if url:
        if sources:
            raise UserError("give either --url or --sources, not both")
        src = adhoc_source(url, platform=platform)
    elif sources:
        src = load_sources(sources)
    else:
        src = national_sources()
    src = select(src, only=only, province=province, region=region)
    if not src.portals:
        raise UserError("no portals selected")
    return src


def crawl(sources: Path | str | None, data_dir: Path | str, only: list[str] | None = None, *,
          province: list[str] | None = None, region: list[str] | None = None, url: str | None = None,
          platform: str = "auto", full: bool = False, polite: bool = True, run_id: str | None = None,
          settings: dict[str, Any] | None = None, timeout: float | None = None,
          progress: Callable[[dict[str, Any]], None] | None = None, log_level: str = "INFO",
          python: str | None = None, run_dir: Path | str | None = None,
          state_path: Path | str | None = None) -> CrawlSummary:
    """Crawl the selected portals into DATA_DIR/runs/RUN_ID and return the summary.

    sources: a sources YAML (None: the national default, or `url`); only/province/region select portals;
    full: refetch every report and attachment (conditionally) instead of only new or changed ones;
    polite=False: no delays, 16 requests per host, no AutoThrottle (benchmarks against the local test portal
    only); settings: extra Scrapy settings; progress: called about once a second with
    {"rows", "portals_done", "portals_total", "elapsed"}.
    run_dir and state_path are for a crawl shard (crawlers/shards.py): its part of the run directory
    (DATA_DIR/runs/RUN_ID/shards/NNN) and its own copy of the increment state.
    Raises UserError for bad input; a crawl that fails to run returns returncode != 0 (see `ok`).
    """
    if timeout is not None and not timeout > 0:
        raise UserError(f"--timeout must be a positive number of seconds, not {timeout:g}")
    src = resolve_sources(sources, url=url, platform=platform, only=only, province=province, region=region)
    data_dir = Path(data_dir).resolve()
    run_id = run_id or new_run_id()
    run_dir = prepare_run_dir(data_dir, run_id, run_dir)
    header = f"Sources of nianbao crawl run {run_id}, selected from {src.path or 'the given file'}."
    if not sources and not url:
        header += "\n" + NATIONAL_CITATION
    if not polite:
        src.defaults.update({"delay": 0.0, "concurrency": 16, "retry_backoff": 0.2})
        for p in src.portals:
            p.delay, p.concurrency, p.retry_backoff = 0.0, 16, 0.2
    sources_file = src.write(run_dir / layout.SOURCES_FILE, header=header)
    options = {"only": only, "province": province, "region": region, "url": url, "platform": platform, "full": full,
               "polite": polite, "settings": settings or {}}
    started_at = utcnow()
    (run_dir / layout.RUN_FILE).write_text(json.dumps({
        "run_id": run_id, "started_at": started_at, "finished_at": None,
        "sources": str(sources) if sources else ("--url" if url else "national default (core/data/portals.csv)"),
        "options": options, "portals": len(src.portals)}, ensure_ascii=False, indent=2), encoding="utf-8")

    all_settings: dict[str, Any] = {"LOG_LEVEL": log_level, "LOG_FILE": str(run_dir / layout.CRAWL_LOG),
                                    "LOG_FILE_APPEND": False}
    if not polite:
        all_settings.update({"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 64, "DOWNLOAD_DELAY": 0,
                             "CONCURRENT_REQUESTS_PER_DOMAIN": 16})
    all_settings.update(settings or {})
    cmd = [python or sys.executable, "-m", "scrapy", "crawl", "nianbao",
           "-a", f"run_dir={run_dir}", "-a", f"data_dir={data_dir}", "-a", f"sources={sources_file}",
           "-a", f"run_id={run_id}", "-a", f"full={'1' if full else '0'}",
           "-a", f"options={json.dumps(options, ensure_ascii=False)}"]
    if state_path:
        cmd += ["-a", f"state={Path(state_path).resolve()}"]
    for k, v in all_settings.items():
        cmd += ["-s", f"{k}={json.dumps(v) if isinstance(v, (dict, list)) else v}"]
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "crawlers.settings"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")]))
    env.setdefault("PYTHONIOENCODING", "utf-8")
    t0 = time.monotonic()
    stderr_path = run_dir / "crawl.stderr"
    with stderr_path.open("wb") as err:
        # In our process group (a SIGTERM or Ctrl-C to the group reaches it), and killed by the kernel when this
        # process dies, even by SIGKILL (core.lifetime): a killed `nianbao run` leaves no crawl behind that keeps
        # writing the crawl state after the run lock is gone. Everything it writes survives a kill.
        proc = subprocess.Popen(lifetime.guarded(cmd), cwd=str(run_dir), env=env, stdout=err,
                                stderr=subprocess.STDOUT)
        try:
            while True:
                try:
                    proc.wait(timeout=1.0)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if progress is not None:
                    progress(_progress(run_dir, len(src.portals), time.monotonic() - t0))
                if timeout is not None and time.monotonic() - t0 > timeout:
                    _stop(proc, grace=30)  # Scrapy closes gracefully and writes the summary
                    break
        except BaseException:
            # interrupted (Ctrl-C, or SIGTERM turned into KeyboardInterrupt by the CLI): a short graceful close,
            # then SIGKILL; the run directory stays as it is and the next run loads what it stored
            _stop(proc, grace=INTERRUPT_GRACE)
            raise
    if progress is not None:
        progress(_progress(run_dir, len(src.portals), time.monotonic() - t0))
    return load_summary(run_dir, returncode=proc.returncode)


INTERRUPT_GRACE = 10.0  # seconds an interrupted crawl gets to close before it is killed


def _stop(proc: subprocess.Popen, grace: float) -> None:
    """SIGINT (Scrapy's graceful close: it writes run.json and stats.json), then SIGKILL after `grace` s."""
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    except ProcessLookupError:
        pass


def _progress(run_dir: Path, total: int, elapsed: float) -> dict[str, Any]:
    return {"rows": _count_lines(run_dir / layout.MANIFEST_FILE), "portals_done": _count_lines(run_dir / layout.PORTALS_FILE),
            "portals_total": total, "elapsed": elapsed}


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for _ in fh)
    except OSError:
        return 0


def load_summary(run_dir: Path | str, returncode: int = 0) -> CrawlSummary:
    """The summary of a finished (or interrupted) run directory."""
    run_dir = Path(run_dir)
    try:
        portals = read_portals(run_dir)
    except ValueError:  # a portal row cut by a kill: the run is reported without its portals
        portals = []
    try:
        run = json.loads((run_dir / layout.RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        run = {}
    log = run_dir / layout.CRAWL_LOG
    if returncode == 0 and run.get("finish_reason") is None:
        returncode = 1  # the spider never closed: it failed to start, or could not write its summary
    try:
        stats = json.loads((run_dir / layout.STATS_FILE).read_text(encoding="utf-8"))
        store_errors, store_error = int(stats.get(STORE_ERRORS_STAT) or 0), stats.get(STORE_ERROR_LAST_STAT)
    except (OSError, ValueError):
        store_errors, store_error = 0, None
        if run.get("finish_reason") is not None:
            # the spider closed but could not write its stats: the disk is full (or the run dir unwritable), and
            # responses after that point may not be stored either; never report such a crawl as complete
            store_errors = -1  # how many is unknown
            store_error = _last_error_line(run_dir) or "the crawl could not write stats.json"
            if disk_full(run_dir):
                store_error += "; no space left on the data directory's disk"
    return CrawlSummary(
        run_id=run.get("run_id", run_dir.name), run_dir=run_dir, data_dir=run_dir.parent.parent, portals=portals,
        returncode=returncode, started_at=run.get("started_at", ""), finished_at=run.get("finished_at") or "",
        elapsed_seconds=float(run.get("elapsed_seconds") or 0.0), finish_reason=run.get("finish_reason"),
        log_path=log if log.exists() else None, store_errors=store_errors, store_error=store_error)


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Full)\b.*: ")


def _last_error_line(run_dir: Path) -> str | None:
    """The last exception line of the crawl's logs ("OSError: [Errno 28] No space left on device")."""
    fallback = None
    for name in ("crawl.stderr", layout.CRAWL_LOG):
        try:
            lines = (run_dir / name).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in reversed(lines):
            if _EXCEPTION_LINE.match(line.strip()):
                return line.strip()[:300]
            if fallback is None and "Errno" in line:
                fallback = line.strip()[:300]
    return fallback


def disk_full(path: Path, floor: int = 1 << 20) -> bool:
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < floor


def failure_reason(summary: CrawlSummary) -> str:
    """One line saying why a crawl process failed, from its log."""
    for name in ("crawl.stderr", "crawl.log"):
        path = summary.run_dir / name
        if not path.exists():
            continue
        lines = [l for l in path.read_text(encoding="utf-8", errors="replace").splitlines() if l.strip()]
        for line in reversed(lines):
            if "Error" in line or "error" in line or "Traceback" in line:
                return line.strip()[:300]
    return f"the crawl process exited with code {summary.returncode}"
