"""OpennessContent site (Anhui style): /OpennessContent/showList/{site}/{cat}/page_{n}.html, /OpennessContent/show/{id}.html."""

from __future__ import annotations

from .catalog import DecoyPlan, ReportPlan, rng_for
from .sitekit import (GEN_TIME, Chrome, SiteBuild, cls_attr, credit_code, decoy_article, esc, filler_pages, open_site,
                      plain_pages, report_page, served_behaviour, ts_of)

SITE_NO = 1651
CATS = [("信息公开指南", 41230), ("信息公开制度", 41231), ("法定主动公开内容", 41233), ("信息公开年报", 41235),
        ("依申请公开", 41237)]
NB_CAT = 41235
PER_PAGE = 5


def _list_path(cat: int, n: int) -> str:
    return f"/OpennessContent/showList/{SITE_NO}/{cat}/page_{n}.html"


def _pager(cat: int, n: int, pages: int, total: int) -> str:
    def link(k: int, text: str) -> str:
        return f'<a href="page_{k}.html">{text}</a>'

    parts = [f"<span>共{total}条</span>", f"<span>{n}/{pages}页</span>"]
    parts.append(link(1, "首页") if n > 1 else "<span>首页</span>")
    parts.append(link(n - 1, "上一页") if n > 1 else "<span>上一页</span>")
    parts.append(link(n + 1, "下一页") if n < pages else "<span>下一页</span>")
    parts.append(link(pages, "尾页") if n < pages else "<span>尾页</span>")
    return '<div class="pagination">' + " ".join(parts) + "</div>"


def _index_no(spec, publisher: str, date: str, n: int) -> str:
    return f"{credit_code(publisher, spec.region_code)}/{date[:7].replace('-', '')}-{n % 100000:05d}"


def build(b: SiteBuild, plans: list[ReportPlan], decoys: list[DecoyPlan]) -> None:
    spec = b.spec
    nav = [("首页", "/index.html"), ("走进范例", "/zjfl/index.html"), ("新闻资讯", "/xwzx/index.html"),
           ("政务公开", "/zwgk/index.html"), ("政务服务", "/zwfw/index.html"), ("互动交流", "/hdjl/index.html")]
    chrome = open_site(b, "openness", nav, server="nginx", robots=["/member/", "/site/search/"])
    gen1_t = GEN_TIME[1]
    crumb_home = [("首页", "/index.html")]
    crumb_zwgk = crumb_home + [("政务公开", "/zwgk/index.html")]
    crumb_nb = crumb_zwgk + [("信息公开年报", _list_path(NB_CAT, 1))]

    rows = []  # (date, title, path, index_no)
    for p in plans:
        if p.generation > b.generation:
            continue
        path = f"/OpennessContent/show/{p.docid}.html"
        title = _report_page(b, chrome, p, path, crumb_nb)
        rows.append((p.published, title, path, _index_no(spec, p.agency, p.published, p.docid)))
    for d in decoys:
        path = f"/OpennessContent/show/{d.docid}.html"
        decoy_article(b, chrome, d, path, crumb_nb)
        rows.append((d.date, d.title, path, _index_no(spec, spec.name, d.date, d.docid)))
    rows.sort(reverse=True)
    pages = max(1, (len(rows) + PER_PAGE - 1) // PER_PAGE)
    listing: dict[str, str] = {}
    for n in range(1, pages + 1):
        chunk = rows[(n - 1) * PER_PAGE: n * PER_PAGE]
        trs = []
        for i, (date, title, path, idx) in enumerate(chunk):
            listing[b.url(path)] = b.url(_list_path(NB_CAT, n))
            trs.append(f'<tr><td class="xh">{(n - 1) * PER_PAGE + i + 1}</td><td class="syh">{idx}</td>'
                       f'<td class="title"><a href="{path}" title="{esc(title)}" target="_blank">{esc(title)}</a></td>'
                       f'<td class="date">{date}</td></tr>')
        main = (f'<div class="xxgk-left">{_left(NB_CAT)}</div>\n<div class="xxgk-right"><div class="column-name">信息公开年报</div>\n'
                '<table class="xxgk-table" width="100%"><thead><tr><th>序号</th><th>索引号</th><th>信息名称</th><th>生成日期</th></tr></thead>\n'
                "<tbody>\n" + "\n".join(trs) + "\n</tbody></table>\n" + _pager(NB_CAT, n, pages, len(rows)) + "</div>")
        b.page(_list_path(NB_CAT, n), chrome.page(f"信息公开年报_{spec.name}", main, crumb=crumb_nb), mtime=gen1_t)
    b.set_listings(listing)
    b.column_urls.append(b.url(_list_path(NB_CAT, 1)))
    _nav_pages(b, chrome, nav, gen1_t, crumb_home, crumb_zwgk)
    chrome.footer_pages(b, gen1_t)


def _left(current: int) -> str:
    lis = "".join(f'<li{cls_attr("active", c == current)}><a href="{_list_path(c, 1)}">{esc(t)}</a></li>'
                  for t, c in CATS)
    return f'<div class="unit-name">政府信息公开目录</div><ul class="cat-tree">{lis}</ul>'


def _report_page(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list) -> str:
    def attach(title: str, f: dict, ext: str) -> tuple[str, str]:
        r = rng_for("ahatt", p.key)
        apath = (f"/group1/M00/{r.randint(0, 255):02X}/{r.randint(0, 255):02X}/"
                 f"wKg{''.join(r.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789') for _ in range(22))}.{ext}")
        b.attachment(apath, f["file"], mtime=mtime)
        return b.url(apath), (f'<p class="fjlist">附件：<a href="{apath}" target="_blank" title="{esc(title)}.{ext}">'
                              f'{esc(title)}.{ext}</a></p>')

    mtime = ts_of(p.published, p.key)
    behaviour = served_behaviour(p)
    notes = ["first request answers 503"] if behaviour == "fail_once" else []
    return report_page(b, chrome, p, path, crumb, attach, mtime=mtime, behaviour=behaviour, html_notes=notes,
                       attachment_notes=notes)


def _nav_pages(b: SiteBuild, chrome: Chrome, nav: list, mtime: float, crumb_home, crumb_zwgk) -> None:
    spec = b.spec
    links = filler_pages(b, chrome, "news", 10,
                         lambda i, d: f"/xwzx/bmdt/{rng_for('ahn', spec.id, i).randint(140000000, 149999999)}.html",
                         crumb=crumb_home + [("新闻资讯", nav[2][1])])

    def ul(n, off=0):
        return '<ul class="doc-list">' + "".join(
            f'<li><a href="{p}" title="{esc(t)}" target="_blank">{esc(t)}</a><span class="date">{d}</span></li>'
            for t, d, p in links[off:off + n]) + "</ul>"

    home = (f'<div class="slide"><img src="/Public/images/slide1.jpg" alt=""></div>\n'
            f'<div class="mod"><div class="mod-hd"><h3>范例要闻</h3><a href="{nav[2][1]}" class="more">更多</a></div>{ul(7)}</div>\n'
            '<div class="mod"><div class="mod-hd"><h3>政务公开</h3></div><ul class="quick">'
            f'<li><a href="{nav[3][1]}">政策文件</a></li><li><a href="{nav[3][1]}">人事信息</a></li>'
            f'<li><a href="{nav[3][1]}">财政信息</a></li><li><a href="{nav[4][1]}">办事指南</a></li></ul></div>')
    b.home(chrome.page(f"{spec.name}", home), "/index.html", mtime=mtime)
    plain_pages(b, chrome, [(t, h) for t, h in nav[1:] if h != nav[3][1]], lambda text: f"<h2>{esc(text)}</h2>{ul(8, 2)}",
                crumb_home, mtime, sep="_")
    lis = "".join(f'<li><a href="{_list_path(c, 1)}">{esc(t)}</a></li>' for t, c in CATS)
    zwgk = (f'<div class="mod"><div class="mod-hd"><h3>政府信息公开</h3></div><ul class="gk-cat">{lis}</ul></div>\n'
            f'<div class="mod"><div class="mod-hd"><h3>最新信息</h3></div>{ul(5, 3)}</div>')
    b.page(nav[3][1], chrome.page(f"政务公开_{spec.name}", zwgk, crumb=crumb_zwgk), mtime=mtime)
    for t, c in CATS:
        if c == NB_CAT:
            continue
        trs = "".join(f'<tr><td>{i + 1}</td><td></td><td class="title"><a href="{p}">{esc(tt)}</a></td><td>{d}</td></tr>'
                      for i, (tt, d, p) in enumerate(links[:3]))
        main = (f'<div class="xxgk-left">{_left(c)}</div><div class="xxgk-right"><div class="column-name">{esc(t)}</div>'
                f'<table class="xxgk-table" width="100%"><tbody>{trs}</tbody></table>{_pager(c, 1, 1, 3)}</div>')
        b.page(_list_path(c, 1), chrome.page(f"{t}_{spec.name}", main, crumb=crumb_zwgk + [(t, None)]), mtime=mtime)
    b.nav_path = [b.url("/"), b.url(nav[3][1]), b.url(_list_path(NB_CAT, 1))]
