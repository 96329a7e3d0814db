"""Dated snapshots of the published warehouse, for journalists (Excel) and analysts (Parquet).

    export_snapshot(data_dir, out_dir=None, date=None) -> Path   # DATA_DIR/exports/YYYY-MM-DD by default

A snapshot holds, per table, one Parquet file (whole, bare ids, English column names) and CSV (UTF-8 with a BOM so
Excel shows Chinese; ids with a letter prefix so Excel cannot turn them into numbers; one file, or one file per year
— and per province, city, numbered part — when the table has more rows than an Excel sheet holds); the journalist's
`agency_year` table also as `agency_year.xlsx`; `README.txt` / `说明.txt`; and `manifest.json` (rows, bytes and sha256
per file, the runs loaded; no path of the exporting machine).

Reports that do not count for their agency and year (the same report posted on two sites, a second version) carry
`counted = false` and `duplicate_of` in every per-report table, so a SUM over `counted` rows does not double-count.

The folder is written under a temporary name and renamed when complete, so a reader never sees half a snapshot;
exporting twice on one day replaces that day's folder, and the same warehouse gives byte-identical files.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyarrow.parquet as pq

from core import layout
from core.errors import UserError

from . import db
from .agency_year import ID_PREFIXES, LEVELS_ZH, agency_year_columns, agency_year_query, number_sql
from .csv_parts import EXCEL_DATA_ROWS, Part, plan_parts

BOM = "\ufeff".encode("utf-8")

# The speaking report of each agency and year (`agency_year_reports`, the rule of agency_year_values), joined to
# every report: `counted` is true for it, `duplicate_of` names it on the others of the same agency and year.
_SPEAKER = """
    LEFT JOIN (SELECT report_id AS s_id, agency_id AS s_agency, report_year AS s_year FROM agency_year_reports) s
      ON s.s_agency = r.agency_id AND s.s_year = r.report_year"""
_COUNTED = "coalesce(s.s_id = r.report_id, false) AS counted"
_DUPLICATE_OF = ("CASE WHEN s.s_id <> r.report_id AND r.status <> 'not_a_report' THEN s.s_id END AS duplicate_of")
_COUNTED_BY_ID = "(c.report_id IN (SELECT report_id FROM agency_year_reports)) AS counted"

# name → query (rows in a stable order, so the same warehouse gives the same files).
EXPORTS: dict[str, str] = {
    "reports": f"""
        SELECT r.report_id, r.agency, a.region_code, r.report_year, r.template, r.published, r.status, r.reason,
               r.source_url, r.document_url, r.checks_failed, {_COUNTED}, {_DUPLICATE_OF},
               r.agency_id, a.level, a.province, a.city, a.county, r.portal_id, r.title, r.format,
               r.document_sha256, r.extractor_version, r.cells_count, r.checks_total, r.run_id,
               r.verified, array_to_string(r.unverified_reasons, '; ') AS unverified_reasons, r.layout,
               r.ocr_confidence_min, r.ocr_confidence_mean
        FROM reports r LEFT JOIN agencies a ON a.agency_id = r.agency_id {_SPEAKER}
        ORDER BY r.report_id""",
    "cells": f"""
        SELECT c.report_id, c.agency, c.report_year, c.template, c.cell_key, {{number}} AS value, c.raw_text, c.unit,
               {_COUNTED_BY_ID}, c.verified, a.province
        FROM cell_values c
        LEFT JOIN agencies a ON a.agency_id = c.agency_id
        LEFT JOIN cell_dictionary d ON d.template = c.template AND d.cell_key = c.cell_key
        ORDER BY c.report_id, d.ordinal NULLS LAST, c.cell_key""",
    "apply_wide": f"""
        SELECT c.report_id, c.agency, c.report_year, c.template, c.row_key, c.row_label,
               c.person, c.business, c.research, c.nonprofit, c.legal, c.other_org, c.total,
               {_COUNTED_BY_ID}, c.verified, a.province
        FROM apply_wide c LEFT JOIN agencies a ON a.agency_id = c.agency_id
        ORDER BY c.report_id, c.row_ordinal""",
    "quality": f"SELECT c.* REPLACE (array_to_string(c.unverified_reasons, '; ') AS unverified_reasons), "
               f"{_COUNTED_BY_ID} FROM quality c ORDER BY c.report_id",
    "agencies": "SELECT * FROM agencies ORDER BY agency_id",
    "timeliness": f"SELECT c.*, {_COUNTED_BY_ID} FROM timeliness c ORDER BY c.report_id",
    "coverage": "SELECT * FROM coverage ORDER BY agency_id, report_year",
    "cell_dictionary": "SELECT * FROM cell_dictionary ORDER BY template, ordinal",
}
AGENCY_YEAR = "agency_year"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def csv_select(con, source: str, headers: dict[str, str] | None = None) -> str:
    """SELECT over `source` as the CSV shows it: ids with their letter prefix, whole numbers without ".0"; with
    `headers` (the journalist's file) Chinese column names, 是/否 for booleans and Chinese levels."""
    cols = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    parts = []
    for name, ctype, *_ in cols:
        q = _q(name)
        if name in ID_PREFIXES:
            expr = f"'{ID_PREFIXES[name]}' || {q}"
        elif ctype in ("DOUBLE", "FLOAT") or ctype.startswith("DECIMAL"):
            expr = (f"CASE WHEN {q} = trunc({q}) AND abs({q}) < 1e15 THEN CAST(CAST({q} AS BIGINT) AS VARCHAR) "
                    f"ELSE CAST(CAST({q} AS DOUBLE) AS VARCHAR) END")
        elif ctype == "BOOLEAN" and headers is not None:
            expr = f"CASE WHEN {q} THEN '是' WHEN NOT {q} THEN '否' END"
        elif name == "level" and headers is not None:
            expr = "CASE " + q + " " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in LEVELS_ZH.items()) \
                + f" ELSE {q} END"
        else:
            expr = q
        alias = _q(headers.get(name, name)) if headers is not None else q
        parts.append(f"{expr} AS {alias}")
    return f"SELECT {', '.join(parts)} FROM {source}"


def _write_csv(con, select: str, path: Path) -> None:
    """COPY a query to CSV, with the BOM Excel needs to read UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    plain = path.with_name(f".{path.name}.nobom")
    con.execute(f"COPY ({select}) TO {_sql_path(plain)} (FORMAT csv, HEADER true)")
    with open(path, "wb") as out, open(plain, "rb") as src:
        out.write(BOM)
        shutil.copyfileobj(src, out, 1 << 20)
    plain.unlink()


@dataclass
class SnapshotFile:
    file: str  # relative to the snapshot folder, "/"-separated
    table: str
    format: str
    rows: int
    columns: list[str]
    part: dict[str, object] | None = None

    def entry(self, folder: Path) -> dict[str, object]:
        p = folder / self.file
        out: dict[str, object] = {"file": self.file, "table": self.table, "format": self.format, "rows": self.rows,
                                  "bytes": p.stat().st_size, "sha256": _sha256(p), "columns": self.columns}
        if self.part is not None:
            out["part"] = self.part
        return out


def _export_table(con, tmp: Path, name: str, query: str, limit: int, headers: dict[str, str] | None = None,
                  ) -> tuple[list[SnapshotFile], Path]:
    # Parquet first (the query, sorted, runs once); the CSV files are written from the Parquet file, in its order.
    pq_path = tmp / f"{name}.parquet"
    con.execute(f"COPY ({query}) TO {_sql_path(pq_path)} (FORMAT parquet, COMPRESSION zstd)")
    meta = pq.ParquetFile(pq_path).metadata
    columns = [meta.schema.column(i).name for i in range(meta.num_columns)]
    out = [SnapshotFile(pq_path.name, name, "parquet", meta.num_rows, columns)]
    source = f"read_parquet({_sql_path(pq_path)})"
    csv_columns = [headers.get(c, c) for c in columns] if headers else columns
    parts = plan_parts(con, source, columns, meta.num_rows, limit)
    for part in parts:
        rel = part.file_name(name, "csv")
        select = csv_select(con, part.select(source), headers)
        _write_csv(con, select, tmp / rel)
        out.append(SnapshotFile(rel, name, "csv", part.rows, csv_columns, part.describe() if part.labels else None))
    return out, pq_path


def export_snapshot(
    data_dir: Path,
    out_dir: Path | None = None,
    date: str | dt.date | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    excel_rows: int = EXCEL_DATA_ROWS,
) -> Path:
    """Write DATE/ (default today) under `out_dir` (default DATA_DIR/exports); returns the folder.

    `excel_rows` is the most data rows one CSV file or worksheet gets (Excel's sheet limit less the header);
    tests lower it to see the split."""
    from .snapshot_readme import write_readmes
    from .workbook import write_workbook

    say = progress or (lambda msg: None)
    data_dir = Path(data_dir)
    published = layout.published_path(data_dir)
    if not published.exists():
        raise UserError(f"no warehouse at {published}; run nianbao load first")
    if date is None:
        date = dt.date.today()
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise UserError(f"not a date (YYYY-MM-DD): {date}") from None
    out_dir = Path(out_dir) if out_dir is not None else layout.exports_dir(data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / date.isoformat()
    tmp = out_dir / f".{date.isoformat()}.partial-{os.getpid()}"
    for stale in out_dir.glob(f".{date.isoformat()}.partial-*"):  # left by a crashed export
        shutil.rmtree(stale, ignore_errors=True)
    tmp.mkdir()

    files: list[SnapshotFile] = []
    con = db.connect(published, read_only=True)
    try:
        runs = con.execute("SELECT run_id, kind, loaded_at FROM runs ORDER BY loaded_at").fetchall()
        say(f"exporting {AGENCY_YEAR}")
        ay_cols = agency_year_columns(con)
        headers = {c.name: c.header for c in ay_cols}
        ay_files, ay_parquet = _export_table(con, tmp, AGENCY_YEAR, agency_year_query(con), excel_rows, headers)
        files += ay_files
        say(f"writing {AGENCY_YEAR}.xlsx")
        xlsx = write_workbook(con, ay_parquet, tmp / f"{AGENCY_YEAR}.xlsx", ay_cols, date, excel_rows)
        files.append(SnapshotFile(xlsx.name, AGENCY_YEAR, "xlsx", ay_files[0].rows, [c.header for c in ay_cols]))
        verified = any(c.name == "verified" for c in ay_cols)
        number = number_sql(con, "cell_values", "c")
        for name, query in EXPORTS.items():
            say(f"exporting {name}")
            query = query.replace("{number}", number)
            files += _export_table(con, tmp, name, query, excel_rows)[0]
    finally:
        con.close()

    entries = [f.entry(tmp) for f in files]
    run_list = [{"run_id": r[0], "kind": r[1], "loaded_at": r[2].isoformat() if r[2] else None} for r in runs]
    for readme in write_readmes(tmp, date, entries, run_list, verified=verified, excel_rows=excel_rows):
        entries.append(SnapshotFile(readme.name, "readme", "txt", 0, []).entry(tmp))
    manifest = {
        "snapshot": date.isoformat(),
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "warehouse": layout.WAREHOUSE_FILE,  # the file name only: no path of the exporting machine
        "runs": run_list,
        "csv": "UTF-8 with BOM, comma-separated, header row; empty field = NULL; ids prefixed "
               + ", ".join(f"{k} {v}" for k, v in ID_PREFIXES.items()),
        "excel_rows": excel_rows,
        "files": entries,
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if final.exists():
        old = out_dir / f".{date.isoformat()}.old-{os.getpid()}"
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)
    return final
