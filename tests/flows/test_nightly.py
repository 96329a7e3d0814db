"""The nightly flow end to end: real Prefect flow runs (`nianbao run`), a real DuckDB file, the demo portal.

The runs are made once by the session fixture `pipeline` (conftest.py); these tests check what they left.
The portal's ground truth (`Portal.expected()`, taken before each run) is the independent answer.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from tests.flows.flowkit import by_url, compare_dumps, document_urls, need, truth_mismatches

# The fixture's four runs (Prefect start included) are charged to the first test that uses it.
pytestmark = [pytest.mark.timeout(1800), pytest.mark.slow, pytest.mark.prefect]

DEAD_KINDS = ("challenge_412", "challenge_521", "deleted", "not_found")


# ---------------------------------------------------------------------------------------------- first run

def test_first_run_every_report_lands_with_its_cells(pipeline):
    (run,) = need(pipeline, "run1")
    assert run["wh"] is not None, "no warehouse published"
    problems = truth_mismatches(run)
    assert not problems, "\n".join(problems)
    # exactly the reports with numbers are ok: nothing else was taken for a report
    exp = run["expected"]
    with_numbers = {r["url"] for s in exp["sites"].values() for r in s["reports"] if r["format"] != "image"}
    ok = {r["source_url"] for r in run["wh"]["reports"] if r["status"] == "ok"}
    assert ok == with_numbers, (sorted(ok - with_numbers), sorted(with_numbers - ok))
    # the CLI's summary agrees with the warehouse
    s = run["summary"]
    assert s["quality"]["reports_ok"] == len(with_numbers)
    assert s["load"]["cells"] == run["wh"]["cell_rows"]
    assert s["warehouse"].endswith("warehouse/nianbao.duckdb")
    for stage in ("crawl", "extract", "load", "checks", "export", "total", "flow", "prefect"):
        assert s["seconds"].get(stage, -1) >= 0, (stage, s["seconds"])


def test_no_decoy_is_a_report_and_dead_pages_have_no_cells(pipeline):
    (run,) = need(pipeline, "run1")
    wh, exp = run["wh"], run["expected"]
    reports = by_url(wh)
    decoys = [d for s in exp["sites"].values() for d in s["decoys"]]
    assert decoys
    taken = [(d["kind"], d["url"]) for d in decoys if reports.get(d["url"], {}).get("status") == "ok"]
    assert not taken, taken
    # challenged, deleted and missing pages: never a report with cells, never a document with cells
    dead = [d["url"] for d in decoys if d["kind"] in DEAD_KINDS]
    assert dead
    for url in dead:
        r = reports.get(url)
        if r is not None:
            assert r["status"] != "ok" and not wh["cells"].get(r["report_id"]), (url, r)
    dead_docs = [d for d in wh["documents"] if d["fetch_state"] in ("challenged", "deleted", "error")]
    assert dead_docs, "the portal's challenged/deleted pages should be recorded as documents"
    for d in dead_docs:
        assert not d["cells_count"], d
        if d["report_id"]:
            assert not wh["cells"].get(d["report_id"]), d
    # the WAF site (every path answers a 412 challenge) yields no report at all
    assert not [r for r in wh["reports"] if r["portal_id"] == "demo-waf"]
    # and the robots.txt-disallowed page was never requested
    robots = {d["url"] for d in decoys if d["kind"] == "robots_disallowed"}
    assert robots and not [e for e in run["log"] if e["url"] in robots]


# ---------------------------------------------------------------------------------------------- increments

@pytest.mark.parametrize("label", ["run2", "run3"])
def test_second_run_adds_nothing_and_loses_nothing(pipeline, label):
    """run2: known reports are not asked for again; run3 (recheck_days 0): all re-validated and answered 304,
    so the loader gets every page again as not_modified. Neither may change the warehouse's data."""
    first, again = need(pipeline, "run1", label)
    problems = compare_dumps(first["wh"], again["wh"])
    assert not problems, "\n".join(problems)
    assert truth_mismatches(again) == []
    # every run is recorded: in `runs`, or, when it brought nothing new and was not republished, held beside the
    # warehouse for the next publishing load (warehouse/unpublished.py)
    loaded = again["wh"]["runs"] + again["wh"]["held_runs"]
    assert len(loaded) == len(set(loaded)) == len(first["wh"]["runs"]) + (1 if label == "run2" else 2)


@pytest.mark.parametrize("label", ["run2", "run3"])
def test_second_run_fetches_no_document_body_again(pipeline, label):
    (run,) = need(pipeline, label)
    docs = document_urls([r for s in run["expected"]["sites"].values() for r in s["reports"]])
    # the manifest has no freshly fetched report page or attachment
    fresh = [(m["role"], m["url"], m["state"]) for m in run["manifest"]
             if m["role"] in ("report", "attachment") and m["state"] == "ok"]
    assert not fresh, fresh
    # and the portal served none of them with a body
    served = [(e["method"], e["url"], e["status"]) for e in run["log"] if e["url"] in docs and e["status"] == 200]
    assert not served, served
    if label == "run3":
        # recheck_days 0: every known report page was asked again, conditionally, and answered 304
        reports = {m["url"]: m for m in run["manifest"] if m["role"] == "report"}
        exp_reports = [r["url"] for s in run["expected"]["sites"].values() for r in s["reports"]]
        not_modified = [u for u in exp_reports if reports.get(u, {}).get("state") == "not_modified"]
        assert len(not_modified) == len(exp_reports), sorted(set(exp_reports) - set(not_modified))
        assert sum(1 for e in run["log"] if e["url"] in docs and e["status"] == 304) >= len(exp_reports)
    else:
        # default recheck policy: a known report whose list entry did not change is not asked for at all,
        # unless it was listed less than 60 days ago (then it is re-validated with a conditional GET)
        recent = date.today() - timedelta(days=61)
        exempt = document_urls([r for s in run["expected"]["sites"].values() for r in s["reports"]
                                if r["list_date"] and date.fromisoformat(r["list_date"]) >= recent])
        asked = [e["url"] for e in run["log"] if e["url"] in docs and e["url"] not in exempt]
        assert not asked, f"run2 asked for known reports again: {asked}"


# ---------------------------------------------------------------------------------------------- next generation

def test_next_generation_adds_the_new_report_and_replaces_the_changed_one(pipeline):
    before, run = need(pipeline, "run3", "run4")
    exp1, exp2 = before["expected"], run["expected"]
    assert exp2["generation"] == exp1["generation"] + 1
    urls1 = {r["url"] for s in exp1["sites"].values() for r in s["reports"]}
    reports2 = [r for s in exp2["sites"].values() for r in s["reports"]]
    added = [r for r in reports2 if r["url"] not in urls1]
    changed = [r for r in reports2 if r["changed_in"] == exp2["generation"]]
    assert len(added) == 1 and len(changed) == 1, (added, changed)

    # every report of generation 2 against its truth (the new one and the corrected one included)
    problems = truth_mismatches(run)
    assert not problems, "\n".join(problems)

    old, new = by_url(before["wh"]), by_url(run["wh"])
    assert set(new) == set(old) | {added[0]["url"]}
    # no duplicate rows: one report per page, one cell per report and key
    ids = Counter(r["report_id"] for r in run["wh"]["reports"])
    assert max(ids.values()) == 1
    assert len(new) == len(run["wh"]["reports"])
    assert run["wh"]["cell_rows"] == sum(len(c) for c in run["wh"]["cells"].values())
    assert run["wh"]["cell_rows"] == before["wh"]["cell_rows"] + len(added[0]["truth"]["cells"])

    # the corrected report: same report id, old values gone, new ones in
    c = changed[0]
    rid = old[c["url"]]["report_id"]
    assert new[c["url"]]["report_id"] == rid
    old_truth = next(r for s in exp1["sites"].values() for r in s["reports"] if r["url"] == c["url"])["truth"]["cells"]
    differing = {k for k in c["truth"]["cells"] if c["truth"]["cells"][k] != old_truth.get(k)}
    assert differing, "the portal's corrected page should change some numbers"
    assert {k: before["wh"]["cells"][rid][k] for k in differing} == {k: old_truth[k] for k in differing}
    assert {k: run["wh"]["cells"][rid][k] for k in differing} == {k: c["truth"]["cells"][k] for k in differing}

    # every other report kept its cells
    for url, r in old.items():
        if url != c["url"]:
            assert run["wh"]["cells"].get(r["report_id"]) == before["wh"]["cells"].get(r["report_id"]), url

    # the crawl fetched the new page and the corrected one, nothing else with a body
    fresh = sorted(m["url"] for m in run["manifest"] if m["role"] == "report" and m["state"] == "ok")
    assert fresh == sorted([added[0]["url"], c["url"]])


def test_reader_holding_the_warehouse_open_does_not_block_the_run(pipeline):
    """A read-only connection open for the whole of run4: the run completes, the reader keeps seeing the
    warehouse as it was, a new connection (another process, or after closing) sees the new one."""
    need(pipeline, "run4")
    info = pipeline["reader"]
    assert not info["errors"], info["errors"]
    assert len(info["during"]) >= 3, "the reader was not polled during the run"
    assert all(s == info["before"] for s in info["during"]), [s for s in info["during"] if s != info["before"]][:3]
    assert info["after_old_connection"] == info["before"]
    assert info["inode_after"] != info["inode_before"], "the published file was not replaced"
    new = info["after_other_process"]
    assert new["reports"] == info["before"]["reports"] + 1
    assert new["cells"] > info["before"]["cells"]
    assert info["after_reopen"] == new


def test_backfill_refetches_but_changes_nothing(pipeline):
    """`nianbao backfill` ignores the increment state: every report is asked for again (conditionally), and the
    warehouse's data stay exactly as the nightly runs left them."""
    before, run = need(pipeline, "run4", "run5")
    assert compare_dumps(before["wh"], run["wh"]) == []
    assert truth_mismatches(run) == []
    reports = {m["url"] for m in run["manifest"] if m["role"] == "report" and m["state"] in ("ok", "not_modified")}
    expected = {r["url"] for s in run["expected"]["sites"].values() for r in s["reports"]}
    assert expected <= reports, sorted(expected - reports)
