"""The one title grammar: what a 年报 title says (agency, year), and how links are told apart by their text.

- `parse_title(line)`: the grammar of a report title, "[agency][关于][year]年[度][政府信息公开…报告][（note）]"
  or "[year]年[度][agency][政府信息公开…报告]": the agency as printed and the year, or the reason the agency
  cannot be read. Extraction (extract/metadata.py), the warehouse (warehouse/agencies.py) and the crawler all
  read titles with it.
- `is_report_title(text)`: the crawler's ranking of list entries: a 年报 title, not a notice *about* the reports,
  an interpretation (解读, 图解), a 指南 or 制度. Words that make a title another kind of document are looked for
  outside the agency's name, so 机构编制委员会办公室 and 督查室 reports are reports.
- `is_column_title`, `is_nav_title`, `is_subcolumn_title`, pagination texts, `find_date`: navigation.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_WS = re.compile(r"\s+")
_YEAR = re.compile(r"(19[89]\d|20[0-4]\d)\s*年")
_CN_YEAR = re.compile(r"([二][〇○零ＯO一二三四五六七八九]{3})\s*年")

# A report is about 信息公开 (or, for some agencies, 政务公开) and is a 年度报告 / 年报 / 工作报告.
_TOPIC = re.compile(r"(政府信息公开|信息公开|政务公开|政务信息公开)")
_KIND = re.compile(r"(年度报告|年报|工作报告|年度工作报告|工作年度报告|年度报表|工作的报告)")
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
    parsed = parse_title(title)
    rest = t
    if parsed is not None and parsed.agency_squashed:  # words inside the agency's name do not count
        i = parsed.text.find(parsed.agency_squashed)
        rest = parsed.text[:i] + parsed.text[i + len(parsed.agency_squashed):]
    if _NOT_REPORT.search(rest):
        return False
    return True


# Entries of a 年报 column that are not fetched (docs/crawling.md, "The body decides"): titles that clearly name
# another kind of document. Everything else in the column is fetched and extraction decides (not_a_report).
# Kept short on purpose: each entry is a kind of document seen next to the reports in real 年报 columns or
# named by the national rules, never a word of one portal's titles.
EXCLUDED_KINDS: tuple[tuple[str, str], ...] = (
    ("interpretation", r"解读|图解|一图读懂|问答"),     # companions of a report (（图解） beside the report, 政策解读)
    ("notice", r"通知|通告"),                          # notices about compiling or sending the reports
    ("guide", r"指南"),                                # 政府信息公开指南
    ("rule", r"制度|办法|规定|细则"),                  # 政府信息公开制度 and other rules
    ("meeting", r"会议|推进会|座谈会|培训|动员会"),     # news of meetings and training about the work
    ("plan", r"工作要点|实施方案|工作方案|工作计划"),   # the year's work plans
    ("other_report", r"企业年报|年报公示|工商年报|社会组织年报|统计公报|政府工作报告|预算|决算"),
)
_EXCLUDED = [(kind, re.compile(words)) for kind, words in EXCLUDED_KINDS]
# A notice *publishing* the report ("关于印发《XX局2022年政府信息公开工作年度报告》的通知"): its body is the report.
_PUBLISHES_REPORT = re.compile(r"(印发|公布|发布|公开)\S{0,60}?(年度报告|年报|工作报告)\S{0,4}?的?通知")


def excluded_kind(title: str) -> str | None:
    """The kind of document a column entry's title clearly names, when it is not a report (then it is not
    fetched); None for report titles and for titles that say too little to tell (those are fetched)."""
    t = _squash(title)
    if not t or is_report_title(t):
        return None
    parsed = parse_title(t)
    rest = t
    if parsed is not None and parsed.agency_squashed:
        i = parsed.text.find(parsed.agency_squashed)
        rest = parsed.text[:i] + parsed.text[i + len(parsed.agency_squashed):]
    for kind, rx in _EXCLUDED:
        if rx.search(rest):
            if kind == "notice" and _PUBLISHES_REPORT.search(rest):
                continue
            return kind
    return None


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


# --- the report-title grammar ------------------------------------------------------------------------------------
_INVISIBLE_WS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000]+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』《》〈〉")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_REPORT_WORDS = r"(?:政府信息公开|政务公开|信息公开|政府信息)(?:工作)?(?:年度)?(?:工作)?(?:的)?(?:报告|年报)"
_TITLE_A = re.compile(
    rf"^(?P<agency>.*?)(?:关于)?(?:公布|发布|印发)?(?P<year>(?:19|20)\d{{2}})年度?(?:的)?(?:本单位|本机关|本局)?{_REPORT_WORDS}"
)
_TITLE_B = re.compile(rf"^(?P<year>(?:19|20)\d{{2}})年度?(?P<agency>[^\d]{{2,40}}?){_REPORT_WORDS}")
TITLE_MAX = 90  # squashed characters: longer lines are sentences, not titles
_BRACKETED = re.compile(r"[(（【\[][^)）】\]]*[)）】\]]")
# What stands before a name in a title line: a breadcrumb (首页>政务公开>), a label (标题:), a bracketed tag, a
# prefix ending in a colon (图解:, 转载:), punctuation.
_AGENCY_JUNK_HEAD = re.compile(r"^(?:.*[>»＞]|.*:|\[[^\]]*\]|【[^】]*】|[\s\W_]+)")
_ORDINAL_HEAD = re.compile(r"^\d{1,2}[.、)](?!\d)")  # "1." / "2、" in front of a title in a list
# Punctuation of a sentence: a line with it before the year is prose that mentions a report, not a title.
_SENTENCE = re.compile(r"[,，。;；!！?？]")
_LONG_NUMBER = re.compile(r"\d{4,}")  # a year or a date inside the name part: not a name
_AGENCY_TAIL = re.compile(r"(?:关于|的|之|发布|公布|印发)+$")
_AGENCY_MAX = 40


class _SquashedChars(dict):
    """ord(ch) -> what a title's squashed form makes of ch: its NFKC form without whitespace and quotes ("" for
    whitespace).  Filled as characters are met, so that `str.translate` squashes a line in one C loop, character by
    character exactly as the definition says (NFKC of each character alone, never across characters)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = "" if _INVISIBLE_WS.fullmatch(ch) else _INVISIBLE_WS.sub(
            "", unicodedata.normalize("NFKC", ch).translate(_QUOTES))
        if len(self) < 200_000:
            self[code] = out
        return out


_SQUASHED_CHARS = _SquashedChars()


def squash_with_map(text: str) -> tuple[str, list[int]]:
    """NFKC, whitespace and quotes removed (the form titles are matched in) and, for each character of it, the
    index of the original character it came from (an agency is cut from the original, as printed)."""
    return _squashed(text), _origin(text)


def _origin(text: str) -> list[int]:
    """For each character of the squashed form, the index of the character of `text` it comes from."""
    table = _SQUASHED_CHARS
    origin: list[int] = []
    for i, ch in enumerate(text):
        n = len(table[ord(ch)])
        if n == 1:
            origin.append(i)
        elif n:
            origin.extend([i] * n)
    return origin


def _squashed(text: str) -> str:
    """squash_with_map(text)[0], without building the map (most lines tried as titles are not titles)."""
    return text.translate(_SQUASHED_CHARS)


def could_be_title(line: str | None) -> bool:
    """False when `parse_title(line)` is certainly None: every title says 公开 and 报告/年报 (a cheap first test)."""
    return bool(line) and "公" in line and "开" in line and "报" in line  # type: ignore[operator]


@dataclass(frozen=True)
class TitleParse:
    """A line read as a report title."""

    text: str  # the title, squashed (NFKC, no whitespace, no quotes)
    agency: str | None  # as printed (whitespace removed), None when the title names none or it cannot be read
    year: int
    agency_reason: str | None = None  # why `agency` is None although the title has a name part
    agency_squashed: str = ""  # the name part as matched in `text` (to look at the rest of the title)


def _agency_problem(agency: str) -> str | None:
    if len(agency) < 2:
        return "too short"
    if not _CJK.search(agency):
        return "no Chinese characters"
    if len(agency) > _AGENCY_MAX:
        return f"longer than {_AGENCY_MAX} characters"
    if "、" in agency:
        return "a list of names"
    if _LONG_NUMBER.search(agency):
        return "a number of four or more digits"
    return None


def _title_tail_ok(rest: str) -> bool:
    """What may follow 报告 in a title: nothing, a bracketed note (（图片版）), or a short word (.pdf)."""
    rest = _BRACKETED.sub("", rest)
    return not rest or (len(rest) <= 6 and not re.search(r"\d", rest))


def _as_printed(line: str, squashed: str, origin: list[int], start: int, agency: str) -> str:
    pos = squashed.find(agency, start)
    if pos < 0:
        return agency
    return _INVISIBLE_WS.sub("", line[origin[pos]:origin[pos + len(agency) - 1] + 1]) or agency


def parse_title(line: str | None) -> TitleParse | None:
    """The line read as a 年报 title, or None when it is not one (no year and report words, prose, too long).

    An agency part that cannot be a name (too long, no Chinese, a list, a long number) gives `agency=None` with
    `agency_reason`, never a guess; a title without an agency part ("2021年政府信息公开工作年度报告") gives
    `agency=None` and no reason.
    """
    if not could_be_title(line):
        return None  # every title says 公开 and 报告/年报: most lines are ruled out before normalising
    s = _squashed(line)  # type: ignore[arg-type]
    if len(s) > TITLE_MAX or ("信息公开" not in s and "政务公开" not in s):
        return None
    for rx in (_TITLE_A, _TITLE_B):
        m = rx.match(s)
        if not m or not _title_tail_ok(s[m.end():]):
            continue
        year = int(m.group("year"))
        raw = _AGENCY_TAIL.sub("", m.group("agency") or "").strip()
        if not raw:
            if rx is _TITLE_B:
                continue
            return TitleParse(s, None, year)
        if _SENTENCE.search(raw):
            continue  # prose that mentions a report, not a title
        start = m.start("agency")
        agency = raw
        if re.search(r"[>»＞\[【:]|^\W", agency):
            cut = _AGENCY_JUNK_HEAD.sub("", agency)
            start += len(agency) - len(cut)
            agency = cut
        head = _ORDINAL_HEAD.match(agency)
        if head:
            start += head.end()
            agency = agency[head.end():]
        agency = _AGENCY_TAIL.sub("", agency).strip(" :-_|")
        problem = _agency_problem(agency)
        if problem is not None:
            if rx is _TITLE_B:
                continue
            return TitleParse(s, None, year, agency_reason=f"agency part {agency[:60]!r} of the title is not a name: {problem}")
        origin = _origin(line)  # type: ignore[arg-type]
        return TitleParse(s, _as_printed(line, s, origin, start, agency), year, agency_squashed=agency)
    return None
