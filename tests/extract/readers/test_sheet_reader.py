"""XLS (xlrd) and XLSX (openpyxl read-only): sheets as tables, merged cells, numbers as printed."""
from __future__ import annotations

import io

import pytest

from extract.readers import sheet

from tests.extract.readers.conftest import check_apply_rows, golden, rows, squash, truth_of


@pytest.mark.parametrize("name,reader", [
    ("16_xlsx-2021-merged.xlsx", sheet.read_xlsx),
    ("17_xlsx-2019-sheets.xlsx", sheet.read_xlsx),
    ("18_xls-2021.xls", sheet.read_xls),
    ("19_xls-2019-sheets.xls", sheet.read_xls),
])
def test_apply_rows_match_truth(name, reader, settings):
    doc = reader(golden(name), settings)
    assert doc.status is None, doc.reason
    assert doc.layout == "sheet_table"
    assert check_apply_rows(doc, truth_of(name)) == []


@pytest.mark.parametrize("name,reader", [("16_xlsx-2021-merged.xlsx", sheet.read_xlsx),
                                         ("18_xls-2021.xls", sheet.read_xls)])
def test_merged_cells_follow_the_docx_convention(name, reader, settings):
    doc = reader(golden(name), settings)
    all_rows = rows(doc)
    new = next(r for r in all_rows if "本年新收" in squash(r[0]))
    assert len(new) == 8  # label merged over 3 columns: one cell, then 7 values
    secret = next(r for r in all_rows if any("国家秘密" in squash(c) for c in r))
    assert secret[0] == "" and len(secret) == 10  # below a vertical merge: ""
    title = next(r for r in all_rows if "年度报告" in "".join(r))
    assert len(title) == 1  # a title merged across the sheet is one cell


def test_sheets_are_tables(settings):
    doc = sheet.read_xlsx(golden("17_xlsx-2019-sheets.xlsx"), settings)
    # three sheets (the third: the review table, an empty row, the signature), the empty 4th gives none
    assert len({c.table for c in doc.cells}) == 4
    assert doc.meta["sheets"] == "主动公开, 依申请公开, 复议诉讼"


def test_numbers_as_printed():
    assert sheet.number_text(3.0) == "3"
    assert sheet.number_text(1.5) == "1.5"
    assert sheet.number_text(24850.0) == "24850"
    assert sheet.number_text(0.1 + 0.2) == "0.3"
    assert sheet.number_text(1e20) == "100000000000000000000"
    assert sheet.number_text(-2.0) == "-2"


def test_xlsx_values_and_dates(settings):
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["规章", 3.0, 1.25, "+3", None, dt.datetime(2022, 1, 18)])
    ws.merge_cells("B3:C4")
    ws["B3"] = "合并"
    buf = io.BytesIO()
    wb.save(buf)
    doc = sheet.read_xlsx(buf.getvalue(), settings)
    # a block after an empty row is a table of its own; only the merge's top-left cell holds the value
    assert rows(doc) == [["规章", "3", "1.25", "+3", "", "2022-01-18"], ["合并"]]


def test_tables_split_at_empty_rows(settings):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["规章", 1, 2, 3, 4, 5, 6, 7])
    ws.append([])
    ws.append(["行政许可", 9])
    buf = io.BytesIO()
    wb.save(buf)
    doc = sheet.read_xlsx(buf.getvalue(), settings)
    assert rows(doc) == [["规章", "1", "2", "3", "4", "5", "6", "7"], ["行政许可", "9"]]
    assert [c.table for c in doc.cells][-1] == 1
