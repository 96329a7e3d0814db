"""TRS WCM static lists (docs/platforms.md; evidence in tests/crawlers/pages/trs/SOURCE.txt).

A TRS column is a series of static pages whose count only a script call states:
- classic, 4 arguments, pages numbered from 0: `createPageHTML(N, cur, "index", "html")` → index.html,
  index_1.html … index_{N-1}.html;
- signature B, 6 arguments, pages numbered from 1: `createPageHTML('page_div', N, cur, 'list', 'shtml', total)`
  → list.shtml, list_2.shtml … list_N.shtml (Hunan, Hainan, Jiangsu Zhenjiang, the Xinjiang/Tibet c{N} family);
- `var countPage = N` (with optional `var prefix` / `var suffix`), numbered like the classic form.
Report pages are ./YYYYMM/tYYYYMMDD_ID.html; attachments are ./P0….pdf links (also written by script strings,
handled by the spider's link reader for every platform).
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..page import Page
from .base import Follow, ListResult, Platform, capped_count, register, url_dir

_Q = r"""['"]"""
# signature B: createPageHTML('page_div', 8, 1, 'list', 'shtml', 118)
_SIG_B = re.compile(r"createPageHTML\(\s*" + _Q + r"[\w-]+" + _Q + r"\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
                    r"\s*,\s*" + _Q + r"([^'\"]+)" + _Q + r"\s*,\s*" + _Q + r"(\w+)" + _Q)
# classic: createPageHTML(8, 0, "index", "html") (names optional)
_CLASSIC = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*"
                      r"(?:,\s*" + _Q + r"([\w/.-]+)" + _Q + r"\s*,\s*" + _Q + r"(\w+)" + _Q + r")?")
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")


def _page_ext(url: str) -> str:
    m = re.search(r"\.(s?html?)$", urlsplit(url).path)
    return m.group(1) if m else "html"


def trs_pages(page: Page, res: ListResult) -> list[Follow]:
    """The other pages of a TRS list, from the page-count script call (capped: see capped_count)."""
    text = page.text
    base = url_dir(page.url)
    m = _SIG_B.search(text)
    if m:  # numbered from 1: name.ext is page 1, name_2.ext … name_N.ext
        count = capped_count(int(m.group(1)), res, "createPageHTML")
        name = m.group(3).rsplit("/", 1)[-1]
        return [Follow(url=f"{base}{name}_{i}.{m.group(4)}", next_page=True) for i in range(2, count + 1)]
    prefix, suffix, count = "index", None, None
    m = _CLASSIC.search(text)
    if m:
        count = int(m.group(1))
        if m.group(3):
            prefix, suffix = m.group(3).rsplit("/", 1)[-1], m.group(4)
    else:
        m = _COUNT_PAGE.search(text)
        if m:
            count = int(m.group(1))
            p = re.search(r"var\s+prefix\s*=\s*['\"]([\w-]+)['\"]", text)
            s = re.search(r"var\s+suffix\s*=\s*['\"](\w+)['\"]", text)
            prefix = p.group(1) if p else prefix
            suffix = s.group(1) if s else None
    if not count or count < 2:
        return []
    count = capped_count(count, res, "createPageHTML" if _CLASSIC.search(text) else "countPage")
    suffix = suffix or _page_ext(page.url)
    return [Follow(url=f"{base}{prefix}_{i}.{suffix}", next_page=True) for i in range(1, count)]


class Trs(Platform):
    """TRS WCM static lists: pages from createPageHTML (both signatures) or countPage."""

    name = "trs"
    order = 40

    def detect(self, page: Page) -> bool:
        t = page.text
        return ("createPageHTML" in t or _COUNT_PAGE.search(t) is not None
                or "TRS_Editor" in t or "TRS_UEDITOR" in t)

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        links = page.links()
        res = ListResult(platform=self.name, entries=self.column_entries(page, links))
        res.follow.extend(trs_pages(page, res))
        res.follow.extend(self.pagination_links(page, links))
        res.follow.extend(self.subcolumns(page, links, meta.get("nb_column_root")))
        return res


register(Trs())
