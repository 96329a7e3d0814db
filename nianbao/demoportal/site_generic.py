"""A site on a generic CMS (JEECMS-like .jhtml pages): 年报 split by year sub-columns, 下一页/尾页 pagination."""

from __future__ import annotations

from .catalog import DecoyPlan, ReportPlan, rng_for
from .sitekit import (GEN_TIME, Chrome, SiteBuild, adapt_article, decoy_paragraphs, esc, filler_items, jsl_521,
                      manifest, news_paragraphs, not_found_page, paragraphs, render_report, robots_txt, special_page,
                      ts_of)

NB = "/zfxxgk/gknb/"
PER_PAGE = 2


def _folder_for(year: int) -> int:
    """The year folder a report of ``year`` sits in: folders are by report year, except that the 2019 reports were
    filed under 2020年 (the year they were published)."""
    return 2020 if year == 2019 else year


def _list_path(folder: int, n: int) -> str:
    return f"{NB}{folder}n/index.jhtml" if n == 1 else f"{NB}{folder}n/index_{n}.jhtml"


def build(b: SiteBuild, plans: list[ReportPlan], decoys: list[DecoyPlan]) -> None:
    spec = b.spec
    nav = [("网站首页", "/"), ("县情概况", "/xqgk/index.jhtml"), ("新闻中心", "/xwzx/index.jhtml"),
           ("政府信息公开", "/zfxxgk/index.jhtml"), ("办事服务", "/bsfw/index.jhtml"), ("互动交流", "/hdjl/index.jhtml")]
    chrome = Chrome(spec, "generic", nav, ext="jhtml")
    b.content.server_header = "Apache-Coyote/1.1"
    b.content.not_found = not_found_page(spec)
    gen1_t = GEN_TIME[1]
    b.add("/robots.txt", robots_txt(["/member/", "/jeeadmin/"]), "text/plain", mtime=gen1_t)
    crumb_home = [("网站首页", "/")]
    crumb_xxgk = crumb_home + [("政府信息公开", "/zfxxgk/index.jhtml")]
    crumb_nb = crumb_xxgk + [("政府信息公开年报", f"{NB}index.jhtml")]

    folders: dict[int, list[tuple[str, str, str]]] = {}
    for p in plans:
        if p.generation > b.generation:
            continue
        folder = _folder_for(p.report_year)
        path = f"{NB}{folder}n/{p.docid}.jhtml"
        title = _report_page(b, chrome, p, path, crumb_nb + [(f"{folder}年", _list_path(folder, 1))])
        folders.setdefault(folder, []).append((p.published, title, path))
    decoy_folder = {"challenge_521": 2022, "guide": 2021, "news": 2023}
    for d in decoys:
        folder = decoy_folder.get(d.kind, 2024)
        path = f"{NB}{folder}n/{d.docid}.jhtml"
        url = b.url(path)
        if d.kind == "challenge_521":
            b.content.routes[path] = jsl_521(d.key)
            b.expect_decoy(d, url, d.title, d.kind, status=521)
        else:
            kind = "guide" if d.kind == "guide" else "news"
            page = special_page(kind, spec.style, spec.name, int(d.date[:4]), b.seed, d.date, title=d.title,
                                content=paragraphs(decoy_paragraphs(spec, d)))
            page = adapt_article(page, spec.style, chrome, crumb_nb, agency=spec.name, host=b.host)
            b.page(path, page, mtime=ts_of(d.date, d.key))
            b.expect_decoy(d, url, d.title, d.kind, status=200)
        folders.setdefault(folder, []).append((d.date, d.title, path))

    listing: dict[str, str] = {}
    years = sorted(folders, reverse=True)
    sub = "".join(f'<li><a href="{_list_path(y, 1)}">{y}年</a></li>' for y in years)
    for y in years:
        rows = sorted(folders[y], reverse=True)
        pages = (len(rows) + PER_PAGE - 1) // PER_PAGE
        for n in range(1, pages + 1):
            chunk = rows[(n - 1) * PER_PAGE: n * PER_PAGE]
            trs = []
            for date, title, path in chunk:
                listing[b.url(path)] = b.url(_list_path(y, n))
                trs.append(f'<tr><td class="list_dot">·</td><td class="list_title"><a href="{path}" target="_blank" '
                           f'title="{esc(title)}">{esc(title)}</a></td><td class="list_date" width="90">[{date}]</td></tr>')
            pg = [f"共{len(rows)}条记录 {n}/{pages}页"]
            if n > 1:
                pg += [f'<a href="{_list_path(y, 1)}">首页</a>', f'<a href="{_list_path(y, n - 1)}">上一页</a>']
            if n < pages:
                pg += [f'<a href="{_list_path(y, n + 1)}">下一页</a>', f'<a href="{_list_path(y, pages)}">尾页</a>']
            main = (f'<table width="1000" align="center"><tr><td width="220" valign="top" class="leftbox">'
                    f'<div class="lefttitle">政府信息公开年报</div><ul class="sublist">{sub}</ul></td>'
                    f'<td valign="top" class="rightbox"><div class="coltitle">{y}年</div>'
                    f'<table width="100%" class="listtable">{"".join(trs)}</table>'
                    f'<div class="pagelist">{"&nbsp;".join(pg)}</div></td></tr></table>')
            b.page(_list_path(y, n), chrome.page(f"{y}年-{spec.name}", main,
                                                 crumb=crumb_nb + [(f"{y}年", None)]), mtime=gen1_t)
    for e in b.reports + b.decoys:
        if e["url"] in listing:
            e["listing_urls"] = [listing[e["url"]]]
    nb_main = (f'<table width="1000" align="center"><tr><td width="220" valign="top" class="leftbox">'
               f'<div class="lefttitle">政府信息公开年报</div><ul class="sublist">{sub}</ul></td>'
               '<td valign="top" class="rightbox"><div class="coltitle">政府信息公开年报</div>'
               '<p class="colnote">请选择年度：</p><ul class="yearlist">'
               + "".join(f'<li><a href="{_list_path(y, 1)}">{y}年</a></li>' for y in years)
               + "</ul></td></tr></table>")
    b.page(f"{NB}index.jhtml", chrome.page(f"政府信息公开年报-{spec.name}", nb_main, crumb=crumb_nb), mtime=gen1_t)
    b.column_urls.append(b.url(f"{NB}index.jhtml"))
    b.column_urls += [b.url(_list_path(y, 1)) for y in years]
    b.notes.append("year folder 2020年 holds the 2019 reports")
    _nav_pages(b, chrome, nav, gen1_t, crumb_home, crumb_xxgk)
    chrome.footer_pages(b, gen1_t)


def _report_page(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list) -> str:
    spec = b.spec
    style = spec.style
    mtime = ts_of(p.published, p.key)
    url = b.url(path)
    if p.form == "html":
        page, truth, title = render_report(p, b.seed, b.generation, style, rare=True)
        page = adapt_article(page, style, chrome, crumb, agency=p.agency, host=b.host)
        b.page(path, page, mtime=mtime)
        b.expect_report(p, url, title, truth, "html")
        return title
    entry = manifest()["attachments"][p.attachment_key]
    truth = dict(entry["truth"])
    title = p.title
    truth["title"] = title
    f = entry["files"][0]
    ext = f["file"].rsplit(".", 1)[-1]
    r = rng_for("hnatt", p.key)
    ym = p.published[:7].replace("-", "")
    apath = f"/u/cms/www/{ym}/{p.published[8:10]}{r.randint(10000000, 99999999)}{r.choice('abcdef')}{r.randint(0, 9)}.{ext}"
    b.attachment(apath, f["file"], mtime=mtime)
    content = paragraphs([f"{title}详见附件。",
                          f'附件下载：<a href="{apath}" target="_blank">{esc(title)}.{ext}</a>'])
    page = special_page("attachment_only", style, p.agency, p.report_year, b.seed, p.published, title=title,
                        content=content)
    page = adapt_article(page, style, chrome, crumb, agency=p.agency, host=b.host)
    b.page(path, page, mtime=mtime)
    b.expect_report(p, url, title, truth, p.form, attachments=[b.url(apath)])
    return title


def _nav_pages(b: SiteBuild, chrome: Chrome, nav: list, mtime: float, crumb_home, crumb_xxgk) -> None:
    spec = b.spec
    news = filler_items(spec, "news", 10)
    links = []
    for i, (t, d) in enumerate(news):
        path = f"/xwzx/xzdt/{rng_for('hnn', spec.id, i).randint(20000, 29999)}.jhtml"
        links.append((t, d, path))
        page = special_page("news", spec.style, spec.name, int(d[:4]), b.seed, d, title=t,
                            content=paragraphs(news_paragraphs(spec, t, d)))
        b.page(path, adapt_article(page, spec.style, chrome, crumb_home + [("新闻中心", nav[2][1])], agency=spec.name,
                                   host=b.host), mtime=ts_of(d, t))

    def table(n, off=0):
        return '<table width="100%" class="listtable">' + "".join(
            f'<tr><td class="list_title"><a href="{p}" target="_blank" title="{esc(t)}">{esc(t)}</a></td>'
            f'<td class="list_date">{d}</td></tr>' for t, d, p in links[off:off + n]) + "</table>"

    home = ('<table width="1000" align="center"><tr>'
            f'<td width="480" valign="top"><div class="boxtitle">今日要闻 <a href="{nav[2][1]}">更多&gt;&gt;</a></div>{table(7)}</td>'
            '<td width="20"></td><td valign="top"><div class="boxtitle">政府信息公开</div><ul class="gkbox">'
            f'<li><a href="{nav[3][1]}">政府信息公开</a></li><li><a href="/zfxxgk/zcwj/index.jhtml">政策文件</a></li>'
            f'<li><a href="{nav[4][1]}">办事指南</a></li><li><a href="{nav[5][1]}">县长信箱</a></li></ul></td></tr></table>')
    home_html = chrome.page(f"{spec.name}", home)
    b.page("/", home_html, mtime=mtime)
    b.page("/index.jhtml", home_html, mtime=mtime)
    for text, href in nav[1:]:
        if href == nav[3][1]:
            continue
        b.page(href, chrome.page(f"{text}-{spec.name}", f'<div class="coltitle">{esc(text)}</div>{table(8, 2)}',
                                 crumb=crumb_home + [(text, None)]), mtime=mtime)
    cols = [("政府信息公开指南", "/zfxxgk/gkzn/index.jhtml"), ("政府信息公开制度", "/zfxxgk/gkzd/index.jhtml"),
            ("法定主动公开内容", "/zfxxgk/fdzdgknr/index.jhtml"), ("政府信息公开年报", f"{NB}index.jhtml"),
            ("政策文件", "/zfxxgk/zcwj/index.jhtml")]
    lis = "".join(f'<li><a href="{h}">{esc(t)}</a></li>' for t, h in cols)
    xxgk = (f'<table width="1000" align="center"><tr><td width="220" valign="top" class="leftbox">'
            f'<div class="lefttitle">政府信息公开</div><ul class="sublist">{lis}</ul></td>'
            f'<td valign="top" class="rightbox"><div class="coltitle">最新公开信息</div>{table(5, 4)}</td></tr></table>')
    b.page(nav[3][1], chrome.page(f"政府信息公开-{spec.name}", xxgk, crumb=crumb_xxgk), mtime=mtime)
    for t, h in cols:
        if h.startswith(NB):
            continue
        b.page(h, chrome.page(f"{t}-{spec.name}", f'<div class="coltitle">{esc(t)}</div>{table(3, 1)}',
                              crumb=crumb_xxgk + [(t, None)]), mtime=mtime)
    b.nav_path = [b.url("/"), b.url(nav[3][1]), b.url(f"{NB}index.jhtml")]
