"""The data directory: where every stage reads and writes (one definition; the stages hand over through it).

    DATA_DIR/
      raw/ab/<sha256>                 every fetched body, content-addressed (file name = full hex digest)
      runs/RUN_ID/                    one crawl: manifest.jsonl, portals.jsonl, run.json, sources.yaml, crawl.log,
                                      stats.json, extracted.jsonl (the extraction results the loader reads)
      runs/RUN_ID/shards/NNN/         a crawl sharded by host across workers (flows): each shard's own
                                      manifest.jsonl, portals.jsonl, run.json, crawl.log...; the run's files are
                                      the top-level ones followed by every shard's, in shard order (run_files)
      extracted/ab/<sha>.<ver>.json   the extraction cache per body and extractor version
      state/crawl.sqlite              the crawler's increment state
      warehouse/nianbao.duckdb        the published warehouse (replaced atomically by each load)
      exports/YYYY-MM-DD/             snapshots
      site/                           the static website (`nianbao site`), rebuilt after each nightly run
      run.lock                        held by the one run (crawl, flow, load, reextract) working on this directory

RUN_ID is `YYYYmmddTHHMMSSZ` (UTC) plus an optional suffix; it never holds a path separator.
Readers of a run (the extract stage, the loader) go through `run_files` / core.records.read_manifest, so a
sharded run and a one-process run are one contract.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import UserError

# --- run files -----------------------------------------------------------------------------------------------
MANIFEST_FILE = "manifest.jsonl"
PORTALS_FILE = "portals.jsonl"
RUN_FILE = "run.json"
SOURCES_FILE = "sources.yaml"
CRAWL_LOG = "crawl.log"
STATS_FILE = "stats.json"
RESULTS_FILE = "extracted.jsonl"
SHARDS_DIR = "shards"
RUN_REPORT_FILE = "report.html"  # the run report (flows/run_report.py)
# The same results in columns, beside the JSON Lines (written by the extract stage, read by the loader):
# <name>.docs.parquet (one row per result), <name>.cells.parquet, <name>.checks.parquet (core/columnar.py)
COLUMNAR_PARTS = ("docs", "cells", "checks")

# --- warehouse ----------------------------------------------------------------------------------------------
WAREHOUSE_FILE = "nianbao.duckdb"
BUILD_SUFFIX = ".building"  # the copy a writer loads into before swapping it in
LOCK_FILE = ".writer.lock"
RUN_LOCK_FILE = "run.lock"


def default_data_dir() -> Path:
    """$NIANBAO_DATA_DIR, else ./data."""
    return Path(os.environ.get("NIANBAO_DATA_DIR") or "data")


def raw_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "raw"


def raw_path(data_dir: Path, sha256: str) -> Path:
    return raw_dir(data_dir) / sha256[:2] / sha256


def cache_path(data_dir: Path, sha256: str, version: str) -> Path:
    return Path(data_dir) / "extracted" / sha256[:2] / f"{sha256}.{version}.json"


def pictures_memo_path(data_dir: Path, sha256: str) -> Path:
    """The pictures a report page (by its body's sha256) was last read with: a page whose body did not change is
    not asked for its pictures again, so a later run reads it with these (flows/extract_stage.py)."""
    return Path(data_dir) / "extracted" / sha256[:2] / f"{sha256}.pictures.json"


def columnar_paths(results_path: Path) -> dict[str, Path]:
    """The columnar files of an extraction results file: {"docs": …, "cells": …, "checks": …}."""
    p = Path(results_path)
    stem = p.name[: -len(".jsonl")] if p.name.endswith(".jsonl") else p.name
    return {part: p.with_name(f"{stem}.{part}.parquet") for part in COLUMNAR_PARTS}


def runs_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "runs"


RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_run_id(run_id: str) -> str:
    """A run id is one path component: letters, digits, '.', '_', '-' (at most 100), never '..'."""
    if not isinstance(run_id, str) or not RUN_ID_PATTERN.fullmatch(run_id) or ".." in run_id:
        raise UserError(f"run id must be letters, digits, '.', '_' or '-' (no path separator, no '..'), "
                        f"not {run_id!r}")
    return run_id


def run_dir(data_dir: Path, run_id: str) -> Path:
    return runs_dir(data_dir) / check_run_id(run_id)


def shard_dir(run_dir: Path, index: int) -> Path:
    """Where shard `index` of a sharded crawl writes its part of the run."""
    return Path(run_dir) / SHARDS_DIR / f"{index:03d}"


def shard_dirs(run_dir: Path) -> list[Path]:
    """The shard folders of a run, in shard order (only all-digit names: a failed attempt moved aside is not read)."""
    folder = Path(run_dir) / SHARDS_DIR
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))


def run_files(run_dir: Path, name: str) -> list[Path]:
    """Every existing copy of a run file (e.g. MANIFEST_FILE): the run's own, then each shard's in order."""
    paths = [Path(run_dir) / name] + [d / name for d in shard_dirs(run_dir)]
    return [p for p in paths if p.is_file()]


def is_run_dir(run_dir: Path) -> bool:
    """A crawl run: it has a manifest of its own or in a shard."""
    return bool(run_files(run_dir, MANIFEST_FILE))


def state_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "state"


def crawl_state_path(data_dir: Path) -> Path:
    return state_dir(data_dir) / "crawl.sqlite"


def warehouse_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "warehouse"


def published_path(data_dir: Path) -> Path:
    return warehouse_dir(data_dir) / WAREHOUSE_FILE


def build_path(data_dir: Path) -> Path:
    return warehouse_dir(data_dir) / (WAREHOUSE_FILE + BUILD_SUFFIX)


def lock_path(data_dir: Path) -> Path:
    return warehouse_dir(data_dir) / LOCK_FILE


def run_lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / RUN_LOCK_FILE


def exports_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "exports"


def site_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "site"
