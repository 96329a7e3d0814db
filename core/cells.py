"""The canonical cell keys, read from the project's copy of cells.csv (a public contract)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from .bundled import bundled_text, cell_rows

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


@lru_cache(maxsize=1)
def cell_ids() -> dict[tuple[str, str], int]:
    """(template, key) → its integer id: the 1-based row of cells.csv (the file only ever grows at the end).

    The columnar extraction files and the warehouse's fact table carry this id instead of the text key."""
    return {(s.template, s.key): i for i, s in enumerate(all_specs(), 1)}


@lru_cache(maxsize=1)
def cells_digest() -> str:
    """sha256 of cells.csv: a file that carries cell ids says which list they index."""
    return hashlib.sha256(bundled_text("cells.csv").encode("utf-8")).hexdigest()


def is_money(spec: CellSpec) -> bool:
    """Money cells (收费金额 万元, 采购总金额): decimals; every other cell is a whole count."""
    return spec.col == "amount"
