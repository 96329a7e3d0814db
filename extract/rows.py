"""The rows of the three statistical tables and how their labels are recognised.

Header text is the least reliable part of a printed report (cut, split, misspelt), while row
labels are distinctive and each row has a known number of values.  So every row is described by
the keywords its label contains and the value columns that follow it.
"""
from __future__ import annotations

from dataclasses import dataclass

APPLY_COLS = ("person", "business", "research", "nonprofit", "legal", "other_org", "total")
REVIEW_GROUPS = ("reconsideration", "suit_direct", "suit_after")
REVIEW_COLS = ("upheld", "corrected", "other", "pending", "total")


@dataclass(frozen=True, slots=True)
class RowSpec:
    prefix: str  # key prefix, e.g. "apply.denied.state_secret" or "active.art20_1.rules"
    table: str  # active | apply | review
    keywords: tuple[str, ...]  # any of these in the squashed label selects the row
    cols: tuple[str, ...]  # value columns, in print order
    exact: bool = False  # the label (enumerators stripped) must equal a keyword
    context: str | None = None  # only valid inside this group (apply "其他" under （六）)

    def keys(self) -> list[str]:
        return [f"{self.prefix}.{c}" for c in self.cols]


def _active_2021() -> list[RowSpec]:
    cols1 = ("issued", "repealed", "in_force")
    return [
        RowSpec("active.art20_1.rules", "active", ("规章",), cols1, exact=True),
        RowSpec("active.art20_1.normative", "active", ("规范性文件",), cols1),
        RowSpec("active.art20_5.licensing", "active", ("行政许可",), ("decisions",), exact=True),
        RowSpec("active.art20_6.penalty", "active", ("行政处罚",), ("decisions",), exact=True),
        RowSpec("active.art20_6.coercion", "active", ("行政强制",), ("decisions",), exact=True),
        RowSpec("active.art20_8.fees", "active", ("行政事业性收费",), ("amount",), exact=True),
    ]


def _active_2019() -> list[RowSpec]:
    cols1 = ("made", "published", "total_published")
    cols3 = ("prev_items", "change", "decisions")
    return [
        RowSpec("active.art20_1.rules", "active", ("规章",), cols1, exact=True),
        RowSpec("active.art20_1.normative", "active", ("规范性文件",), cols1),
        RowSpec("active.art20_5.licensing", "active", ("行政许可",), cols3, exact=True),
        RowSpec("active.art20_5.other_services", "active", ("其他对外管理服务事项", "对外管理服务事项"), cols3),
        RowSpec("active.art20_6.penalty", "active", ("行政处罚",), cols3, exact=True),
        RowSpec("active.art20_6.coercion", "active", ("行政强制",), cols3, exact=True),
        RowSpec("active.art20_8.fees", "active", ("行政事业性收费",), ("prev_items", "change"), exact=True),
        RowSpec("active.art20_9.procurement", "active", ("政府集中采购",), ("items", "amount"), exact=True),
    ]


def _apply(template: str) -> list[RowSpec]:
    c = APPLY_COLS
    rows = [
        RowSpec("apply.new", "apply", ("本年新收",), c),
        RowSpec("apply.carried_over", "apply", ("上年结转",), c),
        RowSpec("apply.granted", "apply", ("予以公开",), c),
        RowSpec("apply.partial", "apply", ("部分公开",), c),
        RowSpec("apply.denied.state_secret", "apply", ("国家秘密",), c),
        RowSpec("apply.denied.law_prohibited", "apply", ("禁止公开",), c),
        RowSpec("apply.denied.security_stability", "apply", ("三安全一稳定",), c),
        RowSpec("apply.denied.third_party", "apply", ("第三方合法权益", "第三方"), c),
        RowSpec("apply.denied.internal_affairs", "apply", ("内部事务",), c),
        RowSpec("apply.denied.process_info", "apply", ("过程性信息",), c),
        RowSpec("apply.denied.enforcement_file", "apply", ("行政执法案卷", "执法案卷"), c),
        RowSpec("apply.denied.query_matter", "apply", ("行政查询事项", "查询事项"), c),
        RowSpec("apply.unable.not_held", "apply", ("不掌握",), c),
        RowSpec("apply.unable.needs_creation", "apply", ("另行制作",), c),
        RowSpec("apply.unable.unclear", "apply", ("仍不明确", "补正后申请内容"), c),
        RowSpec("apply.rejected.petition", "apply", ("信访举报投诉", "信访"), c),
        RowSpec("apply.rejected.duplicate", "apply", ("重复申请",), c),
        RowSpec("apply.rejected.publication", "apply", ("公开出版物",), c),
        RowSpec("apply.rejected.excessive", "apply", ("大量反复申请", "大量反复"), c),
        RowSpec("apply.rejected.confirm", "apply", ("重新出具", "确认或重新"), c),
        RowSpec("apply.other", "apply", ("其他处理",), c),
    ]
    if template == "2021":
        rows += [
            RowSpec("apply.other.no_correction", "apply", ("逾期不补正", "不补正"), c),
            RowSpec("apply.other.no_fee", "apply", ("收费通知", "缴纳费用"), c),
            RowSpec("apply.other.other", "apply", ("其他",), c, exact=True, context="other"),
        ]
    rows += [
        RowSpec("apply.total", "apply", ("总计", "合计"), c, exact=True, context="results"),
        RowSpec("apply.carried_forward", "apply", ("结转下年度", "结转下一年度", "结转下年", "转下年度"), c),
    ]
    return rows


def _review() -> list[RowSpec]:
    # The usual layout prints the three groups side by side with one data row of 15 values
    # (handled in tables.py); these specs cover reports that print one row per group.
    return [
        RowSpec("review.reconsideration", "review", ("行政复议",), REVIEW_COLS, exact=True, context="review"),
        RowSpec("review.suit_direct", "review", ("未经复议直接起诉", "直接起诉"), REVIEW_COLS, context="review"),
        RowSpec("review.suit_after", "review", ("复议后起诉",), REVIEW_COLS, context="review"),
    ]


def row_specs(template: str) -> list[RowSpec]:
    active = _active_2021() if template == "2021" else _active_2019()
    return active + _apply(template) + _review()
