"""Connections, the schema (sql/schema.sql, sql/views.sql) and the reference tables."""
from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyarrow as pa

SCHEMA_VERSION = "1"


def sql_text(name: str) -> str:
    return resources.files("sql").joinpath(name).read_text(encoding="utf-8")


def connect(path: Path | str, read_only: bool = False):
    import duckdb

    # No extension autoloading from the network: parquet and json are built in.
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    return duckdb.connect(str(path), read_only=read_only, config=config)


@lru_cache(maxsize=1)
def cell_dictionary_table() -> pa.Table:
    text = resources.files("nianbao").joinpath("data/cells.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
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
    text = resources.files("nianbao").joinpath("data/divisions.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    cols = ("code", "name", "level", "parent_code", "province", "city")
    return pa.table({c: pa.array([r[c] or None for r in rows], pa.string()) for c in cols})


def apply_schema(con) -> None:
    """Create the tables (if missing), refresh the reference tables, (re)create the views."""
    con.execute(sql_text("schema.sql"))
    div = divisions_table()  # noqa: F841 - read by DuckDB's replacement scan
    cdict = cell_dictionary_table()  # noqa: F841
    con.execute("DELETE FROM divisions")
    con.execute("INSERT INTO divisions SELECT * FROM div")
    con.execute("DELETE FROM cell_dictionary")
    con.execute("INSERT INTO cell_dictionary SELECT * FROM cdict")
    con.execute("DELETE FROM meta WHERE key = 'schema_version'")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    con.execute(sql_text("views.sql"))
