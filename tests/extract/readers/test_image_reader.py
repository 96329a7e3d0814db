"""Pictures are scans: no_tables, reason scanned, never zeros."""
from __future__ import annotations

import pytest

from extract.readers import image

from tests.extract.readers.conftest import golden


@pytest.mark.parametrize("name", ["21_png-table.png", "22_jpg-table.jpg"])
def test_picture_is_a_scan(name, settings):
    doc = image.read(golden(name), settings)
    assert (doc.status, doc.reason) == ("no_tables", "scanned")
    assert doc.cells == [] and doc.images == 1
    assert "x" in doc.meta["image_size"]


def test_broken_picture_is_still_a_picture(settings):
    doc = image.read(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, settings)
    assert (doc.status, doc.reason) == ("no_tables", "scanned")
