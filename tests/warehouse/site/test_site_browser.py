"""The site in a real browser: Debian's headless Chromium (scripts/setup.sh installs it) driven by Playwright,
loading the built site from file://, searching for an agency, opening its page, finding its figures and a drawn
chart. No browser is downloaded: Playwright is pointed at /usr/bin/chromium.

Screenshots go to $NIANBAO_SCREENSHOTS when set (to look at them), else to the test's temporary folder."""
import os
import shutil
from pathlib import Path

import pytest
from tests.warehouse.site.site_helpers import build_world_site, shown
from tests.warehouse.wh_helpers import reader
from tests.warehouse.wh_outputs import ECON, EDU

from warehouse.agency_year import has_verified

CHROMIUM = os.environ.get("NIANBAO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.slow


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("NIANBAO_SKIP_APT") == "1":
            pytest.skip("Chromium is not installed and setup was told to skip apt (NIANBAO_SKIP_APT=1)")
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup.sh (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def shots_dir(tmp_path) -> Path:
    d = Path(os.environ.get("NIANBAO_SCREENSHOTS") or tmp_path / "shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


def test_search_open_agency_figures_and_chart(browser, data_dir, tmp_path):
    summary, e = build_world_site(data_dir, tmp_path / "site", search_shards=8)  # several shards, as nationally
    root = Path(summary.path)
    shots = shots_dir(tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(root.joinpath("index.html").as_uri())
    page.wait_for_selector("#chart-trend .main-svg .trace.bars .point path", state="attached", timeout=20_000)
    page.screenshot(path=str(shots / "home.png"), full_page=True)

    # search by a part of the agency's name, as a reader would type it
    page.fill("#search", "经济和信息化")
    page.wait_for_selector("#search-results li a", timeout=10_000)
    results = page.locator("#search-results li a")
    texts = [results.nth(i).inner_text() for i in range(results.count())]
    assert any(ECON in t for t in texts), texts
    page.screenshot(path=str(shots / "search.png"))
    page.locator("#search-results li a", has_text=ECON).first.click()
    page.wait_for_load_state("load")
    assert "/agency/" in page.url
    assert page.locator("h1").inner_text().startswith(ECON)

    # its figures, by year, as the inputs hold them (the later of the two copies speaks for 2021)
    late = e.speakers[(ECON, 2021)]
    nxt = e.speakers[(ECON, 2022)]
    years = [int(x) for x in page.locator("table.figures").first.locator("th[data-year]").all_inner_texts()]
    assert years == [2021, 2022]
    for key in ("apply.new.total", "apply.granted.total", "review.reconsideration.total",
                "active.art20_6.penalty.decisions"):
        cells = page.locator(f"tr[data-key='{key}'] td").all_inner_texts()[2:]
        assert cells == [shown(late["cells"][key]), shown(nxt["cells"][key])], key

    # a drawn chart: Plotly's SVG with one bar per year and series, holding the agency's figures
    page.wait_for_selector("#chart-agency .main-svg .trace.bars .point path", state="attached", timeout=20_000)
    bars = page.locator("#chart-agency .trace.bars .point path").count()
    assert bars >= 2 * 4  # two years, at least four series with values
    plotted = page.evaluate("document.getElementById('chart-agency').data.map(t => [t.name, t.y])")
    assert plotted[0] == ["新收申请", [late["cells"]["apply.new.total"], nxt["cells"]["apply.new.total"]]]

    # the verdict and its reasons, the source link and the stored raw copy
    verdict = page.locator("tr#y2021 td.verdict").inner_text()
    with reader(data_dir) as con:
        assert ("未核验" if has_verified(con) else "恒等式不成立") in verdict
    assert "apply_flow.total" in verdict
    assert page.locator("tr#y2021 a", has_text="来源网页").count() == 2  # the speaking report and its copy
    raw_href = page.locator("tr#y2022 a.raw").first.get_attribute("href")
    assert (root / "agency" / raw_href).resolve().is_file()
    page.screenshot(path=str(shots / "agency.png"), full_page=True)

    # a region, found by its name, lists its agencies with their reports by year
    page.fill("#search", "天河区")
    page.wait_for_selector("#search-results li a", timeout=10_000)
    first = page.locator("#search-results li a").first
    assert "地区" in first.inner_text() and "天河区" in first.inner_text()
    first.click()
    page.wait_for_load_state("load")
    assert "/region/440106.html" in page.url
    table = page.locator("table.marks").inner_text()
    assert EDU in table
    assert page.locator("table.marks .mark.unread").count() == 1  # the 2022 scan: found, not read
    page.wait_for_selector("#chart-region .main-svg .trace.bars .point path", state="attached", timeout=20_000)
    page.screenshot(path=str(shots / "region.png"), full_page=True)

    # offline: every request stayed on file://, and nothing failed in the page
    assert requests and all(u.startswith("file://") for u in requests), [u for u in requests if not u.startswith("file://")]
    assert errors == []
