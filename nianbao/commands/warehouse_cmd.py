"""`nianbao load`, `nianbao export`, `nianbao reextract`, `nianbao sql`."""
from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import UserError

from . import argtypes, flow_cmd


def _data_dir_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data directory (default: $NIANBAO_DATA_DIR or ./data)")


def _data_dir(args) -> Path:
    from core.layout import default_data_dir

    return Path(args.data_dir) if args.data_dir else default_data_dir()


def register(subparsers) -> None:
    p = subparsers.add_parser("load", help="load a crawl run and its extraction results into the warehouse",
                              description="Load a crawl run (manifest.jsonl, portals.jsonl, run.json) and its "
                                          "extraction results (JSON Lines) into DATA_DIR/warehouse/nianbao.duckdb, "
                                          "published atomically.")
    p.add_argument("--run", required=True, help="run directory, or a RUN_ID under DATA_DIR/runs")
    p.add_argument("--extracted", type=Path, default=None,
                   help="extraction results, one JSON object per line (default: RUN_DIR/extracted.jsonl)")
    p.add_argument("--force", action="store_true", help="load even if the same inputs were loaded before")
    p.add_argument("--compact", action="store_true",
                   help="rewrite the warehouse table by table (gives back the space of replaced rows)")
    p.add_argument("--wait", type=argtypes.seconds, default=0.0, metavar="SECONDS",
                   help="seconds to wait for another run or writer on the data directory (default 0)")
    _data_dir_arg(p)
    p.set_defaults(func=cmd_load)

    p = subparsers.add_parser("export", help="write a dated snapshot (agency_year.xlsx, CSV for Excel, Parquet, README)")
    _data_dir_arg(p)
    p.add_argument("--out", type=Path, default=None, help="parent folder (default: DATA_DIR/exports)")
    p.add_argument("--date", default=None, help="snapshot date YYYY-MM-DD (default: today)")
    p.set_defaults(func=cmd_export)

    p = subparsers.add_parser("reextract", help="rebuild cells from the stored raw documents (no crawling)")
    _data_dir_arg(p)
    p.add_argument("--force", action="store_true", help="re-extract every document, not only older versions")
    flow_cmd._cluster_args(p)
    p.add_argument("--wait", type=argtypes.seconds, default=0.0, metavar="SECONDS",
                   help="seconds to wait for another run or writer on the data directory (default 0)")
    p.set_defaults(func=cmd_reextract)

    p = subparsers.add_parser("sql", help="run a read-only SQL query on the published warehouse",
                              description="Run one query (SELECT or EXPLAIN) on the published warehouse. The "
                                          "connection is read-only and contained: no file outside the warehouse "
                                          "can be read or written, no extension installed or loaded, no setting "
                                          "changed.")
    p.add_argument("query", help='e.g. "SELECT * FROM coverage LIMIT 10"')
    _data_dir_arg(p)
    p.add_argument("--limit", type=int, default=100, help="rows to print (default 100)")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    p.add_argument("--timeout", type=argtypes.positive_seconds, default=None, metavar="SECONDS",
                   help="stop the query after this long")
    p.set_defaults(func=cmd_sql)


def _console():
    from rich.console import Console

    return Console(stderr=True)


def _summary_table(title: str, rows: list[tuple[str, object]]):
    from rich.table import Table

    t = Table(show_header=False, box=None, padding=(0, 2))
    t.add_column(style="bold")
    t.add_column(justify="right")
    for k, v in rows:
        t.add_row(k, str(v))
    from rich.console import Group
    from rich.text import Text

    return Group(Text(title, style="bold"), t)


def cmd_load(args) -> int:
    from warehouse.load import load_run

    data_dir = _data_dir(args)
    run_dir = Path(args.run)
    if not run_dir.is_dir() and (data_dir / "runs" / args.run).is_dir():
        run_dir = data_dir / "runs" / args.run
    if not run_dir.is_dir():
        raise UserError(f"run directory not found: {args.run}")
    extracted = args.extracted or run_dir / "extracted.jsonl"
    console = _console()
    from flows.runlock import run_lock

    data_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(data_dir, wait=args.wait, what="nianbao load"), console.status("loading") as status:
        s = load_run(data_dir, run_dir, extracted, force=args.force, wait=args.wait, compact=args.compact,
                     progress=lambda msg: status.update(msg))
    if s.unchanged:
        console.print(f"run {s.run_id}: nothing new (same documents, reports and portal states); the warehouse "
                      "was not republished, the run is recorded with the next load that changes something")
        return 0
    if s.skipped:
        console.print(f"run {s.run_id}: already loaded with the same inputs; nothing changed (--force to reload)")
        return 0
    rows = [("documents", s.documents), ("reports", s.reports), ("reports ok", s.reports_ok),
            ("reports replaced", s.reports_replaced), ("cells", f"{s.cells:,}"), ("checks", f"{s.checks:,}"),
            ("agencies", s.agencies), ("portals", s.portals), ("seconds", f"{s.seconds:.1f}"),
            ("cells/s", f"{s.cells_per_second:,.0f}")]
    if s.documents_kept:
        rows.append(("older than warehouse (kept)", s.documents_kept))
    if s.results_unused:
        rows.append(("results matching no document", s.results_unused))
    for k, v in s.statuses.items():
        if k.startswith("report:") and k != "report:ok":
            rows.append((k.replace("report:", "reports "), v))
    console.print(_summary_table(f"loaded run {s.run_id} → {s.warehouse}", rows))
    return 0


def cmd_export(args) -> int:
    from warehouse.export import export_snapshot

    console = _console()
    with console.status("exporting") as status:
        folder = export_snapshot(_data_dir(args), args.out, args.date, progress=lambda m: status.update(m))
    import json

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    tables: dict[str, list[dict]] = {}
    for f in manifest["files"]:
        if f["format"] in ("csv", "xlsx"):
            tables.setdefault(f"{f['table']}.{f['format']}", []).append(f)
    rows = []
    for name, parts in tables.items():
        n = sum(int(p["rows"]) for p in parts)
        rows.append((name if len(parts) == 1 else f"{name.split('.')[0]}/ ({len(parts)} CSV files for Excel)",
                     f"{n:,} rows"))
    console.print(_summary_table(f"snapshot {folder} (README.txt / 说明.txt say what each file is)", rows))
    print(folder)
    return 0


def cmd_reextract(args) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from flows import prefect_env
    from flows.cluster import resolve_address

    dask_address = resolve_address(args.dask_address)
    if args.workers is not None and args.workers < 1:
        raise UserError("--workers must be at least 1")
    prefect_env.configure(quiet=True)  # the cluster's task runner imports Prefect (no server is started)
    from flows.stages import reextract

    console = _console()
    data_dir = _data_dir(args)
    if not data_dir.is_dir():
        raise UserError(f"data directory not found: {data_dir}")
    from flows.runlock import run_lock

    with run_lock(data_dir, wait=args.wait, what="nianbao reextract"), \
            Progress(TextColumn("re-extracting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                     console=console, transient=True) as prog:
        task = prog.add_task("re-extract", total=None)

        def progress(done: int, total: int) -> None:
            prog.update(task, completed=done, total=total)

        cluster: dict = {}
        s = reextract(data_dir, force=args.force, workers=args.workers, wait=args.wait, progress=progress,
                      dask_address=dask_address, report=cluster)
    if s.skipped:
        console.print(f"every document is already extracted with version {s.version}; nothing to do (--force)")
        return 0
    rows = [("extractor version", s.version), ("documents extracted", s.documents_extracted),
            ("raw body missing (kept)", s.documents_missing_raw),
            ("raw body corrupt (refused, kept)", s.documents_corrupt_raw),
            ("reports", s.reports), ("reports ok", s.reports_ok), ("cells", f"{s.cells:,}"),
            ("seconds", f"{s.seconds:.1f}"),
            ("cluster", f"{dask_address or 'local Dask cluster'}: {cluster.get('batches', 0)} batches"
                        + (f", {cluster['batches_failed_on_cluster']} failed there and were read here "
                           f"({cluster.get('cluster_error')})" if cluster.get("batches_failed_on_cluster") else ""))]
    console.print(_summary_table("re-extraction", rows))
    return 0


# `nianbao sql` is for reading the published warehouse and nothing else: the connection cannot touch a file
# outside it (enable_external_access=false: no COPY TO, read_csv, read_text, glob, ATTACH, INSTALL), cannot load
# or download extensions, and its settings are locked after the few we need; statements other than queries are
# refused before they run. Each line is one guard of docs/reliability.md ("nianbao sql").
SQL_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
}
# Set per connection, then locked (DuckDB refuses these as start-up options of a read-only file).
SQL_SESSION = ("SET enable_progress_bar = false", "SET lock_configuration = true")
SQL_ALLOWED = ("SELECT", "EXPLAIN")  # SELECT covers FROM-first, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE


def open_readonly(path: Path):
    """The published warehouse, read-only and contained (see SQL_CONFIG)."""
    import duckdb

    from warehouse.db import SLOW_OPTIMIZERS

    try:
        con = duckdb.connect(str(path), read_only=True, config={**SQL_CONFIG, "disabled_optimizers": SLOW_OPTIMIZERS})
    except duckdb.ParserException:  # a DuckDB without that optimizer
        con = duckdb.connect(str(path), read_only=True, config=SQL_CONFIG)
    for statement in SQL_SESSION:
        con.execute(statement)
    return con


def check_query(con, query: str) -> None:
    """Refuse anything but one query (SELECT / EXPLAIN), with a one-line reason."""
    import duckdb

    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise UserError(str(exc).splitlines()[0]) from None
    if not statements:
        raise UserError("no SQL statement given")
    if len(statements) > 1:
        raise UserError(f"one query at a time ({len(statements)} statements given)")
    kind = str(statements[0].type).rsplit(".", 1)[-1]
    if kind not in SQL_ALLOWED:
        raise UserError(f"nianbao sql runs queries only (SELECT, EXPLAIN); refused a {kind} statement")


def _flat(table):
    """CSV has no lists or structs (e.g. reports.unverified_reasons): such a column is written as JSON text."""
    import json

    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_nested(field.type):
            text = pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                             for v in table.column(i).to_pylist()], type=pa.string())
            table = table.set_column(i, field.name, text)
    return table


def cmd_sql(args) -> int:
    from core import layout

    published = layout.published_path(_data_dir(args))
    if not published.exists():
        raise UserError(f"no warehouse at {published}; run nianbao load first")
    import threading

    import duckdb

    con = open_readonly(published)
    timer = threading.Timer(args.timeout, con.interrupt) if args.timeout else None
    try:
        check_query(con, args.query)
        if timer:
            timer.start()
        try:
            rel = con.sql(args.query)
            if rel is None:
                return 0
            table = rel.limit(args.limit + 1).to_arrow_table() if args.limit >= 0 else rel.to_arrow_table()
        except duckdb.InterruptException:
            raise UserError(f"query stopped after --timeout {args.timeout:g} s") from None
        except duckdb.Error as exc:
            raise UserError(str(exc).splitlines()[0]) from None
    finally:
        if timer:
            timer.cancel()
        con.close()
    more = args.limit >= 0 and table.num_rows > args.limit
    if more:
        table = table.slice(0, args.limit)
    if args.csv:
        import sys

        import pyarrow.csv as pacsv

        pacsv.write_csv(_flat(table), sys.stdout.buffer)
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(show_lines=False)
    for name in table.column_names:
        t.add_column(name, overflow="fold")
    for row in table.to_pylist():
        t.add_row(*["" if v is None else str(v) for v in row.values()])
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 200))
    console.print(t)
    if more:
        _console().print(f"(first {args.limit} rows; --limit N for more)")
    return 0
