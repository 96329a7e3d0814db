"""Hanweb 信息公开目录 platform on saved pages: shell → tree.jsp → the 年报 node → search.jsp rows and pages."""
from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from crawlers.platforms import PLATFORMS

from tests.crawlers.platforms.saved import saved

pytestmark = pytest.mark.timeout(60)
XXGK = PLATFORMS["xxgk"]


@pytest.fixture(scope="module")
def shell():
    return XXGK.parse_list(saved("xxgk", "shell_jilin.html").page(), {})


@pytest.fixture(scope="module")
def tree(shell):
    return XXGK.parse_list(saved("xxgk", "tree.html").page(), shell.follow[0].meta)


@pytest.fixture(scope="module")
def search():
    return XXGK.parse_list(saved("xxgk", "search_harbin.html").page(), {})


def _form(follow):
    return {k: v[0] for k, v in parse_qs(follow.body, keep_blank_values=True).items()}


def test_shell_is_a_list_entry():
    assert XXGK.is_list_entry(saved("xxgk", "shell_jilin.html").page())


def test_shell_asks_for_its_tree(shell):
    assert shell.follow[0].url == ("https://jilin.chinatax.gov.cn/module/xxgk/tree.jsp?standardXxgk=1"
                                   "&area=11220100MB1507524C&divid=div4")


def test_shell_unit_is_its_area(shell):
    assert shell.follow[0].meta["nb_xxgk"]["area"] == "11220100MB1507524C"


def test_tree_picks_the_nianbao_node(tree):
    assert [_form(f)["infotypeId"] for f in tree.follow] == ["A06"]


def test_tree_search_is_a_post(tree):
    assert tree.follow[0].method == "POST"


def test_tree_search_url(tree):
    assert tree.follow[0].url == "https://jilin.chinatax.gov.cn/module/xxgk/search.jsp"


def test_tree_search_keeps_the_area(tree):
    assert _form(tree.follow[0])["area"] == "11220100MB1507524C"


def test_tree_search_keeps_the_divid(tree):
    assert _form(tree.follow[0])["divid"] == "div4"


def test_tree_search_starts_at_page_1(tree):
    assert _form(tree.follow[0])["currpage"] == "1"


def test_search_entry_url(search):
    assert search.entries[0].url == "http://xxgk.harbin.gov.cn/art/2026/1/28/art_13813_1402288.html"


def test_search_entry_title_from_the_title_attribute(search):
    assert search.entries[0].title == "哈尔滨市人民政府办公厅2025年政府信息公开工作年度报告"


def test_search_entry_date_from_its_cell(search):
    assert search.entries[0].date == "2026-01-28"


def test_search_other_pages_from_the_page_count(search):
    assert [_form(f)["currpage"] for f in search.follow] == ["2", "3"]


def test_search_later_pages_do_not_page_again():
    res = XXGK.parse_list(saved("xxgk", "search_harbin.html").page(),
                          {"nb_xxgk": {"infotypeId": "A06", "area": "002276772", "first": False}})
    assert res.follow == []
