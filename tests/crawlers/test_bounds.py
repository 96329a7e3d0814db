"""Bounded navigation (issue 10 item 5, the limits test_faults.py does not cover): the search for the 年报 column
follows at most `max_depth` navigation hops and at most 25 navigation pages per portal (plus two per department
or township sub-site), however many 信息公开 links a portal's pages hold. A portal where the search ends without
a column is `no_column` with its reason, never `ok`. Real `scrapy crawl` against real servers on 127.0.0.1."""
from __future__ import annotations

import pytest

from core.records import read_portals
from crawlers.run import crawl

from tests.crawlers.minisite import MiniSite, html, sources_for

pytestmark = [pytest.mark.timeout(240), pytest.mark.portal]

REPORT = "示例县财政局2023年政府信息公开工作年度报告"
NAV = ["政务公开", "信息公开", "政府信息公开目录", "信息公开指南"]


def _crawl(tmp_path, site: MiniSite, name: str, **portal):
    src = sources_for(tmp_path / f"{name}.yaml",
                      [{"id": name, "name": "示例县人民政府", "url": site.url("/"), "render": "off", **portal}])
    summary = crawl(src, tmp_path / "data", run_id=name)
    assert summary.returncode == 0, (summary.run_dir / "crawl.stderr").read_text(errors="replace")[-2000:]
    return read_portals(summary.run_dir)[0]


def _asked(site: MiniSite) -> list[str]:
    return [path for _, _, path, _ in site.log if not path.startswith("/robots.txt")]


def chain_site() -> MiniSite:
    """home → 政务公开 → 信息公开 → 政府信息公开目录 → the 年报 column (three navigation hops to the page that
    links the column)."""
    routes = {"/": html('<a href="/n1/">政务公开</a>'),
              "/n1/": html('<a href="/n2/">信息公开</a>'),
              "/n2/": html('<a href="/n3/">政府信息公开目录</a>'),
              "/n3/": html('<a href="/nb/">政府信息公开年报</a>'),
              "/nb/": html(f'<ul><li><a href="/nb/t1.html">{REPORT}</a><span>2024-01-10</span></li></ul>'),
              "/nb/t1.html": html(f"<h1>{REPORT}</h1><div id='zoom'><p>一、总体情况</p></div>")}
    return MiniSite(routes)


@pytest.mark.slow
@pytest.mark.parametrize("max_depth,found", [(3, True), (2, False)])
def test_navigation_stops_at_max_depth(tmp_path, max_depth, found):
    with chain_site() as site:
        portal = _crawl(tmp_path, site, f"depth{max_depth}", max_depth=max_depth)
        asked = _asked(site)
    if found:
        assert portal.state == "ok", portal.error
        assert "/nb/t1.html" in asked
    else:
        # two hops from home and no further: /n3/ (the third hop) is never asked for
        assert asked == ["/", "/n1/", "/n2/"], asked
        assert portal.state == "no_column" and portal.error, (portal.state, portal.error)


def maze_site() -> MiniSite:
    """Every page links five more 信息公开 pages and none links a 年报 column: 5 + 25 + 125 pages within three hops."""
    class Maze(dict):
        def get(self, path, default=None):
            if not path.startswith("/m") and path != "/":
                return default
            links = "".join(f'<a href="{path.rstrip("/")}/m{i}/">{NAV[i % len(NAV)]}{i}</a>' for i in range(5))
            return html(links)

    site = MiniSite()
    site.routes = Maze()
    return site


@pytest.mark.slow
def test_navigation_pages_per_portal_are_capped(tmp_path):
    with maze_site() as site:
        portal = _crawl(tmp_path, site, "maze")
        asked = _asked(site)
    assert len(asked) == len(set(asked))  # nothing twice
    assert len(asked) <= 1 + 25, len(asked)  # the home page and at most 25 navigation pages, not 155
    assert portal.state == "no_column" and portal.error, (portal.state, portal.error)
