"""The data directory: where every stage reads and writes (one definition; the stages hand over through it).

    DATA_DIR/
      raw/ab/<sha256>                 every fetched body, content-addressed (file name = full hex digest)
      runs/RUN_ID/                    one crawl: manifest.jsonl, portals.jsonl, run.json, sources.yaml, crawl.log,
                                      stats.json, extracted.jsonl (the extraction results the loader reads)
      extracted/ab/<sha>.<ver>.json   the extraction cache per body and extractor version
      state/crawl.sqlite              the crawler's increment state
      warehouse/nianbao.duckdb        the published warehouse (replaced atomically by each load)
      exports/YYYY-MM-DD/             snapshots
      run.lock                        held by the one run (crawl, flow, load, reextract) working on this directory

RUN_ID is `YYYYmmddTHHMMSSZ` (UTC) plus an optional suffix; it never holds a path separator.
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
