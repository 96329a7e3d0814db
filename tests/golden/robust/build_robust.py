#!/usr/bin/env python
"""Build the "robust" golden sub-corpus: every row of every table found, or the report flagged.

Usage: python tests/golden/robust/build_robust.py [--out DIR] [--only NN]   (default --out: this folder)

44 synthetic 政府信息公开工作年度报告 in HTML, PDF and DOCX (templates 2019 and 2021), each NN_slug.EXT with
NN_slug.truth.json next to it, plus DIR/manifest.json (one line per document: class, format, template, verified,
expected failed checks, the figures stated in the narrative, labels that must appear in the text layer) and
DIR/INDEX.md (the table for the README).

Classes (see README.md):
  C1  row labels with printing errors (missing / swapped / substituted / extra characters, other enumeration
      styles, no enumeration, label over two lines or two cells)                     -> verified
  C2  a table continued in a second table or on the next PDF page (header repeated or not) -> verified
  C3  rows printed in another order than the template (labels correct)               -> verified
  C4  units written in the cells (12件, 3次, 5.2万元, 24850元)                         -> verified
  C5  a row of the apply table not printed                -> null cells, not verified, layout.rows_missing
  C6  a column of the apply table not printed             -> null cells, not verified, layout.columns_missing
  C7  a statistical table not printed                     -> null cells, not verified, layout.table_missing
  C8  printed values that break an identity               -> values as printed, not verified, the rule names
  C9  narrative figure against the table (disagreeing: not verified, text.*; agreeing: verified)
  C10 a garbled label whose text and position conflict (resolvable by elimination: verified; crossed labels that
      no reader can assign: read by position, not verified, a layout.* flag)

Values come from the project's truth generator (``random_truth`` of the demo portal's ``reports`` module,
imported in ONE place: :func:`load_reports`, from the package ``demoportal``); the data are then adjusted per document (rows or columns zeroed before they are dropped,
rows made distinct before they are swapped, identities broken on purpose) and re-balanced so that every identity
of template.md holds unless the document is meant to break one.  Tables, labels, narrative and page chrome are
written here, from shared/spec/template.md, independently of extract/.

DOCX are written with python-docx (merged cells by gridSpan/vMerge); PDF are LibreOffice's (soffice headless)
conversion of such a DOCX (a CJK font must be installed, e.g. fonts-noto-cjk, for a real text layer).
LibreOffice output is not byte-reproducible (dates, ids); the values and texts are.
"""

from __future__ import annotations

import argparse
import copy
import html as _html
import importlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_MAIN = HERE.parents[2]  # the project root, which holds the demo portal package `demoportal`

# ---------------------------------------------------------------------------------------------------------------
# The one import from the project
# ---------------------------------------------------------------------------------------------------------------

_R = None


def load_reports(main: Path = DEFAULT_MAIN):
    """The demo portal's reports module (random_truth, region_for_agency, load_cell_keys): ``demoportal.reports``."""
    global _R
    if _R is not None:
        return _R
    if str(main) not in sys.path:
        sys.path.insert(0, str(main))
    errors = []
    for name in ("demoportal.reports",):
        try:
            mod = importlib.import_module(name)
            mod.region_for_agency("达州市通川区财政局")  # fails early when the data files are not reachable
            _R = mod
            return mod
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
    raise SystemExit("cannot import the truth generator from " + str(main) + ":\n  " + "\n  ".join(errors))


# ---------------------------------------------------------------------------------------------------------------
# The format (from shared/spec/template.md)
# ---------------------------------------------------------------------------------------------------------------

APPLICANTS = ("person", "business", "research", "nonprofit", "legal", "other_org")
APPLY_COLS = APPLICANTS + ("total",)
ORG_HEAD = {"business": "商业企业", "research": "科研机构", "nonprofit": "社会公益组织", "legal": "法律服务机构",
            "other_org": "其他"}
REVIEW_GROUPS = ("reconsideration", "suit_direct", "suit_after")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")
REVIEW_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

GROUP_ITEMS = {
    "denied": ("state_secret", "law_prohibited", "security_stability", "third_party", "internal_affairs",
               "process_info", "enforcement_file", "query_matter"),
    "unable": ("not_held", "needs_creation", "unclear"),
    "rejected": ("petition", "duplicate", "publication", "excessive", "confirm"),
    "other": ("no_correction", "no_fee", "other"),
}

LABEL = {
    "@corner": "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "@results": "三、本年度办理结果",
    "@denied": "（三）不予公开",
    "@unable": "（四）无法提供",
    "@rejected": "（五）不予处理",
    "@other": "（六）其他处理",
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied.state_secret": "1.属于国家秘密",
    "denied.law_prohibited": "2.其他法律行政法规禁止公开",
    "denied.security_stability": "3.危及“三安全一稳定”",
    "denied.third_party": "4.保护第三方合法权益",
    "denied.internal_affairs": "5.属于三类内部事务信息",
    "denied.process_info": "6.属于四类过程性信息",
    "denied.enforcement_file": "7.属于行政执法案卷",
    "denied.query_matter": "8.属于行政查询事项",
    "unable.not_held": "1.本机关不掌握相关政府信息",
    "unable.needs_creation": "2.没有现成信息需要另行制作",
    "unable.unclear": "3.补正后申请内容仍不明确",
    "rejected.petition": "1.信访举报投诉类申请",
    "rejected.duplicate": "2.重复申请",
    "rejected.publication": "3.要求提供公开出版物",
    "rejected.excessive": "4.无正当理由大量反复申请",
    "rejected.confirm": "5.要求行政机关确认或重新出具已获取信息",
    "other": "（六）其他处理",
    "other.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.no_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.other": "3.其他",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}

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

MONEY_KEYS = ("active.art20_8.fees.amount", "active.art20_9.procurement.amount")


def result_rows(template: str, single: bool) -> list[str]:
    rows = ["granted", "partial"]
    for g in ("denied", "unable", "rejected"):
        rows += [f"{g}.{i}" for i in GROUP_ITEMS[g]]
    if template == "2019" or single:
        rows.append("other")
    else:
        rows += [f"other.{i}" for i in GROUP_ITEMS["other"]]
    return rows


def apply_rows(template: str, single: bool) -> list[str]:
    return ["new", "carried_over"] + result_rows(template, single) + ["total", "carried_forward"]


def rebalance(cells: dict, template: str, single: bool) -> None:
    """Recompute column totals, new and the row totals from the result rows (identities 1-3 hold after)."""
    res = result_rows(template, single)
    for c in APPLICANTS:
        tot = sum(cells[f"apply.{r}.{c}"] for r in res)
        cells[f"apply.total.{c}"] = tot
        cf, co = cells[f"apply.carried_forward.{c}"], cells[f"apply.carried_over.{c}"]
        if tot + cf - co < 0:
            co = cells[f"apply.carried_over.{c}"] = tot + cf
        cells[f"apply.new.{c}"] = tot + cf - co
    for r in apply_rows(template, single):
        cells[f"apply.{r}.total"] = sum(cells[f"apply.{r}.{c}"] for c in APPLICANTS)
    for g in REVIEW_GROUPS:
        cells[f"review.{g}.total"] = sum(cells[f"review.{g}.{c}"] for c in REVIEW_COLS[:4])


# ---------------------------------------------------------------------------------------------------------------
# Grid model
# ---------------------------------------------------------------------------------------------------------------


class C:
    """A table cell. kind: corner | head | label | title | value | pad. Lines are separated by "\\n"."""

    __slots__ = ("text", "kind", "rs", "cs")

    def __init__(self, text: str = "", kind: str = "label", rs: int = 1, cs: int = 1):
        self.text, self.kind, self.rs, self.cs = text, kind, rs, cs

    def copy(self) -> "C":
        return C(self.text, self.kind, self.rs, self.cs)


def place(rows: list[list[C]]) -> tuple[list[list[int]], int]:
    occ: set[tuple[int, int]] = set()
    pos = []
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
        pos.append(rp)
    return pos, (max(c for _, c in occ) + 1 if occ else 0)


def split_grid(rows: list[list[C]], k: int) -> tuple[list[list[C]], list[list[C]]]:
    """Cut before row k as a page break does: spanning cells end at the cut, the lower part gets empty
    continuation cells where they were."""
    pos, _ = place(rows)
    top, cont = [], []
    for r in range(k):
        new = []
        for cell, c in zip(rows[r], pos[r]):
            cp = cell.copy()
            if r + cell.rs > k:
                cp.rs = k - r
                cont.append((c, C("", "pad", rs=r + cell.rs - k, cs=cell.cs)))
            new.append(cp)
        top.append(new)
    first = sorted([(c, cell.copy()) for cell, c in zip(rows[k], pos[k])] + cont, key=lambda x: x[0])
    bottom = [[cell for _, cell in first]] + [[cell.copy() for cell in row] for row in rows[k + 1:]]
    return top, bottom


# ---------------------------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------------------------

# Evidence ids (EVIDENCE.md)
E_SEED000 = "E1 seed 000 (达州市通川区经济和信息化局 2021): 2.他法律行政法规禁止公开 / 3.危及三安全一稳定 / 2.有现成信息需要另行制作"
E_SEED002 = "E1 seed 002 (同江市工业信息化科技局 2020): 只记这一情形"
E_SEED003 = "E1 seed 003 (金华市金东区经济商务局 2019): 24850元 in a cell; nothing received yet one granted"
E_LG = "E2 lg.gov.cn 2024 report: header cells 商业 企业 / 科研 机构 broken over two lines"
E_LEIYANG = "E3 leiyang.gov.cn 马水镇 2019 / huzhu.gov.cn 2020: header 本年新\\n制作数量, 本年增/ (减 lost)"
E_AUDIT = "E4 2020年报_审计局 flipbook p.9: the apply table's last row 四、结转下年度继续办理 alone on the next page"
E_ZHOUSHAN = "E5 xxgk.zhoushan.gov.cn 2020: 政府集中采购 | 30 | 2792220.8元 (decimal yuan in the cell)"
E_WUHAN = "E6 武汉市生态环境局 2020 (newton.com.tw mirror): annotated labels 规章（设区的市…应提供相关数据）, 上一年项目数量（指2019年事项数）"
E_BRIEF = "E0 issue brief: 2.其他法律行政止公开 seen in two real PDFs (not found in the stored material)"

DOCS: list[dict] = []


def doc(**kw) -> None:
    base = {"layout": "official", "labels": {}, "heads": {}, "order": None, "drop_rows": [], "drop_cols": [],
            "drop_tables": [], "zero_rows": [], "zero_cols": [], "edits": {}, "distinct": [], "units": {},
            "money_units": False, "split": None, "text_new": "table", "text_rec": None, "pdf": {},
            "verified": True, "expected": [], "evidence": [], "single_other": False, "active_labels": {},
            "active_heads": {}, "plus": True, "tsize": 9.0, "widths": None, "null_marker": "", "after": None}
    base.update(kw)
    DOCS.append(base)


# ---- C1 label printing errors (verified) ----------------------------------------------------------------------
doc(num=1, slug="labels-real-typos-2021", cls="C1", fmt="html", template="2021", year=2021,
    agency="宜宾市翠屏区发展和改革局",
    labels={"denied.law_prohibited": "2.他法律行政法规禁止公开", "denied.security_stability": "3.危及三安全一稳定",
            "unable.needs_creation": "2.有现成信息需要另行制作",
            "partial": "（二）部分公开（区分处理的，只记这一情形，不计其他情形）",
            "carried_forward": "四、结转下一年度继续办理", "total": "七、总计"},
    heads={"商业企业": "商业\n企业", "科研机构": "科研\n机构"},
    evidence=[E_SEED000, E_SEED002, E_LG],
    what="the label typos of real reports: 他法律, 危及三安全一稳定 (no quotes), 有现成信息 (没 lost), 只记, "
         "结转下一年度, 七、总计; header 商业<br>企业")
doc(num=2, slug="labels-missing-swapped-extra-chars-2021", cls="C1", fmt="pdf", template="2021", year=2022,
    agency="洛阳市涧西区应急管理局",
    labels={"denied.law_prohibited": "2.其他法律行政止公开", "denied.third_party": "4.保护第三方合法益",
            "unable.not_held": "1.本机关不掌握相关政府信", "rejected.confirm": "5.要求行政机关确认或重新出具已获信息",
            "denied.process_info": "6.属于四类程过性信息", "unable.unclear": "3.补正后申请内容仍不确明",
            "denied.state_secret": "1.属于于国家秘密", "rejected.duplicate": "2.重复申请申请",
            "granted": "（一）予以公开的"},
    pdf={"footer": "dash"}, evidence=[E_BRIEF],
    what="characters missing (其他法律行政止公开, 合法益, 相关政府信, 已获信息), swapped (程过性, 不确明), doubled "
         "(属于于, 重复申请申请, 予以公开的)")
doc(num=3, slug="labels-enumeration-styles-2021", cls="C1", fmt="docx", template="2021", year=2021,
    agency="昆明市五华区文化和旅游局", layout="flat",
    labels={"granted": "一)予以公开", "partial": "二)部分公开（区分处理的，只计这一情形，不计其他情形）",
            "@denied": "三)不予公开", "@unable": "四)无法提供", "@rejected": "五)不予处理", "@other": "六)其他处理",
            "total": "七)总计",
            **{f"denied.{k}": f"（{i + 1}）{LABEL['denied.' + k][2:]}" for i, k in enumerate(GROUP_ITEMS["denied"])},
            **{f"unable.{k}": "①②③"[i] + LABEL["unable." + k][2:] for i, k in enumerate(GROUP_ITEMS["unable"])},
            **{f"rejected.{k}": f"{i + 1}、{LABEL['rejected.' + k][2:]}" for i, k in enumerate(GROUP_ITEMS["rejected"])},
            **{f"other.{k}": f"({i + 1}){LABEL['other.' + k][2:]}" for i, k in enumerate(GROUP_ITEMS["other"])}},
    what="other enumeration styles: 一)予以公开, （1）属于国家秘密, ①本机关不掌握…, 1、信访举报投诉类申请, (1)申请人…; "
         "one label column with the group labels on their own rows")
doc(num=4, slug="labels-no-enumeration-2019", cls="C1", fmt="html", template="2019", year=2019,
    agency="雄县农业农村局",
    labels={**{k: v.split("、", 1)[1] for k, v in LABEL.items() if k in ("new", "carried_over", "carried_forward",
                                                                       "@results")},
            **{k: v.split("）", 1)[1] for k, v in LABEL.items() if k in ("granted", "partial", "@denied", "@unable",
                                                                       "@rejected", "other", "total")},
            **{k: v.split(".", 1)[1] for k, v in LABEL.items() if k.startswith(("denied.", "unable.", "rejected."))},
            "denied.law_prohibited": "其他法律 行政法规禁止公开"},
    heads={"本年新制作数量": "本年新\n制作数量", "本年增/减": "本年增/"},
    evidence=[E_LEIYANG],
    what="no enumeration at all (本年新收…, 予以公开, 不予公开, 属于国家秘密, 总计); a stray space "
         "(其他法律 行政法规禁止公开); header cut 本年增/")
doc(num=5, slug="labels-over-two-lines-2019", cls="C1", fmt="pdf", template="2019", year=2020,
    agency="南平市延平区司法局",
    labels={"denied.law_prohibited": "2.其他法律行政\n止公开", "unable.needs_creation": "2.没有现成信息需要\n另行制作",
            "partial": "（二）部分公开\n（区分处理的，只计这一\n情形，不计其他情形）",
            "rejected.confirm": "5.要求行政机关确认或\n重新出具已获取信息", "rejected.excessive": "4.无正当理由大量\n反复申请",
            "new": "一、本年新收政府信息\n公开申请数量", "carried_over": "二、上年结转政府信息\n公开申请数量"},
    widths=[1.0, 1.6, 3.2], pdf={"footer": "pageof"}, evidence=[E_BRIEF],
    what="labels broken over two or three lines inside their cells (PDF text layer: one label, several lines), "
         "with 2.其他法律行政止公开 as in real PDFs")
doc(num=6, slug="labels-two-cells-annotated-2019", cls="C1", fmt="docx", template="2019", year=2020,
    agency="武汉市江汉区生态环境局", layout="enum_cells",
    labels={"partial": [("（二）部分公开", 1), ("（区分处理的，只计这一情形，不计其他情形）", 2)],
            "granted": [("（一）", 1), ("予以公开", 2)], "total": [("（七）", 1), ("总计", 2)]},
    active_labels={"art20_1.rules": "规章（设区的市、自治州人民政府应提供相关数据）",
                   "art20_5.other_services": "其他对外管理服务事项（指行政许可以外的政务服务事项）"},
    active_heads={"上一年项目数量": "上一年项目数量（指2019年事项数）", "处理决定数量": "处理决定数量（指2020年办件量）"},
    evidence=[E_WUHAN],
    what="each label split over two Word cells (1. | 属于国家秘密; （二）部分公开 | （区分处理的…）); labels and headers "
         "of the active table annotated with explanations in brackets")
doc(num=7, slug="labels-wrong-chars-traditional-cut-2021", cls="C1", fmt="docx", template="2021", year=2023,
    agency="赣州市章贡区医疗保障局",
    labels={"rejected.duplicate": "2.重复申清", "rejected.petition": "1.信访举报投拆类申请",
            "rejected.publication": "3.要求提供公开出板物", "denied.security_stability": "3.危及“三安全一穩定”",
            "denied.third_party": "4.保護第三方合法權益", "denied.internal_affairs": "5.属于三类内部事务",
            "other.no_correction": "1.申请人无正当理由逾期不补正", "other.no_fee": "2.申请人逾期未按收费通知要求缴纳费用"},
    active_labels={"art20_8.fees": "行政事业收费", "art20_5.licensing": "行政许"},
    what="substituted characters (申清, 投拆, 出板物), traditional characters (穩, 保護, 權益), labels cut short "
         "(三类内部事务, the two （六） sub-rows without 、行政机关不再处理…), active labels 行政许 and 行政事业收费")
doc(num=8, slug="labels-fullwidth-halfwidth-enumerators-2021", cls="C1", fmt="pdf", template="2021", year=2024,
    agency="海口市龙华区水务局", layout="flat",
    labels={"new": "一.本年新收政府信息公开申请数量", "carried_over": "二.上年结转政府信息公开申请数量",
            "@results": "三.本年度办理结果", "carried_forward": "四.结转下年度继续办理",
            "granted": "(一)予以公开", "partial": "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
            "@denied": "(三)不予公开", "@unable": "(四)无法提供", "@rejected": "(五)不予处理", "@other": "(六)其他处理",
            "total": "(七)总计",
            **{f"denied.{k}": "１２３４５６７８"[i] + "．" + LABEL["denied." + k][2:] for i, k in enumerate(GROUP_ITEMS["denied"])},
            **{f"unable.{k}": f"({i + 1}){LABEL['unable.' + k][2:]}" for i, k in enumerate(GROUP_ITEMS["unable"])},
            **{f"rejected.{k}": f"{i + 1}){LABEL['rejected.' + k][2:]}" for i, k in enumerate(GROUP_ITEMS["rejected"])}},
    pdf={"header": True, "footer": "plain"},
    what="一. instead of 一、, half-width (一), full-width １．, (1) and 1) enumerators; one label column")

# ---- C2 table continued (verified) ----------------------------------------------------------------------------
doc(num=9, slug="split-two-html-tables-2021", cls="C2", fmt="html", template="2021", year=2022,
    agency="厦门市思明区人力资源和社会保障局", split={"after": "denied.third_party", "repeat": False},
    what="apply table split into two <table>s after 4.保护第三方合法权益; the second has no header and starts with "
         "empty continuation cells for 三、本年度办理结果 and （三）不予公开")
doc(num=10, slug="split-two-html-tables-header-repeated-2019", cls="C2", fmt="html", template="2019", year=2020,
    agency="岳阳市岳阳楼区财政局", split={"after": "unable.not_held", "repeat": True, "between": "（续表）"},
    what="apply table split into two <table>s after 1.本机关不掌握相关政府信息; the second repeats the three header rows "
         "and is preceded by （续表）")
doc(num=11, slug="split-two-word-tables-2021", cls="C2", fmt="docx", template="2021", year=2021,
    agency="青岛市市南区交通运输局", split={"after": "partial", "repeat": False},
    what="apply table as two Word tables, cut after （二）部分公开; the second has no header rows")
doc(num=12, slug="split-two-word-tables-header-repeated-2019", cls="C2", fmt="docx", template="2019", year=2019,
    agency="大连市中山区统计局", split={"after": "denied.process_info", "repeat": True},
    heads={"社会公益组织": "社会公益\n组织", "法律服务机构": "法律服务\n机构"},
    what="apply table as two Word tables cut after 6.属于四类过程性信息; the second repeats the header rows")
doc(num=13, slug="split-pdf-page-flow-header-repeated-2021", cls="C2", fmt="pdf", template="2021", year=2023,
    agency="贵阳市南明区住房和城乡建设局", split={"flow": True, "repeat": True}, tsize=10.5,
    pdf={"footer": "dash", "header": True}, widths=[1.3, 2.0, 4.4],
    what="one Word table that LibreOffice breaks across two PDF pages, the three header rows repeated on the "
         "second page (w:tblHeader); running header and — N — footer between the parts")
doc(num=14, slug="split-pdf-last-row-next-page-2019", cls="C2", fmt="pdf", template="2019", year=2020,
    agency="银川市兴庆区审计局", split={"after": "total", "repeat": False, "pagebreak": True}, tsize=8.0,
    pdf={"footer": "pageof", "header": True}, evidence=[E_AUDIT],
    what="the apply table's last row 四、结转下年度继续办理 printed alone at the top of the next PDF page, no header "
         "repeated, page footer and running header in between")

# ---- C3 rows in another order (verified) ----------------------------------------------------------------------
doc(num=15, slug="order-denied-rows-swapped-2021", cls="C3", fmt="html", template="2021", year=2021,
    agency="嘉兴市南湖区卫生健康局", order=[("swap_items", "denied", 2, 3)],
    distinct=[("denied.security_stability", "denied.third_party")],
    what="4.保护第三方合法权益 printed before 3.危及“三安全一稳定” (labels correct, values belong to their labels)")
doc(num=16, slug="order-top-and-rejected-swapped-2019", cls="C3", fmt="pdf", template="2019", year=2019,
    agency="兰州市城关区林业和草原局", layout="flat",
    order=[("swap_blocks", "new", "carried_over"), ("swap_items", "rejected", 0, 1)],
    distinct=[("new", "carried_over"), ("rejected.petition", "rejected.duplicate")],
    pdf={"footer": "dash"},
    what="二、上年结转… printed before 一、本年新收…, and 2.重复申请 before 1.信访举报投诉类申请")
doc(num=17, slug="order-unable-reversed-other-swapped-2021", cls="C3", fmt="docx", template="2021", year=2022,
    agency="西安市雁塔区科学技术局", order=[("reverse_items", "unable"), ("swap_items", "other", 0, 1)],
    distinct=[("unable.not_held", "unable.unclear"), ("other.no_correction", "other.no_fee")],
    what="（四）无法提供 rows printed 3, 2, 1; （六） sub-rows 2 before 1")

# ---- C4 units in cells (verified) -----------------------------------------------------------------------------
doc(num=18, slug="units-jian-wanyuan-2021", cls="C4", fmt="html", template="2021", year=2022,
    agency="福州市鼓楼区市场监督管理局", units={"apply": "件", "review": "件", "active": "件"}, money_units=True,
    what="every count printed with 件 (12件, 0件), the fee amount as 5.2万元")
doc(num=19, slug="units-yuan-ci-xiang-2019", cls="C4", fmt="docx", template="2019", year=2020,
    agency="柳州市城中区商务局", units={"apply": "件", "review": "次", "active": "项"}, money_units=True,
    procurement=("int", 24850), evidence=[E_SEED003],
    what="counts with 件 (apply), 次 (review), 项 (active); procurement amount 24850元")
doc(num=20, slug="units-single-other-row-2021", cls="C4", fmt="pdf", template="2021", year=2023,
    agency="常德市武陵区城市管理和综合执法局", units={"apply": "件", "review": "件"}, money_units=True,
    single_other=True, pdf={"footer": "dash"},
    what="apply and review counts with 件, fee amount with 万元; （六）其他处理 printed as one row (apply.other.*)")
doc(num=21, slug="units-decimal-yuan-2019", cls="C4", fmt="pdf", template="2019", year=2020,
    agency="舟山市定海区自然资源和规划局", units={"review": "件"}, money_units=True, procurement=("float", 1863540.5),
    evidence=[E_ZHOUSHAN],
    what="procurement amount printed 1863540.5元 (decimal yuan), review counts with 件")

# ---- C5 a row not printed --------------------------------------------------------------------------------------
doc(num=22, slug="missing-row-query-matter-2021", cls="C5", fmt="html", template="2021", year=2021,
    agency="南宁市青秀区水利局", zero_rows=["denied.query_matter"], drop_rows=["denied.query_matter"],
    verified=False, expected=["layout.rows_missing"],
    what="8.属于行政查询事项 not printed ((三)不予公开 spans 7 rows)")
doc(num=23, slug="missing-row-excessive-2019", cls="C5", fmt="docx", template="2019", year=2019,
    agency="石家庄市长安区民政局", zero_rows=["rejected.excessive"], drop_rows=["rejected.excessive"],
    verified=False, expected=["layout.rows_missing"],
    what="4.无正当理由大量反复申请 not printed; 5.要求行政机关确认… follows 3.要求提供公开出版物")
doc(num=24, slug="missing-row-unclear-flat-2021", cls="C5", fmt="pdf", template="2021", year=2022,
    agency="太原市小店区退役军人事务局", layout="flat", zero_rows=["unable.unclear"], drop_rows=["unable.unclear"],
    verified=False, expected=["layout.rows_missing"], pdf={"footer": "plain"},
    what="3.补正后申请内容仍不明确 not printed (one label column)")
doc(num=25, slug="missing-row-carried-forward-2019", cls="C5", fmt="html", template="2019", year=2020,
    agency="呼和浩特市新城区教育局", drop_rows=["carried_forward"],
    verified=False, expected=["layout.rows_missing"], evidence=[E_AUDIT],
    what="the last row 四、结转下年度继续办理 not printed (its values were not zero: apply_flow.* cannot be evaluated)")

# ---- C6 a column not printed -----------------------------------------------------------------------------------
doc(num=26, slug="missing-column-legal-2021", cls="C6", fmt="html", template="2021", year=2023,
    agency="长春市朝阳区司法局", zero_cols=["legal"], drop_cols=["legal"],
    verified=False, expected=["layout.columns_missing"],
    what="the 法律服务机构 column dropped (four organisation columns)")
doc(num=27, slug="missing-column-nonprofit-2021", cls="C6", fmt="docx", template="2021", year=2021,
    agency="温州市鹿城区农业农村局", zero_cols=["nonprofit"], drop_cols=["nonprofit"],
    verified=False, expected=["layout.columns_missing"],
    what="the 社会公益组织 column dropped")
doc(num=28, slug="missing-column-legal-2019", cls="C6", fmt="pdf", template="2019", year=2020,
    agency="宿迁市宿城区民政局", zero_cols=["legal"], drop_cols=["legal"],
    verified=False, expected=["layout.columns_missing"], pdf={"footer": "dash"},
    what="the 法律服务机构 column dropped")

# ---- C7 a table not printed ------------------------------------------------------------------------------------
doc(num=29, slug="missing-table-review-2021", cls="C7", fmt="html", template="2021", year=2022,
    agency="济南市历下区城市管理局", drop_tables=["review"], verified=False, expected=["layout.table_missing"],
    what="section 四 has its heading and one sentence, no table")
doc(num=30, slug="missing-table-active-2019", cls="C7", fmt="docx", template="2019", year=2019,
    agency="怀化市鹤城区教育局", drop_tables=["active"], verified=False, expected=["layout.table_missing"],
    what="section 二 in words only, no active tables")
doc(num=31, slug="missing-table-review-2021", cls="C7", fmt="pdf", template="2021", year=2024,
    agency="成都市武侯区商务局", drop_tables=["review"], verified=False, expected=["layout.table_missing"],
    pdf={"footer": "dash"},
    what="section 四 without its table")

# ---- C8 identities broken as printed --------------------------------------------------------------------------
doc(num=32, slug="broken-row-total-2021", cls="C8", fmt="html", template="2021", year=2021,
    agency="遵义市红花岗区生态环境局", edits={"apply.granted.total": ("add", 1)},
    verified=False, expected=["apply_row.granted", "apply_results.total"],
    what="（一）予以公开 总计 printed one more than the sum of its applicants")
doc(num=33, slug="broken-flow-2021", cls="C8", fmt="docx", template="2021", year=2022,
    agency="佛山市南海区人力资源和社会保障局",
    edits={"apply.carried_forward.person": ("add", 2), "apply.carried_forward.total": ("add", 2)},
    verified=False, expected=["apply_flow.person", "apply_flow.total"],
    what="结转下年度 自然人 and 总计 printed 2 too high: new + carried over ≠ total + carried forward")
doc(num=34, slug="broken-review-total-2019", cls="C8", fmt="pdf", template="2019", year=2019,
    agency="合肥市蜀山区教育局", edits={"review.reconsideration.total": ("add", 1)},
    verified=False, expected=["review_group.reconsideration"], pdf={"footer": "pageof"},
    what="行政复议 总计 one more than 维持 + 纠正 + 其他 + 尚未审结")
doc(num=35, slug="broken-granted-without-application-2019", cls="C8", fmt="html", template="2019", year=2019,
    agency="金华市金东区财政局", zero_cols=["business"],
    edits={"apply.granted.business": ("set", 1), "apply.total.business": ("set", 1),
           "apply.granted.total": ("add", 1), "apply.total.total": ("add", 1)},
    verified=False, expected=["apply_flow.business", "apply_flow.total"], evidence=[E_SEED003],
    what="商业企业: nothing new, nothing carried over, yet 1 granted (as seed 003)")
doc(num=36, slug="broken-domain-negative-2021", cls="C8", fmt="pdf", template="2021", year=2023,
    agency="西宁市城中区自然资源局", negative=("carried_over", "other_org", -1),
    verified=False, expected=["domain.apply"], pdf={"footer": "dash"},
    what="二、上年结转 其他 printed -1 (the other identities hold with it)")

# ---- C9 narrative against table -------------------------------------------------------------------------------
doc(num=37, slug="text-disagrees-new-total-2021", cls="C9", fmt="html", template="2021", year=2022,
    agency="泰州市海陵区人民政府", text_new=("add", 3), verified=False, expected=["text.apply_new"],
    what="text: 共收到政府信息公开申请N件 with N = table + 3")
doc(num=38, slug="text-counts-carried-over-2019", cls="C9", fmt="pdf", template="2019", year=2020,
    agency="镇江市京口区人民政府", text_new="new+carried", verified=False, expected=["text.apply_new"],
    pdf={"footer": "dash"},
    what="text: 共收到政府信息公开申请N件 with N = new + carried over (table: new only)")
doc(num=39, slug="text-agrees-2021", cls="C9", fmt="docx", template="2021", year=2021,
    agency="绍兴市越城区人民政府", text_rec="table",
    what="text states 共收到政府信息公开申请N件 and 行政复议N件, both as in the tables")
doc(num=40, slug="text-agrees-2019", cls="C9", fmt="html", template="2019", year=2019,
    agency="芜湖市镜湖区人民政府", text_rec="table",
    what="text states 共收到…N件 and 行政复议N件, both as in the tables")
doc(num=41, slug="text-disagrees-reconsideration-2021", cls="C9", fmt="docx", template="2021", year=2023,
    agency="潍坊市奎文区人民政府", text_rec=("add", 1), verified=False, expected=["text.reconsideration"],
    what="text: 被申请行政复议N件 with N = review.reconsideration.total + 1 (apply figure agrees)")

# ---- C10 garbled label, position conflict ---------------------------------------------------------------------
doc(num=42, slug="garbled-label-resolved-by-elimination-2021", cls="C10", fmt="html", template="2021", year=2021,
    agency="深圳市龙岗区水务局", labels={"denied.internal_affairs": "6.属于四类事务信息"},
    distinct=[("denied.internal_affairs", "denied.process_info")],
    what="row 5 of （三） printed 6.属于四类事务信息 (number and 四类 of row 6, 事务信息 of row 5); row 6 follows, "
         "correctly labelled")
doc(num=43, slug="garbled-other-subrow-resolved-2021", cls="C10", fmt="pdf", template="2021", year=2022,
    agency="杭州市西湖区民政局",
    labels={"other.no_correction": "2.申请人逾期不补正、行政机关不再处理其政府信息公开申请"},
    distinct=[("other.no_correction", "other.no_fee")], pdf={"footer": "dash"},
    what="first （六） sub-row printed 2.申请人逾期不补正、… (number of row 2, text of row 1 cut); the real row 2 "
         "follows")
doc(num=44, slug="garbled-labels-crossed-unresolvable-2019", cls="C10", fmt="docx", template="2019", year=2020,
    agency="株洲市芦淞区住房和城乡建设局",
    labels={"denied.security_stability": "4.保护“三安全一稳定”", "denied.third_party": "3.危及第三方合法权益"},
    distinct=[("denied.security_stability", "denied.third_party")], verified=False, expected=["layout.rows_ambiguous"],
    what="rows 3 and 4 of （三） printed 4.保护“三安全一稳定” and 3.危及第三方合法权益: number and verb of one row, "
         "object of the other; read by position")

# real: the variant is copied from a real report (EVIDENCE.md); pattern: invented on a real pattern
BASIS = {1: "real", 2: "pattern", 4: "real (header cut)", 5: "pattern", 6: "real (annotations)", 14: "real",
         19: "real", 21: "real", 25: "pattern", 35: "real"}

CLASS_NAMES = {
    "C1": "row labels with printing errors", "C2": "table continued (second table / next page)",
    "C3": "rows in another order", "C4": "units in cells", "C5": "missing row", "C6": "missing column",
    "C7": "missing table", "C8": "identity broken as printed", "C9": "text vs table",
    "C10": "garbled label, position conflict",
}

NOTES = {
    1: "Based on real evidence: these exact typos are printed in real reports (seeds 000 and 002 of "
       "shared/fixtures/seeds, and template.md's list). Every row is in the official order, so each value row is "
       "found by its (garbled) label and its position.",
    2: "Invented on the real pattern 2.其他法律行政止公开 (reported in two real PDFs): characters dropped, swapped or "
       "doubled in labels. Rows in official order.",
    3: "Invented. Enumerators in other styles; rows in official order.",
    4: "Based on real evidence for the header cut 本年增/ (马水镇 2019, 互助 2020); the enumerator-less labels are invented.",
    5: "Invented on the real pattern of long labels wrapped in narrow PDF cells; 2.其他法律行政止公开 from the brief.",
    6: "Based on real evidence: 武汉市生态环境局's 2020 report annotates labels and headers in brackets; the split "
       "into two Word cells is invented (as in hard page 005).",
    7: "Invented: wrong characters of similar shape or sound, traditional characters, labels cut short.",
    8: "Invented: half-width, full-width and bracket enumerators.",
    9: "Invented (same pattern as hard/004 but with different data).",
    10: "Invented; （续表） is a common caption of continued tables.",
    11: "Invented.",
    12: "Invented.",
    13: "Invented: a natural page break in one table with repeated header rows.",
    14: "Based on real evidence: a 2020 审计局 report (flipbook page 9) prints 四、结转下年度继续办理 alone at the top of "
        "the next page.",
    15: "Invented. A careful reader follows the labels, not the positions: the values belong to the row their label names.",
    16: "Invented.",
    17: "Invented.",
    18: "Invented on the pattern of hard/008 (156件).",
    19: "Based on real evidence (seed 003: 24850元).",
    20: "Invented; （六）其他处理 as one row is real in 2023/2024 reports (template.md).",
    21: "Based on real evidence: xxgk.zhoushan.gov.cn 2020 prints 2792220.8元 (decimal yuan). Our value differs.",
    22: "Invented. The row's values were 0 before it was dropped, so the printed totals still add up; its cells "
        "are null (not printed), never 0.",
    23: "Invented. The dropped row was all zero; cells null.",
    24: "Invented. The dropped row was all zero; cells null.",
    25: "Based on real evidence of the last row landing on another page (审计局 2020); here it is lost. Its values "
        "were not zero, so apply_flow.<col> cannot be evaluated (null, not failed).",
    26: "Invented. The dropped column was all zero, so the printed 总计 equal the printed applicant sums; the column's "
        "cells are null, and apply_row.* need it (unevaluable).",
    27: "Invented. Dropped column all zero; cells null.",
    28: "Invented. Dropped column all zero; cells null.",
    29: "Invented. The review cells are null (not printed); the text gives no reconsideration figure.",
    30: "Invented. The active cells are null.",
    31: "Invented. The review cells are null.",
    32: "Invented. Values as printed.",
    33: "Invented. Values as printed.",
    34: "Invented. Values as printed.",
    35: "Based on real evidence: seed 003 (金东区经济商务局 2019) grants one application it never received. Values as printed.",
    36: "Invented. Values as printed; -1 is kept (never fixed).",
    37: "Invented. The table is consistent; only the narrative figure disagrees.",
    38: "Invented on a common confusion (received = new + carried over). The table is consistent.",
    39: "Invented. Text and tables agree.",
    40: "Invented. Text and tables agree.",
    41: "Invented. The reconsideration figure is checked by text.reconsideration.",
    42: "Invented. Reading: the label is ambiguous (6. and 四类 say row 6, 事务信息 says row 5) but the next row is "
        "printed 6.属于四类过程性信息 without error, every other row of （三） is present and the order is the "
        "official one; by elimination the garbled row is 5.属于三类内部事务信息. Every row found, identities hold: "
        "verified.",
    43: "Invented. Reading: 2. says row 2, 逾期不补正 says row 1; the next row is the correct, complete row 2, so by "
        "elimination and position the garbled one is row 1 (no_correction). Verified.",
    44: "Invented. Reading: position 3 reads 4.保护“三安全一稳定” and position 4 reads 3.危及第三方合法权益 — each label has "
        "the number and verb of one row and the object of the other, so the labels cannot tell whether the two rows "
        "were swapped (as C3 documents allow) or merely mislabelled. A careful reader falls back on the official "
        "order (position 3 = security_stability, position 4 = third_party), which the truth records, but cannot "
        "confirm that every row was found: not verified, with the layout flag layout.rows_ambiguous. Identities hold either way (swapping two rows of one group changes "
        "no sum).",
}


# ---------------------------------------------------------------------------------------------------------------
# Truth
# ---------------------------------------------------------------------------------------------------------------


def make_data(d: dict) -> tuple[dict, dict]:
    """(printed data cells, truth) for one document."""
    R = load_reports()
    template, single = d["template"], d["single_other"]
    seed = 9000 + d["num"]
    t = R.random_truth(template, d["year"], d["agency"], seed, zero_share=0.15, other_single_row=single)
    cells = dict(t["cells"])
    rng = random.Random(f"robust|{d['num']}")
    # procurement amount shape (2019)
    if template == "2019" and d.get("procurement"):
        kind, val = d["procurement"]
        cells["active.art20_9.procurement.amount"] = val
        if not cells["active.art20_9.procurement.items"]:
            cells["active.art20_9.procurement.items"] = 3
    for r in d["zero_rows"]:
        for c in APPLY_COLS:
            cells[f"apply.{r}.{c}"] = 0
    for c in d["zero_cols"]:
        for r in apply_rows(template, single):
            cells[f"apply.{r}.{c}"] = 0
    for a, b in d["distinct"]:
        if all(cells[f"apply.{a}.{c}"] == cells[f"apply.{b}.{c}"] for c in APPLICANTS):
            if a in ("new", "carried_over"):
                cells["apply.carried_over.person"] += 2
            else:
                cells[f"apply.{a}.person"] += 2
                cells[f"apply.{a}.business"] += 1
    rebalance(cells, template, single)
    for a, b in d["distinct"]:
        assert any(cells[f"apply.{a}.{c}"] != cells[f"apply.{b}.{c}"] for c in APPLY_COLS), (d["num"], a, b)
    if d["num"] == 38 and cells["apply.carried_over.total"] == 0:
        cells["apply.carried_over.person"] = 1
        rebalance(cells, template, single)
    if d.get("negative"):
        row, col, v = d["negative"]
        cells[f"apply.{row}.{col}"] = v
        cells[f"apply.new.{col}"] = (cells[f"apply.total.{col}"] + cells[f"apply.carried_forward.{col}"]
                                     - cells[f"apply.carried_over.{col}"])
        for r in ("new", "carried_over"):
            cells[f"apply.{r}.total"] = sum(cells[f"apply.{r}.{c}"] for c in APPLICANTS)
    for k, (op, v) in d["edits"].items():
        cells[k] = cells[k] + v if op == "add" else v
    # the printed truth: null where not printed
    truth_cells = dict(cells)
    for r in d["drop_rows"]:
        for c in APPLY_COLS:
            truth_cells[f"apply.{r}.{c}"] = None
    for c in d["drop_cols"]:
        for r in apply_rows(template, single):
            truth_cells[f"apply.{r}.{c}"] = None
    for tb in d["drop_tables"]:
        for k in truth_cells:
            if k.startswith(tb + "."):
                truth_cells[k] = None
    units = {}
    if d["money_units"]:
        if template == "2021" and cells["active.art20_8.fees.amount"]:
            units["active.art20_8.fees.amount"] = "万元"
        if template == "2019" and cells["active.art20_9.procurement.amount"]:
            amt = cells["active.art20_9.procurement.amount"]
            units["active.art20_9.procurement.amount"] = "元" if d.get("procurement") else (
                "万元" if isinstance(amt, float) else "元")
    for k in units:
        if truth_cells.get(k) is None:
            units.pop(k)
    truth = {
        "document": None, "status": "ok", "template": template, "report_year": d["year"], "agency": d["agency"],
        "published": t["published"], "region": t["region"], "units": units, "note": None,
        "layout": d["fmt"], "variants": None, "verified": d["verified"], "expected_failed_checks": d["expected"],
        "cells": truth_cells,
    }
    _ = rng
    return cells, truth


# ---------------------------------------------------------------------------------------------------------------
# Value texts
# ---------------------------------------------------------------------------------------------------------------


def num_text(v) -> str:
    if isinstance(v, float):
        return ("%.2f" % v).rstrip("0").rstrip(".")
    return str(v)


def value_text(d: dict, truth: dict, key: str) -> str:
    v = truth["cells"].get(key)
    if v is None:
        return d["null_marker"]
    if key.endswith(".change") and isinstance(v, int) and v > 0 and d["plus"]:
        return f"+{v}"
    s = num_text(v)
    if key in truth["units"]:
        return s + truth["units"][key]
    table = key.split(".", 1)[0]
    suffix = d["units"].get(table)
    if suffix and key not in MONEY_KEYS and not key.endswith(".change"):
        s += suffix
    return s


# ---------------------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------------------


def apply_blocks(template: str, single: bool) -> list[tuple]:
    b: list[tuple] = [("top", "new"), ("top", "carried_over"), ("res", "granted"), ("res", "partial")]
    for g in ("denied", "unable", "rejected"):
        b.append(("grp", g, [f"{g}.{i}" for i in GROUP_ITEMS[g]]))
    if template == "2019" or single:
        b.append(("res", "other"))
    else:
        b.append(("grp", "other", [f"other.{i}" for i in GROUP_ITEMS["other"]]))
    b += [("res", "total"), ("top", "carried_forward")]
    return b


def reorder(blocks: list[tuple], ops) -> list[tuple]:
    blocks = [tuple(x) if x[0] != "grp" else (x[0], x[1], list(x[2])) for x in blocks]
    for op in ops or []:
        if op[0] == "swap_items":
            _, g, i, j = op
            items = next(x for x in blocks if x[0] == "grp" and x[1] == g)[2]
            items[i], items[j] = items[j], items[i]
        elif op[0] == "reverse_items":
            items = next(x for x in blocks if x[0] == "grp" and x[1] == op[1])[2]
            items.reverse()
        elif op[0] == "swap_blocks":
            ia = next(n for n, x in enumerate(blocks) if x[0] != "grp" and x[1] == op[1])
            ib = next(n for n, x in enumerate(blocks) if x[0] != "grp" and x[1] == op[2])
            blocks[ia], blocks[ib] = blocks[ib], blocks[ia]
    return blocks


def apply_grid(d: dict, truth: dict) -> tuple[list[list[C]], list[str | None]]:
    """The applications table and, per grid row, the apply row key it prints (None: header / label-only)."""
    template, single = d["template"], d["single_other"]
    lab = lambda k: d["labels"].get(k, LABEL[k])  # noqa: E731
    hd = lambda s: d["heads"].get(s, s)  # noqa: E731
    cols = [c for c in APPLICANTS if c not in d["drop_cols"]]
    orgs = [c for c in cols if c != "person"]
    vcols = cols + ["total"]
    layout = d["layout"]
    W = {"official": 3, "enum_cells": 4, "flat": 1}[layout]
    rows: list[list[C]] = [
        [C(lab("@corner"), "corner", rs=3, cs=W), C(hd("申请人情况"), "head", cs=len(vcols))],
        [C(hd("自然人"), "head", rs=2), C(hd("法人或其他组织"), "head", cs=len(orgs)), C(hd("总计"), "head", rs=2)],
        [C(hd(ORG_HEAD[c]), "head") for c in orgs],
    ]
    keys: list[str | None] = [None, None, None]
    blocks = reorder(apply_blocks(template, single), d["order"])
    blocks = [b if b[0] != "grp" else (b[0], b[1], [k for k in b[2] if k not in d["drop_rows"]]) for b in blocks]
    blocks = [b for b in blocks if not (b[0] != "grp" and b[1] in d["drop_rows"])]

    def vals(rk: str) -> list[C]:
        return [C(value_text(d, truth, f"apply.{rk}.{c}"), "value") for c in vcols]

    def labcells(k: str, width: int) -> list[C]:
        spec = lab(k)
        if isinstance(spec, list):
            assert sum(cs for _, cs in spec) == width, (d["num"], k, spec, width)
            return [C(t, "label", cs=cs) for t, cs in spec]
        if layout == "enum_cells" and width == 2:
            for sep in (".", "、", "．"):
                if sep in spec:
                    a, b = spec.split(sep, 1)
                    return [C(a + sep, "label"), C(b, "label")]
        return [C(spec, "label", cs=width)]

    empties = lambda: [C("", "pad") for _ in vcols]  # noqa: E731
    if layout == "flat":
        first = True
        for b in blocks:
            if b[0] != "top" and first:
                rows.append([C(lab("@results"), "label")] + empties())
                keys.append(None)
                first = False
            if b[0] == "grp":
                rows.append([C(lab("@" + b[1]), "label")] + empties())
                keys.append(None)
                for k in b[2]:
                    rows.append([C(lab(k), "label")] + vals(k))
                    keys.append(k)
            else:
                rows.append([C(lab(b[1]), "label")] + vals(b[1]))
                keys.append(b[1])
        return rows, keys
    n_res = sum(len(b[2]) if b[0] == "grp" else 1 for b in blocks if b[0] != "top")
    first = True
    for b in blocks:
        if b[0] == "top":
            rows.append(labcells(b[1], W) + vals(b[1]))
            keys.append(b[1])
            continue
        pre = []
        if first:
            pre = [C(lab("@results"), "label", rs=n_res)]
            first = False
        if b[0] == "res":
            rows.append(pre + labcells(b[1], W - 1) + vals(b[1]))
            keys.append(b[1])
            continue
        for i, k in enumerate(b[2]):
            p = pre if i == 0 else []
            if i == 0:
                p = p + [C(lab("@" + b[1]), "label", rs=len(b[2]))]
            rows.append(p + labcells(k, W - 2) + vals(k))
            keys.append(k)
    return rows, keys


def review_grid(d: dict, truth: dict) -> list[list[C]]:
    hd = lambda s: d["heads"].get(s, s)  # noqa: E731
    vals = [C(value_text(d, truth, f"review.{g}.{c}"), "value") for g in REVIEW_GROUPS for c in REVIEW_COLS]
    return [[C(hd("行政复议"), "head", cs=5), C(hd("行政诉讼"), "head", cs=10)],
            [C(hd(x), "head", rs=2) for x in REVIEW_HEADS] + [C(hd("未经复议直接起诉"), "head", cs=5),
                                                               C(hd("复议后起诉"), "head", cs=5)],
            [C(hd(x), "head") for x in REVIEW_HEADS * 2],
            vals]


def active_grids(d: dict, truth: dict) -> list[list[list[C]]]:
    """One 4-column grid per article-20 item (title row, header row, item rows)."""
    out = []
    for sec, title, cols, rws in ACTIVE[d["template"]]:
        n = len(cols)
        g = [[C(title, "title", cs=4)]]
        hdr = [C("信息内容", "head")]
        for i, (_, cl) in enumerate(cols):
            hdr.append(C(d["active_heads"].get(cl, cl), "head", cs=(4 - n) if i == n - 1 else 1))
        g.append(hdr)
        for rk, rl in rws:
            row = [C(d["active_labels"].get(f"{sec}.{rk}", rl), "label")]
            for i, (ck, _) in enumerate(cols):
                row.append(C(value_text(d, truth, f"active.{sec}.{rk}.{ck}"), "value",
                             cs=(4 - n) if i == n - 1 else 1))
            g.append(row)
        out.append(g)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Narrative (own wording)
# ---------------------------------------------------------------------------------------------------------------


def self_ref(agency: str) -> str:
    if agency.endswith("人民政府"):
        return "区政府" if "区人民政府" in agency else "本级政府"
    for suf, ref in (("局", "我局"), ("委员会", "我委"), ("中心", "本中心")):
        if agency.endswith(suf):
            return ref
    return "本机关"


def stated_figures(d: dict, cells: dict) -> dict:
    """The figures the narrative states (None: not stated)."""
    new = cells["apply.new.total"]
    out = {"apply_new": None, "reconsideration": None}
    tn = d["text_new"]
    if tn == "table":
        out["apply_new"] = new
    elif tn == "new+carried":
        out["apply_new"] = new + cells["apply.carried_over.total"]
    elif isinstance(tn, tuple):
        out["apply_new"] = new + tn[1]
    tr = d["text_rec"]
    if "review" not in d["drop_tables"]:
        if tr == "table":
            out["reconsideration"] = cells["review.reconsideration.total"]
        elif isinstance(tr, tuple):
            out["reconsideration"] = cells["review.reconsideration.total"] + tr[1]
    return out


def narrative(d: dict, cells: dict, figs: dict, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    y = d["year"]
    we = self_ref(d["agency"])
    doc_no = "国办公开办函〔2021〕30号" if d["template"] == "2021" else "国办公开办函〔2019〕60号"
    intro = (f"本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{doc_no}规定的格式编制，"
             f"由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
             f"存在的主要问题及改进情况、其他需要报告的事项六部分组成。所列数据的统计期限为{y}年1月1日至{y}年12月31日。")
    n_act = rng.randint(60, 900)
    apply_p = f"{we}严格按照《条例》规定的程序和时限办理政府信息公开申请。"
    if figs["apply_new"] is not None:
        apply_p = (f"{y}年，{we}共收到政府信息公开申请{figs['apply_new']}件，均在法定期限内作出答复，"
                   f"答复内容和形式符合《条例》要求。")
    if figs["reconsideration"] is not None:
        suits = cells["review.suit_direct.total"] + cells["review.suit_after.total"]
        apply_p += f"全年因政府信息公开工作被申请行政复议{figs['reconsideration']}件，被提起行政诉讼{suits}件。"
    s1 = [
        ("h", "（一）主动公开"),
        ("p", f"{we}围绕中心工作和群众关切，通过门户网站政府信息公开专栏、政务新媒体等渠道主动公开各类政府信息"
              f"{n_act}条，及时更新机构职能、政策文件、财政预决算、重点领域等栏目内容。"),
        ("h", "（二）依申请公开"),
        ("p", apply_p),
        ("h", "（三）政府信息管理"),
        ("p", rng.choice(("落实信息发布审核制度，信息公开前严格进行保密审查，对照主动公开基本目录定期自查，及时清理过期失效信息。",
                          "规范政府信息公开属性源头认定，公文在起草环节明确公开属性，规范性文件按要求统一登载。"))),
        ("h", "（四）平台建设"),
        ("p", "依托政府网站集约化平台优化信息公开专栏设置，同步做好政务新媒体发布，提升信息获取的便利性。"),
        ("h", "（五）监督保障"),
        ("p", f"将政务公开工作纳入年度目标考核，明确分管领导和具体经办人员，全年组织业务培训{rng.randint(1, 5)}次。"),
    ]
    s5 = [("p", rng.choice((
        f"{y}年{we}政府信息公开工作取得一定成效，但仍存在政策解读形式较为单一、信息更新不够及时等问题。",
        "一是公开内容的深度和广度有待拓展；二是依申请公开答复的规范化水平需进一步提升；三是工作人员业务能力仍需加强。"))),
          ("p", "下一步，我们将加强业务学习培训，完善信息发布审核机制，丰富政策解读形式，持续提升政府信息公开工作质量。")]
    s6 = [("p", f"{y}年度{we}未收取信息处理费。" if d["template"] == "2021" else "本年度无其他需要报告的事项。")]
    active_text = None
    if "active" in d["drop_tables"]:
        active_text = (f"{y}年，{we}通过政府网站主动公开政府信息{n_act}条，其中规范性文件、行政许可、行政处罚等信息"
                       f"均按规定在作出决定之日起20个工作日内公开。")
    review_text = None
    if "review" in d["drop_tables"]:
        review_text = f"{we}政府信息公开行政复议、行政诉讼情况按上级统一口径报送。"
    return {"intro": [("p", intro)], "1": s1, "5": s5, "6": s6, "active_text": active_text,
            "review_text": review_text}


def cn_date(iso: str) -> str:
    y, m, dd = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{dd}日"


# ---------------------------------------------------------------------------------------------------------------
# Document model: a list of blocks
# ---------------------------------------------------------------------------------------------------------------


def build_model(d: dict, cells: dict, truth: dict) -> tuple[list[tuple], dict, dict]:
    rng = random.Random(f"robust-text|{d['num']}")
    figs = stated_figures(d, truth["cells"] if truth["cells"].get("apply.new.total") is not None else cells)
    text = narrative(d, truth["cells"], figs, rng)
    title = f"{d['agency']}{d['year']}年政府信息公开工作年度报告"
    blocks: list[tuple] = [("title", title)]
    for _, p in text["intro"]:
        blocks.append(("p", p))
    blocks.append(("h", SECTIONS[0]))
    for kind, p in text["1"]:
        blocks.append(("h2" if kind == "h" else "p", p))
    blocks.append(("h", SECTIONS[1]))
    if "active" in d["drop_tables"]:
        blocks.append(("p", text["active_text"]))
    else:
        for g in active_grids(d, truth):
            blocks.append(("table", g, {"kind": "active"}))
    split = d["split"] or {}
    if split.get("pagebreak"):
        blocks.append(("pagebreak",))
    if split.get("flow"):
        blocks.append(("push",))
    blocks.append(("h", SECTIONS[2]))
    grid, keys = apply_grid(d, truth)
    if split.get("after"):
        k = keys.index(split["after"]) + 1
        top, bottom = split_grid(grid, k)
        if split.get("repeat"):
            bottom = [[c.copy() for c in row] for row in grid[:3]] + bottom
        blocks.append(("table", top, {"kind": "apply"}))
        if split.get("pagebreak"):
            blocks.append(("pagebreak",))
        else:
            blocks.append(("gap", split.get("between", "")))
        blocks.append(("table", bottom, {"kind": "apply", "header_rows": 3 if split.get("repeat") else 0}))
    else:
        blocks.append(("table", grid, {"kind": "apply", "header_rows": 3 if split.get("repeat") else 0}))
    blocks.append(("h", SECTIONS[3]))
    if "review" in d["drop_tables"]:
        blocks.append(("p", text["review_text"]))
    else:
        blocks.append(("table", review_grid(d, truth), {"kind": "review"}))
    blocks.append(("h", SECTIONS[4]))
    blocks += [("p", p) for _, p in text["5"]]
    blocks.append(("h", SECTIONS[5]))
    blocks += [("p", p) for _, p in text["6"]]
    blocks.append(("sign", d["agency"], cn_date(truth["published"])))
    return blocks, figs, {"title": title}


# ---------------------------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------------------------


def esc(s: str) -> str:
    return _html.escape(s, quote=False)


def html_table(rows: list[list[C]], kind: str) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%;'
           'font-size:14px">', "<tbody>"]
    for row in rows:
        tds = []
        for c in row:
            a = ""
            if c.rs > 1:
                a += f' rowspan="{c.rs}"'
            if c.cs > 1:
                a += f' colspan="{c.cs}"'
            if c.kind in ("value", "head", "title"):
                a += ' style="text-align:center"'
            inner = "<br>".join(esc(x) for x in c.text.split("\n")) if c.text else "&nbsp;"
            tds.append(f"<td{a}>{inner}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def render_html(d: dict, blocks: list[tuple], truth: dict, meta: dict) -> bytes:
    body = []
    for b in blocks:
        k = b[0]
        if k == "title":
            body.append(f'<h1 class="article-title">{esc(b[1])}</h1>')
            body.append(f'<div class="article-info"><span>发布日期：{truth["published"]}</span>'
                        f'<span>信息来源：{esc(d["agency"])}</span></div>')
            body.append('<div class="article-content" id="zoom">')
        elif k == "p":
            body.append(f'<p style="text-indent:2em">{esc(b[1])}</p>')
        elif k == "h":
            body.append(f"<p><strong>{esc(b[1])}</strong></p>")
        elif k == "h2":
            body.append(f'<p style="text-indent:2em"><strong>{esc(b[1])}</strong></p>')
        elif k == "table":
            body.append(html_table(b[1], b[2]["kind"]))
        elif k == "gap":
            body.append(f"<p>{esc(b[1])}</p>" if b[1] else "<p>&nbsp;</p>")
        elif k == "sign":
            body.append(f'<p style="text-align:right">{esc(b[1])}</p>')
            body.append(f'<p style="text-align:right">{esc(b[2])}</p>')
            body.append("</div>")
    page = (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{esc(meta['title'])}</title>\n"
        f'<meta name="ArticleTitle" content="{_html.escape(meta["title"])}">\n'
        f'<meta name="PubDate" content="{truth["published"]} 09:30">\n'
        f'<meta name="ContentSource" content="{_html.escape(d["agency"])}">\n'
        "</head>\n<body>\n"
        '<div class="top-nav"><a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; '
        '<a href="/xxgk/ndbg/">政府信息公开年报</a></div>\n'
        '<div class="main">\n' + "\n".join(body) + "\n</div>\n"
        '<div class="footer">主办单位：' + esc(d["agency"]) + "</div>\n</body>\n</html>\n")
    return page.encode("utf-8")


# ---------------------------------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------------------------------


_ONE_FONT: list[str] = []  # set while a DOCX meant for PDF conversion is written: one font name only


def _font(run, size: float, east: str = "宋体", bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    if _ONE_FONT:
        east = _ONE_FONT[0]
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    f = rpr.find(qn("w:rFonts"))
    if f is None:
        f = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, f)
    f.set(qn("w:eastAsia"), east)
    f.set(qn("w:ascii"), "Times New Roman" if not _ONE_FONT else east)
    f.set(qn("w:hAnsi"), "Times New Roman" if not _ONE_FONT else east)
    f.set(qn("w:hint"), "eastAsia")  # quotes “ ” and other shared punctuation in the CJK font


def _para(container, text: str, size: float = 12, bold: bool = False, align=None, indent: bool = True,
          east: str = "仿宋_GB2312"):
    from docx.shared import Pt

    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.space_after = Pt(2)
    _font(p.add_run(text), size, east, bold)
    return p


def _field(paragraph, instr: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _footer(section, kind: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if kind == "dash":
        _font(p.add_run("— "), 10.5)
        _field(p, "PAGE")
        _font(p.add_run(" —"), 10.5)
    elif kind == "pageof":
        _font(p.add_run("第 "), 10.5)
        _field(p, "PAGE")
        _font(p.add_run(" 页 共 "), 10.5)
        _field(p, "NUMPAGES")
        _font(p.add_run(" 页"), 10.5)
    else:
        _field(p, "PAGE")


def _widths(kind: str, width: int, d: dict) -> list[float]:
    from_total = 15.6
    if kind == "apply":
        lw = {"official": [1.2, 1.8, 4.0], "enum_cells": [0.9, 1.7, 0.7, 3.1], "flat": [6.0]}[d["layout"]]
        if d["widths"] and d["layout"] == "official":
            lw = d["widths"]
        rest = width - len(lw)
        v = (from_total - sum(lw)) / rest
        return lw + [v] * rest
    if kind == "active":
        return [5.0, 3.5, 3.5, 3.6]
    return [from_total / width] * width


def _docx_table(container, rows: list[list[C]], opts: dict, d: dict):
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    pos, width = place(rows)
    table = container.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    table.autofit = False
    ws = _widths(opts["kind"], width, d)
    for col, w in zip(table.columns, ws):
        col.width = Cm(w)
        for c in col.cells:
            c.width = Cm(w)
    size = d["tsize"]
    for r, row in enumerate(rows):
        for cell, c in zip(row, pos[r]):
            tc = table.cell(r, c)
            if cell.rs > 1 or cell.cs > 1:
                tc = tc.merge(table.cell(r + cell.rs - 1, c + cell.cs - 1))
            for extra in tc.paragraphs[1:]:
                extra._element.getparent().remove(extra._element)
            p = tc.paragraphs[0]
            for run in list(p.runs):
                run._element.getparent().remove(run._element)
            if cell.kind in ("value", "head", "title"):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            tc.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            lines = cell.text.split("\n")
            run = p.add_run(lines[0])
            _font(run, size, "宋体")
            for line in lines[1:]:
                run.add_break()
                run = p.add_run(line)
                _font(run, size, "宋体")
    for i in range(opts.get("header_rows", 0)):
        trpr = table.rows[i]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return table


PUSH = ("为进一步提升政务公开质效，{we}对照年度工作要点逐项梳理任务清单，明确责任科室和完成时限，"
        "按月调度、按季通报，确保各项公开任务落到实处。")


def render_docx(d: dict, blocks: list[tuple], truth: dict, meta: dict, push: int = 0) -> bytes:
    """A DOCX; for a PDF document every run uses one font name (each name becomes its own embedded CJK subset)."""
    _ONE_FONT[:] = ["Noto Sans CJK SC"] if d["fmt"] == "pdf" else []
    try:
        return slim_docx(_render_docx(d, blocks, truth, meta, push))
    finally:
        _ONE_FONT[:] = []


def slim_docx(data: bytes) -> bytes:
    """Drop python-docx's template ballast that Word does not need (stylesWithEffects, thumbnail)."""
    import io
    import re
    import zipfile

    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    zout = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
    drop = {"word/stylesWithEffects.xml", "docProps/thumbnail.jpeg"}
    for info in zin.infolist():
        if info.filename in drop:
            continue
        raw = zin.read(info.filename)
        if info.filename in ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"):
            raw = re.sub(rb'<(Override|Relationship)[^>]*(stylesWithEffects|thumbnail)[^>]*/>', b"", raw)
        zout.writestr(info.filename, raw, zipfile.ZIP_DEFLATED)
    zout.close()
    return out.getvalue()


def _render_docx(d: dict, blocks: list[tuple], truth: dict, meta: dict, push: int = 0) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm

    doc_ = docx.Document()
    sec = doc_.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.6)
    sec.top_margin, sec.bottom_margin = Cm(3.0), Cm(2.6)
    pdfo = d["pdf"]
    if pdfo.get("header"):
        hp = sec.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(hp.add_run(meta["title"]), 9)
    if pdfo.get("footer"):
        _footer(sec, pdfo["footer"])
    doc_.core_properties.title = ""
    doc_.core_properties.author = "Administrator"
    we = self_ref(d["agency"])
    for b in blocks:
        k = b[0]
        if k == "title":
            _para(doc_, b[1], 20, False, WD_ALIGN_PARAGRAPH.CENTER, False, "方正小标宋简体")
        elif k == "p":
            _para(doc_, b[1], 14)
        elif k == "h":
            _para(doc_, b[1], 14, False, None, True, "黑体")
        elif k == "h2":
            _para(doc_, b[1], 14, False, None, True, "楷体_GB2312")
        elif k == "table":
            _docx_table(doc_, b[1], b[2], d)
            if b[2]["kind"] == "active":
                _para(doc_, "", 6, indent=False)
        elif k == "gap":
            _para(doc_, b[1], 10.5, indent=False)
        elif k == "pagebreak":
            p = doc_.add_paragraph()
            p.add_run().add_break(WD_BREAK.PAGE)
        elif k == "push":
            for _ in range(push):
                _para(doc_, PUSH.format(we=we), 14)
        elif k == "sign":
            _para(doc_, "", 14)
            _para(doc_, b[1], 14, False, WD_ALIGN_PARAGRAPH.RIGHT, False)
            _para(doc_, b[2], 14, False, WD_ALIGN_PARAGRAPH.RIGHT, False)
    import io

    buf = io.BytesIO()
    doc_.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# LibreOffice
# ---------------------------------------------------------------------------------------------------------------


class Office:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="golden9-")
        self.profile = os.path.join(self.tmp, "profile")
        self.soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not self.soffice:
            raise SystemExit("soffice not found (apt-get install libreoffice-writer-nogui)")

    def to_pdf(self, data: bytes) -> bytes:
        work = tempfile.mkdtemp(dir=self.tmp)
        src = os.path.join(work, "doc.docx")
        with open(src, "wb") as fh:
            fh.write(data)
        cmd = [self.soffice, f"-env:UserInstallation=file://{self.profile}", "--headless", "--norestore",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", work, src]
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
        with open(os.path.join(work, "doc.pdf"), "rb") as fh:
            return fh.read()

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def pdf_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    out = []
    for i in range(len(pdf)):
        tp = pdf[i].get_textpage()
        out.append(tp.get_text_range())
        tp.close()
    pdf.close()
    return out


def _squash(s: str) -> str:
    return "".join(s.split())


def flow_split_ok(pages: list[str]) -> bool:
    """The apply table starts on one page and continues on the next, with at least 3 body rows on each and the
    header repeated on the second page."""
    first_row = _squash(LABEL["new"])
    last_row = _squash(LABEL["carried_forward"])
    sq = [_squash(p) for p in pages]
    a = next((i for i, p in enumerate(sq) if first_row in p), None)
    b = next((i for i, p in enumerate(sq) if last_row in p), None)
    if a is None or b is None or b != a + 1:
        return False
    page_b = sq[b]
    # header repeated on the continuation page, and at least three rows on both pages
    if "申请人情况" not in page_b:
        return False
    labels_a = [k for k in ("granted", "partial", "denied.state_secret", "denied.law_prohibited") if
                _squash(LABEL[k]) in sq[a]]
    labels_b = [k for k in ("rejected.petition", "rejected.duplicate", "total") if _squash(LABEL[k]) in page_b]
    return len(labels_a) >= 3 and len(labels_b) >= 3 and _squash(LABEL["granted"]) not in page_b


# ---------------------------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------------------------


def expected_labels(d: dict) -> list[str]:
    """Printed labels that differ from the official ones (must be in the document's text layer)."""
    out = []
    for k, v in d["labels"].items():
        if k in d["drop_rows"]:
            continue
        if isinstance(v, list):
            out += [t for t, _ in v]
        elif v != LABEL.get(k):
            out.append(v)
    out += [v for v in d["active_labels"].values()]
    return out


def variant_names(d: dict) -> list[str]:
    v = [CLASS_NAMES[d["cls"]], f"apply layout: {d['layout']}"]
    if d["split"]:
        v.append("split: " + json.dumps(d["split"], ensure_ascii=False))
    if d["order"]:
        v.append("order: " + json.dumps(d["order"], ensure_ascii=False))
    if d["drop_rows"]:
        v.append("rows not printed: " + ", ".join(d["drop_rows"]))
    if d["drop_cols"]:
        v.append("columns not printed: " + ", ".join(d["drop_cols"]))
    if d["drop_tables"]:
        v.append("tables not printed: " + ", ".join(d["drop_tables"]))
    if d["units"] or d["money_units"]:
        v.append("units in cells: " + ", ".join(f"{k} {u}" for k, u in d["units"].items())
                 + (" + money units" if d["money_units"] else ""))
    if d["single_other"]:
        v.append("（六）其他处理 as one row")
    if d["pdf"]:
        v.append("page chrome: " + ", ".join(f"{k}={val}" for k, val in d["pdf"].items()))
    return v


def build(out: Path, only: set[int] | None = None) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    office = None
    manifest = []
    try:
        for d in DOCS:
            if only and d["num"] not in only:
                continue
            stem = f"{d['num']:02d}_{d['cls'].lower()}-{d['fmt']}-{d['slug']}"
            cells, truth = make_data(d)
            blocks, figs, meta = build_model(d, cells, truth)
            if d["fmt"] == "html":
                data, ext = render_html(d, blocks, truth, meta), "html"
            elif d["fmt"] == "docx":
                data, ext = render_docx(d, blocks, truth, meta), "docx"
            else:
                office = office or Office()
                if d["split"] and d["split"].get("flow"):
                    data = None
                    for push in range(0, 40):
                        cand = office.to_pdf(render_docx(d, blocks, truth, meta, push=push))
                        if flow_split_ok(pdf_pages(cand)):
                            data = cand
                            d["_push"] = push
                            break
                    if data is None:
                        raise SystemExit(f"doc {d['num']}: no push count gives the wanted page break")
                else:
                    data = office.to_pdf(render_docx(d, blocks, truth, meta))
                ext = "pdf"
            name = f"{stem}.{ext}"
            (out / name).write_bytes(data)
            page_note = ""
            if ext == "pdf":
                sq = [_squash(p) for p in pdf_pages(data)]
                pa = [i for i, p in enumerate(sq) if _squash(LABEL["new"]) in p or _squash(LABEL["carried_over"]) in p]
                pz = [i for i, p in enumerate(sq) if any(_squash(x) in p for x in (
                    LABEL["carried_forward"], d["labels"].get("carried_forward", "@"), "（七）总计"))]
                if pa and pz and max(pz) > min(pa):
                    page_note = (f" The applications table runs over PDF pages {min(pa) + 1}-{max(pz) + 1}"
                                 + ("" if d["split"] else " (LibreOffice's own page break, no repeated header)") + ".")
            truth["document"] = name
            truth["note"] = (f"Robust corpus ({CLASS_NAMES[d['cls']]}), built by build_robust.py; values from "
                             f"random_truth seed {9000 + d['num']}, adjusted. {d['what']}. {NOTES[d['num']]}{page_note}")
            truth["variants"] = variant_names(d) + (["apply table over two PDF pages"] if page_note and not d["split"]
                                                    else [])
            if ext == "html":
                truth = {**{k: truth[k] for k in truth if k != "cells"}, "encoding": "utf-8", "cells": truth["cells"]}
            (out / f"{stem}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                                     encoding="utf-8")
            manifest.append({
                "document": name, "num": d["num"], "class": d["cls"], "class_name": CLASS_NAMES[d["cls"]],
                "format": d["fmt"], "template": d["template"], "report_year": d["year"], "agency": d["agency"],
                "verified": d["verified"], "expected_failed_checks": d["expected"], "what": d["what"],
                "evidence": d["evidence"], "basis": BASIS.get(d["num"], "invented"),
                "stated": figs, "labels_in_text": expected_labels(d),
                "drop_rows": d["drop_rows"], "drop_cols": d["drop_cols"], "drop_tables": d["drop_tables"],
                "split": d["split"], "push": d.get("_push"),
            })
            print(f"  {name}")
    finally:
        if office:
            office.close()
    if not only:
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (out / "INDEX.md").write_text(index_md(manifest), encoding="utf-8")
    return manifest


def index_md(manifest: list[dict]) -> str:
    lines = ["| # | document | class | format | template | verified | expected failed checks | what | evidence |",
             "|---|---|---|---|---|---|---|---|---|"]
    for m in manifest:
        ev = m["basis"]
        lines.append(f"| {m['num']} | `{m['document']}` | {m['class']} {m['class_name']} | {m['format']} | "
                     f"{m['template']} | {str(m['verified']).lower()} | "
                     f"{', '.join('`' + x + '`' for x in m['expected_failed_checks']) or '—'} | "
                     f"{m['what'].replace('|', '/')} | {ev} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--main", type=Path, default=DEFAULT_MAIN, help="project root holding the demo portal package")
    ap.add_argument("--only", default=None, help="comma-separated document numbers (no manifest written)")
    args = ap.parse_args(argv)
    load_reports(args.main)
    only = {int(x) for x in args.only.split(",")} if args.only else None
    made = build(args.out, only)
    print(f"{len(made)} documents written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
