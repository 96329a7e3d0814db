"""gkmlpt platform on saved pages: the TREE, the JSON list API, attachments inside DETAIL."""
from __future__ import annotations

import pytest

from crawlers.platforms import PLATFORMS

from tests.crawlers.platforms.saved import saved

pytestmark = pytest.mark.timeout(60)
GK = PLATFORMS["gkmlpt"]


@pytest.fixture(scope="module")
def index():
    return GK.parse_list(saved("gkmlpt", "index.html").page(), {})


@pytest.fixture(scope="module")
def api():
    return GK.parse_list(saved("gkmlpt", "api_all_zhaoqing.json").page(), {"nb_gkmlpt": {"first": True}})


@pytest.fixture(scope="module")
def attachments():
    return GK.attachments(saved("gkmlpt", "post_detail.html").page())


def test_index_is_a_list_entry_point():
    assert GK.is_list_entry(saved("gkmlpt", "index.html").page())


def test_tree_nianbao_category_and_its_children_are_read(index):
    assert [f.url for f in index.follow] == ["https://www.zhaoqing.gov.cn/zqhjj/gkmlpt/api/all/2911?page=1&sid=758019",
                                             "https://www.zhaoqing.gov.cn/zqhjj/gkmlpt/api/all/2912?page=1&sid=758019"]


def test_tree_follow_title(index):
    assert index.follow[0].title == "政府信息公开年报"


def test_api_entry_url(api):
    assert api.entries[0].url == "https://www.zhaoqing.gov.cn/zqhjj/gkmlpt/content/3/3255/post_3255421.html"


def test_api_entry_title(api):
    assert api.entries[0].title == "肇庆市生态环境局2025年政府信息公开工作年度报告"


def test_api_entry_date_from_epoch(api):
    assert api.entries[0].date == "2026-01-20"


def test_api_every_article_is_an_entry(api):
    assert len(api.entries) == 2


def test_api_pages_from_total(api):
    assert [f.url for f in api.follow] == [f"https://www.zhaoqing.gov.cn/zqhjj/gkmlpt/api/all/2911?page={n}&sid=758019"
                                           for n in (2, 3)]


def test_attachment_named_only_in_alt_is_found(attachments):
    assert "https://www.yunfu.gov.cn/attachment/0/131/131339/2020043.pdf" in [u for u, _ in attachments]


def test_attachment_zip_is_found(attachments):
    assert "https://www.yunfu.gov.cn/attachment/0/131/131340/2020043.zip" in [u for u, _ in attachments]


def test_body_image_is_found(attachments):
    assert "https://www.yunfu.gov.cn/attachment/0/131/131341/p1.jpg" in [u for u, _ in attachments]


def test_attachment_list_entry_is_found_with_its_name(attachments):
    assert ("https://www.yunfu.gov.cn/attachment/0/131/131342/2020043.docx",
            "云浮市2025年政府信息公开工作年度报告.docx") in attachments
