"""Agency, report year and publication date, read from the page itself.

trafilatura invents a date (1 January) when a page shows none and never finds the agency, so
these come from the report title ("达州市通川区经济和信息化局2021年政府信息公开工作年度报告"), the page's
fields (发布机构, 发布日期, 信息索引号), its breadcrumb and title tag, and the signature at the end.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone

from .model import ParsedDocument
from core.titles import could_be_title, parse_title

from .textnorm import compact, has_cjk, nfkc, squash

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")
_FIELD = re.compile(
    r"^(?P<name>发布机构|发文机关|发布单位|来源单位|信息来源|来源|发布日期|发布时间|公开日期|发文日期|成文日期|生成日期|日期|索引号|信息索引号)"
    r"\s*[:：]\s*(?P<value>.*)$"
)
_FIELD_SPLIT = re.compile(r"\s{2,}|\s(?=(?:发布机构|发布时间|发布日期|信息来源|来源|成文日期|访问次数|浏览次数|字体)[:：])")
_DATE_NUM = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "十": 10}
_DATE_CN = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_SIGNATURE = re.compile(r"^\s*(?:((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)\s*$")
_ORGAN_SUFFIX = re.compile(
    r"(人民政府|政府|行政公署|办公室|办公厅|委员会|管委会|管理委员会|局|委|办|厅|院|署|中心|所|站|馆|队|处|科|会|街道办事处|街道|镇|乡|部|集团|公司|社|台)$"
)
_COLUMN_WORDS = ("首页", "政务公开", "信息公开", "政府信息公开", "年报", "年度报告", "公开年报", "组织机构", "政府部门",
                 "当前位置", "您的位置", "法定主动公开内容", "乡镇街道", "部门", "正文")


@dataclass
class TitleMatch:
    text: str
    agency: str | None
    year: int
    agency_reason: str | None = None  # why agency is None although the title has a name part


def match_title(line: str) -> TitleMatch | None:
    """A line read as a report title, by the project's one title grammar (core/titles.py)."""
    parsed = parse_title(line)
    if parsed is None:
        return None
    return TitleMatch(parsed.text, parsed.agency, parsed.year, parsed.agency_reason)


def find_title(doc: ParsedDocument) -> TitleMatch | None:
    """The report's own title: a heading, else a text line (or two lines, for split titles).

    A title whose agency part cannot be read ends the search: the lines after it are the body, the sidebar and
    other reports' titles, and an agency taken from them would be someone else's (null with a reason instead).
    """
    best: TitleMatch | None = None
    for cand in doc.title_candidates:
        m = match_title(cand)
        if m and m.agency_reason:
            return m
        if m and (m.agency or best is None):
            if m.agency:
                return m
            best = best or m
    lines = [ln for ln in doc.text.split("\n") if ln.strip()]
    n = len(lines)
    ahead: tuple[int, TitleMatch | None] = (-1, None)  # the next line's match, read for a split title
    for i, line in enumerate(lines[:400]):
        m = ahead[1] if ahead[0] == i else match_title(line)
        if m is None and i + 1 < n:
            joined_text = line + lines[i + 1]
            # (a pair that cannot be a title is passed over before anything is normalised)
            if could_be_title(joined_text) and len(squash(line)) <= 40:
                nxt = match_title(lines[i + 1])
                ahead = (i + 1, nxt)
                if nxt is None or nxt.agency is None:  # a title split over two lines
                    joined = match_title(joined_text)
                    if joined and joined.agency:
                        return joined
        if m and m.agency_reason and best is None:
            return m
        if m:
            if m.agency:
                return m
            best = best or m
    return best


def _title_tag_agency(doc: ParsedDocument) -> TitleMatch | None:
    for text in (doc.meta.get("detail:title"), doc.meta.get("meta:articletitle"), doc.title, doc.meta.get("title_tag")):
        if not text:
            continue
        for part in re.split(r"[_|｜]| - | — |-{2,}", text):
            m = match_title(part)
            if m:
                return m
    return None


def page_fields(doc: ParsedDocument) -> dict[str, str]:
    """Fields printed on the page: "发布机构：经商局", also when the value is on the next line."""
    fields: dict[str, str] = {}
    lines = doc.text.split("\n")
    for i, line in enumerate(lines[:600]):
        if ":" not in line and "：" not in line:
            continue  # every field is "name: value" (_FIELD); most lines are narrative or cells
        # several fields on one line: "发布时间: 2020-01-17 19:28 信息来源: 区经济商务局 访问次数: ..."
        for piece in _FIELD_SPLIT.split(line.strip()):
            m = _FIELD.match(piece.strip())
            if not m:
                continue
            value = m.group("value").strip()
            if not value and i + 1 < len(lines):
                nxt = lines[i + 1].strip()
                if not _FIELD.match(nxt):
                    value = nxt
            if value:
                fields.setdefault(m.group("name"), value)
    for key, val in doc.meta.items():
        if not key.startswith("meta:") and not key.startswith("detail:") and key not in ("title_tag", "encoding"):
            fields.setdefault(key, val)
    return fields


def _cn_number(s: str) -> int:
    if len(s) == 4 and all(ch in _CN_DIGITS for ch in s):
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS[s[1]]
    if s.endswith("十"):
        return _CN_DIGITS[s[0]] * 10
    if "十" in s:
        a, b = s.split("十")
        return _CN_DIGITS[a] * 10 + _CN_DIGITS[b]
    return _CN_DIGITS[s]


def parse_date(text: str) -> date | None:
    s = nfkc(text)
    m = _DATE_NUM.search(s)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DATE_CN.search(text)
        if m:
            return date(_cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)))
        digits = s.strip()
        if digits.isdigit() and len(digits) in (10, 13):  # epoch seconds / milliseconds (gkmlpt)
            ts = int(digits) / (1000 if len(digits) == 13 else 1)
            return datetime.fromtimestamp(ts, tz=timezone.utc).date()
    except (ValueError, KeyError, OverflowError):
        return None
    return None


def _plausible(d: date | None, report_year: int | None) -> bool:
    if d is None:
        return False
    if report_year is None:
        return 2000 <= d.year <= date.today().year + 1
    return report_year <= d.year <= report_year + 3


def published_date(doc: ParsedDocument, fields: dict[str, str], report_year: int | None) -> str | None:
    """Page metadata first (发布日期, PubDate meta, gkmlpt date), then the signature date."""
    candidates = [fields.get(k) for k in ("发布日期", "发布时间", "公开日期", "发文日期", "日期")]
    candidates += [doc.meta.get(k) for k in ("detail:date", "meta:pubdate", "meta:publishdate", "meta:firstpublishedtime",
                                             "meta:article:published_time", "meta:publishtime", "meta:date")]
    candidates.append(fields.get("成文日期"))
    for cand in candidates:
        if cand:
            d = parse_date(cand)
            if _plausible(d, report_year):
                return d.isoformat()  # type: ignore[union-attr]
    last: list[str] = []  # the last 25 non-blank lines, last first
    for ln in reversed(doc.text.split("\n")):
        if ln.strip():
            last.append(ln)
            if len(last) == 25:
                break
    for line in last:
        if _SIGNATURE.match(nfkc(line)) or _SIGNATURE.match(line):
            d = parse_date(line)
            if _plausible(d, report_year):
                return d.isoformat()  # type: ignore[union-attr]
    return None


def year_from_text(text: str) -> int | None:
    """The data year most talked about in the narrative ("2021年，共收到…")."""
    counts = Counter(int(y) for y in _YEAR.findall(nfkc(text[:6000])))
    counts = Counter({y: n for y, n in counts.items() if 2000 <= y <= date.today().year})
    if not counts:
        return None
    (year, n), *rest = counts.most_common(2) + [(None, 0)]
    if n >= 2 and (not rest or rest[0][1] < n):
        return year
    return None


def _looks_like_organ(name: str) -> bool:
    return bool(_ORGAN_SUFFIX.search(name)) and not any(name == w or name.endswith(w) for w in _COLUMN_WORDS)


def breadcrumb_agency(doc: ParsedDocument) -> str | None:
    crumb = doc.meta.get("breadcrumb")
    if not crumb:
        for cell in doc.cells[:400]:
            t = cell.text
            if "首页" in t and re.search(r"[>»＞→]", t):
                crumb = t
                break
    if not crumb:
        return None
    parts = [compact(p) for p in re.split(r"[>»＞→/]+", crumb) if compact(p)]
    for part in reversed(parts):
        if _looks_like_organ(part) and len(part) <= 30:
            return part
    return None


def index_number(fields: dict[str, str]) -> str | None:
    for k in ("信息索引号", "索引号"):
        if fields.get(k):
            m = re.search(r"[0-9A-Z]{18}|[0-9A-Z]{9}", fields[k])
            return m.group(0) if m else fields[k]
    return None


@dataclass
class ReportMeta:
    title: str | None
    agency: str | None
    report_year: int | None
    published: str | None
    agency_source: str | None
    fields: dict[str, str]
    is_report_title: bool
    agency_reason: str | None = None  # why agency is None: the title's name part could not be read


def read_metadata(doc: ParsedDocument) -> ReportMeta:
    fields = page_fields(doc)
    title = find_title(doc)
    tag = _title_tag_agency(doc)
    agency, source = None, None
    if title and title.agency:
        agency, source = title.agency, "title"
    elif tag and tag.agency:
        agency, source = tag.agency, "title_tag"
    else:
        for key in ("发布机构", "发文机关", "发布单位", "来源单位", "信息来源", "来源"):
            val = compact(fields.get(key, ""))
            if val and has_cjk(val) and len(val) <= 30 and val not in ("本站", "本网", "原创"):
                agency, source = val, f"field:{key}"
                break
        if agency is None:
            b = breadcrumb_agency(doc)
            if b:
                agency, source = b, "breadcrumb"
        if agency is None and doc.meta.get("meta:contentsource"):
            agency, source = compact(doc.meta["meta:contentsource"]), "meta:contentsource"
    year = title.year if title else (tag.year if tag else None)
    if year is None:
        year = year_from_text(doc.text)
    published = published_date(doc, fields, year)
    if year is None and published:
        year = int(published[:4]) - 1
    shown_title = title.text if title else (tag.text if tag else None)
    reason = None
    if agency is None:
        reason = (title.agency_reason if title else None) or (tag.agency_reason if tag else None)
    return ReportMeta(shown_title, agency, year, published, source, fields, bool(title or tag), reason)
