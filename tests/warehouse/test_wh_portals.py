import pytest
"""Portal history: portal_runs per run, coverage that tells "not published" from "the crawl could not see", and
the sharp-drop flag for the run report."""
from datetime import datetime, timezone

from tests.warehouse.wh_helpers import reader, rows
from tests.warehouse.wh_synth import RunBuilder, make_result

from core import layout
from warehouse.load import load_run
from warehouse.portal_history import is_sharp_drop, report_drops

P = "https://www.tc.example.gov.cn"


def portals_run(data_dir, run_id, day, states, reports=None):
    b = RunBuilder(data_dir, run_id, started=datetime(2026, 1, day, tzinfo=timezone.utc))
    b.portal("tc", "达州市通川区人民政府", "511702", P + "/")
    b.portal("blk", "万源市人民政府", "511781", "https://www.wy.example.gov.cn/")
    b.portal("emp", "宣汉县人民政府", "511722", "https://www.xh.example.gov.cn/")
    b.portal("noc", "开江县人民政府", "511723", "https://www.kj.example.gov.cn/")
    b.portal("new", "大竹县人民政府", "511724", "https://www.dz.example.gov.cn/")
    for pid, (state, reason) in states.items():
        b.portals[pid]["state"] = state
        b.portals[pid]["error"] = reason
    for pid, n in (reports or {}).items():
        b.portals[pid]["counts"] = {"reports": n, "pages": n + 2}
    return b


STATES = {"blk": ("blocked", "robots.txt disallows /"), "emp": ("empty_column", "column read, 0 reports"),
          "noc": ("no_column", "no 年报 column found")}


def test_portal_runs_and_coverage_reasons(data_dir):
    b = portals_run(data_dir, "20260101T000000Z", 1, STATES, {"tc": 3})
    b.fetch("tc", P + "/1.html", "report", result=make_result(agency="通川区教育局", year=2020, seed=1))
    b.fetch("tc", P + "/2.html", "report", result=make_result(agency="通川区教育局", year=2022, seed=2))
    b.fetch("tc", P + "/3.html", "report", result=make_result(agency="通川区人民政府", year=2022, seed=3))
    del b.portals["new"]  # a portal listed later, never crawled in this run
    load_run(data_dir, *b.write())
    with reader(data_dir) as con:
        runs = rows(con, "SELECT portal_id, state, reason, reports FROM portal_runs ORDER BY portal_id")
        cov = {(r[0], r[1]): r[2:] for r in rows(
            con, "SELECT agency, report_year, found, coverage, missing_reason, portal_states, portal_reasons "
                 "FROM coverage")}
    assert runs == [("blk", "blocked", "robots.txt disallows /", 0), ("emp", "empty_column", "column read, 0 reports", 0),
                    ("noc", "no_column", "no 年报 column found", 0), ("tc", "ok", None, 3)]
    # the county portal was read in full: a missing year is "not published"
    assert cov[("通川区教育局", 2021)][:3] == (0, "missing", "not_published")
    assert cov[("通川区教育局", 2022)][:3] == (1, "extracted", None)
    # portals that yielded nothing: their own governments are listed, missing with the portal's state
    assert cov[("万源市人民政府", 2021)][:5] == (0, "missing", "portal_blocked", "blocked",
                                           "blk: robots.txt disallows /")
    assert cov[("宣汉县人民政府", 2022)][2] == "portal_empty_column"
    assert cov[("开江县人民政府", 2020)][2] == "portal_no_column"


def test_a_later_crawl_changes_the_reason(data_dir):
    b = portals_run(data_dir, "20260101T000000Z", 1, STATES)
    b.fetch("tc", P + "/1.html", "report", result=make_result(agency="通川区教育局", year=2021, seed=1))
    load_run(data_dir, *b.write())
    b2 = portals_run(data_dir, "20260102T000000Z", 2, {**STATES, "blk": ("ok", None)})
    load_run(data_dir, *b2.write())
    with reader(data_dir) as con:
        assert rows(con, "SELECT missing_reason FROM coverage WHERE agency = '万源市人民政府'") == [("not_published",)]
        assert rows(con, "SELECT count(*) FROM portal_runs WHERE portal_id = 'blk'") == [(2,)]
        assert rows(con, "SELECT state FROM portal_latest WHERE portal_id = 'blk'") == [("ok",)]


def test_sharp_drop_rule():
    assert is_sharp_drop(10, 5) and is_sharp_drop(10, 0) and is_sharp_drop(1, 0)
    assert not is_sharp_drop(10, 6) and not is_sharp_drop(3, 1) and not is_sharp_drop(None, 0)
    assert not is_sharp_drop(0, 0)


@pytest.mark.slow
def test_sharp_drop_is_flagged_for_the_run_report(data_dir):
    b1 = portals_run(data_dir, "20260101T000000Z", 1, STATES, {"tc": 12, "emp": 0})
    b1.fetch("tc", P + "/1.html", "report", result=make_result(seed=1))
    load_run(data_dir, *b1.write())
    assert report_drops(data_dir) == []
    # the next night reads 4 of the 12 reports and nothing else is new: a changed count is news, so it publishes
    b2 = portals_run(data_dir, "20260102T000000Z", 2, STATES, {"tc": 4, "emp": 0})
    body = layout.raw_path(data_dir, b1.manifest[0]["sha256"]).read_bytes()
    b2.fetch("tc", P + "/1.html", "report", result=make_result(seed=1), body=body, state="not_modified")
    s = load_run(data_dir, *b2.write())
    assert not s.skipped
    drops = report_drops(data_dir)
    assert [(d.portal_id, d.prev_reports, d.reports, d.prev_run_id) for d in drops] == [
        ("tc", 12, 4, "20260101T000000Z")]
    assert "12 → 4" in drops[0].line()
    assert report_drops(data_dir, "20260101T000000Z") == []
    # the same rule in SQL, once the run is published
    b3 = portals_run(data_dir, "20260103T000000Z", 3, STATES, {"tc": 0, "emp": 0})
    load_run(data_dir, *b3.write())
    with reader(data_dir) as con:
        got = rows(con, "SELECT run_id, prev_reports, reports, sharp_drop FROM portal_report_changes "
                        "WHERE portal_id = 'tc' ORDER BY run_id")
    assert got == [("20260101T000000Z", None, 12, False), ("20260102T000000Z", 12, 4, True),
                   ("20260103T000000Z", 4, 0, True)]
    assert [d.portal_id for d in report_drops(data_dir)] == ["tc"]


def test_held_runs_count_in_the_history(data_dir):
    """A run held back because it brought nothing new is still the previous run of the next one."""
    b1 = portals_run(data_dir, "20260101T000000Z", 1, STATES, {"tc": 12})
    load_run(data_dir, *b1.write())
    b2 = portals_run(data_dir, "20260102T000000Z", 2, STATES, {"tc": 12})
    assert load_run(data_dir, *b2.write()).unchanged
    b3 = portals_run(data_dir, "20260103T000000Z", 3, STATES, {"tc": 5})
    load_run(data_dir, *b3.write())
    (drop,) = report_drops(data_dir)
    assert (drop.prev_run_id, drop.prev_reports, drop.reports) == ("20260102T000000Z", 12, 5)
    with reader(data_dir) as con:
        assert rows(con, "SELECT run_id FROM portal_runs WHERE portal_id = 'tc' ORDER BY 1") == [
            ("20260101T000000Z",), ("20260102T000000Z",), ("20260103T000000Z",)]
