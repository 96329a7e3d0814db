"""Guangdong gkmlpt (政府信息公开目录平台) site: SPA with window._CONFIG, JSON list API, JSON detail pages."""

from __future__ import annotations

import datetime as dt
import json
import re

from .catalog import DecoyPlan, ReportPlan, rng_for
from .server import Request, Response
from .sitekit import (CST, GEN_TIME, Chrome, SiteBuild, attached_report, credit_code, decoy_paragraphs, esc,
                      filler_items, filler_pages, news_paragraphs, open_site, paragraphs, plain_pages, render_report,
                      ts_of)

SID = "755106"
PAGE_SIZE = 5
TREE = [
    {"id": 3280, "name": "机构职能", "parent": 0, "children": []},
    {"id": 3281, "name": "政策文件", "parent": 0, "children": [
        {"id": 3282, "name": "本机关文件", "parent": 3281, "children": []},
        {"id": 3283, "name": "规范性文件", "parent": 3281, "children": []}]},
    {"id": 3284, "name": "规划计划", "parent": 0, "children": []},
    {"id": 3285, "name": "财政信息", "parent": 0, "children": [
        {"id": 3286, "name": "财政预决算", "parent": 3285, "children": []},
        {"id": 3287, "name": "三公经费", "parent": 3285, "children": []}]},
    {"id": 3290, "name": "政府信息公开指南", "parent": 0, "children": []},
    {"id": 3291, "name": "政府信息公开制度", "parent": 0, "children": []},
    {"id": 3296, "name": "政府信息公开年报", "parent": 0, "children": []},
    {"id": 3297, "name": "重点领域信息", "parent": 0, "children": [
        {"id": 3298, "name": "教育", "parent": 3297, "children": []},
        {"id": 3299, "name": "医疗卫生", "parent": 3297, "children": []}]},
]
NB_CAT = 3296


def _tree_json() -> str:
    def node(n):
        return {"id": n["id"], "name": n["name"], "parent": n["parent"], "jump_url": "", "is_tree": 1,
                "children": [node(c) for c in n["children"]]}

    return json.dumps([node(n) for n in TREE], ensure_ascii=False)


def _detail_path(docid: int) -> str:
    return f"/gkmlpt/content/{docid // 10**6}/{docid // 10**3}/post_{docid}.html"


def _epoch(date: str, key: object) -> int:
    return int(ts_of(date, key))


def _minute(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, CST).strftime("%Y-%m-%d %H:%M")


def _row(docid: int, title: str, url: str, ts: int, publisher: str, identifier: str, **extra) -> dict:
    """The list API's row for a detail page: every time as epoch seconds, no content."""
    return {"id": docid, "title": title, "url": url, "date": ts, "create_time": ts, "display_publish_time": ts,
            "publisher": publisher, "identifier": identifier, **extra}


def _shell(chrome: Chrome, title: str, detail: dict | None) -> str:
    spec = chrome.spec
    cfg = f"window._CONFIG = {{SID: '{SID}', TREE: {_tree_json()}, SHOW_WXAPP: false, SITE_NAME: '{spec.name}'}};"
    det = ""
    if detail is not None:
        det = "\nwindow._CONFIG.DETAIL = " + json.dumps(detail, ensure_ascii=False).replace("</", "<\\/") + ";"
    app_cls = "gkmlpt-detail" if detail is not None else "gkmlpt-index"
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{esc(title)}</title>\n<meta name=\"SiteName\" content=\"{esc(spec.name)}\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            '<link rel="stylesheet" href="/gkmlpt/static/css/app.8e5d1a.css">\n</head>\n<body>\n'
            + chrome.header()
            + f'<div id="app" class="{app_cls}"><div class="loading">正在加载……</div></div>\n'
            "<noscript>您的浏览器不支持JavaScript，请开启后访问。</noscript>\n"
            f"<script>\n{cfg}{det}\n</script>\n"
            '<script src="/gkmlpt/static/js/manifest.3ad1d5.js"></script>\n'
            '<script src="/gkmlpt/static/js/vendor.7f1c22.js"></script>\n'
            '<script src="/gkmlpt/static/js/app.e4b0a9.js"></script>\n'
            + chrome.footer() + "</body>\n</html>\n")


def _identifier(spec, publisher: str, date: str, n: int) -> str:
    return f"{credit_code(publisher, spec.region_code)}/{date[:4]}-{n % 100000:05d}"


def build(b: SiteBuild, plans: list[ReportPlan], decoys: list[DecoyPlan]) -> None:
    spec = b.spec
    nav = [("首页", "/index.html"), ("走进演示", "/zjys/index.html"), ("新闻中心", "/xwzx/index.html"),
           ("政务公开", "/zwgk/index.html"), ("政务服务", "/zwfw/index.html"), ("互动交流", "/hdjl/index.html")]
    chrome = open_site(b, "gkmlpt", nav, server="nginx/1.20.1", robots=["/admin/", "/gkmlpt/search"])
    gen1_t = GEN_TIME[1]
    articles: list[dict] = []

    for p in plans:
        if p.generation > b.generation:
            continue
        path = _detail_path(p.docid)
        url = b.url(path)
        ts = _epoch(p.published, p.key)
        ident = _identifier(spec, p.agency, p.published, p.docid)
        mtime = ts_of(p.published, p.key)
        if p.form == "html":
            page, truth, title = render_report(p, b.seed, b.generation, "gkmlpt", rare=True)
            m = re.search(r"window\._CONFIG\.DETAIL = (\{.*?\});\n</script>", page, re.S)
            detail = json.loads(m.group(1).replace("<\\/", "</")) if m else {"content": ""}
            detail.update({"id": p.docid, "url": url, "identifier": ident, "publisher": p.agency, "attachment": []})
            if truth.get("published"):
                detail.update({"date": ts, "created_at": ts, "display_publish_time": _minute(ts)})
            detail["content"] = detail.get("content", "").replace(f"{p.agency}门户网站", spec.name)
            atts: list[dict] = []
            fmt = "html"
        else:
            truth, title, f, ext = attached_report(p)
            r = rng_for("gdatt", p.key)
            aid = r.randint(100000, 999999)
            apath = f"/attachment/0/{aid // 1000}/{aid}/{p.docid}.{ext}"
            b.attachment(apath, f["file"], mtime=mtime)
            atts = [{"id": aid, "name": f"{title}.{ext}", "url": b.url(apath), "size": f["size"], "ext": ext}]
            content = paragraphs([f"{title}详见附件。",
                                  f'附件：<a href="{b.url(apath)}" target="_blank">{esc(title)}.{ext}</a>'])
            detail = {"id": p.docid, "title": title, "identifier": ident, "publisher": p.agency, "document_number": "",
                      "classify_main_name": "政府信息公开年报", "content": content, "attachment": atts, "url": url,
                      "date": ts, "created_at": ts, "display_publish_time": _minute(ts)}
            fmt = p.form
        detail["title"] = title
        b.page(path, _shell(chrome, f"{title} - {spec.name}", detail), mtime=mtime)
        b.expect_report(p, url, title, truth, fmt, attachments=[a["url"] for a in atts],
                        notes=["body only in window._CONFIG.DETAIL JSON"])
        articles.append(_row(p.docid, title, url, ts, p.agency, ident, classify_main_name="政府信息公开年报",
                             attachment=atts, _date=p.published))

    for d in decoys:
        path = _detail_path(d.docid)
        url = b.url(path)
        ts = _epoch(d.date, d.key)
        ident = _identifier(spec, spec.name, d.date, d.docid)
        detail = {"id": d.docid, "title": d.title, "identifier": ident, "publisher": spec.name, "document_number": "",
                  "classify_main_name": "政府信息公开年报", "content": paragraphs(decoy_paragraphs(spec, d)),
                  "attachment": [], "url": url, "date": ts, "created_at": ts, "display_publish_time": _minute(ts)}
        b.page(path, _shell(chrome, f"{d.title} - {spec.name}", detail), mtime=ts_of(d.date, d.key))
        b.expect_decoy(d, url, d.title, d.kind, status=200)
        articles.append(_row(d.docid, d.title, url, ts, spec.name, ident, classify_main_name="政府信息公开年报",
                             attachment=[], _date=d.date))
    articles.sort(key=lambda a: (a["date"], a["id"]), reverse=True)

    # other categories hold a few items so that the API is not special-cased for 年报
    others: dict[int, list[dict]] = {}
    news = filler_items(spec, "notice", 8)
    for i, (t, dte) in enumerate(news):
        docid = rng_for("gdo", spec.id, i).randint(2_100_000, 4_899_999)
        path = _detail_path(docid)
        ts = _epoch(dte, t)
        detail = {"id": docid, "title": t, "identifier": _identifier(spec, spec.name, dte, docid), "publisher": spec.name,
                  "content": paragraphs(news_paragraphs(spec, t, dte)), "attachment": [], "url": b.url(path),
                  "date": ts, "created_at": ts, "classify_main_name": "政策文件"}
        b.page(path, _shell(chrome, f"{t} - {spec.name}", detail), mtime=ts_of(dte, t))
        cat = (3282, 3283, 3286, 3298)[i % 4]
        others.setdefault(cat, []).append(_row(docid, t, b.url(path), ts, spec.name, detail["identifier"],
                                               attachment=[]))

    api_prefix = "/gkmlpt/api/all/"
    listing: dict[str, str] = {}
    for i, a in enumerate(articles):
        listing[a["url"]] = b.url(f"{api_prefix}{NB_CAT}?page={i // PAGE_SIZE + 1}&sid={SID}")
    b.set_listings(listing)
    public = [{k: v for k, v in a.items() if not k.startswith("_")} for a in articles]

    def make_api(cat: int):
        def handler(req: Request) -> Response:
            if req.method not in ("GET", "HEAD"):
                return Response(405, "application/json", b'{"error":"method not allowed"}')
            rows = public if cat == NB_CAT else others.get(cat, [])
            if req.query.get("sid") != SID:
                rows = []
            try:
                page = max(1, int(req.query.get("page", "1") or 1))
            except ValueError:
                page = 1
            chunk = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
            body = json.dumps({"articles": chunk, "total": len(rows), "page": page, "page_size": PAGE_SIZE},
                              ensure_ascii=False).encode("utf-8")
            return Response(200, "application/json;charset=UTF-8", body, {"Cache-Control": "no-cache"})
        return handler

    def all_ids(nodes):
        for n in nodes:
            yield n["id"]
            yield from all_ids(n["children"])

    for cid in all_ids(TREE):
        b.content.handlers[f"{api_prefix}{cid}"] = make_api(cid)
    b.content.handlers[f"{api_prefix}0"] = make_api(0)

    index_html = _shell(chrome, f"政府信息公开 - {spec.name}", None)
    b.page("/gkmlpt/index", index_html, mtime=gen1_t)
    b.page("/gkmlpt/", index_html, mtime=gen1_t)
    b.column_urls.append(b.url("/gkmlpt/index"))
    _nav_pages(b, chrome, nav, gen1_t, others)
    chrome.footer_pages(b, gen1_t)


def _nav_pages(b: SiteBuild, chrome: Chrome, nav: list, mtime: float, others: dict) -> None:
    spec = b.spec
    def article(t: str, d: str) -> str:
        body = (f'<div class="article"><h1>{esc(t)}</h1><div class="info">发布时间：{d}　来源：{esc(spec.name)}</div>'
                f'<div class="article-content">{paragraphs(news_paragraphs(spec, t, d))}</div></div>')
        return chrome.page(f"{t} - {spec.name}", body, crumb=[("首页", "/index.html"), ("新闻中心", nav[2][1])])

    def path_of(i: int, d: str) -> str:
        return f"/xwzx/zwyw/content/post_{rng_for('gdn', spec.id, i).randint(9000000, 9999999)}.html"

    links = filler_pages(b, chrome, "news", 10, path_of, article=article)

    def ul(n, off=0):
        return '<ul class="news-list">' + "".join(
            f'<li><a href="{p}" title="{esc(t)}">{esc(t)}</a><span class="time">{d}</span></li>'
            for t, d, p in links[off:off + n]) + "</ul>"

    home = (f'<section class="focus"><div class="swiper"><img src="/static/images/banner.jpg" alt=""></div></section>\n'
            f'<section class="news"><h2 class="title">演示要闻 <a href="{nav[2][1]}" class="more">更多</a></h2>{ul(6)}</section>\n'
            '<section class="gk"><h2 class="title">政务公开</h2><ul class="gk-links">'
            f'<li><a href="{nav[3][1]}">政策文件</a></li><li><a href="{nav[3][1]}">政策解读</a></li>'
            f'<li><a href="{nav[3][1]}">财政预决算</a></li><li><a href="{nav[4][1]}">办事服务</a></li></ul></section>')
    b.home(chrome.page(f"{spec.name}门户网站", home), "/index.html", mtime=mtime)
    crumb_home = [("首页", "/index.html")]
    plain_pages(b, chrome, [(t, h) for t, h in nav[1:] if h != nav[3][1]],
                lambda text: f"<h2>{esc(text)}</h2>{ul(8, 1)}", crumb_home, mtime, sep=" - ")
    zwgk = ('<div class="zwgk-block"><h2 class="title">政府信息公开</h2><ul class="xxgk-links">'
            '<li><a href="/gkmlpt/index">政府信息公开目录</a></li>'
            '<li><a href="/gkmlpt/index#3290">政府信息公开指南</a></li>'
            '<li><a href="/gkmlpt/index#3291">政府信息公开制度</a></li>'
            f'<li><a href="/gkmlpt/index#{NB_CAT}">政府信息公开年报</a></li>'
            '<li><a href="/zwgk/ysqgk/index.html">依申请公开</a></li></ul></div>\n'
            f'<div class="zwgk-block"><h2 class="title">政策解读</h2>{ul(4, 5)}</div>')
    b.page(nav[3][1], chrome.page(f"政务公开 - {spec.name}", zwgk, crumb=crumb_home + [("政务公开", None)]), mtime=mtime)
    b.page("/zwgk/ysqgk/index.html", chrome.page(f"依申请公开 - {spec.name}",
                                                  "<h2>依申请公开</h2><p>申请人可通过在线申请、信函申请、当面申请等方式提出政府信息公开申请。</p>",
                                                  crumb=crumb_home + [("政务公开", nav[3][1]), ("依申请公开", None)]),
           mtime=mtime)
    b.nav_path = [b.url("/"), b.url(nav[3][1]), b.url("/gkmlpt/index"),
                  b.url(f"/gkmlpt/api/all/{NB_CAT}?page=1&sid={SID}")]
