"""Connections, the schema (sql/schema.sql, sql/views.sql) and the reference tables."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyarrow as pa

from core.bundled import cell_rows, division_rows
from core.cells import all_specs, cell_ids, is_money

SCHEMA_VERSION = "3"
# The published file is written in the storage format of DuckDB 1.5, which the latest 1.x clients (the CLI, DBeaver's
# driver, older Python and R packages) open; DuckDB 2.x opens it too. Nothing the warehouse uses needs 2.0's format.
STORAGE_VERSION = "v1.5.0"


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


def create(path: Path | str):
    """A read-write connection that creates `path` (which must not exist) in the published storage format."""
    import duckdb

    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False,
              "storage_compatibility_version": STORAGE_VERSION}
    con = duckdb.connect(str(path), config=config)
    con.execute("SET enable_progress_bar = false")
    return con


def storage_version(con) -> str | None:
    """The storage format of the connection's database file ("v1.5.0+", "v2.0.0+"), None if DuckDB cannot say."""
    try:
        rows = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
        row = rows[0] if rows else None
    except Exception:  # noqa: BLE001 - an older DuckDB without tags
        return None
    tags = row[0] if row else None
    return (tags or {}).get("storage_version")


def is_published_format(con) -> bool:
    v = storage_version(con)
    return v is None or v.rstrip("+") == STORAGE_VERSION


# Labels of the national format above the row and column labels of cells.csv (/work/shared/spec/template.md):
# the table headings, the sub-tables of table 二 (第二十条第（N）项), the groups of result rows in table 三 and the
# column groups of tables 三 and 四, as printed.
TABLE_LABELS = {
    "active": "二、主动公开政府信息情况",
    "apply": "三、收到和处理政府信息公开申请情况",
    "review": "四、政府信息公开行政复议、行政诉讼情况",
}
_CN_NUM = {"1": "一", "5": "五", "6": "六", "8": "八", "9": "九"}
APPLY_GROUPS = {  # row prefix → the label-only rows above it
    "granted": "三、本年度办理结果",
    "partial": "三、本年度办理结果",
    "denied": "三、本年度办理结果 / （三）不予公开",
    "unable": "三、本年度办理结果 / （四）无法提供",
    "rejected": "三、本年度办理结果 / （五）不予处理",
    "other": "三、本年度办理结果",
    "other.": "三、本年度办理结果 / （六）其他处理",
    "total": "三、本年度办理结果",
}
COL_GROUPS = {
    "apply": {"person": "申请人情况", "business": "申请人情况 / 法人或其他组织",
              "research": "申请人情况 / 法人或其他组织", "nonprofit": "申请人情况 / 法人或其他组织",
              "legal": "申请人情况 / 法人或其他组织", "other_org": "申请人情况 / 法人或其他组织",
              "total": "申请人情况"},
}
REVIEW_GROUPS = {"reconsideration": "行政复议", "suit_direct": "行政诉讼", "suit_after": "行政诉讼"}


def _section_label(table: str, section: str, row: str) -> str | None:
    if table == "active" and section.startswith("art20_"):
        n = section.split("_", 1)[1]
        return f"第二十条第（{_CN_NUM.get(n, n)}）项"
    if table == "apply":
        if row.startswith("other."):
            return APPLY_GROUPS["other."]
        return APPLY_GROUPS.get(row.split(".", 1)[0])
    if table == "review":
        return REVIEW_GROUPS.get(row)
    return None


@lru_cache(maxsize=1)
def cell_dictionary_table() -> pa.Table:
    rows = cell_rows()
    ids = cell_ids()
    specs = all_specs()
    ordinal: dict[str, int] = {}
    row_ord: dict[tuple[str, str, str], int] = {}
    out = {k: [] for k in ("cell_id", "template", "cell_key", "table_name", "section", "row_key", "col_key",
                           "row_label", "col_label", "unit", "ordinal", "row_ordinal", "value_type", "table_label",
                           "section_label", "col_group_label")}
    for r, spec in zip(rows, specs):
        t = r["template"]
        ordinal[t] = ordinal.get(t, 0) + 1
        rk = (t, r["table"], r["row"] if not r["section"] else f"{r['section']}.{r['row']}")
        if rk not in row_ord:
            row_ord[rk] = sum(1 for k in row_ord if k[:2] == rk[:2]) + 1
        out["cell_id"].append(ids[(t, r["key"])])
        out["value_type"].append("money" if is_money(spec) else "count")
        out["table_label"].append(TABLE_LABELS.get(r["table"]))
        out["section_label"].append(_section_label(r["table"], r["section"] or "", r["row"]))
        out["col_group_label"].append(COL_GROUPS.get(r["table"], {}).get(r["col"]))
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
    types = {"ordinal": pa.int32(), "row_ordinal": pa.int32(), "cell_id": pa.int16()}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in out.items()})


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
    """Bring an older warehouse to this schema: schema 2 (text keys in cells and checks, DOUBLE values) is rewritten
    with integer keys; columns in sql/schema.sql that a table lacks are added."""
    have = _columns(con)
    if ("cells", "report_id") in have:
        _migrate_text_keys(con, have)
        have = _columns(con)
    wanted = _schema_columns()
    tables = {t for t, _ in have}
    added = []
    for (table, column), ctype in wanted.items():
        if table in tables and (table, column) not in have:
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {ctype}')
            added.append((table, column))
    return added


def _migrate_text_keys(con, have: dict[tuple[str, str], str]) -> None:
    """Schema 2 → 3: reports get report_key; cells and checks are rebuilt on (report_key, cell_id)."""
    if ("reports", "report_key") not in have:
        con.execute("ALTER TABLE reports ADD COLUMN report_key INTEGER")
    con.execute("UPDATE reports SET report_key = k.n FROM (SELECT report_id, CAST(row_number() OVER "
                "(ORDER BY report_id) AS INTEGER) AS n FROM reports) k WHERE reports.report_id = k.report_id")
    con.register("_dict_v3", cell_dictionary_table())
    template = "c.template" if ("cells", "template") in have else "r.template"
    try:
        con.execute(f"""
            CREATE TABLE cells_v3 AS
            SELECT r.report_key, d.cell_id,
                   CASE WHEN d.value_type = 'count' AND c.value = trunc(c.value) AND abs(c.value) < 9007199254740992
                        THEN CAST(c.value AS BIGINT) END AS value,
                   CASE WHEN d.value_type = 'money' OR NOT (c.value = trunc(c.value) AND abs(c.value) < 9007199254740992)
                        THEN TRY_CAST(c.value AS DECIMAL(38,4)) END AS amount,
                   c.raw_text, c.unit, r.report_year
            FROM cells c JOIN reports r ON r.report_id = c.report_id
            JOIN _dict_v3 d ON d.template = {template} AND d.cell_key = c.cell_key""")
    finally:
        _unregister(con, "_dict_v3")
    con.execute("CREATE TABLE checks_v3 AS SELECT r.report_key, k.rule, k.ok, k.detail "
                "FROM checks k JOIN reports r ON r.report_id = k.report_id")
    for t in ("cells", "checks"):
        con.execute(f"DROP TABLE {t}")
        con.execute(f"ALTER TABLE {t}_v3 RENAME TO {t}")
    con.execute("DROP TABLE IF EXISTS cell_dictionary")  # recreated with cell_id by apply_schema


def check_cell_ids(con) -> None:
    """The warehouse's cell ids must mean what core.cells says they mean (cells.csv only ever grows at the end)."""
    stored = con.execute("SELECT cell_id, template, cell_key FROM cell_dictionary").fetchall()
    ids = cell_ids()
    wrong = [(i, t, k) for i, t, k in stored if ids.get((t, k)) != i]
    if wrong:
        raise RuntimeError(f"cells.csv no longer gives the warehouse's cell ids (e.g. {wrong[0]}); "
                           "cells.csv may only grow at the end")


@lru_cache(maxsize=1)
def comments() -> dict[tuple[str, str], str]:
    """(object, column) → "中文 — English" from sql/comments.csv; object "*" holds a column's meaning wherever it
    appears, column "" the object itself."""
    import csv
    import io

    out = {}
    for r in csv.DictReader(io.StringIO(sql_text("comments.csv"), newline="")):
        out[(r["object"], r["column"])] = f"{r['zh']} — {r['en']}"
    return out


def comment_for(obj: str, column: str = "") -> str | None:
    c = comments()
    return c.get((obj, column)) or (c.get(("*", column)) if column else None)


def apply_comments(con) -> None:
    """COMMENT ON every table, view and column, in Chinese and English (DBeaver and other clients show them).
    Views lose their comments when they are replaced, so this runs after every (re)creation."""
    objs = con.execute("SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE schema_name = 'main' "
                       "AND database_name = current_database() UNION ALL "
                       "SELECT view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' "
                       "AND database_name = current_database()").fetchall()
    cols = con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                       "AND database_name = current_database()").fetchall()
    for name, kind in objs:
        text = comment_for(name)
        if text:
            con.execute(f"COMMENT ON {kind} {name} IS {sql_literal(text)}")
    for table, column in cols:
        text = comment_for(table, column)
        if text:
            con.execute(f'COMMENT ON COLUMN {table}."{column}" IS {sql_literal(text)}')


@lru_cache(maxsize=1)
def schema_fingerprint() -> str:
    """sha256 over everything apply_schema writes: DDL, views, comments, the bundled reference data."""
    import hashlib

    from core.bundled import bundled_text

    h = hashlib.sha256(SCHEMA_VERSION.encode())
    for text in (sql_text("schema.sql"), sql_text("views.sql"), sql_text("comments.csv"),
                 bundled_text("cells.csv"), bundled_text("divisions.csv")):
        h.update(hashlib.sha256(text.encode("utf-8")).digest())
    return h.hexdigest()


def _meta(con, key: str) -> str | None:
    if ("meta", "key") not in _columns(con):  # a new file (a failed query would abort the transaction)
        return None
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def apply_schema(con, force: bool = False) -> None:
    """Create the tables (if missing), migrate older ones, refresh the reference tables, (re)create the views and
    their comments. A warehouse whose schema fingerprint is current is left as it is (a nightly load does not
    rewrite 400 comments and the reference tables for nothing); `force` does it all again."""
    con.execute("BEGIN TRANSACTION")  # one transaction: 400 comments cost 0.6 s instead of 5 s in autocommit
    try:
        added = migrate(con)
        if force or added or _meta(con, "schema_sha256") != schema_fingerprint():
            _apply_schema(con)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _apply_schema(con) -> None:
    con.execute(sql_text("schema.sql"))
    if con.execute("SELECT count(*) FROM cell_dictionary").fetchall()[0][0]:
        check_cell_ids(con)
    replace_table(con, "divisions", divisions_table())
    replace_table(con, "cell_dictionary", cell_dictionary_table())
    con.execute("DELETE FROM meta WHERE key = 'schema_version'")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    con.execute(sql_text("views.sql"))
    apply_comments(con)
    con.execute("DELETE FROM meta WHERE key = 'schema_sha256'")
    con.execute("INSERT INTO meta VALUES ('schema_sha256', ?)", [schema_fingerprint()])


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


def delete_keys(con, table_name: str, key: str, values: list, key_type: pa.DataType | None = None) -> None:
    """DELETE FROM table_name WHERE key IN values (a semi-join against an Arrow table)."""
    if values:
        with_keys(con, values, key_type or pa.string(),
                  lambda view: con.execute(f'DELETE FROM {table_name} WHERE {key} IN (SELECT k FROM "{view}")'))


def with_keys(con, values: list, key_type: pa.DataType, fn) -> None:
    """Run fn(view) with `values` registered as a one-column (k) view."""
    if not values:
        return
    view = "_keys"
    con.register(view, pa.table({"k": pa.array(sorted(set(values)), key_type)}))
    try:
        fn(view)
    finally:
        _unregister(con, view)


def sql_literal(value) -> str:
    """A string (or path) as a SQL literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _unregister(con, view: str) -> None:
    """Unregister, without hiding the error that aborted the transaction (if any)."""
    import duckdb

    try:
        con.unregister(view)
    except duckdb.Error:
        pass
