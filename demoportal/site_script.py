"""A county whose navigation and lists exist only after its scripts run (the rendering fallback's demo site).

Built from what the research found said of real script-built county sites, not from the crawler (docs/platforms.md
§10): "多数站点内容需 JS 渲染" (Guizhou counties on one site builder), "JS 动态渲染，静态 HTML 无列表数据" (Yancheng
districts), "目录页部门链接需 JS 渲染" (Zhangjiagang), column pages that are only an iframe shell (Changzhou), lists
and pagers written by `document.write` (TRS pagers, `var att = '<a href=…>'; document.write(att)`). Here:

- the home page's 政府信息公开 entry is drawn by menu.js from a data array (no link in any static page);
- the 信息公开 page's directory tree comes from a JSON file fetched by script;
- the 年报 column writes its rows and its pager with `document.write` from string pieces (no `<a href` in the
  source), two pages (index.shtml, index_1.shtml);
- the 部门信息公开 directory is drawn from a JSON list fetched by script;
- each department's 年报 column is an iframe shell around a plain list page.

Nothing on this site can be found by static reading; every report can be found by rendering.
"""

from __future__ import annotations

import json

from .catalog import DecoyPlan, ReportPlan, rng_for
from .sitekit import (GEN_TIME, Chrome, SiteBuild, decoy_article, esc, filler_pages, open_site, plain_pages,
                      report_page, ts_of)

NB = "/zfxxgk/zfxxgknb/"
ROWS = 4
DEPTS = {"农业农村局": "nyncj", "水务局": "swj"}

MENU_JS = r"""
var NAV = [{t: '网站首页', u: ''}, {t: '政府信息公开', u: 'zfxxgk'}, {t: '政务服务', u: 'zwfw'}];
(function () {
  var box = document.getElementById('topmenu');
  for (var i = 0; i < NAV.length; i++) {
    var a = document.createElement('a');
    a.href = '/' + (NAV[i].u ? NAV[i].u + '/index' + '.shtml' : '');
    a.appendChild(document.createTextNode(NAV[i].t));
    box.appendChild(a);
  }
})();
"""

TREE_JS = r"""
(function () {
  var xhr = new XMLHttpRequest();
  xhr.open('GET', '/zfxxgk/channels.json');
  xhr.onload = function () {
    var nodes = JSON.parse(xhr.responseText).channels, box = document.getElementById('gktree');
    nodes.forEach(function (n) {
      var a = document.createElement('a');
      a.href = '/zfxxgk/' + n.code + '/index' + '.shtml';
      a.textContent = n.name;
      var li = document.createElement('li');
      li.appendChild(a);
      box.appendChild(li);
    });
  };
  xhr.send();
})();
"""

DEPTS_JS = r"""
fetch('/zfxxgk/bmxxgk/depts.json').then(function (r) { return r.json(); }).then(function (d) {
  var box = document.getElementById('deptlist');
  d.units.forEach(function (u) {
    var li = document.createElement('li');
    li.innerHTML = '<a hr' + 'ef="/bm/' + u.slug + '/index' + '.shtml">' + u.name + '</a>';
    box.appendChild(li);
  });
});
"""


def _rows_script(rows: list[tuple[str, str, str]], page_no: int, pages: int) -> str:
    data = json.dumps([[path.rsplit("/", 1)[0] + "/", path.rsplit("/", 1)[1], title, date]
                       for date, title, path in rows], ensure_ascii=False)
    return ("<script type=\"text/javascript\">\n"
            f"var ROWS = {data};\n"
            "for (var i = 0; i < ROWS.length; i++) {\n"
            "  var r = ROWS[i];\n"
            "  document.write('<li><a hr' + 'ef=\"' + r[0] + r[1] + '\" title=\"' + r[2] + '\" target=\"_blank\">'"
            " + r[2] + '</a><span>' + r[3] + '</span></li>');\n}\n</script>\n"
            f"</ul><div class=\"pager\"><script>writePager({pages}, {page_no}, 'index', 'shtml');</script></div>")


PAGER_JS = r"""
function writePager(count, current, name, ext) {
  for (var i = 0; i < count; i++) {
    var file = (i === 0 ? name : name + '_' + i) + '.' + ext;
    document.write(i === current ? '<span>' + (i + 1) + '</span>' : '<a hr' + 'ef="' + file + '">' + (i + 1) + '</a>');
  }
}
"""


def build(b: SiteBuild, plans: list[ReportPlan], decoys: list[DecoyPlan]) -> None:
    spec = b.spec
    nav = [("网站首页", "/"), ("走进仿真", "/zjfz/index.shtml"), ("新闻中心", "/xwzx/index.shtml"),
           ("政务服务", "/zwfw/index.shtml"), ("互动交流", "/hdjl/index.shtml")]
    chrome = open_site(b, "generic", nav, server="nginx", robots=["/admin/"], ext="shtml")
    t1 = GEN_TIME[1]
    crumb_home = [("网站首页", "/")]
    crumb_gk = crumb_home + [("政府信息公开", "/zfxxgk/index.shtml")]
    for path, body in (("/js/menu.js", MENU_JS), ("/js/tree.js", TREE_JS), ("/js/depts.js", DEPTS_JS),
                       ("/js/pager.js", PAGER_JS)):
        b.add(path, body.encode("utf-8"), "application/javascript", mtime=t1)
    head = '<script type="text/javascript" src="/js/pager.js"></script>\n'
    menu = '<div id="topmenu" class="topmenu"></div><script type="text/javascript" src="/js/menu.js"></script>\n'

    county: list[tuple[str, str, str]] = []
    dept_rows: dict[str, list] = {slug: [] for slug in DEPTS.values()}
    for p in plans:
        if p.generation > b.generation:
            continue
        slug = next((s for name, s in DEPTS.items() if p.agency == spec.place + name), None)
        folder = f"/bm/{slug}/zfxxgknb/" if slug else NB
        path = f"{folder}{p.url_date[:7].replace('-', '')}/t{p.url_date.replace('-', '')}_{p.docid}.shtml"
        title = _report_page(b, chrome, p, path, crumb_gk + [("政府信息公开年报", f"{folder}index.shtml")])
        (dept_rows[slug] if slug else county).append((p.published, title, path))
    for d in decoys:
        path = f"{NB}{d.date[:7].replace('-', '')}/t{d.date.replace('-', '')}_{d.docid}.shtml"
        decoy_article(b, chrome, d, path, crumb_gk + [("政府信息公开年报", f"{NB}index.shtml")])
        county.append((d.date, d.title, path))

    county.sort(reverse=True)
    pages = (len(county) + ROWS - 1) // ROWS
    listing = {}
    for n in range(pages):
        file = "index.shtml" if n == 0 else f"index_{n}.shtml"
        chunk = county[n * ROWS:(n + 1) * ROWS]
        for _, _, path in chunk:
            listing[b.url(path)] = b.url(NB + file)
        main = (f'{menu}<div class="coltitle">政府信息公开年报</div><ul class="newslist">'
                + _rows_script(chunk, n, pages))
        b.page(NB + file, chrome.page(f"政府信息公开年报-{spec.name}", main, crumb=crumb_gk + [("政府信息公开年报", None)],
                                      head_extra=head), mtime=t1)
    for name, slug in DEPTS.items():
        rows = sorted(dept_rows[slug], reverse=True)
        unit = spec.place + name
        folder = f"/bm/{slug}/zfxxgknb/"
        lis = "".join(f'<li><a href="{path}" title="{esc(t)}" target="_parent">{esc(t)}</a><span>{d}</span></li>'
                      for d, t, path in rows)
        for _, _, path in rows:
            listing[b.url(path)] = b.url(f"{folder}list.shtml")
        b.page(f"{folder}list.shtml", f'<html><head><meta charset="utf-8"></head><body><ul>{lis}</ul></body></html>',
               mtime=t1)
        shell = (f'{menu}<div class="coltitle">{esc(unit)} 政府信息公开年报</div>'
                 f'<iframe src="{folder}list.shtml" width="100%" height="400" frameborder="0"></iframe>')
        crumb_unit = crumb_gk + [("部门信息公开", "/zfxxgk/bmxxgk/index.shtml"), (unit, f"/bm/{slug}/index.shtml")]
        b.page(f"{folder}index.shtml", chrome.page(f"政府信息公开年报-{unit}", shell, crumb=crumb_unit), mtime=t1)
        home = (f'{menu}<div class="coltitle">{esc(unit)}</div><ul class="gklist">'
                f'<li><a href="/bm/{slug}/jgzn/index.shtml">机构职能</a></li>'
                f'<li><a href="{folder}index.shtml">政府信息公开年报</a></li></ul>')
        b.page(f"/bm/{slug}/index.shtml", chrome.page(f"{unit}-{spec.name}", home, crumb=crumb_unit), mtime=t1)
        b.page(f"/bm/{slug}/jgzn/index.shtml", chrome.page(f"机构职能-{unit}", f"<p>{esc(unit)}主要职责。</p>",
                                                          crumb=crumb_unit), mtime=t1)
    b.set_listings(listing)
    b.column_urls.append(b.url(f"{NB}index.shtml"))
    _nav_pages(b, chrome, nav, t1, crumb_home, crumb_gk, menu)
    chrome.footer_pages(b, t1)
    b.notes.append("script-built: menus, trees, directories and lists exist only after the scripts run")


def _report_page(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list) -> str:
    def attach(title: str, f: dict, ext: str) -> tuple[str, str]:
        apath = path.rsplit("/", 1)[0] + f"/P0{p.url_date.replace('-', '')}{rng_for('scr', p.key).randint(10**8, 10**9)}.{ext}"
        b.attachment(apath, f["file"], mtime=mtime)
        return b.url(apath), f'<a href="{apath}">{esc(title)}.{ext}</a>'

    mtime = ts_of(p.published, p.key)
    return report_page(b, chrome, p, path, crumb, attach, mtime=mtime)


def _nav_pages(b: SiteBuild, chrome: Chrome, nav: list, mtime: float, crumb_home: list, crumb_gk: list,
               menu: str) -> None:
    spec = b.spec
    links = filler_pages(b, chrome, "news", 10,
                         lambda i, d: f"/xwzx/{d[:7].replace('-', '')}/t{d.replace('-', '')}_{rng_for('scn', i).randint(10**6, 10**7)}.shtml",
                         crumb=crumb_home + [("新闻中心", nav[2][1])])

    def ul(n, off=0):
        return '<ul class="newslist">' + "".join(f'<li><a href="{p}">{esc(t)}</a><span>{d}</span></li>'
                                                 for t, d, p in links[off:off + n]) + "</ul>"

    home = f'{menu}<div class="boxtitle">仿真要闻</div>{ul(8)}<div class="boxtitle">通知公告</div>{ul(6, 2)}'
    b.home(chrome.page(spec.name, home), "/index.shtml", mtime=mtime)
    plain_pages(b, chrome, nav[1:], lambda text: f'{menu}<div class="coltitle">{esc(text)}</div>{ul(8, 1)}', crumb_home,
                mtime, sep="-")
    gk = (f'{menu}<div class="coltitle">政府信息公开</div><ul id="gktree" class="gktree"></ul>'
          '<script type="text/javascript" src="/js/tree.js"></script>' + ul(4, 3))
    b.page("/zfxxgk/index.shtml", chrome.page(f"政府信息公开-{spec.name}", gk, crumb=crumb_gk), mtime=mtime)
    channels = {"channels": [{"name": "政府信息公开指南", "code": "gkzn"}, {"name": "法定主动公开内容", "code": "fdzdgknr"},
                             {"name": "政府信息公开年报", "code": "zfxxgknb"}, {"name": "部门信息公开", "code": "bmxxgk"}]}
    b.add("/zfxxgk/channels.json", json.dumps(channels, ensure_ascii=False).encode("utf-8"),
          "application/json; charset=utf-8", mtime=mtime)
    plain_pages(b, chrome, [("政府信息公开指南", "/zfxxgk/gkzn/index.shtml"), ("法定主动公开内容", "/zfxxgk/fdzdgknr/index.shtml")],
                lambda text: f'{menu}<div class="coltitle">{esc(text)}</div><p>{esc(text)}正文。</p>', crumb_gk, mtime,
                sep="-")
    depts = {"units": [{"name": spec.place + name, "slug": slug} for name, slug in DEPTS.items()]}
    b.add("/zfxxgk/bmxxgk/depts.json", json.dumps(depts, ensure_ascii=False).encode("utf-8"),
          "application/json; charset=utf-8", mtime=mtime)
    b.page("/zfxxgk/bmxxgk/index.shtml",
           chrome.page(f"部门信息公开-{spec.name}", f'{menu}<div class="coltitle">部门信息公开</div><ul id="deptlist"></ul>'
                       '<script type="text/javascript" src="/js/depts.js"></script>',
                       crumb=crumb_gk + [("部门信息公开", None)]), mtime=mtime)
    b.nav_path = [b.url("/"), b.url("/zfxxgk/index.shtml"), b.url(f"{NB}index.shtml")]
