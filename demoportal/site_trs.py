"""TRS WCM sites: static pages, pagination written by inline script.

demo-trs pages with the classic call createPageHTML(N, cur, "index", "html") (index.html, index_1.html …, numbered
from 0); demo-trs-city with the 6-argument form createPageHTML('page_div', N, cur, 'index', 'shtml', total) of
Hunan/Hainan/Zhenjiang/Xinjiang deployments (index.shtml, index_2.shtml …, numbered from 1). Both call shapes and
both pager functions are real (tests/crawlers/pages/trs/SOURCE.txt).
"""

from __future__ import annotations


from .catalog import DecoyPlan, ReportPlan, rng_for
from .sitekit import (GEN_TIME, Chrome, SiteBuild, adapt_article, attached_report, attachment_only_page, cls_attr,
                      decoy_article, esc, filler_pages, hostile_decoy, manifest, news_paragraphs, open_site, paragraphs,
                      plain_pages, publish_report, render_report, served_behaviour, special_page, ts_of)

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
        "ext": "shtml", "pager": "createPageHTML_B", "per_page": 6, "stub": False, "truncate": 24,
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


def _page_name(kind: str, n: int) -> str:
    """The file name (without extension) of list page n (0 = the first)."""
    if n == 0:
        return "index"
    return f"index_{n + 1}" if kind == "createPageHTML_B" else f"index_{n}"


def _pager_script(kind: str, count: int, current: int, ext: str, total: int = 0) -> str:
    if kind == "createPageHTML_B":
        return (f'<div class="page" id="page_div"></div><script type="text/javascript">'
                f"createPageHTML('page_div',{count}, {current + 1},'index','{ext}',{total});</script>")
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


# The 6-argument pager as real sites ship it (numbered from 1; the page links exist only once the script ran).
_CREATE_PAGE_B_JS = """<script type="text/javascript">
function createPageHTML(_divName, _nPageCount, _nCurrIndex, _sPageName, _sPageExt, _nPageSum) {
  var _sPageName = _sPageName.split('/')[_sPageName.split('/').length-1] || _sPageName;
  var con_text = "";
  if(_nPageCount == null || _nPageCount < 1) return;
  con_text += "<div class=\\"pagination-first\\"><a class=\\"pagination-index\\" href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>";
  if(_nCurrIndex == 1){ con_text += "<a class=\\"pagination-index\\" href=\\"javascript:;\\">上一页</a>"; }
  else if(_nCurrIndex == 2){ con_text += "<a class=\\"pagination-index\\" href=\\""+_sPageName+"."+_sPageExt+"\\">上一页</a>"; }
  else { con_text += "<a class=\\"pagination-index\\" href=\\""+_sPageName+"_"+(_nCurrIndex-1)+"."+_sPageExt+"\\">上一页</a>"; }
  if(_nCurrIndex < _nPageCount){ con_text += "<a class=\\"pagination-index\\" href=\\""+_sPageName+"_"+(_nCurrIndex+1)+"."+_sPageExt+"\\">下一页</a>"; }
  if(_nPageCount == 1){ con_text += "<a class=\\"pagination-index\\" href=\\"javascript:;\\">末页</a></div>"; }
  else { con_text += "<a class=\\"pagination-index\\" href=\\""+_sPageName+"_"+_nPageCount+"."+_sPageExt+"\\">末页</a></div>"; }
  con_text += "<div class=\\"pagination-last\\"><span>共 "+_nPageSum+" 条</span><span>共 "+_nPageCount+" 页</span><span>当前第 "+_nCurrIndex+" 页</span></div>";
  document.getElementById(_divName).innerHTML = con_text;
}
</script>
"""

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
    chrome = open_site(b, "trs", L["nav"], server=L["server"], robots=L["robots"], ext=ext)
    gen_t = GEN_TIME[b.generation]
    gen1_t = GEN_TIME[1]
    mutated_site = any(p.generation == 2 for p in plans) and b.generation >= 2
    list_t = gen_t if mutated_site else gen1_t
    head_js = {"createPageHTML": _CREATE_PAGE_JS, "createPageHTML_B": _CREATE_PAGE_B_JS}.get(L["pager"], "")

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
        items.append({"plan": p, "date": p.published, "url_date": p.url_date, "title": None, "kind": "report"})
    for d in decoys:
        items.append({"decoy": d, "date": d.date, "title": d.title, "kind": d.kind})
    items.sort(key=lambda it: (it["date"], it.get("plan").key if it.get("plan") else it["decoy"].key), reverse=True)

    # article pages
    for it in items:
        date = it.get("url_date") or it["date"]  # a late report keeps the path of its planned date
        ym = date[:7].replace("-", "")
        ymd = date.replace("-", "")
        if it["kind"] == "report":
            p: ReportPlan = it["plan"]
            rel = f"./{ym}/t{ymd}_{p.docid}.{ext}"
            it["href"] = rel
            it["path"] = f"{nb_base}{ym}/t{ymd}_{p.docid}.{ext}"
            it["title"] = _report_page(b, chrome, p, it["path"], crumb_nb, ym, ymd)
            if p.list_title:  # the list says something else than the page's own title
                it["title"] = b.reports[-1]["title"] = p.list_title
                b.reports[-1]["notes"].append(f"list link text differs from the page title: {p.list_title}")
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
        name = _page_name(L["pager"], n)
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
                + _pager_script(L["pager"], count, n, ext, len(items)) + "\n</div>")
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
    r = rng_for("att", p.key)
    gbk = spec.encoding == "gbk"
    declare = None if p.behaviour == "gbk_nodecl" else "default"
    served = {"mtime": mtime, "behaviour": served_behaviour(p), "declare": declare,
              "encoding": "gbk" if gbk else "utf-8"}
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
        notes = ["no charset declaration (GBK bytes)"] if declare is None else []
        return publish_report(b, chrome, p, path, crumb, page, truth, title, "html", adapt=False, attachments=atts,
                              notes=notes, **served)
    truth, title, f, ext = attached_report(p)
    atts = []
    if p.form == "image":
        imgs = []
        stem = f"W0{ymd}{r.randint(100000, 999999)}"
        for i, f in enumerate(manifest()["attachments"][p.attachment_key]["files"]):
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
        if p.link_form == "script":
            # the link exists only as a script string written by document.write (a TRS habit: captured on
            # spxz.tax.sh.gov.cn, tests/crawlers/pages/trs/SOURCE.txt)
            paras.append('<script type="text/javascript">\n'
                         f"var att = '<a href=\"./{name}\">{esc(title)}.{ext}</a>';\n"
                         "if (att != null && att.length > 0) {\n"
                         "  document.write('附件：<br /><p>' + att + '</p>');\n}\n</script>")
        else:
            paras.append(f'附件：<a href="./{name}" OLDSRC="/protect/{prefix}{ym}/{prefix}{ymd}/{name}" target="_blank">'
                         f"{esc(title)}.{ext}</a>")
        page = attachment_only_page(b, p, title, paras)
    notes = ["numbers only in scanned images"] if p.form == "image" else []
    if p.link_form == "script":
        notes.append("attachment link only inside a script string (document.write)")
    return publish_report(b, chrome, p, path, crumb, page, truth, title, p.form, attachments=atts, notes=notes,
                          **served)


def _decoy_page(b: SiteBuild, chrome: Chrome, d: DecoyPlan, path: str, crumb: list) -> None:
    if hostile_decoy(b, d, path):
        return
    if d.kind == "robots_disallowed":  # a preview copy of a report, under a path robots.txt forbids
        decoy_article(b, chrome, d, path, crumb, kind="attachment_only", year=int(d.date[:4]) - 1,
                      paras=["本页面为预发布预览，正式内容以发布稿为准。"])
    else:
        decoy_article(b, chrome, d, path, crumb)


def _nav_pages(b: SiteBuild, chrome: Chrome, L: dict, ext: str, crumb_home, crumb_zwgk, crumb_xxgk, nb_base, nb_name,
               mtime: float) -> None:
    spec = b.spec
    news_dir = "/xwzx/zwyw/" if spec.id == "demo-trs" else "/zwdt/bmdt/"

    def dated_path(folder: str, rng_key: str):
        """TRS article paths: {folder}{yyyymm}/t{yyyymmdd}_{docid}.{ext}."""
        def path_of(i: int, d: str) -> str:
            docid = rng_for(rng_key, spec.id, i).randint(1000000, 9999999)
            return f"{folder}{d[:7].replace('-', '')}/t{d.replace('-', '')}_{docid}.{ext}"
        return path_of

    def article_page(column: str, source: str, n_paras: int | None):
        def article(t: str, d: str) -> str:
            paras = paragraphs(news_paragraphs(spec, t, d)[:n_paras])
            body = (f'<div class="article"><h1 class="article-title">{esc(t)}</h1><div class="info">发布时间：{d}{source}</div>'
                    f'<div id="zoom"><div class="TRS_Editor">{paras}</div></div></div>')
            return chrome.page(f"{t}_{spec.name}", body, crumb=crumb_home + [(column, None)])
        return article

    news_links = filler_pages(b, chrome, "news", 14, dated_path(news_dir, "n"),
                              article=article_page("新闻中心", f"　来源：{esc(spec.place)}融媒体中心", None))
    notice_links = filler_pages(b, chrome, "notice", 8, dated_path("/tzgg/", "t"), start="2025-04-15",
                                article=article_page("通知公告", "", 2))

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
    b.home(chrome.page(f"{spec.name}门户网站", home, keywords=f"{spec.name},{spec.place},政务公开"), f"/index.{ext}",
           mtime=mtime)
    lists = {"新闻中心": ul(news_links, 14), "通知公告": ul(notice_links, 8)}
    plain_pages(b, chrome, [("新闻中心", f"{news_dir}index.{ext}"), ("通知公告", f"/tzgg/index.{ext}")], lists.get,
                crumb_home, mtime, sep="_")
    news_index = news_dir.rsplit("/", 2)[0] + "/index"
    plain_pages(b, chrome, [(t, h) for t, h in L["nav"][1:] if h not in (zwgk_entry, xxgk_path)
                            and not h.startswith(news_index) and h not in b.content.routes],
                lambda text: f'<div class="box"><h2>{esc(text)}</h2>{ul(news_links[3:9], 6)}</div>', crumb_home, mtime,
                sep="_")

    col_base = L["col_base"]
    blocks = "".join(f'<li><a href="{col_base}{slug}/index.{ext}">{esc(name)}</a></li>' for name, slug in L["cols"])
    if L["zwgk"]:
        zwgk_main = (f'<div class="box"><div class="hd"><h3>政府信息公开</h3></div><ul class="gk_rk">'
                     f'<li><a href="{xxgk_path}">政府信息公开</a></li><li><a href="/zwgk/zcwj/index.{ext}">政策文件</a></li>'
                     f'<li><a href="/zwgk/zdly/index.{ext}">重点领域信息公开</a></li><li><a href="/zwgk/zcjd/index.{ext}">政策解读</a></li>'
                     f'</ul></div>\n<div class="box"><div class="hd"><h3>最新公开</h3></div>{ul(notice_links, 6)}</div>')
        b.page(L["zwgk"][1], chrome.page(f"政务公开_{spec.name}", zwgk_main, crumb=crumb_zwgk), mtime=mtime)
        zwgk_cols = (("zcwj", "政策文件"), ("zdly", "重点领域信息公开"), ("zcjd", "政策解读"))
        plain_pages(b, chrome, [(text, f"/zwgk/{slug}/index.{ext}") for slug, text in zwgk_cols],
                    lambda text: ul(notice_links, 8), crumb_zwgk, mtime, sep="_")
    xxgk_main = (f'<div class="left_nav"><h3>{esc(L["xxgk"][0])}</h3><ul>{blocks}</ul></div>\n'
                 f'<div class="right_list"><div class="box"><div class="hd"><h3>法定主动公开内容</h3></div>{ul(notice_links, 6)}</div></div>')
    b.page(xxgk_path, chrome.page(f"{L['xxgk'][0]}_{spec.name}", xxgk_main, crumb=crumb_xxgk), mtime=mtime)
    slug_of = dict(L["cols"])
    plain_pages(b, chrome, [(name, f"{col_base}{slug}/index.{ext}") for name, slug in L["cols"]
                            if slug != L["nb_slug"]],
                lambda name: (f'<div class="left_nav">{_left_nav(L, col_base, ext, slug_of[name])}</div>\n'
                              f'<div class="right_list"><div class="list_title"><h2>{esc(name)}</h2></div>'
                              f'{ul(notice_links[:3], 3)}</div>'),
                crumb_xxgk, mtime, sep="_")
    b.nav_path = [b.url("/"), b.url(L["zwgk"][1]) if L["zwgk"] else None, b.url(xxgk_path), b.url(f"{nb_base}index.{ext}")]
    b.nav_path = [u for u in b.nav_path if u]
