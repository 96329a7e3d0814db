"""Value rules of template.md: not-reported markers are null, never 0."""
import pytest

from extract.values import parse_value


@pytest.mark.parametrize("text", ["", " ", "\u00a0", "/", "-", "—", "--", "——", "无", "不适用", "／", "－"])
def test_not_reported_markers_are_null(text):
    v = parse_value(text)
    assert v is not None and v.number is None


@pytest.mark.parametrize("text,number", [
    ("0", 0), ("+3", 3), ("-1", -1), ("-185", -185), ("1,234", 1234), ("１２３", 123), ("12.35", 12.35),
    ("3.0", 3), (" 7 ", 7), ("1 234", 1234),
])
def test_numbers(text, number):
    v = parse_value(text)
    assert v is not None and v.number == number and type(v.number) is type(number)


@pytest.mark.parametrize("text,number,unit", [("24850元", 24850, "元"), ("1.5万元", 1.5, "万元"), ("３件", 3, "件")])
def test_units_are_kept_apart(text, number, unit):
    v = parse_value(text)
    assert v.number == number and v.unit == unit


@pytest.mark.parametrize("text", ["规章", "2021年", "总计", "结果维持", "1.属于国家秘密", "第二十条第（一）项"])
def test_labels_are_not_values(text):
    assert parse_value(text) is None
