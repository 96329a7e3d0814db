"""`nianbao run`, `nianbao backfill` and `nianbao serve`: the Prefect flows from the command line."""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from core.errors import UserError, WorkFailed

from . import argtypes

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TZ = "Asia/Shanghai"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sources", help="sources YAML (default: the bundled national list of government portals)")
    p.add_argument("--data-dir", help="data directory (default: $NIANBAO_DATA_DIR or ./data)")
    p.add_argument("--only", action="append", metavar="ID", help="crawl only this portal id (repeatable)")
    p.add_argument("--no-export", action="store_true", help="skip the CSV/Parquet snapshot")
    p.add_argument("--out", help="snapshot folder (default: DATA_DIR/exports/DATE)")
    _cluster_args(p)
    p.add_argument("--wait", type=argtypes.seconds, default=0.0, metavar="SECONDS",
                   help="wait this long for another run on the same data directory to finish (default: 0, "
                        "fail at once with exit status 75)")


def _cluster_args(p: argparse.ArgumentParser) -> None:
    """--dask-address and --workers: where crawl shards and extraction batches run (flows/cluster.py)."""
    p.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                   help="a running Dask scheduler to run the crawl shards and extraction batches on "
                        "(default: $NIANBAO_DASK_ADDRESS, else a local cluster on this machine; docs/scaling.md)")
    p.add_argument("--workers", type=argtypes.positive_int,
                   help="worker processes of the local Dask cluster (default: one per core; "
                        "ignored with --dask-address)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the nightly pipeline once (crawl, extract, load, check, export)",
                       description="Run the `nightly` flow once: an incremental crawl, extraction, an atomic load "
                                   "into DuckDB, checks and a snapshot. Earlier runs that an interruption left "
                                   "unloaded are loaded first. Uses the Prefect server at PREFECT_API_URL when "
                                   "set, else a temporary local one.")
    _common(p)
    p.set_defaults(func=run, flow="nightly")
    p = sub.add_parser("backfill", help="like run, but re-crawl everything ignoring the increment state")
    _common(p)
    p.set_defaults(func=run, flow="backfill")
    p = sub.add_parser("serve", help="serve the nightly schedule on a Prefect server (cron, default 02:00 Asia/Shanghai)",
                       description="Register the `nightly` deployment with its cron schedule (and `backfill`, "
                                   "`reextract` to start by hand) on the long-lived Prefect server at "
                                   "PREFECT_API_URL (`prefect server start`) and run them when due. Stop with "
                                   "Ctrl-C or SIGTERM. See docs/operations.md.")
    p.add_argument("--sources", help="sources YAML (default: the bundled national list)")
    p.add_argument("--data-dir", help="data directory (default: $NIANBAO_DATA_DIR or ./data)")
    p.add_argument("--cron", default=DEFAULT_CRON, help=f"cron expression (default: '{DEFAULT_CRON}')")
    p.add_argument("--timezone", default=DEFAULT_TZ, help=f"time zone of the cron (default: {DEFAULT_TZ})")
    p.add_argument("--name", default="nightly", help="deployment name (default: nightly)")
    p.set_defaults(func=serve)


def resolve_paths(args: argparse.Namespace) -> tuple[Path | None, Path]:
    """(sources file or None for the bundled national list, data dir), checked in that order: a bad sources
    file is reported before anything is created; a missing data directory is created only then."""
    from core.layout import default_data_dir
    from flows import config

    sources = config.check_sources(args.sources, getattr(args, "only", None))
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create data directory {data_dir}: {exc.strerror}") from None
    return sources, config.check_data_dir(data_dir)


def run(args: argparse.Namespace) -> int:
    from flows import config, prefect_env

    config.check_sources(args.sources, args.only)  # first: a bad sources file is the first thing to hear about
    prefect_env.check_server()  # with PREFECT_API_URL: that server, or one line now (nothing created yet)
    sources, data_dir = resolve_paths(args)
    from flows.cluster import check_prefect_reachable, resolve_address
    from flows.runlock import run_lock

    dask_address = resolve_address(args.dask_address)  # a malformed address fails here, before Prefect starts
    check_prefect_reachable(dask_address)
    with run_lock(data_dir, wait=args.wait, what="nianbao run" if args.flow == "nightly" else "nianbao backfill"):
        return _run_flow(args, sources, data_dir, dask_address)


def _run_flow(args: argparse.Namespace, sources: Path | None, data_dir: Path, dask_address: str | None) -> int:
    from flows import prefect_env

    prefect_env.configure(quiet=True)
    from flows.progress import RichReporter, reporting
    from flows.summary import print_run_summary

    from flows import nightly as nightly_mod

    flow_fn = nightly_mod.backfill if args.flow == "backfill" else nightly_mod.nightly
    reporter = RichReporter()
    reporter.note(f"[bold]nianbao {args.flow}[/bold]: sources {sources or 'the national list (internet needed)'}, "
                  f"data {data_dir}")
    reporter.note(f"[dim]Prefect: {prefect_env.describe()}…[/dim]")
    t_flow = time.perf_counter()
    with reporting(reporter):
        server_seconds = prefect_env.start_server()
        state = flow_fn(str(sources) if sources else None, str(data_dir), only=args.only, export=not args.no_export,
                        out_dir=args.out, workers=args.workers, wait=args.wait, dask_address=dask_address,
                        return_state=True)
    flow_seconds = time.perf_counter() - t_flow
    if not state.is_completed():
        exc = state_exception(state)
        summary = getattr(exc, "summary", None)
        if isinstance(summary, dict):
            print_run_summary(summary, reporter.console, queries=False)
        if isinstance(exc, UserError):  # a configuration error: the very line the flow failed with
            raise exc
        raise WorkFailed(f"{args.flow} run {state.name.lower()}: {state_reason(state, exc)}")
    summary = state.result()
    seconds = summary.setdefault("seconds", {})
    seconds["server"] = round(server_seconds, 3)
    seconds["flow"] = round(flow_seconds, 3)
    if "total" in seconds:
        seconds["prefect"] = round(flow_seconds - seconds["total"], 3)
    print_run_summary(summary, reporter.console)
    return 0


def state_exception(state) -> BaseException | None:
    try:
        value = state.result(raise_on_failure=False)
    except BaseException as exc:  # noqa: BLE001 - a result that cannot be read is itself the reason
        return exc
    return value if isinstance(value, BaseException) else None


def state_reason(state, exc: BaseException | None = None) -> str:
    exc = exc if exc is not None else state_exception(state)
    if exc is not None:
        if isinstance(exc, UserError) or type(exc).__name__ == "RunFailed":
            return str(exc)
        return f"{type(exc).__name__}: {exc}"
    return state.message or "unknown reason"


def serve(args: argparse.Namespace) -> int:
    if not os.environ.get("PREFECT_API_URL"):
        raise UserError("nianbao serve needs a Prefect server: start one with `prefect server start` and set "
                        "PREFECT_API_URL=http://127.0.0.1:4200/api (see docs/operations.md)")
    from flows import prefect_env

    prefect_env.check_server()
    sources, data_dir = resolve_paths(args)
    prefect_env.configure()
    from flows.schedule import serve_nightly

    serve_nightly(sources, data_dir, cron=args.cron, timezone=args.timezone, name=args.name)
    return 0
