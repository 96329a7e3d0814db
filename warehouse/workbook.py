"""The journalist's workbook: agency_year.xlsx, written with XlsxWriter.

Sheet 1 (机构年度, or one sheet per year when the table outgrows a sheet) holds the rows with Chinese headers, a
frozen header row and name column, and an autofilter; ids, region codes and URLs are stored as text (Excel cannot
mangle them), figures as numbers, dates as dates, yes/no as 是/否. Sheet 列说明 explains every column in Chinese and
English; sheet 关于 says what the data is, how duplicates and verification work, the licence and the sources.

XlsxWriter's constant-memory mode writes row by row, so a national table needs no more memory than a demo one; its
zip entries carry a fixed date and the document's dates are the snapshot's, so the same rows give the same bytes.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .agency_year import ID_PREFIXES, LEVELS_ZH, Column
from .csv_parts import plan_parts
from .snapshot_readme import about_lines

MAIN_SHEET = "机构年度"
COLUMNS_SHEET = "列说明"
ABOUT_SHEET = "关于"
WIDTHS = {"id": 19, "int": 10, "number": 12, "date": 11, "bool": 8, "code": 11, "text": 14}
WIDE_TEXT = {"agency": 30, "title": 40, "source_url": 40, "document_url": 40, "failed_rules": 28,
             "unverified_reasons": 30, "reason": 24}


def _sheet_name(label: str, used: set[str]) -> str:
    name = "".join(ch for ch in label if ch not in '[]:*?/\\')[:31] or "sheet"
    base, i = name, 2
    while name in used:
        name = f"{base[:28]}-{i}"
        i += 1
    used.add(name)
    return name


def write_workbook(con, parquet: Path, path: Path, columns: list[Column], date: dt.date, limit: int) -> Path:
    """Write `path` from the agency_year Parquet file (English column names, the order of `columns`)."""
    import xlsxwriter

    source = "read_parquet('" + str(parquet).replace("'", "''") + "')"
    rows = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
    names = [c.name for c in columns]
    have = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    if have != names:
        raise RuntimeError(f"agency_year columns {have} do not match their descriptions {names}")
    parts = plan_parts(con, source, names, rows, limit)

    stamp = dt.datetime.combine(date, dt.time())
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    try:
        wb.set_properties({"title": f"nianbao 机构年度数据 {date.isoformat()}", "author": "nianbao",
                           "created": stamp, "comments": "政府信息公开工作年度报告 headline figures per agency and year"})
        head = wb.add_format({"bold": True, "bg_color": "#DDE4EE", "text_wrap": True, "valign": "top", "border": 1})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        money_fmt = wb.add_format({"num_format": "0.####"})
        used: set[str] = set()
        for part in parts:
            ws = wb.add_worksheet(_sheet_name(MAIN_SHEET if part.is_whole else part.label_text, used))
            for j, c in enumerate(columns):
                ws.set_column(j, j, WIDE_TEXT.get(c.name, WIDTHS.get(c.kind, 14)))
                ws.write_string(0, j, c.header, head)
            ws.set_row(0, 30)
            ws.freeze_panes(1, 2)  # the header row and the id + name columns stay in view
            ws.autofilter(0, 0, max(part.rows, 1), len(columns) - 1)
            reader = con.sql(f"SELECT * FROM {part.select(source)}").to_arrow_reader(20_000)
            i = 1
            for batch in reader:
                for record in batch.to_pylist():
                    for j, c in enumerate(columns):
                        _write(ws, i, j, c, record[c.name], date_fmt, money_fmt)
                    i += 1
        _columns_sheet(wb, columns, head)
        _about_sheet(wb, date)
    finally:
        wb.close()
    return path


def _write(ws, i: int, j: int, c: Column, v, date_fmt, money_fmt) -> None:
    if v is None:
        return
    if c.kind == "id":
        ws.write_string(i, j, ID_PREFIXES.get(c.name, "") + str(v))
    elif c.kind in ("int", "number"):
        ws.write_number(i, j, float(v), money_fmt if c.kind == "number" else None)
    elif c.kind == "date":
        ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) else v, date_fmt)
    elif c.kind == "bool":
        ws.write_string(i, j, "是" if v else "否")
    elif c.name == "level":
        ws.write_string(i, j, LEVELS_ZH.get(v, str(v)))
    else:
        ws.write_string(i, j, str(v))


def _columns_sheet(wb, columns: list[Column], head) -> None:
    ws = wb.add_worksheet(COLUMNS_SHEET)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for j, (title, width) in enumerate((("列名", 16), ("字段名（Parquet）", 24), ("说明", 60), ("Description", 60))):
        ws.set_column(j, j, width)
        ws.write_string(0, j, title, head)
    ws.freeze_panes(1, 0)
    for i, c in enumerate(columns, 1):
        for j, text in enumerate((c.header, c.name, c.zh, c.en)):
            ws.write_string(i, j, text, wrap)


def _about_sheet(wb, date: dt.date) -> None:
    ws = wb.add_worksheet(ABOUT_SHEET)
    ws.set_column(0, 0, 120)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for i, line in enumerate(about_lines(date)):
        ws.write_string(i, 0, line, wrap)
