"""A county on Hanweb JCMS with the 信息公开目录 module (/module/xxgk/), built like the real ones (docs/platforms.md §3).

- The county's 政府信息公开目录 is a shell page (`/col/col{N}/index.html`, `?vc_xxgkarea=<unit code>` for another
  unit): an iframe `tree.jsp?area=…&divid=…` with the category tree (`funclick('<infotypeId>', …)` nodes) and a
  `loadDynamic('/module/xxgk/search.jsp?…&area=…', 'div…')` call; read statically it shows no list at all.
- The list is `POST /module/xxgk/search.jsp` (infotypeId, jdid, area, divid, currpage …) answering table rows
  `tr.tr_main_value_odd/even` with `a[title]` and the date in a cell, and 共N页 in `.tb_title`.
- Departments and townships are other `area` values of the same module, listed on the county's 部门信息公开 and
  乡镇信息公开 pages as links `…/col/col{N}/index.html?vc_xxgkarea=<code>&number=<code>` (Jining, Pingxiang, Yantai).
- Articles at `/art/{y}/{m}/{d}/art_{column}_{id}.html` (JCMS).
"""

from __future__ import annotations

from urllib.parse import quote

from .catalog import DecoyPlan, ReportPlan, rng_for
from .server import Request, Resource, Response
from .sitekit import (GEN_TIME, Chrome, SiteBuild, decoy_article, esc, filler_pages, open_site, plain_pages,
                      report_page, ts_of)

JDID = "2683"
SHELL = 1229870012  # the 信息公开目录 column
COL_NB = 1229870019  # the column id in article paths
ROWS = 3
NB_TYPE = "A0604"
TREE_NODES = [("A01", "机构职能"), ("A02", "政策文件"), ("A03", "规划信息"), (NB_TYPE, "政府信息公开年报"),
              ("A07", "政府信息公开指南")]
COUNTY_AREA = "014102000"
DEPTS = {"财政局": ("014102101", "B01"), "住房和城乡建设局": ("014102108", "B08")}
TOWNS = {"沟墩镇人民政府": ("014102301", "Z01")}


def _art_path(date: str, docid: int) -> str:
    y, m, d = date.split("-")
    return f"/art/{int(y)}/{int(m)}/{int(d)}/art_{COL_NB}_{docid}.html"


def _shell_url(area: str, number: str | None = None) -> str:
    if area == COUNTY_AREA and number is None:
        return f"/col/col{SHELL}/index.html"
    return f"/col/col{SHELL}/index.html?vc_xxgkarea={area}&number={number}"


def build(b: SiteBuild, plans: list[ReportPlan], decoys: list[DecoyPlan]) -> None:
    spec = b.spec
    nav = [("首页", "/index.html"), ("走进样本", "/col/col1229870001/index.html"),
           ("新闻动态", "/col/col1229870003/index.html"), ("政务公开", "/col/col1229870005/index.html"),
           ("政务服务", "/col/col1229870007/index.html"), ("互动交流", "/col/col1229870009/index.html")]
    chrome = open_site(b, "hanweb", nav, server="Apache-Coyote/1.1", robots=["/jsearchfront/", "/manager/"])
    gen1_t = GEN_TIME[1]
    crumb_home = [("首页", "/index.html")]
    crumb_zwgk = crumb_home + [("政务公开", nav[3][1])]
    crumb_ml = crumb_zwgk + [("政府信息公开目录", _shell_url(COUNTY_AREA))]
    units = {spec.name: (COUNTY_AREA, None, spec.name)}
    for name, (area, number) in {**DEPTS, **TOWNS}.items():
        units[spec.place + name] = (area, number, spec.place + name)
    rows: dict[str, list] = {area: [] for area, _, _ in units.values()}
    for p in plans:
        if p.generation > b.generation:
            continue
        path = _art_path(p.url_date, p.docid)
        title = _report_page(b, chrome, p, path, crumb_ml)
        rows[units[p.agency][0]].append((p.published, title, path, f"{units[p.agency][0]}/{p.url_date[:4]}-{p.docid % 1000:05d}"))
    for d in decoys:
        path = _art_path(d.date, d.docid)
        decoy_article(b, chrome, d, path, crumb_ml)
        rows[COUNTY_AREA].append((d.date, d.title, path, f"{COUNTY_AREA}/{d.date[:4]}-{d.docid % 1000:05d}"))
    for r in rows.values():
        r.sort(reverse=True)
    listing = {b.url(path): b.url(_shell_url(area, units_number(units, area))) for area, r in rows.items()
               for _, _, path, _ in r}
    b.set_listings(listing)
    names = {area: name for area, _, name in units.values()}

    def shell(req: Request) -> Response:
        area = req.query.get("vc_xxgkarea") or COUNTY_AREA
        if area not in names:
            area = COUNTY_AREA
        divid = f"div{SHELL}"
        main = (f'<div class="xxgk_title">{esc(names[area])} 政府信息公开目录</div>'
                f'<table width="100%"><tr><td valign="top" width="240"><iframe src="/module/xxgk/tree.jsp?divid={divid}'
                f'&amp;area={area}&amp;standardXxgk=1" width="240" height="600" frameborder="0"></iframe></td>'
                f'<td valign="top"><div id="{divid}"></div><script type="text/javascript">\n'
                f"function search(a) {{ loadDynamic('/module/xxgk/search.jsp?standardXxgk=1&infotypeId=' + a + "
                f"'&area={area}', '{divid}', '{JDID}'); }}\nsearch('{NB_TYPE}');\n</script></td></tr></table>")
        page = chrome.page(f"政府信息公开目录 {spec.name}", main, crumb=crumb_zwgk + [("政府信息公开目录", None)],
                           head_extra='<script type="text/javascript" src="/module/xxgk/script/dynamic.js"></script>\n')
        return Resource(page.encode("utf-8"), "text/html; charset=utf-8", mtime=gen1_t)  # published: Last-Modified

    def tree(req: Request) -> Response:
        lis = "".join(f'<li><a href="javascript:void(0)" onclick="funclick(\'{k}\', this)">{esc(t)}</a></li>'
                      for k, t in TREE_NODES)
        html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                '<script>function funclick(id, a) { parent.search(id); }</script></head>'
                f'<body><div class="tree"><ul>{lis}</ul></div></body></html>')
        return Response(200, "text/html; charset=utf-8", html.encode("utf-8"))

    def search(req: Request) -> Response:
        params = {**req.query, **req.form}
        area = params.get("area", "")
        chunk_rows = rows.get(area, []) if params.get("infotypeId") == NB_TYPE else []
        try:
            page_no = max(1, int(params.get("currpage") or 1))
        except ValueError:
            page_no = 1
        pages = max(1, (len(chunk_rows) + ROWS - 1) // ROWS)
        chunk = chunk_rows[(page_no - 1) * ROWS: page_no * ROWS]
        trs = "".join(
            f'<tr class="tr_main_value_{"odd" if i % 2 == 0 else "even"}"><td>{esc(idx)}</td>'
            f'<td><a href="{path}" title="{esc(t)}" target="_blank">{esc(t[:20])}...</a></td><td>{d}</td></tr>'
            for i, (d, t, path, idx) in enumerate(chunk))
        html = (f'<table width="100%" class="tb_title"><tr><td>&nbsp;&nbsp;共{pages}页&nbsp;&nbsp;'
                f'共{len(chunk_rows)}条记录&nbsp;</td></tr></table>'
                '<table width="100%"><tr class="tr_main_title"><td>索引号</td><td>名称</td><td>生成日期</td></tr>'
                f"{trs}</table>")
        return Response(200, "text/html; charset=utf-8", html.encode("utf-8"))

    b.content.handlers[_shell_url(COUNTY_AREA)] = shell
    b.content.handlers["/module/xxgk/tree.jsp"] = tree
    b.content.handlers["/module/xxgk/search.jsp"] = search
    b.add("/module/xxgk/script/dynamic.js", DYNAMIC_JS.encode("utf-8"), "application/javascript", mtime=gen1_t)
    b.column_urls.append(b.url(_shell_url(COUNTY_AREA)))
    _nav_pages(b, chrome, nav, gen1_t, crumb_home, crumb_zwgk, units)
    chrome.footer_pages(b, gen1_t)
    b.notes.append("信息公开目录 shells; units are areas; the list only from POST search.jsp")


def units_number(units: dict, area: str) -> str | None:
    return next((number for a, number, _ in units.values() if a == area), None)


DYNAMIC_JS = r"""
function loadDynamic(url, divid, jdid) {
  var q = url.split('?')[1] || '';
  var xhr = new XMLHttpRequest();
  xhr.open('POST', '/module/xxgk/search.jsp');
  xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8');
  xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
  xhr.onload = function () { document.getElementById(divid).innerHTML = xhr.responseText; };
  xhr.send(q + '&jdid=' + jdid + '&divid=' + divid + '&sortfield=,createdatetime:0,orderid:0&currpage=1');
}
"""


def _report_page(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list) -> str:
    def attach(title: str, f: dict, ext: str) -> tuple[str, str]:
        stored = f"{p.url_date.replace('-', '')}{rng_for('xxgkatt', p.key).randint(10**8, 10**9)}.{ext}"
        dl = f"/module/download/downfile.jsp?classid=0&showname={quote(title + '.' + ext)}&filename={stored}"
        b.attachment(f"/attach/0/{stored}", f["file"], mtime=mtime)
        return b.url(f"/attach/0/{stored}"), f'<a href="/attach/0/{stored}">{esc(title)}.{ext}</a>'

    mtime = ts_of(p.published, p.key)
    return report_page(b, chrome, p, path, crumb, attach, mtime=mtime)


def _nav_pages(b: SiteBuild, chrome: Chrome, nav: list, mtime: float, crumb_home: list, crumb_zwgk: list,
               units: dict) -> None:
    spec = b.spec
    links = filler_pages(b, chrome, "news", 10,
                         lambda i, d: _art_path(d, rng_for("xxgkn", spec.id, i).randint(60000000, 69999999)),
                         crumb=crumb_home + [("新闻动态", nav[2][1])])

    def ul(n, off=0):
        return '<ul class="list">' + "".join(f'<li><a href="{p}" title="{esc(t)}">{esc(t)}</a><span>{d}</span></li>'
                                             for t, d, p in links[off:off + n]) + "</ul>"

    home = (f'<div class="sy_box"><div class="sy_title"><span>样本要闻</span><a href="{nav[2][1]}">更多</a></div>{ul(7)}</div>'
            '<div class="sy_box"><div class="sy_title"><span>政务公开</span></div><ul class="gk_list">'
            f'<li><a href="{nav[3][1]}">政务公开</a></li><li><a href="{nav[4][1]}">办事指南</a></li>'
            f'<li><a href="{nav[5][1]}">县长信箱</a></li><li><a href="{nav[1][1]}">样本概况</a></li></ul></div>')
    b.home(chrome.page(spec.name, home), "/index.html", mtime=mtime)
    plain_pages(b, chrome, [(t, h) for t, h in nav[1:] if h != nav[3][1]],
                lambda text: f'<div class="lm_name">{esc(text)}</div>{ul(8, 2)}', crumb_home, mtime, sep=" ")
    dirs = [("部门信息公开", "/col/col1229870031/index.html", DEPTS), ("乡镇信息公开", "/col/col1229870033/index.html", TOWNS)]
    gk = [("政府信息公开指南", "/col/col1229870021/index.html"), ("政府信息公开目录", _shell_url(COUNTY_AREA))] + \
        [(t, h) for t, h, _ in dirs]
    lis = "".join(f'<li><a href="{h}">{esc(t)}</a></li>' for t, h in gk)
    b.page(nav[3][1], chrome.page(f"政务公开 {spec.name}", f'<ul class="gk_ul">{lis}</ul>{ul(5, 4)}', crumb=crumb_zwgk),
           mtime=mtime)
    plain_pages(b, chrome, gk[:1], lambda text: f'<div class="lm_name">{esc(text)}</div><p>{esc(text)}正文。</p>',
                crumb_zwgk, mtime, sep=" ")
    for title, path, group in dirs:
        items = "".join(f'<li><a href="{_shell_url(area, number)}" target="_blank">{esc(spec.place + name)}</a></li>'
                        for name, (area, number) in group.items())
        b.page(path, chrome.page(f"{title} {spec.name}", f'<ul class="dept_list">{items}</ul>',
                                 crumb=crumb_zwgk + [(title, None)]), mtime=mtime)
    b.nav_path = [b.url("/"), b.url(nav[3][1]), b.url(_shell_url(COUNTY_AREA))]
