"""A whole report page: the narrative and tables inside a platform's chrome (TRS, Hanweb, gkmlpt, generic, bare)."""
from __future__ import annotations

import copy
import datetime as _dt
import hashlib
import html as _html
import json
import random

from .narrative import _cn_date, _contact, _h, _narrative, _p, report_title
from .regions import _region_parts
from .tables import _Cell, _active_rows, _apply_rows, _heading_row, _review_rows, _table_html, _widen, _width
from .template import _SECTIONS
from .truth import _agency_kind, _rng
from .variants import VARIANTS, _Fmt, _Opts, _check_variants


_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _credit_code(agency: str, area: str) -> str:
    """An 18-character unified social credit code (GB 32100 check digit) for an agency; 11 = 机关."""
    h = hashlib.sha256(agency.encode("utf-8")).digest()
    body = "11" + (area or "000000")[:6].ljust(6, "0") + "".join(_CODE_CHARS[b % 10] for b in h[:9])
    total = sum(_CODE_CHARS.index(ch) * w for ch, w in zip(body, _CODE_WEIGHTS))
    return body + _CODE_CHARS[(31 - total % 31) % 31]


def _site_name(truth: dict) -> tuple[str, str]:
    parts = _region_parts(truth.get("agency"))
    if not parts:
        return (truth.get("agency") or "政府信息公开") + "门户网站", "000000"
    prov, city, county, code = parts
    return (county or city or prov) + "人民政府", code


def _domain(site: str) -> str:
    h = hashlib.md5(site.encode("utf-8")).hexdigest()
    letters = "".join(chr(ord("a") + int(ch, 16) % 26) for ch in h[:5])
    return f"www.{letters}.gov.cn"


def _short_agency(agency: str, parts: tuple | None) -> str:
    if parts:
        for pre in (parts[0] + parts[1] + parts[2], parts[1] + parts[2], parts[2], parts[1]):
            if pre and agency.startswith(pre) and len(agency) > len(pre) + 1:
                rest = agency[len(pre):]
                if not rest.endswith("人民政府"):
                    return rest
    return agency


def _decoys(truth: dict, rng: random.Random) -> list[tuple[str, str]]:
    agency = truth.get("agency") or "本机关"
    y = truth["report_year"]
    parts = _region_parts(agency)
    prefix = (parts[1] + parts[2]) if parts else ""
    others = [prefix + d for d in ("发展和改革局", "教育局", "民政局", "司法局", "住房和城乡建设局", "市场监督管理局",
                                    "交通运输局", "农业农村局", "卫生健康局", "应急管理局")]
    others = [o for o in others if o != agency]
    rng.shuffle(others)
    items = [
        f"{agency}{y - 1}年政府信息公开工作年度报告",
        f"{others[0]}{y}年政府信息公开工作年度报告",
        f"{others[1]}关于{y}年政府信息公开年度工作报告",
        f"{others[2]}{y}年度政府信息公开工作报告",
        f"{agency}{y - 2}年政府信息公开工作年度报告（图片版）",
        f"关于印发{y + 1}年政务公开工作要点的通知",
    ]
    rng.shuffle(items)
    base = _dt.date(y + 1, 1, 5)
    return [(t, (base + _dt.timedelta(days=rng.randint(0, 60))).isoformat()) for t in items]


def _time_of_day(rng: random.Random) -> str:
    return f"{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def render_report_html(truth: dict, style: str = "trs", seed: int = 0, **variants) -> str:
    """A complete HTML page showing ``truth`` as a report on a portal of ``style``.

    The renderer prints exactly what the truth says: null cells as not-reported markers, units from
    ``truth["units"]`` in the cell, ``truth["published"]`` as the page date (None: no date anywhere). Use
    :func:`make_document` to get a truth adjusted for ``value_styles`` / ``no_date``.
    """
    v = _check_variants(style, variants)
    if truth.get("template") not in ("2019", "2021"):
        raise ValueError("truth has no template 2019/2021")
    rng = _rng("page", seed, style, truth.get("agency"), truth.get("report_year"))
    o = _Opts(v, style, truth["template"], _rng("opts", seed, style))
    fmt = _Fmt(truth, seed, v["value_styles"])
    agency = truth.get("agency") or ""
    y = truth["report_year"]
    parts = _region_parts(agency)
    site, area = _site_name(truth)
    domain = _domain(site)
    form = 1 if v["title_split"] and rng.random() < 0.7 else rng.choice((0, 0, 1, 2))
    t1, t2 = report_title(agency, y, form)
    title = t1 + t2
    contact = _contact(rng, v["rare_chars"])
    text = _narrative(truth, o, rng, site, contact)

    # --- dates
    published = truth.get("published")
    page_date: str | None = None
    sign_date: str | None = None
    if published and not v["no_date"]:
        if v["signature_date"]:
            sign_date = published
        elif v["meta_date"]:
            page_date = published
            if rng.random() < 0.6:
                d = _dt.date.fromisoformat(published) - _dt.timedelta(days=rng.randint(1, 12))
                sign_date = d.isoformat()
        else:
            page_date = sign_date = published
    page_time = _time_of_day(rng)

    # --- body
    hp = rng.randint(0, 2)
    body: list[str] = []
    chrome_title = ""
    if not v["no_body_title"]:
        if style == "bare" or v["gkmlpt_detail"]:
            body.append(_title_html(t1, t2, style, v["title_split"], in_content=True))
        else:
            chrome_title = _title_html(t1, t2, style, v["title_split"])
            if not v["title_split"] and rng.random() < 0.3:  # the Word document's own title repeated in the body
                body.append(_title_html(t1, t2, style, False, in_content=True))
    for para in text["0"]:
        body.append(_p(para, style))
    body.append(_h(_SECTIONS[0], style, 1, hp))
    for i, para in enumerate(text["1"]):
        body.append(_h(para, style, 2, hp) if i % 2 == 0 else _p(para, style))
    body.append(_h(_SECTIONS[1], style, 1, hp))
    active = _active_rows(truth, o, fmt)
    apply_rows = _apply_rows(truth, o, fmt)
    review_rows = _review_rows(truth, o, fmt)
    if v["one_big_table"]:
        all_rows: list[list[_Cell]] = []
        for t in active:
            all_rows += _widen(t, 4, o.spans)
        wa, _ = _width(apply_rows)
        width = max(15, wa)
        all_rows = _widen(all_rows, width, o.spans)
        all_rows.append(_heading_row(o.label(_SECTIONS[2]), width, o))
        all_rows += _widen(apply_rows, width, o.spans)
        all_rows.append(_heading_row(o.label(_SECTIONS[3]), width, o))
        all_rows += _widen(review_rows, width, o.spans)
        body.append(_table_html(all_rows, o, "xxgk-table"))
    else:
        if o.active_merged:
            merged: list[list[_Cell]] = []
            for t in active:
                merged += _widen(t, 4, o.spans)
            body.append(_table_html(merged, o))
        else:
            for t in active:
                body.append(_table_html(t, o))
                if style == "bare":
                    body.append("<p class=MsoNormal><span lang=EN-US>&nbsp;</span></p>")
        body.append(_h(_SECTIONS[2], style, 1, hp))
        body.append(_table_html(apply_rows, o))
        body.append(_h(_SECTIONS[3], style, 1, hp))
        body.append(_table_html(review_rows, o))
    body.append(_h(_SECTIONS[4], style, 1, hp))
    body += [_p(x, style) for x in text["5"]]
    body.append(_h(_SECTIONS[5], style, 1, hp))
    body += [_p(x, style) for x in text["6"]]
    signer = agency
    if _agency_kind(agency) == "government" and rng.random() < 0.3:
        signer = agency + "办公室"
    sig = [signer] + ([_cn_date(sign_date)] if sign_date else [])
    if style == "bare":
        body += [f"<p class=MsoNormal align=right style='text-align:right'><span style='font-size:16.0pt;"
                 f"font-family:仿宋_GB2312'>{s}</span></p>" for s in sig]
    else:
        body += [f'<p style="text-align:right;">{s}</p>' for s in sig]
    content = "\n".join(body)

    ctx = {
        "title": title, "title_html": chrome_title, "agency": agency, "site": site, "domain": domain, "area": area,
        "page_date": page_date, "page_time": page_time, "year": y, "parts": parts,
        "credit": _credit_code(agency, area), "serial": rng.randint(100, 99999), "docid": rng.randint(1000000, 9999999),
        "short": _short_agency(agency, parts), "decoys": _decoys(truth, rng) if v["sidebar_decoys"] else [],
    }
    return _CHROME[style](content, ctx, v, rng)


def _title_html(t1: str, t2: str, style: str, split: bool, in_content: bool = False) -> str:
    """The title element(s) as the style prints them; ``split`` breaks the title over two lines/elements."""
    t = t1 + t2
    if style == "bare":
        span = "<span style='font-size:22.0pt;font-family:方正小标宋简体'>{}</span>"
        lines = (t1, t2) if split else (t,)
        return "\n".join(f"<p class=MsoNormal align=center style='text-align:center'>{span.format(x)}</p>" for x in lines)
    if in_content:
        if split:
            return (f'<p style="text-align:center;"><strong>{t1}</strong></p>\n'
                    f'<p style="text-align:center;"><strong>{t2}</strong></p>')
        return f'<p style="text-align:center;"><strong><span style="font-size:22px;">{t}</span></strong></p>'
    if style == "trs":
        return (f'<div class="article-title"><p>{t1}</p><p>{t2}</p></div>' if split
                else f'<h1 class="article-title">{t}</h1>')
    if style == "hanweb":
        return f'<div class="title">{t1}<br/>{t2}</div>' if split else f'<div class="title">{t}</div>'
    if style == "gkmlpt":
        return f'<h1 class="content-title">{t1}<br>{t2}</h1>' if split else f'<h1 class="content-title">{t}</h1>'
    return (f'<div class="tit"><h2>{t1}</h2>\n<h2>{t2}</h2></div>' if split else f"<h2>{t}</h2>")


def _sidebar(ctx: dict, cls: str, link_fmt) -> str:
    if not ctx["decoys"]:
        return ""
    lis = "\n".join(f'<li><a href="{link_fmt(i)}" title="{t}" target="_blank">{t}</a><span>{d}</span></li>'
                    for i, (t, d) in enumerate(ctx["decoys"]))
    return f'<div class="{cls}">\n<div class="hd"><h3>相关信息</h3></div>\n<ul>\n{lis}\n</ul>\n</div>'


def _wrap_layout(inner: str, v: dict) -> str:
    if not v["layout_table"]:
        return inner
    return ('<table width="100%" border="0" cellspacing="0" cellpadding="0" class="bt_content">\n<tr>\n'
            '<td height="30" align="center" class="bt_title"></td>\n</tr>\n<tr>\n<td valign="top">\n'
            f"{inner}\n</td>\n</tr>\n</table>")


def _head(title_tag: str, metas: list[tuple[str, str]], css: str, charset_style: str = "http-equiv") -> str:
    if charset_style == "http-equiv":
        cs = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
    else:
        cs = '<meta charset="utf-8">'
    m = "\n".join(f'<meta name="{n}" content="{_html.escape(c)}">' for n, c in metas)
    return (f"<head>\n{cs}\n<title>{title_tag}</title>\n{m}\n"
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f'<link rel="stylesheet" type="text/css" href="{css}">\n</head>')


def _chrome_trs(content: str, ctx: dict, v: dict, rng: random.Random) -> str:
    y = ctx["year"]
    pd = ctx["page_date"]
    metas = [("SiteName", ctx["site"]), ("SiteDomain", ctx["domain"]), ("ColumnName", "政府信息公开年报"),
             ("ColumnType", "政府信息公开年报")]
    if not v["no_body_title"] or rng.random() < 0.5:
        metas.append(("ArticleTitle", ctx["title"]))
    if pd and (v["meta_date"] or rng.random() < 0.5):
        metas.append(("PubDate", f"{pd} {ctx['page_time'][:5]}"))
    metas.append(("ContentSource", ctx["agency"] if v["no_body_title"] else ctx["short"]))
    title_tag = f"{ctx['title']}_{ctx['site']}"
    publisher = ctx["agency"] if v["no_body_title"] else ctx["short"]
    ym = (pd or f"{y + 1}-01-15").replace("-", "")
    idx = f"{ctx['credit']}/{(pd or str(y + 1))[:4]}-{ctx['serial']:05d}"
    meta_tbl = (
        '<div class="xxgk_detail_head"><table class="table_suoyin" width="100%" cellspacing="0" cellpadding="0">\n'
        f'<tr><th>索&nbsp;引&nbsp;号：</th><td>{idx}</td><th>主题分类：</th><td>综合政务\\政务公开</td></tr>\n'
        f'<tr><th>发布机构：</th><td>{publisher}</td><th>成文日期：</th><td>{pd or ""}</td></tr>\n'
        f'<tr><th>名&nbsp;&nbsp;&nbsp;&nbsp;称：</th><td colspan="3">{ctx["title"] if not v["no_body_title"] else ""}</td></tr>\n'
        f'<tr><th>文&nbsp;&nbsp;&nbsp;&nbsp;号：</th><td></td><th>发布日期：</th><td>{pd or ""}</td></tr>\n'
        "</table></div>")
    info = (f'<div class="info"><span>发布时间：{pd} {ctx["page_time"]}</span> <span>信息来源：{publisher}</span> '
            '<span>浏览次数：<script language="javascript">document.write(getCount());</script></span> '
            '<span>字体：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
            '<a href="javascript:doZoom(14)">小</a>]</span></div>') if pd else (
        f'<div class="info"><span>信息来源：{publisher}</span> <span>字体：[大 中 小]</span></div>')
    side = _sidebar(ctx, "xgwz", lambda i: f"../{ym[:6]}/t{ym}_{ctx['docid'] - 17 * (i + 1)}.html")
    article = (f'<div class="article">\n{meta_tbl}\n'
               + (ctx["title_html"] + "\n" if ctx["title_html"] else "")
               + f'{info}\n<div id="zoom" class="article-con">\n<div class="TRS_Editor"><div class="Custom_UnionStyle">\n'
               f"{content}\n</div></div>\n</div>\n"
               '<div class="fxd"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>\n'
               "</div>")
    crumb = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="../../">政务公开</a> &gt; '
             f'<a href="../../">政府信息公开</a> &gt; '
             + (f'<a href="../">{ctx["agency"]}</a> &gt; ' if v["no_body_title"] else "")
             + '<a href="./">政府信息公开年报</a></div>')
    main = f'{crumb}\n<div class="main clearfix">\n{side}\n{_wrap_layout(article, v)}\n</div>'
    return ("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
            "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
            '<html xmlns="http://www.w3.org/1999/xhtml">\n'
            + _head(title_tag, metas, "/images/xxgk_style.css")
            + f'\n<body>\n<div class="top"><div class="logo"><a href="/">{ctx["site"]}</a></div>\n'
            '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
            '<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>\n'
            f"{main}\n"
            f'<div class="footer"><p>主办：{ctx["site"]}办公室　网站标识码：{ctx["area"]}0001</p>'
            f'<p>备案号：ICP备{ctx["serial"]:05d}号-1</p></div>\n</body>\n</html>\n')


def _chrome_hanweb(content: str, ctx: dict, v: dict, rng: random.Random) -> str:
    pd = ctx["page_date"]
    col = rng.randint(1229000000, 1229999999)
    metas = [("SiteName", ctx["site"]), ("SiteDomain", ctx["domain"]), ("SiteIDCode", f"{ctx['area']}0001"),
             ("ColumnName", "政府信息公开年报"), ("ColumnType", "政府信息公开年报"), ("ArticleTitle", ctx["title"])]
    if pd:
        metas.append(("PubDate", f"{pd} {ctx['page_time'][:5]}"))
    metas.append(("ContentSource", ctx["agency"]))
    idx = f"{ctx['credit']}/{(pd or str(ctx['year'] + 1))[:4]}-{ctx['serial']:05d}"
    tbl = ('<table class="xxgk_table" width="100%" border="0" cellspacing="1" cellpadding="0">\n'
           f'<tr><td class="td_l">索引号：</td><td>{idx}</td><td class="td_l">分类：</td><td>政府信息公开年报</td></tr>\n'
           f'<tr><td class="td_l">发布机构：</td><td>{ctx["agency"]}</td><td class="td_l">发文日期：</td><td>{pd or ""}</td></tr>\n'
           f'<tr><td class="td_l">文号：</td><td></td><td class="td_l">有效性：</td><td>有效</td></tr>\n</table>')
    if v["meta_date"] and rng.random() < 0.5:
        # PubDate meta only, the visible table keeps no date
        tbl = tbl.replace(f'<td>{pd or ""}</td></tr>', "<td></td></tr>", 1)
    title_block = ctx["title_html"] + "\n" if ctx["title_html"] else ""
    article = (f'<div class="bt-box">\n{tbl}\n</div>\n{title_block}'
               '<div class="sub_title">字号：[ <a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> '
               '<a href="javascript:doZoom(12)">小</a> ]</div>\n'
               f'<div id="zoom" class="main-txt">\n<!--<$[信息内容]>begin-->{content}<!--<$[信息内容]>end-->\n</div>')
    side = _sidebar(ctx, "xgxx", lambda i: f"/art/{ctx['year'] + 1}/1/{5 + i}/art_{col % 100000}_{ctx['docid'] - i - 1}.html")
    body = (f'<div class="header"><div class="wz">{ctx["site"]}</div></div>\n'
            f'<div class="dqwz">您当前的位置：<a href="/">首页</a> &gt; <a href="/col/col{col}/index.html">信息公开</a> &gt; '
            f'<a href="/col/col{col + 1}/index.html">{ctx["agency"]}</a> &gt; <span>政府信息公开年报</span></div>\n'
            f'<div class="con">\n{_wrap_layout(article, v)}\n{side}\n</div>\n'
            f'<div class="footer">{ctx["site"]}办公室主办　技术支持：大汉网络</div>\n'
            f'<script type="text/javascript" src="/script/hanweb.js"></script>\n'
            f'<script>var webid="{rng.randint(1, 99)}";var columnid="{col}";var unitid="{rng.randint(1000, 99999)}";</script>')
    return ("<!DOCTYPE html>\n<html>\n" + _head(ctx["title"], metas, "/module/jslib/style.css") + f"\n<body>\n{body}\n</body>\n</html>\n")


def _chrome_gkmlpt(content: str, ctx: dict, v: dict, rng: random.Random) -> str:
    pd = ctx["page_date"]
    post_id = ctx["docid"]
    sid = f"7550{rng.randint(10, 99)}"
    idx = f"{ctx['credit']}/{(pd or str(ctx['year'] + 1))[:4]}-{ctx['serial']:05d}"
    site = ctx["site"]
    tree = json.dumps([{"id": 2600 + i, "name": n, "children": [], "parent": 0}
                       for i, n in enumerate(("机构职能", "政策文件", "规划信息", "财政信息", "政府信息公开年报"))],
                      ensure_ascii=False)
    if v["gkmlpt_detail"]:
        detail: dict[str, object] = {
            "id": post_id,
            "title": ctx["title"],
            "identifier": idx,
            "publisher": ctx["agency"],
            "document_number": "",
            "classify_main_name": "政府信息公开年报",
            "content": content,
            "attachment": [],
            "url": f"http://{ctx['domain']}/gkmlpt/content/{post_id // 10 ** 6}/{post_id // 10 ** 3}/post_{post_id}.html",
        }
        if pd:
            ts = int(_dt.datetime.fromisoformat(f"{pd}T{ctx['page_time']}").replace(tzinfo=_dt.timezone(_dt.timedelta(hours=8))).timestamp())
            detail["date"] = ts
            detail["created_at"] = ts
            detail["display_publish_time"] = f"{pd} {ctx['page_time'][:5]}"
        detail_json = json.dumps(detail, ensure_ascii=False).replace("</", "<\\/")
        body = ('<div id="app" class="gkmlpt-detail"><div class="loading">正在加载……</div></div>\n'
                '<noscript>您的浏览器不支持JavaScript，请开启后访问。</noscript>\n'
                f"<script>\nwindow._CONFIG = {{SID: '{sid}', TREE: {tree}, SHOW_WXAPP: false}};\n"
                f"window._CONFIG.DETAIL = {detail_json};\n</script>\n"
                '<script src="/gkmlpt/static/js/manifest.js"></script>\n<script src="/gkmlpt/static/js/app.js"></script>')
        title_tag = f"{ctx['title']} - {site}"
        return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n" + _head(title_tag, [("SiteName", site)], "/gkmlpt/static/css/app.css", "charset")
                + f"\n<body>\n<div class=\"header\"><a href=\"/\">{site}门户网站</a></div>\n{body}\n"
                f"<div class=\"footer\">主办：{site}办公室</div>\n</body>\n</html>\n")
    intro = ('<table class="introduce" width="100%">\n'
             f'<tr><td class="first">索引号：</td><td>{idx}</td><td class="first">分类：</td><td>政府信息公开年报</td></tr>\n'
             f'<tr><td class="first">发布机构：</td><td>{ctx["agency"]}</td><td class="first">成文日期：</td><td>{pd or ""}</td></tr>\n'
             f'<tr><td class="first">名称：</td><td colspan="3">{ctx["title"]}</td></tr>\n'
             f'<tr><td class="first">文号：</td><td></td><td class="first">发布日期：</td><td>{pd or ""}</td></tr>\n</table>')
    title_block = ctx["title_html"] + "\n" if ctx["title_html"] else ""
    article = f'<div class="content">\n{title_block}<div class="article-content">\n{content}\n</div>\n</div>'
    side = _sidebar(ctx, "related", lambda i: f"/gkmlpt/content/{post_id // 10 ** 6}/{post_id // 10 ** 3}/post_{post_id - 3 * (i + 1)}.html")
    body = (f'<div class="header"><a href="/">{site}门户网站</a></div>\n'
            f'<div class="crumb"><a href="/">首页</a> &gt; <a href="/gkmlpt/index">政府信息公开</a> &gt; <span>政府信息公开年报</span></div>\n'
            f'<div class="gkmlpt-detail">\n{intro}\n{side}\n{_wrap_layout(article, v)}\n</div>\n'
            f"<script>window._CONFIG = {{SID: '{sid}', TREE: {tree}}};</script>\n"
            f'<div class="footer">主办：{site}办公室</div>')
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n" + _head(f"{ctx['title']} - {site}", [("SiteName", site)], "/gkmlpt/static/css/app.css", "charset")
            + f"\n<body>\n{body}\n</body>\n</html>\n")


def _chrome_generic(content: str, ctx: dict, v: dict, rng: random.Random) -> str:
    pd = ctx["page_date"]
    metas = [("keywords", "政府信息公开,年度报告"), ("description", ctx["title"])]
    if pd and v["meta_date"]:
        metas.append(("PubDate", pd))
    title_tag = f"{ctx['title']} - {ctx['agency']}" if v["no_body_title"] else ctx["title"]
    attr = (f'<div class="attr">来源：{ctx["agency"]}&nbsp;&nbsp;发布时间：{pd}&nbsp;&nbsp;阅读：<span id="hits">{rng.randint(50, 3000)}</span></div>'
            if pd and not (v["meta_date"] and rng.random() < 0.5) else f'<div class="attr">来源：{ctx["agency"]}</div>')
    title_block = ctx["title_html"] + "\n" if ctx["title_html"] else ""
    article = f'<div class="article">\n{title_block}{attr}\n<div class="content">\n{content}\n</div>\n</div>'
    side = _sidebar(ctx, "sidebar", lambda i: f"/news/show-{ctx['docid'] - 11 * (i + 1)}.html")
    body = (f'<div class="wrap">\n<div class="nav"><a href="/">网站首页</a> | <a href="/gk/">信息公开</a> | <a href="/gk/nb/">年度报告</a></div>\n'
            f'<div class="crumb">首页 &gt; 信息公开 &gt; {ctx["agency"]} &gt; 年度报告</div>\n'
            f"{side}\n{_wrap_layout(article, v)}\n</div>\n<div class=\"copyright\">Copyright &copy; {ctx['site']} 版权所有</div>")
    return "<!DOCTYPE html>\n<html>\n" + _head(title_tag, metas, "/css/main.css", "charset") + f"\n<body>\n{body}\n</body>\n</html>\n"


def _chrome_bare(content: str, ctx: dict, v: dict, rng: random.Random) -> str:
    pd = ctx["page_date"]
    metas = "<meta name=ProgId content=Word.Document>\n<meta name=Generator content=\"Microsoft Word 15\">\n"
    if pd:
        metas += f'<meta name="PubDate" content="{pd}">\n'
    side = _sidebar(ctx, "links", lambda i: f"nb{ctx['year'] - i}.htm")
    return ("<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" "
            "xmlns:w=\"urn:schemas-microsoft-com:office:word\" xmlns=\"http://www.w3.org/TR/REC-html40\">\n<head>\n"
            "<meta http-equiv=Content-Type content=\"text/html; charset=utf-8\">\n" + metas
            + f"<title>{ctx['title']}</title>\n<style>\n<!--\np.MsoNormal {{margin:0cm;text-align:justify;font-size:10.5pt;"
            "font-family:等线;}\n@page WordSection1 {size:595.3pt 841.9pt;margin:72.0pt 90.0pt 72.0pt 90.0pt;}\n"
            "div.WordSection1 {page:WordSection1;}\n-->\n</style>\n</head>\n"
            f"<body lang=ZH-CN style='text-justify-trim:punctuation'>\n{side}\n"
            f"{_wrap_layout(chr(10).join(['<div class=WordSection1>', content, '</div>']), v)}\n</body>\n</html>\n")


_CHROME = {"trs": _chrome_trs, "hanweb": _chrome_hanweb, "gkmlpt": _chrome_gkmlpt, "generic": _chrome_generic,
           "bare": _chrome_bare}


def make_document(truth: dict, style: str = "trs", seed: int = 0, **variants) -> tuple[str, dict]:
    """Adjust a truth for the chosen variants, render it, and return (html, truth as printed).

    With ``value_styles`` some zero cells are printed as not-reported markers (null in the truth), money cells get
    a unit in the cell (recorded in ``truth["units"]``) and at least one value gets thousands separators. With
    ``no_date`` the truth's ``published`` becomes null. The returned truth also carries ``style`` and ``variants``.
    """
    v = _check_variants(style, variants)
    t = copy.deepcopy(truth)
    rng = _rng("doc", seed, t.get("agency"), t.get("report_year"))
    if v["no_date"]:
        t["published"] = None
    if v["value_styles"]:
        cells = t["cells"]
        if t["template"] == "2019":
            key = "active.art20_9.procurement.amount"
            amt = cells.get(key)
            if amt:
                t["units"][key] = "万元" if isinstance(amt, float) else "元"
        else:
            key = "active.art20_8.fees.amount"
            if cells.get(key) and rng.random() < 0.75:
                t["units"][key] = "万元"
        big_keys = [k for k in cells if k.startswith("active.") and k.endswith(".decisions")]
        if not any(isinstance(cells[k], int) and cells[k] >= 1000 for k in big_keys):
            cells[rng.choice(big_keys)] = rng.randint(1000, 25000)
        zeros = [k for k, val in cells.items() if val == 0 and not k.startswith("review.")]
        zeros += [k for k, val in cells.items() if val == 0 and k.startswith("review.")]
        n = min(len(zeros), rng.randint(6, 14))
        for k in sorted(rng.sample(zeros, n), key=list(cells).index):
            cells[k] = None
    html = render_report_html(t, style, seed, **variants)
    t["style"] = style
    t["variants"] = [name for name in VARIANTS if v[name]]
    return html, t
