"""The journalist's workbook agency_year.xlsx: read back with openpyxl (another library than the writer) and
opened by a real LibreOffice."""
import csv
import datetime as dt
import io
import shutil
import subprocess

import openpyxl
import pytest
from tests.warehouse.test_wh_export import read_csv
from tests.warehouse.wh_outputs import build_outputs_world

from warehouse.export import export_snapshot
from warehouse.ingest import report_id_for
from warehouse.load import load_run


@pytest.fixture
def snapshot(data_dir, tmp_path):
    b, expected = build_outputs_world(data_dir)
    load_run(data_dir, *b.write())
    return export_snapshot(data_dir, tmp_path / "snap", date="2026-03-02"), expected


def test_workbook_layout(snapshot):
    out, e = snapshot
    csv_rows = read_csv(out / "agency_year.csv")
    headers = list(csv_rows[0].keys())
    wb = openpyxl.load_workbook(out / "agency_year.xlsx")
    assert wb.sheetnames == ["机构年度", "列说明", "关于"]
    ws = wb["机构年度"]
    table = list(ws.iter_rows(values_only=True))
    assert list(table[0]) == headers  # Chinese headers, the CSV's order
    assert "新收申请" in headers and "收费金额（万元）" in headers
    assert len(table) - 1 == len(csv_rows)
    assert ws.freeze_panes == "C2"  # the header row and the id + name columns stay in view
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{len(table)}"
    col = {h: i for i, h in enumerate(headers)}
    numeric = "R" + report_id_for("gz", e.numeric_url)
    ids = [r[col["报告编号"]] for r in table[1:]]
    assert numeric in ids  # stored as text, intact
    for r, c in zip(table[1:], csv_rows):
        assert isinstance(r[col["机构编号"]], str) and r[col["机构编号"]] == c["机构编号"]
        assert isinstance(r[col["报告编号"]], str) and r[col["报告编号"]] == c["报告编号"]
        assert isinstance(r[col["行政区划代码"]], str) and r[col["行政区划代码"]] == c["行政区划代码"]
        for h in ("新收申请", "不予公开", "行政诉讼总计", "收费金额（万元）", "年度"):
            want = None if c[h] == "" else float(c[h])
            got = r[col[h]]
            assert (got is None if want is None else isinstance(got, (int, float)) and got == want), (h, got, want)
        got_date = r[col["发布日期"]]
        assert isinstance(got_date, dt.datetime) and got_date.date().isoformat() == c["发布日期"]
        assert r[col["按时发布"]] in ("是", "否", None) and (r[col["按时发布"]] or "") == c["按时发布"]
        assert (r[col["来源网页"]] or "") == c["来源网页"]
    # the second sheet explains every column, in Chinese and English
    doc = list(wb["列说明"].iter_rows(values_only=True))
    assert doc[0] == ("列名", "字段名（Parquet）", "说明", "Description")
    assert [d[0] for d in doc[1:]] == headers
    assert all(d[1] and d[2] and d[3] for d in doc[1:])
    about = "\n".join(r[0] or "" for r in wb["关于"].iter_rows(values_only=True))
    assert "CC BY 4.0" in about and "去重" in about


@pytest.mark.slow
def test_workbook_sheets_split_when_over_the_row_limit(data_dir, tmp_path):
    b, _ = build_outputs_world(data_dir)
    load_run(data_dir, *b.write())
    out = export_snapshot(data_dir, tmp_path / "snap", date="2026-03-02", excel_rows=2)
    wb = openpyxl.load_workbook(out / "agency_year.xlsx")
    data_sheets = [s for s in wb.sheetnames if s not in ("列说明", "关于")]
    assert len(data_sheets) > 1 and all(s[:4].isdigit() for s in data_sheets)
    total = 0
    for s in data_sheets:
        table = list(wb[s].iter_rows(values_only=True))
        assert 1 < len(table) <= 3, s
        total += len(table) - 1
    assert not (out / "agency_year.csv").exists()
    parts = sorted(p.name for p in (out / "agency_year").glob("*.csv"))
    assert total == sum(len(read_csv(out / "agency_year" / p)) for p in parts)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_workbook_opens_in_libreoffice(snapshot, tmp_path):
    """LibreOffice reads the workbook: Chinese headers, ids intact (the numeric-looking one too), figures."""
    out, e = snapshot
    profile = tmp_path / "lo-profile"
    conv = tmp_path / "conv"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(conv),
         str(out / "agency_year.xlsx")],
        check=True, capture_output=True, timeout=180)
    text = (conv / "agency_year.csv").read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    expected = read_csv(out / "agency_year.csv")
    assert list(table[0].keys()) == list(expected[0].keys())
    assert [r["报告编号"] for r in table] == [r["报告编号"] for r in expected]
    assert [r["机构编号"] for r in table] == [r["机构编号"] for r in expected]
    assert "R" + report_id_for("gz", e.numeric_url) in {r["报告编号"] for r in table}
    for got, want in zip(table, expected):
        for h in ("新收申请", "予以公开", "不予公开", "收费金额（万元）", "行政区划代码", "机构名称", "层级"):
            g, w = got[h], want[h]
            if w and w.replace(".", "").isdigit() and h != "行政区划代码":
                assert float(g) == float(w), (h, g, w)
            else:
                assert g == w, (h, g, w)
