"""Lists read from the answers a rendered page fetched (crawlers/xhrlist.py), the portal outcome
(crawlers/outcome.py) and unit directories (crawlers/subsites.py): pure functions, no network.

The answers are in the shapes of real list APIs (docs/platforms.md): Epoint EWB `custom.data/total` (F§9),
gkmlpt `articles/total` (F§6), JPaaS `data.html` with `div.pagination` (F§1), TrueCMS JSONP (F§9), the pc/list
family's `urls` JSON string (F§9).
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from crawlers.outcome import portal_state, sharp_drop, state_reason
from crawlers.subsites import is_unit_directory, is_unit_name
from crawlers.xhrlist import (counts_in_payload, counts_in_text, entries_from_payload, other_pages, paged_request,
                              parse_payload)

pytestmark = pytest.mark.timeout(60)

EWB = {"custom": {"data": [{"realtitle": "徐州市鼓楼区人民政府2025年政府信息公开工作年度报告",
                            "infourl": "/xxgk/003006/20260120/abc.html", "infodate": "2026-01-20"}], "total": 45}}
GKMLPT = {"articles": [{"title": "肇庆市生态环境局2025年政府信息公开工作年度报告", "url": "https://www.zhaoqing.gov.cn/zqhjj/gkmlpt/content/3/3255/post_3255421.html",
                        "create_time": 1769000000}], "total": 145}
JPAAS = {"success": True, "data": {"html": '<li><a href="/art/2026/art_1.html" title="某县2025年政府信息公开工作年度报告">某县…</a>'
                                           '<span>2026-01-02</span></li><div class="pagination" count="31" rows="15" pageno="1"></div>'}}
PCLIST = {"articleList": [{"title": "某县2024年政府信息公开工作年度报告", "urls": '{"pc": "/kfs/c00085/pc/content/content_1.html"}',
                           "pubDate": 1706745600000}]}


def test_ewb_entry_url():
    assert entries_from_payload(EWB, "http://www.gl.gov.cn/EWB-FRONT/rest/x")[0].url == "http://www.gl.gov.cn/xxgk/003006/20260120/abc.html"


def test_ewb_entry_title():
    assert entries_from_payload(EWB, "http://www.gl.gov.cn/")[0].title == "徐州市鼓楼区人民政府2025年政府信息公开工作年度报告"


def test_ewb_entry_date():
    assert entries_from_payload(EWB, "http://www.gl.gov.cn/")[0].date == "2026-01-20"


def test_ewb_total():
    assert counts_in_payload(EWB).total == 45


def test_gkmlpt_date_from_epoch_seconds():
    assert entries_from_payload(GKMLPT, "https://www.zhaoqing.gov.cn/")[0].date == "2026-01-21"


def test_jpaas_html_inside_json_entry():
    assert entries_from_payload(JPAAS, "https://x.gov.cn/api")[0].url == "https://x.gov.cn/art/2026/art_1.html"


def test_jpaas_count_from_the_pagination_element():
    assert counts_in_payload(JPAAS).total == 31


def test_jpaas_rows_from_the_pagination_element():
    assert counts_in_payload(JPAAS).per_page == 15


def test_pclist_url_inside_a_json_string():
    assert entries_from_payload(PCLIST, "http://www.kf.gov.cn/")[0].url == "http://www.kf.gov.cn/kfs/c00085/pc/content/content_1.html"


def test_pclist_date_from_epoch_milliseconds():
    assert entries_from_payload(PCLIST, "http://www.kf.gov.cn/")[0].date == "2024-02-01"


def test_jsonp_is_unwrapped():
    assert parse_payload(b'cb({"result": "<li></li>"});') == {"result": "<li></li>"}


def test_html_is_not_json():
    assert parse_payload(b"<html><body></body></html>") is None


def test_count_text_gong_tiao():
    assert counts_in_text("<div>共23条 1/3页</div>").total == 23


def test_count_text_gong_ye():
    assert counts_in_text("&nbsp;&nbsp;共3页&nbsp;").pages == 3


def test_paged_request_in_query():
    assert paged_request("http://a/api?channel=n&page=1&size=5").key == "page"


def test_paged_request_in_param_json():
    assert paged_request('http://a/unit?pageId=x&paramJson={"pageNo":1,"pageSize":15}').key == "paramJson.pageNo"


def test_paged_request_in_json_body():
    body = json.dumps({"siteGuid": "g", "pageIndex": 0, "pageSize": 20})
    assert paged_request("http://a/getgovinfolist", "POST", body).where == "json"


def test_paged_request_in_form_body():
    assert paged_request("http://a/module/xxgk/search.jsp", "POST", "infotypeId=A06&currpage=1").key == "currpage"


def test_no_page_number_no_paging():
    assert paged_request("http://a/api/list?channel=n") is None


def test_other_pages_by_total_and_size():
    req = paged_request("http://a/api?page=1&size=5")
    pages = [parse_qs(urlsplit(f.url).query)["page"][0] for f in other_pages(req, counts_in_payload({"total": 12}), 5, 100)]
    assert pages == ["2", "3"]


def test_other_pages_zero_based():
    req = paged_request("http://a/x", "POST", json.dumps({"pageIndex": 0, "pageSize": 20}))
    pages = [json.loads(f.body)["pageIndex"] for f in other_pages(req, counts_in_payload(EWB["custom"]), 20, 100)]
    assert pages == [1, 2]


def test_other_pages_in_param_json():
    req = paged_request('http://a/unit?paramJson={"pageNo":1,"pageSize":15}')
    f = other_pages(req, counts_in_payload(JPAAS), 1, 100)[0]
    assert json.loads(parse_qs(urlsplit(f.url).query)["paramJson"][0]) == {"pageNo": 2, "pageSize": 15}


def test_other_pages_limited():
    req = paged_request("http://a/api?page=1&size=5")
    assert len(other_pages(req, counts_in_payload({"total": 500}), 5, 3)) == 3


# --- outcome -------------------------------------------------------------------------------------------------------

def _state(**kw):
    args = dict(challenged=False, column_found=True, home_ok=True, has_column_urls=False, home_error=None,
                reports=3, failures=0)
    args.update(kw)
    return portal_state(**args)


def test_column_without_reports_is_empty_column():
    assert _state(reports=0) == "empty_column"


def test_empty_column_even_with_failures():
    assert _state(reports=0, failures=2) == "empty_column"


def test_no_column():
    assert _state(column_found=False) == "no_column"


def test_reports_and_failures_is_partial():
    assert _state(failures=1) == "partial"


def test_ok_needs_reports():
    assert _state() == "ok"


def test_empty_column_reason_names_the_column():
    assert "http://x/nb/" in state_reason("empty_column", column_urls=["http://x/nb/"], errors=[], home_error=None)


def test_ok_has_no_reason():
    assert state_reason("ok", column_urls=[], errors=["x"], home_error=None) is None


def test_sharp_drop_to_half():
    assert sharp_drop(10, 5)


def test_no_drop_flag_for_small_loss():
    assert not sharp_drop(10, 6)


def test_no_drop_flag_for_one_report():
    assert not sharp_drop(2, 1)


def test_no_drop_flag_without_history():
    assert not sharp_drop(None, 0)


# --- unit directories ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["部门信息公开", "乡镇信息公开", "乡镇（街道）信息公开", "县直部门信息公开", "部门信息公开目录",
                                  "镇街信息公开平台"])
def test_unit_directory_titles(text):
    assert is_unit_directory(text)


@pytest.mark.parametrize("text", ["政府信息公开", "政府信息公开年报", "信息公开目录", "部门文件"])
def test_not_unit_directory_titles(text):
    assert not is_unit_directory(text)


@pytest.mark.parametrize("text", ["会宁县财政局", "城关镇", "翠苑街道", "县发展和改革委员会", "县人民政府办公室"])
def test_unit_names(text):
    assert is_unit_name(text)


@pytest.mark.parametrize("text", ["首页", "新闻中心", "政府信息公开指南", "示范区2023年政府信息公开工作年度报告", "联系我们"])
def test_not_unit_names(text):
    assert not is_unit_name(text)
