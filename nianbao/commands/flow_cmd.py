"""`nianbao run`, `nianbao backfill` and `nianbao serve`: the Prefect flows from the command line."""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from core.errors import UserError

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TZ = "Asia/Shanghai"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sources", help="sources YAML (default: the bundled national list of government portals)")
    p.add_argument("--data-dir", help="data directory (default: $NIANBAO_DATA_DIR or ./data)")
    p.add_argument("--only", action="append", metavar="ID", help="crawl only this portal id (repeatable)")
    p.add_argument("--no-export", action="store_true", help="skip the CSV/Parquet snapshot")
    p.add_argument("--out", help="snapshot folder (default: DATA_DIR/exports/DATE)")
    _cluster_args(p)


def _cluster_args(p: argparse.ArgumentParser) -> None:
    """--dask-address and --workers: where crawl shards and extraction batches run (flows/cluster.py)."""
    p.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                   help="a running Dask scheduler to run the crawl shards and extraction batches on "
                        "(default: $NIANBAO_DASK_ADDRESS, else a local cluster on this machine; docs/scaling.md)")
    p.add_argument("--workers", type=int,
                   help="worker processes of the local Dask cluster (default: one per core; "
                        "ignored with --dask-address)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the nightly pipeline once (crawl, extract, load, check, export)",
                       description="Run the `nightly` flow once with Prefect's embedded server: an incremental "
                                   "crawl, extraction, an atomic load into DuckDB, checks and a snapshot.")
    _common(p)
    p.set_defaults(func=run, flow="nightly")
    p = sub.add_parser("backfill", help="like run, but re-crawl everything ignoring the increment state")
    _common(p)
    p.set_defaults(func=run, flow="backfill")
    p = sub.add_parser("serve", help="serve the nightly schedule on a Prefect server (cron, default 02:00 Asia/Shanghai)",
                       description="Register the `nightly` deployment with its cron schedule on the Prefect server "
                                   "at PREFECT_API_URL and run it when due. Stop with Ctrl-C.")
    p.add_argument("--sources", help="sources YAML (default: the bundled national list)")
    p.add_argument("--data-dir", help="data directory (default: $NIANBAO_DATA_DIR or ./data)")
    p.add_argument("--cron", default=DEFAULT_CRON, help=f"cron expression (default: '{DEFAULT_CRON}')")
    p.add_argument("--timezone", default=DEFAULT_TZ, help=f"time zone of the cron (default: {DEFAULT_TZ})")
    p.add_argument("--name", default="nightly", help="deployment name (default: nightly)")
    p.set_defaults(func=serve)


def resolve_paths(args: argparse.Namespace) -> tuple[Path | None, Path]:
    """(sources file or None for the bundled national list, data dir), checked."""
    from core.layout import default_data_dir

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    sources = None
    if args.sources:
        sources = Path(args.sources)
        if not sources.is_file():
            raise UserError(f"sources file not found: {sources}")
        sources = sources.resolve()
    return sources, data_dir.resolve()


def run(args: argparse.Namespace) -> int:
    sources, data_dir = resolve_paths(args)
    from flows.cluster import check_prefect_reachable, resolve_address

    dask_address = resolve_address(args.dask_address)  # a malformed address fails here, before Prefect starts
    check_prefect_reachable(dask_address)
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    from flows import prefect_env

    prefect_env.configure(quiet=True)
    from flows.progress import RichReporter, reporting
    from flows.summary import print_run_summary

    from flows import nightly as nightly_mod

    flow_fn = nightly_mod.backfill if args.flow == "backfill" else nightly_mod.nightly
    reporter = RichReporter()
    reporter.note(f"[bold]nianbao {args.flow}[/bold]: sources {sources or 'the national list (internet needed)'}, "
                  f"data {data_dir}")
    reporter.note("[dim]starting Prefect (a temporary local server; 15–40 s)…[/dim]")
    t_flow = time.perf_counter()
    with reporting(reporter):
        state = flow_fn(str(sources) if sources else None, str(data_dir), only=args.only, export=not args.no_export, out_dir=args.out,
                        workers=args.workers, dask_address=dask_address, return_state=True)
    flow_seconds = time.perf_counter() - t_flow
    if not state.is_completed():
        raise UserError(f"{args.flow} flow {state.name.lower()}: {_state_reason(state)}")
    summary = state.result()
    seconds = summary.setdefault("seconds", {})
    seconds["flow"] = round(flow_seconds, 3)
    if "total" in seconds:
        seconds["prefect"] = round(flow_seconds - seconds["total"], 3)
    print_run_summary(summary, reporter.console)
    return 0


def _state_reason(state) -> str:
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - turned into the one-line reason
        return f"{type(exc).__name__}: {exc}"
    return state.message or "unknown reason"


def serve(args: argparse.Namespace) -> int:
    if not os.environ.get("PREFECT_API_URL"):
        raise UserError("nianbao serve needs a Prefect server: start one with `prefect server start` and set "
                        "PREFECT_API_URL=http://127.0.0.1:4200/api (see README, 'Nightly schedule')")
    sources, data_dir = resolve_paths(args)
    from flows import prefect_env

    prefect_env.configure()
    from flows.schedule import serve_nightly

    serve_nightly(sources, data_dir, cron=args.cron, timezone=args.timezone, name=args.name)
    return 0
