"""The generic platform on a saved page: report links, 下一页 / 尾页 pagination, year sub-columns."""
from __future__ import annotations

import pytest

from crawlers.platforms import PLATFORMS

from tests.crawlers.platforms.saved import saved

pytestmark = pytest.mark.timeout(60)
GEN = PLATFORMS["generic"]


@pytest.fixture(scope="module")
def res():
    return GEN.parse_list(saved("generic", "list.html").page(), {})


def test_report_entry_url(res):
    assert res.entries[0].url == "https://jyj.yanan.gov.cn/zfxxgk/zfxxgknb/2026/0118/c5791.html"


def test_report_entry_date(res):
    assert res.entries[0].date == "2026-01-18"


def test_pages_between_next_and_last(res):
    assert {f"https://jyj.yanan.gov.cn/zfxxgk/zfxxgknb/{k}.html" for k in (2, 3, 4)} <= {f.url for f in res.follow}


def test_year_subcolumn_is_followed_as_a_column(res):
    sub = [f for f in res.follow if f.subcolumn]
    assert [f.url for f in sub] == ["https://jyj.yanan.gov.cn/zfxxgk/zfxxgknb/2024n/"]
