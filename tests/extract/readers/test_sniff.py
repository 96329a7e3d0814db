"""Type by bytes, never by name: sniff() on real generated files and on liars."""
from __future__ import annotations

import io
import zipfile

import pytest

from core.sniff import sniff

from tests.extract.readers.conftest import GOLDEN, golden


@pytest.mark.parametrize("name,kind", [
    ("01_docx-2021-merged.docx", "docx"),
    ("05_docx-2021-wps-sdt-textbox.docx", "docx"),
    ("08_pdf-2021-grid-header-footer.pdf", "pdf"),
    ("13_doc-2021.doc", "doc"),
    ("15_wps-2021.wps", "wps"),
    ("16_xlsx-2021-merged.xlsx", "xlsx"),
    ("18_xls-2021.xls", "xls"),
    ("21_png-table.png", "image"),
    ("22_jpg-table.jpg", "image"),
    ("25_docx-truncated.docx", "docx"),  # central directory cut: recognised from the local headers
])
def test_golden_files_by_bytes(name, kind):
    assert sniff(golden(name)) == kind


def test_names_and_extensions_do_not_matter(tmp_path):
    # a PDF named .html, a DOCX named .doc, HTML named .pdf: only the bytes are looked at
    pdf_as_html = tmp_path / "report.html"
    pdf_as_html.write_bytes(golden("09_pdf-2019-grid-page-of.pdf"))
    docx_as_doc = tmp_path / "report.doc"
    docx_as_doc.write_bytes(golden("01_docx-2021-merged.docx"))
    html_as_pdf = tmp_path / "report.pdf"
    html_as_pdf.write_bytes("<!DOCTYPE html><html><head><title>404</title></head><body>页面不存在</body></html>".encode())
    assert sniff(pdf_as_html.read_bytes()) == "pdf"
    assert sniff(docx_as_doc.read_bytes()) == "docx"
    assert sniff(html_as_pdf.read_bytes()) == "html"


def test_pdf_after_junk_and_bom():
    assert sniff(b"\xef\xbb\xbf\r\n%PDF-1.7\n...") == "pdf"
    assert sniff(b"HTTP junk\r\n" * 10 + b"%PDF-1.4\n") == "pdf"


def test_zip_kinds():
    def z(names: dict) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for n, data in names.items():
                zf.writestr(n, data)
        return buf.getvalue()

    assert sniff(z({"[Content_Types].xml": "<Types/>", "word/document.xml": "<x/>"})) == "docx"
    assert sniff(z({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<x/>"})) == "xlsx"
    assert sniff(z({"OFD.xml": "<ofd:OFD/>", "Doc_0/Document.xml": "<x/>"})) == "ofd"
    assert sniff(z({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})) == "odt"
    assert sniff(z({"a.txt": "hello"})) == "zip"
    # WPS/strict packages may name the main part differently: the content type decides
    ct = '<Types><Override PartName="/word/main.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    assert sniff(z({"[Content_Types].xml": ct, "word/main.xml": "<x/>"})) == "docx"
    cut = z({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<x/>" * 100})
    assert sniff(cut[: len(cut) - 60]) == "xlsx"


def test_ole_kinds_from_the_directory():
    assert sniff(golden("13_doc-2021.doc")) == "doc"
    assert sniff(golden("19_xls-2019-sheets.xls")) == "xls"
    # the Kingsoft marker makes a Word binary a WPS file
    assert b"KSOProductBuildVer" in golden("15_wps-2021.wps") or "KSOProductBuildVer".encode("utf-16-le") in golden("15_wps-2021.wps")


def test_text_html_and_others():
    assert sniff(b"") == "empty"
    assert sniff(b"  \n ") == "empty"
    assert sniff("一、总体情况\n本年度……".encode("gb18030")) == "text"
    assert sniff("<p>政府信息公开</p>".encode()) == "html"
    assert sniff("\ufeff<html><body>x</body></html>".encode("utf-16-le")) == "html"
    assert sniff(b"{\\rtf1\\ansi hello}") == "rtf"
    assert sniff(b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument/>') == "doc"
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\0" * 20) == "image"
    assert sniff(b"\x00\x01\x02\x03binary") == "binary"


def test_every_golden_file_sniffs_to_its_layout():
    import json

    for truth_path in GOLDEN.glob("*.truth.json"):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        kind = sniff((GOLDEN / truth["document"]).read_bytes())
        assert kind == truth["layout"], truth["document"]
