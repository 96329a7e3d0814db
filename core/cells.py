"""The canonical cell keys, read from the project's copy of cells.csv (a public contract)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .bundled import cell_rows

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
    return tuple(CellSpec(**{k: (v or "") for k, v in row.items()}) for row in cell_rows())


@lru_cache(maxsize=4)
def keys_for(template: str) -> tuple[str, ...]:
    """Every key of a template, in the order of cells.csv."""
    return tuple(s.key for s in all_specs() if s.template == template)
