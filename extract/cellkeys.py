"""The canonical cell keys, read from the project's copy of cells.csv (a public contract)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CELLS_CSV = Path(__file__).resolve().parent.parent / "nianbao" / "data" / "cells.csv"
TEMPLATES = ("2019", "2021")


@dataclass(frozen=True, slots=True)
class CellSpec:
    template: str
    key: str
    table: str
    section: str
    row: str
    col: str
    row_label: str
    col_label: str
    unit: str


@lru_cache(maxsize=1)
def all_specs() -> tuple[CellSpec, ...]:
    with CELLS_CSV.open(encoding="utf-8") as fh:
        return tuple(CellSpec(**{k: (v or "") for k, v in row.items()}) for row in csv.DictReader(fh))


@lru_cache(maxsize=4)
def keys_for(template: str) -> tuple[str, ...]:
    """Every key of a template, in the order of cells.csv."""
    return tuple(s.key for s in all_specs() if s.template == template)
