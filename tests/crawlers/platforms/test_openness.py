"""OpennessContent platform on a saved page: entries, dates in the dt, pages from 共N页."""
from __future__ import annotations

import pytest

from crawlers.platforms import PLATFORMS

from tests.crawlers.platforms.saved import saved

pytestmark = pytest.mark.timeout(60)
OPEN = PLATFORMS["openness"]


@pytest.fixture(scope="module")
def res():
    return OPEN.parse_list(saved("openness", "page_1.html").page(), {})


def test_report_entry_url(res):
    assert res.entries[0].url == "https://gaj.chizhou.gov.cn/OpennessContent/show/2959648.html"


def test_report_entry_title(res):
    assert res.entries[0].title == "池州市公安局2025年政府信息公开工作年度报告"


def test_report_entry_date_from_the_dt(res):
    assert res.entries[0].date == "2026-01-18"


def test_every_page_up_to_the_count(res):
    base = "https://gaj.chizhou.gov.cn/OpennessContent/showList/15/85522/page_{}.html"
    assert {base.format(k) for k in (1, 2, 3)} <= {f.url for f in res.follow}


def test_department_site_is_detected():
    from crawlers.page import Page

    assert OPEN.detect(Page("http://fgw.huangshan.gov.cn/BranchOpennessContent/showList/10374/0/page_1.html", b""))
