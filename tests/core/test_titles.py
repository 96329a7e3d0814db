"""The one title grammar (core/titles.py) that the crawler, extraction and the warehouse read titles with."""
from __future__ import annotations

import pytest

from core.titles import excluded_kind, is_report_title, parse_title

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("title,agency,year", [
    # real list titles and file names (/work/scratch/platforms/pages/nianbao_titles_links/titles_real.txt)
    ("宿州市人民政府2019年政府信息公开工作年度报告（图片版）", "宿州市人民政府", 2019),
    ("屯溪区人民政府办公室2019年度政府信息公开年报", "屯溪区人民政府办公室", 2019),
    ("上海市黄浦区人民政府2022年政府信息公开工作年度报告（超链版）.pdf", "上海市黄浦区人民政府", 2022),
    ("淮安市洪泽区人民政府 2025 年政府信息公开工作年度报告", "淮安市洪泽区人民政府", 2025),
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
    ("宿豫区卫生健康局2024年度政府信息公开工作年度报告", "宿豫区卫生健康局", 2024),
    ("大庆市住房公积金管理中心2025年政府信息公开工作年度报告", "大庆市住房公积金管理中心", 2025),
    # forms the crawl issue saw on an unseen portal
    ("示例县人民政府关于2022年度政府信息公开工作的报告", "示例县人民政府", 2022),
    # names with digits (兵团 regiments) and with words that also name document kinds
    ("第一师阿拉尔市10团2021年政府信息公开工作年度报告", "第一师阿拉尔市10团", 2021),
    ("示例县机构编制委员会办公室2021年政府信息公开工作年度报告", "示例县机构编制委员会办公室", 2021),
    ("示例县人民政府督查室2022年政府信息公开工作年度报告", "示例县人民政府督查室", 2022),
    # what stands before the name in a line
    ("首页>政务公开>示例县财政局2021年政府信息公开工作年度报告", "示例县财政局", 2021),
    ("1.示例县财政局2021年政府信息公开工作年度报告", "示例县财政局", 2021),
    ("2021年政府信息公开工作年度报告", None, 2021),
])
def test_agency_and_year(title, agency, year):
    parsed = parse_title(title)
    assert (parsed.agency, parsed.year) == (agency, year)


def test_agency_as_printed_keeps_full_width_brackets():
    assert parse_title("示例县（区）财政局2021年政府信息公开工作年度报告").agency == "示例县（区）财政局"


@pytest.mark.parametrize("title", [
    "示例县财政局、示例县税务局2021年政府信息公开工作年度报告",
    "示例县2021年第二季度20210630财政局2021年政府信息公开工作年度报告",
])
def test_unreadable_agency_is_null_with_a_reason(title):
    parsed = parse_title(title)
    assert parsed is not None and parsed.agency is None and parsed.agency_reason


def test_prose_is_not_a_title():
    assert parse_title("根据《条例》规定，现公布2021年度示例县财政局政府信息公开工作报告。本报告由五部分组成。") is None


def test_a_notice_about_the_reports_is_not_a_title():
    assert parse_title("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知") is None


@pytest.mark.parametrize("title", [
    "示例县机构编制委员会办公室2021年政府信息公开工作年度报告",
    "示例县人民政府督查室2022年政府信息公开工作年度报告",
    "示例县人民政府关于2022年度政府信息公开工作的报告",
])
def test_agency_words_do_not_exclude_a_report(title):
    assert is_report_title(title)


@pytest.mark.parametrize("title", [
    "图解：示例县人民政府2021年政府信息公开工作年度报告",
    "屯溪区人民政府办公室2019年度政府信息公开年报（图解）",
    "示例县编制2022年政府信息公开工作年度报告的通知",
])
def test_other_documents_are_excluded(title):
    assert not is_report_title(title)


@pytest.mark.parametrize("title,kind", [
    ("屯溪区人民政府办公室2019年度政府信息公开年报（图解）", "interpretation"),  # real: the 图解 companion
    ("示范区2022年政府信息公开工作年度报告政策解读", "interpretation"),
    ("关于做好2023年度政府信息公开工作年度报告编制发布工作的通知", "notice"),
    ("示例县人民政府信息公开指南", "guide"),
    ("示例县政府信息公开保密审查制度", "rule"),
    ("示例县召开2022年度政务公开工作推进会", "meeting"),
    ("示例县2023年政务公开工作要点", "plan"),
    ("关于开展2021年度企业年报公示工作的通知", "notice"),
    ("示例县2022年部门决算公开", "other_report"),
])
def test_column_entries_named_as_another_kind_are_excluded(title, kind):
    assert excluded_kind(title) == kind


@pytest.mark.parametrize("title", [
    "淮安市洪泽区人民政府2025年年报",  # real file name: no 政府信息公开, still fetched
    "关于印发《示例县财政局2022年政府信息公开工作年度报告》的通知",  # a notice whose body is the report
    "2023年度",  # says too little to tell
    "水湖镇",
    "示例县机构编制委员会办公室2021年政府信息公开工作年度报告",
    "示例县人民政府督查室2022年政府信息公开工作年度报告",
    "示例县2023年政务公开工作总结",
])
def test_column_entries_that_may_be_reports_are_fetched(title):
    assert excluded_kind(title) is None


def _squash_by_definition(text: str) -> tuple[str, list[int]]:
    """The squashed form of a title line by its definition, one character at a time: NFKC of the character alone,
    whitespace (also zero-width and ideographic) and quotes removed; and where each kept character comes from."""
    import re
    import unicodedata

    ws = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000]+")
    quotes = str.maketrans("", "", "\"'“”‘’「」『』《》〈〉")
    out, origin = [], []
    for i, ch in enumerate(text):
        if ws.fullmatch(ch):
            continue
        n = ws.sub("", unicodedata.normalize("NFKC", ch).translate(quotes))
        out.append(n)
        origin.extend([i] * len(n))
    return "".join(out), origin


@pytest.mark.parametrize("line", [
    "示例县财政局2021年政府信息公开工作年度报告",
    "示 例 县\u3000财政局\xa0２０２１年“政府信息公开”工作年度报告\u200b",  # spaces, full-width digits, quotes
    "㈠示例县财政局2021年政府信息公开工作年度报告",  # a compatibility character that NFKC expands
    "Cafe\u0301 ﬁ 示例县 e\u0301\u0308 ᄀ\u1161 2021年信息公开报告",  # combining marks, a ligature, Hangul jamo
    "ㄱㅏ 示例县（财政局）：２０２１年度…报告",  # compatibility jamo that compose only across characters
    "《示例县》「财政局」『2021』年〈政务公开〉报告",
    "\u3000\u3000",
    "",
])
def test_title_text_is_squashed_character_by_character(line):
    """parse_title squashes a line through a per-character table (titles._squashed) and builds the character map
    only for a title (titles._origin); both must be the definition's forms, also for text that NFKC changes."""
    from core.titles import _origin, _squashed, squash_with_map

    expected = _squash_by_definition(line)
    assert (_squashed(line), _origin(line)) == expected
    assert squash_with_map(line) == expected
