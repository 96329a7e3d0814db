"""Pictures: read by OCR (tests/extract/readers/test_ocr_reader.py); with OCR off they are scans:
no_tables, reason scanned, never zeros, and no pixel is decoded."""
from __future__ import annotations

import dataclasses

import pytest

from extract.readers import image

from tests.extract.readers.conftest import golden


@pytest.fixture
def no_ocr(settings):
    return dataclasses.replace(settings, ocr=False)


@pytest.mark.parametrize("name", ["21_png-table.png", "22_jpg-table.jpg"])
def test_picture_is_a_scan_without_ocr(name, no_ocr):
    doc = image.read(golden(name), no_ocr)
    assert (doc.status, doc.reason) == ("no_tables", "scanned")
    assert doc.cells == [] and doc.images == 1
    assert "x" in doc.meta["image_size"]


def test_broken_picture_is_still_a_picture(settings, no_ocr):
    for s in (settings, no_ocr):  # with OCR on, a picture whose header is broken is not decoded either
        doc = image.read(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, s)
        assert (doc.status, doc.reason) == ("no_tables", "scanned")
