"""Shared pieces for building a demo site: chrome (header, nav, footer), pages, report pages, decoys, bookkeeping."""

from __future__ import annotations

import copy
import datetime as dt
import html as _html
import json
import mimetypes
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import catalog
from .catalog import DecoyPlan, ReportPlan, SiteSpec, rng_for
from .server import Resource, SiteContent

FILES_DIR = Path(__file__).parent / "files"
CST = dt.timezone(dt.timedelta(hours=8))

# Time stamps of the two generations of every list page (static list pages are rewritten when a site republishes).
GEN_TIME = {1: dt.datetime(2025, 4, 20, 9, 30, tzinfo=CST).timestamp(),
            2: dt.datetime(2025, 5, 12, 22, 5, tzinfo=CST).timestamp()}


def cls_attr(name: str, cond: bool) -> str:
    return f' class="{name}"' if cond else ""


def esc(s: str) -> str:
    return _html.escape(s, quote=True)


def ts_of(date: str, rng_key: object = None) -> float:
    """A publishing time on ``date`` (YYYY-MM-DD), deterministic per key, as epoch seconds."""
    r = rng_for("time", date, rng_key)
    d = dt.datetime.fromisoformat(date).replace(hour=r.randint(8, 17), minute=r.randint(0, 59),
                                                 second=r.randint(0, 59), tzinfo=CST)
    return d.timestamp()


def content_type_for(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {
        "pdf": "application/pdf",
        "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "jpg": "image/jpeg",
        "png": "image/png",
    }.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"


_MANIFEST: dict | None = None


def manifest() -> dict:
    global _MANIFEST
    if _MANIFEST is None:
        _MANIFEST = json.loads((FILES_DIR / "manifest.json").read_text(encoding="utf-8"))
    return _MANIFEST


def file_bytes(name: str) -> bytes:
    return (FILES_DIR / name).read_bytes()


# ---------------------------------------------------------------------------------------------------------- build

@dataclass
class SiteBuild:
    """Collects a site's routes and its expected ground truth while a site module builds it."""

    spec: SiteSpec
    base_url: str  # http://127.0.0.1:PORT/
    seed: int
    generation: int
    all_base_urls: dict = field(default_factory=dict)
    content: SiteContent = field(default_factory=SiteContent)
    reports: list = field(default_factory=list)
    decoys: list = field(default_factory=list)
    column_urls: list = field(default_factory=list)
    nav_path: list = field(default_factory=list)  # the pages a person clicks from the home page to the 年报 column
    notes: list = field(default_factory=list)

    @property
    def host(self) -> str:
        return self.base_url.split("//", 1)[1].rstrip("/")

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    # --- routes
    def add(self, path: str, body: bytes | Callable[[], bytes], content_type: str, *, mtime: float | None = None,
            status: int = 200, headers: dict | None = None, behaviour: str | None = None) -> None:
        self.content.routes[path] = Resource(body, content_type, status=status, headers=dict(headers or {}),
                                             mtime=mtime, behaviour=behaviour)

    def encode(self, page: str, declare: str | None = "default") -> tuple[bytes, str]:
        from .reports import encode_page

        if self.spec.encoding == "gbk":
            decl = "gb2312" if declare == "default" else declare
            return encode_page(page, "gbk", decl), "text/html"
        decl = "utf-8" if declare == "default" else declare
        return encode_page(page, "utf-8", decl), "text/html; charset=utf-8"

    def page(self, path: str, page: str | Callable[[], str], *, mtime: float | None = None,
             behaviour: str | None = None, declare: str | None = "default", status: int = 200) -> None:
        if callable(page):
            fn = page
            ctype = self.encode("<html><head></head></html>", declare)[1]
            self.add(path, lambda: self.encode(fn(), declare)[0], ctype, mtime=mtime, behaviour=behaviour, status=status)
        else:
            data, ctype = self.encode(page, declare)
            self.add(path, data, ctype, mtime=mtime, behaviour=behaviour, status=status)

    def home(self, page: str, index_path: str, *, mtime: float) -> None:
        """The home page, served alike at ``/`` and at the CMS's own index file."""
        for path in (index_path, "/"):
            self.page(path, page, mtime=mtime)

    def attachment(self, path: str, filename: str, *, mtime: float, download_name: str | None = None,
                   behaviour: str | None = None) -> None:
        headers = {}
        if download_name:
            from urllib.parse import quote

            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(download_name)}"
        self.add(path, lambda: file_bytes(filename), content_type_for(filename), mtime=mtime, headers=headers,
                 behaviour=behaviour)

    # --- expected
    def expect_report(self, plan: ReportPlan, url: str, title: str, truth: dict | None, fmt: str, *,
                      attachments: list[str] | None = None, listing_urls: list[str] | None = None,
                      aliases: list[str] | None = None, encoding: str | None = None, notes: list[str] | None = None,
                      list_date: str | None = None) -> dict:
        if truth is not None:
            truth = dict(truth)
            truth.setdefault("title", title)
        entry = {
            "site_id": self.spec.id, "key": plan.key, "url": url, "title": title, "report_year": plan.report_year,
            "agency": plan.agency, "agency_kind": plan.kind, "template": plan.template, "published": plan.published,
            "list_date": list_date or plan.published, "format": fmt, "attachments": list(attachments or []),
            "listing_urls": list(listing_urls or []), "aliases": list(aliases or []),
            "encoding": encoding or self.spec.encoding, "behaviour": plan.behaviour,
            "generation": plan.generation, "changed_in": plan.changed_in if (plan.changed_in or 99) <= self.generation else None,
            "needs_ocr": fmt == "image", "truth": truth, "notes": list(notes or []),
        }
        self.reports.append(entry)
        return entry

    def expect_decoy(self, d: DecoyPlan | None, url: str, title: str, kind: str, *, listing_urls: list[str] | None = None,
                     status: int | None = None) -> None:
        self.decoys.append({"site_id": self.spec.id, "url": url, "title": title, "kind": kind,
                            "listing_urls": list(listing_urls or []), "status": status})

    def set_listings(self, listing: dict[str, str]) -> None:
        """Record the list page (URL) that links each expected report and decoy: ``listing`` maps page URL -> list
        URL (known only once the lists are paginated, after the pages are built)."""
        for e in self.reports + self.decoys:
            if e["url"] in listing:
                e["listing_urls"] = [listing[e["url"]]]


# ---------------------------------------------------------------------------------------------------------- chrome

FLAVORS = ("trs", "hanweb", "gkmlpt", "openness", "generic")


@dataclass
class Chrome:
    spec: SiteSpec
    flavor: str
    nav: list  # [(text, href)]
    ext: str = "html"

    FOOTER_PAGES = (("网站地图", "wzdt"), ("联系我们", "lxwm"), ("使用帮助", "smsm"), ("隐私声明", "yszc"))

    def header(self) -> str:
        s = self.spec
        navs = self.nav
        if self.flavor == "trs":
            lis = "".join(f'<li{cls_attr("on", i == 0)}><a href="{h}" target="_self">{esc(t)}</a></li>'
                          for i, (t, h) in enumerate(navs))
            return (f'<div class="topbar"><div class="w1200"><span class="fl">欢迎访问{esc(s.name)}门户网站</span>'
                    '<span class="fr"><a href="javascript:void(0);" id="wza">无障碍</a> | <a href="javascript:void(0);">长者模式</a>'
                    f' | <a href="javascript:void(0);" id="jft">繁體</a> | <a href="/wzdt/index.{self.ext}">网站地图</a></span></div></div>\n'
                    f'<div class="header"><div class="w1200"><div class="logo"><a href="/"><img src="/images/logo.png" '
                    f'alt="{esc(s.name)}" /></a></div>\n<div class="search"><form action="/search/search.jsp" method="get" '
                    'target="_blank"><input type="text" name="searchword" placeholder="请输入关键字" />'
                    '<input type="submit" value="搜索" /></form></div></div></div>\n'
                    f'<div class="nav"><div class="w1200"><ul class="clearfix">{lis}</ul></div></div>\n')
        if self.flavor == "hanweb":
            lis = "\n".join(f'<li><a href="{h}" target="_blank">{esc(t)}</a></li>' for t, h in navs)
            return (f'<div class="head_top"><div class="head_con"><span>{esc(s.name)}门户网站</span>'
                    '<a href="javascript:;" onclick="toggleOld()">关怀版</a><a href="javascript:;">无障碍浏览</a>'
                    '<a href="/col/col1229000001/index.html">English</a></div></div>\n'
                    f'<div class="head"><div class="logo"><img src="/images/2023/logo.png" alt="{esc(s.name)}"></div>'
                    '<div class="ss"><form name="searchform" action="/jsearchfront/search.do" method="get">'
                    '<input type="text" name="q" class="ss_text"><input type="hidden" name="websiteid" value="330106000000000">'
                    '<input type="submit" value="" class="ss_btn"></form></div></div>\n'
                    f'<div id="nav"><ul class="nav_ul">\n{lis}\n</ul></div>\n')
        if self.flavor == "gkmlpt":
            lis = "".join(f'<li><a href="{h}">{esc(t)}</a></li>' for t, h in navs)
            return (f'<header class="gd-header"><div class="gd-top"><div class="container"><span class="date" id="today"></span>'
                    '<a href="javascript:;" class="zhangzhe">长者助手</a><a href="/wzdt/index.html">网站地图</a></div></div>\n'
                    f'<div class="container"><h1 class="logo"><a href="/" title="{esc(s.name)}门户网站">{esc(s.name)}</a></h1>'
                    '<div class="search-box"><input type="text" id="keyword" placeholder="搜索"><button type="button">搜索</button></div></div>\n'
                    f'<nav class="gd-nav"><div class="container"><ul>{lis}</ul></div></nav></header>\n')
        if self.flavor == "openness":
            lis = "".join(f'<li><a href="{h}">{esc(t)}</a></li>' for t, h in navs)
            return (f'<div class="top-bar"><div class="wrap">您好，欢迎访问{esc(s.name)}门户网站！<span class="right">'
                    '<a href="javascript:;">无障碍</a><a href="javascript:;">适老模式</a><a href="/site/tpl/5861">手机版</a></span></div></div>\n'
                    f'<div class="header"><div class="wrap"><a href="/" class="logo"><img src="/Public/images/logo.png" alt="{esc(s.name)}"></a>'
                    '<form class="search" action="/site/search/4697751" method="get"><input name="keywords" type="text">'
                    '<button type="submit">搜 索</button></form></div></div>\n'
                    f'<div class="navbar"><div class="wrap"><ul class="nav">{lis}</ul></div></div>\n')
        # generic: an older table layout
        tds = "".join(f'<td align="center" class="navtd"><a href="{h}" class="nav">{esc(t)}</a></td>' for t, h in navs)
        return (f'<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">\n'
                f'<tr><td height="150" background="/skin/default/images/banner.jpg"><span class="sitename">{esc(s.name)}</span></td></tr>\n'
                f'<tr><td><table width="100%" border="0" cellspacing="0" cellpadding="0" class="navtable"><tr>{tds}</tr></table></td></tr>\n'
                '</table>\n')

    def footer(self) -> str:
        s = self.spec
        links = " | ".join(f'<a href="/{slug}/index.{self.ext}">{text}</a>' for text, slug in self.FOOTER_PAGES)
        body = (f"<p>{links}</p>\n<p>主办单位：{esc(s.name)}办公室　承办：{esc(s.place)}大数据中心</p>\n"
                f"<p>网站标识码：{s.site_code}　<span>{esc(s.icp)}</span>　<span><img src=\"/images/ga.png\" alt=\"\">{esc(s.police)}</span></p>\n"
                f"<p>建议使用1366×768以上分辨率浏览本站</p>")
        if self.flavor == "generic":
            return (f'<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="footer">'
                    f'<tr><td align="center">{body}</td></tr></table>\n')
        if self.flavor == "gkmlpt":
            return f'<footer class="gd-footer"><div class="container">{body}</div></footer>\n'
        if self.flavor == "hanweb":
            return (f'<div class="footer"><div class="foot_con">{body}</div>'
                    '<div class="dzjg"><img src="/images/2023/red.png" alt="党政机关"></div></div>\n'
                    '<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>\n')
        return f'<div class="footer"><div class="w1200">{body}</div></div>\n'

    def footer_pages(self, b: "SiteBuild", mtime: float) -> None:
        """Small pages behind the footer links, so that they do not answer 404."""
        s = self.spec
        for text, slug in self.FOOTER_PAGES:
            path = f"/{slug}/index.{self.ext}"
            if path in b.content.routes:
                continue
            if slug == "wzdt":
                body = "<ul class=\"sitemap\">" + "".join(f'<li><a href="{h}">{esc(t)}</a></li>' for t, h in self.nav) + "</ul>"
            elif slug == "lxwm":
                body = f"<p>{esc(s.name)}办公室</p><p>地址：{esc(s.place)}人民路1号</p><p>邮编：{s.region_code}</p>"
            else:
                body = f"<p>{esc(text)}</p>"
            b.page(path, self.page(f"{text}_{s.name}", f"<h2>{esc(text)}</h2>{body}", crumb=[("首页", "/"), (text, None)]),
                   mtime=mtime)

    def crumb(self, items: list[tuple[str, str | None]]) -> str:
        parts = []
        for text, href in items:
            parts.append(f'<a href="{href}">{esc(text)}</a>' if href else f"<span>{esc(text)}</span>")
        sep = " &gt; " if self.flavor != "hanweb" else " &gt;&gt; "
        cls = {"trs": "position", "hanweb": "dqwz", "gkmlpt": "crumb", "openness": "location", "generic": "weizhi"}[self.flavor]
        return f'<div class="{cls}">当前位置：{sep.join(parts)}</div>\n'

    def page(self, title: str, main: str, *, crumb: list | None = None, head_extra: str = "",
             keywords: str = "") -> str:
        s = self.spec
        css = {"trs": "/images/style.css", "hanweb": "/module/jslib/style.css", "gkmlpt": "/static/css/index.css",
               "openness": "/Public/css/common.css", "generic": "/skin/default/css/style.css"}[self.flavor]
        doctype = ("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
                   "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"
                   if self.flavor in ("trs", "generic") else "<!DOCTYPE html>\n<html lang=\"zh-CN\">")
        charset = ('<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
                   if self.flavor in ("trs", "generic", "hanweb") else '<meta charset="utf-8">')
        meta = (f'<meta name="SiteName" content="{esc(s.name)}">\n<meta name="SiteIDCode" content="{s.site_code}">\n'
                + (f'<meta name="keywords" content="{esc(keywords)}">\n' if keywords else ""))
        cr = self.crumb(crumb) if crumb else ""
        return (f"{doctype}\n<head>\n{charset}\n<title>{esc(title)}</title>\n{meta}"
                f'<link rel="stylesheet" type="text/css" href="{css}" />\n{head_extra}</head>\n<body>\n'
                f"{self.header()}<div class=\"container main\">\n{cr}{main}\n</div>\n{self.footer()}</body>\n</html>\n")


# ---------------------------------------------------------------------------------------------------------- filler

_NEWS_SUBJECTS = [
    "召开全体会议", "开展安全生产大检查", "部署防汛抗旱工作", "推进乡村振兴重点项目建设", "召开优化营商环境工作推进会",
    "开展“119”消防宣传月活动", "举行重点项目集中开工仪式", "调研基层党建工作", "召开耕地保护工作会议", "开展春季植树活动",
    "召开民生实事项目推进会", "举办政务服务技能比武", "部署秋冬季大气污染防治工作", "开展食品安全专项检查",
    "召开招商引资工作调度会", "举办就业招聘会", "推进城乡环境综合整治", "开展森林防灭火督查",
]
_NOTICES = [
    "关于公开征求意见的公告", "关于做好元旦春节期间有关工作的通知", "关于公布行政执法主体名单的公告",
    "关于开展2024年度统计执法检查的通知", "关于印发政务公开工作要点的通知", "关于调整城乡居民医保缴费标准的通知",
    "关于公开招聘社区工作者的公告", "关于公布权责清单的通知",
]


def filler_items(spec: SiteSpec, kind: str, n: int, start: str = "2025-04-10") -> list[tuple[str, str]]:
    """(title, date) pairs of news or notices, newest first."""
    r = rng_for("filler", spec.id, kind)
    pool = _NEWS_SUBJECTS if kind == "news" else _NOTICES
    d = dt.date.fromisoformat(start)
    out = []
    for i in range(n):
        subj = pool[(i * 7 + r.randint(0, len(pool) - 1)) % len(pool)]
        title = f"{spec.place}{subj}" if kind == "news" else f"{spec.name}{subj}"
        if kind == "notice" and "办公室" not in title and r.random() < 0.4:
            title = f"{spec.name}办公室{subj}"
        out.append((title, d.isoformat()))
        d -= dt.timedelta(days=r.randint(2, 9))
    return out


def news_paragraphs(spec: SiteSpec, title: str, date: str) -> list[str]:
    r = rng_for("newsp", spec.id, title)
    d = dt.date.fromisoformat(date)
    return [
        f"{d.month}月{d.day}日，{title.replace(spec.place, spec.place, 1)}。{spec.place}相关负责同志出席并讲话。",
        "会议强调，要提高政治站位，压紧压实责任，细化工作措施，确保各项任务落地见效。",
        f"会上，相关部门负责人作了交流发言。{spec.place}有关部门和各乡镇（街道）主要负责同志参加会议。",
    ] + (["会议要求，各部门要加强协调配合，形成工作合力，以实干实绩推动高质量发展。"] if r.random() < 0.5 else [])


def robots_txt(disallow: list[str], extra: str = "") -> bytes:
    lines = ["User-agent: *"] + [f"Disallow: {p}" for p in disallow] + ([extra] if extra else [])
    return ("\n".join(lines) + "\n").encode("ascii")


# ---------------------------------------------------------------------------------------------------------- reports

_VARIANT_P = {
    "label_typos": 0.2, "br_in_headers": 0.3, "header_cuts": 0.1, "halfwidth": 0.15, "value_styles": 0.35,
    "nested_p_span": 0.2, "one_big_table": 0.1, "layout_table": 0.1, "no_body_title": 0.08, "title_split": 0.1,
}


def pick_variants(plan: ReportPlan, seed: int, style: str, *, allow_values: bool = True, rare: bool = False) -> dict:
    r = rng_for("variants", seed, plan.key, plan.changed_in or 0)
    v = {name: r.random() < p for name, p in _VARIANT_P.items()}
    v["rowspan_colspan"] = r.random() < 0.8
    if not allow_values:
        v["value_styles"] = False
    x = r.random()
    if x < 0.08:
        v["signature_date"] = True
    elif x < 0.18:
        v["meta_date"] = True
    elif x < 0.21:
        v["no_date"] = True
    if rare and r.random() < 0.06:
        v["rare_chars"] = True
    if style == "gkmlpt":
        v["gkmlpt_detail"] = True
        v["layout_table"] = False
    return {k: val for k, val in v.items() if val}


def find_title(html: str, agency: str, year: int) -> str:
    from .reports import report_title

    for form in (1, 2, 0):
        t = "".join(report_title(agency, year, form))
        if t in html:
            return t
    return f"{agency}{year}年政府信息公开工作年度报告"


def truth_for(plan: ReportPlan, seed: int, generation: int) -> dict:
    """The truth behind a report: the prebuilt attachment's truth, or a random one for HTML reports, fitted so
    that the agency's reports chain across years (see :mod:`demoportal.chain`)."""
    from .chain import chained_truth

    return chained_truth(plan, seed, generation)


def render_report(plan: ReportPlan, seed: int, generation: int, style: str, *, allow_values: bool = True,
                  rare: bool = False) -> tuple[str, dict, str]:
    """(page html as reports.py renders it, truth as printed, title). Cached per process (rendering is
    deterministic), so that starting several portals or mutating one stays cheap."""
    changed = bool(plan.changed_in and generation >= plan.changed_in)
    key = (plan.key, plan.report_year, plan.agency, plan.published, seed, changed, style, allow_values, rare)
    with _CACHE_LOCK:
        hit = _RENDER_CACHE.get(key)
    if hit is None:
        hit = _render_report(plan, seed, generation, style, allow_values=allow_values, rare=rare)
        with _CACHE_LOCK:
            _RENDER_CACHE[key] = hit
    page, truth, title = hit
    return page, copy.deepcopy(truth), title


_RENDER_CACHE: dict = {}
_CACHE_LOCK = threading.Lock()


def _render_report(plan: ReportPlan, seed: int, generation: int, style: str, *, allow_values: bool = True,
                   rare: bool = False) -> tuple[str, dict, str]:
    from .reports import make_document

    truth = truth_for(plan, seed, generation)
    variants = pick_variants(plan, seed, style, allow_values=allow_values and not plan.attachment_key, rare=rare)
    page, printed = make_document(truth, style, catalog.stable_int(seed, plan.key, "doc") % 10**6, **variants)
    title = find_title(page, plan.agency, plan.report_year)
    printed["title"] = title
    if "other_single_row" in truth:
        printed["other_single_row"] = truth["other_single_row"]
    return page, printed, title


_SWAPS = {
    # style: [(regex, slot)]  slot: header | crumb | footer | headcrumb
    "trs": [(r'<div class="top">.*?</ul></div>\n', "header"), (r'<div class="position">.*?</div>\n', "crumb"),
            (r'<div class="footer">.*?</div>\n(?=</body>)', "footer")],
    "hanweb": [(r'<div class="header"><div class="wz">.*?</div></div>\n', "header"), (r'<div class="dqwz">.*?</div>\n', "crumb"),
               (r'<div class="footer">.*?(?=</body>)', "footer")],
    "generic": [(r'<div class="nav">.*?</div>\n<div class="crumb">.*?</div>\n', "headcrumb"),
                (r'<div class="copyright">.*?</div>\n?', "footer")],
}

_CONTENT = {
    "trs": ('<div class="TRS_Editor"><div class="Custom_UnionStyle">\n', "\n</div></div>\n</div>"),
    "hanweb": ("<!--<$[信息内容]>begin-->", "<!--<$[信息内容]>end-->"),
    "generic": ('<div class="content">\n', "\n</div>\n</div>"),
}


def credit_code(agency: str, region_code: str) -> str:
    """The agency's 18-character unified social credit code (the prefix of its 信息索引号)."""
    from . import reports

    fn = getattr(reports, "_credit_code", None)
    if fn is not None:
        return fn(agency, region_code)
    return ("11" + region_code + "%010d" % (catalog.stable_int("credit", agency) % 10**10))[:18]


def adapt_article(page: str, style: str, chrome: Chrome, crumb: list, *, agency: str, host: str) -> str:
    """Put a page rendered by reports.py into this site's chrome (header, breadcrumb, footer, site names)."""
    s = chrome.spec
    unknown = credit_code(agency, "000000")
    if unknown in page:  # reports.py cannot place our fictional agencies: give their 索引号 the site's region
        page = page.replace(unknown, credit_code(agency, s.region_code))
    page = page.replace(f"{agency}门户网站门户网站", f"{s.name}门户网站").replace(f"{agency}门户网站", s.name)
    page = re.sub(r'(<meta name="SiteDomain" content=")[^"]*(")', lambda m: m.group(1) + host + m.group(2), page)
    page = re.sub(r'(<meta name="SiteIDCode" content=")[^"]*(")', lambda m: m.group(1) + s.site_code + m.group(2), page)
    slots = {"header": chrome.header(), "crumb": chrome.crumb(crumb), "footer": chrome.footer(),
             "headcrumb": chrome.header() + chrome.crumb(crumb)}
    missing = []
    for rx, slot in _SWAPS.get(style, []):
        new, n = re.subn(rx, lambda m, _s=slot: slots[_s], page, count=1, flags=re.S)
        if n:
            page = new
        else:
            missing.append(slot)
    if "header" in missing or "headcrumb" in missing:
        page = re.sub(r"(<body[^>]*>\n?)", lambda m: m.group(1) + slots["header"] + slots["crumb"], page, count=1)
    if "footer" in missing:
        page = page.replace("</body>", slots["footer"] + "</body>", 1)
    return page


def replace_content(page: str, style: str, content: str) -> str:
    a, b = _CONTENT[style]
    i = page.find(a)
    j = page.find(b, i + len(a)) if i >= 0 else -1
    if i < 0 or j < 0:
        raise ValueError(f"content markers for style {style} not found")
    return page[: i + len(a)] + content + page[j:]


def special_page(kind: str, style: str, agency: str, year: int, seed: int, published: str, *,
                 title: str | None = None, content: str | None = None) -> str:
    """A non-report article page (or a report shell) in a reports.py style with our own title/content."""
    from .reports import render_special_page

    base_kind = {"guide": "guide"}.get(kind, "attachment_only" if kind == "attachment_only" else
                                       "images_only" if kind == "images_only" else "news")
    page, _ = render_special_page(base_kind, agency, year, seed, style, published=published)
    if title:
        old = _old_title(base_kind, agency, year)
        page = page.replace(esc(old), esc(title)).replace(old, title)
    if content is not None:
        page = replace_content(page, style, content)
    return page


def _old_title(kind: str, agency: str, year: int) -> str:
    if kind == "guide":
        return f"{agency}政府信息公开指南"
    if kind == "news":
        return f"{agency}召开{year + 1}年政务公开工作推进会"
    if kind == "images_only":
        return f"{agency}{year}年政府信息公开工作年度报告（图片版）"
    return f"{agency}{year}年政府信息公开工作年度报告"


def paragraphs(paras: list[str]) -> str:
    return "\n".join(p if p.startswith("<") else f'<p style="text-indent:2em;">{p}</p>' for p in paras)


def decoy_paragraphs(spec: SiteSpec, d: DecoyPlan) -> list[str]:
    """Body text for a decoy by kind (guide, rule, notice, news, interpretation)."""
    y = int(d.date[:4])
    if d.kind == "rule":
        return [f"第一条　为规范{spec.name}政府信息公开工作，根据《中华人民共和国政府信息公开条例》，结合本地实际，制定本制度。",
                "第二条　各单位应当建立健全政府信息公开审查机制，明确审查的程序和责任。",
                "第三条　拟公开的政府信息应当依照《中华人民共和国保守国家秘密法》以及其他法律、法规和国家有关规定进行审查。",
                "第四条　各单位应当于每年1月31日前向本级政府信息公开工作主管部门提交本单位上一年度政府信息公开工作年度报告。",
                "第五条　本制度自印发之日起施行。"]
    if d.kind == "notice":
        return ["各乡镇人民政府、街道办事处，县直各部门：",
                f"根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求，现就做好{y}年度政府信息公开工作"
                "年度报告编制发布工作通知如下：",
                "一、严格执行统一格式。各单位应当按照《中华人民共和国政府信息公开工作年度报告格式》编制年度报告，不得擅自增减栏目。",
                "二、按时发布。各部门应于1月31日前、各乡镇（街道）应于3月31日前在政府信息公开专栏发布本单位年度报告。",
                "三、确保数据准确。各单位要认真核对表格数据，确保勾稽关系正确。"]
    if d.kind == "interpretation":
        return ["<p style=\"text-align:center;\"><img src=\"./W0tujie_01.png\" alt=\"图解\" width=\"640\"></p>",
                f"{y - 1}年，{spec.name}政府信息公开工作以习近平新时代中国特色社会主义思想为指导，持续深化政务公开。",
                "一图读懂年度报告：主动公开政府信息数量稳步增长，依申请公开办理规范高效，政府信息管理持续加强。"]
    if d.kind == "guide":
        return ["为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》规定，编制本指南。",
                "一、主动公开：公开范围、公开方式、公开时限。",
                "二、依申请公开：受理机构、申请方式、办理时限。",
                f"三、政府信息公开工作年度报告：{spec.name}于每年3月31日前公布上一年度政府信息公开工作年度报告。",
                "四、监督和救济。"]
    return news_paragraphs(spec, d.title, d.date)


# ---------------------------------------------------------------------------------------------------------- hostile pages

def ruishu_412(seed_key: str) -> Resource:
    r = rng_for("rs", seed_key)
    cookie = "".join(r.choice("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._") for _ in range(86))
    cd = "".join(r.choice("qrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") for _ in range(400))
    body = ("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
            "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge,chrome=1\">"
            f"<meta id=\"9DhefwqGPrzGxEp9hPaoag\" content=\"{cookie[:40]}\" r='m'>"
            "<!--[if lt IE 9]><script r='m'>document.createElement(\"section\")</script><![endif]-->"
            "<script type=\"text/javascript\" r='m'>var $_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
            f"$_ts.nsd=86143;$_ts.cd=\"{cd}\";if($_ts.lcd)$_ts.lcd();</script>"
            "<script type=\"text/javascript\" charset=\"utf-8\" src=\"/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js\" r='m'></script>"
            "</head><body></body></html>").encode("utf-8")
    headers = {"Set-Cookie": f"FSSBBIl1UgzbN7N80S={cookie}; Path=/; expires=Fri, 20 Nov 2026 12:00:00 GMT; HttpOnly",
               "Cache-Control": "no-store", "Connection": "keep-alive"}
    return Resource(body, "text/html", status=412, headers=headers)


def jsl_521(seed_key: str) -> Resource:
    r = rng_for("jsl", seed_key)
    uid = "%032x" % r.getrandbits(128)
    clearance = f"{r.randint(1700000000, 1790000000)}.{r.randint(100, 999)}|0|{''.join(r.choice('abcdefABCDEF0123456789') for _ in range(28))}%3D"
    parts = "+".join(f"('{ch}')" for ch in "__jsl_clearance_s=")
    body = ("<html><body><script>document.cookie=" + parts + f"+('{clearance}')+';max-age=3600;path=/';"
            "location.href=location.pathname+location.search</script></body></html>").encode("utf-8")
    # the literal cookie name also appears in the obfuscated form's comment, as some versions print it plainly
    body = body.replace(b"<script>", b"<script>/* __jsl_clearance */", 1)
    headers = {"Set-Cookie": f"__jsluid_h={uid}; max-age=31536000; path=/; HttpOnly", "Cache-Control": "no-cache"}
    return Resource(body, "text/html", status=521, headers=headers)


def deleted_page() -> bytes:
    return ('<html><head><meta http-equiv="refresh" content="0;url=../"><meta http-equiv="Content-Type" '
            'content="text/html; charset=utf-8"><title></title></head><body></body></html>').encode("utf-8")


def not_found_page(spec: SiteSpec) -> Callable[[str], bytes]:
    body = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404-页面不存在 - {esc(spec.name)}</title></head>"
            "<body><div class=\"err404\"><img src=\"/images/404.png\" alt=\"\"><p>抱歉，您访问的页面不存在或已被删除！</p>"
            "<p><a href=\"/\">返回首页</a></p></div></body></html>")

    def fn(path: str) -> bytes:
        return body.encode("utf-8")

    return fn


# ---------------------------------------------------------------------------------------------------------- site parts
# What the site modules build alike; each site module keeps only what is specific to its CMS (paths, lists, markup).

def open_site(b: SiteBuild, flavor: str, nav: list, *, server: str, robots: list[str], ext: str = "html") -> Chrome:
    """Start a site: its chrome, ``Server`` header, 404 page and robots.txt (unchanged since generation 1)."""
    chrome = Chrome(b.spec, flavor, nav, ext=ext)
    b.content.server_header = server
    b.content.not_found = not_found_page(b.spec)
    b.add("/robots.txt", robots_txt(robots), "text/plain", mtime=GEN_TIME[1])
    return chrome


def served_behaviour(p: ReportPlan) -> str | None:
    """The part of a plan's behaviour the server acts out (``gbk_nodecl`` is a matter of encoding, not serving)."""
    return p.behaviour if p.behaviour in ("slow", "fail_once") else None


def attached_report(p: ReportPlan) -> tuple[dict, str, dict, str]:
    """(truth, title, first file, its extension) of a report whose numbers are only in a prebuilt attachment.
    The title is the plan's (the link text the site shows), not the one printed in the file."""
    entry = manifest()["attachments"][p.attachment_key]
    truth = dict(entry["truth"])
    truth["title"] = p.title
    f = entry["files"][0]
    return truth, p.title, f, f["file"].rsplit(".", 1)[-1]


def attachment_only_page(b: SiteBuild, p: ReportPlan, title: str, paras: list[str]) -> str:
    """A report page whose body is only ``paras`` (a line or two and the attachment link), in the site's style."""
    return special_page("attachment_only", b.spec.style, p.agency, p.report_year, b.seed, p.published, title=title,
                        content=paragraphs(paras))


def publish_report(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list, page: str, truth: dict,
                   title: str, fmt: str, *, mtime: float, behaviour: str | None = None, declare: str | None = "default",
                   adapt: bool = True, **expect) -> str:
    """Serve a report article at ``path`` (put into the site's chrome first unless ``adapt`` is false) and record
    it as expected (``expect``: further :meth:`SiteBuild.expect_report` fields). Returns the title, the list's link
    text."""
    if adapt:
        page = adapt_article(page, b.spec.style, chrome, crumb, agency=p.agency, host=b.host)
    b.page(path, page, mtime=mtime, behaviour=behaviour, declare=declare)
    b.expect_report(p, b.url(path), title, truth, fmt, **expect)
    return title


def report_page(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list,
                attach: Callable[[str, dict, str], tuple[str, str]], *, mtime: float, behaviour: str | None = None,
                html_notes: list[str] | None = None, attachment_notes: list[str] | None = None) -> str:
    """A report article: the numbers in the page (``p.form == "html"``), or a short page that only links the prebuilt
    attachment. ``attach(title, file, ext) -> (attachment URL, link HTML)`` serves the file the site's way (its paths
    and its download script differ per CMS). Returns the title."""
    if p.form == "html":
        page, truth, title = render_report(p, b.seed, b.generation, b.spec.style, rare=True)
        return publish_report(b, chrome, p, path, crumb, page, truth, title, "html", mtime=mtime, behaviour=behaviour,
                              notes=html_notes)
    truth, title, f, ext = attached_report(p)
    url, link = attach(title, f, ext)
    page = attachment_only_page(b, p, title, [f"{title}详见附件。", link])
    return publish_report(b, chrome, p, path, crumb, page, truth, title, p.form, mtime=mtime, behaviour=behaviour,
                          attachments=[url], notes=attachment_notes)


def hostile_decoy(b: SiteBuild, d: DecoyPlan, path: str) -> bool:
    """Serve a decoy that is no article (a WAF challenge, a deleted page's redirect, a dead link) and record it;
    False (nothing done) for a decoy of another kind."""
    if d.kind == "challenge_412":
        b.content.routes[path], status = ruishu_412(d.key), 412
    elif d.kind == "challenge_521":
        b.content.routes[path], status = jsl_521(d.key), 521
    elif d.kind == "deleted":
        b.add(path, deleted_page(), "text/html")
        status = 200
    elif d.kind == "not_found":
        status = 404
    else:
        return False
    b.expect_decoy(d, b.url(path), d.title, d.kind, status=status)
    return True


def decoy_article(b: SiteBuild, chrome: Chrome, d: DecoyPlan, path: str, crumb: list, *, kind: str | None = None,
                  year: int | None = None, paras: list[str] | None = None) -> None:
    """A decoy served as an ordinary article in the site's style (by default a guide for guides, else a news-like
    page with the text of its kind) and recorded as expected."""
    spec = b.spec
    page = special_page(kind or ("guide" if d.kind == "guide" else "news"), spec.style, spec.name,
                        int(d.date[:4]) if year is None else year, b.seed, d.date, title=d.title,
                        content=paragraphs(decoy_paragraphs(spec, d) if paras is None else paras))
    b.page(path, adapt_article(page, spec.style, chrome, crumb, agency=spec.name, host=b.host),
           mtime=ts_of(d.date, d.key))
    b.expect_decoy(d, b.url(path), d.title, d.kind, status=200)


def filler_pages(b: SiteBuild, chrome: Chrome, kind: str, n: int, path_of: Callable[[int, str], str], *,
                 crumb: list | None = None, start: str = "2025-04-10",
                 article: Callable[[str, str], str] | None = None) -> list[tuple[str, str, str]]:
    """Serve ``n`` filler articles (``kind`` news or notice, see :func:`filler_items`) that the home and column pages
    link to; returns (title, date, path), newest first. ``path_of(i, date)`` places item i; ``article(title, date)``
    gives its page (default: a reports.py news page put into the site's chrome under ``crumb``)."""
    spec = b.spec
    links = []
    for i, (t, d) in enumerate(filler_items(spec, kind, n, start)):
        path = path_of(i, d)
        links.append((t, d, path))
        if article is None:
            page = special_page("news", spec.style, spec.name, int(d[:4]), b.seed, d, title=t,
                                content=paragraphs(news_paragraphs(spec, t, d)))
            page = adapt_article(page, spec.style, chrome, crumb, agency=spec.name, host=b.host)
        else:
            page = article(t, d)
        b.page(path, page, mtime=ts_of(d, t))
    return links


def plain_pages(b: SiteBuild, chrome: Chrome, entries: list[tuple[str, str]], main: Callable[[str], str], crumb: list,
                mtime: float, *, sep: str) -> None:
    """One plain column page per (text, path), so that the site's links do not answer 404: titled
    "{text}{sep}{site name}", body ``main(text)``, breadcrumb ``crumb`` + the page itself."""
    for text, path in entries:
        b.page(path, chrome.page(f"{text}{sep}{b.spec.name}", main(text), crumb=crumb + [(text, None)]), mtime=mtime)
