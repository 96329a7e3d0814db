"""A small site on 127.0.0.1 whose lists and menus exist only after its scripts run (the rendering fallback's test).

Synthetic, in the shapes the research found on script-built county sites (docs/platforms.md): a home page whose
menu is drawn from a data array by script, an 信息公开 page whose directory tree is drawn the same way, a 年报
column that is an empty shell filled from a JSON list API (`{"total": N, "list": [...]}`, pages by `page=`), an
iframe inside it whose department list is written by `document.write` from string pieces (no `<a href` in the
source), and a column whose script waits on an answer that never comes (the time limit). No URL of a report or of
a list appears in any static page or script source, so static reading cannot find them.

    site = start_script_site()
    site.base_url, site.reports (every report URL), site.log (every request), site.stop()
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from demoportal.server import Resource, Response, SiteContent, SiteServer

HOME_TITLE = "脚本县人民政府"
AGENCIES = ["脚本县人民政府", "脚本县财政局", "脚本县教育局", "脚本县卫生健康局", "脚本县城关镇人民政府",
            "脚本县民政局"]
PAGE_SIZE = 5
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _html(title: str, body: str, head: str = "") -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="stylesheet" href="/css/site.css">{head}</head><body>'
            f'<div class="header"><img src="/images/logo.png" alt=""></div><div id="nav"></div>'
            f'{body}<script src="/js/menu.js"></script></body></html>').encode("utf-8")


MENU_JS = """
var MENU = [{n: '首页', p: ''}, {n: '政府信息公开', p: 'zfxxgk'}, {n: '政务服务', p: 'zwfw'}];
(function () {
  var nav = document.getElementById('nav');
  MENU.forEach(function (m) {
    var a = document.createElement('a');
    a.setAttribute('href', '/' + m.p + (m.p ? '/' : ''));
    a.textContent = m.n;
    nav.appendChild(a);
  });
})();
"""

TREE_JS = """
var TREE = [{name: '政府信息公开指南', id: 'gkzn'}, {name: '法定主动公开内容', id: 'fdzdgknr'},
            {name: '政府信息公开年报', id: 'ndbg'}];
(function () {
  var box = document.getElementById('tree');
  TREE.forEach(function (t) {
    var a = document.createElement('a');
    a.href = '/zfxxgk/' + t.id + '/index' + '.html';
    a.appendChild(document.createTextNode(t.name));
    box.appendChild(a);
  });
})();
"""

LIST_JS = """
(function () {
  function load(p) {
    fetch('/api/articles?channel=' + 'ndbg' + '&page=' + p + '&size=PAGE_SIZE', {headers: {'X-Requested-With': 'XMLHttpRequest'}})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        var ul = document.getElementById('list');
        ul.innerHTML = '';
        d.list.forEach(function (x) {
          var li = document.createElement('li');
          var a = document.createElement('a');
          a.href = x.url; a.title = x.title; a.textContent = x.title;
          var s = document.createElement('span'); s.textContent = x.time;
          li.appendChild(a); li.appendChild(s); ul.appendChild(li);
        });
        document.getElementById('pager').innerHTML = '共' + d.total + '条 <a href="javascript:;">下一页</a>';
      });
  }
  load(1);
})();
""".replace("PAGE_SIZE", str(PAGE_SIZE))

HANG_JS = """
fetch('/api/hang').then(function (r) { return r.text(); });
var parts = [['/art/slow/', 'r1', '.html', '脚本县水利局2023年政府信息公开工作年度报告'],
             ['/art/slow/', 'r2', '.html', '脚本县水利局2024年政府信息公开工作年度报告']];
parts.forEach(function (p) { document.write('<li><a hr' + 'ef="' + p[0] + p[1] + p[2] + '">' + p[3] + '</a></li>'); });
"""


@dataclass
class ScriptSite:
    server: SiteServer
    log: list
    reports: list[str] = field(default_factory=list)  # report page URLs reachable from the 年报 column
    slow_reports: list[str] = field(default_factory=list)  # report URLs of the column that never settles
    attachments: list[str] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # what the JSON list API answers (shrink it to test a drop)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def clear_log(self) -> None:
        del self.log[:]

    def stop(self) -> None:
        self.server.stop()


def _articles() -> list[dict]:
    rows = []
    n = 0
    for year in (2024, 2023):
        for agency in AGENCIES:
            n += 1
            rows.append({"title": f"{agency}{year}年政府信息公开工作年度报告", "url": f"/art/{year + 1}/art_{n:04d}.html",
                         "time": f"{year + 1}-01-{(n % 27) + 1:02d}"})
    rows.insert(3, {"title": "脚本县人民政府信息公开指南", "url": "/art/2024/art_guide.html", "time": "2024-06-30"})
    return rows


def start_script_site(host: str = "127.0.0.1", hang_seconds: float = 20.0) -> ScriptSite:
    content = SiteContent()
    log: list = []
    server = SiteServer("script-site", content, log, threading.Lock(), host=host)
    site = ScriptSite(server, log)
    r = content.routes
    r["/"] = Resource(_html(HOME_TITLE, "<h1>脚本县人民政府</h1><p>欢迎访问</p>"), "text/html; charset=utf-8")
    r["/js/menu.js"] = Resource(MENU_JS.encode(), "application/javascript")
    r["/zfxxgk/"] = Resource(_html(f"政府信息公开_{HOME_TITLE}", '<div id="tree"></div><script src="/js/tree.js"></script>'),
                             "text/html; charset=utf-8")
    r["/js/tree.js"] = Resource(TREE_JS.encode(), "application/javascript")
    r["/zfxxgk/ndbg/index.html"] = Resource(_html(
        f"政府信息公开年报_{HOME_TITLE}",
        '<div class="list"><ul id="list"></ul><div id="pager"></div></div>'
        '<iframe src="/zfxxgk/ndbg/bm.html" width="100%"></iframe><script src="/js/list.js"></script>'),
        "text/html; charset=utf-8")
    r["/js/list.js"] = Resource(LIST_JS.encode(), "application/javascript")
    r["/zfxxgk/ndbg/bm.html"] = Resource((
        '<html><head><meta charset="utf-8"></head><body><ul><script>'
        "var B = [['art_bm1', '脚本县审计局2024年政府信息公开工作年度报告'], ['art_bm2', '脚本县审计局2023年政府信息公开工作年度报告']];"
        "B.forEach(function (b) { document.write('<li><a hr' + 'ef=\"../../art/bm/' + b[0] + '.html\">' + b[1] + '</a></li>'); });"
        "</script></ul></body></html>").encode("utf-8"), "text/html; charset=utf-8")
    r["/zfxxgk/kong/index.html"] = Resource(_html(f"政府信息公开年报_{HOME_TITLE}",
                                                  '<ul id="list"></ul><script>document.getElementById("list")'
                                                  '.innerHTML = "<li>暂无信息</li>";</script>'),
                                            "text/html; charset=utf-8")
    r["/slow/index.html"] = Resource(_html(f"部门年报_{HOME_TITLE}", f"<ul><script>{HANG_JS}</script></ul>"),
                                     "text/html; charset=utf-8")
    for name in ("/css/site.css", "/images/logo.png"):
        r[name] = Resource(b"", "text/css" if name.endswith(".css") else "image/png")
    rows = _articles()
    site.rows = rows

    def api(req):
        page = int(req.query.get("page") or 1)
        size = int(req.query.get("size") or PAGE_SIZE)
        chunk = rows[(page - 1) * size: page * size]
        body = json.dumps({"total": len(rows), "page": page, "list": chunk}, ensure_ascii=False).encode("utf-8")
        return Response(200, "application/json; charset=utf-8", body)

    def hang(req):
        time.sleep(hang_seconds)
        return Response(200, "text/plain", b"late")

    content.handlers["/api/articles"] = api
    content.handlers["/api/hang"] = hang
    for row in rows:
        url = site.url(row["url"])
        if "guide" in row["url"]:
            site.decoys.append(url)
            r[row["url"]] = Resource(_html(row["title"], f"<div id='zoom'><p>{row['title']}</p></div>"),
                                     "text/html; charset=utf-8")
            continue
        site.reports.append(url)
        body = f"<div id='zoom'><h1>{row['title']}</h1><p>一、总体情况</p>"
        if row["url"].endswith("0001.html"):
            body += '<p><a href="/files/nb2024.pdf">附件：年度报告.pdf</a></p>'
            site.attachments.append(site.url("/files/nb2024.pdf"))
        r[row["url"]] = Resource(_html(row["title"], body + "</div>"), "text/html; charset=utf-8")
    for name, title in (("bm1", "脚本县审计局2024年政府信息公开工作年度报告"), ("bm2", "脚本县审计局2023年政府信息公开工作年度报告")):
        path = f"/art/bm/art_{name}.html"
        r[path] = Resource(_html(title, f"<div id='zoom'><h1>{title}</h1></div>"), "text/html; charset=utf-8")
        site.reports.append(site.url(path))
    for name, title in (("r1", "脚本县水利局2023年政府信息公开工作年度报告"), ("r2", "脚本县水利局2024年政府信息公开工作年度报告")):
        path = f"/art/slow/{name}.html"
        r[path] = Resource(_html(title, f"<div id='zoom'><h1>{title}</h1></div>"), "text/html; charset=utf-8")
        site.slow_reports.append(site.url(path))
    r["/files/nb2024.pdf"] = Resource(PDF, "application/pdf")
    r["/robots.txt"] = Resource(b"User-agent: *\nDisallow:\n", "text/plain")
    server.start()
    return site
