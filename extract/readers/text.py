"""Plain text as published: the three flattened layouts real reports come in.

- one cell per line (a page's table copied as text; blank lines carry nothing);
- " |"-terminated cells with "|||" filler lines for spanned cells (the filler lines carry no cell);
- tab-indented cells, one table row per block of lines (text taken from a DOCX): a row boundary
  is a blank line, so blank cells ("\t" alone) keep their place.
"""
from __future__ import annotations

import re

from core.decode import decode_bytes
from ..model import Cell, ParsedDocument
from ..settings import ExtractSettings

_PIPE_CELL = re.compile(r"^(?P<text>.*?)\s*\|$")
_FILLER = re.compile(r"^\|+$")


def detect_layout(lines: list[str]) -> str:
    pipes = sum(1 for ln in lines if ln.rstrip().endswith("|"))
    tabs = sum(1 for ln in lines if ln.startswith("\t"))
    nonblank = sum(1 for ln in lines if ln.strip()) or 1
    if pipes / nonblank > 0.2:
        return "text_pipes"
    if tabs / nonblank > 0.2:
        return "text_tabs"
    return "text_lines"


def cells_from_lines(lines: list[str], layout: str) -> list[Cell]:
    cells: list[Cell] = []
    if layout == "text_pipes":
        for ln in lines:
            s = ln.strip()
            if not s or _FILLER.match(s):
                if s == "|" and ln[:1].isspace():
                    cells.append(Cell("", table=0))  # " |": a blank cell, not a filler
                continue
            m = _PIPE_CELL.match(s)
            if m:
                cells.append(Cell(m.group("text").strip(), table=0))
            else:
                cells.append(Cell(s))
    elif layout == "text_tabs":
        row = 0
        in_row = False
        for ln in lines:
            if ln.startswith("\t"):
                if not in_row:
                    row += 1
                    in_row = True
                cells.append(Cell(ln.strip(), table=0, row=row))
            else:
                in_row = False
                if ln.strip():
                    cells.append(Cell(ln.strip()))
    else:
        cells = [Cell(ln.strip()) for ln in lines if ln.strip()]
    return cells


def read(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    text, _encoding = decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    layout = detect_layout(lines)
    cells = cells_from_lines(lines, layout)
    plain = "\n".join(c.text for c in cells if c.text)
    return ParsedDocument(format="text", layout=layout, cells=cells, text=plain)
