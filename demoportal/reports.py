"""Synthetic but realistic 政府信息公开工作年度报告 pages.

A deterministic renderer of report pages the way Chinese government portals publish them (TRS, Hanweb, Guangdong
gkmlpt, generic CMS, bare Word export), with the layout quirks real reports show (see ``shared/spec/template.md``,
section "What real reports do to these tables"). Used by the golden corpus builder (``tests/golden/build_html.py``)
and by the demo portal at run time. Standard library only.

Public API
----------
- :func:`load_cell_keys` – canonical keys per template, from ``core/data/cells.csv``.
- :func:`random_truth` – a truth dict in the seed truth format, with every key of the template.
- :func:`render_report_html` – a complete HTML page showing a truth; variants as keyword switches.
- :func:`encode_page` – bytes in utf-8 / gbk / gb18030 with a given (possibly wrong or missing) charset declaration.

Helpers: :func:`make_document` (adjusts a truth for the variants, e.g. null markers and units, then renders),
:func:`check_identities`, :func:`render_special_page` (negative documents: guide, news, legacy report,
attachment-only, image-only), :data:`VARIANTS`, :data:`STYLES`.
"""

from __future__ import annotations

import copy
import csv
import datetime as _dt
import functools
import hashlib
import html as _html
import json
import random
import re
from pathlib import Path

from core.bundled import cell_rows, division_rows

__all__ = [
    "VARIANTS",
    "STYLES",
    "SPECIAL_KINDS",
    "load_cell_keys",
    "random_truth",
    "render_report_html",
    "make_document",
    "encode_page",
    "check_identities",
    "render_special_page",
    "region_for_agency",
    "report_title",
]

STYLES = ("trs", "hanweb", "gkmlpt", "generic", "bare")

VARIANTS = (
    "one_big_table",  # all three tables (active, apply, review) inside one <table>
    "layout_table",  # the article sits inside a layout table (data tables nested in it)
    "nested_p_span",  # cell text inside <p><span> (Word export)
    "br_in_headers",  # 商业<br>企业
    "label_typos",  # 2.他法律行政法规禁止公开, 3.危及三安全一稳定, 只记这一情形, 七、总计, ...
    "header_cuts",  # review header cells cut to 结果 / 其他 / 尚未
    "halfwidth",  # (一), (单位:万元)
    "value_styles",  # null markers (/ - — -- 无 不适用 &nbsp; blank), 24850元, 1.5万元, 1,234, full-width digits
    "no_body_title",  # no title in the body: agency only in <title>, breadcrumb, 发布机构, 信息索引号
    "signature_date",  # no page date: the date is only in the signature line
    "meta_date",  # the page date (发布日期 / PubDate meta) differs from the signature (which may have no date)
    "no_date",  # no date printed at all (published is null)
    "sidebar_decoys",  # a sidebar list of other reports' titles as links
    "gkmlpt_detail",  # body only inside window._CONFIG.DETAIL JSON (Guangdong gkmlpt)
    "title_split",  # title broken over two elements: "XX关于" / "2021年政府信息公开年度工作报告"
    "rowspan_colspan",  # the official grid with rowspan/colspan; without it: an unmerged (flattened) grid
    "rare_chars",  # a contact name with a CJK Extension A character (only encodable in utf-8 / gb18030)
)

SPECIAL_KINDS = ("guide", "news", "legacy", "attachment_only", "images_only")


# ---------------------------------------------------------------------------------------------------------------
# The format
# ---------------------------------------------------------------------------------------------------------------

APPLICANTS = ("person", "business", "research", "nonprofit", "legal", "other_org")
APPLY_COLS = APPLICANTS + ("total",)
REVIEW_GROUPS = ("reconsideration", "suit_direct", "suit_after")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")

_DENIED = (
    ("state_secret", "1.属于国家秘密"),
    ("law_prohibited", "2.其他法律行政法规禁止公开"),
    ("security_stability", "3.危及“三安全一稳定”"),
    ("third_party", "4.保护第三方合法权益"),
    ("internal_affairs", "5.属于三类内部事务信息"),
    ("process_info", "6.属于四类过程性信息"),
    ("enforcement_file", "7.属于行政执法案卷"),
    ("query_matter", "8.属于行政查询事项"),
)
_UNABLE = (
    ("not_held", "1.本机关不掌握相关政府信息"),
    ("needs_creation", "2.没有现成信息需要另行制作"),
    ("unclear", "3.补正后申请内容仍不明确"),
)
_REJECTED = (
    ("petition", "1.信访举报投诉类申请"),
    ("duplicate", "2.重复申请"),
    ("publication", "3.要求提供公开出版物"),
    ("excessive", "4.无正当理由大量反复申请"),
    ("confirm", "5.要求行政机关确认或重新出具已获取信息"),
)
_OTHER_SUB = (
    ("no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "3.其他"),
)

L_NEW = "一、本年新收政府信息公开申请数量"
L_CARRIED_OVER = "二、上年结转政府信息公开申请数量"
L_RESULTS = "三、本年度办理结果"
L_GRANTED = "（一）予以公开"
L_PARTIAL = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
L_DENIED = "（三）不予公开"
L_UNABLE = "（四）无法提供"
L_REJECTED = "（五）不予处理"
L_OTHER = "（六）其他处理"
L_TOTAL = "（七）总计"
L_CARRIED_FORWARD = "四、结转下年度继续办理"
L_APPLY_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

ACTIVE = {
    "2021": (
        ("art20_1", "第二十条第（一）项", ("issued", "repealed", "in_force"),
         ("本年制发件数", "本年废止件数", "现行有效件数"), (("rules", "规章"), ("normative", "行政规范性文件"))),
        ("art20_5", "第二十条第（五）项", ("decisions",), ("本年处理决定数量",), (("licensing", "行政许可"),)),
        ("art20_6", "第二十条第（六）项", ("decisions",), ("本年处理决定数量",),
         (("penalty", "行政处罚"), ("coercion", "行政强制"))),
        ("art20_8", "第二十条第（八）项", ("amount",), ("本年收费金额（单位：万元）",), (("fees", "行政事业性收费"),)),
    ),
    "2019": (
        ("art20_1", "第二十条第（一）项", ("made", "published", "total_published"),
         ("本年新制作数量", "本年新公开数量", "对外公开总数量"), (("rules", "规章"), ("normative", "规范性文件"))),
        ("art20_5", "第二十条第（五）项", ("prev_items", "change", "decisions"), ("上一年项目数量", "本年增/减", "处理决定数量"),
         (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
        ("art20_6", "第二十条第（六）项", ("prev_items", "change", "decisions"), ("上一年项目数量", "本年增/减", "处理决定数量"),
         (("penalty", "行政处罚"), ("coercion", "行政强制"))),
        ("art20_8", "第二十条第（八）项", ("prev_items", "change"), ("上一年项目数量", "本年增/减"), (("fees", "行政事业性收费"),)),
        ("art20_9", "第二十条第（九）项", ("items", "amount"), ("采购项目数量", "采购总金额"), (("procurement", "政府集中采购"),)),
    ),
}

_SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)


def _result_rows(template: str, other_single_row: bool) -> list[str]:
    rows = ["granted", "partial"]
    rows += [f"denied.{k}" for k, _ in _DENIED]
    rows += [f"unable.{k}" for k, _ in _UNABLE]
    rows += [f"rejected.{k}" for k, _ in _REJECTED]
    if template == "2019" or other_single_row:
        rows.append("other")
    else:
        rows += [f"other.{k}" for k, _ in _OTHER_SUB]
    return rows


@functools.lru_cache(maxsize=None)
def _cell_keys_cached() -> tuple[tuple[str, tuple[str, ...]], ...]:
    out: dict[str, list[str]] = {}
    for row in cell_rows():
        out.setdefault(row["template"], []).append(row["key"])
    return tuple((t, tuple(v)) for t, v in sorted(out.items()))


def load_cell_keys() -> dict[str, list[str]]:
    """Canonical cell keys per template ("2019", "2021"), in cells.csv order."""
    return {t: list(v) for t, v in _cell_keys_cached()}


# ---------------------------------------------------------------------------------------------------------------
# Regions (from core/data/divisions.csv)
# ---------------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _division_prefixes() -> dict[str, tuple[str, str, str, str] | None]:
    """prefix text -> (province, city, county, code); None when the prefix is ambiguous."""
    out: dict[str, tuple[str, str, str, str] | None] = {}

    def put(prefix: str, value: tuple[str, str, str, str]) -> None:
        if not prefix:
            return
        if prefix in out and out[prefix] != value:
            out[prefix] = None
        else:
            out[prefix] = value

    for r in division_rows():
        prov, city, name, level, code = r["province"], r["city"], r["name"], r["level"], r["code"]
        if level == "province":
            put(prov, (prov, "", "", code))
        elif level == "city":
            put(prov + name, (prov, name, "", code))
            put(name, (prov, name, "", code))
        else:
            val = (prov, city, name, code)
            put(prov + city + name, val)
            if city:
                put(city + name, val)
            else:
                put(prov + name, val)
            put(name, val)
    return out


def _region_parts(agency: str | None) -> tuple[str, str, str, str] | None:
    if not agency:
        return None
    table = _division_prefixes()
    for n in range(min(len(agency), 24), 1, -1):
        hit = table.get(agency[:n], False)
        if hit:
            return hit
    return None


def region_for_agency(agency: str | None) -> str | None:
    """'达州市通川区财政局' -> '四川省达州市通川区' (None when unknown or ambiguous)."""
    parts = _region_parts(agency)
    if not parts:
        return None
    return parts[0] + parts[1] + parts[2]


# ---------------------------------------------------------------------------------------------------------------
# Truth
# ---------------------------------------------------------------------------------------------------------------


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def _agency_kind(agency: str) -> str:
    if re.search(r"(镇|乡)人民政府$|街道办事处$", agency):
        return "township"
    if agency.endswith("人民政府"):
        return "government"
    return "department"


def _default_published(rng: random.Random, report_year: int, agency: str) -> str:
    kind = _agency_kind(agency)
    start = _dt.date(report_year + 1, 1, 6)
    span = {"department": 25, "government": 80, "township": 70}[kind]
    d = start + _dt.timedelta(days=rng.randint(0, span))
    return d.isoformat()


def _small(rng: random.Random, zero_share: float, hi: int) -> int:
    if rng.random() < zero_share:
        return 0
    return rng.randint(1, max(1, hi))


def random_truth(template: str, report_year: int, agency: str, seed: int, *, published: str | None = None,
                 zero_share: float = 0.3, consistent: bool = True, other_single_row: bool = False) -> dict:
    """A truth dict in the seed truth format with every key of ``template``.

    Values are non-negative integers satisfying identities 1-4 of template.md when ``consistent`` (except the 2019
    signed ``change`` columns, the 2019 procurement amount and the 2021 fee amount in 万元). In a 2021 truth the
    seven ``apply.other.*`` cells are null unless ``other_single_row``; then the 21 ``apply.other.<sub>.*`` cells
    are null instead. ``published`` None picks a plausible date in the next year's first quarter.
    """
    if template not in ("2019", "2021"):
        raise ValueError(f"unknown template {template!r}")
    if other_single_row and template != "2021":
        raise ValueError("other_single_row only applies to template 2021")
    keys = load_cell_keys()[template]
    rng = _rng("truth", template, report_year, agency, seed)
    kind = _agency_kind(agency)
    scale = {"township": 4, "department": 9, "government": 25}[kind]
    scale = max(2, int(scale * rng.choice((0.6, 1.0, 1.5, 2.5))))
    cells: dict[str, object] = {k: None for k in keys}

    # --- active
    if template == "2021":
        for row in ("rules", "normative"):
            if row == "rules" and kind == "township":
                issued = repealed = 0
                in_force = 0 if rng.random() < 0.7 else rng.randint(1, 3)
            else:
                issued = _small(rng, zero_share, 12 if row == "normative" else 3)
                repealed = _small(rng, zero_share, 6 if row == "normative" else 2)
                in_force = issued + _small(rng, zero_share * 0.5, 60 if row == "normative" else 15)
            cells[f"active.art20_1.{row}.issued"] = issued
            cells[f"active.art20_1.{row}.repealed"] = repealed
            cells[f"active.art20_1.{row}.in_force"] = in_force
        cells["active.art20_5.licensing.decisions"] = _small(rng, zero_share, scale * rng.choice((5, 40, 300)))
        cells["active.art20_6.penalty.decisions"] = _small(rng, zero_share, scale * rng.choice((3, 20, 150)))
        cells["active.art20_6.coercion.decisions"] = _small(rng, zero_share, scale * 3)
        if rng.random() < zero_share * 0.6:
            cells["active.art20_8.fees.amount"] = 0
        else:
            cells["active.art20_8.fees.amount"] = round(rng.uniform(0.05, 1.0) * rng.choice((10, 100, 1000)), 2)
    else:
        for row in ("rules", "normative"):
            made = _small(rng, zero_share, 3 if row == "rules" else 15)
            pub = made if rng.random() < 0.7 else max(0, made - rng.randint(0, 2))
            cells[f"active.art20_1.{row}.made"] = made
            cells[f"active.art20_1.{row}.published"] = pub
            cells[f"active.art20_1.{row}.total_published"] = pub + _small(rng, zero_share * 0.5, 80)
        for sec, rows in (("art20_5", ("licensing", "other_services")), ("art20_6", ("penalty", "coercion")),
                          ("art20_8", ("fees",))):
            for row in rows:
                prev = _small(rng, zero_share, scale * 4)
                change = 0 if rng.random() < zero_share else rng.randint(-min(prev, 5), 12)
                if change == 0 and rng.random() > zero_share:
                    change = rng.randint(1, 6)
                cells[f"active.{sec}.{row}.prev_items"] = prev
                cells[f"active.{sec}.{row}.change"] = change
                if sec != "art20_8":
                    cells[f"active.{sec}.{row}.decisions"] = _small(rng, zero_share, scale * rng.choice((4, 30, 200)))
        items = _small(rng, zero_share, 12)
        cells["active.art20_9.procurement.items"] = items
        if items == 0:
            amount: object = 0
        elif rng.random() < 0.6:
            amount = rng.randint(8, 4000) * 50 + rng.choice((0, 0, 30, 85))  # 元, e.g. 24850
        else:
            amount = round(rng.randint(5, 90000) / 10, 1)  # 万元 printed as a bare decimal
        cells["active.art20_9.procurement.amount"] = amount

    # --- apply
    results = _result_rows(template, other_single_row)
    weight = {"person": 1.0, "business": 0.45, "research": 0.15, "nonprofit": 0.15, "legal": 0.3, "other_org": 0.25}
    for col in APPLICANTS:
        hi = max(1, int(scale * weight[col] / 2))
        col_total = 0
        for r in results:
            big = r in ("granted", "partial", "unable.not_held")
            v = _small(rng, zero_share, hi * (3 if big else 1))
            cells[f"apply.{r}.{col}"] = v
            col_total += v
        cells[f"apply.total.{col}"] = col_total
        cf = _small(rng, zero_share, max(1, hi // 2 + 1))
        co = 0 if rng.random() < zero_share else rng.randint(0, min(col_total + cf, hi))
        cells[f"apply.carried_forward.{col}"] = cf
        cells[f"apply.carried_over.{col}"] = co
        cells[f"apply.new.{col}"] = col_total + cf - co
    for r in ["new", "carried_over"] + results + ["total", "carried_forward"]:
        cells[f"apply.{r}.total"] = sum(cells[f"apply.{r}.{c}"] for c in APPLICANTS)  # type: ignore[misc]

    # --- review
    for g in REVIEW_GROUPS:
        parts = [_small(rng, zero_share, 3 if g == "reconsideration" else 2) for _ in range(4)]
        for c, v in zip(REVIEW_COLS[:4], parts):
            cells[f"review.{g}.{c}"] = v
        cells[f"review.{g}.total"] = sum(parts)

    note = f"Synthetic report (demoportal.reports, seed {seed})."
    if not consistent:
        broken = _break_identities(cells, template, results, rng)
        note += " Inconsistent as printed: " + "; ".join(broken) + "."
    if published is None:
        published = _default_published(rng, report_year, agency)
    missing = [k for k in keys if k not in cells]
    assert not missing and len(cells) == len(keys), missing
    return {
        "document": f"synthetic_{template}_{report_year}_{seed}.html",
        "template": template,
        "report_year": report_year,
        "agency": agency,
        "published": published,
        "region": region_for_agency(agency),
        "units": {},
        "note": note,
        "cells": {k: cells[k] for k in keys},
    }


def _break_identities(cells: dict, template: str, results: list[str], rng: random.Random) -> list[str]:
    """Perturb single printed cells so that identities fail, as real reports do (values kept as printed)."""
    broken = []
    kinds = ["granted_without_application", "row_total_off", "review_total_off", "column_total_off"]
    rng.shuffle(kinds)
    for kind in kinds[: rng.randint(2, 3)]:
        if kind == "granted_without_application":
            # seed 003: nothing received, nothing carried over, yet one granted
            col = rng.choice(APPLICANTS[1:])
            cells[f"apply.new.{col}"] = 0
            cells[f"apply.carried_over.{col}"] = 0
            cells[f"apply.granted.{col}"] = (cells[f"apply.granted.{col}"] or 0) + 1
            broken.append(f"apply column {col}: nothing new or carried over, yet granted")
        elif kind == "row_total_off":
            r = rng.choice(results[:2] + ["new"])
            cells[f"apply.{r}.total"] = cells[f"apply.{r}.total"] + rng.choice((1, 2, 10))
            broken.append(f"apply.{r}.total is not the sum of its row")
        elif kind == "review_total_off":
            g = rng.choice(REVIEW_GROUPS)
            cells[f"review.{g}.total"] = cells[f"review.{g}.total"] + 1
            broken.append(f"review.{g}.total is not the sum of its group")
        else:
            col = rng.choice(APPLICANTS[:3])
            cells[f"apply.total.{col}"] = cells[f"apply.total.{col}"] + rng.choice((1, 3))
            broken.append(f"apply.total.{col} is not the sum of the result rows")
    return broken


def _num(v: object) -> float:
    return 0 if v is None else v  # type: ignore[return-value]


def check_identities(truth: dict) -> list[str]:
    """Identities 1-4 of template.md (null counts as 0). Returns the failed checks (empty list: all hold)."""
    cells = truth["cells"]
    template = truth["template"]
    single = template == "2021" and any(cells.get(f"apply.other.{c}") is not None for c in APPLY_COLS)
    results = _result_rows(template, template == "2019" or single)
    fails = []
    for col in APPLY_COLS:
        g = lambda r: _num(cells.get(f"apply.{r}.{col}"))  # noqa: E731
        if g("new") + g("carried_over") != g("total") + g("carried_forward"):
            fails.append(f"apply_flow.{col}")
        if g("total") != sum(g(r) for r in results):
            fails.append(f"apply_results.{col}")
    for r in ["new", "carried_over"] + results + ["total", "carried_forward"]:
        if _num(cells.get(f"apply.{r}.total")) != sum(_num(cells.get(f"apply.{r}.{c}")) for c in APPLICANTS):
            fails.append(f"apply_row.{r}")
    for g in REVIEW_GROUPS:
        if _num(cells.get(f"review.{g}.total")) != sum(_num(cells.get(f"review.{g}.{c}")) for c in REVIEW_COLS[:4]):
            fails.append(f"review.{g}")
    return fails


# ---------------------------------------------------------------------------------------------------------------
# Variants and value formatting
# ---------------------------------------------------------------------------------------------------------------

_NULL_MARKERS = ("", "&nbsp;", "/", "-", "—", "--", "无", "不适用")
_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def _check_variants(style: str, variants: dict) -> dict[str, bool]:
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        raise ValueError(f"unknown variant(s): {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    v = {name: bool(variants.get(name, False)) for name in VARIANTS}
    if sum(v[n] for n in ("signature_date", "meta_date", "no_date")) > 1:
        raise ValueError("signature_date, meta_date and no_date exclude each other")
    if v["gkmlpt_detail"] and style != "gkmlpt":
        raise ValueError("gkmlpt_detail needs style 'gkmlpt'")
    return v


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


def _fmt_number(v: object, key: str, unit: str | None, rng: random.Random, styled: bool, plus: bool,
                full: bool = False) -> str:
    if isinstance(v, float):
        s = f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else (f"{int(v)}" if rng.random() < 0.5 else f"{v:.2f}")
        if styled and abs(v) >= 1000 and rng.random() < 0.7:
            ip, _, fp = s.partition(".")
            s = f"{int(ip):,}" + ("." + fp if fp else "")
    else:
        iv = int(v)  # type: ignore[arg-type]
        if key.endswith(".change"):
            s = (f"+{iv}" if plus else str(iv)) if iv > 0 else str(iv)
        elif styled and iv >= 1000 and rng.random() < 0.75:
            s = f"{iv:,}"
        else:
            s = str(iv)
    if full and "," not in s:
        s = s.translate(_FULLWIDTH)
    if unit:
        s += unit
    return s


class _Fmt:
    """Formats cell values for one document (deterministic, in cell order)."""

    def __init__(self, truth: dict, seed: int, styled: bool):
        self.cells = truth["cells"]
        self.units = truth.get("units") or {}
        self.rng = _rng("fmt", seed, truth.get("agency"), truth.get("report_year"))
        self.styled = styled
        self.plus = self.rng.random() < 0.7
        # one not-reported marker per document, sometimes two (a report mixes at most a couple)
        self.markers = [self.rng.choice(_NULL_MARKERS)] if styled else [""]
        if styled and self.rng.random() < 0.4:
            self.markers.append(self.rng.choice(_NULL_MARKERS))
        self._row = ""
        self._full = False

    def _row_full(self, key: str) -> bool:
        """Full-width digits come by row (typed with a full-width IME), in about one row in eight."""
        row = key.rsplit(".", 1)[0]
        if row != self._row:
            self._row = row
            self._full = self.styled and self.rng.random() < 0.12
        return self._full

    def value(self, key: str) -> tuple[str, bool]:
        """(text, is_raw_html)"""
        v = self.cells.get(key)
        if v is None:
            self._row_full(key)
            m = self.rng.choice(self.markers)
            return m, m == "&nbsp;"
        full = self._row_full(key)
        return _fmt_number(v, key, self.units.get(key), self.rng, self.styled, self.plus, full), False


_TYPOS = {
    "2.其他法律行政法规禁止公开": "2.他法律行政法规禁止公开",
    "3.危及“三安全一稳定”": "3.危及三安全一稳定",
    "2.没有现成信息需要另行制作": "2.有现成信息需要另行制作",
    L_PARTIAL: L_PARTIAL.replace("只计这一情形", "只记这一情形"),
    L_CARRIED_FORWARD: "四、结转下一年度继续办理",
    L_TOTAL: "七、总计",
}
_BR = {
    "商业企业": "商业\n企业",
    "科研机构": "科研\n机构",
    "社会公益组织": "社会公益\n组织",
    "法律服务机构": "法律服务\n机构",
    "结果维持": "结果\n维持",
    "结果纠正": "结果\n纠正",
    "其他结果": "其他\n结果",
    "尚未审结": "尚未\n审结",
    "未经复议直接起诉": "未经复议\n直接起诉",
    "本年收费金额（单位：万元）": "本年收费金额\n（单位：万元）",
    "法人或其他组织": "法人或\n其他组织",
}
_CUTS = {"结果维持": "结果", "结果纠正": "结果", "其他结果": "其他", "尚未审结": "尚未"}
_HALF = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "“": '"', "”": '"'})


class _Opts:
    def __init__(self, v: dict[str, bool], style: str, template: str, rng: random.Random):
        self.v = v
        self.style = style
        self.template = template
        self.spans = v["rowspan_colspan"]
        self.nested = v["nested_p_span"]
        self.br_tag = rng.choice(("<br>", "<br/>", "<br />"))
        self.th = style == "generic"
        self.flat1 = (not self.spans) and rng.random() < 0.5  # unmerged grid: 1 label column instead of 3
        self.active_merged = rng.random() < (0.7 if self.spans else 0.35)

    def label(self, text: str) -> str:
        if self.v["label_typos"]:
            text = _TYPOS.get(text, text)
            if self.template == "2021" and text == "行政规范性文件":
                text = "规范性文件"
        if self.v["halfwidth"]:
            text = text.translate(_HALF)
        return text

    def head(self, text: str) -> str:
        if self.v["header_cuts"] and text in _CUTS:
            return _CUTS[text]
        if self.v["br_in_headers"] and text in _BR:
            text = _BR[text]
        return self.label(text)


# ---------------------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------------------


class _Cell:
    __slots__ = ("text", "rs", "cs", "kind", "raw")

    def __init__(self, text: str = "", rs: int = 1, cs: int = 1, kind: str = "label", raw: bool = False):
        self.text, self.rs, self.cs, self.kind, self.raw = text, rs, cs, kind, raw


def _width(rows: list[list[_Cell]]) -> tuple[int, list[list[int]]]:
    occ: set[tuple[int, int]] = set()
    pos: list[list[int]] = []
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
    return (max(c for _, c in occ) + 1 if occ else 0), pos


def _widen(rows: list[list[_Cell]], width: int, spans: bool) -> list[list[_Cell]]:
    w, pos = _width(rows)
    if w >= width:
        return rows
    if spans:
        for row, rp in zip(rows, pos):
            for cell, c in zip(row, rp):
                if c + cell.cs == w:
                    cell.cs += width - w
    else:
        for row in rows:
            row.extend(_Cell("", kind="pad") for _ in range(width - w))
    return rows


def _values(fmt: _Fmt, keys: list[str]) -> list[_Cell]:
    out = []
    for k in keys:
        text, raw = fmt.value(k)
        out.append(_Cell(text, kind="value", raw=raw))
    return out


def _active_rows(truth: dict, o: _Opts, fmt: _Fmt) -> list[list[list[_Cell]]]:
    """One row list per article item (merged later when the active table is one table)."""
    out = []
    for sec, title, cols, col_labels, rows in ACTIVE[truth["template"]]:
        t: list[list[_Cell]] = []
        n = len(cols)
        if o.spans and o.active_merged:
            t.append([_Cell(o.label(title), cs=4, kind="title")])
            hdr = [_Cell(o.head("信息内容"), kind="head")]
            for i, lab in enumerate(col_labels):
                hdr.append(_Cell(o.head(lab), kind="head", cs=(4 - n) if (i == n - 1 and n < 3) else 1))
            if n == 1:
                hdr[-1].cs = 3
            t.append(hdr)
            for rk, rl in rows:
                vals = _values(fmt, [f"active.{sec}.{rk}.{c}" for c in cols])
                if n == 1:
                    vals[-1].cs = 3
                elif n == 2:
                    vals[-1].cs = 2
                t.append([_Cell(o.label(rl))] + vals)
        else:
            t.append([_Cell(o.label(title), kind="title")] + ([_Cell(o.head(""), kind="pad") for _ in cols]
                                                              if not o.spans else []))
            if o.spans:
                t[-1][0].cs = n + 1
            t.append([_Cell(o.head("信息内容"), kind="head")] + [_Cell(o.head(lab), kind="head") for lab in col_labels])
            for rk, rl in rows:
                t.append([_Cell(o.label(rl))] + _values(fmt, [f"active.{sec}.{rk}.{c}" for c in cols]))
        out.append(t)
    return out


def _apply_spec(truth: dict) -> list[tuple[str, str, str | None, int]]:
    """(group, label, row key or None, group size) in printed order. group: top|results|denied|unable|rejected|other."""
    template = truth["template"]
    cells = truth["cells"]
    single = template == "2019" or any(cells.get(f"apply.other.{c}") is not None for c in APPLY_COLS)
    spec: list[tuple[str, str, str | None, int]] = [("top", L_NEW, "new", 1), ("top", L_CARRIED_OVER, "carried_over", 1)]
    spec.append(("results", L_GRANTED, "granted", 1))
    spec.append(("results", L_PARTIAL, "partial", 1))
    for grp, lab, items in (("denied", L_DENIED, _DENIED), ("unable", L_UNABLE, _UNABLE),
                            ("rejected", L_REJECTED, _REJECTED)):
        spec.append((grp, lab, None, len(items)))
        spec += [(grp, il, f"{grp}.{ik}", len(items)) for ik, il in items]
    if single:
        spec.append(("results", L_OTHER, "other", 1))
    else:
        spec.append(("other", L_OTHER, None, 3))
        spec += [("other", il, f"other.{ik}", 3) for ik, il in _OTHER_SUB]
    spec.append(("results", L_TOTAL, "total", 1))
    spec.append(("top", L_CARRIED_FORWARD, "carried_forward", 1))
    return spec


def _apply_rows(truth: dict, o: _Opts, fmt: _Fmt) -> list[list[_Cell]]:
    spec = _apply_spec(truth)
    rows: list[list[_Cell]] = []
    H = lambda s, **kw: _Cell(o.head(s), kind="head", **kw)  # noqa: E731
    L = lambda s, **kw: _Cell(o.label(s), **kw)  # noqa: E731
    E = lambda: _Cell("", kind="pad")  # noqa: E731
    org_heads = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    vals = lambda r: _values(fmt, [f"apply.{r}.{c}" for c in APPLY_COLS])  # noqa: E731
    n_results = sum(1 for g, _, k, _ in spec if g != "top" and k is not None)
    if o.spans:
        rows.append([L(L_APPLY_NOTE, rs=3, cs=3), H("申请人情况", cs=7)])
        rows.append([H("自然人", rs=2), H("法人或其他组织", cs=5), H("总计", rs=2)])
        rows.append([H(h) for h in org_heads])
        first_result = True
        pending_group: str | None = None
        for grp, lab, key, size in spec:
            if grp == "top":
                rows.append([L(lab, cs=3)] + vals(key))
                continue
            prefix = []
            if first_result:
                prefix = [L(L_RESULTS, rs=n_results)]
                first_result = False
            if key is None:  # group label: spans its items
                pending_group = lab
                continue
            if grp == "results":
                rows.append(prefix + [L(lab, cs=2)] + vals(key))
            else:
                if pending_group:
                    prefix = prefix + [L(pending_group, rs=size)]
                    pending_group = None
                rows.append(prefix + [L(lab)] + vals(key))
    elif not o.flat1:  # the official grid with its merges undone: 3 label columns, empty cells
        rows.append([L(L_APPLY_NOTE), E(), E(), H("申请人情况")] + [E() for _ in range(6)])
        rows.append([E(), E(), E(), H("自然人"), H("法人或其他组织"), E(), E(), E(), E(), H("总计")])
        rows.append([E(), E(), E(), E()] + [H(h) for h in org_heads] + [E()])
        first_result = True
        pending_group = None
        for grp, lab, key, size in spec:
            if grp == "top":
                rows.append([L(lab), E(), E()] + vals(key))
                continue
            c0 = L(L_RESULTS) if first_result else E()
            if key is None:
                pending_group = lab
                continue
            first_result = False
            if grp == "results":
                rows.append([c0, L(lab), E()] + vals(key))
            else:
                c1 = L(pending_group) if pending_group else E()
                pending_group = None
                rows.append([c0, c1, L(lab)] + vals(key))
    else:  # flattened: one label column, label-only rows keep empty value cells
        rows.append([H("申请人情况"), H("自然人"), H("法人或其他组织"), E(), E(), E(), E(), H("总计")])
        rows.append([E(), E()] + [H(h) for h in org_heads] + [E()])
        first_result = True
        for grp, lab, key, size in spec:
            if grp != "top" and first_result:
                rows.append([L(L_RESULTS)] + [E() for _ in range(7)])
                first_result = False
            if key is None:
                rows.append([L(lab)] + [E() for _ in range(7)])
            else:
                rows.append([L(lab)] + vals(key))
    return rows


def _review_rows(truth: dict, o: _Opts, fmt: _Fmt) -> list[list[_Cell]]:
    H = lambda s, **kw: _Cell(o.head(s), kind="head", **kw)  # noqa: E731
    E = lambda: _Cell("", kind="pad")  # noqa: E731
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    vals = _values(fmt, [f"review.{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLS])
    if o.spans:
        return [
            [H("行政复议", cs=5), H("行政诉讼", cs=10)],
            [H(h, rs=2) for h in heads] + [H("未经复议直接起诉", cs=5), H("复议后起诉", cs=5)],
            [H(h) for h in heads] + [H(h) for h in heads],
            vals,
        ]
    return [
        [H("行政复议")] + [E() for _ in range(4)] + [H("行政诉讼")] + [E() for _ in range(9)],
        [H(h) for h in heads] + [H("未经复议直接起诉")] + [E() for _ in range(4)] + [H("复议后起诉")]
        + [E() for _ in range(4)],
        [E() for _ in range(5)] + [H(h) for h in heads] + [H(h) for h in heads],
        vals,
    ]


def _cell_html(cell: _Cell, o: _Opts) -> str:
    attrs = ""
    if cell.rs > 1:
        attrs += f' rowspan="{cell.rs}"'
    if cell.cs > 1:
        attrs += f' colspan="{cell.cs}"'
    if cell.raw:
        inner = cell.text
    else:
        inner = _html.escape(cell.text, quote=False).replace("\n", o.br_tag)
    if o.style == "bare":
        attrs += " valign=top style='border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'"
    elif cell.kind == "value":
        attrs += ' align="center"'
    if o.nested:
        align = "left" if cell.kind == "label" else "center"
        cls = ' class="MsoNormal"' if o.style == "bare" else ""
        span_style = "font-size:10.5pt;font-family:宋体" if cell.kind != "value" else "font-size:10.5pt;font-family:'Times New Roman'"
        if inner == "" and o.style == "bare":
            inner = "&nbsp;"  # Word keeps a non-breaking space in an empty cell paragraph
        inner = f'<p{cls} style="text-align:{align};line-height:150%"><span style="{span_style}">{inner}</span></p>'
    tag = "th" if (o.th and cell.kind in ("head", "title")) else "td"
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _table_html(rows: list[list[_Cell]], o: _Opts, cls: str = "") -> str:
    if o.style == "bare":
        open_tag = "<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>"
    elif o.style == "hanweb":
        open_tag = '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">'
    else:
        c = f' class="{cls}"' if cls else ""
        open_tag = f'<table{c} border="1" cellspacing="0" cellpadding="4" width="100%" style="border-collapse:collapse">'
    body = "\n".join("<tr>" + "".join(_cell_html(c, o) for c in row) + "</tr>" for row in rows)
    return f"{open_tag}\n<tbody>\n{body}\n</tbody>\n</table>"


def _heading_row(text: str, width: int, o: _Opts) -> list[_Cell]:
    if o.spans:
        return [_Cell(text, cs=width, kind="title")]
    return [_Cell(text, kind="title")] + [_Cell("", kind="pad") for _ in range(width - 1)]


# ---------------------------------------------------------------------------------------------------------------
# Narrative
# ---------------------------------------------------------------------------------------------------------------


def _self_ref(agency: str) -> str:
    if agency.endswith("镇人民政府"):
        return "我镇"
    if agency.endswith("乡人民政府"):
        return "我乡"
    if agency.endswith("街道办事处"):
        return "我街道"
    if agency.endswith("人民政府"):
        m = re.search(r"(县|区|市|旗)人民政府$", agency)
        return "我" + (m.group(1) if m else "市")
    for suf, ref in (("局", "我局"), ("委员会", "我委"), ("委", "我委"), ("办公室", "我办"), ("中心", "中心"),
                     ("管委会", "管委会")):
        if agency.endswith(suf):
            return ref
    return "我单位"


def report_title(agency: str, year: int, form: int) -> tuple[str, str]:
    """The report title in one of three real forms, and its two-line split (first part, second part)."""
    if form == 1:
        return f"{agency}关于", f"{year}年政府信息公开年度工作报告"
    if form == 2:
        return agency, f"{year}年度政府信息公开工作报告"
    return agency, f"{year}年政府信息公开工作年度报告"


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂"


def _contact(rng: random.Random, rare: bool) -> str:
    name = rng.choice(_SURNAMES) + ("䶮" if rare else rng.choice(_GIVEN) + rng.choice(_GIVEN))
    return name


def _p(text: str, style: str) -> str:
    if style == "bare":
        return ("<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'><span "
                f"style='font-size:16.0pt;font-family:仿宋_GB2312'>{text}</span></p>")
    return f'<p style="text-indent:2em;">{text}</p>'


def _h(text: str, style: str, level: int, rng_pick: int) -> str:
    if style == "bare":
        font = "黑体" if level == 1 else "楷体_GB2312"
        return (f"<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt'><span "
                f"style='font-size:16.0pt;font-family:{font}'>{text}</span></p>")
    if level == 1:
        forms = (f'<p style="text-indent:2em;"><strong>{text}</strong></p>', f"<h3>{text}</h3>",
                 f'<p style="text-indent:2em;"><span style="font-family:黑体">{text}</span></p>')
    else:
        forms = (f'<p style="text-indent:2em;"><strong>{text}</strong></p>',
                 f'<p style="text-indent:2em;"><span style="font-family:楷体">{text}</span></p>',
                 f'<p style="text-indent:2em;">{text}</p>')
    return forms[rng_pick % len(forms)]


def _narrative(truth: dict, o: _Opts, rng: random.Random, site: str, contact: str) -> dict[str, list[str]]:
    """Paragraph texts per section number (1, 5, 6) and the intro ("0")."""
    agency = truth.get("agency") or "本机关"
    y = truth["report_year"]
    we = _self_ref(agency)
    cells = truth["cells"]
    half = o.v["halfwidth"]

    def sub(i: int, text: str) -> str:
        label = f"（{'一二三四五六七'[i]}）{text}"
        return label.translate(_HALF) if half else label

    fmt_doc = "国办公开办函〔2021〕30号" if truth["template"] == "2021" else "国办公开办函〔2019〕60号"
    tel = f"0{rng.randint(510, 939)}-{rng.randint(2000000, 8999999)}"
    intro = (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》"
             f"（{fmt_doc}）要求编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
             f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
             f"本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。本报告电子版可在“{site}”门户网站查阅。"
             f"如对本报告有疑问，请与{agency}办公室联系（联系人：{contact}；电话：{tel}）。")
    n_active = rng.randint(30, 900)
    a = rng.randint(1, max(2, n_active // 4))
    b = rng.randint(1, max(2, n_active // 5))
    new_total = cells.get("apply.new.total")
    granted_total = cells.get("apply.granted.total")
    if not new_total:
        apply_text = f"{y}年，{we}未收到政府信息公开申请。"
    else:
        apply_text = (f"{y}年，{we}共收到政府信息公开申请{new_total}件，上年结转{cells.get('apply.carried_over.total') or 0}件，"
                      f"其中予以公开{granted_total or 0}件，所有申请均在法定期限内予以答复"
                      + (f"，结转下年度继续办理{cells['apply.carried_forward.total']}件。" if cells.get("apply.carried_forward.total")
                         else "。"))
    rec = cells.get("review.reconsideration.total") or 0
    suits = (cells.get("review.suit_direct.total") or 0) + (cells.get("review.suit_after.total") or 0)
    apply_text += (f"全年因政府信息公开引发行政复议{rec}件、行政诉讼{suits}件。" if rec or suits
                   else "全年未发生因政府信息公开引发的行政复议、行政诉讼案件。")
    s1 = [
        sub(0, "主动公开情况"),
        (f"{y}年，{we}坚持以公开为常态、不公开为例外，通过门户网站、政务新媒体、公开栏等渠道主动公开政府信息{n_active}条，"
         f"其中政策文件类信息{a}条、工作动态类信息{b}条，及时公开财政预决算、“三公”经费、重大项目批准和实施等重点领域信息。"),
        sub(1, "依申请公开情况"),
        apply_text + "严格执行申请登记、审核、办理、答复、归档等工作制度，依法保障公众知情权。",
        sub(2, "政府信息管理"),
        rng.choice((
            "严格落实公开属性源头认定机制，对拟公开的政府信息依法依规进行保密审查，坚持“先审查、后公开”和“一事一审”原则，全年未发生失泄密事件。",
            "健全政府信息发布审核制度，落实“三审三校”要求，动态调整主动公开基本目录，及时清理过时失效信息。",
        )),
        sub(3, "平台建设"),
        rng.choice((
            f"依托{site}集约化平台，持续优化政府信息公开专栏，规范栏目设置和内容发布，提升公开专栏的权威性和实用性。",
            "加强政务新媒体管理，做好政府网站与政务新媒体的信息同步发布，畅通政民互动渠道，及时回应社会关切。",
        )),
        sub(4, "监督保障"),
        (f"成立由主要负责同志任组长的政务公开工作领导小组，将政务公开工作纳入年度绩效考核。"
         f"全年开展政务公开业务培训{rng.randint(1, 6)}次，参训{rng.randint(10, 180)}人次。"
         + (f"已于{y}年1月在门户网站发布《{agency}{y - 1}年政府信息公开工作年度报告》。" if rng.random() < 0.5 else "")),
    ]
    s5 = [
        rng.choice((
            f"{y}年，{we}政府信息公开工作取得了一定成效，但仍存在一些不足：一是公开内容不够全面，部分信息更新不够及时；"
            "二是政策解读形式较为单一，图解、视频等多元化解读偏少；三是工作人员业务能力有待进一步提升。",
            f"对照上级要求，{we}政府信息公开工作仍存在主动公开的深度和广度不够、信息发布的及时性有待提高等问题。",
        )),
        rng.choice((
            f"下一步，{we}将从以下几个方面加以改进：一是进一步拓展公开内容，加大重点领域信息公开力度；"
            "二是丰富政策解读形式，提高解读质量；三是加强业务培训，提升工作人员的业务水平和责任意识。",
            "针对上述问题，我们将进一步健全工作机制，加强信息发布审核，定期开展栏目内容自查，确保信息公开及时、准确、全面。",
        )),
    ]
    if truth["template"] == "2021":
        s6 = [rng.choice((
            f"依据《政府信息公开信息处理费管理办法》，本年度{we}未收取信息处理费。",
            f"本年度{we}未发出收费通知，未收取信息处理费。无其他需要报告的事项。",
        ))]
    else:
        s6 = [rng.choice(("本年度无其他需要报告的事项。", f"{y}年，{we}未收取政府信息公开相关费用。"))]
    return {"0": [intro], "1": s1, "5": s5, "6": s6}


def _cn_date(iso: str) -> str:
    d = _dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------------------------------------------------------
# Page chrome
# ---------------------------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------------------------
# Negative documents
# ---------------------------------------------------------------------------------------------------------------


def render_special_page(kind: str, agency: str, year: int, seed: int = 0, style: str = "trs",
                        published: str | None = None) -> tuple[str, dict]:
    """A page that is not a normal report: (html, truth).

    kinds: "guide" (政府信息公开指南, not_a_report), "news" (a news item mentioning 年度报告, not_a_report),
    "legacy" (a pre-2019 report with old-style tables, legacy_format), "attachment_only" (详见附件 with a PDF link,
    no_tables), "images_only" (the report as <img> tags, title （图片版）, no_tables).
    """
    if kind not in SPECIAL_KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {SPECIAL_KINDS}")
    if style not in STYLES or style == "gkmlpt":
        raise ValueError("special pages use styles trs, hanweb, generic or bare")
    rng = _rng("special", kind, agency, year, seed)
    if published is None:
        published = _default_published(rng, year, agency)
    we = _self_ref(agency)
    site, area = _site_name({"agency": agency})
    status = "not_a_report"
    t_year: int | None = None
    t_agency: str | None = None
    paras: list[str]
    title: str
    if kind == "guide":
        title = f"{agency}政府信息公开指南"
        paras = [
            "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，编制本指南。"
            "申请人在提出政府信息公开申请前，请仔细阅读本指南。本指南每年更新。",
            "<strong>一、主动公开</strong>",
            f"（一）公开范围。{we}按照《条例》第十九条、第二十条的规定，主动公开本机关的机构职能、规范性文件、发展规划、"
            "行政许可、行政处罚、财政预决算等政府信息。",
            "（二）公开方式。主要通过门户网站“政府信息公开”专栏公开，同时通过政务新媒体、新闻发布会、公开栏等方式予以公开。",
            "（三）公开时限。属于主动公开范围的政府信息，自该政府信息形成或者变更之日起20个工作日内予以公开。",
            "<strong>二、依申请公开</strong>",
            "（一）受理机构。名称：办公室；办公时间：工作日上午8:30—12:00，下午14:30—17:30（法定节假日除外）。",
            "（二）申请方式。申请人可以通过当面提交、邮寄、网络平台等方式提出申请，并填写《政府信息公开申请表》。",
            "（三）办理时限。能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个工作日内予以答复。",
            f"<strong>三、政府信息公开工作年度报告</strong>",
            f"{we}于每年1月31日前在门户网站公布上一年度政府信息公开工作年度报告。",
            "<strong>四、监督和救济</strong>",
            "公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。",
        ]
    elif kind == "news":
        title = f"{agency}召开{year + 1}年政务公开工作推进会"
        paras = [
            f"{year + 1}年1月{rng.randint(10, 28)}日，{agency}召开{year + 1}年政务公开工作推进会，总结{year}年政务公开工作，"
            f"部署{year + 1}年重点任务。",
            f"会议指出，{year}年全年主动公开政府信息{rng.randint(200, 900)}条，办理依申请公开{rng.randint(3, 40)}件，"
            f"已按时编制并发布《{agency}{year}年政府信息公开工作年度报告》，政务公开标准化规范化水平不断提升。",
            f"会议要求，各单位要严格落实《条例》规定，于1月31日前完成{year}年度政府信息公开工作年度报告的编制和公布，"
            "规范使用国办统一的年度报告格式，确保数据准确、勾稽关系正确。",
            "会议还对政府网站和政务新媒体管理、政策解读和回应关切等工作进行了安排。",
        ]
    elif kind == "legacy":
        status = "legacy_format"
        t_year, t_agency = year, agency
        title = f"{agency}{year}年政府信息公开工作年度报告"
        n1, n2, n3 = rng.randint(80, 600), rng.randint(5, 60), rng.randint(0, 12)
        paras = [
            f"根据《中华人民共和国政府信息公开条例》（国务院令第492号）规定，现公布{agency}{year}年政府信息公开工作年度报告。"
            f"报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
            "<strong>一、概述</strong>",
            f"{year}年，{we}认真贯彻落实《条例》，进一步健全政府信息公开工作机制，政府信息公开工作取得新进展。",
            "<strong>二、主动公开政府信息的情况</strong>",
            f"全年主动公开政府信息{n1}条，其中规范性文件{n2}条。通过政府网站公开{n1 - 10}条，通过政务微博、微信公开{rng.randint(20, 200)}条。",
            "<strong>三、依申请公开政府信息情况</strong>",
            f"全年共受理政府信息公开申请{n3}件，已全部按期答复。其中同意公开{max(0, n3 - 2)}件，不予公开{min(n3, 1)}件，"
            f"信息不存在{min(n3, 1)}件。",
            "<strong>四、政府信息公开的收费及减免情况</strong>",
            "本年度未收取任何费用。",
            "<strong>五、因政府信息公开申请行政复议、提起行政诉讼的情况</strong>",
            "全年未发生针对本机关政府信息公开事务的行政复议、行政诉讼和申诉案件。",
            "<strong>六、存在的主要问题和改进措施</strong>",
            "一是信息公开的及时性有待进一步提高；二是公开内容还不够全面。下一步将进一步加强制度建设，提高公开质量。",
        ]
        table = ('<table border="1" cellspacing="0" cellpadding="4" width="90%" style="border-collapse:collapse">\n'
                 "<tr><td>指标名称</td><td>单位</td><td>数量</td></tr>\n"
                 f"<tr><td>一、主动公开情况</td><td></td><td></td></tr>\n"
                 f"<tr><td>（一）主动公开政府信息数</td><td>条</td><td>{n1}</td></tr>\n"
                 f"<tr><td>其中：主动公开规范性文件数</td><td>条</td><td>{n2}</td></tr>\n"
                 f"<tr><td>二、依申请公开情况</td><td></td><td></td></tr>\n"
                 f"<tr><td>（一）收到申请数</td><td>件</td><td>{n3}</td></tr>\n"
                 f"<tr><td>1.当面申请数</td><td>件</td><td>{max(0, n3 - 3)}</td></tr>\n"
                 f"<tr><td>2.网络申请数</td><td>件</td><td>{min(n3, 3)}</td></tr>\n"
                 f"<tr><td>（二）申请答复数</td><td>件</td><td>{n3}</td></tr>\n"
                 "<tr><td>三、因政府信息公开申请行政复议数</td><td>件</td><td>0</td></tr>\n"
                 "<tr><td>四、因政府信息公开申请提起行政诉讼数</td><td>件</td><td>0</td></tr>\n"
                 "<tr><td>五、政府信息公开专项经费</td><td>万元</td><td>1.5</td></tr>\n</table>")
        paras.insert(7, "附表：政府信息公开情况统计表" + "\n" + table)
    elif kind == "attachment_only":
        status = "no_tables"
        t_year, t_agency = year, agency
        title = f"{agency}{year}年政府信息公开工作年度报告"
        paras = [f"{agency}{year}年政府信息公开工作年度报告详见附件。",
                 f'附件：<a href="./P0{published.replace("-", "")}{rng.randint(100000000, 999999999)}.pdf">'
                 f"{agency}{year}年政府信息公开工作年度报告.pdf</a>"]
    else:  # images_only
        status = "no_tables"
        t_year, t_agency = year, agency
        title = f"{agency}{year}年政府信息公开工作年度报告（图片版）"
        stem = f"W0{published.replace('-', '')}{rng.randint(10000, 99999)}"
        paras = [f'<img src="./{stem}_{i}.jpg" alt="" width="700" border="0" style="display:block;margin:0 auto;">'
                 for i in range(1, rng.randint(4, 7))]
    body = "\n".join(p if p.startswith("<img") or p.startswith("附表") else f'<p style="text-indent:2em;">{p}</p>'
                     for p in paras).replace("附表：政府信息公开情况统计表\n", "<p>附表：政府信息公开情况统计表</p>\n")
    content = body
    if style == "bare":
        content = _title_html(title, "", style, False) + "\n" + body
    ctx = {
        "title": title, "title_html": "" if style == "bare" else _title_html(title, "", style, False), "agency": agency, "site": site, "domain": _domain(site), "area": area,
        "page_date": published, "page_time": _time_of_day(rng), "year": year, "parts": _region_parts(agency),
        "credit": _credit_code(agency, area), "serial": rng.randint(100, 99999), "docid": rng.randint(1000000, 9999999),
        "short": _short_agency(agency, _region_parts(agency)), "decoys": [],
    }
    v = {name: False for name in VARIANTS}
    page = _CHROME[style](content, ctx, v, rng)
    truth = {
        "document": f"special_{kind}_{seed}.html",
        "status": status,
        "template": None,
        "report_year": t_year,
        "agency": t_agency,
        "published": published,
        "region": region_for_agency(agency),
        "units": {},
        "note": "",
        "cells": {},
    }
    return page, truth


# ---------------------------------------------------------------------------------------------------------------
# Bytes
# ---------------------------------------------------------------------------------------------------------------

_CHARSET_META = re.compile(
    r'<meta\s+http-equiv=["\']?Content-Type["\']?\s+content=["\']?text/html;\s*charset=[\w-]+["\']?\s*/?>\s*\n?'
    r'|<meta\s+charset=["\']?[\w-]+["\']?\s*/?>\s*\n?', re.I)


def encode_page(html: str, encoding: str, declare: str | None) -> bytes:
    """Encode a page as ``encoding`` (utf-8, gbk, gb18030) declaring ``declare`` as its charset (None: no declaration).

    Every existing charset <meta> is replaced by one declaring ``declare`` (in the same form as the first one found),
    or removed. The declaration may lie (declare="utf-8" with encoding="gbk"), as on real portals. Characters that
    the encoding cannot hold raise UnicodeEncodeError.
    """
    enc = encoding.lower()
    if enc not in ("utf-8", "utf8", "gbk", "gb18030", "gb2312"):
        raise ValueError(f"unsupported encoding {encoding!r}")
    m = _CHARSET_META.search(html)
    if declare is None:
        out = _CHARSET_META.sub("", html)
    else:
        if m and m.group(0).lower().startswith("<meta charset"):
            repl = f'<meta charset="{declare}">\n'
        else:
            repl = f'<meta http-equiv="Content-Type" content="text/html; charset={declare}" />\n'
        if m:
            out = html[: m.start()] + repl + _CHARSET_META.sub("", html[m.end():])
        else:
            out = re.sub(r"(<head[^>]*>\n?)", lambda mm: mm.group(1) + repl, html, count=1, flags=re.I)
    return out.encode(enc, errors="strict")
