"""Hanweb JCMS platform on saved pages: <datastore> records, the dataproxy.jsp requests, an API answer."""
from __future__ import annotations

import pytest

from crawlers.platforms import PLATFORMS

from tests.crawlers.platforms.saved import saved

pytestmark = pytest.mark.timeout(60)
HANWEB = PLATFORMS["hanweb"]


@pytest.fixture(scope="module")
def dingxi():
    return HANWEB.parse_list(saved("hanweb", "column_dingxi.html").page(), {})


@pytest.fixture(scope="module")
def jpage():
    return HANWEB.parse_list(saved("hanweb", "column_jpage_report.html").page(), {})


def test_every_record_is_an_entry(dingxi):
    assert len(dingxi.entries) == 2


def test_record_url(dingxi):
    assert dingxi.entries[0].url == "http://www.dingxi.gov.cn/art/2022/1/20/art_12377_1486865.html"


def test_record_title_from_title_attribute_when_text_is_cut(dingxi):
    assert dingxi.entries[1].title == "定西市工信局关于对省级第二轮环保督察反馈第四项第十三项问题整改完成情况的公示"


def test_record_date_from_b(dingxi):
    assert dingxi.entries[1].date == "2022-01-19"


def test_rest_by_post_to_the_proxy(dingxi):
    assert dingxi.follow[0].method == "POST"


def test_proxy_url_starts_after_the_page_records(dingxi):
    assert dingxi.follow[0].url == "http://www.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=47&perpage=15"


def test_proxy_form_has_the_column(dingxi):
    assert "columnid=12377" in dingxi.follow[0].body and "unitid=38486" in dingxi.follow[0].body and "webid=110" in dingxi.follow[0].body


def test_jpage_total_gives_every_chunk(jpage):
    assert [f.url.split("?")[1] for f in jpage.follow] == ["startrecord=2&endrecord=46&perpage=15",
                                                          "startrecord=47&endrecord=91&perpage=15"]


def test_jpage_record_title(jpage):
    assert jpage.entries[0].title == "山东省科学技术厅2025年政府信息公开工作年度报告"


def test_api_answer_record():
    page = saved("hanweb", "dataproxy_weihai.xml").page()
    res = HANWEB.parse_list(page, {"nb_hanweb": {"params": {}, "proxy": page.url.split("?")[0], "listing": "x",
                                                 "total_known": True}})
    assert [(e.url, e.date) for e in res.entries] == [("http://zjj.weihai.gov.cn/art/2026/5/25/art_28584_6376026.html",
                                                      "2026-05-25")]


def test_api_answer_asks_for_the_rest_when_the_total_was_unknown():
    page = saved("hanweb", "dataproxy_weihai.xml").page()
    res = HANWEB.parse_list(page, {"nb_hanweb": {"params": {"perpage": "15"}, "proxy": page.url.split("?")[0],
                                                 "listing": "x", "total_known": False}})
    assert res.follow[0].url.endswith("startrecord=46&endrecord=90&perpage=15") and len(res.follow) == 6
