"""Agency, year and publication date: one small test per field and source."""
import pytest

from extract.metadata import match_title, parse_date, read_metadata
from extract.model import Cell, ParsedDocument


def doc(lines, **kw):
    return ParsedDocument(format="text", layout="text_lines", cells=[Cell(x) for x in lines], text="\n".join(lines), **kw)


@pytest.mark.parametrize("title,agency,year", [
    ("达州市通川区经济和信息化局2021年政府信息公开工作年度报告", "达州市通川区经济和信息化局", 2021),
    ("泉州市行政服务中心管委会关于2021年政府信息公开年度工作报告", "泉州市行政服务中心管委会", 2021),
    ("XX县人民政府2020年度政府信息公开工作报告", "XX县人民政府", 2020),
    ("XX镇人民政府2022年政府信息公开工作年度报告（图片版）", "XX镇人民政府", 2022),
    ("2023年度XX市财政局政府信息公开工作年度报告", "XX市财政局", 2023),
    ("2021年政府信息公开工作年度报告", None, 2021),
])
def test_title_forms(title, agency, year):
    m = match_title(title)
    assert m is not None and m.agency == agency and m.year == year


def test_narrative_sentence_is_not_a_title():
    assert match_title("根据《中华人民共和国政府信息公开条例》的规定和要求，现公布2021年度泉州市行政服务中心管委会"
                       "政府信息公开工作报告。本报告由基本情况、主动公开政府信息情况组成。") is None


def test_title_split_over_two_lines():
    m = read_metadata(doc(["同江市工业信息化科技局2020年政府", "信息公开工作年度报告", "一、总体情况"]))
    assert (m.agency, m.report_year) == ("同江市工业信息化科技局", 2020)


def test_agency_from_publisher_field_when_body_has_no_title():
    m = read_metadata(doc(["信息索引号:", "113307037289051608/2020-32676", "发布机构:", "区经济商务局", "一、总体情况",
                           "2019年，我局持续深入贯彻。2019年共公开37条。"]))
    assert m.agency == "区经济商务局" and m.report_year == 2019


def test_agency_from_breadcrumb():
    m = read_metadata(doc(["首页 > 政务公开 > 政府部门 > 区财政局 > 政府信息公开年报", "一、总体情况",
                           "2021年，我局认真贯彻。2021年共发布信息10条。"]))
    assert m.agency == "区财政局"


def test_agency_from_title_tag():
    m = read_metadata(doc(["一、总体情况", "2021年，我局认真贯彻。"],
                          title="某县水利局2021年政府信息公开工作年度报告_某县人民政府"))
    assert m.agency == "某县水利局" and m.report_year == 2021


def test_published_from_field_beats_signature():
    m = read_metadata(doc(["XX局2021年政府信息公开工作年度报告", "发布日期：2022-01-12", "正文", "XX局", "2022年1月18日"]))
    assert m.published == "2022-01-12"


def test_published_from_signature():
    m = read_metadata(doc(["XX局2021年政府信息公开工作年度报告", "正文", "XX局", "2022年1月18日"]))
    assert m.published == "2022-01-18"


def test_chinese_numeral_signature_date():
    m = read_metadata(doc(["XX局2021年政府信息公开工作年度报告", "正文", "二〇二二年一月二十八日"]))
    assert m.published == "2022-01-28"


def test_statistics_period_is_not_a_publication_date():
    m = read_metadata(doc(["XX局2019年政府信息公开工作年度报告", "本报告统计期限为2019年1月1日至2019年12月31日。"]))
    assert m.published is None


def test_no_date_gives_null_not_first_of_january():
    m = read_metadata(doc(["XX局2020年政府信息公开工作年度报告", "一、总体情况"]))
    assert m.published is None


@pytest.mark.parametrize("text,iso", [("2022-01-12 10:33", "2022-01-12"), ("2022年1月8日", "2022-01-08"),
                                      ("2022/1/8", "2022-01-08"), ("1642000000", "2022-01-12")])
def test_date_forms(text, iso):
    assert parse_date(text).isoformat() == iso


def test_agency_keeps_full_width_brackets_as_printed():
    m = read_metadata(doc(["通江县人民政府办公室（县政务服务和大数据管理局）2021年政府信息公开工作年度报告", "一、总体情况"]))
    assert m.agency == "通江县人民政府办公室（县政务服务和大数据管理局）"


def test_unreadable_agency_is_null_with_a_reason_not_a_body_fragment():
    """Issue 10 item 6: a title whose agency part is not a name must not borrow another report's agency (here a
    sidebar link further down the page)."""
    m = read_metadata(doc(["示例县财政局、示例县税务局2021年政府信息公开工作年度报告", "一、总体情况",
                           "2021年，我局认真贯彻。", "相关链接", "财政局2021年政府信息公开工作年度报告"]))
    assert m.agency is None and m.agency_reason and m.report_year == 2021


def test_regiment_name_with_digits_is_read():
    m = read_metadata(doc(["第一师阿拉尔市10团2021年政府信息公开工作年度报告", "一、总体情况", "财政局2021年政府信息公开工作年度报告"]))
    assert m.agency == "第一师阿拉尔市10团"
