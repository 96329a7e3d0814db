"""Records passed between the readers, the table parser and the output.

Every reader (HTML, flattened text, PDF, DOCX, spreadsheets, ...) turns a file into one
`ParsedDocument`: a flat list of `Cell`s in reading order plus the plain text and the page
metadata it could see.  The table parser never looks at the file format again, which is why a
new format only needs a reader.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Statuses and the result record are the shared contract (core.records); the reader-side records stay here.
from core.records import (LEGACY_FORMAT, NO_TABLES, NOT_A_REPORT, OK, STATUSES, UNREADABLE,  # noqa: F401
                          UNSUPPORTED, ExtractResult)


@dataclass(slots=True)
class Cell:
    """One piece of text as laid out in the source.

    `table` and `row` identify the source table row when the format has one (HTML `<tr>`,
    a DOCX table row, a PDF table row, a tab-indented block); they are None for free text and
    for flattened layouts where row boundaries are lost.  A structured cell may be empty (""),
    which is how a blank table cell is seen; free text never yields empty cells.
    """

    text: str
    table: int | None = None
    row: int | None = None
    # OCR only: how sure the recognition is of this cell's text (the lowest character probability,
    # 0..1); None for every text-layer format, where the characters are what the file says
    confidence: float | None = None


@dataclass
class ParsedDocument:
    """What a reader saw in one file, before any table logic."""

    format: str  # html, text, pdf, docx, doc, wps, xls, xlsx, image, ...
    layout: str  # e.g. html_table, text_lines, text_pipes, text_tabs, pdf_table, docx_table
    cells: list[Cell]
    text: str  # the document's plain text (narrative + tables), lines separated by "\n"
    title: str | None = None  # metadata title (HTML <title>, DOCX core title, PDF /Title)
    title_candidates: list[str] = field(default_factory=list)  # headings seen in the body, in order
    meta: dict[str, str] = field(default_factory=dict)  # 发布机构, 发布日期, 信息索引号, breadcrumb, ...
    images: int = 0  # images in the body (for telling scans apart)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) of attachment-like links
    report_links: int = 0  # links whose text is a report title (a list page has many)
    status: str | None = None  # a reader may decide the status itself (unreadable, no_tables, ...)
    reason: str | None = None
