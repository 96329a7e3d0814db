"""`nianbao demo`: the whole pipeline on the bundled demo portal, on 127.0.0.1 only.

It serves the demo portal (one local site per portal platform), writes a sources file for it,
runs the `nightly` flow end to end (crawl, extract, load, checks, export, site, run report) with Prefect's
embedded server, and ends with a summary, example queries and the path of the site to open.  Running it again
shows an incremental run.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from . import argtypes

DEFAULT_DEMO_DIR = "demo-data"
DEMO_PORT_BASE = 18700  # fixed ports keep the demo's URLs (and so its report ids) stable across runs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the pipeline end to end on the bundled demo portal (127.0.0.1 only)",
                       description=__doc__)
    p.add_argument("--data-dir", default=DEFAULT_DEMO_DIR, help=f"data directory (default: ./{DEFAULT_DEMO_DIR})")
    p.add_argument("--port-base", type=int, default=DEMO_PORT_BASE,
                   help=f"first port of the demo sites (default: {DEMO_PORT_BASE}; busy ports fall back to free ones)")
    p.add_argument("--workers", type=argtypes.positive_int,
                   help="worker processes of the local Dask cluster (default: one per core)")
    p.set_defaults(func=run)


DEMO_DELAY = 0.2  # seconds between requests per demo site: polite enough for loopback, quick enough to watch


def _loopback_politeness(sources: Path) -> None:
    """The demo sites are local: a shorter delay than the 1 s default keeps the demo quick."""
    import yaml

    doc = yaml.safe_load(sources.read_text(encoding="utf-8"))
    doc.setdefault("defaults", {}).setdefault("delay", DEMO_DELAY)
    sources.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    from flows import prefect_env
    from flows.runlock import run_lock

    prefect_env.check_server()  # with PREFECT_API_URL: that server, or one line now (nothing created yet)
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(data_dir, what="nianbao demo"):
        return _run(args, data_dir)


def _run(args: argparse.Namespace, data_dir: Path) -> int:
    from flows import prefect_env

    prefect_env.configure(home=data_dir / ".prefect", quiet=True)

    from flows import nightly as nightly_mod
    from flows.progress import RichReporter, reporting
    from flows.summary import print_run_summary
    from demoportal.portal import start_portal

    from core.errors import WorkFailed

    reporter = RichReporter()
    console = reporter.console
    t0 = time.perf_counter()
    portal = start_portal(host="127.0.0.1", port_base=args.port_base)
    try:
        sources = data_dir / "demo-sources.yaml"
        portal.write_sources(sources)
        _loopback_politeness(sources)
        console.print(f"[bold]nianbao demo[/bold]: {len(portal.sites)} demo portals on 127.0.0.1, data in {data_dir}")
        for site in portal.sites:
            console.print(f"  {site.id:<16} {site.platform:<9} {site.base_url}")
        console.print(f"[dim]Prefect: {prefect_env.describe()}…[/dim]")
        t_flow = time.perf_counter()
        with reporting(reporter):
            server_seconds = prefect_env.start_server()
            state = nightly_mod.nightly(str(sources), str(data_dir), workers=args.workers, return_state=True)
        flow_seconds = time.perf_counter() - t_flow
        if not state.is_completed():
            from .flow_cmd import state_exception, state_reason

            exc = state_exception(state)
            if isinstance(getattr(exc, "summary", None), dict):
                print_run_summary(exc.summary, console, queries=False)
            raise WorkFailed(f"demo run {state.name.lower()}: {state_reason(state, exc)}")
        summary = state.result()
    finally:
        portal.stop()
    seconds = summary.setdefault("seconds", {})
    seconds["server"] = round(server_seconds, 3)
    seconds["flow"] = round(flow_seconds, 3)
    if "total" in seconds:
        seconds["prefect"] = round(flow_seconds - seconds["total"], 3)
    seconds["wall"] = round(time.perf_counter() - t0, 3)
    print_run_summary(summary, console)
    console.print(f"\n[dim]wall time {summary['seconds']['wall']:.1f} s. Run `nianbao demo` again for an incremental "
                  "run: list pages are re-read, nothing already fetched is fetched again.[/dim]")
    from core import layout

    if summary.get("run_dir"):
        console.print(f"\n[bold]run report[/bold] {(Path(summary['run_dir']) / layout.RUN_REPORT_FILE).as_uri()}",
                      soft_wrap=True, highlight=False)
    site = layout.site_dir(data_dir) / "index.html"
    if site.exists():  # the last lines: what to open
        console.print(f"[bold]open the site[/bold] (works from file://; rebuild with nianbao site --data-dir {data_dir}):")
        console.print(f"  {site.as_uri()}", soft_wrap=True, highlight=False)
    return 0
