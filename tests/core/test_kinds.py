"""One vocabulary of document kinds (core.sniff.KINDS): every kind the sniffer returns is stored by the crawler
and either read by a reader or recorded with the explicit status `unsupported` — never dropped."""
import io
import zipfile

import pytest

from core.records import STATUSES, UNSUPPORTED, ManifestRow
from core.sniff import KINDS, OLE_MAGIC, sniff


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in names.items():
            z.writestr(n, b)
    return buf.getvalue()


# One sample of bytes per kind the sniffer can name (OLE kinds need a real directory: built by the golden
# builders; here the bare magic gives "ole").
SAMPLES = {
    "html": b"<html><body><table><tr><td>1</td></tr></table></body></html>",
    "text": "一、总体情况\n本机关2021年共收到申请3件。\n".encode("utf-8"),
    "pdf": b"%PDF-1.4\n%...",
    "docx": _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
    "xlsx": _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
    "ofd": _zip({"OFD.xml": b"<ofd:OFD/>"}),
    "odt": _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}),
    "ods": _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
    "zip": _zip({"a.txt": b"x"}),
    "rtf": b"{\\rtf1\\ansi hello}",
    "ole": OLE_MAGIC + b"\x00" * 600,
    "image": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "empty": b"",
    "binary": b"\x00\x01\x02\x03" * 64,
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_the_sniffer_names_each_sample(kind):
    assert sniff(SAMPLES[kind]) == kind


def test_every_sniffed_kind_is_in_the_vocabulary():
    assert set(SAMPLES) <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_stored_by_the_crawler(kind):
    """The crawler's item validation accepts a document body of every kind (it used to drop RTF, ODT, …)."""
    from crawlers.pipelines import ValidatePipeline
    from crawlers.store import MANIFEST_FIELDS

    row = ManifestRow(run_id="r", portal_id="p", url="https://example.gov.cn/a", role="attachment", state="ok",
                      sha256="0" * 64, size=1, detected_type=kind).to_dict()
    item = {k: row[k] for k in MANIFEST_FIELDS}
    assert ValidatePipeline().process_item(item) is item


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_read_or_explicitly_unsupported(kind):
    from extract.readers import read, supported_kinds
    from extract.settings import DEFAULT_SETTINGS

    doc = read(SAMPLES.get(kind, b"\x00" * 16), kind, DEFAULT_SETTINGS)
    if kind in supported_kinds():
        assert doc.status is None or doc.status in STATUSES
    else:
        assert doc.status == UNSUPPORTED and kind in doc.reason
