"""Helpers for the warehouse tests (a unique module name: other test folders have a conftest too)."""
from contextlib import contextmanager


@contextmanager
def reader(data_dir):
    """A read-only connection to the published warehouse, always closed (DuckDB caches open instances)."""
    from core import layout
    from warehouse import db

    con = db.connect(layout.published_path(data_dir), read_only=True)
    try:
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
                           ("portals", "portal_id"), ("cells", "report_id, cell_key"), ("runs", "run_id")):
            n, d = con.execute(f"SELECT count(*), count(DISTINCT ({key})) FROM {table}").fetchall()[0]
            assert n == d, table
        assert rows(con, "SELECT count(*) FROM cells c JOIN reports r USING (report_id) "
                         "WHERE r.status <> 'ok' OR c.report_year IS DISTINCT FROM r.report_year "
                         "OR c.template IS DISTINCT FROM r.template") == [(0,)]
        assert rows(con, "SELECT count(*) FROM cells WHERE report_id NOT IN (SELECT report_id FROM reports)") == [(0,)]
        assert rows(con, "SELECT count(*) FROM checks c JOIN reports r USING (report_id) WHERE r.status <> 'ok'") == [(0,)]
        assert rows(con, "SELECT count(*) FROM reports r WHERE status = 'ok' AND cells_count IS DISTINCT FROM "
                         "(SELECT count(*) FROM cells c WHERE c.report_id = r.report_id)") == [(0,)]
        assert rows(con, "SELECT count(*) FROM reports WHERE agency_id NOT IN (SELECT agency_id FROM agencies)") == [(0,)]
