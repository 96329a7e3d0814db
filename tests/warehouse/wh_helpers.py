"""Helpers for the warehouse tests (a unique module name: other test folders have a conftest too)."""
from contextlib import contextmanager


# The fact table with its text keys and one numeric value (value or amount), as the tests compare cells
# (a temporary view: it lives in the read-only connection, not in the warehouse).
CELL_ROWS = """
CREATE TEMP VIEW cell_rows AS
SELECT r.report_id, d.cell_key, coalesce(CAST(c.value AS DOUBLE), CAST(c.amount AS DOUBLE)) AS value,
       coalesce(c.raw_text, CAST(c.value AS VARCHAR)) AS raw_text, c.unit, c.report_year, d.template
FROM cells c JOIN reports r USING (report_key) JOIN cell_dictionary d USING (cell_id);
CREATE TEMP VIEW check_rows AS
SELECT r.report_id, k.rule, k.ok, k.detail FROM checks k JOIN reports r USING (report_key);
"""


@contextmanager
def reader(data_dir):
    """A read-only connection to the published warehouse, always closed (DuckDB caches open instances)."""
    from core import layout
    from warehouse import db

    con = db.connect(layout.published_path(data_dir), read_only=True)
    try:
        con.execute(CELL_ROWS)
        yield con
    finally:
        con.close()


def rows(con, sql, params=None):
    return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()


def dump(data_dir, tables=("documents", "reports", "agencies", "cells", "checks", "portals", "divisions",
                           "cell_dictionary")):
    """Every row of every table, sorted, for comparing two warehouses."""
    out = {}
    with reader(data_dir) as con:
        for t in tables:
            out[t] = sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
    return out


def assert_consistent(data_dir):
    """Keys unique, cells and checks only for ok reports, cells' copies of year/template in step."""
    with reader(data_dir) as con:
        for table, key in (("documents", "document_id"), ("reports", "report_id"), ("agencies", "agency_id"),
                           ("portals", "portal_id"), ("cells", "report_key, cell_id"), ("runs", "run_id")):
            n, d = con.execute(f"SELECT count(*), count(DISTINCT ({key})) FROM {table}").fetchall()[0]
            assert n == d, table
        assert rows(con, "SELECT count(*) FROM cell_rows c JOIN reports r USING (report_id) "
                         "WHERE r.status <> 'ok' OR c.report_year IS DISTINCT FROM r.report_year "
                         "OR c.template IS DISTINCT FROM r.template") == [(0,)]
        assert rows(con, "SELECT count(*) FROM cells WHERE report_key NOT IN (SELECT report_key FROM reports)") == [(0,)]
        assert rows(con, "SELECT count(*) FROM cells WHERE cell_id NOT IN (SELECT cell_id FROM cell_dictionary)") == [(0,)]
        assert rows(con, "SELECT count(*) FROM checks c JOIN reports r USING (report_key) WHERE r.status <> 'ok'") == [(0,)]
        assert rows(con, "SELECT count(*) FROM reports r WHERE status = 'ok' AND cells_count IS DISTINCT FROM "
                         "(SELECT count(*) FROM cells c WHERE c.report_key = r.report_key)") == [(0,)]
        assert rows(con, "SELECT count(*), count(DISTINCT report_key) FROM reports")[0][0] == \
            rows(con, "SELECT count(DISTINCT report_key) FROM reports WHERE report_key IS NOT NULL")[0][0]
        assert rows(con, "SELECT count(*) FROM reports WHERE agency_id NOT IN (SELECT agency_id FROM agencies)") == [(0,)]
