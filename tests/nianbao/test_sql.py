"""`nianbao sql` is read-only and contained: it reads the published warehouse and nothing else (issue 10 item 4).

Each hostile statement is tried twice: through the command (refused before it runs, exit 2, one line) and on the
command's connection itself (`open_readonly`), so each guard is shown to hold on its own. A real DuckDB file
built by a real load; the published file's bytes are compared before and after.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from nianbao.cli import main
from nianbao.commands.warehouse_cmd import open_readonly
from tests.warehouse.test_wh_load import build_run1


@pytest.fixture
def warehouse(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    b, _ = build_run1(data)
    assert main(["load", "--run", str(b.write()[0]), "--data-dir", str(data)]) == 0
    return data


def published(data: Path) -> Path:
    return data / "warehouse" / "nianbao.duckdb"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sql(data: Path, query: str, capsys, *extra: str) -> tuple[int, str, str]:
    rc = main(["sql", query, "--data-dir", str(data), "--csv", *extra])
    out = capsys.readouterr()
    return rc, out.out, out.err


def refused(data: Path, query: str, capsys, *extra: str) -> str:
    rc, out, err = sql(data, query, capsys, *extra)
    assert rc == 2, (query, rc, out, err)
    assert err.startswith("nianbao: ") and err.count("\n") == 1, err
    assert out == ""
    return err


@pytest.mark.slow
def test_queries_still_work(warehouse, capsys):
    rc, out, _ = sql(warehouse, "SELECT count(*) AS n FROM reports", capsys)
    assert rc == 0 and out.splitlines()[1].strip('"') != "0"
    for q in ("FROM reports LIMIT 1", "WITH x AS (SELECT 1 AS a) SELECT a FROM x", "DESCRIBE reports",
              "SHOW TABLES", "SUMMARIZE runs", "EXPLAIN SELECT * FROM cells", "VALUES (1)"):
        rc, out, err = sql(warehouse, q, capsys)
        assert rc == 0, (q, err)


def test_list_columns_are_printed_as_json_in_csv_and_as_text_in_the_table(warehouse, capsys):
    """reports.unverified_reasons is a list: CSV has no lists, so it is written as JSON text, never an error."""
    import csv
    import io
    import json

    q = "SELECT ['公式: H12 not computed', 'b'] AS reasons, CAST(NULL AS VARCHAR[]) AS none, unverified_reasons FROM reports"
    rc, out, err = sql(warehouse, q + " LIMIT 1", capsys)
    assert rc == 0, err
    row = next(csv.DictReader(io.StringIO(out)))
    assert json.loads(row["reasons"]) == ["公式: H12 not computed", "b"]
    assert row["none"] == ""
    assert isinstance(json.loads(row["unverified_reasons"] or "[]"), list)
    rc = main(["sql", q + " LIMIT 1", "--data-dir", str(warehouse)])
    out = capsys.readouterr().out
    assert rc == 0 and "公式: H12 not computed" in out


@pytest.mark.slow
def test_copy_to_cannot_write_a_file_nor_replace_the_warehouse(warehouse, tmp_path, capsys):
    before = digest(published(warehouse))
    target = tmp_path / "out.csv"
    err = refused(warehouse, f"COPY reports TO '{target}'", capsys)
    assert "COPY" in err
    assert not target.exists()
    # the reported attack: COPY over the published file itself
    refused(warehouse, f"COPY (SELECT 1) TO '{published(warehouse)}' (FORMAT csv)", capsys)
    refused(warehouse, f"EXPORT DATABASE '{tmp_path / 'exp'}'", capsys)
    assert digest(published(warehouse)) == before
    assert not (tmp_path / "exp").exists()
    con = open_readonly(published(warehouse))
    try:
        with pytest.raises(duckdb.Error):
            con.sql(f"COPY reports TO '{target}'")
        with pytest.raises(duckdb.Error):
            con.sql(f"COPY (SELECT 1) TO '{published(warehouse)}' (FORMAT csv)")
    finally:
        con.close()
    assert not target.exists()
    assert digest(published(warehouse)) == before


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd', header=false)",
    "SELECT content FROM read_text('/etc/passwd')",
    "SELECT content FROM read_blob('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM read_json('/etc/hostname')",
    "SELECT * FROM read_parquet('/tmp/*.parquet')",
])
def test_no_file_outside_the_warehouse_can_be_read(warehouse, capsys, query):
    err = refused(warehouse, query, capsys)
    assert "root:" not in err
    con = open_readonly(published(warehouse))
    try:
        with pytest.raises(duckdb.Error) as exc:
            con.sql(query).fetchall()
        assert "root:" not in str(exc.value)
    finally:
        con.close()


@pytest.mark.parametrize("query", [
    "SET threads = 1", "SET enable_external_access = true", "RESET lock_configuration",
    "SET lock_configuration = false", "PRAGMA enable_profiling",
])
def test_settings_are_locked(warehouse, capsys, query):
    refused(warehouse, query, capsys)
    con = open_readonly(published(warehouse))
    try:
        with pytest.raises(duckdb.Error):
            con.execute(query)
        assert con.execute("SELECT current_setting('enable_external_access')").fetchone()[0] is False
        assert con.execute("SELECT current_setting('lock_configuration')").fetchone()[0] is True
    finally:
        con.close()


@pytest.mark.parametrize("query", ["INSTALL httpfs", "LOAD httpfs", "INSTALL spatial FROM community",
                                   "FORCE INSTALL json"])
def test_no_extension_is_installed_or_loaded(warehouse, capsys, query):
    refused(warehouse, query, capsys)
    con = open_readonly(published(warehouse))
    try:
        with pytest.raises(duckdb.Error):
            con.execute(query)
        assert con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchone()[0] is False
        assert con.execute("SELECT current_setting('autoload_known_extensions')").fetchone()[0] is False
        # the extension directory itself is out of reach (so nothing can be installed or loaded from it)
        with pytest.raises(duckdb.Error, match="disabled by configuration"):
            con.execute("SELECT * FROM duckdb_extensions()").fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_attach_and_writes_are_refused(warehouse, tmp_path, capsys):
    before = digest(published(warehouse))
    other = tmp_path / "other.duckdb"
    refused(warehouse, f"ATTACH '{other}' AS o", capsys)
    assert not other.exists()
    for q in ("DELETE FROM reports", "CREATE TABLE x AS SELECT 1", "DROP VIEW cell_values", "CHECKPOINT",
              "CALL pragma_version()", "SELECT 1; DELETE FROM reports", "SELECT 1; SELECT 2"):
        refused(warehouse, q, capsys)
    con = open_readonly(published(warehouse))
    try:
        with pytest.raises(duckdb.Error):
            con.execute(f"ATTACH '{other}' AS o")
        with pytest.raises(duckdb.Error):
            con.execute("DELETE FROM reports")
    finally:
        con.close()
    assert not other.exists()
    assert digest(published(warehouse)) == before


@pytest.mark.slow
def test_timeout_stops_a_runaway_query(warehouse, capsys):
    err = refused(warehouse, "SELECT sum(a.range * b.range) FROM range(100000000) a, range(1000) b", capsys,
                  "--timeout", "0.5")
    assert "timeout" in err
    with pytest.raises(SystemExit) as exc:  # argparse refuses it before anything runs
        main(["sql", "SELECT 1", "--data-dir", str(warehouse), "--timeout", "-1"])
    assert exc.value.code == 2
    assert "more than 0 seconds" in capsys.readouterr().err
