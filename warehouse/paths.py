"""Where the warehouse lives inside a data directory (see docs/CONTRACTS.md)."""
from __future__ import annotations

import os
from pathlib import Path

WAREHOUSE_FILE = "nianbao.duckdb"
BUILD_SUFFIX = ".building"  # the copy a writer loads into before swapping it in
LOCK_FILE = ".writer.lock"


def default_data_dir() -> Path:
    """$NIANBAO_DATA_DIR, else ./data."""
    return Path(os.environ.get("NIANBAO_DATA_DIR") or "data")


def warehouse_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "warehouse"


def published_path(data_dir: Path) -> Path:
    return warehouse_dir(data_dir) / WAREHOUSE_FILE


def build_path(data_dir: Path) -> Path:
    return warehouse_dir(data_dir) / (WAREHOUSE_FILE + BUILD_SUFFIX)


def lock_path(data_dir: Path) -> Path:
    return warehouse_dir(data_dir) / LOCK_FILE


def raw_path(data_dir: Path, sha256: str) -> Path:
    return Path(data_dir) / "raw" / sha256[:2] / sha256


def exports_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "exports"
