"""Lists read from the data a page fetched (XHR / fetch answers): JSON, JSONP, and HTML fragments.

Script-built list pages get their rows from an API: Hanweb JPaaS answers `{"data": {"html": "<li>…"}}` with a
`div.pagination[count][rows]` (docs/platforms.md §1), Epoint EWB `{"custom": {"data": [{title, infourl}],
"total": N}}`, gkmlpt `{"articles": [{title, url}], "total": N}`, TrueCMS JSONP wrapping a `<datastore>`, Hanweb's
信息公开目录 `search.jsp` an HTML table with 共N页. When the rendering fallback captured such an answer, this
module reads its rows and, when the answer says how many there are, builds the requests for the other pages by
changing the page number where the first request carried it (query, a JSON-valued query parameter such as
JPaaS's `paramJson`, a form body or a JSON body). Those pages are then fetched as plain requests: one rendered
page teaches the API, the rest costs what a static list costs.

Nothing here is tied to one platform's field names beyond short lists of the names real APIs use.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from core.titles import find_date, norm

from .platforms.base import Entry, Follow
from .page import Page

# Field names of list rows in real list APIs (see the module doc).
TITLE_KEYS = ("title", "realtitle", "name", "subject", "bt", "wjbt", "titlename", "showtitle", "articletitle",
              "doctitle", "vc_title", "infotitle", "docname", "filename")
URL_KEYS = ("url", "infourl", "link", "href", "pcurl", "detailurl", "articleurl", "docurl", "visiturl", "urls",
            "path", "linkurl", "puburl", "viewurl", "htmlurl")
DATE_KEYS = ("create_time", "publishdate", "pubdate", "releasedate", "infodate", "date", "fbrq", "pubtime",
             "publishtime", "created_at", "createdate", "time", "docreltime", "vc_date", "createtime")
TOTAL_KEYS = ("total", "totalcount", "count", "totalrecord", "recordcount", "totalelements", "total_count",
              "rowcount", "totalrows", "totalnum", "totalsize", "records")
PAGES_KEYS = ("totalpage", "pagecount", "totalpages", "pages", "page_total", "pagetotal", "totalpagenum")
PAGE_KEYS = ("pageno", "pageindex", "page", "currpage", "currentpage", "pagenum", "curpage", "pn", "p", "page_no",
             "pagenumber", "current", "startpage")
SIZE_KEYS = ("pagesize", "size", "rows", "perpage", "limit", "page_size", "ps")

CST = timezone(timedelta(hours=8))
_JSONP = re.compile(r"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)
_COUNT_TEXT = re.compile(r"共\s*(\d+)\s*(?:条|篇|项|个)")
_PAGES_TEXT = re.compile(r"共\s*(\d+)\s*页")
_COUNT_ATTR = re.compile(r"""<div[^>]*class=["'][^"']*pagination[^"']*["'][^>]*>""", re.I)
_ATTR = re.compile(r"""\b(count|rows|pageno)\s*=\s*["']?(\d+)""", re.I)
_TOTAL_XML = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_TOTAL_JS = re.compile(r"""\btotalRecord\s*[:=]\s*['"]?(\d+)""")


def parse_payload(body: bytes | str) -> Any | None:
    """A JSON or JSONP answer as Python data, or None when it is neither."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = text.strip().lstrip("\ufeff")
    if not text or text[0] not in "[{" and "(" not in text[:200]:
        return None
    try:
        return json.loads(text)
    except ValueError:
        pass
    m = _JSONP.match(text)
    if m:
        try:
            return json.loads(m.group(1))
        except ValueError:
            return None
    return None


def _lower_keys(d: dict) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in d.items()}


def _date_of(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        v = float(value)
        if v > 1e11:  # milliseconds
            v /= 1000.0
        if 6e8 < v < 4.2e9:
            return datetime.fromtimestamp(v, tz=CST).strftime("%Y-%m-%d")  # the portals' own time zone
        return None
    if isinstance(value, str):
        return find_date(value)
    return None


def _url_of(value: Any, base_url: str) -> str | None:
    if isinstance(value, str):
        v = value.strip()
        if v.startswith("{"):  # pc/list family: urls = '{"pc": "/…/content_1.html"}'
            inner = parse_payload(v)
            if isinstance(inner, dict):
                return _url_of(next((x for x in inner.values() if isinstance(x, str) and x), None), base_url)
        if not v or v.startswith(("javascript:", "#", "mailto:")):
            return None
        return urljoin(base_url, v)
    if isinstance(value, dict):
        return _url_of(next((x for x in value.values() if isinstance(x, str) and x), None), base_url)
    return None


def _html_entries(html: str, base_url: str) -> list[Entry]:
    page = Page(base_url, b"", text=f"<html><body>{html}</body></html>")
    out = []
    for link in page.links():
        if len(link.text) >= 4:
            out.append(Entry(url=link.url, title=link.text, date=link.date))
    return out


def entries_from_payload(obj: Any, base_url: str) -> list[Entry]:
    """Every row of a list answer: objects with a title and a URL field, and links inside HTML strings."""
    out: list[Entry] = []
    seen: set[str] = set()

    def add(e: Entry) -> None:
        if e.url not in seen:
            seen.add(e.url)
            out.append(e)

    def walk(o: Any, depth: int) -> None:
        if depth > 8:
            return
        if isinstance(o, dict):
            low = _lower_keys(o)
            title = next((norm(str(low[k])) for k in TITLE_KEYS if isinstance(low.get(k), str) and low[k].strip()), "")
            url = next((u for k in URL_KEYS if k in low for u in [_url_of(low[k], base_url)] if u), None)
            if title and url:
                if "<" in title:
                    title = norm(re.sub(r"<[^>]+>", "", title))
                date = next((d for k in DATE_KEYS if k in low for d in [_date_of(low[k])] if d), None)
                add(Entry(url=url, title=title, date=date))
            for v in o.values():
                walk(v, depth + 1)
        elif isinstance(o, list):
            for v in o:
                walk(v, depth + 1)
        elif isinstance(o, str) and "<a " in o.lower():
            for e in _html_entries(o, base_url):
                add(e)

    walk(obj, 0)
    return out


@dataclass
class Counts:
    """What a list answer says about the whole list."""

    total: int | None = None  # rows in the whole list
    pages: int | None = None  # pages in the whole list
    per_page: int | None = None  # rows per page, when the answer says


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return None


def counts_in_text(text: str) -> Counts:
    """Counts written in HTML: JPaaS `div.pagination[count][rows]`, 共N条 / 共N页, <totalrecord>, totalRecord:."""
    c = Counts()
    for m in _COUNT_ATTR.finditer(text):
        attrs = {k.lower(): int(v) for k, v in _ATTR.findall(m.group(0))}
        if "count" in attrs:
            c.total = attrs["count"]
            c.per_page = attrs.get("rows") or c.per_page
            break
    if c.total is None:
        m = _TOTAL_XML.search(text) or _TOTAL_JS.search(text) or _COUNT_TEXT.search(text)
        if m:
            c.total = int(m.group(1))
    m = _PAGES_TEXT.search(text)
    if m:
        c.pages = int(m.group(1))
    return c


def counts_in_payload(obj: Any) -> Counts:
    """Counts of a JSON answer (the shallowest total / page-count fields win), or of the HTML strings inside it."""
    c = Counts()
    queue: list[tuple[Any, int]] = [(obj, 0)]
    html_parts: list[str] = []
    while queue:
        o, depth = queue.pop(0)
        if depth > 6:
            continue
        if isinstance(o, dict):
            low = _lower_keys(o)
            if c.total is None:
                c.total = next((v for k in TOTAL_KEYS if k in low for v in [_int(low[k])] if v is not None), None)
            if c.pages is None:
                c.pages = next((v for k in PAGES_KEYS if k in low for v in [_int(low[k])] if v is not None), None)
            if c.per_page is None:
                c.per_page = next((v for k in SIZE_KEYS if k in low for v in [_int(low[k])] if v), None)
            queue.extend((v, depth + 1) for v in o.values() if isinstance(v, (dict, list, str)))
        elif isinstance(o, list):
            queue.extend((v, depth + 1) for v in o[:3] if isinstance(v, dict))
        elif isinstance(o, str) and "<" in o:
            html_parts.append(o)
    if c.total is None and c.pages is None:
        for part in html_parts:
            t = counts_in_text(part)
            if t.total is not None or t.pages is not None:
                return t
    return c


# --- the page number of a request, and the same request for another page -------------------------------------

@dataclass
class PagedRequest:
    """A captured list request and where its page number sits."""

    url: str
    method: str
    body: str | None
    where: str  # query | query_json | form | json
    key: str  # the parameter name (for query_json: "param.inner")
    page: int  # the page number it asked for
    size: int | None  # rows per page it asked for, when it says
    content_type: str | None = None

    def for_page(self, n: int) -> Follow:
        parts = urlsplit(self.url)
        headers = {"X-Requested-With": "XMLHttpRequest"}
        if self.content_type:
            headers["Content-Type"] = self.content_type
        if self.where == "query":
            q = [(k, str(n) if k == self.key else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(q), ""))
            return Follow(url=url, method=self.method, body=self.body, headers=headers)
        if self.where == "query_json":
            outer, inner = self.key.split(".", 1)
            q = []
            for k, v in parse_qsl(parts.query, keep_blank_values=True):
                if k == outer:
                    obj = json.loads(v)
                    obj[inner] = n if isinstance(obj.get(inner), int) else str(n)
                    v = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
                q.append((k, v))
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(q), ""))
            return Follow(url=url, method=self.method, body=self.body, headers=headers)
        if self.where == "form":
            pairs = [(k, str(n) if k == self.key else v) for k, v in parse_qsl(self.body or "", keep_blank_values=True)]
            return Follow(url=self.url, method=self.method, body=urlencode(pairs), headers=headers)
        obj = json.loads(self.body or "{}")
        _set_json_page(obj, self.key, n)
        return Follow(url=self.url, method=self.method, body=json.dumps(obj, ensure_ascii=False), headers=headers)


def _set_json_page(obj: dict, key: str, n: int) -> None:
    path = key.split(".")
    for part in path[:-1]:
        obj = obj[part]
    old = obj[path[-1]]
    obj[path[-1]] = n if isinstance(old, int) else str(n)


def _page_and_size(pairs: Iterable[tuple[str, Any]]) -> tuple[str | None, int | None, int | None]:
    key = page = size = None
    for k, v in pairs:
        lk = str(k).lower()
        iv = _int(v)
        if iv is None:
            continue
        if key is None and lk in PAGE_KEYS:
            key, page = k, iv
        elif size is None and lk in SIZE_KEYS:
            size = iv
    return key, page, size


def paged_request(url: str, method: str = "GET", body: str | None = None,
                  content_type: str | None = None) -> PagedRequest | None:
    """Where the page number of a list request sits, or None when it carries none."""
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    key, page, size = _page_and_size(query)
    if key is not None:
        return PagedRequest(url, method, body, "query", key, page, size, content_type)
    for k, v in query:  # paramJson={"pageNo":1,"pageSize":15}
        if v.startswith("{"):
            obj = parse_payload(v)
            if isinstance(obj, dict):
                ikey, ipage, isize = _page_and_size(obj.items())
                if ikey is not None:
                    return PagedRequest(url, method, body, "query_json", f"{k}.{ikey}", ipage, isize, content_type)
    if body:
        obj = parse_payload(body) if body.lstrip().startswith("{") else None
        if isinstance(obj, dict):
            for prefix, d in [("", obj)] + [(f"{k}.", v) for k, v in obj.items() if isinstance(v, dict)]:
                ikey, ipage, isize = _page_and_size(d.items())
                if ikey is not None:
                    return PagedRequest(url, method, body, "json", prefix + ikey, ipage, isize, content_type)
            return None
        pairs = parse_qsl(body, keep_blank_values=True)
        key, page, size = _page_and_size(pairs)
        if key is not None:
            return PagedRequest(url, method, body, "form", key, page, size, content_type)
    return None


def other_pages(req: PagedRequest, counts: Counts, rows_here: int, limit: int) -> list[Follow]:
    """The requests for every other page of the list, when the answer says how long it is (at most `limit`)."""
    per_page = req.size or counts.per_page or rows_here
    pages = counts.pages
    if pages is None and counts.total is not None and per_page:
        pages = math.ceil(counts.total / per_page)
    if not pages or pages < 2:
        return []
    first = 0 if req.page == 0 else 1
    last = pages - 1 if first == 0 else pages
    out = [req.for_page(n) for n in range(first, last + 1) if n != req.page]
    return out[:limit]
