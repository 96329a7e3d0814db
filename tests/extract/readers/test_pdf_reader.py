"""PDF reader on LibreOffice-made PDFs: ruled tables, page furniture, multi-page tables, borderless tables."""
from __future__ import annotations

import pytest

from extract.readers import pdf

from tests.extract.readers.conftest import GOLDEN, check_apply_rows, golden, rows, squash, truth_of


@pytest.mark.parametrize("name", [
    "08_pdf-2021-grid-header-footer.pdf",
    "09_pdf-2019-grid-page-of.pdf",
    "10_pdf-2021-page-number-interleaved.pdf",
    "11_pdf-2021-borderless.pdf",
    "12_pdf-2021-permissions-only.pdf",
])
def test_apply_rows_match_truth(name, settings):
    doc = pdf.read(golden(name), settings)
    assert doc.status is None, doc.reason
    assert check_apply_rows(doc, truth_of(name)) == []


def test_grid_table_rows_are_physical_cells(settings):
    doc = pdf.read(golden("08_pdf-2021-grid-header-footer.pdf"), settings)
    assert doc.layout == "pdf_table"
    all_rows = rows(doc)
    new = next(r for r in all_rows if "本年新收" in squash(r[0]))
    assert len(new) == 8  # one label cell spanning three columns, then seven values
    # a row-span continuation is an empty cell in front of the label
    secret = next(r for r in all_rows if any("国家秘密" in squash(c) for c in r))
    assert len(secret) in (9, 10) and squash(secret[-8]).endswith("属于国家秘密")
    # header words broken over lines stay one cell
    assert any("商业" in c and "企业" in squash(c) for r in all_rows for c in r)


def test_page_furniture_is_dropped(settings):
    for name in ("08_pdf-2021-grid-header-footer.pdf", "09_pdf-2019-grid-page-of.pdf",
                 "10_pdf-2021-page-number-interleaved.pdf"):
        doc = pdf.read(golden(name), settings)
        texts = [c.text.strip() for c in doc.cells]
        assert not any(t.startswith("—") and t.endswith("—") for t in texts), name
        assert not any(t.startswith("第") and "页" in t and "共" in t for t in texts), name
        assert not any(t.isdigit() and c.table is None for t, c in zip(texts, doc.cells)), name
        t = truth_of(name)
        title = squash(f"{t['agency']}{t['report_year']}年政府信息公开工作年度报告")
        # the running header (the title) is kept on page 1 only, not on every page
        assert sum(1 for c in doc.cells if c.table is None and squash(c.text) == title) <= 2


@pytest.mark.parametrize("name", ["08_pdf-2021-grid-header-footer.pdf", "10_pdf-2021-page-number-interleaved.pdf",
                                  "11_pdf-2021-borderless.pdf"])
def test_table_continues_across_pages(name, settings):
    import pypdfium2 as pdfium

    p = pdfium.PdfDocument(GOLDEN / name)  # the apply table is printed on two pages
    texts = [squash(p[i].get_textpage().get_text_range()) for i in range(len(p))]
    pages = [i for i, text in enumerate(texts) for kw in ("本年新收", "结转下")
             if kw in text and not (kw == "结转下" and i == 0)]
    assert pages[0] != pages[-1]
    doc = pdf.read(golden(name), settings)
    ids = {}
    for c in doc.cells:
        if c.table is not None:
            for kw in ("本年新收", "结转下"):
                if kw in squash(c.text):
                    ids[kw] = c.table
    assert ids["本年新收"] == ids["结转下"]  # one table, rows going on across the page break
    # reading order: rows of one table come in increasing row order
    seen = {}
    for c in doc.cells:
        if c.table is not None:
            assert c.row >= seen.get(c.table, -1)
            seen[c.table] = c.row


def test_row_cut_by_a_page_break_is_joined(settings):
    """26: the page break cuts the row "2.重复申请" in two: its label ends page 2, its values open page 3."""
    import pypdfium2 as pdfium

    name = "26_pdf-2021-row-split-across-pages.pdf"
    p = pdfium.PdfDocument(GOLDEN / name)
    texts = [p[i].get_textpage().get_text_range() for i in range(len(p))]
    cut = next(i for i, t in enumerate(texts) if "2.重复申请" in squash(t))
    want = [truth_of(name)["cells"][f"apply.rejected.duplicate.{c}"] for c in
            ("person", "business", "research", "nonprofit", "legal", "other_org", "total")]
    assert squash(texts[cut + 1]).startswith("".join(str(v) for v in want))  # the values open the next page
    doc = pdf.read(golden(name), settings)
    assert doc.meta.get("rows_joined_across_pages") == "1"
    all_rows = rows(doc)
    dup = [r for r in all_rows if any("重复申请" in squash(c) for c in r)]
    assert len(dup) == 1
    assert [int(c) for c in dup[0][-7:]] == want
    # no row of only values is left behind
    assert not any(all(not squash(c) or squash(c).isdigit() for c in r) and len(r) == len(dup[0]) for r in all_rows)


def test_complete_rows_at_a_page_break_are_not_joined(settings):
    for name in ("08_pdf-2021-grid-header-footer.pdf", "10_pdf-2021-page-number-interleaved.pdf",
                 "12_pdf-2021-permissions-only.pdf"):
        doc = pdf.read(golden(name), settings)
        assert "rows_joined_across_pages" not in doc.meta, name
        assert check_apply_rows(doc, truth_of(name)) == []


def test_borderless_table_from_text_positions(settings):
    doc = pdf.read(golden("11_pdf-2021-borderless.pdf"), settings)
    assert doc.layout == "pdf_positions"
    all_rows = rows(doc)
    # a label wrapped in its cell is joined to its row, column by column
    row = next(r for r in all_rows if any("禁止" in squash(c) for c in r))
    assert any(squash(c).endswith("禁止公开") for c in row)
    other = next(r for r in all_rows if any("逾期不补正" in squash(c) for c in r))
    assert squash(other[0]) == squash("（六）其他处理")


def test_title_and_metadata(settings):
    doc = pdf.read(golden("10_pdf-2021-page-number-interleaved.pdf"), settings)
    assert doc.title == "韶关市乳源瑶族自治县交通运输局2022年政府信息公开工作年度报告"
    assert doc.meta["generator"].startswith("LibreOffice")
    doc = pdf.read(golden("08_pdf-2021-grid-header-footer.pdf"), settings)
    assert doc.title is None  # no /Title: not invented
    assert squash(doc.title_candidates[0]) == "哈尔滨市南岗区卫生健康局2021年政府信息公开工作年度报告"


def test_permissions_only_pdf_reads(settings):
    data = golden("12_pdf-2021-permissions-only.pdf")
    assert b"/Encrypt" in data
    doc = pdf.read(data, settings)
    assert doc.status is None and doc.cells


def test_scanned_pdf_without_ocr(settings):
    import dataclasses

    doc = pdf.read(golden("20_pdf-scanned.pdf"), dataclasses.replace(settings, ocr=False))
    assert (doc.status, doc.reason) == ("no_tables", "scanned")
    assert doc.cells == [] and doc.images >= 1


def test_text_pdf_without_images_is_not_a_scan(settings):
    import io

    import pypdfium2 as pdfium

    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    buf = io.BytesIO()
    blank.save(buf)
    doc = pdf.read(buf.getvalue(), settings)
    assert doc.status == "no_tables" and doc.reason == "no text layer"
