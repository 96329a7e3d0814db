#!/usr/bin/env python
"""Build the "hard" golden HTML pages (tests/golden/hard/), deterministically.

Usage: python tests/golden/hard/build_hard.py [--out DIR]

A second, independent page builder. The values and identities come from
``demoportal.reports.random_truth``; everything else (tables, cell markup, page chrome, narrative) is
written here, in the messy markup real Chinese government portals serve and the corpus in tests/golden/html/ (made
by one renderer) does not show: Word "Save as Web Page" exports, Word pasted into a CMS, applications tables split
over two <table>s or with the header repeated after a page break, labels over several <p>, enumerators in their own
cells, <th>/<thead>/<caption>, UEditor tables, units and <font>/<strong> in value cells, zero-width spaces,
review tables with a label cell or as three rows, metadata tables, sidebars, titles only in <meta>, GBK pages
declaring gb2312, blank cells of four kinds, HTML 4 pages without end tags, and two pages that are not reports.

Every document is NNN_short-name.html with NNN_short-name.truth.json next to it, in the truth format of
tests/golden/html (seed keys plus "status", "layout", "variants" and "encoding": the real encoding of the bytes).
The pages are an independent test of the extractor: they are not built from, or tuned to, extract/.
"""

from __future__ import annotations

import argparse
import html as _html
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demoportal.reports import load_cell_keys, random_truth, region_for_agency  # noqa: E402
from tests.golden.expected_verified import expected_verified, html_text  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent

TRUTH_KEYS = ("document", "status", "template", "report_year", "agency", "published", "region", "units", "note",
              "layout", "encoding", "variants", "verified", "cells")

# ---------------------------------------------------------------------------------------------------------------
# The format (labels as the official templates print them)
# ---------------------------------------------------------------------------------------------------------------

APPLICANTS = ("person", "business", "research", "nonprofit", "legal", "other_org")
APPLY_COLS = APPLICANTS + ("total",)
ORG_HEADS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
REVIEW_GROUPS = ("reconsideration", "suit_direct", "suit_after")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")
REVIEW_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

APPLY_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
L_RESULTS = "三、本年度办理结果"
GROUPS = {
    "denied": ("（三）不予公开", (
        ("state_secret", "1.属于国家秘密"),
        ("law_prohibited", "2.其他法律行政法规禁止公开"),
        ("security_stability", "3.危及“三安全一稳定”"),
        ("third_party", "4.保护第三方合法权益"),
        ("internal_affairs", "5.属于三类内部事务信息"),
        ("process_info", "6.属于四类过程性信息"),
        ("enforcement_file", "7.属于行政执法案卷"),
        ("query_matter", "8.属于行政查询事项"),
    )),
    "unable": ("（四）无法提供", (
        ("not_held", "1.本机关不掌握相关政府信息"),
        ("needs_creation", "2.没有现成信息需要另行制作"),
        ("unclear", "3.补正后申请内容仍不明确"),
    )),
    "rejected": ("（五）不予处理", (
        ("petition", "1.信访举报投诉类申请"),
        ("duplicate", "2.重复申请"),
        ("publication", "3.要求提供公开出版物"),
        ("excessive", "4.无正当理由大量反复申请"),
        ("confirm", "5.要求行政机关确认或重新出具已获取信息"),
    )),
    "other": ("（六）其他处理", (
        ("no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other", "3.其他"),
    )),
}


def apply_spec(template: str) -> list[tuple]:
    """(kind, key, label[, items]) in printed order; kind: top | res | grp."""
    spec: list[tuple] = [("top", "new", "一、本年新收政府信息公开申请数量"),
                         ("top", "carried_over", "二、上年结转政府信息公开申请数量"),
                         ("res", "granted", "（一）予以公开"),
                         ("res", "partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]
    for g in ("denied", "unable", "rejected"):
        spec.append(("grp", g, GROUPS[g][0], GROUPS[g][1]))
    if template == "2019":
        spec.append(("res", "other", "（六）其他处理"))
    else:
        spec.append(("grp", "other", GROUPS["other"][0], GROUPS["other"][1]))
    spec.append(("res", "total", "（七）总计"))
    spec.append(("top", "carried_forward", "四、结转下年度继续办理"))
    return spec


ACTIVE = {
    "2021": (
        ("art20_1", "第二十条第（一）项", (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")),
         (("rules", "规章"), ("normative", "行政规范性文件"))),
        ("art20_5", "第二十条第（五）项", (("decisions", "本年处理决定数量"),), (("licensing", "行政许可"),)),
        ("art20_6", "第二十条第（六）项", (("decisions", "本年处理决定数量"),), (("penalty", "行政处罚"), ("coercion", "行政强制"))),
        ("art20_8", "第二十条第（八）项", (("amount", "本年收费金额（单位：万元）"),), (("fees", "行政事业性收费"),)),
    ),
    "2019": (
        ("art20_1", "第二十条第（一）项", (("made", "本年新制作数量"), ("published", "本年新公开数量"),
                                     ("total_published", "对外公开总数量")),
         (("rules", "规章"), ("normative", "规范性文件"))),
        ("art20_5", "第二十条第（五）项", (("prev_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")),
         (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
        ("art20_6", "第二十条第（六）项", (("prev_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")),
         (("penalty", "行政处罚"), ("coercion", "行政强制"))),
        ("art20_8", "第二十条第（八）项", (("prev_items", "上一年项目数量"), ("change", "本年增/减")), (("fees", "行政事业性收费"),)),
        ("art20_9", "第二十条第（九）项", (("items", "采购项目数量"), ("amount", "采购总金额")), (("procurement", "政府集中采购"),)),
    ),
}

SECTIONS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")

# ---------------------------------------------------------------------------------------------------------------
# A small grid model
# ---------------------------------------------------------------------------------------------------------------


class C:
    """A table cell. kind: corner | head | label | title | value | pad. text lines are separated by "\\n"."""

    __slots__ = ("text", "kind", "rs", "cs", "key")

    def __init__(self, text: str = "", kind: str = "label", rs: int = 1, cs: int = 1, key: str | None = None):
        self.text, self.kind, self.rs, self.cs, self.key = text, kind, rs, cs, key

    def copy(self) -> "C":
        return C(self.text, self.kind, self.rs, self.cs, self.key)


Grid = list  # list[list[C]]


def positions(rows: Grid) -> tuple[list[list[int]], int]:
    occ: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        c = 0
        rp = []
        for cell in row:
            while (r, c) in occ:
                c += 1
            rp.append(c)
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    occ.add((r + dr, c + dc))
            c += cell.cs
        out.append(rp)
    return out, (max(c for _, c in occ) + 1 if occ else 0)


def split_at(rows: Grid, k: int) -> tuple[Grid, Grid]:
    """Cut a grid before row k, as a page break does: cells spanning the cut end there, and the lower part gets
    an empty continuation cell where they were."""
    pos, _ = positions(rows)
    top: Grid = []
    cont: list[tuple[int, C]] = []
    for r in range(k):
        new = []
        for cell, c in zip(rows[r], pos[r]):
            cp = cell.copy()
            if r + cell.rs > k:
                cp.rs = k - r
                cont.append((c, C("", "pad", rs=r + cell.rs - k, cs=cell.cs)))
            new.append(cp)
        top.append(new)
    first = sorted([(c, cell.copy()) for cell, c in zip(rows[k], pos[k])] + cont, key=lambda t: t[0])
    bottom: Grid = [[cell for _, cell in first]] + [[cell.copy() for cell in row] for row in rows[k + 1:]]
    return top, bottom


def lab(text: str, **kw) -> C:
    return C(text, "label", **kw)


def head(text: str, **kw) -> C:
    return C(text, "head", **kw)


def val(key: str, **kw) -> C:
    return C("", "value", key=key, **kw)


def apply_grid(template: str, enum_split: bool = False, corner: str = APPLY_NOTE,
               heads: dict[str, str] | None = None) -> tuple[Grid, list[str | None]]:
    """The official applications grid (3 label columns, or 4 with the enumerators in their own column).

    Returns the rows and, per row, the apply row key it prints (None for header rows)."""
    hd = heads or {}
    h = lambda s, **kw: head(hd.get(s, s), **kw)  # noqa: E731
    lw = 4 if enum_split else 3
    rows: Grid = [[C(corner, "corner", rs=3, cs=lw), h("申请人情况", cs=7)],
                  [h("自然人", rs=2), h("法人或其他组织", cs=5), h("总计", rs=2)],
                  [h(x) for x in ORG_HEADS]]
    keys: list[str | None] = [None, None, None]
    spec = apply_spec(template)
    n_res = sum(len(s[3]) if s[0] == "grp" else 1 for s in spec if s[0] != "top")

    def vals(rk: str) -> list[C]:
        return [val(f"apply.{rk}.{c}") for c in APPLY_COLS]

    def split_enum(label: str) -> tuple[str, str]:
        i = label.index("）") + 1
        return label[:i], label[i:]

    first = True
    for s in spec:
        kind, key, label = s[0], s[1], s[2]
        if kind == "top":
            rows.append([lab(label, cs=lw)] + vals(key))
            keys.append(key)
            continue
        items = s[3] if kind == "grp" else ((None, None),)
        for i, (sub, sub_label) in enumerate(items):
            pre = [lab(L_RESULTS, rs=n_res)] if first else []
            first = False
            if kind == "res":
                if enum_split:
                    e, rest = split_enum(label)
                    pre += [lab(e), lab(rest, cs=2)]
                else:
                    pre += [lab(label, cs=2)]
                rows.append(pre + vals(key))
                keys.append(key)
                continue
            if i == 0:
                if enum_split:
                    e, rest = split_enum(label)
                    pre += [lab(e, rs=len(items)), lab(rest, rs=len(items))]
                else:
                    pre += [lab(label, rs=len(items))]
            rows.append(pre + [lab(sub_label)] + vals(f"{key}.{sub}"))
            keys.append(f"{key}.{sub}")
    return rows, keys


def review_grid(mode: str = "official", row_label: str = "数量") -> Grid:
    """official: the 4-row grid; label_cell: the same with a leading label column ("数量");
    three_rows: one row per group (行政复议 / 行政诉讼·未经复议直接起诉 / 行政诉讼·复议后起诉), five values each."""
    vals = [val(f"review.{g}.{c}") for g in REVIEW_GROUPS for c in REVIEW_COLS]
    if mode == "three_rows":
        rows: Grid = [[head("类别", cs=2)] + [head(x) for x in REVIEW_HEADS]]
        rows.append([lab("行政复议", cs=2)] + vals[0:5])
        rows.append([lab("行政诉讼", rs=2), lab("未经复议直接起诉")] + vals[5:10])
        rows.append([lab("复议后起诉")] + vals[10:15])
        return rows
    rows = [[head("行政复议", cs=5), head("行政诉讼", cs=10)],
            [head(x, rs=2) for x in REVIEW_HEADS] + [head("未经复议直接起诉", cs=5), head("复议后起诉", cs=5)],
            [head(x) for x in REVIEW_HEADS * 2],
            vals]
    if mode == "label_cell":
        rows[0].insert(0, C("", "corner", rs=3))
        rows[3].insert(0, lab(row_label))
    return rows


def active_tables(template: str, title_row: bool = True) -> list[Grid]:
    """One small grid per article-20 item: [title], 信息内容 + column heads, one row per item row."""
    out = []
    for sec, title, cols, rws in ACTIVE[template]:
        g: Grid = []
        if title_row:
            g.append([C(title, "title", cs=len(cols) + 1)])
        g.append([head("信息内容")] + [head(cl) for _, cl in cols])
        for rk, rl in rws:
            g.append([lab(rl)] + [val(f"active.{sec}.{rk}.{ck}") for ck, _ in cols])
        out.append(g)
    return out


def active_one_table(template: str) -> Grid:
    """All article-20 items in one 4-column table: full-width item rows, single values under colspan 3."""
    g: Grid = []
    for sec, title, cols, rws in ACTIVE[template]:
        n = len(cols)
        g.append([C(title, "title", cs=4)])
        hdr = [head("信息内容")]
        for i, (_, cl) in enumerate(cols):
            hdr.append(head(cl, cs=(4 - n) if i == n - 1 else 1))
        g.append(hdr)
        for rk, rl in rws:
            row = [lab(rl)]
            for i, (ck, _) in enumerate(cols):
                row.append(val(f"active.{sec}.{rk}.{ck}", cs=(4 - n) if i == n - 1 else 1))
            g.append(row)
    return g


def span_attrs(c: C, quote: str = '"') -> str:
    a = ""
    if c.rs > 1:
        a += f" rowspan={quote}{c.rs}{quote}"
    if c.cs > 1:
        a += f" colspan={quote}{c.cs}{quote}"
    return a


def esc(s: str) -> str:
    return _html.escape(s, quote=False)


def num_text(v: object) -> str:
    if isinstance(v, float):
        return ("%.2f" % v).rstrip("0").rstrip(".")
    return str(v)


# ---------------------------------------------------------------------------------------------------------------
# Narrative (own wording)
# ---------------------------------------------------------------------------------------------------------------


def self_ref(agency: str) -> str:
    if agency.endswith("镇人民政府"):
        return "我镇"
    if agency.endswith("乡人民政府"):
        return "我乡"
    if "人民政府办公室" in agency:
        return "县政府办"
    for suf, ref in (("局", "我局"), ("委员会", "我委"), ("办公室", "我办")):
        if agency.endswith(suf):
            return ref
    return "本机关"


def apply_sentence(t: dict, we: str) -> str:
    c = t["cells"]
    y = t["report_year"]
    n = lambda k: c.get(k) or 0  # noqa: E731
    new = n("apply.new.total")
    if new == 0 and n("apply.carried_over.total") == 0:
        s = f"{y}年，{we}未收到政府信息公开申请。"
    else:
        s = (f"{y}年，{we}共收到政府信息公开申请{new}件，上年结转{n('apply.carried_over.total')}件；"
             f"本年度办结{n('apply.total.total')}件，其中予以公开{n('apply.granted.total')}件、"
             f"部分公开{n('apply.partial.total')}件，结转下年度继续办理{n('apply.carried_forward.total')}件。")
    rec = n("review.reconsideration.total")
    suits = n("review.suit_direct.total") + n("review.suit_after.total")
    if rec or suits:
        s += f"全年因政府信息公开被申请行政复议{rec}件、被提起行政诉讼{suits}件。"
    else:
        s += "全年未发生因政府信息公开被申请行政复议、被提起行政诉讼的情况。"
    return s


def narrative(t: dict, who: str, rng: random.Random, contact: str = "") -> dict[str, list[tuple[str, str]]]:
    """Blocks per section: ("h", heading) or ("p", paragraph). Keys: intro, 1, 5, 6."""
    y = t["report_year"]
    we = self_ref(who)
    doc = "国办公开办函〔2021〕30号" if t["template"] == "2021" else "国办公开办函〔2019〕60号"
    intro = (f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息公开办公室关于印发"
             f"〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（{doc}）要求，{who}编制了本年度报告。"
             f"报告所列数据的统计期限为{y}年1月1日至{y}年12月31日。"
             + (f"如对本报告有任何疑问，请联系{contact}。" if contact else ""))
    n_act = rng.randint(40, 700)
    s1 = [
        ("h", "（一）主动公开"),
        ("p", f"{we}持续深化主动公开，全年通过政府门户网站政府信息公开专栏发布各类信息{n_act}条，"
              f"及时更新机构职能、政策文件、财政资金、人事信息等栏目，重点领域信息公开做到应公开尽公开。"),
        ("h", "（二）依申请公开"),
        ("p", apply_sentence(t, we) + "申请的受理、审查、答复、送达等环节均按规定办理。"),
        ("h", "（三）政府信息管理"),
        ("p", rng.choice((
            "落实信息发布“三审三校”制度，信息发布前严格进行保密审查；对照主动公开基本目录开展自查，及时清理过期信息。",
            "严格执行政府信息公开属性源头认定，规范性文件在起草环节明确公开属性，并按要求报送备案、统一登载。"))),
        ("h", "（四）平台建设"),
        ("p", "依托政府网站集约化平台，优化政府信息公开专栏设置，同步做好政务新媒体发布，提升信息获取的便利性。"),
        ("h", "（五）监督保障"),
        ("p", f"{we}将政务公开工作纳入年度目标考核，明确分管领导和具体经办人员，全年组织业务培训{rng.randint(1, 5)}次。"),
    ]
    s5 = [("p", rng.choice((
        f"{y}年{we}政府信息公开工作虽取得一定成效，但仍存在政策解读形式较为单一、主动公开的深度不够等问题。",
        "一是信息更新的及时性还需提高；二是依申请公开答复的规范化水平有待提升；三是工作人员业务能力仍需加强。"))),
          ("p", "下一步，我们将加强业务学习，完善信息发布审核机制，拓展解读形式，持续提高政府信息公开工作质量。")]
    s6 = [("p", f"{y}年度{we}未收取信息处理费。" if t["template"] == "2021" else "本年度无其他需要报告的事项。")]
    return {"intro": [("p", intro)], "1": s1, "5": s5, "6": s6}


def cn_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


# ---------------------------------------------------------------------------------------------------------------
# Truths
# ---------------------------------------------------------------------------------------------------------------


def base_truth(template: str, year: int, agency: str, seed: int, published: str | None, **kw) -> dict:
    t = random_truth(template, year, agency, seed, **kw)
    t["published"] = published
    t["units"] = {}
    t["region"] = region_for_agency(agency)
    t["note"] = f"Hard page (tests/golden/hard/build_hard.py); values from random_truth seed {seed}."
    t["status"] = "ok"
    t["layout"] = "html"
    return t


def nullify(t: dict, keys: list[str]) -> None:
    """Print these cells as not-reported markers: only cells that are 0 (so identities keep holding)."""
    for k in keys:
        assert t["cells"][k] in (0, None), (k, t["cells"][k])
        t["cells"][k] = None


def zero_keys(t: dict, prefix: str = "") -> list[str]:
    return [k for k, v in t["cells"].items() if v == 0 and k.startswith(prefix)]


# ---------------------------------------------------------------------------------------------------------------
# Generic renderers
# ---------------------------------------------------------------------------------------------------------------


def render_rows(rows: Grid, td, tr=lambda i, row: "<tr>", end_tr: str = "</tr>", indent: str = "") -> str:
    out = []
    for i, row in enumerate(rows):
        out.append(indent + tr(i, row) + "".join(td(c) for c in row) + end_tr)
    return "\n".join(out)


def simple_td(values, tag_for=lambda c: "td", null: str = "", br: str = "<br>", extra=lambda c: ""):
    """A plain <td> renderer. values(c) -> inner html of a value cell."""
    def td(c: C) -> str:
        tag = tag_for(c)
        if c.kind == "value":
            inner = values(c)
        else:
            inner = esc(c.text).replace("\n", br)
        return f"<{tag}{span_attrs(c)}{extra(c)}>{inner}</{tag}>"
    return td


def plain_values(t: dict, null: str = "", plus: bool = False):
    def f(c: C) -> str:
        v = t["cells"][c.key]
        if v is None:
            return null
        s = num_text(v)
        if plus and c.key.endswith(".change") and isinstance(v, int) and v > 0:
            s = "+" + s
        u = t["units"].get(c.key)
        return s + (u or "")
    return f


def blocks_html(blocks: list[tuple[str, str]], p_fmt, h_fmt) -> list[str]:
    return [h_fmt(x) if k == "h" else p_fmt(x) for k, x in blocks]


def dump_truth(t: dict) -> bytes:
    ordered = {k: t.get(k) for k in TRUTH_KEYS}
    return (json.dumps(ordered, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def cms_page(*, title_tag: str, metas: list[tuple[str, str]], charset: str, body: str, css: str = "/css/article.css",
             doctype: str = "<!DOCTYPE html>", html_open: str = '<html lang="zh-CN">') -> str:
    m = "\n".join(f'<meta name="{n}" content="{_html.escape(v)}">' for n, v in metas)
    return (f"{doctype}\n{html_open}\n<head>\n{charset}\n<title>{esc(title_tag)}</title>\n{m}\n"
            f'<link rel="stylesheet" href="{css}">\n</head>\n<body>\n{body}\n</body>\n</html>\n')


def sidebar_links(items: list[tuple[str, str, str]], cls: str = "side-list", heading: str = "相关文章") -> str:
    lis = "\n".join(f'<li><a href="{u}" target="_blank" title="{esc(t)}">{esc(t)}</a><span class="date">{d}</span></li>'
                    for t, u, d in items)
    return f'<div class="{cls}">\n<h3>{heading}</h3>\n<ul>\n{lis}\n</ul>\n</div>'


# ---------------------------------------------------------------------------------------------------------------
# Word "Save as Web Page" markup
# ---------------------------------------------------------------------------------------------------------------

WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml"
xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"
xmlns:m="http://schemas.microsoft.com/office/2004/12/omml"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset={charset}">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<meta name=Originator content="Microsoft Word 15">
<link rel=File-List href="{stem}.files/filelist.xml">
<title>{title}</title>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties>
  <o:Author>Administrator</o:Author>
  <o:LastAuthor>微软用户</o:LastAuthor>
  <o:Revision>4</o:Revision>
  <o:TotalTime>38</o:TotalTime>
  <o:Created>{created}</o:Created>
  <o:LastSaved>{saved}</o:LastSaved>
  <o:Pages>6</o:Pages>
  <o:Words>1022</o:Words>
  <o:Characters>5831</o:Characters>
  <o:Company>Microsoft</o:Company>
  <o:Lines>48</o:Lines>
  <o:Paragraphs>13</o:Paragraphs>
  <o:CharactersWithSpaces>6840</o:CharactersWithSpaces>
  <o:Version>16.00</o:Version>
 </o:DocumentProperties>
</xml><![endif]-->
<!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:SpellingState>Clean</w:SpellingState>
  <w:GrammarState>Clean</w:GrammarState>
  <w:TrackMoves>false</w:TrackMoves>
  <w:TrackFormatting/>
  <w:PunctuationKerning/>
  <w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing>
  <w:DisplayHorizontalDrawingGridEvery>0</w:DisplayHorizontalDrawingGridEvery>
  <w:DisplayVerticalDrawingGridEvery>2</w:DisplayVerticalDrawingGridEvery>
  <w:ValidateAgainstSchemas/>
  <w:Compatibility>
   <w:SpaceForUL/>
   <w:BalanceSingleByteDoubleByteWidth/>
   <w:DoNotLeaveBackslashAlone/>
   <w:ULTrailSpace/>
   <w:DoNotExpandShiftReturn/>
   <w:AdjustLineHeightInTable/>
   <w:UseFELayout/>
  </w:Compatibility>
 </w:WordDocument>
</xml><![endif]-->
<style>
<!--
 /* Font Definitions */
 @font-face
	{{font-family:宋体;
	panose-1:2 1 6 0 3 1 1 1 1 1;
	mso-font-alt:SimSun;
	mso-font-charset:134;
	mso-generic-font-family:auto;
	mso-font-pitch:variable;}}
 @font-face
	{{font-family:仿宋_GB2312;
	mso-font-charset:134;
	mso-generic-font-family:modern;
	mso-font-pitch:fixed;}}
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{{mso-style-unhide:no;
	mso-style-qformat:yes;
	mso-style-parent:"";
	margin:0cm;
	margin-bottom:.0001pt;
	text-align:justify;
	text-justify:inter-ideograph;
	mso-pagination:none;
	font-size:10.5pt;
	mso-bidi-font-size:12.0pt;
	font-family:"Times New Roman",serif;
	mso-fareast-font-family:宋体;
	mso-font-kerning:1.0pt;}}
 p.MsoListParagraph, li.MsoListParagraph, div.MsoListParagraph
	{{mso-style-priority:34;
	margin:0cm;
	margin-bottom:.0001pt;
	text-indent:21.0pt;}}
@page WordSection1
	{{size:595.3pt 841.9pt;
	margin:72.0pt 90.0pt 72.0pt 90.0pt;
	mso-header-margin:42.55pt;
	mso-footer-margin:49.6pt;
	mso-paper-source:0;
	layout-grid:15.6pt;}}
div.WordSection1
	{{page:WordSection1;}}
 /* List Definitions */
 @list l0
	{{mso-list-id:1032411853;
	mso-list-type:hybrid;}}
-->
</style>
<!--[if gte mso 10]>
<style>
 /* Style Definitions */
 table.MsoNormalTable
	{{mso-style-name:普通表格;
	mso-tstyle-rowband-size:0;
	mso-tstyle-colband-size:0;
	mso-style-noshow:yes;
	mso-style-priority:99;
	mso-style-parent:"";
	mso-padding-alt:0cm 5.4pt 0cm 5.4pt;
	mso-para-margin:0cm;
	mso-para-margin-bottom:.0001pt;
	mso-pagination:widow-orphan;
	font-size:10.0pt;
	font-family:"Times New Roman",serif;}}
</style>
<![endif]--><!--[if gte mso 9]><xml>
 <o:shapedefaults v:ext="edit" spidmax="2049"/>
</xml><![endif]--><!--[if gte mso 9]><xml>
 <o:shapelayout v:ext="edit">
  <o:idmap v:ext="edit" data="1"/>
 </o:shapelayout></xml><![endif]-->
</head>

<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>

<div class=WordSection1 style='layout-grid:15.6pt'>
"""

WORD_TAIL = "\n</div>\n\n</body>\n\n</html>\n"


def word_runs(text: str, font: str = "仿宋_GB2312", size: str = "") -> str:
    """Text as Word writes it: Latin runs (digits, dots) in <span lang=EN-US>, the rest in the paragraph's span."""
    out = []
    buf = ""
    latin = None
    for ch in text:
        is_latin = ch.isascii() and ch not in " "
        if latin is None:
            latin = is_latin
        if is_latin != latin:
            out.append((latin, buf))
            buf = ""
            latin = is_latin
        buf += ch
    if buf:
        out.append((latin, buf))
    sz = f"font-size:{size};" if size else ""
    parts = []
    for is_latin, s in out:
        s = esc(s)
        if is_latin:
            parts.append(f"<span lang=EN-US style='{sz}font-family:{font};mso-hansi-font-family:\"Times New Roman\"'>{s}</span>")
        else:
            parts.append(f"<span style='{sz}font-family:{font};mso-hansi-font-family:宋体;mso-bidi-font-family:宋体'>{s}</span>")
    return "".join(parts)


def word_p(text: str, *, size: str = "16.0pt", font: str = "仿宋_GB2312", indent: bool = True,
           align: str | None = None) -> str:
    style = "line-height:28.0pt;mso-line-height-rule:exactly"
    attr = ""
    if align:
        attr = f" align={align}"
        style = f"text-align:{align};" + style
    elif indent:
        style = "text-indent:32.0pt;mso-char-indent-count:2.0;" + style
    return (f"<p class=MsoNormal{attr} style='{style}'>{word_runs(text, font, size)}"
            f"<span lang=EN-US style='font-size:{size};font-family:{font}'><o:p></o:p></span></p>")


def word_td_factory(widths: list[int], values, list_items: bool = True, heights: str = "20.25pt"):
    """A <td> as Word exports it. widths: pixel width per grid column."""
    def td(c: C, col: int) -> str:
        w = sum(widths[col:col + c.cs])
        style = (f"width:{w * 0.75:.1f}pt;border:solid windowtext 1.0pt;border-top:none;"
                 "mso-border-top-alt:solid windowtext .5pt;mso-border-alt:solid windowtext .5pt;"
                 f"padding:0cm 5.4pt 0cm 5.4pt;height:{heights}")
        attrs = f" width={w}" + span_attrs(c, quote="") + (" valign=top" if c.kind == "label" else "")
        para = "<p class=MsoNormal align=center style='text-align:center;line-height:15.0pt;mso-line-height-rule:exactly'>"
        if c.kind == "value":
            inner = (f"{para}<span lang=EN-US style='font-family:仿宋_GB2312;mso-hansi-font-family:\"Times New Roman\";"
                     f"mso-font-kerning:0pt'>{values(c)}<o:p></o:p></span></p>")
        elif c.kind == "pad" or not c.text:
            inner = f"{para}<span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
        elif list_items and c.kind == "label" and c.text[:1].isdigit() and c.text[1:2] == ".":
            num, rest = c.text[:2], c.text[2:]
            inner = ("<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;mso-char-indent-count:0;"
                     "line-height:15.0pt;mso-line-height-rule:exactly;mso-list:l0 level1 lfo1'><![if !supportLists]>"
                     f"<span lang=EN-US style='font-family:仿宋_GB2312;mso-bidi-font-family:仿宋_GB2312'>"
                     f"<span style='mso-list:Ignore'>{num}<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp; "
                     f"</span></span></span><![endif]><span style='font-family:仿宋_GB2312'>{esc(rest)}"
                     "<span lang=EN-US><o:p></o:p></span></span></p>")
        else:
            lines = c.text.split("\n")
            align = "left" if c.kind == "label" else "center"
            ps = []
            for ln in lines:
                txt = word_runs(ln)
                if ln == "总计" and c.kind == "head":
                    txt = ("<span style='font-family:仿宋_GB2312'>总<span style='mso-spacerun:yes'>&nbsp; </span>计</span>")
                b0, b1 = ("<b>", "</b>") if c.kind in ("title", "corner") else ("", "")
                ps.append(f"<p class=MsoNormal align={align} style='text-align:{align};line-height:15.0pt;"
                          f"mso-line-height-rule:exactly'>{b0}{txt}{b1}<span lang=EN-US><o:p></o:p></span></p>")
            inner = "\n  ".join(ps)
        return f"  <td{attrs} style='{style}'>\n  {inner}\n  </td>"

    return td


def word_table(rows: Grid, values, widths: list[int] | None = None, list_items: bool = True) -> str:
    pos, width = positions(rows)
    if widths is None:
        widths = [90] + [48] * (width - 1)
    td = word_td_factory(widths, values, list_items)
    total = sum(widths)
    out = [f"<div align=center>\n\n<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width={total}\n"
           f" style='width:{total * 0.75:.1f}pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;\n"
           " mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"]
    for i, row in enumerate(rows):
        flags = "mso-yfti-irow:%d;" % i
        if i == 0:
            flags += "mso-yfti-firstrow:yes;"
        if i == len(rows) - 1:
            flags += "mso-yfti-lastrow:yes;"
        out.append(f" <tr style='{flags}height:20.25pt'>")
        for c, col in zip(row, pos[i]):
            out.append(td(c, col))
        out.append(" </tr>")
    # Word's row of zero-height cells that fixes the column grid (shown only to non-Word browsers)
    out.append(" <![if !supportMisalignedColumns]>\n <tr height=0>")
    for j, w in enumerate(widths):
        out.append(f"  <td width={0 if j % 4 == 3 else w} style='border:none'></td>")
    out.append(" </tr>\n <![endif]>\n</table>\n\n</div>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------------------------


def doc_word_export() -> tuple[str, str, str, dict]:
    """1. A Word "Save as Web Page" export put on the portal as is (GBK, declared gb2312)."""
    agency = "宣汉县交通运输局"
    t = base_truth("2021", 2021, agency, 7101, "2022-01-25")
    rng = random.Random("hard|1")
    text = narrative(t, agency, rng, contact="县交通运输局办公室，电话0818-5222137")
    parts = [WORD_HEAD.format(charset="gb2312", stem="宣汉县交通运输局2021年政府信息公开年报", title="2021年政府信息公开工作年度报告",
                              created="2022-01-20T02:11:00Z", saved="2022-01-24T08:03:00Z")]
    big = "<span style='font-size:22.0pt;font-family:方正小标宋简体;mso-hansi-font-family:宋体'>"
    parts.append(f"<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;mso-line-height-rule:exactly'>"
                 f"{big}{agency}</span></p>")
    parts.append(f"<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt;mso-line-height-rule:exactly'>"
                 f"<span lang=EN-US style='font-size:22.0pt;font-family:方正小标宋简体'>2021</span>{big}年政府信息公开工作年度报告"
                 "<span lang=EN-US><o:p></o:p></span></span></p>")
    parts.append("<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    vf = plain_values(t)
    hp = lambda s: word_p(s, font="黑体")  # noqa: E731
    kp = lambda s: word_p(s, font="楷体_GB2312")  # noqa: E731
    parts += blocks_html(text["intro"], word_p, hp)
    parts.append(hp(SECTIONS[0]))
    parts += blocks_html(text["1"], word_p, kp)
    parts.append(hp(SECTIONS[1]))
    for g in active_tables("2021"):
        w = [120, 130, 130, 130] if len(g[1]) == 4 else [120, 390]
        parts.append(word_table(g, vf, w))
        parts.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    parts.append(hp(SECTIONS[2]))
    rows, _ = apply_grid("2021")
    parts.append(word_table(rows, vf, [28, 52, 150, 40, 40, 40, 40, 40, 40, 40]))
    parts.append(hp(SECTIONS[3]))
    parts.append(word_table(review_grid(), vf, [37] * 15))
    parts.append(hp(SECTIONS[4]))
    parts += blocks_html(text["5"], word_p, hp)
    parts.append(hp(SECTIONS[5]))
    parts += blocks_html(text["6"], word_p, hp)
    parts.append("<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>")
    parts.append(word_p(agency, align="right"))
    parts.append("<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt;mso-line-height-rule:exactly'>"
                 "<span lang=EN-US style='font-size:16.0pt;font-family:仿宋_GB2312'>2022</span>"
                 "<span style='font-size:16.0pt;font-family:仿宋_GB2312'>年<span lang=EN-US>1</span>月"
                 "<span lang=EN-US>25</span>日<span lang=EN-US><o:p></o:p></span></span></p>")
    page = "\n\n".join(parts) + WORD_TAIL
    t["note"] += (" A Word \"Save as Web Page\" export served as is (bytes GBK, declared charset=gb2312): "
                  "MsoNormalTable, mso- styles, <o:p>, list numbering in <![if !supportLists]>, "
                  "<![if !supportMisalignedColumns]> rows of empty cells, conditional comments with the document "
                  "properties (created 2022-01-20, saved 2022-01-24). No page date: published is the signature date "
                  "(2022年1月25日, split over spans). <title> lacks the agency; the body title is split over two lines.")
    t["variants"] = ["word_export", "mso_conditional_comments", "supportMisalignedColumns", "supportLists_numbering",
                     "o_p_tags", "title_two_lines", "signature_date_split_spans"]
    return "word-export-county-transport", page, "gbk", t


def doc_word_pasted() -> tuple[str, str, str, dict]:
    """2. A 2019 report pasted from Word into a CMS editor (quoted attributes, <!--[if !supportLists]--> comments)."""
    agency = "金华市婺城区司法局"
    t = base_truth("2019", 2019, agency, 7102, "2020-01-20")
    t["cells"]["active.art20_9.procurement.items"] = 3
    t["cells"]["active.art20_9.procurement.amount"] = 125600
    t["units"]["active.art20_9.procurement.amount"] = "元"
    rng = random.Random("hard|2")
    text = narrative(t, agency, rng)
    span = '<span style="font-family: 仿宋_GB2312; font-size: 12pt">'

    def values(c: C) -> str:
        v = t["cells"][c.key]
        s = num_text(v) + t["units"].get(c.key, "")
        return f'<span lang="EN-US" style="font-family: 仿宋_GB2312; font-size: 12pt">{s}<o:p></o:p></span>'

    def td(c: C) -> str:
        a = span_attrs(c) + ' style="border: 1pt solid windowtext; padding: 0cm 5.4pt" valign="center"'
        if c.kind == "value":
            inner = f'<p class="MsoNormal" align="center" style="text-align: center">{values(c)}</p>'
        elif c.kind == "label" and c.text[:1].isdigit():
            inner = (f'<p class="MsoListParagraph" style="margin-left: 0cm; text-indent: 0cm"><!--[if !supportLists]-->'
                     f'<span lang="EN-US" style="font-family: 仿宋_GB2312">{c.text[:2]}</span><!--[endif]-->'
                     f'{span}{esc(c.text[2:])}</span></p>')
        else:
            txt = esc(c.text)
            if c.kind == "head" and len(c.text) == 4 and rng.random() < 0.5:
                txt = txt[:2] + '<span style="mso-spacerun: yes">&nbsp;</span>' + txt[2:]
            inner = f'<p class="MsoNormal" align="center" style="text-align: center">{span}{txt}<o:p></o:p></span></p>'
        return f"<td{a}>{inner}</td>"

    table_open = ('<table class="MsoNormalTable" style="border-collapse: collapse; border: medium none; width: 100%" '
                  'cellspacing="0" cellpadding="0" border="1">\n<tbody>')
    content = []
    P = lambda s: (f'<p class="MsoNormal" style="text-indent: 32pt; line-height: 28pt">{span}{esc(s)}</span></p>')  # noqa: E731
    H = lambda s: (f'<p class="MsoNormal" style="text-indent: 32pt; line-height: 28pt"><span style="font-family: 黑体; '  # noqa: E731
                   f'font-size: 12pt">{esc(s)}</span></p>')
    content += blocks_html(text["intro"], P, H)
    content.append(H(SECTIONS[0]))
    content += blocks_html(text["1"], P, H)
    content.append(H(SECTIONS[1]))
    for g in active_tables("2019"):
        content.append(table_open + "\n" + render_rows(g, td) + "\n</tbody>\n</table>")
        content.append('<p class="MsoNormal"><span lang="EN-US"><o:p>&nbsp;</o:p></span></p>')
    content.append(H(SECTIONS[2]))
    rows, _ = apply_grid("2019")
    content.append(table_open + "\n" + render_rows(rows, td) + "\n</tbody>\n</table>")
    content.append(H(SECTIONS[3]))
    content.append(table_open + "\n" + render_rows(review_grid(), td) + "\n</tbody>\n</table>")
    content.append(H(SECTIONS[4]))
    content += blocks_html(text["5"], P, H)
    content.append(H(SECTIONS[5]))
    content += blocks_html(text["6"], P, H)
    content.append(f'<p class="MsoNormal" align="right" style="text-align: right">{span}{agency}</span></p>')
    content.append(f'<p class="MsoNormal" align="right" style="text-align: right">{span}2020年1月20日</span></p>')
    title = f"{agency}2019年政府信息公开工作年度报告"
    body = (f'<div class="top"><a href="/">婺城区人民政府</a></div>\n'
            f'<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            f'<a href="/zwgk/ndbg/">政府信息公开年度报告</a></div>\n'
            f'<div class="detail">\n<h1 class="detail-title">{title}</h1>\n'
            f'<div class="detail-info">发布日期：2020-01-20 16:35　来源：区司法局　浏览次数：<span id="count">318</span></div>\n'
            f'<div id="Zoom" class="view TRS_UEDITOR trs_paper_default trs_word">\n' + "\n".join(content)
            + "\n</div>\n</div>\n"
            '<div class="footer">主办：金华市婺城区人民政府办公室</div>')
    page = cms_page(title_tag=f"{title}-婺城区人民政府", metas=[("SiteName", "婺城区人民政府"), ("ColumnName", "年度报告")],
                    charset='<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', body=body)
    t["note"] += (" Word content pasted into a CMS editor: class=\"MsoNormalTable\", <o:p>, <!--[if !supportLists]--> "
                  "around the sub-item numbers, mso-spacerun spaces inside some header words. Procurement amount printed "
                  "\"125600元\".")
    t["variants"] = ["word_pasted_cms", "supportLists_comments", "mso_spacerun_in_headers", "unit_in_cell"]
    return "word-pasted-cms-2019-justice", page, "utf-8", t


def plain_page(t: dict, content: list[str], *, title: str, site: str, date_line: str, charset: str = '<meta charset="utf-8">',
               metas: list[tuple[str, str]] | None = None, side: str = "", crumb_col: str = "政府信息公开年报",
               extra_top: str = "") -> str:
    body = (f'<div class="header"><div class="logo"><a href="/">{site}</a></div></div>\n'
            f'<div class="crumb">您现在的位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; '
            f'<a href="/xxgk/nb/">{crumb_col}</a></div>\n'
            f'<div class="container">\n{extra_top}<div class="article">\n<h2 class="article-title">{esc(title)}</h2>\n'
            f'<div class="article-info">{date_line}</div>\n<div class="article-content" id="zoom">\n'
            + "\n".join(content) + "\n</div>\n</div>\n" + side + "\n</div>\n"
            f'<div class="footer">{site}　版权所有</div>')
    return cms_page(title_tag=f"{title}_{site}", metas=metas or [("SiteName", site)], charset=charset, body=body)


def std_content(t: dict, text: dict, tables: dict[str, str], p=None, h=None, signature: list[str] | None = None) -> list[str]:
    p = p or (lambda s: f'<p style="text-indent:2em;">{esc(s)}</p>')
    h = h or (lambda s: f'<p style="text-indent:2em;"><strong>{esc(s)}</strong></p>')
    out = blocks_html(text["intro"], p, h)
    out.append(h(SECTIONS[0]))
    out += blocks_html(text["1"], p, h)
    out.append(h(SECTIONS[1]))
    out.append(tables["active"])
    out.append(h(SECTIONS[2]))
    out.append(tables["apply"])
    out.append(h(SECTIONS[3]))
    out.append(tables["review"])
    out.append(h(SECTIONS[4]))
    out += blocks_html(text["5"], p, h)
    out.append(h(SECTIONS[5]))
    out += blocks_html(text["6"], p, h)
    for s in signature or []:
        out.append(f'<p style="text-align:right;">{esc(s)}</p>')
    return out


TABLE = '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">'


def table_html(rows: Grid, td, open_tag: str = TABLE, tbody: bool = True) -> str:
    b0, b1 = ("<tbody>\n", "\n</tbody>") if tbody else ("", "")
    return f"{open_tag}\n{b0}{render_rows(rows, td)}{b1}\n</table>"


def doc_repeated_header() -> tuple[str, str, str, dict]:
    """3. The applications table with its three header rows printed again in the middle (a page break)."""
    agency = "牡丹江市东安区财政局"
    t = base_truth("2021", 2022, agency, 7103, "2023-01-28")
    rng = random.Random("hard|3")
    text = narrative(t, agency, rng)
    td = simple_td(plain_values(t), extra=lambda c: ' align="center"' if c.kind == "value" else "")
    rows, keys = apply_grid("2021")
    k = keys.index("other.no_correction")
    top, bottom = split_at(rows, k)
    header = [[c.copy() for c in r] for r in rows[:3]]
    apply_rows = top + header + bottom
    active = "\n".join(table_html(g, td) for g in active_tables("2021"))
    tables = {"active": active, "apply": table_html(apply_rows, td), "review": table_html(review_grid(), td)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2023-01-28")])
    title = f"{agency}2022年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="牡丹江市东安区人民政府",
                      date_line="发布时间：2023-01-28　　信息来源：东安区财政局　　【字体：大 中 小】")
    t["note"] += (" The applications table is one <table> whose three header rows (勾稽关系 note / 申请人情况 / "
                  "自然人 法人或其他组织 总计 / 商业企业 …) are printed again before （六）其他处理, as after a page break; "
                  "the 三、本年度办理结果 cell is cut there and continues as an empty cell.")
    t["variants"] = ["apply_header_repeated_mid_table", "rowspan_cut_by_page_break"]
    return "apply-header-repeated-finance", page, "utf-8", t


def doc_split_tables() -> tuple[str, str, str, dict]:
    """4. The applications table split into two <table>s in the middle of the 不予公开 rows."""
    agency = "株洲市芦淞区住房和城乡建设局"
    t = base_truth("2021", 2023, agency, 7104, "2024-01-26")
    rng = random.Random("hard|4")
    text = narrative(t, agency, rng)

    def extra(c: C) -> str:
        return ' style="text-align:center;vertical-align:middle;"' if c.kind != "label" else ' style="vertical-align:middle;"'
    td = simple_td(plain_values(t), extra=extra)
    rows, keys = apply_grid("2021")
    k = keys.index("denied.internal_affairs")
    top, bottom = split_at(rows, k)
    open_tag = '<table cellspacing="0" cellpadding="5" border="1" align="center" style="width:96%;border-collapse:collapse;">'
    apply_html = (table_html(top, td, open_tag) + '\n<p style="page-break-before:always;"><br></p>\n'
                  + table_html(bottom, td, open_tag))
    active = "\n<p><br></p>\n".join(table_html(g, td, open_tag) for g in active_tables("2021"))
    tables = {"active": active, "apply": apply_html, "review": table_html(review_grid(), td, open_tag)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2024-01-26")])
    title = f"{agency}2023年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="株洲市芦淞区人民政府",
                      date_line="来源：区住建局　发布时间：2024-01-26 09:12:45　浏览：<span>96</span>次")
    t["note"] += (" The applications table is split into two <table>s between 4.保护第三方合法权益 and "
                  "5.属于三类内部事务信息; the second table has no header rows and starts with empty continuation "
                  "cells for 三、本年度办理结果 and （三）不予公开.")
    t["variants"] = ["apply_split_two_tables", "rowspan_cut_by_page_break"]
    return "apply-split-two-tables-housing", page, "utf-8", t


def doc_split_labels() -> tuple[str, str, str, dict]:
    """5. Labels over several <p>, enumerators in their own cells, stray spaces inside words."""
    agency = "南平市建阳区教育局"
    t = base_truth("2021", 2021, agency, 7105, "2022-01-21")
    rng = random.Random("hard|5")
    text = narrative(t, agency, rng)
    spaced = {"规章": "规 章", "行政许可": "行政 许可", "行政处罚": "行政 处罚", "行政强制": "行政  强制",
              "自然人": "自 然 人", "总计": "总　计", "信息内容": "信 息 内 容", "商业企业": "商业 企业",
              "行政事业性收费": "行政事业性 收费"}
    multi = {L_RESULTS: "三、本年度\n办理结果",
             "一、本年新收政府信息公开申请数量": "一、本年新收政府\n信息公开申请数量",
             "二、上年结转政府信息公开申请数量": "二、上年结转政府\n信息公开申请数量",
             "部分公开（区分处理的，只计这一情形，不计其他情形）": "部分公开\n（区分处理的，只计这一情形，不计其他情形）",
             "四、结转下年度继续办理": "四、结转下年度\n继续办理",
             "本年收费金额（单位：万元）": "本年收费金额\n（单位：万元）",
             "法人或其他组织": "法人或\n其他组织",
             "未经复议直接起诉": "未经复议\n直接起诉",
             "5.要求行政机关确认或重新出具已获取信息": "5.要求行政机关确认\n或重新出具已获取信息"}
    vf = plain_values(t)

    def td(c: C) -> str:
        txt = spaced.get(c.text, c.text)
        txt = multi.get(txt, txt)
        if c.kind == "value":
            inner = f'<p style="text-align:center;">{vf(c)}</p>'
        elif not txt:
            inner = "<p></p>"
        else:
            inner = "".join(f"<p>{esc(x)}</p>" for x in txt.split("\n"))
        return f'<td{span_attrs(c)} valign="middle">{inner}</td>'

    rows, _ = apply_grid("2021", enum_split=True)
    open_tag = '<table border="1" cellspacing="0" style="border-collapse:collapse;width:100%;">'
    active = "\n".join(table_html(g, td, open_tag) for g in active_tables("2021"))
    tables = {"active": active, "apply": table_html(rows, td, open_tag), "review": table_html(review_grid(), td, open_tag)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2022-01-21")])
    title = f"{agency}2021年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="南平市建阳区人民政府",
                      date_line="发布时间：2022-01-21　来源：建阳区教育局")
    t["note"] += (" Cell labels over several <p> (<p>三、本年度</p><p>办理结果</p>); the applications table prints the "
                  "enumerators in their own column (\"（三）\" then \"不予公开\", \"（一）\" then \"予以公开\"); stray spaces "
                  "inside words (规 章, 行政 许可, 自 然 人, 总　计).")
    t["variants"] = ["labels_multi_p", "enumerator_cells", "stray_spaces_in_labels"]
    return "labels-split-enumerator-cells-education", page, "utf-8", t


def doc_th_thead() -> tuple[str, str, str, dict]:
    """6. <th> headers and row labels, <thead>/<tbody>/<tfoot>, <caption> (a 2019 report)."""
    agency = "泉州市洛江区卫生健康局"
    t = base_truth("2019", 2020, agency, 7106, "2021-01-29")
    rng = random.Random("hard|6")
    text = narrative(t, agency, rng)
    vf = plain_values(t)

    def td(c: C) -> str:
        if c.kind == "value":
            return f"<td{span_attrs(c)}>{vf(c)}</td>"
        scope = ' scope="row"' if c.kind == "label" else ' scope="col"' if c.kind == "head" else ""
        return f"<th{span_attrs(c)}{scope}>{esc(c.text)}</th>"

    def sectioned(rows: Grid, n_head: int, caption: str, n_foot: int = 0) -> str:
        body_rows = rows[n_head:len(rows) - n_foot] if n_foot else rows[n_head:]
        out = [f'<table class="data-table" border="1" cellspacing="0" cellpadding="3">\n<caption>{esc(caption)}</caption>',
               "<thead>", render_rows(rows[:n_head], td), "</thead>", "<tbody>", render_rows(body_rows, td), "</tbody>"]
        if n_foot:
            out += ["<tfoot>", render_rows(rows[len(rows) - n_foot:], td), "</tfoot>"]
        out.append("</table>")
        return "\n".join(out)

    active = "\n".join(sectioned(g, 2, f"表{i + 1}") for i, g in enumerate(active_tables("2019")))
    rows, _ = apply_grid("2019")
    # （七）总计 has the 三、本年度办理结果 rowspan over it, so only the last row can go to <tfoot>
    apply_html = sectioned(rows, 3, "收到和处理政府信息公开申请情况表", n_foot=1)
    review_html = sectioned(review_grid(), 3, "政府信息公开行政复议、行政诉讼情况表")
    tables = {"active": active, "apply": apply_html, "review": review_html}
    h = lambda s: f"<h3>{esc(s)}</h3>" if s in SECTIONS else f"<h4>{esc(s)}</h4>"  # noqa: E731
    content = std_content(t, text, tables, h=h, signature=[agency, cn_date("2021-01-29")])
    title = f"{agency}2020年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="泉州市洛江区人民政府",
                      date_line="发布时间：2021-01-29　文章来源：洛江区卫健局")
    t["note"] += (" Header cells and row labels are <th> (scope=col / scope=row); tables have <caption>, <thead>, "
                  "<tbody>, and the applications table puts 四、结转下年度继续办理 in <tfoot>. The item titles "
                  "(第二十条第（一）项 …) are <th> in <thead>.")
    t["variants"] = ["th_cells", "thead_tbody_tfoot", "caption"]
    return "th-thead-caption-2019-health", page, "utf-8", t


def doc_ueditor_one_active() -> tuple[str, str, str, dict]:
    """7. UEditor markup; the 2021 active table is ONE 4-column table with every article-20 item."""
    agency = "绵阳市游仙区农业农村局"
    t = base_truth("2021", 2022, agency, 7107, "2023-01-30")
    rng = random.Random("hard|7")
    text = narrative(t, agency, rng)
    vf = plain_values(t)

    def td(c: C) -> str:
        style = "word-break: break-all; border-width: 1px; border-style: solid;"
        if c.kind == "title":
            style += " background-color: rgb(242, 242, 242);"
        inner = vf(c) if c.kind == "value" else esc(c.text)
        if c.kind == "title":
            inner = f"<strong>{inner}</strong>"
        al = ' align="center"' if c.kind != "label" else ""
        return f'<td{span_attrs(c)} valign="middle"{al} style="{style}">{inner}</td>'

    def tr(i: int, row) -> str:
        return '<tr class="firstRow">' if i == 0 else "<tr>"

    def ue(rows: Grid) -> str:
        return ('<table width="100%" data-sort="sortDisabled" style="border-collapse: collapse;">\n<tbody>\n'
                + render_rows(rows, td, tr) + "\n</tbody>\n</table>")

    rows, _ = apply_grid("2021")
    tables = {"active": ue(active_one_table("2021")), "apply": ue(rows), "review": ue(review_grid())}
    p = lambda s: f'<p style="text-indent: 2em; line-height: 2em;"><span style="font-size: 16px;">{esc(s)}</span></p>'  # noqa: E731
    h = lambda s: (f'<p style="text-indent: 2em; line-height: 2em;"><span style="font-size: 16px; font-family: 黑体, SimHei;">'  # noqa: E731
                   f"{esc(s)}</span></p>")
    content = std_content(t, text, tables, p=p, h=h, signature=[agency, cn_date("2023-01-30")])
    title = f"{agency}2022年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="绵阳市游仙区人民政府",
                      date_line="发布日期：2023-01-30 17:20　来源：区农业农村局　【打印】【关闭】")
    t["note"] += (" UEditor markup (data-sort, class=firstRow). The active table is ONE 4-column table: each "
                  "第二十条第（…）项 is a full-width row (colspan 4), and items with one value column put the header and "
                  "the value under colspan 3.")
    t["variants"] = ["ueditor", "active_one_table_colspan3"]
    return "ueditor-active-one-table-agriculture", page, "utf-8", t


def doc_units_fonts() -> tuple[str, str, str, dict]:
    """8. Units in value cells, <font>/<strong> values, a zero-width space, full-width digits."""
    agency = "晋中市榆次区市场监督管理局"
    t = base_truth("2021", 2023, agency, 7108, "2024-01-24")
    c = t["cells"]
    c["active.art20_8.fees.amount"] = 12.5
    t["units"]["active.art20_8.fees.amount"] = "万元"
    rng = random.Random("hard|8")
    text = narrative(t, agency, rng)
    zw_key = next(k for k in zero_keys(t, "apply.rejected."))
    full_row = "apply.unable."

    def values(cell: C) -> str:
        k = cell.key
        v = c[k]
        s = num_text(v)
        if k.startswith("active.") and k.endswith(".decisions"):
            return f'<font face="仿宋_GB2312">{s}件</font>'
        if k.startswith("active.art20_1."):
            return f"{s}件"
        if k == "active.art20_8.fees.amount":
            return f"{s}万元"
        if k == zw_key:
            return "0 \u200b"
        if k.startswith(full_row):
            return s.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        if k.startswith("apply.total.") or k.endswith(".total") and k.startswith("review."):
            return f"<strong>{s}</strong>"
        if k.startswith("apply."):
            return f'<font size="3" face="Times New Roman">{s}</font>'
        return f'<span style="font-family:Times New Roman;">{s}</span>'

    td = simple_td(values, extra=lambda cc: ' align="center"' if cc.kind == "value" else "")
    rows, _ = apply_grid("2021")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2021")),
              "apply": table_html(rows, td), "review": table_html(review_grid(), td)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2024-01-24")])
    title = f"{agency}2023年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="晋中市榆次区人民政府",
                      date_line="发布时间：2024-01-24　来源：榆次区市场监管局")
    t["note"] += (" Counts in the active tables carry the word 件 (\"156件\", inside <font>); the fees cell prints "
                  "\"12.5万元\"; apply values inside <font>, totals inside <strong>; " + zw_key
                  + " prints \"0 \" followed by a zero-width space; the （四）无法提供 rows use full-width digits (０).")
    t["variants"] = ["unit_words_in_cells", "font_strong_values", "zero_width_space", "fullwidth_digits"]
    return "units-fonts-zwsp-market", page, "utf-8", t


def doc_review_label_cell() -> tuple[str, str, str, dict]:
    """9. The review data row preceded by a label cell (数量); page date after an earlier signature date."""
    agency = "德阳市旌阳区民政局"
    t = base_truth("2021", 2024, agency, 7109, "2025-01-22")
    rng = random.Random("hard|9")
    text = narrative(t, agency, rng)
    td = simple_td(plain_values(t), extra=lambda c: ' align="center"' if c.kind == "value" else "")
    rows, _ = apply_grid("2021")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2021")),
              "apply": table_html(rows, td), "review": table_html(review_grid("label_cell", "数量"), td)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2025-01-17")])
    title = f"{agency}2024年度政府信息公开工作报告"
    page = plain_page(t, content, title=title, site="德阳市旌阳区人民政府",
                      date_line="发布日期：2025-01-22　信息来源：旌阳区民政局")
    t["note"] += (" The review table has a leading label column: an empty corner cell over the headers and a \"数量\" "
                  "cell before the 15 values. published is the page date (2025-01-22); the signature says 2025年1月17日.")
    t["variants"] = ["review_label_cell", "page_date_after_signature"]
    return "review-label-cell-civil-affairs", page, "utf-8", t


def doc_review_three_rows() -> tuple[str, str, str, dict]:
    """10. The review table printed as three rows of five values (a 2019 report)."""
    agency = "宜宾市叙州区自然资源局"
    t = base_truth("2019", 2019, agency, 7110, "2020-01-16")
    rng = random.Random("hard|10")
    text = narrative(t, agency, rng)
    td = simple_td(plain_values(t), extra=lambda c: ' align="center"' if c.kind == "value" else "")
    rows, _ = apply_grid("2019")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2019")),
              "apply": table_html(rows, td), "review": table_html(review_grid("three_rows"), td)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2020-01-16")])
    title = f"{agency}2019年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="宜宾市叙州区人民政府",
                      date_line="发布时间：2020-01-16　来源：区自然资源局")
    t["note"] += (" The review table is printed as three rows (行政复议 / 行政诉讼 未经复议直接起诉 / 复议后起诉, the "
                  "行政诉讼 cell spanning two rows) under one header row 结果维持 结果纠正 其他结果 尚未审结 总计.")
    t["variants"] = ["review_three_rows"]
    return "review-three-rows-2019-resources", page, "utf-8", t


def doc_metadata_sidebar() -> tuple[str, str, str, dict]:
    """11. Numbers in a paragraph before the tables, a sidebar of other reports, an xxgk_table metadata block."""
    agency = "常州市武进区人力资源和社会保障局"
    t = base_truth("2021", 2023, agency, 7111, "2024-01-22")
    c = t["cells"]
    rng = random.Random("hard|11")
    text = narrative(t, agency, rng)
    text["intro"].append(("p", f"{agency}2023年共收到政府信息公开申请{c['apply.new.total']}件，"
                               f"办结{c['apply.total.total']}件，主动公开政府信息{rng.randint(300, 900)}条，"
                               f"其中行政规范性文件{c['active.art20_1.normative.issued']}件。"))
    td = simple_td(plain_values(t), extra=lambda cc: ' align="center"' if cc.kind == "value" else "")
    rows, _ = apply_grid("2021")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2021")),
              "apply": table_html(rows, td), "review": table_html(review_grid(), td)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2024-01-18")])
    title = f"{agency}2023年政府信息公开工作年度报告"
    meta = ('<div class="xxgk_table">\n<table width="100%" border="0" cellspacing="0" cellpadding="0">\n'
            '<tr><td class="t1">索&nbsp;引&nbsp;号：</td><td class="t2">014059213/2024-00037</td>'
            '<td class="t1">主题分类：</td><td class="t2">劳动、人事、监察\\其他</td></tr>\n'
            '<tr><td class="t1">发布机构：</td><td class="t2">武进区人社局</td>'
            '<td class="t1">生成日期：</td><td class="t2">2024-01-18</td></tr>\n'
            '<tr><td class="t1">文&nbsp;&nbsp;&nbsp;&nbsp;号：</td><td class="t2"></td>'
            '<td class="t1">发布日期：</td><td class="t2">2024-01-22</td></tr>\n'
            f'<tr><td class="t1">名&nbsp;&nbsp;&nbsp;&nbsp;称：</td><td class="t2" colspan="3">{title}</td></tr>\n'
            '</table>\n</div>\n')
    side = sidebar_links([
        (f"{agency}2022年政府信息公开工作年度报告", "/zwgk/nb/2023/t20230119_1180023.html", "2023-01-19"),
        ("常州市武进区教育局2023年政府信息公开工作年度报告", "/zwgk/nb/2024/t20240125_1210456.html", "2024-01-25"),
        ("常州市武进区民政局2023年政府信息公开工作年度报告", "/zwgk/nb/2024/t20240124_1210399.html", "2024-01-24"),
        (f"{agency}2021年政府信息公开工作年度报告", "/zwgk/nb/2022/t20220126_1130871.html", "2022-01-26"),
        ("常州市武进区人民政府2023年政府信息公开工作年度报告", "/zwgk/nb/2024/t20240329_1225001.html", "2024-03-29"),
    ], cls="related", heading="相关报告")
    page = plain_page(t, content, title=title, site="常州市武进区人民政府", date_line="字号：[大][中][小]",
                      side=side, extra_top=meta)
    t["note"] += (" A <div class=\"xxgk_table\"> metadata table of label/value <td> pairs (索引号, 发布机构 武进区人社局, "
                  "生成日期 2024-01-18, 发布日期 2024-01-22) sits above the article; published is its 发布日期. A paragraph "
                  "before the tables repeats numbers (共收到政府信息公开申请N件 = apply.new.total). A sidebar lists other "
                  "reports (other years, other agencies). The signature date is 2024年1月18日.")
    t["variants"] = ["xxgk_metadata_table", "numbers_in_paragraph", "sidebar_other_reports"]
    return "metadata-table-sidebar-hrss", page, "utf-8", t


def doc_title_in_meta() -> tuple[str, str, str, dict]:
    """12. The title only in <meta name="ArticleTitle"> and <title>; the body starts with the text."""
    agency = "温州市鹿城区发展和改革局"
    t = base_truth("2021", 2022, agency, 7112, "2023-01-13")
    rng = random.Random("hard|12")
    text = narrative(t, "本机关", rng)
    td = simple_td(plain_values(t), extra=lambda c: ' align="center"' if c.kind == "value" else "")
    rows, _ = apply_grid("2021")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2021")),
              "apply": table_html(rows, td), "review": table_html(review_grid(), td)}
    content = std_content(t, text, tables, signature=["鹿城区发展和改革局"])
    title = f"{agency}2022年政府信息公开工作年度报告"
    body = "\n".join(content) + '\n<script src="/js/count.js"></script>'
    page = cms_page(title_tag=title, metas=[("ArticleTitle", title), ("PubDate", "2023-01-13 09:41"),
                                            ("ContentSource", "区发改局"), ("ColumnName", "年度报告")],
                    charset='<meta charset="utf-8">', body=body)
    t["note"] += (" The report title appears only in <meta name=\"ArticleTitle\"> and <title>; the body starts "
                  "directly with the text and signs with the short name 鹿城区发展和改革局 (no date). published is the "
                  "PubDate meta.")
    t["variants"] = ["title_only_in_meta", "no_chrome", "pubdate_meta_only"]
    return "title-only-in-meta-development", page, "utf-8", t


def doc_2019_change_procurement() -> tuple[str, str, str, dict]:
    """13. A 2019-format report for 2020 with signed 本年增/减 and 采购总金额 "38.6万元"."""
    agency = "韶关市曲江区交通运输局"
    t = base_truth("2019", 2020, agency, 7113, "2021-01-25")
    c = t["cells"]
    c["active.art20_5.licensing.prev_items"] = max(c["active.art20_5.licensing.prev_items"], 12)
    c["active.art20_5.licensing.change"] = 3
    c["active.art20_6.penalty.prev_items"] = max(c["active.art20_6.penalty.prev_items"], 20)
    c["active.art20_6.penalty.change"] = -2
    c["active.art20_9.procurement.items"] = 4
    c["active.art20_9.procurement.amount"] = 38.6
    t["units"]["active.art20_9.procurement.amount"] = "万元"
    rng = random.Random("hard|13")
    text = narrative(t, agency, rng)
    td = simple_td(plain_values(t, plus=True), extra=lambda cc: ' align="center"' if cc.kind == "value" else "")
    rows, _ = apply_grid("2019")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2019")),
              "apply": table_html(rows, td), "review": table_html(review_grid(), td)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2021-01-25")])
    title = f"{agency}2020年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="韶关市曲江区人民政府",
                      date_line="发布日期：2021-01-25　来源：曲江区交通运输局")
    t["note"] += (" 2019 format, data year 2020. 本年增/减 cells are signed (\"+3\", \"-2\", \"0\"); 采购总金额 prints "
                  "\"38.6万元\".")
    t["variants"] = ["signed_change", "procurement_wanyuan"]
    return "2019-format-2020-signed-change-transport", page, "utf-8", t


def doc_township_late() -> tuple[str, str, str, dict]:
    """14. A township report: mostly zeros, "/" cells, published late (after 31 March)."""
    agency = "苍溪县元坝镇人民政府"
    t = base_truth("2021", 2021, agency, 7114, "2022-04-18", zero_share=0.85)
    c = t["cells"]
    for k in ("active.art20_1.rules.issued", "active.art20_1.rules.repealed", "active.art20_1.rules.in_force",
              "active.art20_8.fees.amount"):
        c[k] = 0
    slash = ["active.art20_1.rules.issued", "active.art20_1.rules.repealed", "active.art20_1.rules.in_force",
             "active.art20_8.fees.amount"]
    slash += [k for k in zero_keys(t, "apply.") if k.endswith(".research")]
    slash += zero_keys(t, "review.suit_after.")
    nullify(t, slash)
    rng = random.Random("hard|14")
    text = narrative(t, agency, rng)
    td = simple_td(plain_values(t, null="/"), extra=lambda cc: ' align="center"' if cc.kind == "value" else "")
    rows, _ = apply_grid("2021")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2021")),
              "apply": table_html(rows, td), "review": table_html(review_grid(), td)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2022-04-12")])
    title = f"{agency}2021年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="苍溪县人民政府",
                      date_line="发布时间：2022-04-18 16:02　来源：元坝镇　阅读次数：57", crumb_col="乡镇信息公开")
    t["note"] += (f" A township report, mostly zeros; {len(slash)} cells print \"/\" (null): the 规章 row, the fees "
                  "cell, the zero cells of the 科研机构 column and of 行政诉讼·复议后起诉. "
                  "Published late: page date 2022-04-18 (signature 2022年4月12日).")
    t["variants"] = ["township", "slash_null_markers", "published_after_march"]
    return "township-late-slashes", page, "utf-8", t


def doc_gbk_rare() -> tuple[str, str, str, dict]:
    """15. GBK bytes declaring <meta charset=gb2312>, with characters outside GB2312 (镕, 堃, 喆)."""
    agency = "汕头市龙湖区城市管理和综合执法局"
    t = base_truth("2021", 2022, agency, 7115, "2023-01-19")
    rng = random.Random("hard|15")
    text = narrative(t, agency, rng, contact="局办公室林堃，电话0754-88481026")
    text["1"][-1] = ("p", "局党组书记、局长陈镕任政务公开工作领导小组组长，办公室主任黄喆负责日常工作，"
                          "全年召开政务公开专题会议2次。")
    td = simple_td(plain_values(t), extra=lambda c: ' align="center"' if c.kind == "value" else "")
    rows, _ = apply_grid("2021")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2021")),
              "apply": table_html(rows, td), "review": table_html(review_grid(), td)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2023-01-19")])
    title = f"{agency}2022年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="汕头市龙湖区人民政府", charset="<meta charset=gb2312>",
                      date_line="发布时间：2023-01-19　来源：区城管执法局　责任编辑：李喆")
    t["note"] += (" Bytes are GBK; the page declares <meta charset=gb2312> (a subset) but contains 镕, 堃 and 喆, which "
                  "are outside GB2312: a strict gb2312 decoder fails on them.")
    t["variants"] = ["gbk_declared_gb2312", "chars_outside_gb2312"]
    return "gbk-declared-gb2312-rare-chars-urban", page, "gbk", t


def doc_blank_cells() -> tuple[str, str, str, dict]:
    """16. Blank cells of four kinds (<td></td>, &nbsp;, <br>, a space) = not reported; signature date only."""
    agency = "荆州市沙市区审计局"
    t = base_truth("2021", 2024, agency, 7116, "2025-01-27")
    rng = random.Random("hard|16")
    zeros = zero_keys(t, "apply.") + zero_keys(t, "review.") + zero_keys(t, "active.")
    picked = sorted(rng.sample(zeros, min(len(zeros), 16)), key=list(t["cells"]).index)
    nullify(t, picked)
    blanks = ["", "&nbsp;", "<br>", " "]
    marker = {k: blanks[i % 4] for i, k in enumerate(picked)}
    text = narrative(t, agency, rng)
    vf = plain_values(t)

    def td(c: C) -> str:
        if c.kind == "value" and c.key in marker:
            return f"<td{span_attrs(c)}>{marker[c.key]}</td>"
        inner = vf(c) if c.kind == "value" else esc(c.text)
        return f"<td{span_attrs(c)}>{inner}</td>"

    rows, _ = apply_grid("2021")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2021")),
              "apply": table_html(rows, td), "review": table_html(review_grid(), td)}
    content = std_content(t, text, tables, signature=[agency, cn_date("2025-01-27")])
    title = f"{agency}2024年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="荆州市沙市区人民政府",
                      date_line="来源：沙市区审计局　【字号 大 中 小】")
    t["note"] += (f" {len(picked)} value cells are blank, printed as <td></td>, <td>&nbsp;</td>, <td><br></td> and "
                  "<td> </td> (null). No page date: published is the signature date.")
    t["variants"] = ["blank_cells_four_kinds", "signature_date"]
    return "blank-cells-four-kinds-audit", page, "utf-8", t


def doc_bracket_agency() -> tuple[str, str, str, dict]:
    """17. An agency name with a bracketed second name."""
    agency = "通江县人民政府办公室（县政务服务和大数据管理局）"
    t = base_truth("2021", 2022, agency, 7117, "2023-01-30")
    rng = random.Random("hard|17")
    text = narrative(t, agency, rng)
    td = simple_td(plain_values(t), extra=lambda c: ' align="center"' if c.kind == "value" else "")
    rows, _ = apply_grid("2021")
    tables = {"active": "\n".join(table_html(g, td) for g in active_tables("2021")),
              "apply": table_html(rows, td), "review": table_html(review_grid(), td)}
    content = std_content(t, text, tables, signature=["通江县人民政府办公室", cn_date("2023-01-30")])
    title = f"{agency}2022年政府信息公开工作年度报告"
    page = plain_page(t, content, title=title, site="通江县人民政府",
                      date_line="发布时间：2023-01-30　来源：县政府办")
    t["note"] += (" The agency name carries a bracketed second name: 通江县人民政府办公室（县政务服务和大数据管理局）; the "
                  "signature names only 通江县人民政府办公室.")
    t["variants"] = ["agency_with_brackets"]
    return "agency-with-brackets-county-office", page, "utf-8", t


def doc_html4_unclosed() -> tuple[str, str, str, dict]:
    """20. An old HTML 4 page: upper-case tags, no </TD> / </TR>, <FONT>, a layout table; GBK declared gb2312."""
    agency = "邵阳市双清区统计局"
    t = base_truth("2019", 2019, agency, 7120, "2020-01-21")
    rng = random.Random("hard|20")
    text = narrative(t, agency, rng)
    vf = plain_values(t)

    def td(c: C) -> str:
        a = "".join(f" {n}={v}" for n, v in (("rowSpan", c.rs), ("colSpan", c.cs)) if v > 1)
        if c.kind == "value":
            return f"<TD align=middle{a}><FONT face=宋体 size=2>{vf(c)}</FONT>"
        al = " align=middle" if c.kind in ("head", "title", "corner") else ""
        return f"<TD{al}{a}><FONT face=宋体 size=2>{esc(c.text)}</FONT>"

    def tbl(rows: Grid) -> str:
        return ("<TABLE borderColor=#000000 cellSpacing=0 cellPadding=2 width=\"100%\" border=1>\n<TBODY>\n"
                + render_rows(rows, td, tr=lambda i, r: "<TR>", end_tr="") + "</TBODY></TABLE>")

    rows, _ = apply_grid("2019")
    P = lambda s: f"<P style=\"TEXT-INDENT: 2em\"><FONT face=仿宋_GB2312 size=3>{esc(s)}</FONT>"  # noqa: E731
    H = lambda s: f"<P style=\"TEXT-INDENT: 2em\"><B><FONT face=黑体 size=3>{esc(s)}</FONT></B>"  # noqa: E731
    content = blocks_html(text["intro"], P, H) + [H(SECTIONS[0])] + blocks_html(text["1"], P, H) + [H(SECTIONS[1])]
    content += [tbl(g) for g in active_tables("2019")]
    content += [H(SECTIONS[2]), tbl(rows), H(SECTIONS[3]), tbl(review_grid()), H(SECTIONS[4])]
    content += blocks_html(text["5"], P, H) + [H(SECTIONS[5])] + blocks_html(text["6"], P, H)
    content += [f"<P align=right><FONT size=3>{agency}</FONT>", "<P align=right><FONT size=3>2020年1月21日</FONT>"]
    title = f"{agency}2019年政府信息公开工作年度报告"
    page = ("<HTML>\n<HEAD>\n<TITLE>" + title + "</TITLE>\n"
            "<META http-equiv=Content-Type content=\"text/html; charset=gb2312\">\n"
            "<META content=\"MSHTML 6.00.2900.6082\" name=GENERATOR>\n"
            "<LINK href=\"/css/style.css\" type=text/css rel=stylesheet>\n</HEAD>\n"
            "<BODY bgColor=#ffffff leftMargin=0 topMargin=0 marginheight=0 marginwidth=0>\n"
            "<TABLE cellSpacing=0 cellPadding=0 width=980 align=center border=0>\n<TBODY>\n"
            "<TR>\n<TD><IMG height=120 src=\"/images/top.jpg\" width=980></TD></TR>\n"
            "<TR>\n<TD class=dh height=30>&nbsp;&nbsp;当前位置：<A href=\"/\">首页</A> &gt;&gt; <A href=\"/xxgk/\">政府信息公开</A>"
            " &gt;&gt; 年度报告</TD></TR>\n"
            f"<TR>\n<TD class=bt align=middle height=50><B><FONT color=#cc0000 size=4>{title}</FONT></B></TD></TR>\n"
            "<TR>\n<TD align=middle height=25>发布日期：2020-01-21&nbsp;&nbsp;&nbsp;&nbsp;来源：区统计局&nbsp;&nbsp;&nbsp;&nbsp;"
            "点击数：<SCRIPT language=javascript src=\"/count.asp?id=3417\"></SCRIPT></TD></TR>\n"
            "<TR>\n<TD class=zw vAlign=top>\n" + "\n".join(content) + "\n</TD></TR>\n"
            "<TR>\n<TD align=middle height=40>邵阳市双清区人民政府 主办</TD></TR></TBODY></TABLE>\n</BODY>\n</HTML>\n")
    t["note"] += (" An old HTML 4 page (bytes GBK, declared gb2312): upper-case tags, data tables without </TD> and </TR>, "
                  "values inside <FONT>, the whole article inside a layout <TABLE>.")
    t["variants"] = ["html4_uppercase", "no_end_tags", "font_values", "layout_table", "gbk_declared_gb2312"]
    return "html4-no-end-tags-2019-statistics", page, "gbk", t


# --- negatives ----------------------------------------------------------------------------------------------------


def negative_truth(name: str, note: str, region: str | None, variants: list[str]) -> dict:
    return {"document": name, "status": "not_a_report", "template": None, "report_year": None, "agency": None,
            "published": None, "region": region, "units": {}, "note": note, "layout": "html", "variants": variants,
            "cells": {}}


def doc_list_page() -> tuple[str, str, str, dict]:
    """18. A 2021 年报 list page: many links to reports, no tables."""
    rng = random.Random("hard|18")
    units = ["人民政府", "发展和改革局", "教育局", "科学技术和经济信息化局", "公安分局", "民政局", "司法局", "财政局",
             "人力资源和社会保障局", "自然资源和规划分局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局",
             "商务局", "文化广播电视和旅游局", "卫生健康局", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局"]
    towns = ["三里镇", "南外街道办事处", "河市镇", "石梯镇", "石桥镇", "堡子镇", "麻柳镇", "万家镇"]
    items = []
    for u in units:
        name = "达州市达川区" + u
        items.append(f"{name}2021年政府信息公开工作年度报告")
    for tw in towns:
        kind = "人民政府" if tw.endswith("镇") else ""
        items.append(f"达州市达川区{tw}{kind}2021年政府信息公开工作年度报告")
    lis = []
    for i, title in enumerate(items):
        d = f"2022-01-{rng.randint(10, 31):02d}" if i % 5 else f"2022-03-{rng.randint(1, 30):02d}"
        lis.append(f'<li><a href="/zwgk/ndbg/2021/{202201000 + i * 7}.html" target="_blank" title="{title}">{title}</a>'
                   f'<span class="date">{d}</span></li>')
    on = ' class="on"'
    years = "".join(f'<a href="/zwgk/ndbg/{y}/"{on if y == 2021 else ""}>{y}年</a>' for y in range(2024, 2018, -1))
    body = ('<div class="header"><div class="logo"><a href="/">达州市达川区人民政府</a></div></div>\n'
            '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; '
            '<a href="/zwgk/ndbg/">政府信息公开年报</a> &gt; 2021年</div>\n'
            '<div class="main">\n<div class="left-nav"><h3>政府信息公开年报</h3>\n<div class="years">' + years + "</div></div>\n"
            '<div class="list-box">\n<h2 class="list-title">2021年度政府信息公开工作年度报告</h2>\n<ul class="list">\n'
            + "\n".join(lis) + "\n</ul>\n"
            '<div class="page">共30条 1/2页 <a class="cur">1</a> <a href="index_1.html">2</a> <a href="index_1.html">下一页</a> '
            '<a href="index_1.html">尾页</a></div>\n</div>\n</div>\n'
            '<div class="footer">主办：达州市达川区人民政府办公室</div>')
    page = cms_page(title_tag="2021年政府信息公开工作年度报告_达州市达川区人民政府",
                    metas=[("SiteName", "达州市达川区人民政府"), ("ColumnName", "2021年")],
                    charset='<meta charset="utf-8">', body=body)
    t = negative_truth("", "A list page of the 2021 政府信息公开工作年度报告 column: 30 links to reports with dates, "
                           "pagination, no tables. Not a report.", region_for_agency("达州市达川区人民政府"),
                       ["report_list_page"])
    return "not-report-2021-list-page", page, "utf-8", t


def doc_redirect_shell() -> tuple[str, str, str, dict]:
    """19. A JavaScript redirect shell and nothing else."""
    page = '<script>location.replace("http://www.tongjiang.gov.cn/tjxzf/c101975/202301/t20230130_1234567.shtml");</script>\n'
    t = negative_truth("", "A JavaScript redirect shell (<script>location.replace(…)</script> only): no content. "
                           "Not a report.", None, ["js_redirect_shell"])
    return "not-report-js-redirect", page, "utf-8", t


DOCS = [
    (1, doc_word_export),
    (2, doc_word_pasted),
    (3, doc_repeated_header),
    (4, doc_split_tables),
    (5, doc_split_labels),
    (6, doc_th_thead),
    (7, doc_ueditor_one_active),
    (8, doc_units_fonts),
    (9, doc_review_label_cell),
    (10, doc_review_three_rows),
    (11, doc_metadata_sidebar),
    (12, doc_title_in_meta),
    (13, doc_2019_change_procurement),
    (14, doc_township_late),
    (15, doc_gbk_rare),
    (16, doc_blank_cells),
    (17, doc_bracket_agency),
    (18, doc_list_page),
    (19, doc_redirect_shell),
    (20, doc_html4_unclosed),
]


def build(out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    keys = load_cell_keys()
    written = []
    for n, fn in DOCS:
        name, page, encoding, truth = fn()
        stem = f"{n:03d}_{name}"
        truth["document"] = stem + ".html"
        truth["encoding"] = encoding
        if truth["status"] == "ok":
            assert list(truth["cells"]) == keys[truth["template"]], stem
            assert truth["agency"] in page, stem
        truth["verified"] = expected_verified(truth, html_text(page))
        data = page.encode(encoding, errors="strict")
        (out / f"{stem}.html").write_bytes(data)
        (out / f"{stem}.truth.json").write_bytes(dump_truth(truth))
        written += [f"{stem}.html", f"{stem}.truth.json"]
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    written = build(args.out)
    print(f"wrote {len(written)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
