"""Snapshots: CSV with BOM, Parquet, manifest with row counts and sha256."""
import csv
import hashlib
import io
import json

import pyarrow.parquet as pq
import pytest
from tests.warehouse.wh_helpers import reader, rows
from tests.warehouse.test_wh_load import build_run1

from core.errors import UserError
from warehouse.export import export_snapshot
from warehouse.load import load_run

REQUIRED = {
    "reports": ["report_id", "agency", "region_code", "report_year", "template", "published", "status", "reason",
                "source_url", "document_url", "checks_failed"],
    "cells": ["report_id", "agency", "report_year", "template", "cell_key", "value", "raw_text", "unit"],
    "apply_wide": ["report_id", "agency", "report_year", "template", "row_key", "row_label", "person", "business",
                   "research", "nonprofit", "legal", "other_org", "total"],
    "quality": ["report_id"],
}


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
    # values: integers print without ".0", NULL prints empty, Chinese survives
    cells = list(csv.DictReader(io.StringIO((out / "cells.csv").read_text(encoding="utf-8-sig"))))
    assert all("." not in r["value"] for r in cells if r["cell_key"].startswith("apply."))
    fees = [r for r in cells if r["cell_key"] == "active.art20_8.fees.amount" and r["value"]]
    assert fees
    reports = list(csv.DictReader(io.StringIO((out / "reports.csv").read_text(encoding="utf-8-sig"))))
    by_status = {r["status"] for r in reports}
    assert {"ok", "unreadable", "fetch_failed", "not_extracted", "legacy_format", "not_a_report"} <= by_status
    assert any(r["agency"] == "达州市通川区经济和信息化局" for r in reports)
    failed = [r for r in reports if r["status"] == "ok"]
    assert all(r["checks_failed"] != "" for r in failed)
    # the same warehouse exported again gives the same files
    again = export_snapshot(data_dir, tmp_path / "out", date="2026-01-02")
    manifest2 = json.loads((again / "manifest.json").read_text(encoding="utf-8"))
    assert [(f["file"], f["sha256"]) for f in manifest2["files"]] == [(f["file"], f["sha256"]) for f in manifest["files"]]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-01-02"]


def test_export_default_folder(data_dir):
    with pytest.raises(UserError, match="no warehouse"):
        export_snapshot(data_dir)
    b, _ = build_run1(data_dir)
    load_run(data_dir, *b.write())
    out = export_snapshot(data_dir)
    assert out.parent == data_dir / "exports"
    assert (out / "manifest.json").exists()


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
    assert {k: {"true": True, "false": False, "": None}[r["verified"]] for k, r in reports.items()} == expected
    assert sum(r["unverified_reasons"] == "layout.rows_missing: apply.denied.law_prohibited"
               for r in reports.values()) == sum(v is False for v in expected.values()) == 3
    cells = pq.read_table(out / "cells.parquet")
    assert "verified" in cells.column_names
    assert set(cells.column("verified").to_pylist()) == {True, False}
