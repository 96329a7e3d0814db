"""Hanweb JPaaS (大汉 jpaas-publish-server): the column page is a shell; its list comes from the unit API.

The column page carries the request in a script element, `<script src="/AuthorizedRead/unitbuild.js"
url="/api-gateway/jpaas-publish-server/front/page/build/unit" queryData="{'webId':…,'pageId':…,'tagId':…}">`
(queryData is JSON in single quotes). The list is `GET {url}?{queryData}&paramJson={"pageNo":N,"pageSize":M}`
(paging works only inside paramJson), answering `{"success":true,"data":{"html":"<li>…"}}` whose html ends with
`<div class="pagination" count="…" rows="…" pageno="…">`. A wrong tagId answers an empty html or 模板内容数据为空;
one retry with an empty tagId is made. Attachments go through `/api-gateway/jpaas-web-server/front/document/
download?fileUrl=…&fileName=<name>` (read by the spider like any download link); Wenzhou puts the PDF in
`#pdfshow[data-value]`. Used by county sites in Zhejiang, Shandong (Yantai's 13), Jiangsu (Taizhou, Yangzhou) and
Gansu (Linxia, Huining), and by ministries. Evidence: docs/platforms.md §1, tests/crawlers/pages/jpaas/SOURCE.txt.
"""
from __future__ import annotations

import html
import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ..page import Page
from .base import Entry, Follow, ListResult, Platform, capped_count, register

API_PATH = "/front/page/build/unit"
PAGE_SIZE = 15  # what the sites' own pagers ask for (Zhejiang, Huining, Jiangsu collectors)
_SCRIPT = re.compile(r"<script\b[^>]*\bunitbuild\.js\b[^>]*>", re.I)
_ATTR = re.compile(r"""\b(url|querydata)\s*=\s*("[^"]*"|'[^']*')""", re.I)
_PAGER = re.compile(r"""<div[^>]*class=["'][^"']*pagination[^"']*["'][^>]*>""", re.I)
_NUM = re.compile(r"""\b(count|rows)\s*=\s*["']?(\d+)""", re.I)
_EMPTY = "模板内容数据为空"


def _query_data(raw: str) -> dict[str, Any] | None:
    text = html.unescape(raw.strip().strip("\"'")).replace("'", '"')
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def unit_requests(page: Page) -> list[tuple[str, dict[str, Any]]]:
    """(API URL, queryData) of every unitbuild.js declaration in a column page."""
    out = []
    for tag in _SCRIPT.findall(page.text):
        attrs = {k.lower(): v[1:-1] for k, v in _ATTR.findall(tag)}
        query = _query_data(attrs.get("querydata", ""))
        if query is None or not attrs.get("url"):
            continue
        out.append((urljoin(page.url, attrs["url"]), query))
    return out


def api_url(base: str, query: dict[str, Any], page_no: int, page_size: int = PAGE_SIZE) -> str:
    params = {k: v for k, v in query.items() if k != "paramJson"}
    params["paramJson"] = json.dumps({"pageNo": page_no, "pageSize": page_size}, separators=(",", ":"))
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))


class Jpaas(Platform):
    name = "jpaas"
    order = 15

    def detect(self, page: Page) -> bool:
        return API_PATH in urlsplit(page.url).path or _SCRIPT.search(page.text) is not None

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        res = ListResult(platform=self.name)
        if API_PATH in urlsplit(page.url).path:
            return self._answer(page, meta, res)
        for url, query in unit_requests(page):
            res.follow.append(self._follow(url, query, 1, page.url, first=True))
        res.entries = self.column_entries(page, page.links())  # a column page may also carry its first rows
        return res

    def _follow(self, base: str, query: dict[str, Any], page_no: int, referer: str, *, first: bool = False,
                retried: bool = False) -> Follow:
        return Follow(url=api_url(base, query, page_no), title=f"(unit API page {page_no})", next_page=not first,
                      headers={"X-Requested-With": "XMLHttpRequest", "Referer": referer},
                      meta={"nb_jpaas": {"query": query, "base": base, "first": first, "retried": retried,
                                         "referer": referer}})

    def _answer(self, page: Page, meta: dict[str, Any], res: ListResult) -> ListResult:
        state = meta.get("nb_jpaas") or {}
        try:
            obj = json.loads(page.text)
        except ValueError:
            return res
        data = obj.get("data") if isinstance(obj, dict) else None
        html = data.get("html") if isinstance(data, dict) else None
        if not isinstance(html, str):
            return res
        query = state.get("query") or dict(parse_qsl(urlsplit(page.url).query))
        base = state.get("base") or urlunsplit(urlsplit(page.url)[:3] + ("", ""))
        referer = state.get("referer") or page.url
        if (not html.strip() or _EMPTY in html) and query.get("tagId") and not state.get("retried"):
            res.follow.append(self._follow(base, {**query, "tagId": ""}, 1, referer, first=True, retried=True))
            return res
        frag = Page(page.url, b"", text=f"<html><body>{_PAGER.split(html)[0]}</body></html>")
        res.entries = [Entry(url=link.url, title=link.text, date=link.date) for link in frag.links()
                       if len(link.text) >= 4]
        first = state.get("first", "nb_jpaas" not in meta)
        pager = _PAGER.search(html)
        if first and pager:
            nums = {k.lower(): int(v) for k, v in _NUM.findall(pager.group(0))}
            rows = nums.get("rows") or PAGE_SIZE
            pages = capped_count(math.ceil(nums.get("count", 0) / rows), res, "the unit's pagination count")
            res.follow += [self._follow(base, query, n, referer) for n in range(2, pages + 1)]
        return res

    def attachments(self, page: Page) -> list[tuple[str, str]]:
        """Wenzhou's PDF viewer: the file is only in #pdfshow[data-value]."""
        value = page.sel.xpath("//*[@id='pdfshow']/@data-value").get()
        return [(page.urljoin(value), "")] if value else []


register(Jpaas())
