"""The analysts' views on hand-made cases."""
from datetime import date

import pytest
from tests.warehouse.wh_helpers import reader, rows
from tests.warehouse.wh_synth import KEYS, RunBuilder, make_result

from warehouse.ingest import report_id_for
from warehouse.load import load_run

P = "https://www.tc.example.gov.cn"
COLS = ["person", "business", "research", "nonprofit", "legal", "other_org", "total"]


def cells(template="2021", **values):
    out = {k: None for k in KEYS[template]}
    for k, v in values.items():
        out[k.replace("__", ".")] = v
    return out


@pytest.fixture
def loaded(data_dir):
    b = RunBuilder(data_dir)
    b.portal("tc", "达州市通川区人民政府", "511702")
    n = 0

    def report(agency, year, published, template="2021", status="ok", checks=None, **values):
        nonlocal n
        n += 1
        url = f"{P}/{n}.html"
        r = make_result(template=template, year=year, agency=agency, published=published, status=status,
                        cells=cells(template, **values) if status == "ok" else None, checks=checks, seed=n)
        b.fetch("tc", url, "report", result=r)
        return report_id_for("tc", url)

    ids = {}
    # timeliness
    ids["dep_on_time"] = report("通川区教育局", 2021, "2022-01-31")
    ids["dep_late"] = report("通川区民政局", 2021, "2022-02-01")
    ids["gov_on_time"] = report("达州市通川区人民政府", 2021, "2022-03-31")
    ids["gov_late"] = report("达州市通川区人民政府", 2022, "2023-04-10")
    ids["town"] = report("北外镇人民政府", 2021, "2022-06-30")
    ids["no_date"] = report("通川区水务局", 2021, None)
    # cross-year + year-on-year: 财政局 2020 (2019 template), 2021, 2022 (2021 template), and two reports in 2022
    ids["fin2020"] = report("通川区财政局", 2020, "2021-01-10", template="2019",
                            apply__carried_forward__person=5, apply__carried_forward__business=2,
                            apply__new__total=10, review__reconsideration__total=1)
    ids["fin2021"] = report("通川区财政局", 2021, "2022-01-10",
                            apply__carried_over__person=5, apply__carried_over__business=3,
                            apply__carried_forward__person=0, apply__new__total=15,
                            active__art20_1__normative__in_force=10)
    ids["fin2022_old"] = report("通川区财政局", 2022, "2023-01-05", apply__new__total=1)
    ids["fin2022"] = report("通川区财政局", 2022, "2023-01-20",
                            apply__carried_over__person=0, apply__new__total=30,
                            active__art20_1__normative__in_force=12, active__art20_1__normative__issued=4,
                            active__art20_1__normative__repealed=2,
                            active__art20_1__rules__in_force=1, active__art20_1__rules__issued=1,
                            active__art20_1__rules__repealed=0)
    # coverage: 财政局 found nothing for 2019 → missing; 审计局 found but not extracted in 2021
    ids["audit"] = report("通川区审计局", 2021, None, status="no_tables")
    # quality: failed checks
    ids["bad"] = report("通川区统计局", 2021, "2022-01-15", checks=[
        {"rule": "apply_flow.person", "ok": False, "detail": "1+0 != 2+0"},
        {"rule": "apply_flow.total", "ok": False, "detail": "x"},
        {"rule": "review.suit_direct", "ok": True, "detail": None},
        {"rule": "text.applications", "ok": None, "detail": "no text"},
    ], apply__new__person=1, apply__total__person=2)
    load_run(data_dir, *b.write())
    return ids


def test_timeliness(data_dir, loaded):
    with reader(data_dir) as con:
        t = {r[0]: r[1:] for r in rows(con, "SELECT report_id, level, deadline, on_time, days_late, deadline_rule "
                                            "FROM timeliness")}
    assert t[loaded["dep_on_time"]][:4] == ("department", date(2022, 1, 31), True, 0)
    assert t[loaded["dep_late"]][:4] == ("department", date(2022, 1, 31), False, 1)
    assert t[loaded["gov_on_time"]][:4] == ("government", date(2022, 3, 31), True, 0)
    assert t[loaded["gov_late"]][:4] == ("government", date(2023, 3, 31), False, 10)
    assert t[loaded["town"]] == ("township", None, None, None, "township: none")
    assert t[loaded["no_date"]][2:4] == (None, None)
    assert t[loaded["audit"]][2] is None  # no published date


def test_cross_year_identity(data_dir, loaded):
    with reader(data_dir) as con:
        got = {(r[0], r[1]): r[2:] for r in rows(
            con, "SELECT report_year, rule, value, expected, ok, report_id, prev_report_id FROM cross_year_checks "
                 "WHERE agency = '通川区财政局'")}
    assert got[(2021, "carried_over.person")] == (5, 5, True, loaded["fin2021"], loaded["fin2020"])
    assert got[(2021, "carried_over.business")][:3] == (3, 2, False)
    assert got[(2021, "carried_over.total")][2] is None  # not printed: cannot be checked
    assert got[(2022, "carried_over.person")] == (0, 0, True, loaded["fin2022"], loaded["fin2021"])
    # 2021 template: in_force(2022) = in_force(2021) + issued - repealed = 10 + 4 - 2
    assert got[(2022, "in_force.normative")][:3] == (12, 12, True)
    assert got[(2022, "in_force.rules")][2] is None  # no 2021 value
    assert not any(y == 2021 and r.startswith("in_force") for y, r in got)  # 2020 used the 2019 template


def test_year_on_year_and_one_value_per_agency_year(data_dir, loaded):
    with reader(data_dir) as con:
        yoy = {(r[0], r[1]): r[2:] for r in rows(
            con, "SELECT report_year, cell_key, value, prev_value, change, pct_change, report_id "
                 "FROM year_on_year WHERE agency = '通川区财政局'")}
        # two 2022 reports: the later published one speaks for the year
        picked = rows(con, "SELECT report_id, reports_in_year FROM agency_year_reports "
                           "WHERE agency = '通川区财政局' AND report_year = 2022")
        dup = rows(con, "SELECT count(*), count(DISTINCT (agency_id, report_year, cell_key)) FROM agency_year_values")
    assert picked == [(loaded["fin2022"], 2)]
    assert dup[0][0] == dup[0][1]
    assert yoy[(2021, "apply.new.total")][:4] == (15, 10, 5, 0.5)
    assert yoy[(2022, "apply.new.total")] == (30, 15, 15, 1.0, loaded["fin2022"])
    assert (2021, "active.art20_1.normative.in_force") not in yoy  # not in the 2019 template


def test_coverage(data_dir, loaded):
    with reader(data_dir) as con:
        cov = {(r[0], r[1]): r[2:] for r in rows(
            con, "SELECT agency, report_year, found, extracted, missing, coverage FROM coverage")}
        years = rows(con, "SELECT DISTINCT report_year FROM coverage ORDER BY 1")
    assert years == [(2020,), (2021,), (2022,)]
    assert cov[("通川区财政局", 2020)] == (1, 1, False, "extracted")
    assert cov[("通川区财政局", 2022)] == (2, 2, False, "extracted")
    assert cov[("通川区审计局", 2021)] == (1, 0, False, "found")
    assert cov[("通川区审计局", 2020)] == (0, 0, True, "missing")
    assert cov[("通川区教育局", 2022)] == (0, 0, True, "missing")


def test_quality_and_apply_wide(data_dir, loaded):
    with reader(data_dir) as con:
        q = {r[0]: r[1:] for r in rows(
            con, "SELECT report_id, checks_total, checks_failed, checks_unknown, failed_rules, quality, cells_filled "
                 "FROM quality")}
        wide = rows(con, "SELECT row_key, row_label, person, total FROM apply_wide WHERE report_id = ? "
                         "ORDER BY row_ordinal", [loaded["bad"]])
        n19 = rows(con, "SELECT count(*) FROM apply_wide WHERE report_id = ?", [loaded["fin2020"]])
    assert q[loaded["bad"]] == (4, 2, 1, "apply_flow.person;apply_flow.total", "checks_failed", 2)
    assert q[loaded["audit"]][4] == "not_extracted"
    assert q[loaded["dep_on_time"]][4] == "empty"
    assert len(wide) == 26  # 25 rows of the 2021 table + the single-row （六）其他处理
    assert wide[0] == ("new", "一、本年新收政府信息公开申请数量", 1, None)
    assert wide[-1][0] == "carried_forward"
    assert [w for w in wide if w[0] == "total"][0][2] == 2
    assert n19 == [(23,)]


def test_national_totals(data_dir, loaded):
    with reader(data_dir) as con:
        got = rows(con, "SELECT report_year, template, total, reports_with_value FROM national_totals "
                        "WHERE cell_key = 'apply.new.total' ORDER BY 1")
    # 2022: one report per agency and year (the later 财政局 report, 30), not both (31)
    assert got == [(2020, "2019", 10, 1), (2021, "2021", 15, 1), (2022, "2021", 30, 1)]
