"""Schema: built-in readers only, additive migrations of an older warehouse."""
import duckdb
from tests.warehouse.wh_helpers import assert_consistent, reader, rows
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


def test_older_warehouse_is_migrated(data_dir):
    b, _ = build_run1(data_dir)
    run = b.write()
    load_run(data_dir, *run)
    # Make it look like a schema-1 warehouse: cells without report_year / template.
    path = layout.published_path(data_dir)
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE cells DROP COLUMN report_year")
    con.execute("ALTER TABLE cells DROP COLUMN template")
    con.execute("UPDATE meta SET value = '1'")
    con.execute("CHECKPOINT")
    con.close()
    load_run(data_dir, *run, force=True)
    with reader(data_dir) as con:
        assert rows(con, "SELECT count(*), count(report_year), count(template) FROM cells")[0][0] > 0
        n, y, t = rows(con, "SELECT count(*), count(report_year), count(template) FROM cells")[0]
        assert n == y == t
    assert_consistent(data_dir)
