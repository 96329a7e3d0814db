"""`nianbao site`: the pages, the figures they show (checked against the inputs), the links, the search index,
the raw copies, no CDN. The browser test (test_site_browser.py) loads the same site in Chromium."""
import hashlib
import json
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest
from tests.warehouse.site.site_helpers import build_world_site, figure_table, page, shown
from tests.warehouse.wh_helpers import reader
from tests.warehouse.wh_outputs import DZ, ECON, EDU, TH_GOV, TC_GOV

from core.errors import UserError
from warehouse.agency_year import HEADLINES, has_verified
from warehouse.site.build import build_site
from warehouse.site.search import normalise


@pytest.fixture
def site(data_dir, tmp_path):
    summary, expected = build_world_site(data_dir, tmp_path / "site")
    return Path(summary.path), summary, expected, data_dir


def agency_ids(data_dir):
    with reader(data_dir) as con:
        return dict(con.execute("SELECT name, agency_id FROM agencies").fetchall())


def test_no_warehouse(data_dir, tmp_path):
    with pytest.raises(UserError, match="no warehouse"):
        build_site(data_dir, tmp_path / "site")
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
def test_pages_and_summary(site):
    root, summary, e, data_dir = site
    ids = agency_ids(data_dir)
    assert summary.index == str(root / "index.html")
    assert summary.agencies == len(ids) == len(list((root / "agency").glob("*.html")))
    for name, aid in ids.items():
        assert (root / "agency" / f"{aid}.html").is_file(), name
    # region pages: the counties, their cities and provinces
    for code in ("511702", "511700", "510000", "440106", "440100", "440000"):
        assert (root / "region" / f"{code}.html").is_file(), code
    assert summary.regions == len(list((root / "region").glob("*.html")))
    assert summary.pages == 1 + summary.agencies + summary.regions
    # nothing half-built is left beside it
    assert [p.name for p in root.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.slow
def test_agency_page_figures(site):
    root, _, e, data_dir = site
    ids = agency_ids(data_dir)
    for (agency, year), result in e.speakers.items():
        doc = page(root / "agency" / f"{ids[agency]}.html")
        assert doc.cssselect("h1")[0].text_content().startswith(agency)
        row = doc.cssselect(f"tr#y{year}")
        assert row, (agency, year)
        links = [a.get("href") for a in row[0].cssselect("a")]
        assert e.urls[(agency, year)] in links  # the source page
        figures = figure_table(doc)
        if result is None:  # found, not read: no figure column for that year, the reason shown
            assert "未能读出" in row[0].text_content() and "the tables are images" in row[0].text_content()
            assert all(year not in by_year for by_year in figures.values())
            continue
        for key, value in result["cells"].items():  # every figure of the report, as printed
            assert figures[key][year] == shown(value), (agency, year, key)
    # the duplicate does not speak: the later copy's figures are shown, the earlier one is listed as 副本
    doc = page(root / "agency" / f"{ids[ECON]}.html")
    figures = figure_table(doc)
    late = e.speakers[(ECON, 2021)]
    assert figures["apply.new.total"][2021] == shown(late["cells"]["apply.new.total"])
    row = doc.cssselect("tr#y2021")[0]
    assert "副本" in row.text_content() and "2 处发布" in row.text_content()
    # a row the report does not print is "—" with the printed text on hover, never 0
    td = [tr for tr in doc.cssselect("tr[data-key='apply.denied.third_party.total']")][0].cssselect("td")[2:]
    years = [int(th.get("data-year")) for th in doc.cssselect("table.figures")[0].cssselect("th[data-year]")]
    gap = td[years.index(2022)]
    assert gap.text_content().strip() == "—" and "“/”" in gap.get("title")
    # a row of the 2019 form has no 2021 column value, and the other way round
    gov = figure_table(page(root / "agency" / f"{ids[TC_GOV]}.html"))
    assert "active.art20_1.rules.made" in gov and "active.art20_1.rules.issued" not in gov


@pytest.mark.slow
def test_verdict_shown(site):
    root, _, e, data_dir = site
    ids = agency_ids(data_dir)
    row = page(root / "agency" / f"{ids[ECON]}.html").cssselect("tr#y2021")[0]
    verdict = row.cssselect("td.verdict")[0].text_content()
    with reader(data_dir) as con:
        verified_known = has_verified(con)
    if verified_known:
        assert "未核验" in verdict and "apply_flow.total" in verdict
    else:
        assert "恒等式不成立" in verdict and "apply_flow.total" in verdict
    ok_row = page(root / "agency" / f"{ids[ECON]}.html").cssselect("tr#y2022")[0]
    assert ("已核验" if verified_known else "恒等式全部成立") in ok_row.cssselect("td.verdict")[0].text_content()


@pytest.mark.slow
def test_raw_copies(site):
    root, summary, e, data_dir = site
    ids = agency_ids(data_dir)
    doc = page(root / "agency" / f"{ids[EDU]}.html")
    raws = doc.cssselect("a.raw")
    assert raws
    for a in raws:
        target = (root / "agency" / a.get("href")).resolve()
        assert target.is_file(), a.get("href")
        sha = target.name.split(".")[0]
        assert hashlib.sha256(target.read_bytes()).hexdigest() == sha
        assert (data_dir / "raw" / sha[:2] / sha).read_bytes() == target.read_bytes()
        assert target.name.endswith(".html.txt")  # a portal page never runs as HTML on the site
    assert summary.raw_copies > 0 and summary.raw_missing == 0


@pytest.mark.slow
def test_without_raw(data_dir, tmp_path):
    summary, _ = build_world_site(data_dir, tmp_path / "site", raw=False)
    assert summary.raw_copies == 0 and not (Path(summary.path) / "raw").exists()


def _local_refs(html_path: Path):
    doc = page(html_path)
    for el in doc.cssselect("[href], [src]"):
        ref = el.get("href") or el.get("src")
        yield el, ref


@pytest.mark.slow
def test_links_resolve_and_no_cdn(site):
    root, _, e, _ = site
    sources = set(e.urls.values()) | {u for u in e.duplicate_urls}
    checked = 0
    for html in root.rglob("*.html"):
        for el, ref in _local_refs(html):
            if el.tag in ("script", "link"):
                assert not re.match(r"^(https?:)?//", ref), (html.name, ref)  # no CDN, no remote script
            if re.match(r"^https?://", ref):
                assert el.tag == "a" and ref in sources, (html.name, ref)  # only links to the sources
                continue
            target = (html.parent / ref.split("#")[0]).resolve()
            assert target.is_file(), (html.relative_to(root), ref)
            checked += 1
    assert checked > 50
    # plotly.min.js is the pinned package's, byte for byte
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert (root / "assets" / "plotly.min.js").read_bytes() == bundled.read_bytes()


@pytest.mark.slow
def test_charts_are_valid_plotly_figures(site):
    root, _, _, _ = site
    n = 0
    for html in [root / "index.html", *sorted((root / "agency").glob("*.html")), *sorted((root / "region").glob("*.html"))]:
        for script in page(html).cssselect("script[data-chart]"):
            fig = json.loads(script.text_content())
            go.Figure(fig)  # raises on a property Plotly does not know
            assert fig["data"] and all(t.get("x") or t.get("y") for t in fig["data"])
            n += 1
    assert n >= 4


@pytest.mark.slow
def test_home_page(site):
    root, _, e, data_dir = site
    doc = page(root / "index.html")
    figs = {s.get("data-chart"): json.loads(s.text_content()) for s in doc.cssselect("script[data-chart]")}
    assert set(figs) == {"chart-trend", "chart-coverage", "chart-timeliness"}
    # national trend: per year, the sum over the speaking reports (the duplicate counted once), from the inputs
    trend = figs["chart-trend"]["data"][0]
    want: dict[int, int] = {}
    for (agency, year), r in e.speakers.items():
        if r is not None:
            want[year] = want.get(year, 0) + r["cells"]["apply.new.total"]
    assert trend["name"] == "新收申请"
    assert dict(zip(map(int, trend["x"]), trend["y"])) == want
    # coverage by province: both provinces of the world
    cov = figs["chart-coverage"]["data"]
    assert set(cov[0]["y"]) == {"四川省", "广东省"}
    # timeliness: a share per year; ECON 2022 (10 days late) and TC_GOV 2020 (late) are late
    tl = {t["name"]: dict(zip(t["x"], t["y"])) for t in figs["chart-timeliness"]["data"]}
    assert tl["逾期 late"]["2022"] == 1 and tl["逾期 late"]["2020"] == 1
    # reports that break identities (of the speaking reports, from the inputs) are listed with the rule and a link
    want_breaks = {(a, y) for (a, y), r in e.speakers.items()
                   if r is not None and any(c["ok"] is False for c in r["checks"])}
    assert want_breaks  # the world has some
    rows_ = doc.xpath("//h2[@id='identities']/following-sibling::div[1]//tr[td]")
    got = {(tr.cssselect("td")[1].text_content().strip(), int(tr.cssselect("td")[0].text_content())) for tr in rows_}
    assert got == want_breaks
    ids = agency_ids(data_dir)
    for tr in rows_:
        a = tr.cssselect("td a")[0]
        year = tr.cssselect("td")[0].text_content().strip()
        assert a.get("href") == f"agency/{ids[a.text_content().strip()]}.html#y{year}"
        assert "apply_flow.total" in tr.text_content()


@pytest.mark.slow
def test_search_index(data_dir, tmp_path):
    summary, e = build_world_site(data_dir, tmp_path / "site", search_shards=8)
    root = Path(summary.path)
    manifest = json.loads(re.search(r"= (.*);", (root / "search" / "manifest.js").read_text()).group(1))
    assert manifest["shards"] == 8 and len(manifest["sizes"]) == 8
    shards = {}
    for k in range(8):
        text = (root / "search" / f"shard-{k}.js").read_text(encoding="utf-8")
        m = re.match(r"window\.nianbaoSearchShard\((\d+), (.*)\);\s*$", text, re.S)
        assert int(m.group(1)) == k
        shards[k] = json.loads(m.group(2))
        assert len(shards[k]) == manifest["sizes"][k]
    ids = agency_ids(data_dir)
    for name in (ECON, EDU, TH_GOV, "通川区", "天河区", "达州市"):
        # every character's shard holds every entry containing the query (what site.js relies on)
        q = normalise(name[2:5] if len(name) > 5 else name)
        for ch in q:
            hits = [x for x in shards[ord(ch) % 8] if q in normalise(x[1])]
            assert hits, (name, ch)
            if name in ids:
                assert [x for x in hits if x[3] == f"agency/{ids[name]}.html"], (name, ch)
    assert summary.search_entries == summary.agencies + summary.regions


@pytest.mark.slow
def test_rebuild_replaces_atomically(site):
    root, summary, _, data_dir = site
    (root / "stale.html").write_text("old")
    again = build_site(data_dir, root)
    assert Path(again.path) == root and not (root / "stale.html").exists()
    assert (root / "index.html").is_file()


@pytest.mark.slow
def test_site_command(data_dir, tmp_path, capsys):
    from nianbao.cli import main

    build_world_site(data_dir, tmp_path / "unused")
    assert main(["site", "--data-dir", str(data_dir), "--out", str(tmp_path / "web")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == (tmp_path / "web" / "index.html").resolve().as_uri()
    assert main(["site", "--data-dir", str(tmp_path / "nothing")]) == 2  # one-line error, non-zero exit
    assert "no warehouse" in capsys.readouterr().err
