"""A site on a generic CMS (JEECMS-like .jhtml pages): 年报 split by year sub-columns, 下一页/尾页 pagination."""

from __future__ import annotations

from urllib.parse import quote

from .catalog import DecoyPlan, ReportPlan, rng_for
from .server import Request, Resource, Response
from .sitekit import (GEN_TIME, Chrome, SiteBuild, decoy_article, esc, file_bytes, filler_pages, hostile_decoy,
                      open_site, plain_pages, report_page, ts_of)

NB = "/zfxxgk/gknb/"
PER_PAGE = 2


def _folder_for(year: int) -> int:
    """The year folder a report of ``year`` sits in: folders are by report year, except that the 2019 reports were
    filed under 2020年 (the year they were published)."""
    return 2020 if year == 2019 else year


def _list_path(folder: int, n: int) -> str:
    return f"{NB}{folder}n/index.jhtml" if n == 1 else f"{NB}{folder}n/index_{n}.jhtml"


def build(b: SiteBuild, plans: list[ReportPlan], decoys: list[DecoyPlan]) -> None:
    spec = b.spec
    nav = [("网站首页", "/"), ("县情概况", "/xqgk/index.jhtml"), ("新闻中心", "/xwzx/index.jhtml"),
           ("政府信息公开", "/zfxxgk/index.jhtml"), ("办事服务", "/bsfw/index.jhtml"), ("互动交流", "/hdjl/index.jhtml")]
    chrome = open_site(b, "generic", nav, server="Apache-Coyote/1.1", robots=["/member/", "/jeeadmin/"], ext="jhtml")
    gen1_t = GEN_TIME[1]
    crumb_home = [("网站首页", "/")]
    crumb_xxgk = crumb_home + [("政府信息公开", "/zfxxgk/index.jhtml")]
    crumb_nb = crumb_xxgk + [("政府信息公开年报", f"{NB}index.jhtml")]

    folders: dict[int, list[tuple[str, str, str]]] = {}
    downloads: dict[str, Resource] = {}

    def download(req: Request):
        res = downloads.get(req.query.get("fileid", ""))
        return res if res is not None else Response(404, "text/html;charset=UTF-8", "文件不存在".encode("utf-8"))

    b.content.handlers["/attachment/download.jsp"] = download
    for p in plans:
        if p.generation > b.generation:
            continue
        folder = _folder_for(p.report_year)
        path = f"{NB}{folder}n/{p.docid}.jhtml"
        title = _report_page(b, chrome, p, path, crumb_nb + [(f"{folder}年", _list_path(folder, 1))], downloads)
        folders.setdefault(folder, []).append((p.published, title, path))
    decoy_folder = {"challenge_521": 2022, "guide": 2021, "news": 2023}
    for d in decoys:
        folder = decoy_folder.get(d.kind, 2024)
        path = f"{NB}{folder}n/{d.docid}.jhtml"
        if not hostile_decoy(b, d, path):  # the 521 challenge
            decoy_article(b, chrome, d, path, crumb_nb)
        folders.setdefault(folder, []).append((d.date, d.title, path))

    listing: dict[str, str] = {}
    years = sorted(folders, reverse=True)
    sub = "".join(f'<li><a href="{_list_path(y, 1)}">{y}年</a></li>' for y in years)
    for y in years:
        rows = sorted(folders[y], reverse=True)
        pages = (len(rows) + PER_PAGE - 1) // PER_PAGE
        for n in range(1, pages + 1):
            chunk = rows[(n - 1) * PER_PAGE: n * PER_PAGE]
            trs = []
            for date, title, path in chunk:
                listing[b.url(path)] = b.url(_list_path(y, n))
                trs.append(f'<tr><td class="list_dot">·</td><td class="list_title"><a href="{path}" target="_blank" '
                           f'title="{esc(title)}">{esc(title)}</a></td><td class="list_date" width="90">[{date}]</td></tr>')
            pg = [f"共{len(rows)}条记录 {n}/{pages}页"]
            if n > 1:
                pg += [f'<a href="{_list_path(y, 1)}">首页</a>', f'<a href="{_list_path(y, n - 1)}">上一页</a>']
            if n < pages:
                pg += [f'<a href="{_list_path(y, n + 1)}">下一页</a>', f'<a href="{_list_path(y, pages)}">尾页</a>']
            main = (f'<table width="1000" align="center"><tr><td width="220" valign="top" class="leftbox">'
                    f'<div class="lefttitle">政府信息公开年报</div><ul class="sublist">{sub}</ul></td>'
                    f'<td valign="top" class="rightbox"><div class="coltitle">{y}年</div>'
                    f'<table width="100%" class="listtable">{"".join(trs)}</table>'
                    f'<div class="pagelist">{"&nbsp;".join(pg)}</div></td></tr></table>')
            b.page(_list_path(y, n), chrome.page(f"{y}年-{spec.name}", main,
                                                 crumb=crumb_nb + [(f"{y}年", None)]), mtime=gen1_t)
    b.set_listings(listing)
    nb_main = (f'<table width="1000" align="center"><tr><td width="220" valign="top" class="leftbox">'
               f'<div class="lefttitle">政府信息公开年报</div><ul class="sublist">{sub}</ul></td>'
               '<td valign="top" class="rightbox"><div class="coltitle">政府信息公开年报</div>'
               '<p class="colnote">请选择年度：</p><ul class="yearlist">'
               + "".join(f'<li><a href="{_list_path(y, 1)}">{y}年</a></li>' for y in years)
               + "</ul></td></tr></table>")
    b.page(f"{NB}index.jhtml", chrome.page(f"政府信息公开年报-{spec.name}", nb_main, crumb=crumb_nb), mtime=gen1_t)
    b.column_urls.append(b.url(f"{NB}index.jhtml"))
    b.column_urls += [b.url(_list_path(y, 1)) for y in years]
    b.notes.append("year folder 2020年 holds the 2019 reports")
    _nav_pages(b, chrome, nav, gen1_t, crumb_home, crumb_xxgk)
    chrome.footer_pages(b, gen1_t)


def _report_page(b: SiteBuild, chrome: Chrome, p: ReportPlan, path: str, crumb: list,
                 downloads: dict[str, Resource]) -> str:
    def attach(title: str, f: dict, ext: str) -> tuple[str, str]:
        r = rng_for("hnatt", p.key)
        if p.link_form in ("cd_gbk", "cd_rfc5987"):
            # A download endpoint: the URL and the link text say nothing of the file; only the answer's
            # Content-Disposition names it (synthetic: GBK percent-encoding is not evidenced on a government page
            # in the stored material; RFC 5987 filename* is the standard form).
            fid = r.randint(100000, 999999)
            apath = f"/attachment/download.jsp?fileid={fid}"
            name = f"{title}.{ext}"
            if p.link_form == "cd_gbk":
                disp, text = f'attachment; filename="{quote(name.encode("gbk"))}"', "附件1"
            else:
                disp, text = f"attachment; filename*=UTF-8''{quote(name)}", "点击下载"
            downloads[str(fid)] = Resource(lambda fn=f["file"]: file_bytes(fn), "application/octet-stream",
                                           headers={"Content-Disposition": disp}, mtime=mtime)
            return b.url(apath), f'附件：<a href="{esc(apath)}" target="_blank">{text}</a>'
        ym = p.url_date[:7].replace("-", "")
        apath = f"/u/cms/www/{ym}/{p.url_date[8:10]}{r.randint(10000000, 99999999)}{r.choice('abcdef')}{r.randint(0, 9)}.{ext}"
        b.attachment(apath, f["file"], mtime=mtime)
        return b.url(apath), f'附件下载：<a href="{apath}" target="_blank">{esc(title)}.{ext}</a>'

    mtime = ts_of(p.published, p.key)
    return report_page(b, chrome, p, path, crumb, attach, mtime=mtime)


def _nav_pages(b: SiteBuild, chrome: Chrome, nav: list, mtime: float, crumb_home, crumb_xxgk) -> None:
    spec = b.spec
    links = filler_pages(b, chrome, "news", 10,
                         lambda i, d: f"/xwzx/xzdt/{rng_for('hnn', spec.id, i).randint(20000, 29999)}.jhtml",
                         crumb=crumb_home + [("新闻中心", nav[2][1])])

    def table(n, off=0):
        return '<table width="100%" class="listtable">' + "".join(
            f'<tr><td class="list_title"><a href="{p}" target="_blank" title="{esc(t)}">{esc(t)}</a></td>'
            f'<td class="list_date">{d}</td></tr>' for t, d, p in links[off:off + n]) + "</table>"

    home = ('<table width="1000" align="center"><tr>'
            f'<td width="480" valign="top"><div class="boxtitle">今日要闻 <a href="{nav[2][1]}">更多&gt;&gt;</a></div>{table(7)}</td>'
            '<td width="20"></td><td valign="top"><div class="boxtitle">政府信息公开</div><ul class="gkbox">'
            f'<li><a href="{nav[3][1]}">政府信息公开</a></li><li><a href="/zfxxgk/zcwj/index.jhtml">政策文件</a></li>'
            f'<li><a href="{nav[4][1]}">办事指南</a></li><li><a href="{nav[5][1]}">县长信箱</a></li></ul></td></tr></table>')
    b.home(chrome.page(f"{spec.name}", home), "/index.jhtml", mtime=mtime)
    plain_pages(b, chrome, [(t, h) for t, h in nav[1:] if h != nav[3][1]],
                lambda text: f'<div class="coltitle">{esc(text)}</div>{table(8, 2)}', crumb_home, mtime, sep="-")
    cols = [("政府信息公开指南", "/zfxxgk/gkzn/index.jhtml"), ("政府信息公开制度", "/zfxxgk/gkzd/index.jhtml"),
            ("法定主动公开内容", "/zfxxgk/fdzdgknr/index.jhtml"), ("政府信息公开年报", f"{NB}index.jhtml"),
            ("政策文件", "/zfxxgk/zcwj/index.jhtml")]
    lis = "".join(f'<li><a href="{h}">{esc(t)}</a></li>' for t, h in cols)
    xxgk = (f'<table width="1000" align="center"><tr><td width="220" valign="top" class="leftbox">'
            f'<div class="lefttitle">政府信息公开</div><ul class="sublist">{lis}</ul></td>'
            f'<td valign="top" class="rightbox"><div class="coltitle">最新公开信息</div>{table(5, 4)}</td></tr></table>')
    b.page(nav[3][1], chrome.page(f"政府信息公开-{spec.name}", xxgk, crumb=crumb_xxgk), mtime=mtime)
    plain_pages(b, chrome, [(t, h) for t, h in cols if not h.startswith(NB)],
                lambda text: f'<div class="coltitle">{esc(text)}</div>{table(3, 1)}', crumb_xxgk, mtime, sep="-")
    b.nav_path = [b.url("/"), b.url(nav[3][1]), b.url(f"{NB}index.jhtml")]
