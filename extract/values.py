"""Reading the value printed in one table cell.

The template's rules: a blank cell, "/", "-", "—", "无", "不适用" mean "not reported" and become
null, never 0; "+3" is 3 and "-185" is -185; "24850元" is 24850 with unit 元; full-width digits
and thousands separators are numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .textnorm import nfkc

NULL_MARKERS = frozenset({
    "", "/", "//", "\\", "-", "--", "---", "—", "——", "–", "――", "―", "─", "一", "无", "不适用", "暂无",
    "空", "NA", "N/A", "na", "n/a", "×", "*", "…", "...", "null",
})
_UNITS = "万元|亿元|千元|元|件次|人次|件|个|项|条|次|宗|家|份|%"
_NUMBER = re.compile(rf"^(?P<sign>[+-])?(?P<num>\d+(?:\.\d+)?)(?:[(]?(?P<unit>{_UNITS})[)]?)?$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


@dataclass(frozen=True, slots=True)
class Value:
    number: int | float | None  # None: not reported (a null marker)
    unit: str | None = None


def parse_value(text: str) -> Value | None:
    """The cell's value, or None when the text is not a value at all (a label, a sentence)."""
    if text.isascii() and text.isdigit():  # the common case: "0", "12"
        return Value(int(text))
    s = _SPACES.sub("", nfkc(text))
    if s in NULL_MARKERS:
        return Value(None)
    s = s.replace("−", "-").replace("﹢", "+")
    s = _THOUSANDS.sub("", s)
    m = _NUMBER.match(s)
    if not m:
        return None
    num = m.group("num")
    number: int | float = float(num) if "." in num else int(num)
    if isinstance(number, float) and number.is_integer() and not m.group("unit"):
        # "3.0" printed by spreadsheets is an integer count; "1.50" money stays decimal only with a unit
        number = int(number) if num.endswith(".0") else number
    if m.group("sign") == "-":
        number = -number
    return Value(number, m.group("unit"))


def is_value_text(text: str) -> bool:
    return parse_value(text) is not None
