"""The DuckDB warehouse: loading runs, re-extraction, atomic publishing, snapshots.

    warehouse.load.load_run(data_dir, run_dir, extracted) -> LoadSummary
    warehouse.reextract.reextract(data_dir, extract_fn=None, force=False) -> ReextractSummary
    warehouse.export.export_snapshot(data_dir, out_dir=None, date=None) -> Path
    warehouse.publish.writer(data_dir)   # context manager: build a copy, swap it in when done
    warehouse.db.connect(path, read_only=True)

DDL and views: sql/schema.sql, sql/views.sql. For analysts: docs/warehouse.md.
"""
