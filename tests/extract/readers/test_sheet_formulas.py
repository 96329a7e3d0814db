"""XLSX totals written as formulas without cached values (issue 10 item 6): computed, or the report is flagged.

The files are real workbooks written by openpyxl, which stores formulas and no results, as report generators do.
"""
from __future__ import annotations

import io

import pytest

from extract.pipeline import extract_bytes
from extract.readers.formulas import Evaluator, FormulaError, Workbook

from tests.extract.test_tables import APPLY_ROWS_2021, LABEL_ONLY

ORG = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")


def report_xlsx(total_formula=None) -> bytes:
    """A 2021 report: every 总计 of the applications and review tables is a formula (no cached value)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年报"
    ws.append(["XX县文化局2021年政府信息公开工作年度报告"])
    ws.append([])
    ws.append(["第二十条第（一）项"])
    ws.append(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"])
    ws.append(["规章", 0, 0, 1])
    ws.append(["行政规范性文件", 2, 1, 9])
    ws.append(["第二十条第（五）项"])
    ws.append(["行政许可", 12])
    ws.append(["第二十条第（六）项"])
    ws.append(["行政处罚", 3])
    ws.append(["行政强制", 0])
    ws.append(["第二十条第（八）项"])
    ws.append(["行政事业性收费", 1.5])
    ws.append([])
    ws.append(["三、收到和处理政府信息公开申请情况"])
    ws.append(["", "自然人", "法人或其他组织", "", "", "", "", "总计"])
    ws.append(["", "", *ORG, ""])
    data = {"一、本年新收政府信息公开申请数量": [3, 1, 0, 0, 0, 1], "（一）予以公开": [2, 1, 0, 0, 0, 0],
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": [1, 0, 0, 0, 0, 1],
            "（七）总计": [3, 1, 0, 0, 0, 1]}
    first = None
    for label in APPLY_ROWS_2021:
        if label in LABEL_ONLY:
            ws.append([label])
            continue
        r = ws.max_row + 1
        vals = data.get(label, [0] * 6)
        ws.append([label, *vals, f"=SUM(B{r}:G{r})"])
        if label == "（一）予以公开":
            first = r
    if total_formula:
        ws.cell(row=first, column=8, value=total_formula)
    ws.append([])
    ws.append(["四、政府信息公开行政复议、行政诉讼情况"])
    ws.append(["行政复议", "", "", "", "", "行政诉讼"])
    ws.append(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3)
    r = ws.max_row + 1
    ws.append([1, 0, 0, 1, f"=A{r}+B{r}+C{r}+D{r}", 0, 0, 0, 0, f"=SUM(F{r}:I{r})", 0, 0, 0, 0, f"=SUM(K{r}:N{r})"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_openpyxl_writes_no_cached_values():
    import openpyxl

    values = openpyxl.load_workbook(io.BytesIO(report_xlsx()), data_only=True).active
    formulas = openpyxl.load_workbook(io.BytesIO(report_xlsx()), data_only=False).active
    rows = [r for r in range(1, values.max_row + 1) if values.cell(r, 1).value in APPLY_ROWS_2021
            and values.cell(r, 1).value not in LABEL_ONLY]
    assert len(rows) == 25
    assert all(values.cell(r, 8).value is None for r in rows)
    assert all(str(formulas.cell(r, 8).value).startswith("=SUM(") for r in rows)


def test_formula_totals_are_computed_and_the_report_is_verified():
    r = extract_bytes(report_xlsx(), "report.xlsx")
    assert r.status == "ok" and r.template == "2021"
    assert r.cells["apply.new.total"] == 5
    assert r.cells["apply.granted.total"] == 3
    assert r.cells["apply.total.total"] == 5
    assert r.cells["apply.carried_forward.total"] == 0
    assert r.cells["review.reconsideration.total"] == 2
    assert r.cells["review.suit_after.total"] == 0
    formulas = {c["rule"]: c for c in r.checks}["sheet.formulas"]
    assert formulas["ok"] is True and formulas["detail"].startswith("28 formula results computed")
    assert r.unverified_reasons == []
    assert r.verified is True


def test_a_formula_that_cannot_be_computed_leaves_a_null_and_an_unverified_report():
    r = extract_bytes(report_xlsx(total_formula="=VLOOKUP(B1,A1:C3,2)"), "report.xlsx")
    assert r.status == "ok"
    assert r.cells["apply.granted.total"] is None  # never 0, never a guess
    assert r.cells["apply.new.total"] == 5
    assert r.verified is False
    assert any(x.startswith("formula: 年报!H") and x.endswith("not computed") for x in r.unverified_reasons)
    assert {c["rule"]: c for c in r.checks}["sheet.formulas"]["ok"] is False


def test_never_ok_and_verified_with_a_null_total():
    for formula in ("=VLOOKUP(B1,A1:C3,2)", "=H1+", "=[1]Sheet1!A1", "=H40", "=B1/0"):
        r = extract_bytes(report_xlsx(total_formula=formula), "report.xlsx")
        assert not (r.status == "ok" and r.verified and r.cells["apply.granted.total"] is None), formula


# the evaluator on its own

def _eval(formula, cells):
    return Evaluator(formula, "S", lambda s, r, c: cells.get((s, r, c))).run()


def test_evaluator_arithmetic_and_references():
    cells = {("S", 0, 0): 2, ("S", 0, 1): 3, ("S", 1, 0): None, ("S", 1, 1): "x", ("T", 0, 0): 10}
    assert _eval("=A1+B1*2", cells) == 8
    assert _eval("=(A1+B1)*2-$A$1/2", cells) == 9
    assert _eval("=SUM(A1:B2)", cells) == 5  # empty and text cells are skipped by SUM
    assert _eval("=SUM(A1,B1,3)+T!A1", cells) == 18
    assert _eval("='T'!A1-A2", cells) == 10  # an empty cell is 0
    assert _eval("=-A1", cells) == -2


@pytest.mark.parametrize("formula", ["=B2+1", "=VLOOKUP(A1,A1:B2,2)", "=A1:B2", "=[1]S!A1", "=A1/0", "=SUM(A1",
                                     "=INDIRECT(\"A1\")", "=A1 & B1"])
def test_evaluator_refuses_what_it_does_not_compute(formula):
    cells = {("S", 0, 0): 2, ("S", 0, 1): 3, ("S", 1, 1): "x"}
    with pytest.raises(FormulaError):
        _eval(formula, cells)


def test_cycles_and_chains():
    book = Workbook({"S": {}}, {"S": {(0, 0): "=B1", (0, 1): "=A1", (1, 0): "=C2+1", (1, 2): "=5"}})
    book.compute_all()
    assert book.done[("S", 1, 0)] == 6 and book.done[("S", 1, 2)] == 5
    assert "circular" in book.failed[("S", 0, 0)] or "circular" in book.failed[("S", 0, 1)]
