"""What the operator sees in Prefect after a nightly run: two artifacts and one event per portal in trouble.

- a table artifact (key `nianbao-portals`): one row per portal of the run (state, pages, reports, new, errors,
  reason);
- a markdown artifact (key `nianbao-run-summary`): the run's totals, the portals whose state got worse since
  the last run, the reports whose extraction failed, earlier runs this one recovered, and a link to the run's
  report.html when it exists;
- an event `nianbao.portal.<state>` for each portal whose state is not ok (unreachable, challenged, partial,
  no_column, empty_column, blocked, interrupted), with the portal as its resource and the flow run as a related
  resource, so that a Prefect Automation can alert on it (docs/operations.md shows how to create one).

The rows and texts are built by plain functions (tested without Prefect); `publish` sends them.
"""
from __future__ import annotations

from typing import Any

TABLE_KEY = "nianbao-portals"
SUMMARY_KEY = "nianbao-run-summary"
EVENT_PREFIX = "nianbao.portal."
RESOURCE_PREFIX = "nianbao.portal."

# How bad a portal state is; "worse" means a higher number than in the portal's previous run.
SEVERITY = {"ok": 0, "partial": 1, "interrupted": 1, "empty_column": 2, "no_column": 3, "challenged": 3,
            "blocked": 3, "unreachable": 3}
ALERT_STATES = ("unreachable", "challenged", "partial", "no_column", "empty_column", "blocked", "interrupted")


def _reason(p: dict[str, Any]) -> str:
    from flows.summary import portal_reason

    return portal_reason(p)


def portal_rows(portals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table artifact: one row per portal."""
    rows = []
    for p in portals:
        c = p.get("counts") or {}
        rows.append({"portal": p.get("id"), "name": p.get("name") or "", "state": p.get("state") or "",
                     "pages": int(c.get("pages") or 0), "reports": int(c.get("reports") or 0),
                     "new": int(c.get("new") or 0), "errors": int(c.get("errors") or 0),
                     "reason": "" if p.get("state") == "ok" else _reason(p)})
    return rows


def not_ok(portals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in portals if (p.get("state") or "ok") != "ok"]


def got_worse(portals: list[dict[str, Any]], previous: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Portals whose state is worse than in the last run that crawled them (new portals are not "worse")."""
    out = []
    for p in portals:
        before = (previous.get(str(p.get("id"))) or {}).get("state")
        now = p.get("state") or "ok"
        if before is None:
            continue
        if SEVERITY.get(now, 3) > SEVERITY.get(before, 3):
            out.append({"portal": p.get("id"), "name": p.get("name") or "", "before": before, "now": now,
                        "reason": _reason(p)})
    return out


def portal_events(portals: list[dict[str, Any]], previous: dict[str, dict[str, Any]], run_id: str | None,
                  flow_run_id: str | None = None) -> list[dict[str, Any]]:
    """One event per portal whose state is not ok (the keyword arguments of `prefect.events.emit_event`)."""
    out = []
    for p in portals:
        state = p.get("state") or "ok"
        if state == "ok":
            continue
        related = []
        if flow_run_id:
            related.append({"prefect.resource.id": f"prefect.flow-run.{flow_run_id}",
                            "prefect.resource.role": "flow-run"})
        out.append({
            "event": EVENT_PREFIX + state,
            "resource": {"prefect.resource.id": RESOURCE_PREFIX + str(p.get("id")),
                         "prefect.resource.name": str(p.get("name") or p.get("id")),
                         "nianbao.portal.state": state, "nianbao.portal.url": str(p.get("url") or "")},
            "related": related,
            "payload": {"run_id": run_id, "state": state, "reason": _reason(p),
                        "previous_state": (previous.get(str(p.get("id"))) or {}).get("state"),
                        "counts": {k: int(v or 0) for k, v in (p.get("counts") or {}).items()
                                   if k in ("pages", "reports", "new", "errors", "challenged", "too_large")}},
        })
    return out


def _md(text: Any) -> str:
    """A value made safe for a markdown table cell."""
    return str("" if text is None else text).replace("|", "\\|").replace("\n", " ")[:300]


def markdown_summary(summary: dict[str, Any], worse: list[dict[str, Any]], failed: dict[str, Any],
                     report_html: str | None = None) -> str:
    portals = summary.get("portals") or []
    states: dict[str, int] = {}
    for p in portals:
        states[p.get("state") or "ok"] = states.get(p.get("state") or "ok", 0) + 1
    counts = lambda key: sum(int((p.get("counts") or {}).get(key) or 0) for p in portals)  # noqa: E731
    load = summary.get("load") or {}
    statuses = summary.get("statuses") or {}
    backlog = summary.get("backlog") or []
    lines = [f"# nianbao {summary.get('flow') or 'nightly'} run {summary.get('run_id') or ''}", ""]
    if report_html:
        lines += [f"Run report: [{report_html}](file://{report_html})", ""]
    lines += ["| | |", "|---|---|",
              f"| portals | {len(portals)} ({', '.join(f'{k} {v}' for k, v in sorted(states.items())) or 'none'}) |",
              f"| pages fetched | {counts('pages')} |",
              f"| reports found | {counts('reports')} ({counts('new')} new) |",
              f"| documents extracted | {summary.get('documents', 0)} ({summary.get('extracted_new', 0)} new): "
              + (", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) or "none") + " |",
              f"| loaded | {load.get('reports', 0)} reports, {load.get('cells', 0)} cells |",
              f"| failed extraction | {failed.get('total', 0)} reports |"]
    if backlog:
        lines.append(f"| recovered | {len(backlog)} earlier runs that no load had published: "
                     + ", ".join(f"{b['run_id']} ({b.get('documents', 0)} documents)" for b in backlog) + " |")
    seconds = summary.get("seconds") or {}
    if seconds:
        lines.append("| seconds | " + ", ".join(f"{k} {float(v):.1f}" for k, v in seconds.items()) + " |")
    lines += ["", f"## Portals whose state got worse since the last run ({len(worse)})", ""]
    if worse:
        lines += ["| portal | name | before | now | reason |", "|---|---|---|---|---|"]
        lines += [f"| {_md(w['portal'])} | {_md(w['name'])} | {w['before']} | {w['now']} | {_md(w['reason'])} |"
                  for w in worse]
    else:
        lines.append("None.")
    bad = not_ok(portals)
    lines += ["", f"## Portals not ok ({len(bad)})", ""]
    if bad:
        lines += ["| portal | name | state | reason |", "|---|---|---|---|"]
        lines += [f"| {_md(p.get('id'))} | {_md(p.get('name'))} | {p.get('state')} | {_md(_reason(p))} |" for p in bad]
    else:
        lines.append("None.")
    rows = failed.get("rows") or []
    lines += ["", f"## Reports that failed extraction or fetch ({failed.get('total', 0)})", ""]
    if rows:
        lines += ["| portal | agency | year | status | reason | source |", "|---|---|---|---|---|---|"]
        lines += [f"| {_md(r['portal_id'])} | {_md(r['agency'])} | {_md(r['report_year'])} | {r['status']} | "
                  f"{_md(r['reason'])} | {_md(r['source_url'])} |" for r in rows]
        if failed.get("total", 0) > len(rows):
            lines.append(f"\n… and {failed['total'] - len(rows)} more (`SELECT * FROM reports WHERE status "
                         "NOT IN ('ok', 'not_a_report', 'legacy_format')`).")
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def publish(summary: dict[str, Any], previous: dict[str, dict[str, Any]], failed: dict[str, Any],
            report_html: str | None = None) -> dict[str, Any]:
    """Create the two artifacts and emit the events, inside a flow run. Returns what was sent."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact
    from prefect.events import emit_event
    from prefect.runtime import flow_run

    portals = summary.get("portals") or []
    worse = got_worse(portals, previous)
    flow_run_id = str(flow_run.id) if flow_run.id else None
    run_id = summary.get("run_id")
    table = create_table_artifact(portal_rows(portals), key=TABLE_KEY,
                                  description=f"Portal states of nianbao run {run_id}")
    md = create_markdown_artifact(markdown_summary(summary, worse, failed, report_html), key=SUMMARY_KEY,
                                  description=f"Summary of nianbao run {run_id}")
    sent = 0
    for kwargs in portal_events(portals, previous, run_id, flow_run_id):
        if emit_event(**kwargs) is not None:
            sent += 1
    return {"table_artifact": str(table), "markdown_artifact": str(md), "events": sent, "worse": worse}
