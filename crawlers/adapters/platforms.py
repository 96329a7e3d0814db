"""One adapter per CMS family (docs/crawling.md, shared/spec/portals.md): TRS, Hanweb, gkmlpt, OpennessContent, generic.

An adapter reads one page of a 年报 list and returns its entries (report candidates, filtered by title by the
spider) and the other pages of the list to fetch. Adapters never fetch anything themselves.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from ..jsobj import find_assignment
from ..page import Page
from core.titles import find_date, is_column_title, norm
from .base import Adapter, Entry, Follow, ListResult, url_dir


class GenericAdapter(Adapter):
    """Report-title link text, 下一页/尾页 pagination (and TRS-style inline page counts when present)."""

    name = "generic"

    def detect(self, page: Page) -> bool:
        return True

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        links = page.links()
        res = ListResult(platform=self.name, entries=self.report_entries(links))
        res.follow.extend(self.pagination_links(page, links))
        res.follow.extend(self.trs_pages(page))
        res.follow.extend(self.subcolumns(page, links, meta.get("nb_column_root")))
        return res


class TrsAdapter(Adapter):
    """TRS WCM static lists: index.html, index_1.html … index_{N-1}.html, N from createPageHTML / countPage."""

    name = "trs"

    def detect(self, page: Page) -> bool:
        t = page.text
        return ("createPageHTML" in t or re.search(r"var\s+countPage\s*=", t) is not None
                or "TRS_Editor" in t or "TRS_UEDITOR" in t)

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        links = page.links()
        res = ListResult(platform=self.name, entries=self.report_entries(links))
        res.follow.extend(self.trs_pages(page))
        res.follow.extend(self.pagination_links(page, links))
        res.follow.extend(self.subcolumns(page, links, meta.get("nb_column_root")))
        return res


_RECORD = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TOTAL = re.compile(r"(?:<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+))", re.I)


def _param(text: str, name: str) -> str | None:
    m = re.search(r"[\"']?\b" + name + r"\b[\"']?\s*[:=]\s*[\"']?([^\"'&,}\s<>]+)", text, re.I)
    return m.group(1) if m else None


class HanwebAdapter(Adapter):
    """Hanweb JCMS: first records in <datastore><recordset>, the rest by POST to dataproxy.jsp."""

    name = "hanweb"

    def detect(self, page: Page) -> bool:
        t = page.text
        return ("<datastore" in t.lower() or "<recordset" in t.lower() or "dataproxy.jsp" in page.url
                or "/module/web/jpage/" in t)

    def records(self, page: Page) -> list[Entry]:
        entries: list[Entry] = []
        for cdata in _RECORD.findall(page.text):
            frag = Page(page.url, b"", text=f"<html><body><ul>{cdata}</ul></body></html>")
            for link in frag.links():
                entries.append(Entry(url=link.url, title=link.text, date=link.date or find_date(frag.visible)))
        return entries

    def params(self, page: Page) -> dict[str, str]:
        t = page.text
        p: dict[str, str] = {}
        for name in ("webid", "columnid", "unitid", "webname", "path", "sourceContentType", "permissiontype",
                     "appid", "col", "perpage"):
            v = _param(t, name)
            if v is not None:
                p[name] = v
        if "columnid" not in p:
            m = re.search(r"/col/col(\d+)/", page.url)
            if m:
                p["columnid"] = m.group(1)
        m = re.search(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", t)
        p["proxy"] = m.group(1) if m else "/module/web/jpage/dataproxy.jsp"
        m = re.search(r"perPage\s*[:=]\s*['\"]?(\d+)", t, re.I)
        if m:
            p["perpage"] = m.group(1)
        return p

    def proxy_url(self, page_url: str, proxy: str) -> str:
        if proxy.startswith(("http://", "https://")):
            return proxy.split("?")[0]
        if proxy.startswith("/"):
            parts = urlsplit(page_url)
            base = parts.path.split("/col/")[0] if "/col/" in parts.path else ""
            return urlunsplit((parts.scheme, parts.netloc, (base.rstrip("/") + proxy) if base else proxy, "", ""))
        return urljoin(page_url, proxy).split("?")[0]

    def requests(self, params: dict[str, str], proxy_url: str, start: int, total: int | None,
                 listing_url: str) -> list[Follow]:
        perpage = int(params.get("perpage") or 15) or 15
        chunk = perpage * 3
        form = {
            "col": params.get("col", "1"), "appid": params.get("appid", "1"), "webid": params.get("webid", "1"),
            "path": params.get("path", "/"), "columnid": params.get("columnid", ""),
            "sourceContentType": params.get("sourceContentType", "1"), "unitid": params.get("unitid", ""),
            "webname": params.get("webname", ""), "permissiontype": params.get("permissiontype", "0"),
        }
        body = urlencode(form)
        stop = total if total is not None else start + chunk - 1
        out = []
        s = start
        while s <= stop:
            e = s + chunk - 1
            url = f"{proxy_url}?startrecord={s}&endrecord={e}&perpage={perpage}"
            out.append(Follow(url=url, method="POST", body=body,
                              headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                                       "X-Requested-With": "XMLHttpRequest", "Referer": listing_url},
                              meta={"nb_hanweb": {"params": params, "proxy": proxy_url, "listing": listing_url,
                                                  "total_known": total is not None}}))
            s = e + 1
        return out

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        res = ListResult(platform=self.name, entries=self.records(page))
        m = _TOTAL.search(page.text)
        total = int(m.group(1) or m.group(2)) if m else None
        state = meta.get("nb_hanweb")
        if state is None:
            # The column page: its own records, then POSTs for the rest.
            links = page.links()
            if not res.entries:
                res.entries = self.report_entries(links)
            params = self.params(page)
            n_records = len(_RECORD.findall(page.text))
            if n_records and params.get("columnid"):
                start = n_records + 1
                if total is None or total >= start:
                    res.follow.extend(self.requests(params, self.proxy_url(page.url, params["proxy"]), start, total,
                                                    page.url))
            res.follow.extend(self.subcolumns(page, links, meta.get("nb_column_root")))
        elif not state.get("total_known") and total is not None:
            # A first POST made before the total was known: now ask for the rest.
            m2 = re.search(r"endrecord=(\d+)", page.url)
            if m2:
                res.follow.extend(self.requests(state["params"], state["proxy"], int(m2.group(1)) + 1, total,
                                                state["listing"]))
        return res


def _gk_date(value: Any) -> str | None:
    if isinstance(value, (int, float)) and value > 0:
        ts = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")
    if isinstance(value, str):
        return find_date(value)
    return None


def _walk_tree(nodes: Any, out: list[dict[str, Any]], inside: bool = False) -> None:
    if not isinstance(nodes, list):
        return
    for node in nodes:
        if not isinstance(node, dict):
            continue
        name = norm(str(node.get("name") or node.get("title") or ""))
        match = inside or is_column_title(name) or ("年报" in name and not re.search(r"(企业|统计|财政|工商)", name))
        if match and node.get("id") is not None:
            out.append(node)
        _walk_tree(node.get("children") or node.get("child") or [], out, inside=match)


class GkmlptAdapter(Adapter):
    """Guangdong gkmlpt: window._CONFIG TREE → JSON list API → post_{id}.html with window._CONFIG.DETAIL."""

    name = "gkmlpt"

    def detect(self, page: Page) -> bool:
        return "/gkmlpt/" in page.url or ("window._CONFIG" in page.text and "TREE" in page.text)

    @staticmethod
    def base(url: str) -> str:
        i = url.find("/gkmlpt/")
        return url[:i] if i >= 0 else url_dir(url).rstrip("/")

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        res = ListResult(platform=self.name)
        if "/gkmlpt/api/" in page.url:
            try:
                data = json.loads(page.text)
            except ValueError:
                return res
            articles = data.get("articles") or data.get("data") or []
            for art in articles if isinstance(articles, list) else []:
                if not isinstance(art, dict) or not art.get("url"):
                    continue
                res.entries.append(Entry(url=urljoin(page.url, str(art["url"])), title=norm(str(art.get("title") or "")),
                                         date=_gk_date(art.get("date") or art.get("first_publish_time")
                                                       or art.get("publish_time"))))
            gk = meta.get("nb_gkmlpt") or {}
            if gk.get("first") and articles:
                total = data.get("total") or data.get("count") or 0
                size = data.get("page_size") or data.get("pageSize") or len(articles)
                pages = math.ceil(int(total) / int(size)) if size else 1
                for n in range(2, pages + 1):
                    url = re.sub(r"([?&]page=)\d+", lambda m: f"{m.group(1)}{n}", page.url)
                    res.follow.append(Follow(url=url, meta={"nb_gkmlpt": {"first": False}}))
            return res
        config = find_assignment(page.text, "window._CONFIG")
        if not isinstance(config, dict):
            return res
        sid = config.get("SID") or config.get("sid") or ""
        nodes: list[dict[str, Any]] = []
        _walk_tree(config.get("TREE") or config.get("tree") or [], nodes)
        base = self.base(page.url)
        for node in nodes:
            url = f"{base}/gkmlpt/api/all/{node['id']}?page=1&sid={sid}"
            res.follow.append(Follow(url=url, title=norm(str(node.get("name") or "")),
                                     headers={"Accept": "application/json, text/plain, */*"},
                                     meta={"nb_gkmlpt": {"first": True}}))
        return res

    @staticmethod
    def detail(page: Page) -> dict[str, Any] | None:
        detail = find_assignment(page.text, "window._CONFIG.DETAIL")
        if detail is None:
            config = find_assignment(page.text, "window._CONFIG")
            if isinstance(config, dict):
                detail = config.get("DETAIL")
        return detail if isinstance(detail, dict) else None


class OpennessAdapter(Adapter):
    """OpennessContent (Anhui and others): /OpennessContent/showList/{site}/{cat}/page_{n}.html."""

    name = "openness"

    def detect(self, page: Page) -> bool:
        return "/OpennessContent/" in page.url or "/opennessContent/" in page.url

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        links = page.links()
        res = ListResult(platform=self.name, entries=self.report_entries(links))
        if re.search(r"/page_\d+\.html?$", page.url):
            n = 0
            m = re.search(r"共\s*(\d+)\s*页", page.visible) or re.search(r"(?:totalPage|pageCount|countPage)\s*[:=]\s*['\"]?(\d+)", page.text)
            if m:
                n = int(m.group(1))
            for link in links:
                m2 = re.search(r"/page_(\d+)\.html?$", link.url)
                if m2 and url_dir(link.url) == url_dir(page.url):
                    n = max(n, int(m2.group(1)))
            for k in range(1, min(n, 10000) + 1):
                res.follow.append(Follow(url=re.sub(r"/page_\d+(\.html?)$", rf"/page_{k}\1", page.url)))
        res.follow.extend(self.pagination_links(page, links))
        res.follow.extend(self.subcolumns(page, links, meta.get("nb_column_root")))
        return res


ADAPTERS: dict[str, Adapter] = {a.name: a for a in (GkmlptAdapter(), HanwebAdapter(), OpennessAdapter(), TrsAdapter(),
                                                   GenericAdapter())}
DETECT_ORDER = ("gkmlpt", "hanweb", "openness", "trs", "generic")


def detect(page: Page) -> Adapter:
    for name in DETECT_ORDER:
        adapter = ADAPTERS[name]
        if adapter.detect(page):
            return adapter
    return ADAPTERS["generic"]
