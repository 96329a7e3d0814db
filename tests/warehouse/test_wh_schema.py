import pytest
"""Schema: built-in readers only, additive migrations of an older warehouse."""
import re

import duckdb
from pathlib import Path

from tests.warehouse.wh_helpers import CELL_ROWS, assert_consistent, reader, rows
from tests.warehouse.test_wh_load import build_run1

from core import layout
from warehouse import db
from warehouse.load import load_run


def test_parquet_and_json_are_built_in():
    con = db.connect(":memory:")
    try:
        got = dict(con.execute("SELECT extension_name, loaded FROM duckdb_extensions() "
                               "WHERE extension_name IN ('parquet', 'json')").fetchall())
        assert got == {"parquet": True, "json": True}
        assert con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchall() == [(False,)]
    finally:
        con.close()


def test_sql_files_are_package_data():
    assert "CREATE TABLE IF NOT EXISTS cells" in db.sql_text("schema.sql")
    assert "CREATE OR REPLACE VIEW apply_wide" in db.sql_text("views.sql")


def test_cell_dictionary_matches_cells_csv(data_dir):
    t = db.cell_dictionary_table()
    assert t.num_rows == 405
    b, _ = build_run1(data_dir)
    load_run(data_dir, *b.write())
    with reader(data_dir) as con:
        assert rows(con, "SELECT template, count(*) FROM cell_dictionary GROUP BY 1 ORDER BY 1") == [
            ("2019", 198), ("2021", 207)]
        assert rows(con, "SELECT count(DISTINCT row_key) FROM cell_dictionary "
                         "WHERE template = '2021' AND table_name = 'apply'") == [(26,)]
        assert rows(con, "SELECT count(*) FROM divisions") == [(3213,)]
        assert rows(con, "SELECT value FROM meta WHERE key = 'schema_version'") == [(db.SCHEMA_VERSION,)]


V2_COPY = {  # schema-2 tables built from their rows in a schema-3 warehouse attached as `new`
    "cells": "SELECT report_id, cell_key, value, raw_text, unit, report_year, template FROM cell_rows_export",
    "checks": "SELECT r.report_id, k.rule, k.ok, k.detail FROM new.checks k JOIN new.reports r USING (report_key)",
}
V2_TABLES = ("reports", "cells", "checks", "documents", "agencies", "portals", "runs", "divisions", "cell_dictionary")


def _values(data_dir):
    with reader(data_dir) as con:
        return {
            "cells": sorted(rows(con, "SELECT report_id, cell_key, value, raw_text, unit, report_year, template "
                                      "FROM cell_rows"), key=repr),
            "checks": sorted(rows(con, "SELECT * FROM check_rows"), key=repr),
            "reports": sorted(rows(con, "SELECT * EXCLUDE (report_key, verified, unverified_reasons, layout, "
                                        "ocr_confidence_min, ocr_confidence_mean, ocr_pages) FROM reports"), key=repr),
            "storage": db.storage_version(con),
        }


@pytest.mark.slow
def test_schema_2_warehouse_is_migrated(tmp_path):
    """A warehouse written by the previous nianbao (text keys, DOUBLE values, DuckDB 2.0's storage format) is
    rewritten with integer keys in the published storage format by the next load, with the same content."""
    new_dir, old_dir = tmp_path / "new", tmp_path / "old"
    new_dir.mkdir()
    b, _ = build_run1(new_dir)
    run = b.write()
    load_run(new_dir, *run)
    expected = _values(new_dir)
    assert expected["storage"] == db.STORAGE_VERSION + "+"
    # the schema-2 file, built with a plain DuckDB (its default storage format) from the same rows
    layout.warehouse_dir(old_dir).mkdir(parents=True)
    con = duckdb.connect(str(layout.published_path(old_dir)))
    try:
        con.execute((Path(__file__).parent / "schema_v2.sql").read_text(encoding="utf-8"))
        con.execute(f"ATTACH '{layout.published_path(new_dir)}' AS new (READ_ONLY)")
        con.execute("CREATE TEMP VIEW cell_rows_export AS " + CELL_ROWS.split("AS", 1)[1].split(";")[0]
                    .replace("FROM cells", "FROM new.cells").replace("JOIN reports", "JOIN new.reports")
                    .replace("JOIN cell_dictionary", "JOIN new.cell_dictionary"))
        for table in V2_TABLES:
            cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                              "AND table_catalog = current_database() ORDER BY ordinal_position",
                                              [table]).fetchall()]
            query = V2_COPY.get(table) or f"SELECT {', '.join(cols)} FROM new.{table}"
            con.execute(f"INSERT INTO {table} {query}")
        con.execute("INSERT INTO meta VALUES ('schema_version', '2')")
        con.execute("DETACH new")
        assert db.storage_version(con) != db.STORAGE_VERSION + "+"
        assert con.execute("SELECT count(*) FROM cells").fetchall()[0][0] == len(expected["cells"])
    finally:
        con.close()
    load_run(old_dir, *run, force=True)
    got = _values(old_dir)
    assert got["storage"] == db.STORAGE_VERSION + "+"
    assert got["cells"] == expected["cells"]
    assert got["checks"] == expected["checks"]
    assert got["reports"] == expected["reports"]
    with reader(old_dir) as con:
        assert rows(con, "SELECT value FROM meta WHERE key = 'schema_version'") == [(db.SCHEMA_VERSION,)]
        assert rows(con, "SELECT data_type FROM information_schema.columns WHERE table_name = 'cells' "
                         "AND column_name = 'value'") == [("BIGINT",)]
    assert_consistent(old_dir)


CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.slow
def test_every_table_view_and_column_is_described_in_chinese_and_english(data_dir):
    b, _ = build_run1(data_dir)
    run = b.write()
    load_run(data_dir, *run)
    load_run(data_dir, *run, force=True)  # a build copied from the published file keeps them
    load_run(data_dir, *run, force=True, compact=True)  # and so does one rewritten table by table
    with reader(data_dir) as con:
        objects = rows(con, "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' "
                            "AND database_name = current_database() UNION ALL SELECT view_name, comment "
                            "FROM duckdb_views() WHERE NOT internal AND NOT temporary AND schema_name = 'main' "
                            "AND database_name = current_database()")
        columns = rows(con, "SELECT c.table_name, c.column_name, c.comment FROM duckdb_columns() c "
                            "WHERE c.schema_name = 'main' AND c.database_name = current_database() "
                            "AND c.table_name NOT IN ('cell_rows', 'check_rows')")
    assert len(objects) >= 25 and len(columns) >= 350
    bad = [name for name, text in objects if not (text and CJK.search(text) and LATIN.search(text))]
    assert bad == []
    bad = [(t, c) for t, c, text in columns if not (text and CJK.search(text) and LATIN.search(text))]
    assert bad == []


def test_types(data_dir):
    b, _ = build_run1(data_dir)
    load_run(data_dir, *b.write())
    with reader(data_dir) as con:
        types = {(t, c): ty for t, c, ty in rows(
            con, "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
                 "AND database_name = current_database()")}
    for view in ("cell_values", "cells_labeled", "agency_year_values", "year_on_year"):
        assert types[(view, "value")] == "BIGINT", view
        assert types[(view, "amount")] == "DECIMAL(38,4)", view
    for c in ("person", "business", "research", "nonprofit", "legal", "other_org", "total"):
        assert types[("apply_wide", c)] == "BIGINT"
    assert types[("national_totals", "total")] == "BIGINT"
    assert types[("national_totals", "total_amount")] == "DECIMAL(38,4)"
    assert types[("year_on_year", "pct_change")] == "DOUBLE"  # a ratio: fractional
    doubles = sorted(k for k, ty in types.items() if ty == "DOUBLE")
    assert doubles == sorted([("documents", "ocr_confidence_min"), ("documents", "ocr_confidence_mean"),
                              ("reports", "ocr_confidence_min"), ("reports", "ocr_confidence_mean"),
                              ("runs", "load_seconds"), ("year_on_year", "pct_change")]
                             + [(v, c) for v in ("agency_year_reports", "quality", "report_overview")
                                for c in ("ocr_confidence_min", "ocr_confidence_mean")])
