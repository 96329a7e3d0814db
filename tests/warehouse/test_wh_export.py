"""Snapshots: CSV with BOM, Parquet, manifest with row counts and sha256; the journalist's agency_year file,
duplicates flagged, ids Excel cannot mangle, tables split to fit Excel, README.txt / 说明.txt without paths."""
import csv
import hashlib
import io
import json
import re

import pyarrow.parquet as pq
import pytest
from tests.warehouse.test_wh_load import build_run1
from tests.warehouse.wh_helpers import reader, rows
from tests.warehouse.wh_outputs import DZ, ECON, NUMERIC_ID, build_outputs_world

from core.errors import UserError
from warehouse.agency_year import HEADLINES, has_verified
from warehouse.export import export_snapshot
from warehouse.ingest import report_id_for
from warehouse.load import load_run

REQUIRED = {
    "reports": ["report_id", "agency", "region_code", "report_year", "template", "published", "status", "reason",
                "source_url", "document_url", "checks_failed", "counted", "duplicate_of"],
    "cells": ["report_id", "agency", "report_year", "template", "cell_key", "value", "raw_text", "unit", "counted"],
    "apply_wide": ["report_id", "agency", "report_year", "template", "row_key", "row_label", "person", "business",
                   "research", "nonprofit", "legal", "other_org", "total", "counted"],
    "quality": ["report_id"],
}
ID_COLUMNS = {"report_id": "R", "agency_id": "A", "document_id": "D", "prev_report_id": "R", "duplicate_of": "R"}
HEX16 = re.compile(r"^[0-9a-f]{16}$")


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), path.name  # BOM for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.slow
def test_export_snapshot(data_dir, tmp_path):
    b, _ = build_run1(data_dir)
    load_run(data_dir, *b.write())
    out = export_snapshot(data_dir, tmp_path / "out", date="2026-01-02")
    assert out == tmp_path / "out" / "2026-01-02"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["snapshot"] == "2026-01-02"
    assert [r["run_id"] for r in manifest["runs"]] == ["20260101T000000Z"]
    by_file = {f["file"]: f for f in manifest["files"]}
    with reader(data_dir) as con:
        db_counts = {
            "reports": rows(con, "SELECT count(*) FROM reports")[0][0],
            "cells": rows(con, "SELECT count(*) FROM cells")[0][0],
            "apply_wide": rows(con, "SELECT count(*) FROM apply_wide")[0][0],
            "quality": rows(con, "SELECT count(*) FROM quality")[0][0],
        }
    assert db_counts["cells"] == 3 * 207 + 198
    for name, cols in REQUIRED.items():
        c, p = by_file[f"{name}.csv"], by_file[f"{name}.parquet"]
        raw = (out / c["file"]).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name  # BOM for Excel
        assert hashlib.sha256(raw).hexdigest() == c["sha256"] and len(raw) == c["bytes"]
        assert hashlib.sha256((out / p["file"]).read_bytes()).hexdigest() == p["sha256"]
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert table[0][: len(cols)] == cols, name
        assert len(table) - 1 == c["rows"] == p["rows"] == db_counts[name], name
        assert pq.read_table(out / p["file"]).num_rows == db_counts[name]
        assert pq.read_table(out / p["file"]).column_names[: len(cols)] == cols
    # every file on disk is in the manifest, and the other way round
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert on_disk == set(by_file)
    # values: integers print without ".0", NULL prints empty, Chinese survives
    cells = read_csv(out / "cells.csv")
    assert all("." not in r["value"] for r in cells if r["cell_key"].startswith("apply."))
    fees = [r for r in cells if r["cell_key"] == "active.art20_8.fees.amount" and r["value"]]
    assert fees
    reports = read_csv(out / "reports.csv")
    by_status = {r["status"] for r in reports}
    assert {"ok", "unreadable", "fetch_failed", "not_extracted", "legacy_format", "not_a_report"} <= by_status
    assert any(r["agency"] == "达州市通川区经济和信息化局" for r in reports)
    failed = [r for r in reports if r["status"] == "ok"]
    assert all(r["checks_failed"] != "" for r in failed)
    # the same warehouse exported again gives the same files (the workbook included)
    again = export_snapshot(data_dir, tmp_path / "out", date="2026-01-02")
    manifest2 = json.loads((again / "manifest.json").read_text(encoding="utf-8"))
    assert [(f["file"], f["sha256"]) for f in manifest2["files"]] == [(f["file"], f["sha256"]) for f in manifest["files"]]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-01-02"]


@pytest.mark.slow
def test_export_default_folder(data_dir):
    with pytest.raises(UserError, match="no warehouse"):
        export_snapshot(data_dir)
    b, _ = build_run1(data_dir)
    load_run(data_dir, *b.write())
    out = export_snapshot(data_dir)
    assert out.parent == data_dir / "exports"
    assert (out / "manifest.json").exists()


@pytest.fixture
def world(data_dir, tmp_path):
    b, expected = build_outputs_world(data_dir)
    load_run(data_dir, *b.write())
    out = export_snapshot(data_dir, tmp_path / "snap", date="2026-03-02")
    return data_dir, out, expected


def _expected_figure(h, result):
    """A headline figure computed from the extraction result given to the loader (not from the warehouse)."""
    cells, units = result["cells"], result.get("units") or {}
    values = [cells.get(k) for k in h.keys]
    if any(v is None for v in values):
        return None
    total = sum(values)
    if h.money and units.get(h.keys[0]) == "元":
        total = total / 10000
    return total


def _num(text):
    return None if text == "" else float(text)


@pytest.mark.slow
def test_agency_year_figures(world):
    data_dir, out, e = world
    rows_ = read_csv(out / "agency_year.csv")
    by_key = {(r["机构名称"], int(r["年度"])): r for r in rows_}
    assert sorted(by_key) == sorted(e.speakers)  # one row per agency and year, the unread one included
    assert len(rows_) == len(by_key)
    for key, result in e.speakers.items():
        row = by_key[key]
        assert row["来源网页"] == e.urls[key], key
        assert row["报告编号"] == "R" + report_id_for(
            {"tongchuan": "tc", "dazhou": "dz", "thnet": "gz"}[e.urls[key].split(".")[1]], e.urls[key]), key
        if result is None:  # found, not read: a row with its status and reason, no figures
            assert row["提取状态"] == "no_tables" and row["原因"] == "the tables are images"
            assert all(row[h.header] == "" for h in HEADLINES), key
            continue
        assert row["提取状态"] == "ok"
        assert row["发布日期"] == result["published"], key
        for h in HEADLINES:
            want = _expected_figure(h, result)
            got = _num(row[h.header])
            assert got == (None if want is None else pytest.approx(want)), (key, h.header)
    # the cases the world was built for
    assert by_key[e.denied_gap]["不予公开"] == ""  # one of its eight rows is "/"
    assert by_key[e.fees_in_yuan]["收费金额（万元）"] == "2.485"  # 24850 元
    assert by_key[("达州市通川区人民政府", 2020)]["收费金额（万元）"] == ""  # the 2019 form has no amount
    assert by_key[(ECON, 2021)]["同年报告数"] == "2"
    # timeliness: a department by 31 January, a government by 31 March
    assert by_key[(ECON, 2021)]["按时发布"] == "是" and by_key[(ECON, 2022)]["按时发布"] == "否"
    assert by_key[(ECON, 2022)]["逾期天数"] == "10"
    assert by_key[("达州市通川区人民政府", 2020)]["法定期限"] == "2021-03-31"
    assert by_key[(ECON, 2021)]["层级"] == "部门" and by_key[("达州市通川区人民政府", 2020)]["层级"] == "政府"
    assert by_key[(ECON, 2021)]["省份"] == "四川省" and by_key[(ECON, 2021)]["区县"] == "通川区"
    # Parquet: English names, bare ids, the same rows
    t = pq.read_table(out / "agency_year.parquet").to_pylist()
    assert len(t) == len(rows_)
    assert [("A" + r["agency_id"], r["report_year"]) for r in t] == [(r["机构编号"], int(r["年度"])) for r in rows_]
    assert {r["level"] for r in t} == {"government", "department"}


@pytest.mark.slow
def test_duplicates_flagged(world):
    data_dir, out, e = world
    reports = {r["source_url"]: r for r in read_csv(out / "reports.csv")}
    dup = reports[e.duplicate_urls[0]]
    speaker = reports[DZ + "/nb/tc-econ-2021.html"]
    assert dup["counted"] == "false" and speaker["counted"] == "true"
    assert dup["duplicate_of"] == speaker["report_id"]
    assert speaker["duplicate_of"] == ""
    # Excel's SUMIFS over counted rows of cells.csv gives agency_year's total; over every row it double-counts
    cells = read_csv(out / "cells.csv")
    new = [r for r in cells if r["cell_key"] == "apply.new.total" and r["value"]]
    counted_sum = sum(float(r["value"]) for r in new if r["counted"] == "true")
    all_sum = sum(float(r["value"]) for r in new)
    ay_sum = sum(float(r["新收申请"]) for r in read_csv(out / "agency_year.csv") if r["新收申请"])
    assert counted_sum == ay_sum
    assert all_sum > ay_sum
    with reader(data_dir) as con:  # and the warehouse's national totals agree
        total = rows(con, "SELECT sum(total) FROM national_totals WHERE cell_key = 'apply.new.total'")[0][0]
    assert total == ay_sum
    for name in ("apply_wide", "quality", "timeliness"):
        flags = {r["report_id"]: r["counted"] for r in read_csv(out / f"{name}.csv")}
        assert flags["R" + report_id_for("tc", e.duplicate_urls[0])] == "false", name
        assert flags["R" + report_id_for("dz", DZ + "/nb/tc-econ-2021.html")] == "true", name


@pytest.mark.slow
def test_ids_excel_cannot_mangle(world):
    data_dir, out, e = world
    numeric = report_id_for("gz", e.numeric_url)
    assert NUMERIC_ID.match(numeric)  # the world has one: Excel would read it as a number
    float(numeric)
    seen = 0
    for path in sorted(out.rglob("*.csv")):
        for r in read_csv(path):
            for col, prefix in ID_COLUMNS.items():
                for key in (col, {"report_id": "报告编号", "agency_id": "机构编号"}.get(col)):
                    if key in r and r[key]:
                        assert r[key][0] == prefix and HEX16.match(r[key][1:]), (path.name, key, r[key])
                        with pytest.raises(ValueError):
                            float(r[key])
                        seen += 1
    assert seen > 100
    reports = read_csv(out / "reports.csv")
    assert "R" + numeric in {r["report_id"] for r in reports}
    assert numeric in set(pq.read_table(out / "reports.parquet").column("report_id").to_pylist())  # bare in Parquet


@pytest.mark.slow
def test_split_to_fit_excel(data_dir, tmp_path):
    b, _ = build_outputs_world(data_dir)
    load_run(data_dir, *b.write())
    out = export_snapshot(data_dir, tmp_path / "snap", date="2026-03-02", excel_rows=300)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    with reader(data_dir) as con:
        n_cells = rows(con, "SELECT count(*) FROM cells")[0][0]
        per_year = dict(rows(con, "SELECT report_year, count(*) FROM cells GROUP BY 1"))
    assert n_cells > 300
    csv_parts = [f for f in manifest["files"] if f["table"] == "cells" and f["format"] == "csv"]
    assert len(csv_parts) > 1
    for f in csv_parts:
        data = read_csv(out / f["file"])
        assert len(data) == f["rows"] <= 300, f["file"]
        assert f["file"].startswith("cells/cells_")
        if "report_year" in f["part"]:
            assert {r["report_year"] for r in data} == {str(f["part"]["report_year"])}
        if "province" in f["part"]:
            assert {r["province"] for r in data} == {f["part"]["province"]}
    # a year within the limit is one file; a year over it is split further, by province, then numbered parts
    names = {f["file"] for f in csv_parts}
    assert per_year[2020] <= 300 and "cells/cells_2020.csv" in names
    assert per_year[2021] > 300 and "cells/cells_2021.csv" not in names
    assert "cells/cells_2021_广东省.csv" in names
    assert {"cells/cells_2021_四川省_part1.csv", "cells/cells_2021_四川省_part2.csv"} <= names
    # the parts hold every row exactly once; Parquet stays whole
    keys = [(r["report_id"], r["cell_key"]) for f in csv_parts for r in read_csv(out / f["file"])]
    assert len(keys) == len(set(keys)) == n_cells
    whole = pq.read_table(out / "cells.parquet")
    assert whole.num_rows == n_cells
    assert set(keys) == {("R" + a, b) for a, b in zip(whole.column("report_id").to_pylist(),
                                                      whole.column("cell_key").to_pylist())}
    # numbered parts keep the file order
    p1 = read_csv(out / "cells/cells_2021_四川省_part1.csv")
    p2 = read_csv(out / "cells/cells_2021_四川省_part2.csv")
    sichuan = [r for r in whole.to_pylist() if r["report_year"] == 2021 and r["province"] == "四川省"]
    assert [(r["report_id"], r["cell_key"]) for r in p1 + p2] == [("R" + r["report_id"], r["cell_key"])
                                                                  for r in sichuan]
    # a small table stays one file
    assert any(f["file"] == "agency_year.csv" for f in manifest["files"])


@pytest.mark.slow
def test_readme_and_manifest(world, tmp_path):
    data_dir, out, _ = world
    readme = (out / "README.txt").read_text(encoding="utf-8-sig")
    shuoming = (out / "说明.txt").read_text(encoding="utf-8-sig")
    manifest_text = (out / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(manifest_text)
    for text in (readme, shuoming, manifest_text):
        for path in (str(tmp_path), str(data_dir), "/tmp/", "/home/", "/root/"):
            assert path not in text  # no path of the exporting machine
    for f in manifest["files"]:  # every file is named in both readmes
        if f["table"] != "readme":
            assert f["file"] in readme and f["file"] in shuoming, f["file"]
    for word in ("CC BY 4.0", "duplicate_of", "counted", "agency_year.xlsx", "R, agency_id starts with A"):
        assert word in readme, word
    for word in ("重复报告", "已核验" if has_verified_in(data_dir) else "尚未记录", "CC BY 4.0", "来源网页"):
        assert word in shuoming, word
    assert {"README.txt", "说明.txt"} <= {f["file"] for f in manifest["files"]}


def has_verified_in(data_dir):
    with reader(data_dir) as con:
        return has_verified(con)


@pytest.mark.slow
def test_verified_column_when_the_warehouse_has_it(world):
    """The extractor's verdict is carried when the warehouse stores it (reports.verified), never invented."""
    data_dir, out, e = world
    rows_ = {(r["机构名称"], int(r["年度"])): r for r in read_csv(out / "agency_year.csv")}
    readme = (out / "README.txt").read_text(encoding="utf-8-sig")
    if not has_verified_in(data_dir):
        assert all("已核验" not in r for r in rows_.values())
        assert "does not carry the extractor's verdict" in readme
        return
    for key, result in e.speakers.items():
        if result is None:
            assert rows_[key]["已核验"] == "", key
            continue
        assert rows_[key]["已核验"] == ("是" if result["verified"] else "否"), key
        assert rows_[key]["未核验原因"] == "; ".join(result["unverified_reasons"]), key


def test_exports_carry_verified(data_dir, tmp_path):
    b, _ = build_run1(data_dir)
    for r in b.results:
        if r["status"] == "ok":
            r["verified"], r["unverified_reasons"] = False, ["layout.rows_missing: apply.denied.law_prohibited"]
    b.results[0]["verified"], b.results[0]["unverified_reasons"] = True, []
    load_run(data_dir, *b.write())
    out = export_snapshot(data_dir, tmp_path / "out", date="2026-01-02")
    reports = {r["report_id"]: r for r in csv.DictReader(io.StringIO((out / "reports.csv").read_text("utf-8-sig")))}
    with reader(data_dir) as con:
        expected = dict(rows(con, "SELECT report_id, verified FROM reports"))
    # CSV ids carry their letter prefix (R for reports) so Excel cannot turn them into numbers
    assert {k.removeprefix("R"): {"true": True, "false": False, "": None}[r["verified"]]
            for k, r in reports.items()} == expected
    assert sum(r["unverified_reasons"] == "layout.rows_missing: apply.denied.law_prohibited"
               for r in reports.values()) == sum(v is False for v in expected.values()) == 3
    cells = pq.read_table(out / "cells.parquet")
    assert "verified" in cells.column_names
    assert set(cells.column("verified").to_pylist()) == {True, False}


def test_ocr_pages_reach_reports_documents_views_and_exports(data_dir, tmp_path):
    """An OCR'd report says how many pages OCR read, beside its confidence figures; other reports say NULL."""
    b, _ = build_run1(data_dir)
    ok = [r for r in b.results if r["status"] == "ok"]
    scanned, other = ok[0], ok[1]
    scanned.update(layout="ocr", ocr_pages=3, ocr_confidence_min=0.93, ocr_confidence_mean=0.98)
    load_run(data_dir, *b.write())
    with reader(data_dir) as con:
        got = dict(rows(con, "SELECT document_url, ocr_pages FROM reports"))
        docs = dict(rows(con, "SELECT url, ocr_pages FROM documents WHERE sha256 = ?", [scanned["sha256"]]))
        overview = dict(rows(con, "SELECT document_url, ocr_pages FROM report_overview"))
        quality = dict(rows(con, "SELECT document_url, ocr_pages FROM quality"))
    assert got[scanned["url"]] == 3
    assert got[other["url"]] is None
    assert docs[scanned["url"]] == 3
    assert overview[scanned["url"]] == 3
    assert quality[scanned["url"]] == 3
    out = export_snapshot(data_dir, tmp_path / "out", date="2026-01-02")
    reports = list(csv.DictReader(io.StringIO((out / "reports.csv").read_text("utf-8-sig"))))
    by_url = {r["document_url"]: r for r in reports}
    assert by_url[scanned["url"]]["ocr_pages"] == "3"
    assert by_url[other["url"]]["ocr_pages"] == ""
