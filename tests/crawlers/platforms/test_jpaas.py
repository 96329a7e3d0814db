"""Hanweb JPaaS platform on saved pages: the unitbuild.js declaration, the unit API answer, its pagination."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from crawlers.platforms import PLATFORMS

from tests.crawlers.platforms.saved import saved

pytestmark = pytest.mark.timeout(60)
JPAAS = PLATFORMS["jpaas"]
API = "https://www.linxia.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"


def _query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


@pytest.fixture(scope="module")
def column():
    return JPAAS.parse_list(saved("jpaas", "column_linxia.html").page(), {})


@pytest.fixture(scope="module")
def answer():
    return JPAAS.parse_list(saved("jpaas", "unit_page1.json").page(), {})


def test_column_asks_the_unit_api(column):
    assert urlsplit(column.follow[0].url)._replace(query="").geturl() == API


def test_column_request_keeps_the_page_id(column):
    assert _query(column.follow[0].url)["pageId"] == "90ff8a93ea0746c792f655cbf01621a2"


def test_column_request_keeps_the_tag_id(column):
    assert _query(column.follow[0].url)["tagId"] == "法定主动公开内容第一个栏目list"


def test_column_request_pages_inside_param_json(column):
    assert json.loads(_query(column.follow[0].url)["paramJson"])["pageNo"] == 1


def test_column_request_says_xhr(column):
    assert column.follow[0].headers["X-Requested-With"] == "XMLHttpRequest"


def test_column_request_sends_the_column_as_referer(column):
    assert column.follow[0].headers["Referer"].endswith("/fdzdgknr/zfxxgknb/index.html")


def test_answer_entry_url(answer):
    assert answer.entries[0].url == ("https://www.linxia.gov.cn/lxz/zwgk/bmxxgkpt/lxzzjj/fdzdgknr/zfxxgknb/art/2026/"
                                     "art_0f91b139e71345d88ebf188bd3d73073.html")


def test_answer_entry_title_from_the_title_attribute(answer):
    assert answer.entries[0].title == "临夏州自然资源局2025年政府信息公开工作年度报告"


def test_answer_entry_date(answer):
    assert answer.entries[0].date == "2026-01-20"


def test_pager_links_are_not_entries(answer):
    assert len(answer.entries) == 2


def test_other_pages_from_count_and_rows(answer):
    assert [json.loads(_query(f.url)["paramJson"])["pageNo"] for f in answer.follow] == [2, 3]


def test_later_pages_do_not_page_again():
    res = JPAAS.parse_list(saved("jpaas", "unit_page1.json").page(), {"nb_jpaas": {"first": False}})
    assert res.follow == []


def test_empty_template_retries_without_tag_id():
    res = JPAAS.parse_list(saved("jpaas", "unit_empty.json").page(), {})
    assert _query(res.follow[0].url)["tagId"] == ""


def test_empty_template_retries_once():
    res = JPAAS.parse_list(saved("jpaas", "unit_empty.json").page(), {"nb_jpaas": {"retried": True, "first": True}})
    assert res.follow == []


def test_pdf_viewer_attachment():
    assert JPAAS.attachments(saved("jpaas", "detail_wenzhou.html").page()) == [
        ("https://www.ouhai.gov.cn/module/download/downfile.jsp?classid=0&filename=7d3c0a1b2e4f4c5d9e8f7a6b5c4d3e2f.pdf", "")]
