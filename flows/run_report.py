"""The run report: runs/RUN_ID/report.html, one self-contained page per nightly or backfill run for its operator.

It shows the portals and their states, what the run fetched (new or changed reports), every failure with its reason
(portals, fetches, documents that could not be read), the stage timings and the outcome in the warehouse, with two
charts. It is built from the run's own files (core.records: read_manifest, read_portals, the extraction results in
extracted.jsonl, run.json) and the run summary, and it works offline: Plotly's JavaScript is inlined from the pinned
`plotly` package, so the file can be opened from disk, moved or attached anywhere.

    after_run(summary, data_dir, build=True)   # the last call of the nightly pipeline: the site, then this report
    write_run_report(run_dir, summary, data_dir, site=None) -> Path
"""
from __future__ import annotations

import datetime as dt
import html
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from core import layout
from core.records import ExtractResult, ManifestRow, PortalRecord, read_jsonl, read_manifest, read_portals

ROW_CAP = 500  # rows per table; the rest is counted and left in the run's files
FETCH_FAILED = ("challenged", "deleted", "error", "too_large", "truncated", "redirect_loop")
NOT_FAILURES = ("ok", "not_a_report")
STAGES = ("crawl", "extract", "load", "checks", "export", "site")


def _summary_dict(summary: Any) -> dict[str, Any]:
    return summary.to_dict() if hasattr(summary, "to_dict") else dict(summary)


def after_run(summary: Any, data_dir: str | Path, build: bool = True) -> Path | None:
    """Rebuild the site from the warehouse (when the run publishes outputs) and write the run report.

    The timings go into summary.seconds ("site", "report"). A site that fails to build is written into the report
    and then fails the run with a one-line reason: the data is loaded, but nobody should believe the site is
    current when it is not."""
    from flows.progress import current

    data_dir = Path(data_dir)
    d = _summary_dict(summary)
    seconds = summary.seconds if hasattr(summary, "seconds") else summary.setdefault("seconds", {})
    site: dict[str, Any] = {}
    if build:
        from warehouse.site.build import build_site

        t0 = time.perf_counter()
        with current().stage("site") as st:
            try:
                s = build_site(data_dir, progress=None)
                site = {"index": s.index, "pages": s.pages, "agencies": s.agencies, "bytes": s.bytes}
                st.done(f"{s.pages:,} pages → {s.index}")
            except Exception as exc:  # noqa: BLE001 - recorded in the report, then raised below
                site = {"error": f"{type(exc).__name__}: {exc}"}
                st.done(f"failed: {site['error']}")
        seconds["site"] = round(time.perf_counter() - t0, 3)
    if not d.get("run_dir"):
        return None
    t0 = time.perf_counter()
    path = write_run_report(Path(d["run_dir"]), {**d, "seconds": dict(seconds)}, data_dir, site=site)
    seconds["report"] = round(time.perf_counter() - t0, 3)
    if site.get("error"):
        raise RuntimeError(f"the site was not rebuilt: {site['error']} (see {path})")
    return path


def _rel(target: str | Path | None, start: Path) -> str | None:
    if not target:
        return None
    try:
        return Path(os.path.relpath(Path(target), start)).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(target).as_uri()


def _plotly_js() -> str:
    import plotly

    js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    return js.replace("</script", "<\\/script")  # inlined in a <script> element: it must not close it


def _bar(title: str, labels: list[str], values: list[float], color: str, suffix: str = "") -> dict[str, Any]:
    return {"data": [{"type": "bar", "orientation": "h", "y": labels, "x": values, "marker": {"color": color},
                      "text": [f"{v:,.1f}{suffix}" if isinstance(v, float) else f"{v:,}{suffix}" for v in values],
                      "textposition": "auto", "hovertemplate": "%{y}: %{x}" + suffix + "<extra></extra>"}],
            "layout": {"title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
                       "height": max(220, 90 + 30 * len(labels)), "margin": {"l": 130, "r": 20, "t": 50, "b": 40},
                       "yaxis": {"type": "category", "autorange": "reversed"},
                       "font": {"family": "'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif",
                                "size": 13}}}


def _capped(rows: list[Any]) -> tuple[list[Any], int]:
    return rows[:ROW_CAP], max(0, len(rows) - ROW_CAP)


def collect(run_dir: Path, summary: dict[str, Any]) -> dict[str, Any]:
    """What the report shows, from the run's files and the summary."""
    run_dir = Path(run_dir)
    manifest: list[ManifestRow] = read_manifest(run_dir)
    portals: list[PortalRecord] = read_portals(run_dir)
    results = [ExtractResult.from_dict(r) for r in read_jsonl(run_dir / layout.RESULTS_FILE)]
    run_json = {}
    if (run_dir / layout.RUN_FILE).is_file():
        run_json = json.loads((run_dir / layout.RUN_FILE).read_text(encoding="utf-8"))
    by_sha: dict[str, ExtractResult] = {r.sha256: r for r in results if r.sha256}
    by_url: dict[str, ExtractResult] = {r.url: r for r in results if r.url}
    names = {p.id: p.name for p in portals}

    def result_of(m: ManifestRow) -> ExtractResult | None:
        return by_sha.get(m.sha256 or "") or by_url.get(m.source_url) or by_url.get(m.url)

    fetched = []
    for m in manifest:
        if m.role == "report" and m.state == "ok":
            r = result_of(m)
            fetched.append({"portal": m.portal_id, "url": m.source_url, "title": m.link_title,
                            "agency": r.agency if r else None, "year": r.report_year if r else None,
                            "status": r.status if r else "not_extracted", "reason": r.reason if r else None})
    fetch_failures = [{"portal": m.portal_id, "role": m.role, "url": m.url, "state": m.state, "status": m.status,
                       "error": m.error or "(no reason recorded)"} for m in manifest if m.state in FETCH_FAILED]
    doc_failures = []
    for m in manifest:
        if not m.is_document:
            continue
        r = result_of(m)
        if r is None:
            doc_failures.append({"portal": m.portal_id, "url": m.source_url, "status": "not_extracted",
                                 "reason": "no extraction result for this document"})
        elif r.status not in NOT_FAILURES:
            doc_failures.append({"portal": m.portal_id, "url": m.source_url, "status": r.status,
                                 "reason": r.reason or "(no reason recorded)"})
    # a portal that is not ok but records no reason gets the failed fetches of the manifest as its reason
    fetch_reasons: dict[str, Counter] = {}
    for f in fetch_failures:
        fetch_reasons.setdefault(f["portal"], Counter())[f["error"]] += 1
    portal_rows = []
    for p in portals:
        error = p.error
        if not error and p.state != "ok" and p.id in fetch_reasons:
            error = "from the manifest: " + "; ".join(
                f"{n}× {reason}" for reason, n in fetch_reasons[p.id].most_common(3))
        portal_rows.append({"id": p.id, "name": p.name, "platform": p.platform, "state": p.state,
                            "counts": p.counts, "error": error, "column_urls": p.column_urls})
    portal_failures = [p for p in portal_rows if p["state"] != "ok"]
    fetched_c, fetched_more = _capped(fetched)
    ff_c, ff_more = _capped(fetch_failures)
    df_c, df_more = _capped(doc_failures)
    return {
        "run_id": summary.get("run_id") or run_json.get("run_id") or run_dir.name,
        "run": run_json, "portals": portal_rows, "portal_failures": portal_failures, "names": names,
        "portal_states": Counter(p.state for p in portals),
        "statuses": Counter(r.status for r in results),
        "manifest_rows": len(manifest),
        "fetched": fetched_c, "fetched_more": fetched_more, "fetched_total": len(fetched),
        "fetch_failures": ff_c, "fetch_failures_more": ff_more, "fetch_failures_total": len(fetch_failures),
        "doc_failures": df_c, "doc_failures_more": df_more, "doc_failures_total": len(doc_failures),
        "new_reports": sum(p.count("new") for p in portals), "changed_reports": sum(p.count("changed") for p in portals),
        "new_attachments": sum(p.count("new_attachments") for p in portals),
    }


def write_run_report(run_dir: Path, summary: Any, data_dir: Path | None = None,
                     site: dict[str, Any] | None = None) -> Path:
    """Write run_dir/report.html (replacing an older one atomically) and return its path."""
    import jinja2

    run_dir = Path(run_dir)
    summary = _summary_dict(summary)
    info = collect(run_dir, summary)
    seconds = summary.get("seconds") or {}
    stage_names = [s for s in STAGES if s in seconds]
    charts = {
        "chart-stages": _bar("各阶段用时 Stage timings (s)", stage_names, [float(seconds[s]) for s in stage_names],
                             "#1f5fa8", " s") if stage_names else None,
        "chart-portals": _bar("门户状态 Portal states", list(info["portal_states"]),
                              list(info["portal_states"].values()), "#2a9d55") if info["portal_states"] else None,
        "chart-statuses": _bar("文档提取状态 Documents by extraction status", list(info["statuses"]),
                               list(info["statuses"].values()), "#d68910") if info["statuses"] else None,
    }
    links = {}
    if data_dir is not None:
        data_dir = Path(data_dir)
        links["site"] = _rel((site or {}).get("index") or (layout.site_dir(data_dir) / "index.html"
                                                           if (layout.site_dir(data_dir) / "index.html").exists()
                                                           else None), run_dir)
    links["snapshot"] = _rel(summary.get("snapshot"), run_dir)
    env = jinja2.Environment(loader=jinja2.PackageLoader("flows", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    text = env.get_template("run_report.html.j2").render(
        info=info, summary=summary, seconds=seconds, stage_names=stage_names, charts=charts, site=site or {},
        links=links, load=summary.get("load") or {}, quality=summary.get("quality") or {},
        written=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        plotly_js=_plotly_js(), esc=html.escape)
    path = run_dir / layout.RUN_REPORT_FILE
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
