"""Splitting a table into pieces that fit an Excel sheet: by year, then province, then city, then numbered parts.

    plan_parts(con, source, columns, rows, limit) -> list[Part]

Excel opens at most 1,048,576 rows per sheet (a CSV beyond that is cut off without a word in some versions). A
table within the limit is one piece; a larger one is split by `report_year`; a year still over the limit by
`province`; then by `city`; what is still over is cut into numbered parts in file order. A split only uses the
columns the table has. Parquet is never split (analysts' tools have no such limit).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

EXCEL_SHEET_ROWS = 1_048_576
EXCEL_DATA_ROWS = EXCEL_SHEET_ROWS - 1  # one row is the header

SPLIT_KEYS = ("report_year", "province", "city")
UNKNOWN = {"report_year": "年份不明", "province": "省份不明", "city": "城市不明"}


def _literal(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _safe(label: str) -> str:
    """A file-name-safe label (province and city names are; anything odd is replaced)."""
    return re.sub(r'[\\/:*?"<>|\s]+', "-", label).strip("-") or "-"


@dataclass
class Part:
    rows: int
    conditions: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)
    offset: int | None = None  # numbered part: rows [offset, offset + rows) of what the conditions select
    number: int | None = None

    def where(self) -> str:
        return " AND ".join(self.conditions) if self.conditions else "TRUE"

    def select(self, source: str) -> str:
        sql = f"(SELECT * FROM {source} WHERE {self.where()}"
        if self.offset is not None:
            sql += f" LIMIT {self.rows} OFFSET {self.offset}"
        return sql + ")"

    def suffix(self) -> str:
        bits = [_safe(x) for x in self.labels]
        if self.number is not None:
            bits.append(f"part{self.number}")
        return "_".join(bits)

    def file_name(self, table: str, ext: str) -> str:
        """`table.ext` for a whole table, else `table/table_2022_广东省.ext` (relative, "/"-separated)."""
        if not self.labels and self.number is None:
            return f"{table}.{ext}"
        return f"{table}/{table}_{self.suffix()}.{ext}"

    def describe(self) -> dict[str, object]:
        out: dict[str, object] = dict(self.values)
        if self.number is not None:
            out["part"] = self.number
        return out

    @property
    def label_text(self) -> str:
        return " ".join(self.labels + ([f"第{self.number}部分"] if self.number is not None else []))

    @property
    def is_whole(self) -> bool:
        return not self.labels and self.number is None


def plan_parts(con, source: str, columns: list[str], rows: int, limit: int) -> list[Part]:
    """The pieces of `source` (a table expression) that each fit `limit` data rows, in a stable order."""
    if limit < 1:
        raise ValueError("limit must be positive")
    if rows <= limit:
        return [Part(rows)]
    keys = [k for k in SPLIT_KEYS if k in columns]
    return _split(con, source, keys, Part(rows), limit)


def _split(con, source: str, keys: list[str], parent: Part, limit: int) -> list[Part]:
    if not keys:
        return _numbered(parent, limit)
    key, rest = keys[0], keys[1:]
    groups = con.execute(
        f'SELECT "{key}", count(*) FROM {source} WHERE {parent.where()} GROUP BY ALL ORDER BY 1 NULLS LAST'
    ).fetchall()
    out: list[Part] = []
    for value, n in groups:
        cond = f'"{key}" IS NULL' if value is None else f'"{key}" = {_literal(value)}'
        label = UNKNOWN[key] if value is None else str(value)
        child = Part(n, parent.conditions + [cond], parent.labels + [label], {**parent.values, key: value})
        out += [child] if n <= limit else _split(con, source, rest, child, limit)
    return out


def _numbered(parent: Part, limit: int) -> list[Part]:
    out = []
    for i, start in enumerate(range(0, parent.rows, limit), 1):
        out.append(Part(min(limit, parent.rows - start), list(parent.conditions), list(parent.labels),
                        dict(parent.values), offset=start, number=i))
    return out
