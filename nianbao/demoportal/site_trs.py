"""TRS WCM sites: static pages, index.html / index_1.html … pagination written by inline script."""

from __future__ import annotations


from .catalog import DecoyPlan, ReportPlan, rng_for
from .sitekit import (cls_attr, GEN_TIME, Chrome, SiteBuild, adapt_article, decoy_paragraphs, deleted_page, esc, filler_items,
                      jsl_521, manifest, news_paragraphs, not_found_page, paragraphs, render_report, robots_txt,
                      ruishu_412, special_page, ts_of)

# Site layout per TRS site: paths are site-specific and not guessable.
LAYOUT = {
    "demo-trs": {
        "ext": "html", "pager": "createPageHTML", "per_page": 8, "stub": True,
        "nav": [("首页", "/index.html"), ("走进示例", "/zjsl/index.html"), ("新闻中心", "/xwzx/index.html"),
                ("政务公开", "/zwgk/index.html"), ("政务服务", "/zwfw/index.html"), ("互动交流", "/hdjl/index.html"),
                ("专题专栏", "/ztzl/index.html")],
        "zwgk": ("政务公开", "/zwgk/index.html"),
        "xxgk": ("政府信息公开", "/zwgk/zfxxgk_57140/index.html"),
        "cols": [("政府信息公开指南", "zfxxgkzn"), ("政府信息公开制度", "zfxxgkzd"), ("法定主动公开内容", "fdzdgknr"),
                 ("政府信息公开年报", "zfxxgknb"), ("依申请公开", "ysqgk")],
        "col_base": "/zwgk/zfxxgk_57140/",
        "nb_slug": "zfxxgknb",
        "robots": ["/wcm/", "/search/"],
        "server": "nginx",
    },
    "demo-trs-city": {
        "ext": "shtml", "pager": "countPage", "per_page": 6, "stub": False, "truncate": 24,
        "nav": [("首页", "/index.shtml"), ("走进样例", "/zjyl/index.shtml"), ("政务动态", "/zwdt/index.shtml"),
                ("政府信息公开", "/xxgk/index.shtml"), ("政务服务", "/zwfw/index.shtml"), ("政民互动", "/zmhd/index.shtml")],
        "zwgk": None,
        "xxgk": ("政府信息公开", "/xxgk/index.shtml"),
        "cols": [("政府信息公开指南", "xxgkzn"), ("政府信息公开制度", "xxgkzd"), ("法定主动公开内容", "fdzdgk"),
                 ("政府信息公开年度报告", "ndbg"), ("依申请公开", "ysqgk")],
        "col_base": "/xxgk/",
        "nb_slug": "ndbg",
        "robots": ["/preview/", "/cgi-bin/"],
        "server": "Apache",
    },
}


def _pager_script(kind: str, count: int, current: int, ext: str) -> str:
    if kind == "createPageHTML":
        return (f'<div class="page" id="page_div"><script type="text/javascript">createPageHTML({count}, {current}, '
                f'"index", "{ext}");</script></div>')
    return ('<div class="fenye"><script language="JavaScript">\n'
            f"var currentPage = {current};//所在页从0开始\n"
            "var prevPage = currentPage-1//上一页\n"
            "var nextPage = currentPage+1//下一页\n"
            f"var countPage = {count}//共多少页\n"
            'document.write("共"+countPage+"页&nbsp;&nbsp;");\n'
            "//设置上一页代码\n"
            "if(countPage>1&&currentPage!=0&&currentPage!=1)\n"
            f'\tdocument.write("<a href=\\"index"+"_" + prevPage + "."+"{ext}\\">上一页</a>&nbsp;");\n'
            "else if(countPage>1&&currentPage!=0&&currentPage==1)\n"
            f'\tdocument.write("<a href=\\"index.{ext}\\">上一页</a>&nbsp;");\n'
            "else\n\tdocument.write(\"上一页&nbsp;\");\n"
            "//设置下一页代码\n"
            "if(countPage>1&&currentPage!=(countPage-1))\n"
            f'\tdocument.write("<a href=\\"index"+"_" + nextPage + "."+"{ext}\\" >下一页</a>&nbsp;");\n'
            "else\n\tdocument.write(\"下一页&nbsp;\");\n"
            "</script></div>")


_CREATE_PAGE_JS = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("首页&nbsp;上一页&nbsp;");
  else {
    document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;");
    if(nCurrIndex == 1) document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">上一页</a>&nbsp;");
    else document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex-1) + "." + _sPageExt + "\\">上一页</a>&nbsp;");
  }
  if(nCurrIndex == (_nPageCount-1)) document.write("下一页&nbsp;尾页");
  else {
    document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex+1) + "." + _sPageExt + "\\">下一页</a>&nbsp;");
    document.write("<a href=\\"" + _sPageName + "_" + (_nPageCount-1) + "." + _sPageExt + "\\">尾页</a>");
  }
}
</script>
"""


def build(b: SiteBuild, plans: list[ReportPlan], decoys: list[DecoyPlan]) -> None:
    spec = b.spec
    L = LAYOUT[spec.id]
    ext = L["ext"]
    chrome = Chrome(spec, "trs", L["nav"], ext=ext)
    b.content.server_header = L["server"]
    b.content.not_found = not_found_page(spec)
    gen_t = GEN_TIME[b.generation]
    gen1_t = GEN_TIME[1]
    mutated_site = any(p.generation == 2 for p in plans) and b.generation >= 2
    list_t = gen_t if mutated_site else gen1_t
    head_js = _CREATE_PAGE_JS if L["pager"] == "createPageHTML" else ""

    b.add("/robots.txt", robots_txt(L["robots"]), "text/plain", mtime=gen1_t)

    col_base = L["col_base"]
    nb_base = f"{col_base}{L['nb_slug']}/"
    nb_name = dict((slug, name) for name, slug in L["cols"])[L["nb_slug"]]
    crumb_home = [("首页", f"/index.{ext}")]
    crumb_zwgk = crumb_home + ([L["zwgk"]] if L["zwgk"] else [])
    crumb_xxgk = crumb_zwgk + [L["xxgk"]]
    crumb_nb = crumb_xxgk + [(nb_name, f"{nb_base}index.{ext}")]

    # ------------------------------------------------------------------ list items
    items = []  # dicts: title, href (relative to list dir), date, kind, ...
    for p in plans:
        if p.generation > b.generation:
            continue
        items.append({"plan": p, "date": p.published, "title": None, "kind": "report"})
    for d in decoys:
        items.append({"decoy": d, "date": d.date, "title": d.title, "kind": d.kind})
    items.sort(key=lambda it: (it["date"], it.get("plan").key if it.get("plan") else it["decoy"].key), reverse=True)

    # article pages
    for it in items:
        date = it["date"]
        ym = date[:7].replace("-", "")
        ymd = date.replace("-", "")
        if it["kind"] == "report":
            p: ReportPlan = it["plan"]
            rel = f"./{ym}/t{ymd}_{p.docid}.{ext}"
            it["href"] = rel
            it["path"] = f"{nb_base}{ym}/t{ymd}_{p.docid}.{ext}"
            it["title"] = _report_page(b, chrome, p, it["path"], crumb_nb, ym, ymd)
        else:
            d: DecoyPlan = it["decoy"]
            if d.kind == "robots_disallowed":
                path = f"/preview{nb_base}{ym}/t{ymd}_{d.docid}.{ext}"
                it["href"] = path
            else:
                path = f"{nb_base}{ym}/t{ymd}_{d.docid}.{ext}"
                it["href"] = f"./{ym}/t{ymd}_{d.docid}.{ext}"
            it["path"] = path
            _decoy_page(b, chrome, d, path, crumb_nb)

    # duplicate link with a tracking query: the newest government report pinned on top of page 1
    pinned = next((it for it in items if it["kind"] == "report" and it["plan"].kind == "gov"), None)
    if pinned is not None:
        track = "?from=zhiding" if spec.id == "demo-trs" else "?source=sy_tj"
        pinned_item = dict(pinned, href=pinned["href"] + track, pinned=True)
        items.insert(0, pinned_item)
        alias = b.url(pinned["path"] + track)
        pinned["alias"] = alias

    # ------------------------------------------------------------------ list pages
    per = L["per_page"]
    pages = [items[i:i + per] for i in range(0, len(items), per)]
    count = len(pages) + (1 if L["stub"] else 0)
    listing_of: dict[str, list[str]] = {}
    truncate = L.get("truncate")
    for n, chunk in enumerate(pages):
        name = "index" if n == 0 else f"index_{n}"
        list_path = f"{nb_base}{name}.{ext}"
        lis = []
        for it in chunk:
            text = it["title"]
            if truncate and len(text) > truncate:
                text = text[:truncate] + "..."
            zd = '<i class="zd">置顶</i>' if it.get("pinned") else ""
            lis.append(f'<li>{zd}<a href="{esc(it["href"])}" target="_blank" title="{esc(it["title"])}">{esc(text)}</a>'
                       f'<span class="date">{it["date"]}</span></li>')
            listing_of.setdefault(it["path"], []).append(b.url(list_path))
        main = (f'<div class="left_nav">{_left_nav(L, col_base, ext, L["nb_slug"])}</div>\n'
                f'<div class="right_list"><div class="list_title"><h2>{esc(nb_name)}</h2></div>\n'
                f'<ul class="list" id="list">\n' + "\n".join(lis) + "\n</ul>\n"
                + _pager_script(L["pager"], count, n, ext) + "\n</div>")
        b.page(list_path, chrome.page(f"{nb_name}_{spec.name}", main, crumb=crumb_nb, head_extra=head_js),
               mtime=list_t)
    if L["stub"]:
        # the deep page the pager announces was never republished: a tiny broken stub
        b.add(f"{nb_base}index_{count - 1}.{ext}",
              b'<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n<title></title>\n'
              b'</head>\n<body>\n<div class="list"><ul>\n', "text/html", mtime=gen1_t - 86400 * 400)
        b.notes.append(f"{b.url(nb_base)}index_{count - 1}.{ext} is a broken stub")
    b.column_urls.append(b.url(f"{nb_base}index.{ext}"))

    # fill in listing urls of expected entries
    for e in b.reports + b.decoys:
        path = e["url"][len(b.base_url) - 1:]
        e["listing_urls"] = sorted(set(listing_of.get(path, [])))
    for e in b.reports:
        for it in items:
            if it["kind"] == "report" and b.url(it["path"]) == e["url"] and it.get("alias"):
                e["aliases"].append(it["alias"])

    # ------------------------------------------------------------------ navigation pages
    _nav_pages(b, chrome, L, ext, crumb_home, crumb_zwgk, crumb_xxgk, nb_base, nb_name, gen1_t)
    chrome.footer_pages(b, gen1_t)


def _left_nav(L: dict, col_base: str, ext: str, current: str) -> str:
    lis = "".join(f'<li{cls_attr("cur", slug == current)}><a href="{col_base}{slug}/index.{ext}">{esc(name)}</a></li>'
                  for name, slug in L["cols"])
    return f'<h3>{esc(L["xxgk"][0])}</h3><ul>{lis}</ul>'


def _report_page(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list, ym: str, ymd: str) -> str:
    spec = b.spec
    style = spec.style
    mtime = ts_of(p.published, p.key)
    if p.changed_in and b.generation >= p.changed_in:
        mtime = GEN_TIME[p.changed_in] + 3600
    url = b.url(path)
    r = rng_for("att", p.key)
    gbk = spec.encoding == "gbk"
    declare = None if p.behaviour == "gbk_nodecl" else "default"
    enc_name = "gbk" if gbk else "utf-8"
    if p.form == "html":
        page, truth, title = render_report(p, b.seed, b.generation, style, rare=not gbk)
        page = adapt_article(page, style, chrome, crumb, agency=p.agency, host=b.host)
        atts = []
        if p.attach_copy:
            f = manifest()["attachments"][p.attachment_key]["files"][0]
            name = f"P0{ymd}{r.randint(100000000000, 999999999999)}.pdf"
            apath = path.rsplit("/", 1)[0] + "/" + name
            b.attachment(apath, f["file"], mtime=mtime)
            link = (f'<p class="fujian">附件：<a href="./{name}" OLDSRC="/protect/P0{ym}/P0{ymd}/{name}" '
                    f'target="_blank">{esc(title)}.pdf</a></p>')
            page = page.replace("\n</div></div>\n</div>", "\n" + link + "\n</div></div>\n</div>", 1)
            atts.append(b.url(apath))
        b.page(path, page, mtime=mtime, behaviour=p.behaviour if p.behaviour in ("slow", "fail_once") else None,
               declare=declare)
        notes = ["no charset declaration (GBK bytes)"] if declare is None else []
        b.expect_report(p, url, title, truth, "html", attachments=atts, encoding=enc_name, notes=notes)
        return title
    entry = manifest()["attachments"][p.attachment_key]
    truth = dict(entry["truth"])
    title = p.title
    truth["title"] = title
    atts = []
    if p.form == "image":
        imgs = []
        stem = f"W0{ymd}{r.randint(100000, 999999)}"
        for i, f in enumerate(entry["files"]):
            name = f"{stem}{i:02d}.jpg"
            apath = path.rsplit("/", 1)[0] + "/" + name
            b.attachment(apath, f["file"], mtime=mtime)
            atts.append(b.url(apath))
            imgs.append(f'<p style="text-align:center;"><img src="./{name}" OLDSRC="W0{ymd}/{name}" alt="" '
                        f'width="700" border="0"></p>')
        content = "\n".join(imgs)
        page = special_page("images_only", style, p.agency, p.report_year, b.seed, p.published, title=title,
                            content=content)
    else:
        f = entry["files"][0]
        ext = f["file"].rsplit(".", 1)[-1]
        prefix = "W0" if ext in ("xls", "xlsx") else "P0"
        name = f"{prefix}{ymd}{r.randint(100000000000, 999999999999)}.{ext}"
        apath = path.rsplit("/", 1)[0] + "/" + name
        b.attachment(apath, f["file"], mtime=mtime)
        atts.append(b.url(apath))
        if p.form == "xls":
            # the page keeps the text; the statistics tables are in the spreadsheet
            paras = [f"{p.agency}{p.report_year}年政府信息公开工作年度报告如下，统计表格详见附件。",
                     "一、总体情况",
                     f"{p.report_year}年，{p.agency}认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。",
                     "二、主动公开政府信息情况　三、收到和处理政府信息公开申请情况　四、政府信息公开行政复议、行政诉讼情况",
                     "（详见附件统计表）",
                     "五、存在的主要问题及改进情况",
                     "公开内容的全面性、及时性有待提高。下一步将进一步规范公开流程，提升公开质量。",
                     "六、其他需要报告的事项",
                     "无。"]
        else:
            paras = [f"{title}详见附件。"]
        paras.append(f'附件：<a href="./{name}" OLDSRC="/protect/{prefix}{ym}/{prefix}{ymd}/{name}" target="_blank">'
                     f"{esc(title)}.{ext}</a>")
        page = special_page("attachment_only", style, p.agency, p.report_year, b.seed, p.published, title=title,
                            content=paragraphs(paras))
    page = adapt_article(page, style, chrome, crumb, agency=p.agency, host=b.host)
    b.page(path, page, mtime=mtime, behaviour=p.behaviour if p.behaviour in ("slow", "fail_once") else None,
           declare=declare)
    b.expect_report(p, url, title, truth, p.form, attachments=atts, encoding=enc_name,
                    notes=["numbers only in scanned images"] if p.form == "image" else [])
    return title


def _decoy_page(b: SiteBuild, chrome: Chrome, d: DecoyPlan, path: str, crumb: list) -> None:
    spec = b.spec
    url = b.url(path)
    if d.kind == "challenge_412":
        b.content.routes[path] = ruishu_412(d.key)
        b.expect_decoy(d, url, d.title, d.kind, status=412)
        return
    if d.kind == "challenge_521":
        b.content.routes[path] = jsl_521(d.key)
        b.expect_decoy(d, url, d.title, d.kind, status=521)
        return
    if d.kind == "deleted":
        b.add(path, deleted_page(), "text/html")
        b.expect_decoy(d, url, d.title, d.kind, status=200)
        return
    if d.kind == "not_found":
        b.expect_decoy(d, url, d.title, d.kind, status=404)
        return
    year = int(d.date[:4])
    if d.kind == "robots_disallowed":
        page = special_page("attachment_only", spec.style, spec.name, year - 1, b.seed, d.date, title=d.title,
                            content=paragraphs(["本页面为预发布预览，正式内容以发布稿为准。"]))
    else:
        page = special_page("guide" if d.kind == "guide" else "news", spec.style, spec.name, year, b.seed, d.date,
                            title=d.title, content=paragraphs(decoy_paragraphs(spec, d)))
    page = adapt_article(page, spec.style, chrome, crumb, agency=spec.name, host=b.host)
    b.page(path, page, mtime=ts_of(d.date, d.key))
    b.expect_decoy(d, url, d.title, d.kind, status=200)


def _nav_pages(b: SiteBuild, chrome: Chrome, L: dict, ext: str, crumb_home, crumb_zwgk, crumb_xxgk, nb_base, nb_name,
               mtime: float) -> None:
    spec = b.spec
    news = filler_items(spec, "news", 14)
    notices = filler_items(spec, "notice", 8, start="2025-04-15")
    news_dir = "/xwzx/zwyw/" if spec.id == "demo-trs" else "/zwdt/bmdt/"
    news_links = []
    for i, (t, d) in enumerate(news):
        ym, ymd = d[:7].replace("-", ""), d.replace("-", "")
        path = f"{news_dir}{ym}/t{ymd}_{rng_for('n', spec.id, i).randint(1000000, 9999999)}.{ext}"
        news_links.append((t, d, path))
        body = (f'<div class="article"><h1 class="article-title">{esc(t)}</h1><div class="info">发布时间：{d}　来源：{esc(spec.place)}融媒体中心</div>'
                f'<div id="zoom"><div class="TRS_Editor">{paragraphs(news_paragraphs(spec, t, d))}</div></div></div>')
        b.page(path, chrome.page(f"{t}_{spec.name}", body, crumb=crumb_home + [("新闻中心", None)]), mtime=ts_of(d, t))
    notice_links = []
    for i, (t, d) in enumerate(notices):
        ym, ymd = d[:7].replace("-", ""), d.replace("-", "")
        path = f"/tzgg/{ym}/t{ymd}_{rng_for('t', spec.id, i).randint(1000000, 9999999)}.{ext}"
        notice_links.append((t, d, path))
        body = (f'<div class="article"><h1 class="article-title">{esc(t)}</h1><div class="info">发布时间：{d}</div>'
                f'<div id="zoom"><div class="TRS_Editor">{paragraphs(news_paragraphs(spec, t, d)[:2])}</div></div></div>')
        b.page(path, chrome.page(f"{t}_{spec.name}", body, crumb=crumb_home + [("通知公告", None)]), mtime=ts_of(d, t))

    def ul(links, n):
        return "<ul>" + "".join(f'<li><a href="{p}" title="{esc(t)}" target="_blank">{esc(t)}</a><span>{d[5:]}</span></li>'
                                for t, d, p in links[:n]) + "</ul>"

    xxgk_path = L["xxgk"][1]
    zwgk_entry = L["zwgk"][1] if L["zwgk"] else xxgk_path
    home = (f'<div class="banner"><img src="/images/banner1.jpg" alt=""></div>\n'
            f'<div class="box yw"><div class="hd"><h3>{"要闻动态" if spec.id == "demo-trs" else "政务动态"}</h3>'
            f'<a class="more" href="{news_dir}index.{ext}">更多&gt;&gt;</a></div>{ul(news_links, 8)}</div>\n'
            f'<div class="box tz"><div class="hd"><h3>通知公告</h3><a class="more" href="/tzgg/index.{ext}">更多&gt;&gt;</a></div>'
            f"{ul(notice_links, 6)}</div>\n"
            f'<div class="box zwgk"><div class="hd"><h3>政务公开</h3><a class="more" href="{zwgk_entry}">更多&gt;&gt;</a></div>'
            f'<ul class="rk"><li><a href="{zwgk_entry}">政策文件</a></li><li><a href="{zwgk_entry}">人事信息</a></li>'
            f'<li><a href="{zwgk_entry}">财政资金</a></li><li><a href="/zwfw/index.{ext}">办事指南</a></li></ul></div>\n'
            '<div class="box fw"><div class="hd"><h3>政务服务</h3></div><ul class="icons">'
            f'<li><a href="/zwfw/index.{ext}">个人办事</a></li><li><a href="/zwfw/index.{ext}">法人办事</a></li>'
            f'<li><a href="/hdjl/index.{ext}">我要咨询</a></li><li><a href="/hdjl/index.{ext}">我要投诉</a></li></ul></div>\n')
    home_html = chrome.page(f"{spec.name}门户网站", home, keywords=f"{spec.name},{spec.place},政务公开")
    b.page(f"/index.{ext}", home_html, mtime=mtime)
    b.page("/", home_html, mtime=mtime)
    b.page(f"{news_dir}index.{ext}", chrome.page(f"新闻中心_{spec.name}", ul(news_links, 14), crumb=crumb_home + [("新闻中心", None)]),
           mtime=mtime)
    b.page(f"/tzgg/index.{ext}", chrome.page(f"通知公告_{spec.name}", ul(notice_links, 8), crumb=crumb_home + [("通知公告", None)]),
           mtime=mtime)
    for text, href in L["nav"][1:]:
        if href in (zwgk_entry, xxgk_path) or href.startswith(news_dir.rsplit("/", 2)[0] + "/index"):
            continue
        if href in b.content.routes:
            continue
        b.page(href, chrome.page(f"{text}_{spec.name}", f'<div class="box"><h2>{esc(text)}</h2>{ul(news_links[3:9], 6)}</div>',
                                 crumb=crumb_home + [(text, None)]), mtime=mtime)

    col_base = L["col_base"]
    blocks = "".join(f'<li><a href="{col_base}{slug}/index.{ext}">{esc(name)}</a></li>' for name, slug in L["cols"])
    if L["zwgk"]:
        zwgk_main = (f'<div class="box"><div class="hd"><h3>政府信息公开</h3></div><ul class="gk_rk">'
                     f'<li><a href="{xxgk_path}">政府信息公开</a></li><li><a href="/zwgk/zcwj/index.{ext}">政策文件</a></li>'
                     f'<li><a href="/zwgk/zdly/index.{ext}">重点领域信息公开</a></li><li><a href="/zwgk/zcjd/index.{ext}">政策解读</a></li>'
                     f'</ul></div>\n<div class="box"><div class="hd"><h3>最新公开</h3></div>{ul(notice_links, 6)}</div>')
        b.page(L["zwgk"][1], chrome.page(f"政务公开_{spec.name}", zwgk_main, crumb=crumb_zwgk), mtime=mtime)
        for slug, text in (("zcwj", "政策文件"), ("zdly", "重点领域信息公开"), ("zcjd", "政策解读")):
            b.page(f"/zwgk/{slug}/index.{ext}", chrome.page(f"{text}_{spec.name}", ul(notice_links, 8),
                                                             crumb=crumb_zwgk + [(text, None)]), mtime=mtime)
    xxgk_main = (f'<div class="left_nav"><h3>{esc(L["xxgk"][0])}</h3><ul>{blocks}</ul></div>\n'
                 f'<div class="right_list"><div class="box"><div class="hd"><h3>法定主动公开内容</h3></div>{ul(notice_links, 6)}</div></div>')
    b.page(xxgk_path, chrome.page(f"{L['xxgk'][0]}_{spec.name}", xxgk_main, crumb=crumb_xxgk), mtime=mtime)
    for name, slug in L["cols"]:
        if slug == L["nb_slug"]:
            continue
        path = f"{col_base}{slug}/index.{ext}"
        main = (f'<div class="left_nav">{_left_nav(L, col_base, ext, slug)}</div>\n'
                f'<div class="right_list"><div class="list_title"><h2>{esc(name)}</h2></div>{ul(notice_links[:3], 3)}</div>')
        b.page(path, chrome.page(f"{name}_{spec.name}", main, crumb=crumb_xxgk + [(name, None)]), mtime=mtime)
    b.nav_path = [b.url("/"), b.url(L["zwgk"][1]) if L["zwgk"] else None, b.url(xxgk_path), b.url(f"{nb_base}index.{ext}")]
    b.nav_path = [u for u in b.nav_path if u]
