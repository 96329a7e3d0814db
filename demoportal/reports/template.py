"""The national format: the rows, columns and labels of the three tables, and the canonical cell keys."""
from __future__ import annotations

import functools

from core.bundled import cell_rows


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
