"""Connections, the schema (sql/schema.sql, sql/views.sql) and the reference tables."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyarrow as pa

from core.bundled import cell_rows, division_rows

SCHEMA_VERSION = "2"


def sql_text(name: str) -> str:
    return resources.files("sql").joinpath(name).read_text(encoding="utf-8")


# DuckDB 2.0's partial aggregate pushdown pre-aggregates `cells` by (report_id, cell_key) below a join with
# `reports` — ten million groups of one row — and makes "totals per year and cell key over cells JOIN reports"
# ~15x slower (8 s instead of 0.5 s for 10 million cells). Connections made here switch it off.
SLOW_OPTIMIZERS = "partial_aggregate_pushdown"


def connect(path: Path | str, read_only: bool = False):
    import duckdb

    # No extension autoloading from the network: parquet and json are built in.
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    try:
        con = duckdb.connect(str(path), read_only=read_only,
                             config={**config, "disabled_optimizers": SLOW_OPTIMIZERS})
    except duckdb.ParserException:  # a DuckDB without that optimizer
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    con.execute("SET enable_progress_bar = false")  # no progress bars on the user's terminal
    return con


@lru_cache(maxsize=1)
def cell_dictionary_table() -> pa.Table:
    rows = cell_rows()
    ordinal: dict[str, int] = {}
    row_ord: dict[tuple[str, str, str], int] = {}
    out = {k: [] for k in ("template", "cell_key", "table_name", "section", "row_key", "col_key", "row_label",
                           "col_label", "unit", "ordinal", "row_ordinal")}
    for r in rows:
        t = r["template"]
        ordinal[t] = ordinal.get(t, 0) + 1
        rk = (t, r["table"], r["row"] if not r["section"] else f"{r['section']}.{r['row']}")
        if rk not in row_ord:
            row_ord[rk] = sum(1 for k in row_ord if k[:2] == rk[:2]) + 1
        out["template"].append(t)
        out["cell_key"].append(r["key"])
        out["table_name"].append(r["table"])
        out["section"].append(r["section"] or None)
        out["row_key"].append(r["row"])
        out["col_key"].append(r["col"])
        out["row_label"].append(r["row_label"])
        out["col_label"].append(r["col_label"])
        out["unit"].append(r["unit"] or None)
        out["ordinal"].append(ordinal[t])
        out["row_ordinal"].append(row_ord[rk])
    return pa.table({k: pa.array(v, pa.int32() if k in ("ordinal", "row_ordinal") else pa.string())
                     for k, v in out.items()})


@lru_cache(maxsize=1)
def divisions_table() -> pa.Table:
    rows = division_rows()
    cols = ("code", "name", "level", "parent_code", "province", "city")
    return pa.table({c: pa.array([r[c] or None for r in rows], pa.string()) for c in cols})


def _columns(con) -> dict[tuple[str, str], str]:
    return {
        (t, c): ty
        for t, c, ty in con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_catalog = current_database()"
        ).fetchall()
    }


@lru_cache(maxsize=1)
def _schema_columns() -> dict[tuple[str, str], str]:
    import duckdb

    mem = duckdb.connect()
    try:
        mem.execute(sql_text("schema.sql"))
        return _columns(mem)
    finally:
        mem.close()


def migrate(con) -> list[tuple[str, str]]:
    """Additive migrations: columns in sql/schema.sql that an older warehouse lacks are added (and filled)."""
    wanted = _schema_columns()
    have = _columns(con)
    tables = {t for t, _ in have}
    added = []
    for (table, column), ctype in wanted.items():
        if table in tables and (table, column) not in have:
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {ctype}')
            added.append((table, column))
    if ("cells", "report_year") in added or ("cells", "template") in added:
        con.execute("UPDATE cells SET report_year = r.report_year, template = r.template FROM reports r "
                    "WHERE cells.report_id = r.report_id")
    return added


def apply_schema(con) -> None:
    """Create the tables (if missing), migrate older ones, refresh the reference tables, (re)create the views."""
    migrate(con)
    con.execute(sql_text("schema.sql"))
    replace_table(con, "divisions", divisions_table())
    replace_table(con, "cell_dictionary", cell_dictionary_table())
    con.execute("DELETE FROM meta WHERE key = 'schema_version'")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    con.execute(sql_text("views.sql"))


def insert_arrow(con, table_name: str, data: pa.Table, columns: list[str] | None = None) -> int:
    """INSERT INTO table_name SELECT * FROM an Arrow table (columns matched by name). Returns the row count."""
    if data.num_rows == 0:
        return 0
    view = f"_arrow_{table_name}"
    con.register(view, data)
    try:
        cols = columns or data.column_names
        col_sql = ", ".join(f'"{c}"' for c in cols)
        con.execute(f'INSERT INTO {table_name} ({col_sql}) SELECT {col_sql} FROM "{view}"')
    finally:
        _unregister(con, view)
    return data.num_rows


def replace_table(con, table_name: str, data: pa.Table) -> None:
    con.execute(f"DELETE FROM {table_name}")
    insert_arrow(con, table_name, data)


def delete_keys(con, table_name: str, key: str, values: list[str]) -> None:
    """DELETE FROM table_name WHERE key IN values (a semi-join against an Arrow table)."""
    if not values:
        return
    keys = pa.table({"k": pa.array(sorted(set(values)), pa.string())})
    view = f"_keys_{table_name}"
    con.register(view, keys)
    try:
        con.execute(f'DELETE FROM {table_name} WHERE {key} IN (SELECT k FROM "{view}")')
    finally:
        _unregister(con, view)


def _unregister(con, view: str) -> None:
    """Unregister, without hiding the error that aborted the transaction (if any)."""
    import duckdb

    try:
        con.unregister(view)
    except duckdb.Error:
        pass
