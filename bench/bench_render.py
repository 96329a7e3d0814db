"""Rendering benchmark on the local demo portal (127.0.0.1 only): how much of a crawl is rendered, and what it costs.

The whole demo portal (every site, the script-built one included) is crawled twice in the same run, with polite
delays (0.05 s per host): with rendering on (the default) and with `render: off` (the baseline). Reported:

- pages rendered, and their share of the navigation pages (home, column, list) and of all responses;
- what rendering costs: seconds in the browser (sum and per rendered page), the browser's own requests, the
  crawl's wall time and request count against the baseline (ratios), and one rendered page against one static
  response (the baseline's crawl seconds per response);
- what it buys: reports found with and without rendering, against the portal's ground truth.

    python bench/bench_render.py [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _crawl(portal, tmp: Path, name: str, render: str) -> dict:
    import yaml

    from crawlers.run import crawl

    doc = yaml.safe_load(portal.sources_yaml())
    doc["defaults"] = {"delay": 0.05, "jitter": 0.2, "retry_backoff": 0.2, "render": render}
    src = tmp / f"{name}.yaml"
    src.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    portal.clear_log()
    t0 = time.perf_counter()
    summary = crawl(src, tmp / name, run_id=name)
    wall = time.perf_counter() - t0
    rows = [json.loads(line) for line in (summary.run_dir / "manifest.jsonl").open(encoding="utf-8")]
    found = {r["url"] for r in rows if r["role"] == "report" and r["state"] in ("ok", "not_modified")}
    want = {r["url"] for r in portal.expected_reports()}
    t = summary.totals
    nav = sum(1 for r in rows if r["role"] in ("home", "column", "list")
              and not r["headers"].get("x-nianbao-rendered", "").startswith("subrequest"))
    return {"wall_seconds": round(wall, 2), "crawl_seconds": summary.elapsed_seconds, "requests": len(portal.request_log),
            "responses": len(rows), "navigation_pages": nav, "rendered": t.get("rendered", 0),
            "render_seconds": round(t.get("render_ms", 0) / 1000, 2), "browser_requests": t.get("render_subrequests", 0),
            "xhr_pages": t.get("xhr_pages", 0), "reports_found": len(found & want), "reports_expected": len(want),
            "per_site_rendered": {p.id: p.counts.get("rendered", 0) for p in summary.portals if p.counts.get("rendered")}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from crawlers.render import unavailable_reason
    from demoportal.portal import start_portal

    reason = unavailable_reason()
    if reason:
        print(f"bench_render: {reason}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-render-") as tmp:
        tmp_path = Path(tmp)
        portal = start_portal(slow_seconds=0.2)
        try:
            _crawl(portal, tmp_path, "warm", "off")  # the demo portal renders its pages on first request
            off = _crawl(portal, tmp_path, "off", "off")
            on = _crawl(portal, tmp_path, "on", "auto")
        finally:
            portal.stop()
    static_per_response = off["crawl_seconds"] / off["responses"] if off["responses"] else 0.0
    per_render = on["render_seconds"] / on["rendered"] if on["rendered"] else 0.0
    res = {
        "render_on": on, "render_off": off,
        "share_of_navigation_pages_rendered": round(on["rendered"] / on["navigation_pages"], 3) if on["navigation_pages"] else None,
        "share_of_responses_rendered": round(on["rendered"] / on["responses"], 3) if on["responses"] else None,
        "seconds_per_rendered_page": round(per_render, 2),
        "rendered_page_vs_static_response": round(per_render / static_per_response, 1) if static_per_response else None,
        "wall_time_ratio_on_off": round(on["wall_seconds"] / off["wall_seconds"], 2) if off["wall_seconds"] else None,
        "requests_ratio_on_off": round(on["requests"] / off["requests"], 2) if off["requests"] else None,
    }
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return 0
    print("nianbao rendering benchmark (demo portal on 127.0.0.1, every site, delay 0.05 s per host)")
    print(f"  reports found   : {on['reports_found']}/{on['reports_expected']} with rendering, "
          f"{off['reports_found']}/{off['reports_expected']} without")
    print(f"  pages rendered  : {on['rendered']} of {on['navigation_pages']} navigation pages "
          f"({res['share_of_navigation_pages_rendered']:.1%}), {res['share_of_responses_rendered']:.1%} of "
          f"{on['responses']} responses; by site {on['per_site_rendered']}")
    print(f"  rendering cost  : {on['render_seconds']} s in the browser ({res['seconds_per_rendered_page']} s a page = "
          f"{res['rendered_page_vs_static_response']}x a static response), {on['browser_requests']} browser requests, "
          f"{on['xhr_pages']} list-API pages asked for directly")
    print(f"  whole crawl     : {on['wall_seconds']} s vs {off['wall_seconds']} s without rendering "
          f"(x{res['wall_time_ratio_on_off']}); requests {on['requests']} vs {off['requests']} "
          f"(x{res['requests_ratio_on_off']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
