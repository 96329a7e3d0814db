"""The PDF reader's own geometry on PDFs drawn in the ways real producers draw tables.

LibreOffice strokes each rule as a line; Word and WPS fill thin rectangles; other producers stroke
one rectangle per cell, draw double rules, or place a whole page as a form XObject (N-up, stamping
tools); landscape tables come as a rotated page.  Each PDF here is drawn with pdfium itself (a
standard font, so no font file is needed) and must read as the same rows of cells.
"""
from __future__ import annotations

import ctypes
import io

import pypdfium2 as pdfium
import pypdfium2.raw as R
import pytest

from extract.readers import grid, pdf

from tests.extract.readers.conftest import rows

# a 4 x 3 table; the first row's label spans two columns in the "spans" variant
TABLE = [["item", "count", "total"],
         ["alpha", "12", "340"],
         ["beta", "7", "—"],
         ["gamma", "0", "15"]]
X = [80.0, 200.0, 300.0, 400.0]  # column edges
TOP, ROW_H = 120.0, 24.0  # y-down
PAGE_W, PAGE_H = 595.0, 842.0


def _text(doc, page, text: str, x: float, y_down: float, size: float = 10.0) -> None:
    obj = R.FPDFPageObj_NewTextObj(doc.raw, b"Helvetica", ctypes.c_float(size))
    buf = ctypes.create_string_buffer((text + "\x00").encode("utf-16-le"))
    R.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    R.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, PAGE_H - y_down)
    R.FPDFPage_InsertObject(page.raw, obj)


def _rect(page, x0: float, top: float, x1: float, bottom: float, fill: bool, stroke: bool) -> None:
    obj = R.FPDFPageObj_CreateNewRect(x0, PAGE_H - bottom, x1 - x0, bottom - top)
    R.FPDFPath_SetDrawMode(obj, R.FPDF_FILLMODE_ALTERNATE if fill else R.FPDF_FILLMODE_NONE, stroke)
    R.FPDFPage_InsertObject(page.raw, obj)


def _line(page, x0: float, y0: float, x1: float, y1: float) -> None:
    obj = R.FPDFPageObj_CreateNewPath(x0, PAGE_H - y0)
    R.FPDFPath_LineTo(obj, x1, PAGE_H - y1)
    R.FPDFPath_SetDrawMode(obj, R.FPDF_FILLMODE_NONE, True)
    R.FPDFPageObj_SetStrokeWidth(obj, 0.5)
    R.FPDFPage_InsertObject(page.raw, obj)


def _draw_table(doc, page, style: str) -> None:
    ys = [TOP + i * ROW_H for i in range(len(TABLE) + 1)]
    for r, row in enumerate(TABLE):
        for c, text in enumerate(row):
            _text(doc, page, text, X[c] + 4, ys[r] + 16)
    if style == "lines":
        for y in ys:
            _line(page, X[0], y, X[-1], y)
        for x in X:
            _line(page, x, ys[0], x, ys[-1])
    elif style == "thin_rects":  # Word, WPS
        for y in ys:
            _rect(page, X[0], y - 0.25, X[-1], y + 0.25, fill=True, stroke=False)
        for x in X:
            _rect(page, x - 0.25, ys[0], x + 0.25, ys[-1], fill=True, stroke=False)
    elif style == "cell_rects":  # one stroked rectangle per cell
        for r in range(len(TABLE)):
            for c in range(len(X) - 1):
                _rect(page, X[c], ys[r], X[c + 1], ys[r + 1], fill=False, stroke=True)
    elif style == "double_rules":  # every rule printed twice, 1.2 pt apart
        for y in ys:
            _line(page, X[0], y, X[-1], y)
            _line(page, X[0], y + 1.2, X[-1], y + 1.2)
        for x in X:
            _line(page, x, ys[0], x, ys[-1])
            _line(page, x + 1.2, ys[0], x + 1.2, ys[-1])
    elif style == "open_sides":  # no outer left and right rules
        for y in ys:
            _line(page, X[0], y, X[-1], y)
        for x in X[1:-1]:
            _line(page, x, ys[0], x, ys[-1])
    elif style == "segments":  # each rule drawn cell by cell, with hairline gaps
        for y in ys:
            for c in range(len(X) - 1):
                _line(page, X[c] + 0.4, y, X[c + 1] - 0.4, y)
        for x in X:
            for r in range(len(ys) - 1):
                _line(page, x, ys[r] + 0.4, x, ys[r + 1] - 0.4)
    else:
        raise ValueError(style)


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _make(style: str) -> bytes:
    doc = pdfium.PdfDocument.new()
    page = doc.new_page(PAGE_W, PAGE_H)
    _draw_table(doc, page, style)
    R.FPDFPage_GenerateContent(page.raw)
    return _save(doc)


def _table_rows(data: bytes, settings) -> list[list[str]]:
    doc = pdf.read(data, settings)
    assert doc.status is None, doc.reason
    assert doc.layout == "pdf_table"
    return rows(doc)


@pytest.mark.parametrize("style", ["lines", "thin_rects", "cell_rects", "double_rules", "segments", "open_sides"])
def test_rules_drawn_every_way_read_as_the_same_cells(style, settings):
    assert _table_rows(_make(style), settings) == TABLE


def test_page_inside_a_form_xobject(settings):
    """A page placed, scaled and moved, as a form XObject (N-up and stamping tools do this)."""
    src = pdfium.PdfDocument(_make("thin_rects"))
    dst = pdfium.PdfDocument.new()
    xo = R.FPDF_NewXObjectFromPage(dst.raw, src.raw, 0)
    page = dst.new_page(700, 1000)
    form = R.FPDF_NewFormObjectFromXObject(xo)
    R.FPDFPageObj_Transform(form, 1.1, 0, 0, 1.1, 20, 40)
    R.FPDFPage_InsertObject(page.raw, form)
    R.FPDFPage_GenerateContent(page.raw)
    R.FPDF_CloseXObject(xo)
    data = _save(dst)
    p = pdfium.PdfDocument(data)[0]
    kinds = {R.FPDFPageObj_GetType(R.FPDFPage_GetObject(p.raw, i)) for i in range(R.FPDFPage_CountObjects(p.raw))}
    assert kinds == {R.FPDF_PAGEOBJ_FORM}  # the rules really are inside the form
    assert _table_rows(data, settings) == TABLE


@pytest.mark.parametrize("rotation", [90, 270])
def test_landscape_page_turned_by_rotate(rotation, settings):
    """A table drawn sideways on the page and turned upright by /Rotate reads in display order."""
    src = pdfium.PdfDocument(_make("lines"))
    dst = pdfium.PdfDocument.new()
    xo = R.FPDF_NewXObjectFromPage(dst.raw, src.raw, 0)
    page = dst.new_page(PAGE_H, PAGE_W)
    form = R.FPDF_NewFormObjectFromXObject(xo)
    if rotation == 90:
        R.FPDFPageObj_Transform(form, 0, 1, -1, 0, PAGE_H, 0)
    else:
        R.FPDFPageObj_Transform(form, 0, -1, 1, 0, 0, PAGE_W)
    R.FPDFPage_InsertObject(page.raw, form)
    R.FPDFPage_GenerateContent(page.raw)
    page.set_rotation(rotation)
    R.FPDF_CloseXObject(xo)
    assert _table_rows(_save(dst), settings) == TABLE


def test_crop_box_offset(settings):
    doc = pdfium.PdfDocument(_make("lines"))
    doc[0].set_cropbox(30, 40, PAGE_W - 10, PAGE_H - 20)
    assert _table_rows(_save(doc), settings) == TABLE


def test_spans_from_the_grid():
    """A label spanning two columns and a group label spanning two rows (grid only)."""
    # 3 rows x 3 columns: row 0 "head" spans columns 0-1; column 0 spans rows 1-2
    xs, ys = [0, 50, 100, 150], [0, 20, 40, 60]
    h = [(0, 150, 0), (0, 150, 20), (50, 150, 40), (0, 150, 60)]
    v = [(0, 0, 60), (50, 20, 60), (100, 0, 60), (150, 0, 60)]
    tables = grid.find_tables(h, v)
    assert len(tables) == 1
    t = tables[0]
    assert t.xs == [0, 50, 100]
    slots = [[(c is not None, x0, x1) for c, x0, x1 in t.slots(r)] for r in range(len(t.rows))]
    assert slots[0] == [(True, 0, 100), (True, 100, 150)]  # the spanned column is skipped
    assert slots[1] == [(True, 0, 50), (True, 50, 100), (True, 100, 150)]
    assert slots[2] == [(False, 0, 50), (True, 50, 100), (True, 100, 150)]  # row span: an empty slot
    assert xs and ys


def test_two_tables_and_a_frame():
    """Separate tables stay separate; a lone frame (one cell) is not a table."""
    h = [(0, 100, 0), (0, 100, 20), (0, 100, 40), (0, 100, 200), (0, 100, 220), (0, 100, 240),
         (300, 400, 0), (300, 400, 50)]
    v = [(0, 0, 40), (50, 0, 40), (100, 0, 40), (0, 200, 240), (100, 200, 240),
         (300, 0, 50), (400, 0, 50)]
    tables = grid.find_tables(h, v)
    assert [len(t.cells) for t in tables] == [4, 2]
    assert [t.bbox for t in tables] == [(0, 0, 100, 40), (0, 200, 100, 240)]
