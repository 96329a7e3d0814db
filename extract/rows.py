"""The rows of the three statistical tables: their labels, their order and their enumeration.

Header text is the least reliable part of a printed report (cut, split, misspelt), while row labels are
distinctive and each row has a known number of values.  Every row is described by
- the keywords its label contains (a keyword printed in the label selects the row at once),
- its official label (template.md / cells.csv), against which a label with printing errors is measured,
- its place in the template: the order of the rows, the group it belongs to ((三)不予公开 …) and its number inside
  the group (1.…8.), so that a label the keywords do not recognise still lands on its row when its position
  agrees, and a number that contradicts the text is noticed.

Everything here is built once per process (`row_specs`, `label_index`): the parser looks labels up, it does not
loop over the specs per cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

APPLY_COLS = ("person", "business", "research", "nonprofit", "legal", "other_org", "total")
APPLICANT_COLS = APPLY_COLS[:-1]
REVIEW_GROUPS = ("reconsideration", "suit_direct", "suit_after")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")
TABLES = ("active", "apply", "review")


@dataclass(frozen=True, slots=True)
class RowSpec:
    prefix: str  # key prefix, e.g. "apply.denied.state_secret" or "active.art20_1.rules"
    table: str  # active | apply | review
    keywords: tuple[str, ...]  # any of these in the squashed label selects the row
    cols: tuple[str, ...]  # value columns, in print order
    exact: bool = False  # the label (enumerators stripped) must equal a keyword
    context: str | None = None  # only valid inside this group (apply "其他" under （六）)
    label: str = ""  # the official label, enumerator and notes stripped (what a misprinted label is measured against)
    group: str = ""  # the enumerated group the row belongs to: top, results, denied, unable, rejected, other
    number: int | None = None  # its number inside the group (一、→1, （三）→3, 5.→5)
    order: int = 0  # its place in the table, top to bottom

    def keys(self) -> list[str]:
        return [f"{self.prefix}.{c}" for c in self.cols]


def _active_2021() -> list[RowSpec]:
    cols1 = ("issued", "repealed", "in_force")
    return [
        RowSpec("active.art20_1.rules", "active", ("规章",), cols1, exact=True, label="规章"),
        RowSpec("active.art20_1.normative", "active", ("规范性文件",), cols1, label="行政规范性文件"),
        RowSpec("active.art20_5.licensing", "active", ("行政许可",), ("decisions",), exact=True, label="行政许可"),
        RowSpec("active.art20_6.penalty", "active", ("行政处罚",), ("decisions",), exact=True, label="行政处罚"),
        RowSpec("active.art20_6.coercion", "active", ("行政强制",), ("decisions",), exact=True, label="行政强制"),
        RowSpec("active.art20_8.fees", "active", ("行政事业性收费",), ("amount",), exact=True, label="行政事业性收费"),
    ]


def _active_2019() -> list[RowSpec]:
    cols1 = ("made", "published", "total_published")
    cols3 = ("prev_items", "change", "decisions")
    return [
        RowSpec("active.art20_1.rules", "active", ("规章",), cols1, exact=True, label="规章"),
        RowSpec("active.art20_1.normative", "active", ("规范性文件",), cols1, label="规范性文件"),
        RowSpec("active.art20_5.licensing", "active", ("行政许可",), cols3, exact=True, label="行政许可"),
        RowSpec("active.art20_5.other_services", "active", ("其他对外管理服务事项", "对外管理服务事项"), cols3,
                label="其他对外管理服务事项"),
        RowSpec("active.art20_6.penalty", "active", ("行政处罚",), cols3, exact=True, label="行政处罚"),
        RowSpec("active.art20_6.coercion", "active", ("行政强制",), cols3, exact=True, label="行政强制"),
        RowSpec("active.art20_8.fees", "active", ("行政事业性收费",), ("prev_items", "change"), exact=True,
                label="行政事业性收费"),
        RowSpec("active.art20_9.procurement", "active", ("政府集中采购",), ("items", "amount"), exact=True,
                label="政府集中采购"),
    ]


def _apply(template: str) -> list[RowSpec]:
    c = APPLY_COLS

    def row(prefix, keywords, label, group, number, **kw):
        return RowSpec(f"apply.{prefix}", "apply", keywords, c, label=label, group=group, number=number, **kw)

    rows = [
        row("new", ("本年新收",), "本年新收政府信息公开申请数量", "top", 1),
        row("carried_over", ("上年结转",), "上年结转政府信息公开申请数量", "top", 2),
        row("granted", ("予以公开",), "予以公开", "results", 1),
        row("partial", ("部分公开",), "部分公开", "results", 2),
        row("denied.state_secret", ("国家秘密",), "属于国家秘密", "denied", 1),
        row("denied.law_prohibited", ("禁止公开",), "其他法律行政法规禁止公开", "denied", 2),
        row("denied.security_stability", ("三安全一稳定",), "危及三安全一稳定", "denied", 3),
        row("denied.third_party", ("第三方合法权益", "第三方"), "保护第三方合法权益", "denied", 4),
        row("denied.internal_affairs", ("内部事务",), "属于三类内部事务信息", "denied", 5),
        row("denied.process_info", ("过程性信息",), "属于四类过程性信息", "denied", 6),
        row("denied.enforcement_file", ("行政执法案卷", "执法案卷"), "属于行政执法案卷", "denied", 7),
        row("denied.query_matter", ("行政查询事项", "查询事项"), "属于行政查询事项", "denied", 8),
        row("unable.not_held", ("不掌握",), "本机关不掌握相关政府信息", "unable", 1),
        row("unable.needs_creation", ("另行制作",), "没有现成信息需要另行制作", "unable", 2),
        row("unable.unclear", ("仍不明确", "补正后申请内容"), "补正后申请内容仍不明确", "unable", 3),
        row("rejected.petition", ("信访举报投诉", "信访"), "信访举报投诉类申请", "rejected", 1),
        row("rejected.duplicate", ("重复申请",), "重复申请", "rejected", 2),
        row("rejected.publication", ("公开出版物",), "要求提供公开出版物", "rejected", 3),
        row("rejected.excessive", ("大量反复申请", "大量反复"), "无正当理由大量反复申请", "rejected", 4),
        row("rejected.confirm", ("重新出具", "确认或重新"), "要求行政机关确认或重新出具已获取信息", "rejected", 5),
        row("other", ("其他处理",), "其他处理", "results", 6),
    ]
    if template == "2021":
        rows += [
            row("other.no_correction", ("逾期不补正", "不补正"),
                "申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请", "other", 1),
            row("other.no_fee", ("收费通知", "缴纳费用"),
                "申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请", "other", 2),
            row("other.other", ("其他",), "其他", "other", 3, exact=True, context="other"),
        ]
    rows += [
        row("total", ("总计", "合计"), "总计", "results", 7, exact=True, context="results"),
        row("carried_forward", ("结转下年度", "结转下一年度", "结转下年", "转下年度"), "结转下年度继续办理", "top", 4),
    ]
    return rows


def _review() -> list[RowSpec]:
    # The usual layout prints the three groups side by side with one data row of 15 values
    # (handled in tables.py); these specs cover reports that print one row per group.
    return [
        RowSpec("review.reconsideration", "review", ("行政复议",), REVIEW_COLS, exact=True, context="review",
                label="行政复议"),
        RowSpec("review.suit_direct", "review", ("未经复议直接起诉", "直接起诉"), REVIEW_COLS, context="review",
                label="未经复议直接起诉"),
        RowSpec("review.suit_after", "review", ("复议后起诉",), REVIEW_COLS, context="review", label="复议后起诉"),
    ]


@lru_cache(maxsize=2)
def row_specs(template: str) -> tuple[RowSpec, ...]:
    """Every row of a template version, top to bottom (order numbers per table)."""
    active = _active_2021() if template == "2021" else _active_2019()
    out = []
    for table_rows in (active, _apply(template), _review()):
        for i, spec in enumerate(table_rows):
            out.append(RowSpec(spec.prefix, spec.table, spec.keywords, spec.cols, spec.exact, spec.context,
                               spec.label, spec.group, spec.number, i))
    return tuple(out)


@lru_cache(maxsize=2)
def spec_map(template: str) -> dict[str, RowSpec]:
    return {s.prefix: s for s in row_specs(template)}


@lru_cache(maxsize=2)
def group_members(template: str) -> dict[tuple[str, str, int], str]:
    """(table, group, number) -> prefix: the row an enumerator names."""
    return {(s.table, s.group, s.number): s.prefix for s in row_specs(template) if s.group and s.number}


# --- looking labels up -----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Candidate:
    prefix: str
    context: str | None
    pos: int  # where its keyword starts in the label (the keyword printed last wins)
    length: int


class LabelIndex:
    """Keyword lookup for both template versions at once, built once.

    `lookup(label)` returns every row whose keyword the label contains, best first (the keyword printed last, then
    the longest); the caller drops candidates whose context is not open.  Exact rows (规章, 行政许可, 总计 …) match
    only when the label, enumerators and bracketed notes stripped, is the keyword or ends with it with at most two
    characters before it ("七、总计", "一是规章").
    """

    def __init__(self) -> None:
        loose: dict[str, list[tuple[str, str | None]]] = {}
        exact: dict[str, list[tuple[str, str | None]]] = {}
        seen: set[tuple[str, str]] = set()
        for template in ("2021", "2019"):
            for spec in row_specs(template):
                for kw in spec.keywords:
                    if (spec.prefix, kw) in seen:
                        continue
                    seen.add((spec.prefix, kw))
                    (exact if spec.exact else loose).setdefault(kw, []).append((spec.prefix, spec.context))
        self.loose = loose
        self.exact = exact
        self.exact_lengths = sorted({len(k) for k in exact})
        words = sorted(set(loose) | set(exact), key=len, reverse=True)
        # a lookahead finds keywords at every position, overlapping ones included
        self.any_keyword = re.compile("(?=(" + "|".join(re.escape(k) for k in words) + "))")
        self._cache: dict[str, tuple[Candidate, ...]] = {}
        self._free: dict[str, bool] = {}

    def lookup_free(self, label: str, exact_form: str) -> tuple[tuple[Candidate, ...], bool]:
        """lookup() and whether none of the candidates needs a context (then all of them are usable anywhere)."""
        free = self._free.get(label)
        cands = self.lookup(label, exact_form)
        if free is None:
            free = all(c.context is None for c in cands)
            if len(self._free) < 20000:
                self._free[label] = free
        return cands, free

    def lookup(self, label: str, exact_form: str) -> tuple[Candidate, ...]:
        key = label
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        found: list[Candidate] = []
        starts = [(m.start(), m.group(1)) for m in self.any_keyword.finditer(label)]
        if starts:
            for kw in {k for _, k in starts}:
                for prefix, context in self.loose.get(kw, ()):
                    found.append(Candidate(prefix, context, label.rfind(kw), len(kw)))
            for L in self.exact_lengths:
                if len(exact_form) < L or len(exact_form) > L + 2:
                    continue
                kw = exact_form[-L:]
                for prefix, context in self.exact.get(kw, ()):
                    found.append(Candidate(prefix, context, label.rfind(kw), len(kw)))
        found.sort(key=lambda c: (c.pos, c.length), reverse=True)
        out = tuple(found)
        if len(self._cache) < 20000:
            self._cache[key] = out
        return out


@lru_cache(maxsize=1)
def label_index() -> LabelIndex:
    return LabelIndex()


# --- the applications table's columns ----------------------------------------------------------------------------

# What a header cell of the applications table reads (squashed), to the column it names.
COLUMN_WORDS = (("自然人", "person"), ("商业企业", "business"), ("科研机构", "research"), ("社会公益组织", "nonprofit"),
                ("公益组织", "nonprofit"), ("法律服务机构", "legal"), ("法律服务", "legal"), ("其他", "other_org"),
                ("总计", "total"), ("合计", "total"))
