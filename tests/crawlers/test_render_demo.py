"""The demo portal's platform and script-built sites (demo-jpaas, demo-xxgk, demo-script), crawled for real.

Every report of each site must be found: on the JPaaS and 信息公开目录 sites by static reading alone (their platform
files call the list APIs directly: no page rendered), on the script-built site only by rendering (with rendering
off it yields nothing and says so: never `ok`). Departments and townships are reached through the county's
部门信息公开 / 乡镇信息公开 directories.
"""
from __future__ import annotations

import pytest

from crawlers.render import unavailable_reason
from crawlers.run import crawl

from tests.crawlers.conftest import manifest_rows, write_sources

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow, pytest.mark.portal, pytest.mark.browser]
SITES = ["demo-jpaas", "demo-xxgk", "demo-script"]


def _found(rows, portal_id):
    return {r["url"] for r in rows if r["portal_id"] == portal_id and r["role"] == "report"
            and r["state"] in ("ok", "not_modified")}


@pytest.fixture(scope="module")
def run(portal, tmp_path_factory):
    assert unavailable_reason() is None, unavailable_reason()
    root = tmp_path_factory.mktemp("render-demo")
    summary = crawl(write_sources(portal, root / "sources.yaml", SITES), root / "data", run_id="r1")
    assert summary.returncode == 0, (summary.run_dir / "crawl.stderr").read_text(errors="replace")[-3000:]
    return {"summary": summary, "rows": manifest_rows(summary.run_dir), "exp": portal.expected()}


@pytest.mark.parametrize("site", SITES)
def test_every_report_is_found(run, site):
    want = {r["url"] for r in run["exp"]["sites"][site]["reports"]}
    assert sorted(want - _found(run["rows"], site)) == []


@pytest.mark.parametrize("site", SITES)
def test_no_decoy_is_taken(run, site):
    decoys = {d["url"] for d in run["exp"]["sites"][site]["decoys"]}
    assert sorted(decoys & _found(run["rows"], site)) == []


@pytest.mark.parametrize("site", SITES)
def test_state_ok(run, site):
    assert run["summary"].portal(site).state == "ok"


@pytest.mark.parametrize("site", ["demo-jpaas", "demo-xxgk"])
def test_platform_sites_need_no_rendering(run, site):
    assert run["summary"].portal(site).counts["rendered"] == 0


def test_script_site_is_read_by_rendering(run):
    assert run["summary"].portal("demo-script").counts["rendered"] >= 5


@pytest.mark.parametrize("site,units", [("demo-jpaas", 5), ("demo-xxgk", 3), ("demo-script", 2)])
def test_unit_sub_sites_are_followed(run, site, units):
    assert run["summary"].portal(site).counts["subsites"] == units


@pytest.mark.parametrize("site,platform", [("demo-jpaas", "jpaas"), ("demo-xxgk", "xxgk")])
def test_platform_is_detected(run, site, platform):
    assert platform in run["summary"].portal(site).platforms_detected


def test_without_rendering_the_script_site_is_not_ok(portal, tmp_path_factory):
    root = tmp_path_factory.mktemp("render-demo-off")
    src = write_sources(portal, root / "sources.yaml", ["demo-script"], defaults={"render": "off"})
    p = crawl(src, root / "data", run_id="off").portal("demo-script")
    assert (p.state, p.counts["reports"]) == ("no_column", 0)
