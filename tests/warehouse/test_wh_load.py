"""Loading a run: every cell arrives, statuses are kept, loads are idempotent, re-extractions replace."""
import json
from datetime import datetime, timezone

import pytest
from tests.warehouse.wh_helpers import assert_consistent, dump, reader, rows
from tests.warehouse.wh_synth import KEYS, RunBuilder, make_result

from core.errors import UserError
from warehouse.agencies import default_resolver
from warehouse.ingest import canonical_url, report_id_for
from warehouse.load import load_run

P = "https://www.tc.example.gov.cn"


def build_run1(data_dir, run_id="20260101T000000Z"):
    """A county portal (通川区) with every kind of document."""
    b = RunBuilder(data_dir, run_id)
    b.portal("tc", "达州市通川区人民政府", "511702", P + "/")
    b.portal("dz", "达州市人民政府", "511700", "https://www.dazhou.example.gov.cn/")
    b.fetch("tc", P + "/", "home")
    b.fetch("tc", P + "/nb/", "list")
    expected = {}
    # 1. a 2021 page with its tables
    r = make_result(template="2021", year=2021, agency="达州市通川区经济和信息化局", seed=1, published="2022-01-12")
    b.fetch("tc", P + "/nb/1.html", "report", result=r, link_title="达州市通川区经济和信息化局2021年政府信息公开工作年度报告")
    expected[P + "/nb/1.html"] = ("ok", r, P + "/nb/1.html")
    # 2. a 2019-template report for 2020
    r = make_result(template="2019", year=2020, agency="通川区教育局", seed=2, published="2021-01-20")
    b.fetch("tc", P + "/nb/2.html", "report", result=r)
    expected[P + "/nb/2.html"] = ("ok", r, P + "/nb/2.html")
    # 3. page without tables, the tables in a PDF attachment (which names no agency)
    page = make_result(status="no_tables", year=2021, agency="北外镇人民政府", published="2022-03-01")
    att = make_result(template="2021", year=2021, agency=None, seed=3, published=None)
    b.fetch("tc", P + "/nb/3.html", "report", result=page)
    b.fetch("tc", P + "/files/3.pdf", "attachment", parent_url=P + "/nb/3.html", result=att, detected_type="pdf")
    expected[P + "/nb/3.html"] = ("ok", att, P + "/files/3.pdf")
    # 4. page without tables, attachment a scan
    page = make_result(status="no_tables", year=2022, agency="通川区财政局")
    att = make_result(status="unreadable", reason="scanned image", year=None, agency=None)
    b.fetch("tc", P + "/nb/4.html", "report", result=page)
    b.fetch("tc", P + "/files/4.pdf", "attachment", parent_url=P + "/nb/4.html", result=att, detected_type="pdf")
    expected[P + "/nb/4.html"] = ("unreadable", None, P + "/files/4.pdf")
    # 5. a legacy-format report
    b.fetch("tc", P + "/nb/5.html", "report",
            result=make_result(status="legacy_format", reason="pre-2019 tables", year=2018, agency="通川区民政局"))
    expected[P + "/nb/5.html"] = ("legacy_format", None, P + "/nb/5.html")
    # 6. a page that failed to download
    b.fetch("tc", P + "/nb/6.html", "report", state="error", error="HTTP 500",
            link_title="达州市通川区卫生健康局2021年政府信息公开工作年度报告")
    expected[P + "/nb/6.html"] = ("fetch_failed", None, P + "/nb/6.html")
    # 7. fetched, but no extraction result
    b.fetch("tc", P + "/nb/7.html", "report", link_title="通川区水务局2022年度政府信息公开工作年度报告")
    expected[P + "/nb/7.html"] = ("not_extracted", None, P + "/nb/7.html")
    # 8. not a report
    b.fetch("tc", P + "/nb/8.html", "report", result=make_result(status="not_a_report", year=None, agency=None))
    expected[P + "/nb/8.html"] = ("not_a_report", None, P + "/nb/8.html")
    # 9. the city portal, a 2021 government report with no agency in the text (falls back to the portal)
    r = make_result(template="2021", year=2021, agency=None, seed=9, published="2022-03-30")
    b.fetch("dz", "https://www.dazhou.example.gov.cn/nb/9.html", "report", result=r)
    expected["https://www.dazhou.example.gov.cn/nb/9.html"] = ("ok", r, "https://www.dazhou.example.gov.cn/nb/9.html")
    return b, expected


def test_load_every_cell(data_dir):
    b, expected = build_run1(data_dir)
    run_dir, extracted = b.write()
    s = load_run(data_dir, run_dir, extracted)
    assert not s.skipped
    assert s.manifest_rows == len(b.manifest) == s.documents
    assert s.reports == len(expected)
    assert s.reports_ok == 4
    with reader(data_dir) as con:
        assert rows(con, "SELECT count(*) FROM documents") == [(len(b.manifest),)]
        # documents: every fetched file with its sha256 and status
        docs = {r[0]: r[1:] for r in rows(con, "SELECT url, sha256, role, status, reason, fetch_state FROM documents")}
        assert docs[P + "/"][2] is None  # navigation pages have no extraction status
        assert docs[P + "/files/4.pdf"][2:4] == ("unreadable", "scanned image")
        assert docs[P + "/nb/6.html"][0] is None and docs[P + "/nb/6.html"][2] == "fetch_failed"
        total_cells = 0
        for page_url, (status, result, doc_url) in expected.items():
            portal = "dz" if "dazhou" in page_url else "tc"
            rid = report_id_for(portal, page_url)
            rep = rows(con, "SELECT status, source_url, document_url, template, report_year, cells_count "
                            "FROM reports WHERE report_id = ?", [rid])
            assert len(rep) == 1, page_url
            assert rep[0][0] == status, page_url
            assert rep[0][1] == page_url and rep[0][2] == doc_url
            cells = rows(con, "SELECT cell_key, value, raw_text, unit FROM cell_rows WHERE report_id = ?", [rid])
            checks = rows(con, "SELECT rule, ok, detail FROM check_rows WHERE report_id = ?", [rid])
            if status != "ok":
                assert cells == [] and checks == []
                continue
            assert rep[0][3] == result["template"] and rep[0][4] == result["report_year"]
            assert rep[0][5] == len(result["cells"]) == len(KEYS[result["template"]])
            got = {k: (v, raw, unit) for k, v, raw, unit in cells}
            assert set(got) == set(result["cells"])
            for k, v in result["cells"].items():
                assert got[k][0] == (None if v is None else float(v)), k
                assert got[k][1] == result["raw"].get(k)
            assert sorted(checks, key=repr) == sorted(
                [(c["rule"], c["ok"], c["detail"]) for c in result["checks"]], key=repr)
            total_cells += len(cells)
        assert rows(con, "SELECT count(*) FROM cells") == [(total_cells,)] and total_cells == s.cells
        # report year / agency from the link title when the document could not be read
        rep6 = rows(con, "SELECT agency, report_year FROM reports WHERE report_id = ?", [report_id_for("tc", P + "/nb/6.html")])
        assert rep6 == [("达州市通川区卫生健康局", 2021)]
        # agencies: the attachment's report takes the page's agency; the nameless report takes the portal's
        ag = {r[0]: r[1:] for r in rows(con, "SELECT a.name, a.region_code, a.level, a.county, a.city, a.resolved_by "
                                             "FROM agencies a")}
        assert ag["达州市通川区经济和信息化局"][:3] == ("511702", "department", "通川区")
        assert ag["北外镇人民政府"][:2] == ("511702", "township")
        assert ag["达州市人民政府"] == ("511700", "government", None, "达州市", "portal")
        assert rows(con, "SELECT count(*) FROM portals") == [(2,)]
        run = rows(con, "SELECT run_id, kind, manifest_rows, cells, options FROM runs")
        assert run[0][:4] == ("20260101T000000Z", "load", len(b.manifest), total_cells)
        assert json.loads(run[0][4]) == {"max_pages": 5}
    assert_consistent(data_dir)


@pytest.mark.slow
def test_load_twice_changes_nothing(data_dir):
    b, _ = build_run1(data_dir)
    run_dir, extracted = b.write()
    load_run(data_dir, run_dir, extracted)
    before = dump(data_dir)
    with reader(data_dir) as con:
        runs_before = rows(con, "SELECT * FROM runs")
    s = load_run(data_dir, run_dir, extracted)
    assert s.skipped
    assert dump(data_dir) == before
    with reader(data_dir) as con:
        assert rows(con, "SELECT * FROM runs") == runs_before
    s = load_run(data_dir, run_dir, extracted, force=True)  # a forced reload rebuilds the same rows
    assert not s.skipped and s.reports_replaced == s.reports
    assert dump(data_dir) == before
    with reader(data_dir) as con:
        assert rows(con, "SELECT count(*) FROM runs") == [(1,)]


@pytest.mark.slow
def test_changed_page_replaces_cells(data_dir):
    b, _ = build_run1(data_dir)
    load_run(data_dir, *b.write())
    rid = report_id_for("tc", P + "/nb/1.html")
    with reader(data_dir) as con:
        n_cells = rows(con, "SELECT count(*) FROM cells")[0][0]
        n_reports = rows(con, "SELECT count(*) FROM reports")[0][0]
    # A later crawl: page 1 has changed (a corrected report), page 2 is not modified (no new extraction).
    b2 = RunBuilder(data_dir, "20260201T000000Z", started=datetime(2026, 2, 1, tzinfo=timezone.utc))
    b2.portal("tc", "达州市通川区人民政府", "511702", P + "/")
    new = make_result(template="2021", year=2021, agency="达州市通川区经济和信息化局", seed=99, version="x1")
    new["cells"]["apply.new.person"] = 12345
    b2.fetch("tc", P + "/nb/1.html", "report", result=new)
    sha2 = rows_sha(data_dir, P + "/nb/2.html")
    b2.fetch("tc", P + "/nb/2.html", "report", state="not_modified",
             body=(data_dir / "raw" / sha2[:2] / sha2).read_bytes())
    s = load_run(data_dir, *b2.write())
    assert s.reports == 2 and s.reports_replaced == 2
    with reader(data_dir) as con:
        assert rows(con, "SELECT count(*) FROM reports")[0][0] == n_reports
        assert rows(con, "SELECT count(*) FROM cells")[0][0] == n_cells
        assert rows(con, "SELECT value FROM cell_rows WHERE report_id = ? AND cell_key = 'apply.new.person'", [rid]) == [
            (12345.0,)]
        assert rows(con, "SELECT count(*) FROM cell_rows WHERE report_id = ?", [rid]) == [(207,)]
        # the unchanged page keeps its cells and its extraction
        rid2 = report_id_for("tc", P + "/nb/2.html")
        assert rows(con, "SELECT status, template, cells_count, run_id FROM reports WHERE report_id = ?", [rid2]) == [
            ("ok", "2019", 198, "20260201T000000Z")]
        assert rows(con, "SELECT count(*) FROM cell_rows WHERE report_id = ?", [rid2]) == [(198,)]
        assert rows(con, "SELECT count(*), count(DISTINCT report_id || cell_key) FROM cell_rows")[0] == (n_cells, n_cells)
        assert rows(con, "SELECT count(*) FROM runs") == [(2,)]
    assert_consistent(data_dir)


def rows_sha(data_dir, url):
    with reader(data_dir) as con:
        return rows(con, "SELECT sha256 FROM documents WHERE url = ?", [url])[0][0]


def test_page_becomes_attachment_report(data_dir):
    b = RunBuilder(data_dir, "20260101T000000Z")
    b.portal("tc", "达州市通川区人民政府", "511702")
    b.fetch("tc", P + "/a.html", "report", result=make_result(seed=5))
    load_run(data_dir, *b.write())
    rid = report_id_for("tc", P + "/a.html")
    b2 = RunBuilder(data_dir, "20260301T000000Z", started=datetime(2026, 3, 1, tzinfo=timezone.utc))
    b2.portal("tc", "达州市通川区人民政府", "511702")
    b2.fetch("tc", P + "/a.html", "report", result=make_result(status="no_tables"), body=b"new page")
    att = make_result(seed=6)
    b2.fetch("tc", P + "/a.docx", "attachment", parent_url=P + "/a.html", result=att)
    load_run(data_dir, *b2.write())
    with reader(data_dir) as con:
        assert rows(con, "SELECT status, document_url FROM reports WHERE report_id = ?", [rid]) == [("ok", P + "/a.docx")]
        got = dict(rows(con, "SELECT cell_key, value FROM cell_rows WHERE report_id = ?", [rid]))
        assert got == {k: (None if v is None else float(v)) for k, v in att["cells"].items()}
        assert rows(con, "SELECT count(*) FROM reports") == [(1,)]
    assert_consistent(data_dir)


def test_older_run_does_not_override_newer(data_dir):
    b2 = RunBuilder(data_dir, "20260301T000000Z", started=datetime(2026, 3, 1, tzinfo=timezone.utc))
    b2.portal("tc", "达州市通川区人民政府", "511702")
    newer = make_result(seed=7)
    b2.fetch("tc", P + "/a.html", "report", result=newer)
    b1 = RunBuilder(data_dir, "20260101T000000Z")
    b1.portal("tc", "达州市通川区人民政府", "511702")
    b1.fetch("tc", P + "/a.html", "report", result=make_result(seed=8))
    run2 = b2.write()
    run1 = b1.write()
    load_run(data_dir, *run2)
    before = dump(data_dir, tables=("documents", "reports", "cells", "checks"))
    s = load_run(data_dir, *run1)
    assert s.documents_kept == 1 and s.reports == 0
    assert dump(data_dir, tables=("documents", "reports", "cells", "checks")) == before


def test_load_errors_are_user_errors(data_dir, tmp_path):
    with pytest.raises(UserError, match="not a run directory"):
        load_run(data_dir, tmp_path / "nope", tmp_path / "x.jsonl")
    b, _ = build_run1(data_dir)
    run_dir, extracted = b.write()
    with pytest.raises(UserError, match="not found"):
        load_run(data_dir, run_dir, tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"status": "ok"}\nnot json\n')
    with pytest.raises(UserError, match="bad.jsonl:2"):
        load_run(data_dir, run_dir, bad)
    assert not (data_dir / "warehouse" / "nianbao.duckdb").exists()


def test_ids_are_stable():
    assert canonical_url("HTTPS://WWW.X.example.gov.cn:443/a/B.html?x=1#frag") == "https://www.x.example.gov.cn/a/B.html?x=1"
    assert report_id_for("p", "https://www.x.example.gov.cn/a.html") == report_id_for("p", "https://WWW.x.example.gov.cn/a.html#t")
    assert report_id_for("p", "https://www.x.example.gov.cn/a.html") != report_id_for("q", "https://www.x.example.gov.cn/a.html")
    assert len(report_id_for("p", "u")) == 16


@pytest.mark.parametrize(
    "name, portal_region, region, level",
    [
        ("达州市通川区经济和信息化局", None, "511702", "department"),
        ("达州市通川区经济和信息化局", "511700", "511702", "department"),
        ("同江市工业信息化科技局", None, "230881", "department"),
        ("金东区经济商务局", None, "330703", "department"),
        ("泉州市行政服务中心管委会", None, "350500", "department"),
        ("朝阳区教育局", None, None, "department"),  # two 朝阳区: ambiguous without a portal
        ("朝阳区教育局", "220100", "220104", "department"),
        ("长春市朝阳区人民政府", None, "220104", "government"),
        ("城区住建局", "140300", "140302", "department"),
        ("城区住建局", None, None, "department"),
        ("四川省人民政府", None, "510000", "government"),
        ("阿拉善盟行政公署", None, "152900", "government"),
        ("ＸＸ镇 人民政府", "511702", "511702", "township"),
        ("东城街道办事处", "110101", "110101", "township"),
        ("通川区乡村振兴局", "511702", "511702", "department"),
        ("市中区财政局", "370100", "370103", "department"),
        ("市中区财政局", "370000", "370000", "department"),  # two 市中区 in 山东: the portal's region
        ("达州市通川区教育局", "510100", "511702", "department"),  # outside the portal's region: where the name says
        ("达州市人民政府", "511702", "511700", "government"),  # a city's report on a county's list: the city
        ("朝阳区教育局", "310000", None, "department"),  # two 朝阳区, neither in 上海: not placed
        ("财政局", None, None, "department"),  # no division named, no portal region: not placed
    ],
)
def test_agency_resolution(name, portal_region, region, level):
    a = default_resolver().resolve(name, portal_region)
    assert (a.region_code, a.level) == (region, level)


def test_agency_names_normalised():
    r = default_resolver()
    a = r.resolve("达州市 通川区（经济和信息化局）", None)
    assert a.normalized_name == "达州市通川区(经济和信息化局)"
    assert a.agency_id == r.resolve("达州市通川区(经济和信息化局)", None).agency_id
    assert (a.province, a.city, a.county) == ("四川省", "达州市", "通川区")
    fallback = r.resolve(None, "211321", "朝阳县人民政府")
    assert (fallback.name, fallback.region_code, fallback.level, fallback.resolved_by) == (
        "朝阳县人民政府", "211321", "government", "portal")


def test_one_file_serving_two_reports(data_dir):
    """The same bytes under two report pages (two portals list the same report; one PDF linked twice)."""
    b = RunBuilder(data_dir)
    b.portal("tc", "达州市通川区人民政府", "511702")
    b.portal("dz", "达州市人民政府", "511700")
    r = make_result(seed=11)
    body = b"the same report page"
    b.fetch("tc", P + "/same.html", "report", result=r, body=body)
    b.fetch("dz", "https://www.dazhou.example.gov.cn/same.html", "report", body=body)  # no result line of its own
    pdf = make_result(seed=12)
    for page in ("/p1.html", "/p2.html"):
        b.fetch("tc", P + page, "report", result=make_result(status="no_tables"), body=page.encode())
        b.fetch("tc", P + "/shared.pdf" + ("" if page == "/p1.html" else "?from=2"), "attachment",
                parent_url=P + page, result=pdf, body=b"one pdf")
    s = load_run(data_dir, *b.write())
    assert s.reports == 4 and s.reports_ok == 4
    with reader(data_dir) as con:
        counts = dict(rows(con, "SELECT r.source_url, count(c.cell_key) FROM reports r JOIN cell_rows c USING (report_id) "
                                "GROUP BY 1"))
        assert counts == {P + "/same.html": 207, "https://www.dazhou.example.gov.cn/same.html": 207,
                          P + "/p1.html": 207, P + "/p2.html": 207}
        assert rows(con, "SELECT count(DISTINCT report_id) FROM check_rows") == [(4,)]
    assert_consistent(data_dir)


def test_reposted_report_keeps_its_own_agency_and_region(data_dir):
    """A city's report reposted on a county's list is the city's agency (same agency as on the city's own portal,
    so agency_year_reports keeps one); an agency that cannot be placed has no region and says why."""
    b = RunBuilder(data_dir)
    b.portal("tc", "达州市通川区人民政府", "511702")
    b.portal("dz", "达州市人民政府", "511700", "https://www.dazhou.example.gov.cn/")
    city = make_result(year=2021, agency="达州市财政局", seed=21)
    b.fetch("tc", P + "/city.html", "report", result=city)  # on the county's list
    b.fetch("dz", "https://www.dazhou.example.gov.cn/cz.html", "report", result=city, body=b"the city's own copy")
    b.fetch("tc", P + "/own.html", "report", result=make_result(year=2021, agency="通川区财政局", seed=22))
    b.fetch("tc", P + "/far.html", "report", result=make_result(year=2021, agency="朝阳区教育局", seed=23))
    load_run(data_dir, *b.write())
    with reader(data_dir) as con:
        got = {r[0]: r[1:] for r in rows(
            con, "SELECT source_url, portal_id, region_code, city, county, resolved_by, region_reason, agency_id, "
                 "portal_region_code FROM report_overview")}
        picked = rows(con, "SELECT count(*), max(reports_in_year) FROM agency_year_reports WHERE agency = '达州市财政局'")
    reposted = got[P + "/city.html"]
    assert reposted[:4] == ("tc", "511700", "达州市", None)  # the city's region, not the county portal's
    assert reposted[5] is None
    assert reposted[7] == "511702"  # the portal it was found on
    assert reposted[6] == got["https://www.dazhou.example.gov.cn/cz.html"][6]  # one agency, found on two portals
    assert reposted[4] == "name"  # as placed on its own region's portal
    # alone on the county's list, it is placed by its name, outside the portal's region
    assert default_resolver().resolve("达州市财政局", "511702").resolved_by == "name_elsewhere"
    assert got[P + "/own.html"][1:5] == ("511702", "达州市", "通川区", "name")
    far = got[P + "/far.html"]
    assert far[1] is None and far[4] == "none" and far[7] == "511702"
    assert "朝阳区" in far[5] and "511702" in far[5]
    assert picked == [(1, 2)]
    assert_consistent(data_dir)


def test_unreadable_agency_stays_null_never_the_portal(data_dir):
    """A title whose agency part cannot be read leaves the report's agency NULL with the reason (from extraction, or
    from the title grammar for a report that could not be read); a report that names no agency at all is the
    portal's government's."""
    b = RunBuilder(data_dir)
    b.portal("tc", "达州市通川区人民政府", "511702")
    r = make_result(agency=None, seed=31)
    r["reason"] = "agency unreadable: agency part 'ABC' of the title is not a name: no Chinese characters"
    b.fetch("tc", P + "/x.html", "report", result=r)
    b.fetch("tc", P + "/y.html", "report", state="error", error="HTTP 500",
            link_title="123456789012345678 2021年政府信息公开工作年度报告")
    b.fetch("tc", P + "/z.html", "report", result=make_result(agency=None, seed=32))
    load_run(data_dir, *b.write())
    with reader(data_dir) as con:
        got = {u: (a, aid, why) for u, a, aid, why in rows(
            con, "SELECT source_url, agency, agency_id, agency_reason FROM report_overview")}
        agencies = [n for (n,) in rows(con, "SELECT name FROM agencies")]
        cells = rows(con, "SELECT count(*) FROM cell_values WHERE report_id = ?", [report_id_for("tc", P + "/x.html")])
    assert got[P + "/x.html"] == (None, None, "agency part 'ABC' of the title is not a name: no Chinese characters")
    assert got[P + "/y.html"][:2] == (None, None) and "123456789012345678" in got[P + "/y.html"][2]
    assert got[P + "/z.html"][0] == "达州市通川区人民政府" and got[P + "/z.html"][2] is None
    assert cells == [(207,)]  # its figures are kept
    assert agencies == ["达州市通川区人民政府"]
