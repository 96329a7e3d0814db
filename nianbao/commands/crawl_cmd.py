"""`nianbao crawl`: fetch every 年报 page and attachment of the selected portals into a run directory.

Without --sources (or --url) it crawls the bundled national list (31 provinces, 333 cities, ~2,840 counties);
--only / --province / --region pick parts of it. A sources file is documented in docs/sources.md.
Crawl and load are separate steps: the run directory is read later by `nianbao load` / the nightly flow.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from core.errors import UserError, WorkFailed

from . import argtypes


def _data_dir_default() -> str:
    return os.environ.get("NIANBAO_DATA_DIR") or "data"


class _PlatformChoices:
    """`auto` and the registered platforms (crawlers/platforms/), read from the registry only when argparse
    checks a value or prints help: the registry imports the page parser, which the other commands do not need."""

    def _names(self) -> tuple[str, ...]:
        from crawlers.sources import platform_choices

        return platform_choices()

    def __contains__(self, value: object) -> bool:
        return value in self._names()

    def __iter__(self):
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "crawl", help="crawl portals for 年报 pages and attachments (national list by default)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_argument_group("what to crawl")
    src.add_argument("--sources", metavar="FILE", help="sources YAML (default: the bundled national list)")
    src.add_argument("--url", metavar="URL", help="crawl one ad-hoc portal from its home page (or its 年报 column)")
    src.add_argument("--platform", default="auto", choices=_PlatformChoices(),
                     help="with --url: the portal's CMS family (default: detect)")
    src.add_argument("--only", action="append", metavar="ID", help="portal id(s), repeatable or comma-separated "
                     "(national ids are gov-<region code>, e.g. gov-510703)")
    src.add_argument("--province", action="append", metavar="NAME|CODE",
                     help="portals of a province, by name (四川, 四川省) or code (51); repeatable")
    src.add_argument("--region", action="append", metavar="CODE|NAME",
                     help="portals under a 行政区划代码 prefix (5107, 510703) or a city/county name (绵阳); repeatable")
    p.add_argument("--data-dir", default=None, metavar="DIR",
                   help="data directory (default: $NIANBAO_DATA_DIR or ./data); output in DIR/runs/RUN_ID")
    p.add_argument("--full", action="store_true",
                   help="refetch every report and attachment (conditional GETs) instead of new/changed ones only")
    p.add_argument("--run-id", metavar="ID", type=argtypes.run_id,
                   help="run id: letters, digits, '.', '_', '-' (default: the UTC time, YYYYmmddTHHMMSSZ)")
    p.add_argument("--timeout", type=argtypes.positive_seconds, metavar="SECONDS",
                   help="stop the crawl (gracefully) after this long")
    p.add_argument("--wait", type=argtypes.seconds, default=0.0, metavar="SECONDS",
                   help="wait this long for another run on the same data directory (default: 0, fail at once)")
    p.add_argument("--list", action="store_true", help="only list the selected portals, do not crawl")
    p.add_argument("--export-sources", metavar="FILE",
                   help="write the selected portals as a sources file (a start for your own) and exit")
    p.add_argument("--json", action="store_true", help="print the summary as JSON instead of a table")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                   help="level of the crawl log (DIR/runs/RUN_ID/crawl.log; default INFO)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from crawlers.run import crawl, failure_reason, resolve_sources
    from crawlers.sources import NATIONAL_CITATION

    console = Console(stderr=False, width=None if sys.stdout.isatty() else 160)
    src = resolve_sources(args.sources, url=args.url, platform=args.platform, only=args.only,
                          province=args.province, region=args.region)
    if args.export_sources:
        header = "nianbao sources file (see docs/sources.md)."
        if not args.sources and not args.url:
            header += "\n" + NATIONAL_CITATION
        path = src.write(Path(args.export_sources), header=header)
        console.print(f"wrote {len(src.portals)} portals to {path}")
        return 0
    if args.list:
        _print_list(console, src)
        return 0
    data_dir = Path(args.data_dir or _data_dir_default())
    if not args.sources and not args.url:
        console.print(f"[dim]national list: {len(src.portals)} portals "
                      "(core/data/portals.csv, see portals.SOURCE.md)[/dim]")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create data directory {data_dir}: {exc.strerror}") from None
    from flows.runlock import run_lock

    with run_lock(data_dir, wait=args.wait, what="nianbao crawl"):
        summary = _crawl_with_progress(console, crawl, args, data_dir, len(src.portals))
    if summary.returncode != 0 and summary.finish_reason is None:
        raise WorkFailed(f"crawl failed: {failure_reason(summary)} (log: {summary.run_dir})")
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_summary(console, summary)
        from flows.summary import print_not_ok

        print_not_ok([p.to_dict() for p in summary.portals], console)
    if summary.store_errors:
        raise WorkFailed(f"crawl incomplete: {summary.error}")
    if summary.finish_reason not in ("finished", None):
        console.print(f"[yellow]crawl stopped early: {summary.finish_reason}[/yellow]")
    return 0 if summary.returncode == 0 else 1


def _crawl_with_progress(console, crawl, args, data_dir: Path, total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    kwargs = dict(only=args.only, province=args.province, region=args.region, url=args.url, platform=args.platform,
                  full=args.full, run_id=args.run_id, timeout=args.timeout, log_level=args.log_level)
    if not console.is_terminal:
        return crawl(args.sources, data_dir, **kwargs)
    with Progress(SpinnerColumn(), TextColumn("[bold]crawl[/bold]"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("portals · {task.fields[rows]} responses"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("crawl", total=total, rows=0)

        def update(info: dict) -> None:
            progress.update(task, completed=info["portals_done"], rows=info["rows"])

        return crawl(args.sources, data_dir, progress=update, **kwargs)


def _print_list(console, src) -> None:
    from rich.table import Table

    table = Table(title=f"{len(src.portals)} portals", show_lines=False)
    for col in ("id", "name", "province", "city", "platform", "url"):
        table.add_column(col)
    for p in src.portals:
        table.add_row(p.id, p.name, p.province, p.city, p.platform, p.url)
    console.print(table)


STATE_STYLE = {"ok": "green", "partial": "yellow", "challenged": "red", "unreachable": "red", "blocked": "red",
               "no_column": "magenta", "empty_column": "magenta", "interrupted": "yellow"}


def print_summary(console, summary) -> None:
    from rich.table import Table

    table = Table(title=f"crawl {summary.run_id}", title_justify="left")
    table.add_column("portal", overflow="fold")
    table.add_column("name", no_wrap=True, overflow="ellipsis", max_width=16)
    for col in ("pages", "rendered", "reports", "new", "attachments", "errors"):
        table.add_column(col, justify="right")
    table.add_column("state")
    for p in summary.portals:
        c = p.counts
        style = STATE_STYLE.get(p.state, "")
        reports = str(c.get("reports", 0))
        if c.get("reports_drop"):
            reports = f"[red]{reports} (was {c.get('previous_reports')})[/red]"
        table.add_row(p.id, p.name, str(c.get("pages", 0)), str(c.get("rendered", 0)), reports, str(c.get("new", 0)),
                      str(c.get("attachments", 0)), str(c.get("errors", 0)),
                      f"[{style}]{p.state}[/{style}]" if style else p.state)
    t = summary.totals
    table.add_section()
    table.add_row(f"{len(summary.portals)} portals", "", str(t.get("pages", 0)), str(t.get("rendered", 0)),
                  str(t.get("reports", 0)), str(t.get("new", 0)), str(t.get("attachments", 0)),
                  str(t.get("errors", 0)), ", ".join(f"{k} {v}" for k, v in sorted(summary.states().items())))
    console.print(table)
    from rich.markup import escape

    for p in summary.portals:  # every portal that is not ok, one line each with its reason
        if p.state != "ok":
            style = STATE_STYLE.get(p.state, "white")
            console.print(f"[{style}]{escape(p.id)}: {p.state}[/{style}]: {escape(p.error or 'no reason recorded')}",
                          highlight=False, soft_wrap=True)
    for p in summary.portals:  # a sharp drop since the last run (crawlers/outcome.py)
        if p.counts.get("reports_drop"):
            console.print(f"[red]{escape(p.id)}: reports fell from {p.counts.get('previous_reports')} to "
                          f"{p.counts.get('reports', 0)} since the last run[/red]", highlight=False)
    console.print(f"run directory: {summary.run_dir}  ({summary.elapsed_seconds:.1f} s)")
