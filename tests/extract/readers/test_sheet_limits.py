"""Issue 10 item 5 (bounded work), sheets: a workbook with more cells than `max_sheet_cells` is refused while it is
read (XLSX: counted row by row; XLS: from each sheet's size before its rows are read), `unreadable` with reason
`too_large`, never a partial table read as if it were the whole. Real golden workbooks, XLSX and XLS."""
from __future__ import annotations

import pytest

from extract.pipeline import extract_bytes
from extract.settings import ExtractSettings

from tests.extract.readers.conftest import golden

FILES = ["16_xlsx-2021-merged.xlsx", "17_xlsx-2019-sheets.xlsx", "18_xls-2021.xls", "19_xls-2019-sheets.xls"]


@pytest.mark.parametrize("name", FILES)
def test_more_cells_than_the_limit_is_too_large(name):
    data = golden(name)
    assert extract_bytes(data, name).status == "ok"  # the file reads under the default limit
    res = extract_bytes(data, name, settings=ExtractSettings(max_sheet_cells=50))
    assert (res.status, res.reason) == ("unreadable", "too_large"), (res.status, res.reason)
    assert res.cells == {} or all(v is None for v in res.cells.values())  # nothing half-read is stored as figures
