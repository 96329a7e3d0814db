"""The run report runs/RUN_ID/report.html: portal states, what is new, failures with reasons, stage timings,
charts; built from the run's files and the summary, readable offline (checked in headless Chromium too)."""
import json
import os
import shutil
from pathlib import Path

import lxml.html
import pytest
from tests.warehouse.wh_outputs import build_outputs_world
from tests.warehouse.wh_synth import make_result

from flows.run_report import ROW_CAP, after_run, write_run_report
from warehouse.load import load_run

CHROMIUM = os.environ.get("NIANBAO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _run(tmp_path):
    """The outputs world plus a challenged portal, failed fetches and an unreadable attachment."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    b, expected = build_outputs_world(data_dir)
    b.portal("waf", "样板市人民政府", "340100", "https://waf.example.gov.cn/")
    b.portals["waf"]["state"] = "challenged"  # and no reason recorded by the crawler
    b.fetch("waf", "https://waf.example.gov.cn/", "home", state="challenged", error="rs challenge (HTTP 412)")
    b.portals["gz"]["state"] = "partial"
    b.portals["gz"]["error"] = "2 pages failed"
    b.fetch("gz", "https://www.thnet.example.gov.cn/nb/gone.html", "report", state="error", error="HTTP 500")
    page = make_result(status="no_tables", year=2022, agency="广州市天河区财政局")
    b.fetch("gz", "https://www.thnet.example.gov.cn/nb/scan.html", "report", result=page)
    att = make_result(status="unreadable", reason="encrypted PDF", year=None, agency=None)
    b.fetch("gz", "https://www.thnet.example.gov.cn/files/scan.pdf", "attachment",
            parent_url="https://www.thnet.example.gov.cn/nb/scan.html", result=att, detected_type="pdf")
    for p in b.portals.values():
        p["counts"] = {"pages": 3, "reports": 2, "new": 1, "changed": 0}
    run_dir, extracted = b.write()
    load = load_run(data_dir, run_dir, extracted)
    summary = {"run_id": b.run_id, "run_dir": str(run_dir), "documents": len(b.results), "extracted_new": 3,
               "load": load.to_dict(), "quality": {"reports": 9, "reports_ok": 5, "reports_with_failed_checks": 2},
               "seconds": {"crawl": 12.5, "extract": 3.25, "load": 1.0, "checks": 0.1, "export": 0.5},
               "snapshot": str(data_dir / "exports" / "2026-03-02")}
    return data_dir, run_dir, summary, b


def test_report_content(tmp_path):
    data_dir, run_dir, summary, b = _run(tmp_path)
    path = write_run_report(run_dir, summary, data_dir)
    assert path == run_dir / "report.html"
    doc = lxml.html.fromstring(path.read_bytes())
    text = doc.text_content()
    assert b.run_id in doc.cssselect("h1")[0].text_content()
    # portal states, with the reason (the crawler's, else the failed fetches of the manifest)
    failures = {tr.cssselect("td")[0].text_content().split()[0]: [td.text_content() for td in tr.cssselect("td")]
                for tr in doc.cssselect("#portal-failures tr")[1:]}
    assert set(failures) == {"waf", "gz"}
    assert failures["waf"][1] == "challenged" and "rs challenge (HTTP 412)" in failures["waf"][2]
    assert failures["gz"][1] == "partial" and failures["gz"][2] == "2 pages failed"
    # failed fetches and unreadable documents, each with its reason
    fetch = [[td.text_content() for td in tr.cssselect("td")] for tr in doc.cssselect("#fetch-failures tr")[1:]]
    assert ["gz", "report", "error", "500", "HTTP 500", "https://www.thnet.example.gov.cn/nb/gone.html"] in fetch
    docs = {tr.cssselect("td")[3].text_content(): tr.cssselect("td")[2].text_content()
            for tr in doc.cssselect("#document-failures tr")[1:]}
    assert docs["https://www.thnet.example.gov.cn/files/scan.pdf"] == "encrypted PDF"
    # what is new: every report page fetched this run, with what extraction made of it
    fetched = {tr.cssselect("td")[5].text_content(): [td.text_content() for td in tr.cssselect("td")]
               for tr in doc.cssselect("#fetched tr")[1:]}
    want = [m["url"] for m in b.manifest if m["role"] == "report" and m["state"] == "ok"]
    assert sorted(fetched) == sorted(want)
    econ = fetched["https://www.dazhou.example.gov.cn/nb/tc-econ-2021.html"]
    assert econ[1] == "达州市通川区经济和信息化局" and econ[2] == "2021" and econ[3] == "ok"
    # stage timings: a table and a chart with the same figures
    heads = [th.text_content() for th in doc.cssselect("#stage-seconds th")]
    assert heads == list(summary["seconds"])
    charts = {s.get("data-chart"): json.loads(s.text_content()) for s in doc.cssselect("script[data-chart]")}
    assert set(charts) == {"chart-stages", "chart-portals", "chart-statuses"}
    assert dict(zip(charts["chart-stages"]["data"][0]["y"], charts["chart-stages"]["data"][0]["x"])) == summary["seconds"]
    assert dict(zip(charts["chart-portals"]["data"][0]["y"], charts["chart-portals"]["data"][0]["x"])) == {
        "ok": 2, "challenged": 1, "partial": 1}
    # offline: Plotly inlined, no remote script, links relative to the run folder
    assert not doc.cssselect("script[src]")
    assert len(path.read_bytes()) > 3_000_000  # plotly.min.js is in the file
    snap = [a.get("href") for a in doc.cssselect("a") if "快照" in a.text_content()]
    assert snap == ["../../exports/2026-03-02"]
    assert "cells loaded" in text


def test_long_lists_are_capped(tmp_path):
    data_dir, run_dir, summary, b = _run(tmp_path)
    rows = [json.loads(line) for line in (run_dir / "manifest.jsonl").read_text().splitlines()]
    extra = [dict(rows[0], url=f"https://www.thnet.example.gov.cn/x/{i}", state="error", error="HTTP 503", role="list")
             for i in range(ROW_CAP + 7)]
    with open(run_dir / "manifest.jsonl", "a", encoding="utf-8") as fh:
        for r in extra:
            fh.write(json.dumps(r) + "\n")
    doc = lxml.html.fromstring(write_run_report(run_dir, summary, data_dir).read_bytes())
    assert len(doc.cssselect("#fetch-failures tr")) - 1 == ROW_CAP
    assert f"and {len(extra) + 2 - ROW_CAP} more in manifest.jsonl" in doc.text_content()


@pytest.mark.slow
def test_after_run_builds_the_site_then_the_report(tmp_path):
    data_dir, run_dir, summary, _ = _run(tmp_path)
    seconds = summary["seconds"]
    path = after_run(summary, data_dir, build=True)
    assert (data_dir / "site" / "index.html").is_file()
    assert seconds["site"] > 0 and seconds["report"] > 0
    doc = lxml.html.fromstring(path.read_bytes())
    assert doc.cssselect("#site-link")[0].get("href") == "../../site/index.html"
    # a site that cannot be built is in the report, and fails the run with a one-line reason
    (data_dir / "warehouse" / "nianbao.duckdb").rename(data_dir / "moved.duckdb")
    with pytest.raises(RuntimeError, match="the site was not rebuilt: UserError: no warehouse"):
        after_run(summary, data_dir, build=True)
    doc = lxml.html.fromstring((run_dir / "report.html").read_bytes())
    assert "no warehouse" in doc.cssselect("#site-error")[0].text_content()


@pytest.mark.slow
def test_report_renders_in_chromium(tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("NIANBAO_SKIP_APT") == "1":
            pytest.skip("Chromium is not installed and setup was told to skip apt (NIANBAO_SKIP_APT=1)")
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup.sh")
    from playwright.sync_api import sync_playwright

    data_dir, run_dir, summary, _ = _run(tmp_path)
    path = write_run_report(run_dir, summary, data_dir)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors, requests = [], []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            for chart in ("chart-stages", "chart-portals", "chart-statuses"):
                page.wait_for_selector(f"#{chart} .main-svg .trace.bars .point path", state="attached", timeout=20_000)
            bars = page.locator("#chart-stages .trace.bars .point path").count()
            assert bars == len(summary["seconds"])
            shots = Path(os.environ.get("NIANBAO_SCREENSHOTS") or tmp_path)
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "run-report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert all(u.startswith("file://") for u in requests)
