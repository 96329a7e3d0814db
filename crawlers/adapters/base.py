"""What an adapter gives back for one list page, and the parts every adapter shares."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..page import Link, Page
from core.titles import is_last_text, is_next_text, is_page_number, is_report_title, is_subcolumn_title


@dataclass
class Entry:
    """One item of a 年报 list (a report candidate; the spider keeps it only if its title is a report title)."""

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
    subcolumn: bool = False


@dataclass
class ListResult:
    platform: str
    entries: list[Entry] = field(default_factory=list)
    follow: list[Follow] = field(default_factory=list)


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


class Adapter:
    name = "generic"

    def detect(self, page: Page) -> bool:  # pragma: no cover - overridden
        return True

    # --- shared helpers -------------------------------------------------------------------------------------
    def report_entries(self, links: list[Link]) -> list[Entry]:
        out: list[Entry] = []
        seen: set[str] = set()
        for link in links:
            if link.url in seen:
                continue
            if is_report_title(link.text) or (link.anchor and is_report_title(link.anchor)):
                seen.add(link.url)
                out.append(Entry(url=link.url, title=link.text, date=link.date))
        return out

    def candidate_entries(self, links: list[Link]) -> list[Entry]:
        """Every content link of a list (reports and decoys alike) — the spider filters by title."""
        out: list[Entry] = []
        seen: set[str] = set()
        for link in links:
            if link.url in seen or link.in_chrome or len(link.text) < 6:
                continue
            seen.add(link.url)
            out.append(Entry(url=link.url, title=link.text, date=link.date))
        return out

    def subcolumns(self, page: Page, links: list[Link], column_root: str | None) -> list[Follow]:
        root = column_root or url_dir(page.url)
        out = []
        for link in links:
            if is_report_title(link.text):
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
            out.append(Follow(url=link.url, title=text))
            if nxt and next_url is None:
                next_url = link.url
            if last:
                last_url = link.url
        if next_url and last_url and next_url != last_url:
            # Every page from the next one to the last, when both links show the same numbering
            # (index_1 … for TRS-style numbering from 0, index_2 … for numbering from 1).
            out.extend(Follow(url=u, title=None) for u in enumerate_pages(last_url, page.url, first_url=next_url))
        return out

    def trs_pages(self, page: Page) -> list[Follow]:
        """TRS static paging: createPageHTML(N, cur, "index", "html") or var countPage = N."""
        text = page.text
        count = None
        prefix, suffix = "index", None
        m = re.search(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*(?:,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"])?", text)
        if m:
            count = int(m.group(1))
            if m.group(3):
                prefix, suffix = m.group(3), m.group(4)
        else:
            m = re.search(r"var\s+countPage\s*=\s*['\"]?(\d+)", text)
            if m:
                count = int(m.group(1))
                p = re.search(r"var\s+prefix\s*=\s*['\"]([\w-]+)['\"]", text)
                s = re.search(r"var\s+suffix\s*=\s*['\"](\w+)['\"]", text)
                prefix = p.group(1) if p else prefix
                suffix = s.group(1) if s else None
        if not count or count < 2:
            return []
        if suffix is None:
            m = re.search(r"\.(s?html?)$", urlsplit(page.url).path)
            suffix = m.group(1) if m else "html"
        base = url_dir(page.url)
        return [Follow(url=f"{base}{prefix}_{i}.{suffix}") for i in range(1, count)]


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


def enumerate_pages(last_url: str, current_url: str, limit: int = 1000, first_url: str | None = None) -> list[str]:
    """The pages from `first_url` (the 下一页 link) to `last_url` (the 尾页 link) when both share one numbering,
    e.g. …/index_1.html … index_7.html or …?page=2 … ?page=8; without `first_url`, from 1."""
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
