"""The rendering fallback with the real headless Chromium, against a site on 127.0.0.1 whose menus and lists exist
only after its scripts run (tests/crawlers/scriptsite.py), through a real `scrapy crawl`.

Static reading finds nothing on that site: no column link, no list. Every report must still be found — by
rendering the home page (a menu drawn by script), the 信息公开 page (a tree drawn by script) and the column (a
shell filled from a JSON API, with an iframe written by document.write) — and the other pages of the JSON list
must be asked for directly, without the browser.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
import yaml

from crawlers.render import RENDERED_HEADER, unavailable_reason
from crawlers.run import crawl

from tests.crawlers.conftest import TEST_DELAY, TEST_JITTER, manifest_rows
from tests.crawlers.scriptsite import start_script_site

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def site():
    reason = unavailable_reason()
    assert reason is None, reason  # the browser tests need Chromium: `make setup` installs it
    s = start_script_site(hang_seconds=15.0)
    try:
        yield s
    finally:
        s.stop()


def _sources(site, path, **portal):
    doc = {"version": 1,
           "defaults": {"delay": TEST_DELAY, "jitter": TEST_JITTER, "retry_backoff": 0.2, "timeout": 20},
           "portals": [{"id": "script", "name": "脚本县人民政府", "url": site.base_url, **portal}]}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _docs(rows, role):
    return {r["url"]: r for r in rows if r["role"] == role and r["state"] in ("ok", "not_modified")}


@pytest.fixture(scope="module")
def first(site, tmp_path_factory):
    """The first crawl of the script-built portal, with rendering on (the default)."""
    root = tmp_path_factory.mktemp("render")
    site.clear_log()
    summary = crawl(_sources(site, root / "sources.yaml"), root / "data", run_id="r1")
    assert summary.returncode == 0, (summary.run_dir / "crawl.stderr").read_text(errors="replace")[-3000:]
    return {"root": root, "summary": summary, "rows": manifest_rows(summary.run_dir), "log": list(site.log)}


def test_every_report_is_found_through_rendering(site, first):
    reports = _docs(first["rows"], "report")
    assert sorted(u for u in site.reports if u not in reports) == []


def test_the_attachment_is_fetched_as_bytes(site, first):
    atts = _docs(first["rows"], "attachment")
    assert sorted(atts) == sorted(site.attachments)


def test_the_guide_in_the_json_list_is_not_a_report(site, first):
    assert not [u for u in site.decoys if u in _docs(first["rows"], "report")]


def test_portal_state_is_ok(first):
    assert first["summary"].portal("script").state == "ok"


def test_rendered_pages_are_counted(first):
    # home (menu by script), 信息公开 page (tree by script), column (shell + iframe)
    assert first["summary"].portal("script").counts["rendered"] == 3


def test_render_time_is_counted(first):
    assert first["summary"].portal("script").counts["render_ms"] > 0


def test_the_json_list_pages_are_asked_for_directly(site, first):
    api = [e for e in first["log"] if e.path.startswith("/api/articles")]
    # page 1 by the browser, pages 2 and 3 by plain requests
    assert sorted(e.path.split("page=")[1].split("&")[0] for e in api) == ["1", "2", "3"]


def test_xhr_pages_count(first):
    assert first["summary"].portal("script").counts["xhr_pages"] == 2


def test_reports_are_never_rendered(site, first):
    rendered = {r["url"] for r in first["rows"] if RENDERED_HEADER in r["headers"]}
    assert not rendered & set(site.reports)


def test_rendered_page_rows_keep_the_raw_bytes(site, first):
    nav = [r for r in first["rows"] if r["headers"].get(RENDERED_HEADER, "").startswith("chromium")]
    data_dir = first["root"] / "data"
    bodies = [(data_dir / "raw" / r["sha256"][:2] / r["sha256"]).read_bytes() for r in nav]
    served = {site.url("/"): site.server.content.routes["/"].data(),
              site.url("/zfxxgk/"): site.server.content.routes["/zfxxgk/"].data(),
              site.url("/zfxxgk/ndbg/index.html"): site.server.content.routes["/zfxxgk/ndbg/index.html"].data()}
    assert [(r["url"], hashlib.sha256(b).hexdigest()) for r, b in zip(nav, bodies)] == \
        [(r["url"], hashlib.sha256(served[r["url"]]).hexdigest()) for r in nav]


def test_every_request_the_browser_made_has_a_row(site, first):
    served = Counter(site.url(e.path) for e in first["log"] if not e.path.startswith("/robots.txt"))
    rows = Counter(r["final_url"] if r["headers"].get(RENDERED_HEADER, "").startswith("subrequest") else r["url"]
                   for r in first["rows"])
    assert served == rows


def test_images_and_style_sheets_are_not_fetched(first):
    assert not [e.path for e in first["log"] if e.path.endswith((".png", ".css"))]


def test_per_host_rate_holds_with_the_browser(first):
    floor = TEST_DELAY * (1 - TEST_JITTER) - 0.03
    log = sorted(first["log"], key=lambda e: e.timestamp)
    gaps = [(b.timestamp - a.timestamp, a.path, b.path) for a, b in zip(log, log[1:])]
    assert min(gaps)[0] >= floor, min(gaps)


def test_second_run_fetches_no_report_again(site, first):
    site.clear_log()
    summary = crawl(first["root"] / "sources.yaml", first["root"] / "data", run_id="r2")
    rows = manifest_rows(summary.run_dir)
    assert [r["url"] for r in rows if r["role"] in ("report", "attachment")] == []


def test_a_sharp_drop_is_flagged(site, first):
    """The list API suddenly answers 2 rows instead of 13: the run still reads the column, and flags the drop."""
    kept = list(site.rows)
    del site.rows[2:]
    try:  # a full walk (between walks a run reads only what changed, so its count is partial by design)
        summary = crawl(_sources(site, first["root"] / "walk.yaml", walk_days=0), first["root"] / "data", run_id="r3")
    finally:
        site.rows[:] = kept
    c = summary.portal("script").counts
    assert (c["previous_reports"], c["reports"], c["reports_drop"]) == (14, 4, 10)


# --- limits --------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def slow(site, tmp_path_factory):
    """A column whose script waits on an answer that never comes, with a 3 s time limit per rendered page."""
    root = tmp_path_factory.mktemp("render-slow")
    site.clear_log()
    src = _sources(site, root / "sources.yaml", column_url=site.url("/slow/index.html"), render_timeout=3)
    summary = crawl(src, root / "data", run_id="slow")
    return {"summary": summary, "rows": manifest_rows(summary.run_dir)}


def test_time_limit_is_counted(slow):
    assert slow["summary"].portal("script").counts["render_timeouts"] == 1


def test_time_limit_keeps_what_was_drawn(site, slow):
    assert sorted(u for u in site.slow_reports if u not in _docs(slow["rows"], "report")) == []


def test_unanswered_subrequest_has_an_error_row(site, slow):
    row = next(r for r in slow["rows"] if r["final_url"] == site.url("/api/hang"))
    assert (row["state"], row["status"]) == ("error", None)


def test_time_limit_bounds_the_page(slow):
    assert slow["summary"].portal("script").counts["render_ms"] < 3000 + 2000


def test_budget_of_rendered_pages(site, tmp_path_factory):
    root = tmp_path_factory.mktemp("render-budget")
    summary = crawl(_sources(site, root / "sources.yaml", render_max_pages=1), root / "data", run_id="b")
    p = summary.portal("script")
    assert (p.counts["rendered"], p.counts["render_over_budget"] > 0, p.state) == (1, True, "no_column")


def test_render_off_is_never_ok(site, tmp_path_factory):
    root = tmp_path_factory.mktemp("render-off")
    site.clear_log()
    summary = crawl(_sources(site, root / "sources.yaml", render="off"), root / "data", run_id="off")
    p = summary.portal("script")
    assert (p.state, p.counts["rendered"], "no 年报 column" in (p.error or "")) == ("no_column", 0, True)


def test_without_chromium_the_reason_is_shown(site, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("NIANBAO_CHROMIUM", str(tmp_path_factory.mktemp("nochrome") / "chromium"))
    root = tmp_path_factory.mktemp("render-missing")
    summary = crawl(_sources(site, root / "sources.yaml"), root / "data", run_id="missing")
    p = summary.portal("script")
    assert (p.state, p.counts["render_unavailable"] > 0, "Chromium" in (p.error or "")) == ("no_column", True, True)


def test_empty_column_is_not_ok(site, tmp_path_factory):
    """A column named in the sources file that lists nothing (暂无信息), even rendered: empty_column, with the
    reason."""
    root = tmp_path_factory.mktemp("render-empty")
    column = site.url("/zfxxgk/kong/index.html")
    summary = crawl(_sources(site, root / "sources.yaml", column_url=column), root / "data", run_id="empty")
    p = summary.portal("script")
    assert (p.state, p.counts["rendered"], column in (p.error or "")) == ("empty_column", 1, True)


def test_run_json_is_written(first):
    run = json.loads((first["summary"].run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["finish_reason"] == "finished"
