"""The data files bundled with nianbao (core/data/), each read one way: through importlib.resources.

- cells.csv      the canonical cell keys of both template versions (a public contract; see cells.py)
- divisions.csv  the administrative divisions (region codes and names; divisions.SOURCE.md)
- portals.csv    the official portal of every province, city and county-level government (portals.SOURCE.md)

Stages never build paths to these files themselves, so the files can move (or be installed as a wheel) without
anyone else noticing.
"""
from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

BUNDLED = ("cells.csv", "divisions.csv", "portals.csv")


def bundled_text(name: str) -> str:
    """The text of one bundled file (UTF-8)."""
    return resources.files("core").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _rows(name: str) -> tuple[dict[str, str], ...]:
    return tuple(csv.DictReader(io.StringIO(bundled_text(name), newline="")))


def cell_rows() -> tuple[dict[str, str], ...]:
    """cells.csv as rows (template, key, table, section, row, col, row_label, col_label, unit)."""
    return _rows("cells.csv")


def division_rows() -> tuple[dict[str, str], ...]:
    """divisions.csv as rows."""
    return _rows("divisions.csv")


def portal_rows() -> tuple[dict[str, str], ...]:
    """portals.csv as rows."""
    return _rows("portals.csv")
