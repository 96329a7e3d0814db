"""DOC and WPS through a real LibreOffice conversion (no skip: the setup installs LibreOffice)."""
from __future__ import annotations

import dataclasses
import shutil

import pytest

from extract.readers import office

from tests.extract.readers.conftest import check_apply_rows, golden, truth_of


def _require_soffice(settings):
    assert shutil.which(settings.soffice), (
        f"LibreOffice ({settings.soffice}) is not installed: the DOC/WPS readers need it; run the setup script "
        "(apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name,reader,fmt", [
    ("13_doc-2021.doc", office.read_doc, "doc"),
    ("14_doc-2019-multipara.doc", office.read_doc, "doc"),
    ("15_wps-2021.wps", office.read_wps, "wps"),
])
@pytest.mark.slow
def test_converted_and_read_as_docx(name, reader, fmt, settings):
    _require_soffice(settings)
    doc = reader(golden(name), settings)
    assert doc.status is None, doc.reason
    assert doc.format == fmt and doc.meta["converted_by"] == "libreoffice"
    assert check_apply_rows(doc, truth_of(name)) == []


@pytest.mark.timeout(60)
def test_conversion_timeout_is_a_clear_status(settings):
    _require_soffice(settings)
    doc = office.read_doc(golden("13_doc-2021.doc"), dataclasses.replace(settings, convert_timeout=0.3))
    assert (doc.status, doc.reason) == ("unreadable", "conversion timed out")


@pytest.mark.timeout(60)
def test_missing_converter_is_a_clear_status(settings):
    doc = office.read_doc(golden("13_doc-2021.doc"), dataclasses.replace(settings, soffice="/nonexistent/soffice"))
    assert doc.status == "unreadable" and doc.reason.startswith("conversion failed:")


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_garbage_word_file_fails_conversion(settings):
    _require_soffice(settings)
    data = bytearray(golden("13_doc-2021.doc"))
    data[600:30000] = b"\x00" * (30000 - 600)  # the Word streams wiped out
    doc = office.read_doc(bytes(data), settings)
    assert doc.status in ("unreadable", "no_tables") or not any(c.table is not None for c in doc.cells)
    if doc.status == "unreadable":
        assert doc.reason.startswith("conversion failed") or doc.reason in ("truncated", "corrupt")


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_rtf_through_libreoffice(settings):
    _require_soffice(settings)
    rtf = (r"{\rtf1\ansi\ansicpg936{\fonttbl{\f0\fnil\fcharset134 SimSun;}}"
           r"\f0 \u19968?\u12289?\u24635?\u20307?\u24773?\u20917?\par"
           r"\trowd\cellx2000\cellx4000 \u35268?\u31456?\cell 3\cell\row}").encode()
    doc = office.read_rtf(rtf, settings)
    assert doc.status is None, doc.reason
    assert [c.text for c in doc.cells if c.table is None][0] == "一、总体情况"
    assert [c.text for c in doc.cells if c.table is not None] == ["规章", "3"]


def test_encrypted_word_file_is_refused_before_conversion(settings):
    data = bytearray(golden("13_doc-2021.doc"))
    from core.sniff import ole_entries

    _, start, _ = ole_entries(bytes(data))["WordDocument"]
    ssz = 512
    off = (start + 1) * ssz
    data[off + 0x0B] |= 0x01  # FIB flags: fEncrypted
    doc = office.read_doc(bytes(data), settings)
    assert (doc.status, doc.reason) == ("unreadable", "encrypted")
