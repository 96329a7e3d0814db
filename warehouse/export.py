"""Dated snapshots of the published warehouse: CSV (UTF-8 with BOM, for Excel) + Parquet + a manifest.

    export_snapshot(data_dir, out_dir=None, date=None) -> Path   # DATA_DIR/exports/YYYY-MM-DD by default

The folder is written under a temporary name and renamed when complete, so a reader never sees half a
snapshot; exporting twice on one day replaces that day's folder.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Callable

import pyarrow.parquet as pq

from core.errors import UserError

from core import layout

from . import db

BOM = "\ufeff".encode("utf-8")

# name → query (rows in a stable order, so the same warehouse gives the same files).
EXPORTS: dict[str, str] = {
    "reports": """
        SELECT r.report_id, r.agency, a.region_code, r.report_year, r.template, r.published, r.status, r.reason,
               r.source_url, r.document_url, r.checks_failed,
               r.agency_id, a.level, a.province, a.city, a.county, r.portal_id, r.title, r.format,
               r.document_sha256, r.extractor_version, r.cells_count, r.checks_total, r.run_id,
               r.verified, array_to_string(r.unverified_reasons, '; ') AS unverified_reasons, r.layout,
               r.ocr_confidence_min, r.ocr_confidence_mean
        FROM reports r LEFT JOIN agencies a ON a.agency_id = r.agency_id
        ORDER BY r.report_id""",
    "cells": """
        SELECT r.report_id, r.agency, r.report_year, r.template, d.cell_key,
               coalesce(CAST(c.value AS DOUBLE), CAST(c.amount AS DOUBLE)) AS value,
               coalesce(c.raw_text, CAST(c.value AS VARCHAR)) AS raw_text, c.unit, r.verified
        FROM cells c
        JOIN reports r ON r.report_key = c.report_key
        JOIN cell_dictionary d ON d.cell_id = c.cell_id
        ORDER BY r.report_id, d.ordinal""",
    "apply_wide": """
        SELECT report_id, agency, report_year, template, row_key, row_label,
               person, business, research, nonprofit, legal, other_org, total, verified
        FROM apply_wide ORDER BY report_id, row_ordinal""",
    "quality": "SELECT * REPLACE (array_to_string(unverified_reasons, '; ') AS unverified_reasons) "
               "FROM quality ORDER BY report_id",
    "agencies": "SELECT * FROM agencies ORDER BY agency_id",
    "timeliness": "SELECT * FROM timeliness ORDER BY report_id",
    "coverage": "SELECT * FROM coverage ORDER BY agency_id, report_year",
    "cell_dictionary": "SELECT * FROM cell_dictionary ORDER BY template, ordinal",
}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _csv_query(con, query: str) -> str:
    """The query with DOUBLE columns printed as integers when they are whole (12, not 12.0)."""
    cols = con.execute(f"DESCRIBE {query}").fetchall()
    parts = []
    for name, ctype, *_ in cols:
        q = '"' + name.replace('"', '""') + '"'
        if ctype in ("DOUBLE", "FLOAT"):
            parts.append(
                f"CASE WHEN {q} = trunc({q}) AND abs({q}) < 1e15 THEN CAST(CAST({q} AS BIGINT) AS VARCHAR) "
                f"ELSE CAST({q} AS VARCHAR) END AS {q}"
            )
        else:
            parts.append(q)
    return f"SELECT {', '.join(parts)} FROM ({query})"


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_snapshot(
    data_dir: Path,
    out_dir: Path | None = None,
    date: str | dt.date | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write DATE/ (default today) under `out_dir` (default DATA_DIR/exports); returns the folder."""
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

    files = []
    con = db.connect(published, read_only=True)
    try:
        runs = con.execute(
            "SELECT run_id, kind, loaded_at FROM runs ORDER BY loaded_at"
        ).fetchall()
        for name, query in EXPORTS.items():
            say(f"exporting {name}")
            # Parquet first (the query, sorted, runs once); the CSV is written from the Parquet file, in its order.
            pq_path = tmp / f"{name}.parquet"
            con.execute(f"COPY ({query}) TO {_sql_path(pq_path)} (FORMAT parquet, COMPRESSION zstd)")
            meta = pq.ParquetFile(pq_path).metadata
            rows = meta.num_rows
            columns = [meta.schema.column(i).name for i in range(meta.num_columns)]
            plain = tmp / f".{name}.csv.nobom"
            from_pq = f"SELECT * FROM read_parquet({_sql_path(pq_path)})"
            con.execute(f"COPY ({_csv_query(con, from_pq)}) TO {_sql_path(plain)} (FORMAT csv, HEADER true)")
            csv_path = tmp / f"{name}.csv"
            with open(csv_path, "wb") as out, open(plain, "rb") as src:
                out.write(BOM)
                shutil.copyfileobj(src, out, 1 << 20)
            plain.unlink()
            for p in (csv_path, pq_path):
                files.append({"file": p.name, "table": name, "format": p.suffix[1:], "rows": rows,
                              "bytes": p.stat().st_size, "sha256": _sha256(p), "columns": columns})
    finally:
        con.close()

    manifest = {
        "snapshot": date.isoformat(),
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "warehouse": str(published),
        "runs": [{"run_id": r[0], "kind": r[1], "loaded_at": r[2].isoformat() if r[2] else None} for r in runs],
        "csv": "UTF-8 with BOM, comma-separated, header row; empty field = NULL",
        "files": files,
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
