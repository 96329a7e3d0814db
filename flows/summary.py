"""The closing summary of a pipeline run, printed by `nianbao run` and `nianbao demo`."""
from __future__ import annotations

from typing import Any

EXAMPLE_QUERIES = [
    ("Applications received per year, all agencies (national totals, one report per agency and year)",
     "SELECT report_year, template, total AS received, total_verified FROM national_totals "
     "WHERE cell_key = 'apply.new.total' ORDER BY ALL"),
    ("Reports that break an identity, with the rule",
     "SELECT agency, report_year, rule, detail FROM check_results WHERE ok = false "
     "ORDER BY agency, report_year LIMIT 20"),
    ("Timeliness per year (legal deadline: 31 Jan for departments, 31 Mar for governments; townships have none)",
     "SELECT report_year, count(*) FILTER (WHERE on_time) AS on_time, count(*) FILTER (WHERE NOT on_time) AS late, "
     "count(*) FILTER (WHERE on_time IS NULL) AS no_deadline FROM timeliness GROUP BY ALL ORDER BY ALL"),
]


SECONDS_ORDER = ("crawl", "extract", "load", "checks", "export", "total", "server", "prefect", "flow", "wall")


def seconds_line(seconds: dict[str, float]) -> str:
    """"crawl 12.3, extract 4.5, …" in stage order (bench/bench_pipeline.py parses this line)."""
    keys = [k for k in SECONDS_ORDER if k in seconds] + sorted(k for k in seconds if k not in SECONDS_ORDER)
    return ", ".join(f"{k} {float(seconds[k]):.1f}" for k in keys)


def _cluster_line(cluster: dict[str, Any]) -> str:
    where = cluster.get("address") or "a local Dask cluster"
    shards = cluster.get("shards") or []
    line = (f"cluster          {where}: {cluster.get('workers', 0)} workers, {cluster.get('slots', 0)} slots; "
            f"crawl in {len(shards)} shard{'s' if len(shards) != 1 else ''} by host, "
            f"extraction in {cluster.get('batches', 0)} batches")
    if cluster.get("batches_failed_on_cluster"):
        line += (f"; [yellow]{cluster['batches_failed_on_cluster']} failed on the cluster and were read here "
                 f"({cluster.get('cluster_error')})[/yellow]")
    return line


def _reports(n: int) -> str:
    return f"{n} report" if n == 1 else f"{n} reports"


REASON_COUNTS = ("errors", "challenged", "too_large", "truncated", "not_found", "deleted", "robots_blocked",
                 "redirect_loops", "capped")


def portal_reason(p: dict[str, Any]) -> str:
    """Why a portal is not ok: the crawler's reason, else what its counts show."""
    if p.get("error"):
        return str(p["error"])
    counts = p.get("counts") or {}
    parts = [f"{k.replace('_', ' ')} {int(counts[k])}" for k in REASON_COUNTS if int(counts.get(k) or 0)]
    if parts:
        return ", ".join(parts)
    return {"empty_column": "the 年报 column lists no report", "no_column": "no 年报 column found",
            "interrupted": "the crawl ended before this portal was done"}.get(str(p.get("state")), "no reason recorded")


def not_ok_lines(portals: list[dict[str, Any]]) -> list[str]:
    """One line per portal whose state is not ok: "<id> <state>: <reason>"."""
    out = []
    for p in portals:
        state = p.get("state") or "ok"
        if state == "ok":
            continue
        name = f" ({p['name']})" if p.get("name") else ""
        out.append(f"{p.get('id')}{name} {state}: {portal_reason(p)}")
    return out


def print_not_ok(portals: list[dict[str, Any]], console) -> None:
    lines = not_ok_lines(portals)
    if lines:
        console.print(f"\n[bold yellow]portals not ok ({len(lines)})[/bold yellow]")
        for line in lines:
            console.print("  " + line, highlight=False, soft_wrap=True)


def print_run_summary(summary: dict[str, Any], console, queries: bool = True) -> None:
    from rich.table import Table

    portals = summary.get("portals") or []
    if portals:
        t = Table(title="portals", title_justify="left")
        for col in ("portal", "platform", "state", "pages", "reports", "new", "attachments", "errors"):
            t.add_column(col, justify="right" if col in ("pages", "reports", "new", "attachments", "errors") else "left")
        for p in portals:
            c = p.get("counts") or {}
            t.add_row(str(p.get("id")), str(p.get("platform") or ""), str(p.get("state") or ""),
                      str(c.get("pages", "")), str(c.get("reports", "")), str(c.get("new", "")),
                      str(c.get("attachments", "")), str(c.get("errors", "")))
        console.print(t)
    load = summary.get("load") or {}
    quality = summary.get("quality") or {}
    statuses = summary.get("statuses") or {}
    lines = [
        f"portals          {len(portals)}",
        *([_cluster_line(summary["cluster"])] if summary.get("cluster") else []),
        f"reports found    {sum(int((p.get('counts') or {}).get('reports') or 0) for p in portals)} "
        f"({summary.get('documents', 0)} documents incl. attachments; {summary.get('extracted_new', 0)} newly extracted)",
        f"extracted        {quality.get('reports_ok', 0)} reports with tables in the warehouse; documents this run: "
        + (", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) or "none"),
        f"failed checks    {_reports(quality.get('reports_with_failed_checks', 0))} break an identity "
        f"({quality.get('checks_failed', 0)} failed checks; details in the quality view)",
        f"cells loaded     {load.get('cells', 0)}" + ("  (nothing new: load skipped)" if load.get("skipped") else ""),
        f"DuckDB           {summary.get('warehouse')}",
        f"snapshot         {summary.get('snapshot') or '-'}",
    ]
    line = seconds_line(summary.get("seconds") or {})
    if line:
        lines.append(f"seconds          {line}")
    console.print("\n[bold]summary[/bold]")
    for line in lines:
        console.print("  " + line)
    backlog = summary.get("backlog") or []
    if backlog:
        console.print("\n[bold]recovered[/bold] (earlier runs an interruption left unloaded, loaded by this run):")
        for b in backlog:
            state = "loaded" if b.get("loaded") else "[red]not loaded[/red]"
            console.print(f"  {b['run_id']}: {b.get('documents', 0)} documents, {b.get('reports', 0)} reports {state}"
                          + ("" if b.get("finished") else f" (its crawl did not finish: {b.get('finish_reason')})"),
                          highlight=False)
    print_not_ok(portals, console)
    for problem in summary.get("problems") or []:
        console.print(f"[red]✗[/red] {problem}", highlight=False)
    if queries and summary.get("warehouse"):
        console.print("\n[bold]try[/bold] (nianbao sql runs a read-only query; any DuckDB client works too):")
        data_dir = str(summary["warehouse"]).rsplit("/warehouse/", 1)[0]
        for title, sql in EXAMPLE_QUERIES:
            console.print(f"  [dim]# {title}[/dim]")
            console.print(f"  nianbao sql --data-dir {data_dir} \"{sql}\"", soft_wrap=True, highlight=False)
