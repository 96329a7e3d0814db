"""Hostile and broken files: a clear status and reason, quickly, and nothing worse."""
from __future__ import annotations

import dataclasses
import io
import os
import zipfile

import pytest

from extract.readers import read
from extract.readers.limits import Refused, check_path_size
from core.sniff import sniff

from tests.extract.readers.conftest import golden

pytestmark = pytest.mark.timeout(60)


def _read(data: bytes, settings):
    return read(data, sniff(data), settings)


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


W = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'


def test_encrypted_pdf(settings):
    doc = _read(golden("23_pdf-encrypted.pdf"), settings)
    assert (doc.status, doc.reason) == ("unreadable", "encrypted")


def test_truncated_pdf(settings):
    doc = _read(golden("24_pdf-truncated.pdf"), settings)
    assert (doc.status, doc.reason) == ("unreadable", "truncated")
    full = golden("09_pdf-2019-grid-page-of.pdf")
    for cut in (0.3, 0.9, 0.995):
        doc = _read(full[: int(len(full) * cut)], settings)
        assert (doc.status, doc.reason) == ("unreadable", "truncated"), cut


def test_pdf_with_junk_after_eof_is_fine(settings):
    doc = _read(golden("09_pdf-2019-grid-page-of.pdf") + b"\r\n<html><body>cms footer</body></html>\r\n", settings)
    assert doc.status is None and doc.cells


def test_truncated_docx(settings):
    doc = _read(golden("25_docx-truncated.docx"), settings)
    assert (doc.status, doc.reason) == ("unreadable", "truncated")
    full = golden("01_docx-2021-merged.docx")
    doc = _read(full[:-30], settings)  # only the end of the central directory cut
    assert (doc.status, doc.reason) == ("unreadable", "truncated")


def test_truncated_xls_and_xlsx(settings):
    for name in ("18_xls-2021.xls", "16_xlsx-2021-merged.xlsx"):
        data = golden(name)
        doc = _read(data[: len(data) // 2], settings)
        assert (doc.status, doc.reason) == ("unreadable", "truncated"), name


@pytest.mark.slow
def test_docx_zip_bomb_by_declared_size(settings):
    # 400 MB of spaces: refused from the central directory, before inflating anything
    body = W + b" " * (400 * 1024 * 1024) + b"</w:body></w:document>"
    data = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": body})
    del body
    doc = _read(data, settings)
    assert (doc.status, doc.reason) == ("unreadable", "zip_bomb")


def test_docx_zip_bomb_by_ratio(settings):
    data = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": W + b" " * (20 * 1024 * 1024)})
    doc = _read(data, settings)
    assert (doc.status, doc.reason) == ("unreadable", "zip_bomb")
    ok = dataclasses.replace(settings, max_zip_ratio=1e9)
    assert _read(data, ok).reason != "zip_bomb"  # a setting, not a constant


def test_xlsx_zip_bomb(settings):
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": b"<worksheet>" + b" " * (20 * 1024 * 1024) + b"</worksheet>"})
    doc = _read(data, settings)
    assert (doc.status, doc.reason) == ("unreadable", "zip_bomb")


def test_docx_lying_about_sizes(settings):
    """A member whose real data is larger than declared is never inflated past the declared size."""
    real = W + b"<w:p><w:r><w:t>" + b"A" * 5_000_000 + b"</w:t></w:r></w:p></w:body></w:document>"
    data = bytearray(_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": real}))
    # patch the declared uncompressed size (central directory and local header) to 1000 bytes
    pos = data.find(b"word/document.xml", data.find(b"PK\x01\x02"))
    cd = data.rfind(b"PK\x01\x02", 0, pos)
    data[cd + 24:cd + 28] = (1000).to_bytes(4, "little")
    lh = data.rfind(b"PK\x03\x04", 0, data.find(b"word/document.xml"))
    data[lh + 22:lh + 26] = (1000).to_bytes(4, "little")
    doc = _read(bytes(data), settings)
    assert doc.status == "unreadable"
    assert doc.reason in ("corrupt", "zip_bomb")


@pytest.mark.parametrize("payload", [
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&x;'
    b'</w:t></w:r></w:p></w:body></w:document>',
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&lol3;</w:t>'
    b'</w:r></w:p></w:body></w:document>',
    b'<?xml version="1.0"?>' + b"<!-- padding -->" * 10000 + b'<!DOCTYPE d SYSTEM "http://127.0.0.1:9/x.dtd">'
    b'<w:document xmlns:w="x"/>',
])
def test_docx_with_entities_or_dtd(payload, settings):
    data = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": payload})
    doc = _read(data, settings)
    assert (doc.status, doc.reason) == ("unreadable", "xml_entities")
    assert "root:" not in doc.text


def test_xlsx_with_entities(settings):
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml":
                 b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><workbook>&x;</workbook>'})
    doc = _read(data, settings)
    assert (doc.status, doc.reason) == ("unreadable", "xml_entities")


def test_too_large_bytes(settings):
    data = b"%PDF-1.4\n" + bytes(200 * 1024 * 1024)
    doc = _read(data, settings)
    assert (doc.status, doc.reason) == ("unreadable", "too_large")
    small = dataclasses.replace(settings, max_bytes=1000)
    for name in ("01_docx-2021-merged.docx", "16_xlsx-2021-merged.xlsx", "18_xls-2021.xls", "13_doc-2021.doc",
                 "21_png-table.png"):
        doc = _read(golden(name), small)
        assert (doc.status, doc.reason) == ("unreadable", "too_large"), name


def test_too_large_file_refused_before_reading(tmp_path, settings):
    path = tmp_path / "big.pdf"
    with open(path, "wb") as fh:  # a sparse 200 MB file: nothing is read
        fh.write(b"%PDF-1.4\n")
        fh.truncate(200 * 1024 * 1024)
    with pytest.raises(Refused) as exc:
        check_path_size(path, settings)
    assert exc.value.reason == "too_large"
    os.remove(path)


def test_pdf_with_thousands_of_pages(settings):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(3000):
        pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    doc = _read(buf.getvalue(), settings)
    assert (doc.status, doc.reason) == ("unreadable", "too_many_pages")


def test_pdf_read_timeout(settings):
    doc = _read(golden("08_pdf-2021-grid-header-footer.pdf"), dataclasses.replace(settings, read_timeout=0.0))
    assert (doc.status, doc.reason) == ("unreadable", "timed_out")


def test_garbage_pdf(settings):
    doc = _read(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", settings)
    assert doc.status == "unreadable" and doc.reason in ("corrupt", "truncated")


def test_password_protected_ooxml_is_encrypted(settings):
    from extract.readers import office

    # a password-protected DOCX is an OLE file with EncryptionInfo/EncryptedPackage streams
    data = golden("13_doc-2021.doc").replace("WordDocument".encode("utf-16-le"), "EncryptedPackage"[:12].encode("utf-16-le"))
    data = data.replace("1Table".encode("utf-16-le"), "EncInf".encode("utf-16-le"))
    doc = office.read_ole(data, settings)
    assert doc.status == "unreadable"


def test_empty_and_binary(settings):
    doc = _read(bytes(10_000), settings)  # bytes no reader knows: stored, and said to be unsupported
    assert doc.status == "unsupported" and "binary" in doc.reason
