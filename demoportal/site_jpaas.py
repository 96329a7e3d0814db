"""A county on Hanweb JPaaS (大汉 jpaas-publish-server), built like the real ones (docs/platforms.md §1).

- Every 年报 column page is a shell: `<script src="/AuthorizedRead/unitbuild.js" url="/api-gateway/jpaas-publish-
  server/front/page/build/unit" queryData="{'webId':…,'pageId':…,'tagId':…}">` (the declaration RSSHub and a
  Zhejiang collector read); unitbuild.js fetches the unit API and writes its `data.html` into the page.
- The unit API answers `{"success":true,"code":"200","data":{"html":"<li class="cf">…<div class="pagination"
  count= rows= pageno=>"}}`; pages only through `paramJson={"pageNo":N,"pageSize":M}` (a bare pageNo is ignored,
  as the Jiangsu collector found); a wrong tagId answers 模板内容数据为空; rows per page are the template's
  (at most ROWS, whatever pageSize asks).
- Articles at `…/art/{year}/art_{32 hex}.html`; list rows cut their text (`…`) and carry the full title in
  `title=` (the MIIT fixture's shape).
- The county's own column holds the government's reports; each department's and township's reports are in the
  年报 column of its own sub-tree, reached from 部门信息公开 (`/zwgk/bmxxgk/{slug}/`) and 乡镇信息公开
  (`/xxgk/xzxxgk/{slug}/`, 会宁县's layout).
"""

from __future__ import annotations

import json
import math
from urllib.parse import quote

from .catalog import DecoyPlan, ReportPlan, rng_for
from .server import Request, Response
from .sitekit import (GEN_TIME, Chrome, SiteBuild, decoy_article, esc, filler_pages, open_site, plain_pages,
                      report_page, ts_of)

WEB_ID = "f75da4213fa94075af1b6b9aa3892631"
TPL_SET = "e613c559866140c9bfc64edcc9f3c304"
TAG = "分页列表"
API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
GATEWAY = "/api-gateway/jpaas-web-server/front/document/download"
ROWS = 4
DEPTS = {"财政局": "czj", "教育局": "jyj", "统计局": "tjj"}  # 统计局 has a sub-site whose 年报 column is empty
TOWNS = {"城关镇人民政府": "cgz", "河畔镇人民政府": "hpz"}


def _hex(*parts: object) -> str:
    r = rng_for("jpaas-hex", *parts)
    return "%032x" % r.getrandbits(128)


def _unit_script(page_id: str) -> str:
    query = {"webId": WEB_ID, "pageId": page_id, "parseType": "bulidstatic", "pageType": "column", "tagId": TAG,
             "tplSetId": TPL_SET}
    qd = json.dumps(query, ensure_ascii=False, separators=(",", ":")).replace('"', "'")
    return f'<script src="/AuthorizedRead/unitbuild.js" url="{API}" queryData="{qd.replace("&", "&amp;")}"></script>'


UNITBUILD_JS = r"""
(function () {
  var me = document.currentScript;
  var q = JSON.parse(me.getAttribute('queryData').replace(/'/g, '"'));
  var box = document.createElement('div');
  box.className = 'jpaas-unit';
  me.parentNode.insertBefore(box, me.nextSibling);
  function load(pageNo) {
    var params = [];
    for (var k in q) { params.push(encodeURIComponent(k) + '=' + encodeURIComponent(q[k])); }
    params.push('paramJson=' + encodeURIComponent(JSON.stringify({pageNo: pageNo, pageSize: 15})));
    var xhr = new XMLHttpRequest();
    xhr.open('GET', me.getAttribute('url') + '?' + params.join('&'));
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    xhr.onload = function () {
      var d = JSON.parse(xhr.responseText);
      box.innerHTML = d.data ? d.data.html : '';
      var links = box.querySelectorAll('.layui-laypage a[data-page]');
      for (var i = 0; i < links.length; i++) {
        links[i].onclick = function () { load(parseInt(this.getAttribute('data-page'), 10)); return false; };
      }
    };
    xhr.send();
  }
  load(1);
})();
"""


def build(b: SiteBuild, plans: list[ReportPlan], decoys: list[DecoyPlan]) -> None:
    spec = b.spec
    nav = [("首页", "/index.html"), ("走进试点", "/zjsd/index.html"), ("新闻中心", "/xwzx/index.html"),
           ("政务公开", "/zwgk/index.html"), ("政务服务", "/zwfw/index.html"), ("互动交流", "/hdjl/index.html")]
    chrome = open_site(b, "hanweb", nav, server="nginx", robots=["/manager/", "/jpaas-admin/"])
    gen1_t = GEN_TIME[1]
    crumb_home = [("首页", "/index.html")]
    crumb_zwgk = crumb_home + [("政务公开", "/zwgk/index.html")]
    b.add("/AuthorizedRead/unitbuild.js", UNITBUILD_JS.encode("utf-8"), "application/javascript", mtime=gen1_t)

    gateway: dict[str, str] = {}  # fileUrl -> stored path
    # columns: page id -> (column path, its rows), one per unit
    columns: dict[str, tuple[str, list]] = {}

    def column(unit: str, folder: str) -> str:
        page_id = _hex("page", unit)
        columns.setdefault(page_id, (f"{folder}zfxxgknb/index.html", []))
        return page_id

    county = column("county", "/zwgk/zfxxgk/")
    unit_of = {spec.name: county}
    for name, slug in DEPTS.items():
        unit_of[f"{spec.place}{name}"] = column(slug, f"/zwgk/bmxxgk/{slug}/")
    for name, slug in TOWNS.items():
        unit_of[f"{spec.place}{name}"] = column(slug, f"/xxgk/xzxxgk/{slug}/fdzdgknr/")

    for p in plans:
        if p.generation > b.generation:
            continue
        page_id = unit_of[p.agency]
        folder = columns[page_id][0].rsplit("/", 2)[0]
        path = f"{folder}/zfxxgknb/art/{p.url_date[:4]}/art_{_hex('art', p.key)}.html"
        crumb = crumb_zwgk + [("政府信息公开年报", columns[page_id][0])]
        title = _report_page(b, chrome, p, path, crumb, gateway)
        columns[page_id][1].append((p.published, title, path))
    for d in decoys:
        folder = columns[county][0].rsplit("/", 2)[0]
        path = f"{folder}/zfxxgknb/art/{d.date[:4]}/art_{_hex('decoy', d.key)}.html"
        decoy_article(b, chrome, d, path, crumb_zwgk + [("政府信息公开年报", columns[county][0])])
        columns[county][1].append((d.date, d.title, path))

    listing = {}
    for page_id, (path, rows) in columns.items():
        rows.sort(reverse=True)
        for i, (_, _, art) in enumerate(rows):
            listing[b.url(art)] = b.url(path) + f"#page{i // ROWS + 1}"
        title = "政府信息公开年报"
        main = (f'<div class="main_right"><div class="lm_name">{title}</div>'
                f'<div class="lm_list" id="unit_list">{_unit_script(page_id)}</div></div>')
        b.page(path, chrome.page(f"{title} {spec.name}", main, crumb=crumb_zwgk + [(title, None)]), mtime=gen1_t)
    b.set_listings(listing)
    b.column_urls.append(b.url(columns[county][0]))

    def unit_api(req: Request) -> Response:
        q = req.query
        ok = q.get("webId") == WEB_ID and q.get("pageId") in columns and q.get("pageType") == "column"
        if not ok:
            return _json({"success": False, "code": "500", "message": "参数错误", "data": None})
        if q.get("tagId") != TAG:
            return _json({"success": True, "code": "200", "data": {"html": "模板内容数据为空"}})
        try:
            pj = json.loads(q.get("paramJson") or "{}")
            page_no, size = max(1, int(pj.get("pageNo", 1))), int(pj.get("pageSize", ROWS))
        except (ValueError, TypeError, AttributeError):
            page_no, size = 1, ROWS
        rows_per = max(1, min(size, ROWS))
        rows = columns[q["pageId"]][1]
        chunk = rows[(page_no - 1) * rows_per: page_no * rows_per]
        lis = "".join(f'<li class="cf"><a class="fl" href="{path}" title="{esc(t)}" target="_blank"><i></i>'
                      f'{esc(t[:18])}...</a><span class="fr">{d}</span></li>' for d, t, path in chunk)
        qd = json.dumps({k: q[k] for k in ("webId", "pageId", "parseType", "pageType", "tagId", "tplSetId")
                         if k in q}, ensure_ascii=False).replace('"', "'").replace("&", "&amp;")
        pages = max(1, math.ceil(len(rows) / rows_per))
        pager = (f'<div class="pagination" querydata="{qd}" rows="{rows_per}" unitid="{TAG}" count="{len(rows)}" '
                 f'pageno="{page_no}" uniturl="{API}"><div class="layui-laypage">'
                 + "".join(f'<a href="javascript:;" data-page="{n}">{n}</a>' for n in range(1, pages + 1))
                 + "</div></div>")
        return _json({"success": True, "code": "200", "data": {"html": f'<ul class="list">{lis}</ul>{pager}'}})

    b.content.handlers[API] = unit_api

    def download(req: Request) -> Response:
        stored = gateway.get(req.query.get("fileUrl", ""))
        if stored is None:
            return _json({"success": False, "code": "404", "message": "文件不存在", "data": None})
        return Response(302, "text/html", b"", {"Location": stored})

    b.content.handlers[GATEWAY] = download
    _nav_pages(b, chrome, nav, gen1_t, crumb_home, crumb_zwgk, columns[county][0])
    chrome.footer_pages(b, gen1_t)
    b.notes.append("every 年报 column is a JPaaS shell; departments and townships publish in their own sub-sites")


def _json(obj: dict) -> Response:
    return Response(200, "application/json;charset=UTF-8", json.dumps(obj, ensure_ascii=False).encode("utf-8"),
                    {"Cache-Control": "no-cache"})


def _report_page(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list, gateway: dict) -> str:
    def attach(title: str, f: dict, ext: str) -> tuple[str, str]:
        """The JPaaS download gateway: the file name only in fileName=, a 302 to /cms_files/ (MOHURD, Huzhou)."""
        stored = (f"/cms_files/filemanager/{rng_for('jp', p.key).randint(10**9, 2 * 10**9)}/attach/"
                  f"{p.url_date[:7].replace('-', '')}/{_hex('f', p.key).upper()}.{ext}")
        b.attachment(stored, f["file"], mtime=mtime)
        enc = _hex("enc", p.key)
        gateway[enc] = stored
        gate = f"{GATEWAY}?fileUrl={enc}&fileName={quote(title + '.' + ext)}"
        return b.url(gate), f'<a href="{esc(gate)}">{esc(title)}.{ext}</a>'

    mtime = ts_of(p.published, p.key)
    return report_page(b, chrome, p, path, crumb, attach, mtime=mtime)


def _nav_pages(b: SiteBuild, chrome: Chrome, nav: list, mtime: float, crumb_home: list, crumb_zwgk: list,
               county_column: str) -> None:
    spec = b.spec
    links = filler_pages(b, chrome, "news", 10, lambda i, d: f"/xwzx/art/{d[:4]}/art_{_hex('news', i)}.html",
                         crumb=crumb_home + [("新闻中心", nav[2][1])])

    def ul(n, off=0):
        return '<ul class="list">' + "".join(f'<li><a href="{p}" title="{esc(t)}">{esc(t)}</a><span>{d}</span></li>'
                                             for t, d, p in links[off:off + n]) + "</ul>"

    home = (f'<div class="sy_box"><div class="sy_title"><span>试点要闻</span><a href="{nav[2][1]}">更多</a></div>{ul(7)}</div>'
            '<div class="sy_box"><div class="sy_title"><span>政务公开</span></div><ul class="gk_list">'
            f'<li><a href="{nav[3][1]}">政府信息公开</a></li><li><a href="{nav[4][1]}">办事指南</a></li>'
            f'<li><a href="{nav[5][1]}">县长信箱</a></li><li><a href="{nav[3][1]}">政策文件</a></li></ul></div>')
    b.home(chrome.page(spec.name, home), "/index.html", mtime=mtime)
    plain_pages(b, chrome, [(t, h) for t, h in nav[1:] if h != nav[3][1]],
                lambda text: f'<div class="lm_name">{esc(text)}</div>{ul(8, 2)}', crumb_home, mtime, sep=" ")
    gk = [("政府信息公开指南", "/zwgk/zfxxgk/zfxxgkzn/index.html"), ("法定主动公开内容", "/zwgk/zfxxgk/fdzdgknr/index.html"),
          ("政府信息公开年报", county_column), ("部门信息公开", "/zwgk/bmxxgk/index.html"),
          ("乡镇信息公开", "/xxgk/xzxxgk/index.html")]
    lis = "".join(f'<li><a href="{h}" target="_blank">{esc(t)}</a></li>' for t, h in gk)
    b.page(nav[3][1], chrome.page(f"政务公开 {spec.name}", f'<div class="gk_box"><ul class="gk_ul">{lis}</ul></div>{ul(5, 4)}',
                                  crumb=crumb_zwgk), mtime=mtime)
    plain_pages(b, chrome, gk[:2], lambda text: f'<div class="lm_name">{esc(text)}</div>{ul(3, 1)}', crumb_zwgk, mtime,
                sep=" ")
    for title, folder, units in (("部门信息公开", "/zwgk/bmxxgk/", DEPTS), ("乡镇信息公开", "/xxgk/xzxxgk/", TOWNS)):
        crumb = crumb_zwgk + [(title, f"{folder}index.html")]
        items = "".join(f'<li><a href="{folder}{slug}/index.html" target="_blank">{esc(spec.place + name)}</a></li>'
                        for name, slug in units.items())
        b.page(f"{folder}index.html", chrome.page(f"{title} {spec.name}", f'<ul class="dept_list">{items}</ul>',
                                                  crumb=crumb), mtime=mtime)
        for name, slug in units.items():
            col = f"{folder}{slug}/zfxxgknb/index.html" if folder == "/zwgk/bmxxgk/" else \
                f"{folder}{slug}/fdzdgknr/zfxxgknb/index.html"
            unit = spec.place + name
            body = (f'<div class="unit_head">{esc(unit)}</div><ul class="gk_ul">'
                    f'<li><a href="{folder}{slug}/jgzn/index.html">机构职能</a></li>'
                    f'<li><a href="{col}">政府信息公开年报</a></li></ul>')
            b.page(f"{folder}{slug}/index.html", chrome.page(f"{unit} {spec.name}", body, crumb=crumb + [(unit, None)]),
                   mtime=mtime)
            b.page(f"{folder}{slug}/jgzn/index.html",
                   chrome.page(f"机构职能 {unit}", f"<p>{esc(unit)}主要职责。</p>", crumb=crumb + [(unit, None)]),
                   mtime=mtime)
    b.nav_path = [b.url("/"), b.url(nav[3][1]), b.url(county_column)]
