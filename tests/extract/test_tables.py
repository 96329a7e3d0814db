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
    assert {c["rule"]: c["ok"] for c in r.checks}["layout.table_missing"] is False
    assert r.verified is False and "layout.table_missing: review" in r.unverified_reasons


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


# --- issue 9: rows by the template's structure, completeness, `verified` ----------------------------------------

def consistent_2021(**kw):
    """A report whose identities all hold: 3 new (2 自然人, 1 商业企业), 2 granted, 1 partial, nothing carried."""
    vals = {label: ["0"] * 7 for label in APPLY_ROWS_2021 if label not in LABEL_ONLY}
    vals["一、本年新收政府信息公开申请数量"] = ["2", "1", "0", "0", "0", "0", "3"]
    vals["（一）予以公开"] = ["1", "1", "0", "0", "0", "0", "2"]
    vals["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] = ["1", "0", "0", "0", "0", "0", "1"]
    vals["（七）总计"] = ["2", "1", "0", "0", "0", "0", "3"]
    vals.update(kw.pop("values", {}))
    return lines_2021(values=vals, **kw).replace(b"\n" + b"\n".join(str(n).encode() for n in range(15)),
                                                b"\n" + b"\n".join(b"0" for _ in range(15)))


def test_consistent_report_is_verified():
    r = extract_bytes(consistent_2021(), "x.txt")
    assert r.status == "ok"
    assert r.unverified_reasons == []
    assert r.verified is True


def test_label_with_missing_characters_lands_on_its_row_by_position():
    # the real misprint of issue 9: no keyword of the row is left in the label
    r = extract_bytes(consistent_2021(labels={"2.其他法律行政法规禁止公开": "2.其他法律行政止公开"},
                                      values={"2.其他法律行政法规禁止公开": ["0"] * 6 + ["0"]}), "x.txt")
    assert r.cells["apply.denied.law_prohibited.person"] == 0
    assert r.verified is True


def test_label_with_swapped_and_substituted_characters_lands_on_its_row():
    labels = {"6.属于四类过程性信息": "6.属于四类程过性信息", "2.重复申请": "2.重复申清", "3.要求提供公开出版物": "3.要求提供公开出板物"}
    values = {"6.属于四类过程性信息": ["0"] * 7, "2.重复申请": ["0"] * 7}
    r = extract_bytes(consistent_2021(labels=labels, values=values), "x.txt")
    assert r.verified is True
    assert r.cells["apply.denied.process_info.total"] == 0 and r.cells["apply.rejected.duplicate.total"] == 0


def test_weak_likeness_never_moves_a_value_across_rows_found():
    # Row 8 is not printed; in the place of row 2 a label that reads like row 8.  Between rows 1 and 3 (found) only
    # row 2 can be printed, and the label is nothing like it: rows 2 and 8 are missing — null, never 0, never the
    # value of another row — and the report says so.
    values = {"2.其他法律行政法规禁止公开": ["9", "0", "0", "0", "0", "0", "9"]}
    text = consistent_2021(labels={"2.其他法律行政法规禁止公开": "2.属于行政查询事"}, values=values).decode("utf-8")
    text = text.replace("8.属于行政查询事项\n" + "\n".join(["0"] * 7) + "\n", "")
    r = extract_bytes(text.encode("utf-8"), "x.txt")
    assert r.cells["apply.denied.query_matter.person"] is None
    assert r.cells["apply.denied.law_prohibited.person"] is None
    assert r.verified is False
    assert "layout.rows_missing: apply.denied.law_prohibited" in r.unverified_reasons
    assert "layout.rows_missing: apply.denied.query_matter" in r.unverified_reasons


def test_first_printing_of_a_row_wins():
    values = {"1.属于国家秘密": ["5", "0", "0", "0", "0", "0", "5"]}
    text = consistent_2021(values=values).decode("utf-8") + "\n1.属于国家秘密\n" + "\n".join(["7"] * 7)
    r = extract_bytes(text.encode("utf-8"), "x.txt")
    assert r.cells["apply.denied.state_secret.person"] == 5


def test_missing_row_is_null_and_flagged():
    body = consistent_2021().decode("utf-8").replace("8.属于行政查询事项\n" + "\n".join(["0"] * 7) + "\n", "")
    r = extract_bytes(body.encode("utf-8"), "x.txt")
    assert all(r.cells[f"apply.denied.query_matter.{c}"] is None for c in ("person", "total"))
    assert {c["rule"]: c["ok"] for c in r.checks}["layout.rows_missing"] is False
    assert r.unverified_reasons == ["layout.rows_missing: apply.denied.query_matter"]
    assert r.verified is False


def test_rows_printed_in_another_order_keep_their_labels():
    text = consistent_2021(values={"3.危及“三安全一稳定”": ["1"] * 6 + ["6"]}).decode("utf-8")
    a = "3.危及“三安全一稳定”\n" + "\n".join(["1"] * 6 + ["6"]) + "\n"
    b = "4.保护第三方合法权益\n" + "\n".join(["0"] * 7) + "\n"
    text = text.replace(a + b, b + a)
    r = extract_bytes(text.encode("utf-8"), "x.txt")
    assert r.cells["apply.denied.security_stability.total"] == 6 and r.cells["apply.denied.third_party.total"] == 0
    assert not any(x.startswith("layout.") for x in r.unverified_reasons)


def test_crossed_numbers_and_texts_are_flagged():
    labels = {"3.危及“三安全一稳定”": "4.保护“三安全一稳定”", "4.保护第三方合法权益": "3.危及第三方合法权益"}
    r = extract_bytes(consistent_2021(labels=labels), "x.txt")
    assert {c["rule"]: c["ok"] for c in r.checks}["layout.rows_ambiguous"] is False
    assert "layout.rows_ambiguous: apply.denied.security_stability" in r.unverified_reasons
    assert r.verified is False


def test_wrong_number_explained_by_the_next_row_is_not_flagged():
    # "6." printed on row 5 (with a garbled text); row 6 follows, correctly numbered: row 5 by elimination
    labels = {"5.属于三类内部事务信息": "6.属于四类事务信息"}
    r = extract_bytes(consistent_2021(labels=labels), "x.txt")
    assert r.cells["apply.denied.internal_affairs.person"] == 0
    assert r.verified is True


def test_units_in_cells():
    values = {"一、本年新收政府信息公开申请数量": ["2件", "1件", "0件", "0件", "0件", "0件", "3件"]}
    r = extract_bytes(consistent_2021(values=values), "x.txt")
    assert r.cells["apply.new.total"] == 3 and r.units["apply.new.total"] == "件"
    assert r.verified is True


def test_blank_apply_cell_leaves_the_report_unverified_with_the_reason():
    values = {"（一）予以公开": ["", "1", "0", "0", "0", "0", "2"]}
    html = table_html(consistent_rows(values))
    r = extract_bytes(html, "x.html")
    assert r.cells["apply.granted.person"] is None
    assert r.verified is False
    assert any(x.startswith("unchecked: apply_row.granted (not printed: apply.granted.person") for x in r.unverified_reasons)


def test_text_that_disagrees_with_the_table_is_flagged():
    text = consistent_2021().replace(b"\xe4\xba\x8c\xe3\x80\x81\xe4\xb8\xbb\xe5\x8a\xa8",  # 二、主动
                                     "2021年，我局共收到政府信息公开申请4件。\n二、主动".encode("utf-8"), 1)
    r = extract_bytes(text, "x.txt")
    assert {c["rule"]: c["ok"] for c in r.checks}["text.apply_new"] is False
    assert r.unverified_reasons == ["text: text.apply_new"]


# HTML tables: split tables and missing columns

HEAD = ("<tr><td rowspan=3 colspan=3>（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
        "<td colspan={n}>申请人情况</td></tr><tr><td rowspan=2>自然人</td><td colspan={k}>法人或其他组织</td>"
        "<td rowspan=2>总计</td></tr><tr>{orgs}</tr>")
ORGS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")


def consistent_rows(values=None):
    vals = {label: ["0"] * 7 for label in APPLY_ROWS_2021 if label not in LABEL_ONLY}
    vals["一、本年新收政府信息公开申请数量"] = ["2", "1", "0", "0", "0", "0", "3"]
    vals["（一）予以公开"] = ["1", "1", "0", "0", "0", "0", "2"]
    vals["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] = ["1", "0", "0", "0", "0", "0", "1"]
    vals["（七）总计"] = ["2", "1", "0", "0", "0", "0", "3"]
    vals.update(values or {})
    return [(label, vals.get(label)) for label in APPLY_ROWS_2021]


def table_html(rows, drop_col=None, split_after=None):
    keep = [i for i in range(7) if i != drop_col]
    orgs = [o for i, o in enumerate(ORGS, start=1) if i != drop_col]
    head = HEAD.format(n=len(keep), k=len(orgs), orgs="".join(f"<td>{o}</td>" for o in orgs))
    trs, tables = [], []
    for label, vals in rows:
        cells = "" if vals is None else "".join(f"<td>{vals[i]}</td>" for i in keep)
        trs.append(f"<tr><td colspan=3>{label}</td>{cells}</tr>")
        if label == split_after:
            tables.append(trs)
            trs = []
    tables.append(trs)
    apply = "".join(f"<table>{head if n == 0 else ''}{''.join(t)}</table>" for n, t in enumerate(tables))
    active = ("<table><tr><td>第二十条第（一）项</td></tr><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td>"
              "<td>现行有效件数</td></tr><tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr><tr><td>行政规范性文件</td>"
              "<td>1</td><td>0</td><td>3</td></tr><tr><td>第二十条第（五）项</td></tr><tr><td>行政许可</td><td>5</td></tr>"
              "<tr><td>第二十条第（六）项</td></tr><tr><td>行政处罚</td><td>2</td></tr><tr><td>行政强制</td><td>0</td></tr>"
              "<tr><td>第二十条第（八）项</td></tr><tr><td>本年收费金额（单位：万元）</td></tr><tr><td>行政事业性收费</td>"
              "<td>0</td></tr></table>")
    review = ("<table><tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr><tr>"
              + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 3 + "</tr><tr>"
              + "<td>0</td>" * 15 + "</tr></table>")
    body = (f"<h1>XX县文化局2021年政府信息公开工作年度报告</h1><p>二、主动公开政府信息情况</p>{active}"
            f"<p>三、收到和处理政府信息公开申请情况</p>{apply}<p>四、政府信息公开行政复议、行政诉讼情况</p>{review}")
    return f"<html><head><title>x</title></head><body>{body}</body></html>".encode("utf-8")


def test_html_report_is_verified():
    r = extract_bytes(table_html(consistent_rows()), "x.html")
    assert r.status == "ok" and r.template == "2021"
    assert r.unverified_reasons == [] and r.verified is True


def test_table_continued_in_a_second_html_table():
    r = extract_bytes(table_html(consistent_rows(), split_after="4.保护第三方合法权益"), "x.html")
    assert r.cells["apply.denied.internal_affairs.total"] == 0 and r.cells["apply.carried_forward.total"] == 0
    assert r.verified is True


def test_missing_column_is_null_and_flagged_and_the_others_stay_right():
    values = {"一、本年新收政府信息公开申请数量": ["2", "1", "0", "0", "0", "0", "3"]}
    r = extract_bytes(table_html(consistent_rows(values), drop_col=4), "x.html")  # 法律服务机构 not printed
    assert r.cells["apply.new.legal"] is None
    assert r.cells["apply.new.other_org"] == 0 and r.cells["apply.new.total"] == 3 and r.cells["apply.new.business"] == 1
    assert "layout.columns_missing: apply.legal" in r.unverified_reasons
    assert r.verified is False


def test_not_a_report_has_no_verdict():
    r = extract_bytes(b"<html><body><h1>XX\xe6\x8c\x87\xe5\x8d\x97</h1></body></html>", "x.html")
    assert r.status != "ok" and r.verified is None and r.unverified_reasons == []


def test_unreadable_agency_is_null_and_its_reason_is_in_the_result():
    """The title grammar cannot read a joint title's agency: the result says why (reason), never a guess."""
    html = table_html(consistent_rows()).replace("XX县文化局2021年".encode("utf-8"),
                                                 "示例县财政局、示例县税务局2021年".encode("utf-8"))
    r = extract_bytes(html, "x.html")
    assert r.status == "ok" and r.agency is None
    assert r.reason and r.reason.startswith("agency unreadable: ")
    assert r.verified is True  # the figures themselves are checked
