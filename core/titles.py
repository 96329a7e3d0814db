"""Tell links apart by their text: 年报 titles, the 年报 column, navigation to 信息公开, pagination.

Lists mix reports with news, 指南, 制度 and notices *about* the reports; the title decides, never the URL.
"""
from __future__ import annotations

import re

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_WS = re.compile(r"\s+")
_YEAR = re.compile(r"(19[89]\d|20[0-4]\d)\s*年")
_CN_YEAR = re.compile(r"([二][〇○零ＯO一二三四五六七八九]{3})\s*年")

# A report is about 信息公开 (or, for some agencies, 政务公开) and is a 年度报告 / 年报 / 工作报告.
_TOPIC = re.compile(r"(政府信息公开|信息公开|政务公开|政务信息公开)")
_KIND = re.compile(r"(年度报告|年报|工作报告|年度工作报告|工作年度报告|年度报表)")
# Words that make a title *about* the reports, or another kind of document.
_NOT_REPORT = re.compile(
    r"(通知|解读|图解|指南|制度|会议|培训|编制|编写|报送|模板|范本|格式|要点|征集|意见|方案|办法|规定|规范|"
    r"目录|公告|通报|评估|考核|检查|督查|整改|问答|答复|申请表|登记表|说明会|部署|推进会|座谈|动员|汇编|"
    r"统计公报|企业年报|年报公示|工商年报|个体工商户|社会组织年报|年检|政府工作报告|法治政府)"
)
# A column (栏目) holding the reports: no year, short, says 年报 / 年度报告.
_COLUMN = re.compile(r"(信息公开(工作)?年(度)?报(告)?|公开年报|年度报告|^年报$|年报$|年报专栏|年度报告专栏)")
_COLUMN_BAD = re.compile(r"(企业|统计|财政|预算|决算|审计|法治|工作报告|政府工作|社会组织|年报公示|工商|信用)")
_NAV = re.compile(r"(政务公开|信息公开|政府信息公开|政务信息公开|公开目录|信息公开目录|政府信息|公开专栏|法定主动公开|主动公开)")
_NAV_BAD = re.compile(r"(申请|依申请|意见箱|信箱|指南|制度|规定|办法|通知|监督|举报|投诉|数据开放|公开平台登录)")
_NEXT = re.compile(r"^(下一页|下页|后一页|后页|下一頁|next|›|»|>|>>)$", re.I)
_LAST = re.compile(r"^(尾页|末页|最后一页|尾頁|last)$", re.I)
_PAGE_NUM = re.compile(r"^\[?\d{1,4}\]?$")


def norm(text: str | None) -> str:
    """Collapse whitespace (including full-width spaces) and strip."""
    if not text:
        return ""
    return _WS.sub(" ", text.replace("\u3000", " ").replace("\xa0", " ")).strip()


def _squash(text: str) -> str:
    return norm(text).replace(" ", "")


def report_year(title: str) -> int | None:
    """The report year written in a title (2021年 or 二〇二一年), or None."""
    t = _squash(title)
    m = _YEAR.search(t)
    if m:
        return int(m.group(1))
    m = _CN_YEAR.search(t)
    if m:
        return int("".join(_CN_DIGITS.get(c, c) for c in m.group(1)))
    return None


def is_report_title(title: str) -> bool:
    """True for a 政府信息公开工作年度报告 title, False for news, 指南, 制度 and notices about the reports."""
    t = _squash(title)
    if len(t) < 8 or len(t) > 160:
        return False
    if not _TOPIC.search(t) or not _KIND.search(t):
        return False
    if report_year(t) is None:
        return False
    if _NOT_REPORT.search(t):
        return False
    return True


def is_column_title(text: str) -> bool:
    """True for the 年报 column's navigation text (政府信息公开年报, 年报, 年度报告…)."""
    t = _squash(text)
    if not t or len(t) > 24:
        return False
    if report_year(t) is not None:
        return False
    if _COLUMN_BAD.search(t) or _NOT_REPORT.search(t):
        return False
    return bool(_COLUMN.search(t))


def is_nav_title(text: str) -> bool:
    """True for links towards the 信息公开 section (政务公开, 信息公开, 政府信息公开, 公开目录…)."""
    t = _squash(text)
    if not t or len(t) > 16:
        return False
    if _NAV_BAD.search(t):
        return False
    return bool(_NAV.search(t))


def nav_score(text: str) -> int:
    """Higher for the more specific navigation texts."""
    t = _squash(text)
    score = 0
    if "政府信息公开" in t:
        score += 3
    if "信息公开" in t:
        score += 2
    if "政务公开" in t:
        score += 2
    if "目录" in t or "专栏" in t:
        score += 1
    return score


def is_subcolumn_title(text: str) -> bool:
    """A sub-column inside the 年报 column: a year folder (2021年, 2021年度) or a unit-type folder."""
    t = _squash(text)
    if not t or len(t) > 20:
        return False
    if re.fullmatch(r"(19|20)\d\d(年度?|年报)?", t) or re.fullmatch(r"[二][〇○零一二三四五六七八九]{3}年度?", t):
        return True
    if is_column_title(t):
        return True
    return bool(re.search(r"(部门|乡镇|街道|镇街|乡（镇|单位|县直|市直|区直|区级|市级|县级)", t)) and not _NOT_REPORT.search(t)


def is_next_text(text: str) -> bool:
    return bool(_NEXT.match(_squash(text)))


def is_last_text(text: str) -> bool:
    return bool(_LAST.match(_squash(text)))


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUM.match(_squash(text)))


_DATE_PATTERNS = (
    re.compile(r"(20\d\d|19\d\d)[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(20\d\d|19\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
)


def find_date(text: str) -> str | None:
    """The first date in *text* as YYYY-MM-DD, or None."""
    if not text:
        return None
    for pat in _DATE_PATTERNS:
        for m in pat.finditer(text):
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return None
