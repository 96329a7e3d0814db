"""README.txt (English) and 说明.txt (Chinese) of a snapshot: what each file is, which figures are verified, how
duplicates are handled, the ids, the licence and the sources. Written from the snapshot's own file list; no path of
the exporting machine appears in them."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .agency_year import ID_PREFIXES

# table → (Chinese, English)
TABLES: dict[str, tuple[str, str]] = {
    "agency_year": ("每个机构每年一行：主要数字（中文列名），已去重，可直接求和",
                    "one row per agency and year: the headline figures (Chinese headers), de-duplicated, safe to sum"),
    "reports": ("找到的每一份报告（网页及其附件）：年度、表式、发布日期、提取状态与原因、来源链接",
                "every report found (a page with its attachments): year, form, date, extraction status and reason, "
                "source links"),
    "cells": ("每份已读出报告的每个单元格（长表，cell_key 见 cell_dictionary）",
              "every cell of every report read (long format; cell_key explained in cell_dictionary)"),
    "apply_wide": ("表三（依申请公开）宽表：每份报告每行一行，七列申请人类型",
                   "table 3 (applications), wide: one row per report and row, the seven applicant columns"),
    "quality": ("每份报告的质量：填写单元格数、未通过的校验", "per report: cells filled, identities that fail"),
    "agencies": ("机构：名称、行政区划、层级", "every agency: name, region, level"),
    "timeliness": ("每份报告是否在法定期限内发布", "per report: published by the legal deadline or not"),
    "coverage": ("每个机构每年：是否找到报告、是否读出数字", "per agency and year: report found, figures read, or missing"),
    "cell_dictionary": ("单元格字典：cell_key 与全国统一表式中的行、列名称",
                        "the cell keys with the row and column labels printed in the national form"),
}

LICENCE_ZH = [
    "许可与来源",
    "  本数据集（这些文件）以 CC BY 4.0 发布，署名“nianbao”。数字取自各级行政机关依《中华人民共和国政府信息公开条例》"
    "第四十九、五十条公开发布的政府信息公开工作年度报告；每一行都附有来源网页（source_url）和数字所在文件（document_url）。",
    "  行政区划代码：yescallop/areacodes（CC0 1.0，民政部代码）。门户网站名单：anyi-econ/china-public-debt"
    "（未声明许可，仅使用其事实信息并注明出处）。",
]
LICENCE_EN = [
    "Licence and sources",
    "  This dataset (these files) is released under CC BY 4.0, attribution \"nianbao\". The figures come from the "
    "government information-disclosure annual reports that agencies publish under articles 49-50 of the PRC "
    "Regulations on Open Government Information; every row links its source page (source_url) and the document "
    "the figures come from (document_url).",
    "  Region codes: yescallop/areacodes (CC0 1.0, MCA codes). Portal list: anyi-econ/china-public-debt (no licence "
    "stated; only the facts are used, with the source cited).",
]


def _ids_en() -> str:
    return ", ".join(f"{k} starts with {v}" for k, v in ID_PREFIXES.items())


def about_lines(date: dt.date) -> list[str]:
    """The 关于 sheet of the workbook (Chinese, then English)."""
    return [
        f"nianbao 数据快照 {date.isoformat()}：政府信息公开工作年度报告的主要数字，每个机构每年一行。",
        "去重：同一份报告常同时发布在本机构网站和上级政府的年报栏目中。每个机构每年只取一份（发布日期最新者，其次未通过校验最少者），"
        "“同年报告数”列给出找到的份数；因此按列求和不会重复计数。",
        "核验：“已核验”为“是”表示表格完整、全部恒等式成立、正文数字与表格一致；为“否”时见“未核验原因”。"
        "“未通过校验数”“未通过的校验”列出不成立的恒等式。报告中未填报（空白、“/”、“无”等）的数字为空，不记为0。",
        "编号：机构编号以A开头，报告编号以R开头，以免Excel把编号当成数字而改写。",
        *LICENCE_ZH,
        "",
        f"nianbao snapshot {date.isoformat()}: the headline figures of the information-disclosure annual reports, one "
        "row per agency and year.",
        "Duplicates: a report is often posted both on the agency's own site and in its government's list. One report "
        "per agency and year is kept (the latest published, then the fewest failed checks); 同年报告数 says how many "
        "were found, so column sums do not double-count.",
        "Verification: 已核验 = 是 means every table is complete, every identity of the form holds and the text "
        "agrees with the tables; otherwise 未核验原因 says why. Figures a report does not print are empty, never 0.",
        f"Ids: {_ids_en()}, so that Excel keeps them as text.",
        *LICENCE_EN,
    ]


def _file_lines(entries: list[dict[str, Any]], lang: str) -> list[str]:
    by_table: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        by_table.setdefault(str(e["table"]), []).append(e)
    lines = []
    for table, (zh, en) in TABLES.items():
        files = by_table.get(table, [])
        if not files:
            continue
        lines.append(f"  {table}: {zh if lang == 'zh' else en}")
        parts = [e for e in files if e["format"] == "csv"]
        for e in sorted(files, key=lambda e: ({"xlsx": 0, "csv": 1}.get(str(e["format"]), 2), str(e["file"]))):
            if e["format"] == "csv" and len(parts) > 1:
                continue
            rows = f"{e['rows']:,}"
            lines.append(f"      {e['file']}  ({rows} {'行' if lang == 'zh' else 'rows'})")
        if len(parts) > 1:
            first, last = parts[0]["file"], parts[-1]["file"]
            total = sum(int(e["rows"]) for e in parts)
            if lang == "zh":
                lines.append(f"      {len(parts)} 个 CSV 文件，共 {total:,} 行，超过 Excel 单表行数上限而拆分："
                             f"{first} … {last}")
            else:
                lines.append(f"      {len(parts)} CSV files, {total:,} rows, split to fit Excel's row limit: "
                             f"{first} … {last}")
    return lines


def write_readmes(folder: Path, date: dt.date, entries: list[dict[str, Any]], runs: list[dict[str, Any]], *,
                  verified: bool, excel_rows: int) -> list[Path]:
    run_ids = ", ".join(r["run_id"] for r in runs) or "-"
    en = [
        f"nianbao snapshot {date.isoformat()}",
        "=" * 40,
        "China's government information-disclosure annual reports (政府信息公开工作年度报告), read by nianbao:",
        "every figure as printed, checked against the identities of the national form.",
        f"Runs loaded: {run_ids}.",
        "",
        "Start here",
        "  agency_year.xlsx  one row per agency and year with the headline figures and Chinese headers; the sheet",
        "                    列说明 explains every column. agency_year.csv is the same table as CSV.",
        "",
        "Files (each table as CSV for Excel and as Parquet for DuckDB, pandas, R, …)",
        *_file_lines(entries, "en"),
        "  manifest.json: rows, bytes and sha256 of every file, the runs loaded.",
        "",
        "Which figures are verified",
        ("  agency_year has the column 已核验 (verified): 是 when every table of the report is complete, every "
         "identity holds and the text agrees with the tables; 否 with 未核验原因 (the reasons) otherwise."
         if verified else
         "  This warehouse does not carry the extractor's verdict per report yet (no verified column). Use the "
         "identity checks instead."),
        "  checks_failed / 未通过校验数 and failed_rules / 未通过的校验 list the identities of the form that do not "
        "hold (quality.csv has them per report). Broken identities are reported, never corrected.",
        "  A figure the report does not print (blank, \"/\", \"-\", \"无\") is empty, never 0. Sums of several rows "
        "(不予公开, 行政诉讼总计) are empty when any of their rows is not printed.",
        "",
        "Duplicates",
        "  One report is often posted on two sites (the agency's own and its government's list). agency_year keeps "
        "one report per agency and year (the latest published, then the fewest failed checks, then the most cells: the "
        "rule of the warehouse view agency_year_values), so its columns can be summed.",
        "  In the per-report files (reports, cells, apply_wide, quality, timeliness) every row has counted = true "
        "for the report that counts and false for the others; reports.csv also names it in duplicate_of. In Excel: "
        "SUMIFS(value, cell_key, \"apply.new.total\", counted, TRUE).",
        "",
        "Ids",
        f"  In CSV and xlsx files the ids carry a letter ({_ids_en()}): a bare 16-hex id such as 1234e567... or "
        "one of digits only is read by Excel as a number and changed. The Parquet files keep the bare ids of the "
        "warehouse (strip the letter to join the two).",
        "",
        "CSV",
        "  UTF-8 with a byte-order mark (Excel shows the Chinese), comma-separated, a header row; an empty field is "
        f"NULL. Tables longer than an Excel sheet ({excel_rows:,} data rows) are split into a folder: by year, then "
        "by province, then city, then numbered parts. The Parquet file of each table stays whole.",
        "",
        *LICENCE_EN,
    ]
    zh = [
        f"nianbao 数据快照 {date.isoformat()}",
        "=" * 40,
        "政府信息公开工作年度报告数据：每个数字按报告原样读出，并按全国统一表式的恒等式校验。",
        f"包含的运行：{run_ids}。",
        "",
        "从这里开始",
        "  agency_year.xlsx  每个机构每年一行，主要数字，中文列名；工作表“列说明”解释每一列。",
        "                    agency_year.csv 为同一张表的 CSV 版本。",
        "",
        "文件（每张表都有 CSV 版本供 Excel 使用，Parquet 版本供 DuckDB、pandas、R 等使用）",
        *_file_lines(entries, "zh"),
        "  manifest.json：每个文件的行数、字节数和 sha256，以及包含的运行。",
        "",
        "哪些数字已核验",
        ("  agency_year 的“已核验”列：为“是”表示报告的各表完整、全部恒等式成立、正文与表格一致；为“否”时“未核验原因”说明原因。"
         if verified else
         "  本仓库尚未记录每份报告的核验结论（无“已核验”列），请参考恒等式校验结果。"),
        "  “未通过校验数”“未通过的校验”列出不成立的恒等式（quality.csv 中按报告列出）。恒等式不成立时照实报告，不做修正。",
        "  报告未填报的数字（空白、“/”、“-”、“无”）为空，不记为0。由多行相加的数字（不予公开、行政诉讼总计）"
        "在任何一行未填报时为空。",
        "",
        "重复报告",
        "  同一份报告常同时发布在两个网站（本机构网站和上级政府的年报栏目）。agency_year 每个机构每年只取一份"
        "（发布日期最新者，其次未通过校验最少者，其次单元格最多者，与仓库视图 agency_year_values 规则相同），可以直接求和。",
        "  按报告的文件（reports、cells、apply_wide、quality、timeliness）中，计入的报告 counted = true，其他为 false；"
        "reports.csv 的 duplicate_of 列给出计入的那份报告。Excel 中可用："
        "SUMIFS(value, cell_key, \"apply.new.total\", counted, TRUE)。",
        "",
        "编号",
        "  CSV 和 xlsx 文件中的编号带字母前缀（机构 A、报告 R、文件 D）：不带前缀的16位十六进制编号如 1234e567…"
        "或全为数字者会被 Excel 当作数字改写。Parquet 文件保留仓库中的原始编号（去掉字母即可对应）。",
        "",
        "CSV 格式",
        "  UTF-8（带 BOM，Excel 可正确显示中文），逗号分隔，首行为列名；空字段表示无数据。超过 Excel 单表行数上限"
        f"（{excel_rows:,} 行数据）的表拆分到同名文件夹中：先按年度，再按省份、城市，最后按序号。Parquet 文件不拆分。",
        "",
        *LICENCE_ZH,
    ]
    out = []
    for name, lines in (("README.txt", en), ("说明.txt", zh)):
        p = folder / name
        p.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")  # a BOM: old Notepad needs it
        out.append(p)
    return out
