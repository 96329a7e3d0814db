"""The crawler against the demo portal (a real HTTP server on 127.0.0.1), through a real `scrapy crawl` subprocess.

The tests of this module run in order on one portal and one data directory: first crawl, second (incremental)
crawl, then the portal's next generation. The demo portal is the crawler's independent test: its ground truth
(`portal.expected()`) says what must be found and what must not be taken as a report.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest
import yaml

from core.decode import decode_html
from crawlers.run import crawl
from crawlers.store import State

from tests.crawlers.conftest import TEST_DELAY, TEST_JITTER, log_url, manifest_rows, write_sources

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow, pytest.mark.portal, pytest.mark.browser]  # demo-script renders

DOCUMENT_STATES = ("ok", "not_modified")


@pytest.fixture(scope="module")
def work(tmp_path_factory, portal):
    """Shared state of the ordered tests: data dir, sources, run summaries and request-log slices."""
    root = tmp_path_factory.mktemp("crawl")
    return {"root": root, "data": root / "data", "sources": write_sources(portal, root / "sources.yaml"), "runs": {},
            "logs": {}}


def _run(portal, work, name, sources=None, **kw):
    portal.clear_log()
    summary = crawl(sources or work["sources"], work["data"], run_id=name, **kw)
    work["runs"][name] = summary
    work["logs"][name] = portal.request_log
    assert summary.returncode == 0, (summary.run_dir / "crawl.stderr").read_text(errors="replace")[-3000:]
    assert summary.finish_reason == "finished"
    return summary


def _documents(rows, portal_id=None, role=None):
    return {r["url"]: r for r in rows if r["state"] in DOCUMENT_STATES and r["role"] in ("report", "attachment")
            and (portal_id is None or r["portal_id"] == portal_id) and (role is None or r["role"] == role)}


# ---------------------------------------------------------------------------------------------------- first run

def test_first_run_finds_every_report_and_attachment(portal, work):
    summary = _run(portal, work, "run1")
    rows = manifest_rows(summary.run_dir)
    exp = portal.expected()
    missing, missing_att = [], []
    for site in exp["sites"].values():
        reports = _documents(rows, site["id"], "report")
        atts = _documents(rows, site["id"], "attachment")
        for r in site["reports"]:
            if r["url"] not in reports:
                missing.append(r["url"])
            for a in r["attachments"]:
                if a not in atts:
                    missing_att.append(a)
                elif atts[a]["parent_url"] != r["url"]:
                    missing_att.append(f"{a} (parent {atts[a]['parent_url']})")
    assert not missing, missing
    assert not missing_att, missing_att
    # In the 年报 column the body decides: entries whose title does not say what they are (the news decoys) may
    # be fetched too (extraction then says not_a_report); nothing else is.
    extra = set(_documents(rows, role="report")) - {r["url"] for r in portal.expected_reports()}
    assert extra <= {d["url"] for d in portal.expected_decoys() if d["kind"] == "news"}, extra
    assert len(_documents(rows, role="attachment")) == exp["counts"]["attachments"]


def test_every_body_is_stored_content_addressed(portal, work):
    summary = work["runs"]["run1"]
    rows = manifest_rows(summary.run_dir)
    fields = ["run_id", "portal_id", "url", "final_url", "status", "headers", "fetched_at", "sha256", "size",
              "detected_type", "role", "listing_url", "link_title", "parent_url", "list_date", "state", "error",
              "redirects"]
    for r in rows:
        assert list(r) == fields
        if r["sha256"] and r["state"] != "not_modified":
            data = (work["data"] / "raw" / r["sha256"][:2] / r["sha256"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == r["sha256"] and len(data) == r["size"]
    # every response the server sent (robots.txt aside) has its manifest row; a followed redirect is part of
    # the row of the URL that started the chain (its `redirects`), whose `final_url` is where the body came from
    served = [e for e in work["logs"]["run1"] if not e.path.startswith("/robots.txt") and e.status != 503]
    final = [e for e in served if e.status not in (301, 302, 303, 307, 308)]
    assert len(rows) == len(final)
    assert {r["final_url"] for r in rows} == {log_url(portal, e) for e in final}
    assert {u for r in rows for u in [r["url"], *r["redirects"], r["final_url"]]} == {log_url(portal, e) for e in served}
    chained = [r for r in rows if r["redirects"]]
    assert chained and all(r["redirects"][0] == r["url"] and r["final_url"] != r["url"] for r in chained)
    reports = _documents(rows, role="report")
    exp = {r["url"]: r for r in portal.expected_reports()}
    decoys = {d["url"]: d for d in portal.expected_decoys()}
    for url, row in reports.items():
        assert row["link_title"] == (exp.get(url) or decoys[url])["title"], url
        assert row["listing_url"]
        if url in exp:
            assert row["list_date"] == exp[url]["list_date"], url
    types = {r["detected_type"] for r in _documents(rows, role="attachment").values()}
    assert {"pdf", "docx", "doc", "xls", "xlsx", "image"} <= types


def test_no_decoy_is_taken_as_a_report(portal, work):
    """At the crawl: decoys titled as another kind of document are never asked for; hostile ones are never
    stored as documents. Whether a fetched news page becomes a report is extraction's call (tests/flows)."""
    rows = manifest_rows(work["runs"]["run1"].run_dir)
    docs = _documents(rows)
    expected_urls = {r["url"] for r in portal.expected_reports()}
    expected_atts = {a for r in portal.expected_reports() for a in r["attachments"]}
    requested = {log_url(portal, e) for e in work["logs"]["run1"]}
    for d in portal.expected_decoys():
        if d["kind"] != "news":  # news may be fetched (the body decides; extraction says not_a_report: tests/flows)
            assert d["url"] not in docs, d
        if d["kind"] in ("guide", "rule", "notice", "interpretation", "robots_disallowed"):
            # titles that clearly name another kind of document are not fetched (core.titles.EXCLUDED_KINDS)
            assert d["url"] not in requested, f"decoy requested: {d['kind']} {d['title']}"
    news = {d["url"] for d in portal.expected_decoys() if d["kind"] == "news"}
    extra = [u for u, r in docs.items() if r["role"] == "report" and u not in expected_urls and u not in news]
    assert not extra, extra
    extra_att = [u for u, r in docs.items() if r["role"] == "attachment" and u not in expected_atts]
    assert not extra_att, extra_att
    # the pinned duplicate (?from=zhiding / ?source=sy_tj) is recognised as the same page
    for r in portal.expected_reports():
        for alias in r["aliases"]:
            assert alias not in requested


def test_hostile_pages(portal, work):
    summary = work["runs"]["run1"]
    rows = manifest_rows(summary.run_dir)
    by_url = {r["url"]: r for r in rows}
    states = {p.id: p.state for p in summary.portals}
    assert states["demo-waf"] == "challenged"
    waf = [r for r in rows if r["portal_id"] == "demo-waf"]
    assert waf and all(r["state"] == "challenged" for r in waf)
    for d in portal.expected_decoys():
        row = by_url.get(d["url"])
        if d["kind"] in ("challenge_412", "challenge_521"):
            assert row is not None and row["state"] == "challenged" and row["status"] == d["status"], d
        elif d["kind"] == "deleted":
            assert row is not None and row["state"] == "deleted" and row["status"] == 200, d
        elif d["kind"] == "not_found":
            assert row is not None and row["state"] == "error" and row["status"] == 404, d
    log = work["logs"]["run1"]
    # no retry on 404; one retry after the 503 of the fail-once page; the slow page is waited for
    for d in portal.expected_decoys():
        if d["kind"] == "not_found":
            assert sum(1 for e in log if log_url(portal, e) == d["url"]) == 1
    for r in portal.expected_reports():
        hits = [e for e in log if log_url(portal, e) == r["url"]]
        if r["behaviour"] == "fail_once":
            assert [e.status for e in hits] == [503, 200]
            assert by_url[r["url"]]["state"] == "ok"
        elif r["behaviour"] == "slow":
            assert by_url[r["url"]]["state"] == "ok"
        elif r["encoding"] == "gbk":
            row = by_url[r["url"]]
            body = (work["data"] / "raw" / row["sha256"][:2] / row["sha256"]).read_bytes()
            text, enc = decode_html(body, None)
            assert r["truth"]["title"] in text and enc == "gb18030"


def test_per_host_request_rate(portal, work):
    """Concurrency 1 and delay d with jitter j: requests to one host arrive at least d×(1−j) apart."""
    # The server stamps a request when its handler thread has read it, which under a loaded CI machine lags the
    # send by up to a few tens of ms; a crawler that ignored the delay would show gaps of ~1-5 ms on loopback.
    floor = TEST_DELAY * (1 - TEST_JITTER) - 0.03
    times = defaultdict(list)
    for e in work["logs"]["run1"]:
        times[e.site_id].append((e.timestamp, e.path))
    for site, ts in times.items():
        ts.sort()
        gaps = [(b[0] - a[0], a[1], b[1]) for a, b in zip(ts, ts[1:])]
        assert not gaps or min(gaps)[0] >= floor, (site, min(gaps))


def test_summary_per_portal(portal, work):
    summary = work["runs"]["run1"]
    exp = portal.expected()
    rows = manifest_rows(summary.run_dir)
    for p in summary.portals:
        site = exp["sites"][p.id]
        if p.id == "demo-waf":
            continue
        news = _documents(rows, p.id, "report").keys() & {d["url"] for d in site["decoys"] if d["kind"] == "news"}
        assert p.counts["new"] == len(site["reports"]) + len(news), p
        # fetched without a report title: the news, and reports whose list text is not their title (some are)
        other_text = [r for r in site["reports"] if r["title"] != r["truth"]["title"]]
        assert len(news) <= p.counts["unranked"] <= len(news) + len(other_text), p
        assert p.counts["requests"] >= p.counts["pages"] - p.counts["challenged"], p
        assert p.counts["attachments"] == sum(len(r["attachments"]) for r in site["reports"])
        assert p.column_urls, p
        assert p.state in ("ok", "partial")
    news = _documents(rows, role="report").keys() & {d["url"] for d in portal.expected_decoys() if d["kind"] == "news"}
    assert summary.totals["new"] == exp["counts"]["reports"] + len(news)
    cms = {s.id: s.cms for s in portal.sites}
    detected = {p.id: p.platforms_detected for p in summary.portals}
    for sid in ("demo-trs", "demo-hanweb", "demo-gkmlpt", "demo-openness"):
        assert cms[sid] in detected[sid], (sid, detected[sid])


# ---------------------------------------------------------------------------------------------------- increments

def test_second_run_fetches_no_document_again(portal, work):
    summary = _run(portal, work, "run2")
    rows = manifest_rows(summary.run_dir)
    assert {r["role"] for r in rows} <= {"home", "column", "list"}, [r["url"] for r in rows if r["role"] in ("report", "attachment")]
    doc_urls = {r["url"] for r in portal.expected_reports()} | {a for r in portal.expected_reports() for a in r["attachments"]}
    assert not [e for e in work["logs"]["run2"] if log_url(portal, e) in doc_urls]
    assert summary.totals["new"] == 0 and summary.totals["attachments"] == 0
    # static list pages answer 304 to the conditional GETs
    assert sum(1 for r in rows if r["state"] == "not_modified") >= len(rows) // 2
    first, second = len(work["logs"]["run1"]), len(work["logs"]["run2"])
    # issue 12: an incremental night costs at most a tenth of the first run's requests — no home and navigation
    # pages (walk_days), lists stopped at their first unchanged page, robots.txt kept for a day
    assert second <= first / 10, (first, second)
    assert all(p.counts["walked"] == 0 for p in summary.portals if p.id != "demo-waf")
    assert not [e for e in work["logs"]["run2"] if e.path == "/robots.txt" and e.status == 200]
    disallowed = {d["url"] for d in portal.expected_decoys() if d["kind"] == "robots_disallowed"}
    assert disallowed and not [e for e in work["logs"]["run2"] if log_url(portal, e) in disallowed]


def test_after_mutation_new_report_is_fetched(portal, work):
    before = {r["url"] for r in portal.expected_reports()}
    portal.mutate()
    added = [r for r in portal.expected_reports() if r["url"] not in before]
    assert added
    summary = _run(portal, work, "run3")
    rows = manifest_rows(summary.run_dir)
    docs = _documents(rows, role="report")
    for r in added:
        assert r["url"] in docs and docs[r["url"]]["state"] == "ok"
        assert docs[r["url"]]["listing_url"] in portal.expected()["sites"][r["site_id"]]["column_urls"]  # page 1
        # its list was read page after page and stopped at the first page that showed nothing new
        assert summary.portal(r["site_id"]).counts["pages_skipped"] > 0
    assert summary.totals["new"] == len(added)
    # nothing else is fetched again with a full answer
    full = [r["url"] for r in rows if r["role"] in ("report", "attachment") and r["state"] == "ok"]
    assert sorted(full) == sorted(r["url"] for r in added)


def test_changed_report_is_fetched_when_rechecked(portal, work):
    """A page corrected in place (same title and list date) is found by conditional GETs when due."""
    changed = [r for r in portal.expected_reports() if r["changed_in"]]
    assert changed
    sources = write_sources(portal, work["root"] / "recheck.yaml", defaults={"recheck_days": 0})
    summary = _run(portal, work, "run4", sources=sources)
    rows = manifest_rows(summary.run_dir)
    first = {r["url"]: r for r in manifest_rows(work["runs"]["run1"].run_dir)}
    ok = {r["url"]: r for r in rows if r["role"] == "report" and r["state"] == "ok"}
    for r in changed:
        assert r["url"] in ok and ok[r["url"]]["sha256"] != first[r["url"]]["sha256"]
    assert summary.totals["changed"] == len(changed)
    # the unchanged ones answered 304
    assert all(r["state"] in ("not_modified", "challenged", "deleted", "error") or r["url"] in ok
               for r in rows if r["role"] == "report")
    assert sum(1 for r in rows if r["role"] == "report" and r["state"] == "not_modified") > 50


# ---------------------------------------------------------------------------------------------------- other paths

def test_https_falls_back_to_http_and_too_large_bodies(portal, tmp_path):
    """A portal listed as https on a host that only speaks http is crawled over http (and remembered);
    a body over max_size is recorded as too_large and not stored."""
    site = portal.site("demo-trs-city")
    sources = write_sources(portal, tmp_path / "s.yaml", ["demo-trs-city"],
                            overrides={"demo-trs-city": {"url": site.base_url.replace("http://", "https://"),
                                                         "max_size": 64000}})
    summary = crawl(sources, tmp_path / "data", run_id="tls")
    assert summary.returncode == 0
    p = summary.portal("demo-trs-city")
    assert p.counts["new"] == len(portal.expected()["sites"]["demo-trs-city"]["reports"]), p
    rows = manifest_rows(summary.run_dir)
    big = [r for r in rows if r["state"] == "too_large"]
    assert big and all(r["sha256"] is None for r in big)
    assert all(r["final_url"].startswith("http://") for r in rows)
    state = State(tmp_path / "data" / "state" / "crawl.sqlite")
    try:
        assert state.https_broken("127.0.0.1")
    finally:
        state.close()


def test_cli_crawl_and_errors(portal, tmp_path):
    sources = write_sources(portal, tmp_path / "s.yaml")
    cmd = [sys.executable, "-m", "nianbao.cli", "crawl", "--sources", str(sources), "--only", "demo-openness,demo-waf",
           "--data-dir", str(tmp_path / "data"), "--run-id", "cli"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env={**os.environ, "COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    assert "demo-openness" in out.stdout and "reports" in out.stdout
    rows = [json.loads(l) for l in (tmp_path / "data" / "runs" / "cli" / "portals.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == ["demo-openness", "demo-waf"]
    assert {r["id"]: r["state"] for r in rows}["demo-openness"] in ("ok", "partial")
    # every portal that is not ok gets one line with its reason
    lines = [l for l in out.stdout.splitlines() if l.startswith("demo-waf: challenged: ")]
    assert len(lines) == 1 and "challenge" in lines[0].split(": ", 2)[2]
    cmd[cmd.index("demo-openness,demo-waf")] = "demo-openness"
    bad = subprocess.run(cmd[:-6] + ["--only", "nope", "--data-dir", str(tmp_path / "d2")], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "nope" in bad.stderr
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_column_override_and_unreachable_portal(portal, tmp_path):
    """`column_url` skips discovery; a portal that refuses connections ends `unreachable` after its retries."""
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    col = portal.expected()["sites"]["demo-trs-city"]["column_urls"][0]
    sources = write_sources(portal, tmp_path / "s.yaml", ["demo-trs-city"], defaults={"retry_backoff": 0.05},
                            overrides={"demo-trs-city": {"url": f"http://127.0.0.1:{closed}/", "column_url": col}})
    doc = yaml.safe_load(sources.read_text(encoding="utf-8"))
    doc["portals"].append({"id": "down", "name": "关闭的门户", "url": f"http://127.0.0.1:{closed}/", "tls": "strict"})
    sources.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    portal.clear_log()
    summary = crawl(sources, tmp_path / "data", run_id="ovr")
    city = summary.portal("demo-trs-city")
    assert city.counts["new"] == len(portal.expected()["sites"]["demo-trs-city"]["reports"])
    assert not any(e.path in ("/", "/index.shtml") for e in portal.request_log)  # no discovery
    down = summary.portal("down")
    assert down.state == "unreachable" and down.counts["errors"] == 1 and "Refused" in (down.error or "")
