"""Faults of issue 10 that the crawler owns, each against a real server on 127.0.0.1 through a real `scrapy crawl`:
redirects (followed, bounded, loops reported, off-site allowed, challenges and deletions still recognised), page
counts read from a page capped before any loop, a body over the size limit without a Content-Length, and
`javascript:` report links. (docs/reliability.md lists them with the other faults.)"""
from __future__ import annotations

import pytest

from core.records import read_manifest, read_portals
from crawlers.run import crawl

from tests.crawlers.minisite import MiniSite, Reply, html, redirect, sources_for

pytestmark = [pytest.mark.timeout(240), pytest.mark.portal]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RS_412 = Reply(412, b"<html><head><script>var $_ts=window['$_ts'];$_ts.nsd=1;</script></head><body></body></html>",
               {"Content-Type": "text/html", "Set-Cookie": "FSSBBIl1UgzbN7N80S=abc; path=/"})


def title(n: int) -> str:
    return f"示例县第{n}局2023年政府信息公开工作年度报告"


def report(n: int, extra: str = "") -> Reply:
    return html(f"<h1>{title(n)}</h1><div id='zoom'><p>一、总体情况</p>{extra}</div>")


def listing(entries: list[tuple[str, str]], tail: str = "") -> Reply:
    lis = "".join(f'<li><a href="{href}">{text}</a><span>2024-01-{10 + i:02d}</span></li>'
                  for i, (href, text) in enumerate(entries))
    return html(f'<ul class="list">{lis}</ul>{tail}')


def run(tmp_path, site: MiniSite, name: str, run_id: str | None = None, **portal):
    src = sources_for(tmp_path / f"{name}.yaml", [{"id": name, "name": name, "url": site.url("/"), **portal}])
    summary = crawl(src, tmp_path / "data", run_id=run_id or name)
    assert summary.returncode == 0, (summary.run_dir / "crawl.stderr").read_text(errors="replace")[-2000:]
    return summary, {r.url: r for r in read_manifest(summary.run_dir)}, read_portals(summary.run_dir)[0]


@pytest.fixture(scope="module")
def redirects(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("redirects")
    with MiniSite() as b, MiniSite() as a:
        off = b.base.replace("127.0.0.1", "localhost")  # another host: a file server, an OSS bucket
        b.routes.update({"/moved/t1.html": report(1), "/oss/a.pdf": Reply(200, PDF, {"Content-Type": "application/pdf"})})
        a.routes.update({
            "/": redirect("/index.html", 301),
            "/index.html": html('<div class="main"><a href="/nb/">政府信息公开年报</a></div>'),
            "/nb/": listing([(f"/nb/t{i}.html", title(i)) for i in range(1, 7)]),
            "/nb/t1.html": redirect(f"{off}/moved/t1.html"),
            "/nb/t2.html": report(2, '<p>附件：<a href="/dl?id=1">附件1</a></p>'),
            "/dl?id=1": redirect(f"{off}/oss/a.pdf"),
            "/nb/t3.html": redirect("/nb/t3b.html"),
            "/nb/t3b.html": redirect("/nb/t3.html"),
            "/nb/t4.html": redirect("/r/1"),
            "/nb/t5.html": redirect("/waf/t5.html"),
            "/waf/t5.html": RS_412,
            "/nb/t6.html": redirect("/nb/"),
        })
        a.routes.update({f"/r/{i}": redirect(f"/r/{i + 1}") for i in range(1, 20)})
        summary, rows, portal = run(tmp, a, "redir")
        yield {"a": a, "off": off, "rows": rows, "portal": portal}


@pytest.mark.slow
def test_home_redirect_is_followed(redirects):
    row = redirects["rows"][redirects["a"].url("/")]
    assert (row.state, row.final_url) == ("ok", redirects["a"].url("/index.html"))


def test_home_redirect_chain_is_recorded(redirects):
    assert redirects["rows"][redirects["a"].url("/")].redirects == [redirects["a"].url("/")]


def test_portal_column_found_behind_the_redirect(redirects):
    assert redirects["portal"].column_urls == [redirects["a"].url("/nb/")]


def test_report_moved_to_another_host_is_stored(redirects):
    row = redirects["rows"][redirects["a"].url("/nb/t1.html")]
    assert (row.state, row.final_url, row.detected_type) == ("ok", f"{redirects['off']}/moved/t1.html", "html")


def test_attachment_redirected_off_site_is_stored(redirects):
    row = redirects["rows"][redirects["a"].url("/dl?id=1")]
    assert (row.state, row.final_url, row.detected_type) == ("ok", f"{redirects['off']}/oss/a.pdf", "pdf")


def test_attachment_keeps_its_report_as_parent(redirects):
    assert redirects["rows"][redirects["a"].url("/dl?id=1")].parent_url == redirects["a"].url("/nb/t2.html")


def test_redirect_loop_is_reported(redirects):
    row = redirects["rows"][redirects["a"].url("/nb/t3.html")]
    assert row.state == "redirect_loop" and "redirect loop" in row.error


def test_long_chain_is_bounded(redirects):
    row = redirects["rows"][redirects["a"].url("/nb/t4.html")]
    assert row.state == "error" and "more than 10 redirects" in row.error
    assert redirects["a"].requested("/r/12") == 0


def test_challenge_behind_a_redirect_is_recognised(redirects):
    row = redirects["rows"][redirects["a"].url("/nb/t5.html")]
    assert (row.state, row.status, row.is_document) == ("challenged", 412, False)


def test_deletion_behind_a_redirect_is_recognised(redirects):
    row = redirects["rows"][redirects["a"].url("/nb/t6.html")]
    assert row.state == "deleted" and "redirected to" in row.error


def test_portal_with_failed_redirects_is_partial_with_the_reason(redirects):
    p = redirects["portal"]
    assert p.state == "partial" and "redirect loop" in p.error


@pytest.mark.slow
def test_bogus_page_count_is_capped_and_the_portal_partial(tmp_path):
    pager = '<div class="page"><script>createPageHTML(100000, 0, "index", "html");</script></div>'
    with MiniSite({"/nb/index.html": listing([("/nb/t1.html", title(1))], pager), "/nb/t1.html": report(1)}) as site:
        summary, rows, portal = run(tmp_path, site, "cap", column_url=site.url("/nb/index.html"), max_list_pages=5)
        asked = sum(1 for _, _, path, _ in site.log if path.startswith("/nb/index_"))
    assert asked <= 4  # the first page, then at most max_list_pages - 1 more
    assert portal.state == "partial"
    assert "createPageHTML says 100000 pages" in portal.error and "max_list_pages (5)" in portal.error
    assert rows[site.url("/nb/t1.html")].state == "ok"


@pytest.mark.slow
def test_body_over_the_limit_without_content_length_is_too_large(tmp_path):
    big = PDF + b"0" * 200_000
    routes = {"/nb/index.html": listing([("/nb/t1.html", title(1))]),
              "/nb/t1.html": report(1, '<a href="/a/big.pdf">附件1</a> <a href="/a/big2.pdf">附件2</a>'),
              "/a/big.pdf": Reply(200, big, {"Content-Type": "application/pdf"}, content_length=False),
              "/a/big2.pdf": Reply(200, big, {"Content-Type": "application/pdf"})}
    with MiniSite(routes) as site:
        summary, rows, portal = run(tmp_path, site, "big", column_url=site.url("/nb/index.html"), max_size=50_000)
    streamed, declared = rows[site.url("/a/big.pdf")], rows[site.url("/a/big2.pdf")]
    assert streamed.state == "too_large" and "without a Content-Length" in streamed.error
    assert declared.state == "too_large" and "max size" in declared.error
    assert portal.state == "partial" and portal.count("too_large") == 2 and portal.count("errors") == 0


@pytest.mark.slow
def test_javascript_report_links(tmp_path):
    entries = [("javascript:openArticle('/nb/t1.html')", title(1)),
               ("javascript:void(0)", title(2)),
               ("/nb/t3.html", title(3))]
    page = listing(entries).body.decode().replace(
        '<a href="/nb/t3.html">', '<a href="javascript:;" onclick="window.open(\'/nb/t3.html\')">')
    routes = {"/nb/index.html": Reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"}),
              "/nb/t1.html": report(1), "/nb/t3.html": report(3)}
    with MiniSite(routes) as site:
        summary, rows, portal = run(tmp_path, site, "js", column_url=site.url("/nb/index.html"))
    assert rows[site.url("/nb/t1.html")].state == "ok"  # the URL inside the javascript: link
    assert rows[site.url("/nb/t3.html")].state == "ok"  # the URL in its onclick
    assert portal.count("javascript_skipped") == 1  # the link that names no URL, counted


@pytest.mark.slow
def test_incremental_run_rediscovers_a_moved_column(tmp_path):
    """Between full walks a run starts from the column found last time; when that column is gone (the site
    moved it) the run finds it again from the home page, and the portal is not marked as failing for it."""
    routes = {"/": html('<div class="main"><a href="/nb/">政府信息公开年报</a></div>'),
              "/nb/": listing([("/nb/t1.html", title(1))]), "/nb/t1.html": report(1)}
    with MiniSite(routes) as site:
        run(tmp_path, site, "moved")
        assert site.requested("/") == 1
        site.routes.pop("/nb/")
        site.routes.update({"/": html('<div class="main"><a href="/xxgk/nb/">政府信息公开年报</a></div>'),
                            "/xxgk/nb/": listing([("/xxgk/nb/t2.html", title(2)), ("/nb/t1.html", title(1))]),
                            "/xxgk/nb/t2.html": report(2)})
        src = sources_for(tmp_path / "moved2.yaml", [{"id": "moved", "name": "moved", "url": site.url("/")}])
        summary = crawl(src, tmp_path / "data", run_id="moved2")
        rows = {r.url: r for r in read_manifest(summary.run_dir)}
        portal = read_portals(summary.run_dir)[0]
        homes = site.requested("/")
        run(tmp_path, site, "moved", run_id="moved3", walk_days=0)  # walk_days 0: the home page is read on every run
        assert site.requested("/") == homes + 1
    assert rows[site.url("/nb/")].status == 404
    assert rows[site.url("/xxgk/nb/t2.html")].state == "ok"
    assert portal.state == "ok" and portal.column_urls == [site.url("/xxgk/nb/")]
