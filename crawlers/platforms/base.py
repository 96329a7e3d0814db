"""What a platform gives back for one list page, the base class every platform extends, and the registry.

A platform (a CMS family: TRS, Hanweb JCMS, gkmlpt, ...) is one file in this folder. It owns everything the
spider must know about that family: how to recognise its pages (`detect`), how to read one page of a list
(`parse_list` → entries and the other pages to fetch), and its attachment quirks (`attachments`). Platforms never
fetch anything themselves; the spider schedules what they return. A platform registers itself with `register`
(the module is imported by `crawlers/platforms/__init__.py`); the sources validation, the CLI's `--platform`
choices and the spiders all read `PLATFORMS`. docs/platforms.md shows how to add one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from core.titles import is_last_text, is_next_text, is_page_number, is_report_title, is_subcolumn_title

from ..page import Link, Page


@dataclass
class Entry:
    """One item of a 年报 list (a report candidate: the spider decides what to fetch)."""

    url: str
    title: str
    date: str | None = None


@dataclass
class Follow:
    """Another page of the same list (pagination, an API page, a sub-column)."""

    url: str
    title: str | None = None
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    subcolumn: bool = False  # another list inside the column (a year or unit folder): its own first page decides
    # A further page of this same list (pagination): between full walks (walk_days), the spider stops a list at
    # its first page that shows nothing new, so these are fetched one after the other, not all at once.
    next_page: bool = False


@dataclass
class ListResult:
    """What one list page holds: its entries and the other pages of the list to fetch."""

    platform: str
    entries: list[Entry] = field(default_factory=list)
    follow: list[Follow] = field(default_factory=list)
    # page counts read from the page that were cut to the cap before any request was made (issue 10 item 5)
    capped: list[str] = field(default_factory=list)


# Pages of one list, at most: a count read from a page (createPageHTML(100000, …), 共N页) is cut to this before
# any URL is built, so a bogus count can never make millions of requests (the spider's max_list_pages caps the
# requests per portal again).
MAX_PAGES = 500


def url_dir(url: str) -> str:
    """The folder of a URL: http://h/a/b/index.html -> http://h/a/b/."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if not path.endswith("/"):
        path = path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def same_site_path(url: str, root: str) -> bool:
    u, r = urlsplit(url), urlsplit(root)
    return u.hostname == r.hostname and (u.path or "/").startswith(urlsplit(url_dir(root)).path or "/")


def capped_count(n: int, res: ListResult, what: str) -> int:
    """`n` cut to MAX_PAGES; a cut is noted on the result (the portal becomes `partial` with that reason)."""
    if n > MAX_PAGES:
        res.capped.append(f"{what} says {n} pages; read the first {MAX_PAGES}")
        return MAX_PAGES
    return n


class Platform:
    """The base of every platform: shared link readers; subclasses override `detect` and `parse_list`."""

    name = "generic"
    # Detection order: lower first. The generic platform (always detects) is last.
    order = 50

    def detect(self, page: Page) -> bool:  # pragma: no cover - overridden
        return False

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:  # pragma: no cover - overridden
        return ListResult(platform=self.name)

    def is_list_entry(self, page: Page) -> bool:
        """True when a home or navigation page is itself this platform's list entry point (no column link to
        follow first: gkmlpt's index carries the whole category tree)."""
        return False

    def attachments(self, page: Page) -> list[tuple[str, str]]:
        """(url, name) of attachments that only this platform's markup reveals (the spider reads the usual
        links itself)."""
        return []

    # --- shared helpers -------------------------------------------------------------------------------------
    def report_entries(self, links: list[Link]) -> list[Entry]:
        """The links whose text (or title attribute) is a report title."""
        out: list[Entry] = []
        seen: set[str] = set()
        for link in links:
            if link.url in seen:
                continue
            if is_report_title(link.text) or (link.anchor and is_report_title(link.anchor)):
                seen.add(link.url)
                out.append(Entry(url=link.url, title=link.text, date=link.date))
        return out

    def column_entries(self, page: Page, links: list[Link]) -> list[Entry]:
        """Every entry of the page's lists, whatever its title (in a 年报 column the body decides, the title only
        ranks): links in a list (ul/ol/dl/table) that holds a dated link or a report title, the report-title links
        anywhere, and list items written by inline scripts. Not: header, footer and navigation, pagination,
        year and unit sub-columns (followed as lists), the page itself."""
        candidates = list(links) + [w for w in page.written_links() if w.via == "script"]
        lists = {link.group for link in candidates
                 if link.group and not link.in_chrome and (link.date or is_report_title(link.text))}
        out: list[Entry] = []
        seen: set[str] = set()
        for link in candidates:
            if link.url in seen or link.url == page.url or link.in_chrome:
                continue
            text = link.anchor or link.text
            if is_next_text(text) or is_last_text(text) or is_page_number(text):
                continue
            if is_subcolumn_title(link.text) and not link.date:
                continue
            report = is_report_title(link.text) or bool(link.anchor and is_report_title(link.anchor))
            if not report and (link.group not in lists or len(link.text) < 2):
                continue
            seen.add(link.url)
            out.append(Entry(url=link.url, title=link.text, date=link.date))
        return out

    def subcolumns(self, page: Page, links: list[Link], column_root: str | None) -> list[Follow]:
        """Year and unit-type folders inside the 年报 column (2021年, 部门, 乡镇街道); a dated link is an entry."""
        root = column_root or url_dir(page.url)
        out = []
        for link in links:
            if is_report_title(link.text) or link.date:
                continue
            if is_subcolumn_title(link.text) and same_site_path(link.url, root) and link.url != page.url:
                out.append(Follow(url=link.url, title=link.text, subcolumn=True))
        return out

    def pagination_links(self, page: Page, links: list[Link]) -> list[Follow]:
        """下一页 / 尾页 / numbered page links, and every page between when the 尾页 URL shows the numbering."""
        out: list[Follow] = []
        here = urlsplit(page.url)
        next_url: str | None = None
        last_url: str | None = None
        for link in links:
            text = link.anchor or link.text
            nxt, last, num = is_next_text(text), is_last_text(text), is_page_number(text)
            if not (nxt or last or num):
                continue
            target = urlsplit(link.url)
            if target.hostname != here.hostname:
                continue
            if num and url_dir(link.url) != url_dir(page.url):
                continue
            if link.url == page.url:
                continue
            out.append(Follow(url=link.url, title=text, next_page=True))
            if nxt and next_url is None:
                next_url = link.url
            if last:
                last_url = link.url
        if next_url and last_url and next_url != last_url:
            # Every page from the next one to the last, when both links show the same numbering
            # (index_1 … for TRS-style numbering from 0, index_2 … for numbering from 1).
            out.extend(Follow(url=u, title=None, next_page=True)
                       for u in enumerate_pages(last_url, page.url, first_url=next_url))
        return out


_PATH_NUM = re.compile(r"^(.*?[_/-])(\d{1,4})(\.\w+)?$")
_QUERY_PAGE_KEYS = ("page", "pageNo", "pageno", "pageIndex", "pageindex", "p", "pn", "curPage", "currentPage",
                    "pagenum", "pageNum", "PageNo", "Page", "start")


def _numbering(url: str) -> tuple[str, int] | None:
    """(template with {} for the page number, number) of a paged URL, or None."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (k, v) in enumerate(query):
        if k in _QUERY_PAGE_KEYS and k != "start" and v.isdigit():
            q = list(query)
            q[i] = (k, "\x00")
            tmpl = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(q), "")).replace("%00", "{}")
            return tmpl, int(v)
    m = _PATH_NUM.match(parts.path)
    if m:
        tmpl = urlunsplit((parts.scheme, parts.netloc, f"{m.group(1)}\x00{m.group(3) or ''}", parts.query, ""))
        return tmpl.replace("\x00", "{}").replace("%00", "{}"), int(m.group(2))
    return None


def enumerate_pages(last_url: str, current_url: str, limit: int = MAX_PAGES, first_url: str | None = None) -> list[str]:
    """The pages from `first_url` (the 下一页 link) to `last_url` (the 尾页 link) when both share one numbering,
    e.g. …/index_1.html … index_7.html or …?page=2 … ?page=8; without `first_url`, from 1. Nothing when the
    尾页 number is beyond `limit` (a count that large is not a list the page shows)."""
    last = _numbering(last_url)
    if last is None or last[1] > limit:
        return []
    start = 1
    if first_url is not None:
        first = _numbering(first_url)
        if first is None or first[0] != last[0] or first[1] > last[1]:
            return []
        start = first[1]
    tmpl, n = last
    return [tmpl.replace("{}", str(k)) for k in range(start, n + 1)]


# --- the registry ------------------------------------------------------------------------------------------------
PLATFORMS: dict[str, Platform] = {}


def register(platform: Platform) -> Platform:
    """Add a platform to the registry (each platform module calls this once, at import)."""
    if platform.name in PLATFORMS or platform.name == "auto":
        raise ValueError(f"platform {platform.name!r} registered twice (or reserved)")
    PLATFORMS[platform.name] = platform
    return platform


def platform_names() -> tuple[str, ...]:
    """The registered platform names, in detection order (the generic fallback last)."""
    return tuple(p.name for p in sorted(PLATFORMS.values(), key=lambda p: (p.order, p.name)))


def detect(page: Page) -> Platform:
    """The first registered platform (in detection order) that recognises the page; generic otherwise."""
    for name in platform_names():
        if PLATFORMS[name].detect(page):
            return PLATFORMS[name]
    return PLATFORMS["generic"]
