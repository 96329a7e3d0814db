"""TRS platform on saved pages: both createPageHTML signatures, countPage, the cap on a bogus count."""
from __future__ import annotations

import pytest

from crawlers.platforms import MAX_PAGES, PLATFORMS

from tests.crawlers.platforms.saved import saved

pytestmark = pytest.mark.timeout(60)
TRS = PLATFORMS["trs"]


@pytest.fixture(scope="module")
def sig_b():
    return TRS.parse_list(saved("trs", "list_sigB.shtml").page(), {})


@pytest.fixture(scope="module")
def classic():
    return TRS.parse_list(saved("trs", "index_classic.html").page(), {})


def test_sig_b_first_entry_url(sig_b):
    assert sig_b.entries[0].url == "https://daqing.gov.cn/daqing/c2025niandu5/202601/t20260120_401805.shtml"


def test_sig_b_first_entry_title(sig_b):
    assert sig_b.entries[0].title == "大庆市住房公积金管理中心2025年政府信息公开工作年度报告"


def test_sig_b_first_entry_date(sig_b):
    assert sig_b.entries[0].date == "2026-01-20"


def test_sig_b_year_first_title_is_an_entry(sig_b):
    assert "2025年黄浦区财政局政府信息公开工作年度报告" in [e.title for e in sig_b.entries]


def test_sig_b_pages_are_numbered_from_2_to_the_count(sig_b):
    pages = [f.url for f in sig_b.follow if "/list_" in f.url]
    assert pages == [f"https://daqing.gov.cn/daqing/c2025niandu5/list_{i}.shtml" for i in range(2, 9)]


def test_classic_pages_are_numbered_from_1_to_count_minus_1(classic):
    pages = [f.url for f in classic.follow]
    assert pages == [f"https://www.mva.gov.cn/gongkai/zfxxgkpt/zfxxgknb/index_{i}.html" for i in range(1, 28)]


def test_classic_truncated_text_takes_the_title_attribute(classic):
    assert classic.entries[1].title == "宿豫区卫生健康局2024年度政府信息公开工作年度报告"


def test_classic_entry_date(classic):
    assert classic.entries[1].date == "2026-03-18"


def test_countpage_pages():
    res = TRS.parse_list(saved("trs", "countpage.html").page(), {})
    assert [f.url for f in res.follow] == [f"http://www.ccdijl.gov.cn/jwjct2018/scdc/index_{i}.html" for i in range(1, 5)]


def test_bogus_count_is_capped_before_any_url_is_built():
    res = TRS.parse_list(saved("trs", "list_huge_count.shtml").page(), {})
    assert len(res.follow) == MAX_PAGES - 1


def test_bogus_count_cap_is_reported():
    res = TRS.parse_list(saved("trs", "list_huge_count.shtml").page(), {})
    assert res.capped == [f"createPageHTML says 100000 pages; read the first {MAX_PAGES}"]


def test_detects_the_report_body_class():
    from crawlers.page import Page

    assert TRS.detect(Page("http://h/t.html", b"<div class='TRS_Editor'><p>x</p></div>"))
