"""Assembling reports from typed rows, without DuckDB (warehouse.assemble is pure)."""
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from warehouse.agencies import default_resolver
from warehouse.assemble import (
    Document, PortalRef, Report, ResultMeta, assemble, document_id_for, documents_from_manifest, report_id_for,
)

P = "https://www.tc.example.gov.cn"
ROOT = Path(__file__).resolve().parents[2]
PORTALS = {"tc": PortalRef("tc", "达州市通川区人民政府", "511702"), "dz": PortalRef("dz", "达州市人民政府", "511700")}


class FakeResults:
    """Extraction results keyed by (url, sha256), as warehouse.results.Results looks them up."""

    def __init__(self, *metas: ResultMeta):
        self.metas = list(metas)

    def find(self, urls, sha256):
        for i, m in enumerate(self.metas):
            if m.sha256 == sha256 and (m.url in urls or sha256):
                return i
        return None

    def result(self, idx):
        return self.metas[idx]

    def __len__(self):
        return len(self.metas)


def t(minute):
    return datetime(2026, 1, 1, 0, minute, tzinfo=timezone.utc)


def doc(url, role="report", *, portal="tc", sha=None, parent=None, state="ok", minute=1, link_title=None,
        list_date=None, error=None):
    rows = [{"run_id": "r1", "portal_id": portal, "url": url, "final_url": url, "role": role, "parent_url": parent,
             "state": state, "sha256": sha, "fetched_at": t(minute).isoformat(), "link_title": link_title,
             "list_date": list_date, "error": error, "status": 200}]
    return documents_from_manifest(rows, "r1")[0]


def ok(url, sha, *, agency="通川区教育局", year=2021, cells=207, filled=200, failed=1, template="2021"):
    return ResultMeta(status="ok", template=template, report_year=year, agency=agency, published="2022-01-20",
                      url=url, sha256=sha, cells_total=cells, cells_count=filled, checks_total=40,
                      checks_failed=failed, extractor_version="v1")


def bad(url, sha, status, reason=None, **kw):
    return ResultMeta(status=status, reason=reason, url=url, sha256=sha, extractor_version="v1", **kw)


def run(docs, results, stored_documents=None, stored_reports=None):
    return assemble(docs, results, stored_documents=stored_documents or {}, stored_reports=stored_reports or {},
                    portals=PORTALS, resolver=default_resolver(), run_id="r1")


def test_page_with_tables_speaks_for_its_report():
    page = doc(P + "/1.html", sha="s1")
    plan = run([page], FakeResults(ok(P + "/1.html", "s1")))
    (r,) = plan.reports
    rid = report_id_for("tc", P + "/1.html")
    assert r.report_id == rid
    assert r.status == "ok"
    assert r.document_url == P + "/1.html"
    assert r.agency == "通川区教育局"
    assert r.report_year == 2021
    assert r.template == "2021"
    assert (r.cells_count, r.checks_total, r.checks_failed) == (207, 40, 1)
    assert str(r.published) == "2022-01-20"
    assert plan.cell_sources == {0: [rid]}
    assert plan.rebuilt == [rid]
    assert plan.summary.reports_ok == 1 and plan.summary.results_unused == 0
    assert plan.agencies[0].region_code == "511702"


def test_best_attachment_when_the_page_has_no_tables():
    page = doc(P + "/2.html", sha="p")
    small = doc(P + "/2a.pdf", "attachment", sha="a", parent=P + "/2.html")
    big = doc(P + "/2b.pdf", "attachment", sha="b", parent=P + "/2.html")
    res = FakeResults(bad(P + "/2.html", "p", "no_tables", agency="北外镇人民政府", report_year=2021),
                      ok(P + "/2a.pdf", "a", agency=None, filled=10), ok(P + "/2b.pdf", "b", agency=None, filled=150))
    (r,) = run([page, small, big], res).reports
    assert r.status == "ok"
    assert r.document_url == P + "/2b.pdf"
    assert r.source_url == P + "/2.html"
    assert r.agency == "北外镇人民政府"  # the page names the agency, the attachment does not


def test_most_telling_status_without_an_ok_document():
    page = doc(P + "/3.html", sha="p")
    att = doc(P + "/3.pdf", "attachment", sha="a", parent=P + "/3.html")
    res = FakeResults(bad(P + "/3.html", "p", "no_tables"), bad(P + "/3.pdf", "a", "unreadable", "scanned"))
    plan = run([page, att], res)
    (r,) = plan.reports
    assert (r.status, r.reason, r.document_url) == ("unreadable", "scanned", P + "/3.pdf")
    assert r.cells_count is None
    assert plan.cell_sources == {}


def test_failed_fetch_takes_agency_and_year_from_the_link_title():
    page = doc(P + "/4.html", state="error", error="HTTP 500",
               link_title="达州市通川区卫生健康局2021年政府信息公开工作年度报告")
    plan = run([page], FakeResults())
    (r,) = plan.reports
    assert (r.status, r.reason) == ("fetch_failed", "error; HTTP 500")
    assert (r.agency, r.report_year) == ("达州市通川区卫生健康局", 2021)


def test_no_result_is_not_extracted():
    (r,) = run([doc(P + "/5.html", sha="x")], FakeResults()).reports
    assert (r.status, r.reason) == ("not_extracted", "no extraction result for this document")


def test_nameless_report_falls_back_to_the_portal():
    page = doc("https://www.dazhou.example.gov.cn/9.html", portal="dz", sha="s9")
    (r,) = run([page], FakeResults(ok(page.url, "s9", agency=None))).reports
    assert r.agency == "达州市人民政府"


def test_older_fetch_leaves_the_stored_document():
    stored = doc(P + "/6.html", sha="new", minute=30)
    stored.status = "ok"
    older = doc(P + "/6.html", sha="old", minute=1)
    plan = run([older], FakeResults(ok(P + "/6.html", "old")), stored_documents={stored.document_id: stored})
    assert plan.summary.documents_kept == 1
    assert plan.documents == [] and plan.reports == []


def test_same_bytes_keep_the_stored_cells():
    rid = report_id_for("tc", P + "/7.html")
    stored = doc(P + "/7.html", sha="s7", minute=1)
    stored.status, stored.template, stored.report_year, stored.agency = "ok", "2019", 2020, "通川区教育局"
    old_report = Report(report_id=rid, status="ok", document_id=stored.document_id, document_sha256="s7",
                        cells_count=198, checks_total=30, checks_failed=0)
    again = doc(P + "/7.html", sha="s7", state="not_modified", minute=40)
    plan = run([again], FakeResults(), stored_documents={stored.document_id: stored},
               stored_reports={rid: old_report})
    (r,) = plan.reports
    assert r.status == "ok"
    assert (r.template, r.report_year, r.cells_count) == ("2019", 2020, 198)
    assert plan.kept_cells == {rid}
    assert plan.rebuilt == []
    assert plan.documents[0].reused is True
    assert plan.summary.reports_replaced == 1


def test_one_result_serves_two_reports():
    a = doc(P + "/same.html", sha="same")
    b = doc("https://www.dazhou.example.gov.cn/same.html", portal="dz", sha="same")
    plan = run([a, b], FakeResults(ok(P + "/same.html", "same")))
    assert sorted(plan.cell_sources[0]) == sorted([report_id_for("tc", a.url), report_id_for("dz", b.url)])
    assert plan.summary.reports_ok == 2


def test_manifest_rows_become_documents():
    rows = [
        {"portal_id": "tc", "url": P + "/a.pdf", "role": "attachment", "parent_url": P + "/a.html", "state": "ok",
         "sha256": "x", "fetched_at": "2026-01-01T00:00:00+00:00", "headers": {"content-type": "application/pdf"}},
        {"portal_id": "tc", "url": P + "/a.pdf", "role": "attachment", "parent_url": P + "/a.html", "state": "ok",
         "sha256": "y", "fetched_at": "2026-01-01T00:05:00+00:00"},
    ]
    (d,) = documents_from_manifest(rows, "r1")
    assert isinstance(d, Document)
    assert d.sha256 == "y"  # the latest fetch of a URL wins
    assert d.document_id == document_id_for("tc", P + "/a.pdf")
    assert d.report_id == report_id_for("tc", P + "/a.html")
    assert d.run_id == "r1"


def test_assembly_needs_no_database():
    code = "import sys, warehouse.assemble; sys.exit(1 if 'duckdb' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
