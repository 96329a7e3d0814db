"""The table parser on the variants real reports print (template.md)."""
from extract.pipeline import extract_bytes

APPLY_ROWS_2021 = [
    "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、本年度办理结果", "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（三）不予公开", "1.属于国家秘密", "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”", "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷",
    "8.属于行政查询事项", "（四）无法提供", "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确",
    "（五）不予处理", "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息", "（六）其他处理",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他", "（七）总计", "四、结转下年度继续办理",
]
LABEL_ONLY = {"三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"}
ACTIVE_2021 = ["第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "规章", "1", "2", "3",
               "行政规范性文件", "4", "5", "6", "第二十条第（五）项", "行政许可", "7", "第二十条第（六）项", "行政处罚", "8",
               "行政强制", "9", "第二十条第（八）项", "本年收费金额（单位：万元）", "行政事业性收费", "1.25"]
REVIEW = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
          "未经复议直接起诉", "复议后起诉"] + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2


def lines_2021(values=None, labels=None, single_other=False, review=True):
    out = ["XX县文化局2021年政府信息公开工作年度报告", "二、主动公开政府信息情况"] + ACTIVE_2021
    out += ["三、收到和处理政府信息公开申请情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织",
            "法律服务机构", "其他"]
    rows = APPLY_ROWS_2021 if not single_other else [r for r in APPLY_ROWS_2021 if not r.startswith(("1.申请人", "2.申请人", "3.其他"))]
    for i, label in enumerate(rows):
        out.append((labels or {}).get(label, label))
        if label in LABEL_ONLY and not (single_other and label == "（六）其他处理"):
            continue
        out += (values or {}).get(label, [str(i), "0", "0", "0", "0", "0", str(i)])
    if review:
        out += REVIEW + [str(n) for n in range(15)]
    out += ["五、存在的主要问题及改进情况", "无。"]
    return "\n".join(out).encode("utf-8")


def test_flattened_2021_report_reads_every_row():
    r = extract_bytes(lines_2021(), "x.txt")
    assert r.status == "ok" and r.template == "2021"
    assert r.cells["active.art20_1.normative.in_force"] == 6 and r.cells["active.art20_8.fees.amount"] == 1.25
    assert r.cells["apply.other.other.person"] == 27 and r.cells["apply.carried_forward.total"] == 29
    assert r.cells["review.suit_after.total"] == 14 and r.cells["review.reconsideration.upheld"] == 0
    assert all(r.cells[f"apply.other.{c}"] is None for c in ("person", "total"))


def test_other_printed_as_one_row():
    r = extract_bytes(lines_2021(single_other=True), "x.txt")
    assert r.cells["apply.other.person"] is not None
    assert r.cells["apply.other.no_correction.person"] is None and r.cells["apply.other.other.total"] is None


def test_label_typos_still_match():
    typos = {"2.其他法律行政法规禁止公开": "2.他法律行政法规禁止公开", "3.危及“三安全一稳定”": "3.危及三安全一稳定",
             "2.没有现成信息需要另行制作": "2.有现成信息需要另行制作", "四、结转下年度继续办理": "四、结转下一年度继续办理",
             "（七）总计": "七、总计", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "(二)部分公开(区分处理的,只记这一情形,不计其他情形)"}
    r = extract_bytes(lines_2021(labels=typos), "x.txt")
    assert r.cells["apply.denied.law_prohibited.person"] == 7
    assert r.cells["apply.denied.security_stability.person"] == 8
    assert r.cells["apply.unable.needs_creation.person"] == 16
    assert r.cells["apply.total.person"] == 28 and r.cells["apply.carried_forward.person"] == 29
    assert r.cells["apply.partial.person"] == 4


def test_not_reported_markers_stay_null_and_raw_is_kept():
    r = extract_bytes(lines_2021(values={"（一）予以公开": ["/", "—", "无", "不适用", "-", "--", "3"]}), "x.txt")
    assert [r.cells[f"apply.granted.{c}"] for c in ("person", "business", "research", "nonprofit", "legal", "other_org")] == [None] * 6
    assert r.cells["apply.granted.total"] == 3 and r.raw["apply.granted.person"] == "/"


def test_broken_identities_are_flagged_not_fixed():
    r = extract_bytes(lines_2021(), "x.txt")
    by_rule = {c["rule"]: c for c in r.checks}
    # row totals hold (person == total), the flow identity does not with these values
    assert by_rule["apply_row.granted"]["ok"] is True
    assert by_rule["apply_flow.person"]["ok"] is False
    assert r.cells["apply.new.person"] == 0 and r.cells["apply.total.person"] == 28


def test_missing_table_is_null_not_zero():
    r = extract_bytes(lines_2021(review=False), "x.txt")
    assert r.status == "ok"
    assert all(r.cells[k] is None for k in r.cells if k.startswith("review."))
    assert {c["rule"]: c["ok"] for c in r.checks}["table.review"] is False


def test_label_and_values_on_one_line():
    text = "\n".join(["XX局2021年政府信息公开工作年度报告", "第二十条第（一）项", "信息内容 本年制发件数 本年废止件数 现行有效件数",
                      "规章 1 2 3", "行政规范性文件 4 5 6", "行政许可 7", "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1",
                      "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0", "（一）予以公开 1 0 0 0 0 0 1"])
    r = extract_bytes(text.encode("utf-8"), "x.txt")
    assert r.cells["active.art20_1.normative.repealed"] == 5 and r.cells["apply.granted.total"] == 1


def test_template_from_labels_not_year():
    # a 2021 report printed with the 2019 columns
    text = "\n".join(["XX局2021年政府信息公开工作年度报告", "第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量",
                      "对外公开总数量", "规章", "1", "2", "3", "规范性文件", "4", "5", "6", "第二十条第（五）项", "信息内容",
                      "上一年项目数量", "本年增/减", "处理决定数量", "行政许可", "10", "+2", "7", "第二十条第（九）项",
                      "政府集中采购", "3", "24850元"])
    r = extract_bytes(text.encode("utf-8"), "x.txt")
    assert r.template == "2019" and r.report_year == 2021
    assert r.cells["active.art20_5.licensing.change"] == 2 and r.cells["active.art20_9.procurement.amount"] == 24850
    assert r.units["active.art20_9.procurement.amount"] == "元"
