"""The renderer's options (styles, variants, special kinds) and how values are formatted under them."""
from __future__ import annotations

import random

from .template import L_CARRIED_FORWARD, L_PARTIAL, L_TOTAL
from .truth import _rng


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
