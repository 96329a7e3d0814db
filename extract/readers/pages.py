"""Paged documents to cells: what every reader of pages (PDF text layers, OCR'd pictures) does the same way.

A reader turns each page into `Page.items`, lines and tables top to bottom; `assemble` then
- drops page furniture: page numbers ("— 4 —", "第4页 共9页", "4/9") in the top or bottom band, and lines
  repeated in those bands across pages (running headers; page 1 keeps its copy);
- keeps a table that ends a page and one that starts the next page with the same columns as one table
  (rows continue with the same table id), skipping header rows the continuation repeats;
- joins a row that the page break cut in two (label on one page, values on the next);
- emits the cells in reading order (`Cell(text, table, row, confidence)`), the plain text, and title
  candidates (the first page's large lines before the first table, then its first lines).
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from ..model import Cell

PAGE_NUMBER = re.compile(
    r"^[\s\-—–－~〜_·•.]*(第\s*)?\d{1,4}(\s*页)?[\s\-—–－~〜_·•.]*$"
    r"|^第\s*\d{1,4}\s*页[\s,，/]*共\s*\d{1,4}\s*页$"
    r"|^\d{1,4}\s*/\s*\d{1,4}$"
    r"|^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$"
    r"|^[\s\-—–－]*[ivxlcIVXLC]{1,6}[\s\-—–－]*$",
    re.I,
)
NUMERIC = re.compile(r"^[\s+\-−－]*[0-9０-９][0-9０-９,，.．]*\s*(元|万元|件|个|项|%)?$|^[/—\-－–]+$")
ENUMERATED = re.compile(r"^(第.{1,8}[条项]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")


@dataclass
class Line:
    text: str
    top: float
    bottom: float
    size: float = 0.0
    segments: list[tuple[float, float, str]] | None = None  # runs separated by wide gaps (x0, x1, text)
    confidence: float | None = None  # OCR'd lines: the weakest character probability


@dataclass
class Table:
    rows: list[list[str]]
    top: float
    bottom: float
    x0: float
    x1: float
    ncols: int
    positional: bool = False
    spans: list[list[tuple[float, float]]] | None = None  # ruled tables: each row's slot x-extents
    confidences: list[list[float | None]] | None = None  # OCR'd tables: per cell, as rows


@dataclass
class Page:
    items: list = field(default_factory=list)  # Line | Table, top to bottom
    height: float = 0.0
    chars: int = 0
    cid_chars: int = 0
    images: int = 0
    page_images: int = 0
    ruled: bool = False
    ocr: bool = False  # the page was read from its picture


@dataclass
class Assembled:
    cells: list[Cell]
    text: str
    title_candidates: list[str]
    ruled_tables: int = 0
    positional_tables: int = 0
    rows_joined: int = 0


def furniture(pages: list[Page]) -> set[tuple[int, int]]:
    """(page, item index) of page numbers and running headers/footers."""
    drop: set[tuple[int, int]] = set()
    band_keys: dict[str, set[int]] = {}
    band_items: list[tuple[int, int, str]] = []
    for pi, pg in enumerate(pages):
        h = pg.height or 842.0
        for ii, it in enumerate(pg.items):
            if not isinstance(it, Line):
                continue
            in_band = it.top < 0.09 * h or it.bottom > 0.91 * h
            if not in_band:
                continue
            if PAGE_NUMBER.match(it.text.strip()):
                drop.add((pi, ii))
                continue
            key = re.sub(r"\d+", "#", re.sub(r"\s+", "", it.text))
            band_keys.setdefault(key, set()).add(pi)
            band_items.append((pi, ii, key))
    if len(pages) >= 2:
        for pi, ii, key in band_items:
            seen = band_keys[key]
            if len(seen) >= max(2, len(pages) // 2) and pi != min(seen):
                drop.add((pi, ii))
    return drop


def _split_row_index(table: Table, head: list[list[str]]) -> int | None:
    """The first row of a table's continuation that is not a repeated header row."""
    i = 0
    while i < len(table.rows) and i < len(head) and table.rows[i] == head[i]:
        i += 1
    return i if i < len(table.rows) else None


def _join_split_row(last: tuple[list[Cell], int, list[tuple[float, float]] | None], row: list[str],
                    spans: list[tuple[float, float]] | None, confs: list[float | None] | None) -> bool:
    """Join the first row of a page to the last row of the previous page when a page break cut
    one table row in two; True when joined (the previous row's cells now hold the whole row).

    A cut row shows as two rows with the same cells, where each position has text in at most one
    of them or words in both (a label wrapped over the break: "4.无正当理" + "由大量反复申请"),
    never a number in both; and the second part does not start a row of its own (no enumerator
    such as "（五）" or "2." at the start of its first text).  Header rows and complete rows
    always have a number or a header word against a number, so they are never joined.
    """
    cells, _line, last_spans = last
    if len(cells) != len(row):
        return False
    if spans is not None and last_spans is not None:
        if any(abs(a[0] - b[0]) > 3 or abs(a[1] - b[1]) > 3 for a, b in zip(spans, last_spans)):
            return False
    first_text = next((t for t in row if t.strip() and not NUMERIC.match(t)), None)
    if first_text is not None and ENUMERATED.match(first_text.strip()):
        return False
    filled_a = filled_b = 0
    for c, t in zip(cells, row):
        a, b = c.text.strip(), t.strip()
        if a and b and (NUMERIC.match(a) or NUMERIC.match(b)):
            return False
        filled_a += bool(a)
        filled_b += bool(b)
    if not filled_a or not filled_b:
        return False
    # the cut must leave a hole: some position filled on one side only
    if not any(bool(c.text.strip()) != bool(t.strip()) for c, t in zip(cells, row)):
        return False
    for k, (c, t) in enumerate(zip(cells, row)):
        a, b = c.text.strip(), t.strip()
        conf = confs[k] if confs else None
        if a and b:
            c.text = f"{c.text}\n{t}"
            if conf is not None:
                c.confidence = conf if c.confidence is None else min(c.confidence, conf)
        elif not a:
            c.text = t
            if confs is not None:
                c.confidence = conf
    return True


def assemble(pages: list[Page], positional=None) -> Assembled:
    """Cells, text and title candidates of the pages; `positional(items)` turns a page's lines into
    borderless tables where the page has no ruled table (the PDF reader's text positions)."""
    drop = furniture(pages)
    cells: list[Cell] = []
    lines: list[str] = []
    table_id = -1
    rows_in: dict[int, int] = {}
    prev_last: Table | None = None  # the previous page's last item, when a table
    prev_tid = -1
    head_rows: dict[int, list[list[str]]] = {}  # table id -> its first rows (headers repeated on later pages)
    last_row: tuple[list[Cell], int, list[tuple[float, float]] | None] | None = None  # cells, line index, spans
    out = Assembled([], "", [])
    for pi, pg in enumerate(pages):
        items = [it for ii, it in enumerate(pg.items) if (pi, ii) not in drop]
        if not pg.ruled and positional is not None:
            items = positional(items)
        for k, it in enumerate(items):
            if isinstance(it, Table):
                cont = (k == 0 and prev_last is not None and prev_last.positional == it.positional
                        and (prev_last.ncols == it.ncols
                             or (abs(prev_last.x0 - it.x0) < 6 and abs(prev_last.x1 - it.x1) < 6)))
                if cont:
                    tid = prev_tid
                else:
                    table_id += 1
                    tid = table_id
                    head_rows[tid] = it.rows[:3]
                if it.positional:
                    out.positional_tables += 1
                else:
                    out.ruled_tables += 1
                skip_join = -1
                if cont and last_row is not None and not it.positional:
                    b = _split_row_index(it, head_rows.get(tid, []))
                    if b is not None and _join_split_row(last_row, it.rows[b], it.spans[b] if it.spans else None,
                                                         it.confidences[b] if it.confidences else None):
                        lines[last_row[1]] = "\t".join(c.text.replace("\n", " ") for c in last_row[0])
                        skip_join = b
                        out.rows_joined += 1
                for ri, row in enumerate(it.rows):
                    if ri == skip_join:
                        continue
                    r = rows_in.get(tid, 0)
                    rows_in[tid] = r + 1
                    confs = it.confidences[ri] if it.confidences else [None] * len(row)
                    row_cells = [Cell(text, tid, r, conf) for text, conf in zip(row, confs)]
                    cells.extend(row_cells)
                    lines.append("\t".join(t.replace("\n", " ") for t in row))
                    last_row = (row_cells, len(lines) - 1, it.spans[ri] if it.spans else None)
                prev_tid = tid
            else:
                cells.append(Cell(it.text, confidence=it.confidence))
                lines.append(it.text)
        prev_last = items[-1] if items and isinstance(items[-1], Table) else None
        if prev_last is None:
            last_row = None
    out.cells, out.text = cells, "\n".join(lines)
    out.title_candidates = _title_candidates(pages, drop)
    return out


def _title_candidates(pages: list[Page], drop: set[tuple[int, int]]) -> list[str]:
    """The first page's large lines (joined), then its first lines."""
    candidates: list[str] = []
    if not pages:
        return candidates
    first = [it for ii, it in enumerate(pages[0].items) if (0, ii) not in drop]
    head: list[Line] = []
    for it in first:
        if isinstance(it, Table):
            break
        head.append(it)
    sizes = [it.size for it in head if it.size]
    if sizes:
        body = statistics.median(sizes)
        big: list[str] = []
        for it in head:
            # points in a text layer; pixels of line height on an OCR'd page, where heights wobble
            if it.size > body + 0.5 and (not pages[0].ocr or it.size > 1.25 * body):
                big.append(it.text)
            elif big:
                break
        if big:
            candidates.append("".join(big))
    for it in head[:6]:
        if it.text not in candidates and len(it.text) <= 80:
            candidates.append(it.text)
    return candidates[:8]
