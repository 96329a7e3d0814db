"""Hanweb (大汉) JCMS site: /col/col{id}/index.html columns, jpage datastore + POST dataproxy.jsp, /art/ articles."""

from __future__ import annotations

from urllib.parse import quote

from .catalog import DecoyPlan, ReportPlan, rng_for
from .server import Request, Resource, Response
from .sitekit import (GEN_TIME, Chrome, SiteBuild, cls_attr, content_type_for, decoy_article, esc, file_bytes,
                      filler_pages, open_site, plain_pages, report_page, served_behaviour, ts_of)

WEBID = "3418"
COL = {"about": 1229104501, "news": 1229104505, "zwgk": 1229104512, "fw": 1229104520, "hd": 1229104525,
       "zn": 1229104531, "zd": 1229104532, "fdzd": 1229104533, "nb": 1229104537, "ysq": 1229104539}
UNIT_NB = "7729614"
UNIT_LIST = "7729608"
PER_PAGE = 6


def _art_path(date: str, col: int, docid: int) -> str:
    y, m, d = date.split("-")
    return f"/art/{int(y)}/{int(m)}/{int(d)}/art_{col}_{docid}.html"


def _record(href: str, title: str, date: str) -> str:
    return (f'<record><![CDATA[\n<li><a href="{href}" title="{esc(title)}" target="_blank">{esc(title)}</a>'
            f"<span>{date}</span></li>\n]]></record>")


def build(b: SiteBuild, plans: list[ReportPlan], decoys: list[DecoyPlan]) -> None:
    spec = b.spec
    nav = [("首页", "/index.html"), ("走进示范", f"/col/col{COL['about']}/index.html"),
           ("新闻动态", f"/col/col{COL['news']}/index.html"), ("政务公开", f"/col/col{COL['zwgk']}/index.html"),
           ("政务服务", f"/col/col{COL['fw']}/index.html"), ("互动交流", f"/col/col{COL['hd']}/index.html")]
    chrome = open_site(b, "hanweb", nav, server="Apache-Coyote/1.1", robots=["/jsearchfront/", "/manager/"])
    gen1_t = GEN_TIME[1]
    crumb_zwgk = [("首页", "/index.html"), ("政务公开", f"/col/col{COL['zwgk']}/index.html")]
    crumb_nb = crumb_zwgk + [("政府信息公开年报", f"/col/col{COL['nb']}/index.html")]
    downloads: dict[str, Resource] = {}

    items = []
    for p in plans:
        if p.generation > b.generation:
            continue
        path = _art_path(p.url_date, COL["nb"], p.docid)  # a late report keeps the path of its planned date
        title = _report_page(b, chrome, p, path, crumb_nb, downloads)
        items.append((p.published, title, path))
    for d in decoys:
        path = _art_path(d.date, COL["nb"], d.docid)
        decoy_article(b, chrome, d, path, crumb_nb)
        items.append((d.date, d.title, path))
    items.sort(reverse=True)
    records = [_record(path, title, date) for date, title, path in items]
    total = len(records)
    col_url = b.url(f"/col/col{COL['nb']}/index.html")
    b.column_urls.append(col_url)

    # listing urls: the column page holds the first page; the rest only come from the dataproxy
    proxy = b.url("/module/web/jpage/dataproxy.jsp")
    pos = {b.url(path): i for i, (_, _, path) in enumerate(items)}
    for e in b.reports + b.decoys:
        i = pos.get(e["url"])
        if i is None:
            continue
        if i < PER_PAGE:
            e["listing_urls"] = [col_url]
        else:
            s = (i // PER_PAGE) * PER_PAGE + 1
            e["listing_urls"] = [f"{proxy}?startrecord={s}&endrecord={s + PER_PAGE - 1}&perpage={PER_PAGE}"]

    webname = spec.name
    nextgroup = (f"/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={WEBID}&path=/&columnid={COL['nb']}"
                 f"&unitid={UNIT_NB}&webname={quote(webname)}&permissiontype=0")
    datastore = ('<script type="text/xml"><datastore>\n'
                 f'<nextgroup><![CDATA[<a href="{nextgroup}"></a>]]></nextgroup>\n<recordset>\n'
                 + "\n".join(records[:PER_PAGE]) + "\n</recordset>\n</datastore></script>")
    jpage = ('<script language="javascript" src="/module/web/jpage/jpage.js"></script>\n'
             "<script>\n$(document).ready(function(){\n"
             f"  $('#{UNIT_NB}').jpage({{dataStore:$('#{UNIT_NB} script[type=\"text/xml\"]').text(), perPage:{PER_PAGE},"
             f" totalRecord:{total}, groupSize:1, proxyUrl:'/module/web/jpage/dataproxy.jsp', barPosition:'bottom',"
             " dataBefore:'<ul class=\"list\">', dataAfter:'</ul>', showMode:'full', objId:'" + UNIT_NB + "',\n"
             f"    ajaxParam:{{col:1, appid:1, webid:{WEBID}, path:'/', columnid:{COL['nb']}, sourceContentType:1,"
             f" unitid:'{UNIT_NB}', webname:'{webname}', permissiontype:0}}}});\n}});\n</script>")
    left = _left(COL["nb"])
    main = (f'<div class="main_left">{left}</div>\n<div class="main_right"><div class="lm_name">政府信息公开年报</div>\n'
            f'<div id="{UNIT_NB}">{datastore}\n{jpage}\n</div></div>')
    b.page(f"/col/col{COL['nb']}/index.html", chrome.page(f"政府信息公开年报 {spec.name}", main, crumb=crumb_nb),
           mtime=gen1_t)

    def dataproxy(req: Request) -> Response | None:
        if req.method != "POST":
            return Response(405, "text/html;charset=UTF-8",
                            b"<html><body><h1>HTTP Status 405 - Request method 'GET' not supported</h1></body></html>",
                            {"Allow": "POST"})
        params = dict(req.query)
        params.update(req.form)
        try:
            start = int(params.get("startrecord", "1"))
            end = int(params.get("endrecord", str(start + PER_PAGE - 1)))
            int(params.get("perpage", str(PER_PAGE)))
        except ValueError:
            return Response(500, "text/html;charset=UTF-8", b"<html><body>java.lang.NumberFormatException</body></html>")
        ok = (params.get("columnid") == str(COL["nb"]) and params.get("unitid") == UNIT_NB
              and params.get("webid") == WEBID)
        if not ok:
            xml = '<?xml version="1.0" encoding="UTF-8"?>\n<datastore><totalrecord>0</totalrecord><recordset></recordset></datastore>'
            return Response(200, "text/xml;charset=UTF-8", xml.encode("utf-8"))
        start = max(1, start)
        chunk = records[start - 1:max(start - 1, end)]
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
               f"<totalrecord>{total}</totalrecord>\n<totalpage>{(total + PER_PAGE - 1) // PER_PAGE}</totalpage>\n"
               "<recordset>\n" + "\n".join(chunk) + "\n</recordset>\n</datastore>")
        return Response(200, "text/xml;charset=UTF-8", xml.encode("utf-8"), {"Cache-Control": "no-cache"})

    b.content.handlers["/module/web/jpage/dataproxy.jsp"] = dataproxy

    def downfile(req: Request):
        res = downloads.get(req.query.get("filename", ""))
        if res is None:
            return Response(200, "text/html;charset=UTF-8",
                            "<script>alert('文件不存在！');history.back();</script>".encode("utf-8"))
        return res

    b.content.handlers["/module/download/downfile.jsp"] = downfile
    _nav_pages(b, chrome, nav, gen1_t)
    chrome.footer_pages(b, gen1_t)


def _left(current: int) -> str:
    cols = [("政府信息公开指南", COL["zn"]), ("政府信息公开制度", COL["zd"]), ("法定主动公开内容", COL["fdzd"]),
            ("政府信息公开年报", COL["nb"]), ("依申请公开", COL["ysq"])]
    lis = "".join(f'<li{cls_attr("on", c == current)}><a href="/col/col{c}/index.html">{esc(t)}</a></li>'
                  for t, c in cols)
    return f'<div class="left_title">政府信息公开</div><ul class="left_ul">{lis}</ul>'


def _report_page(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list,
                 downloads: dict[str, Resource]) -> str:
    def attach(title: str, f: dict, ext: str) -> tuple[str, str]:
        """Attachments are only served through downfile.jsp, by their stored name."""
        r = rng_for("hwatt", p.key)
        stored = f"{p.url_date[2:].replace('-', '')}{r.randint(100000, 999999)}{r.randint(100000, 999999)}.{ext}"
        show = f"{title}.{ext}"
        dl = f"/module/download/downfile.jsp?classid=0&showname={quote(show)}&filename={stored}"
        # downfile.jsp answers 302 to the stored file under /attach/0/ (as real JCMS sites do: 威海, id 56268562223)
        downloads[stored] = Resource(b"", "text/html;charset=UTF-8", status=302,
                                     headers={"Location": f"/attach/0/{stored}"})
        b.add(f"/attach/0/{stored}", lambda fn=f["file"]: file_bytes(fn), content_type_for(f["file"]), mtime=mtime,
              headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(show)}"})
        return b.url(dl), (f'附件：<a href="{esc(dl)}" target="_blank"><img src="/module/jslib/icons/{ext}.png" border="0">'
                           f"{esc(show)}</a>")

    mtime = ts_of(p.published, p.key)
    behaviour = served_behaviour(p)
    notes = ["page answers after slow_seconds"] if behaviour == "slow" else []
    if p.changed_in and b.generation >= p.changed_in:
        mtime = GEN_TIME[p.changed_in] + 7200
        notes.append("page republished with corrected numbers in generation %d" % p.changed_in)
    return report_page(b, chrome, p, path, crumb, attach, mtime=mtime, behaviour=behaviour, html_notes=notes,
                       attachment_notes=["downfile.jsp answers 302 to /attach/0/, served with Content-Disposition"])


def _nav_pages(b: SiteBuild, chrome: Chrome, nav: list, mtime: float) -> None:
    spec = b.spec
    links = filler_pages(b, chrome, "news", 12,
                         lambda i, d: _art_path(d, COL["news"], rng_for("hn", spec.id, i).randint(50000000, 59999999)),
                         crumb=[("首页", "/index.html"), ("新闻动态", nav[2][1])])

    def ul(n, off=0):
        return '<ul class="list">' + "".join(
            f'<li><a href="{p}" title="{esc(t)}" target="_blank">{esc(t)}</a><span>{d}</span></li>'
            for t, d, p in links[off:off + n]) + "</ul>"

    home = (f'<div class="banner"><img src="/images/2023/banner.jpg" alt=""></div>\n'
            f'<div class="sy_box"><div class="sy_title"><span>示范要闻</span><a href="{nav[2][1]}">更多</a></div>{ul(7)}</div>\n'
            '<div class="sy_box"><div class="sy_title"><span>政务公开</span></div><ul class="gk_list">'
            f'<li><a href="{nav[3][1]}">政策文件</a></li><li><a href="{nav[3][1]}">规划计划</a></li>'
            f'<li><a href="{nav[3][1]}">财政预决算</a></li><li><a href="{nav[3][1]}">人事信息</a></li></ul></div>\n'
            '<div class="sy_box"><div class="sy_title"><span>办事服务</span></div><ul class="bs_list">'
            f'<li><a href="{nav[4][1]}">个人办事</a></li><li><a href="{nav[4][1]}">法人办事</a></li>'
            f'<li><a href="{nav[5][1]}">区长信箱</a></li><li><a href="{nav[5][1]}">民意征集</a></li></ul></div>')
    b.home(chrome.page(f"{spec.name}", home, keywords=f"{spec.name},政务公开"), "/index.html", mtime=mtime)
    crumb_home = [("首页", "/index.html")]
    plain_pages(b, chrome, [(t, h) for t, h in nav[1:] if h != nav[3][1]],
                lambda text: f'<div class="lm_name">{esc(text)}</div>{ul(10, 2)}', crumb_home, mtime, sep=" ")
    gk = (f'<div class="gk_box"><div class="gk_title">政府信息公开</div><ul class="gk_ul">'
          f'<li><a href="/col/col{COL["zn"]}/index.html" target="_blank">政府信息公开指南</a></li>'
          f'<li><a href="/col/col{COL["zd"]}/index.html" target="_blank">政府信息公开制度</a></li>'
          f'<li><a href="/col/col{COL["fdzd"]}/index.html" target="_blank">法定主动公开内容</a></li>'
          f'<li><a href="/col/col{COL["nb"]}/index.html" target="_blank">政府信息公开年报</a></li>'
          f'<li><a href="/col/col{COL["ysq"]}/index.html" target="_blank">依申请公开</a></li></ul></div>\n'
          f'<div class="gk_box"><div class="gk_title">政策文件</div>{ul(5, 4)}</div>')
    b.page(nav[3][1], chrome.page(f"政务公开 {spec.name}", gk, crumb=crumb_home + [("政务公开", None)]), mtime=mtime)
    crumb_zwgk = crumb_home + [("政务公开", nav[3][1])]
    for name, key in (("政府信息公开指南", "zn"), ("政府信息公开制度", "zd"), ("法定主动公开内容", "fdzd"), ("依申请公开", "ysq")):
        unit = str(int(UNIT_LIST) + list(COL).index(key))
        recs = "\n".join(_record(p, t, d) for t, d, p in links[:3])
        main = (f'<div class="main_left">{_left(COL[key])}</div>\n<div class="main_right"><div class="lm_name">{name}</div>'
                f'<div id="{unit}"><script type="text/xml"><datastore>\n<recordset>\n{recs}\n</recordset>\n</datastore></script></div></div>')
        b.page(f"/col/col{COL[key]}/index.html", chrome.page(f"{name} {spec.name}", main, crumb=crumb_zwgk + [(name, None)]),
               mtime=mtime)
    b.nav_path = [b.url("/"), b.url(nav[3][1]), b.url(f"/col/col{COL['nb']}/index.html")]
