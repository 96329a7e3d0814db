"""Hanweb JCMS (/col/col{N}/index.html): the first records in the page's <datastore>, the rest from dataproxy.jsp.

The column page carries its first records as <record><![CDATA[<li><a …>]]></record> inside a <datastore> (in a
<script type="text/xml">) and the proxy's parameters (webid, columnid, unitid, perPage, proxyUrl) in a jpage
call or a <nextgroup> link. The remaining records come from POST {proxy}?startrecord=&endrecord=&perpage= (three
proxy paths exist: /module/web/jpage/, /module/jpage/, /module/jslib/jquery/jpage/), whose answer is a
<datastore> with <totalrecord>. Evidence: tests/crawlers/pages/hanweb/SOURCE.txt.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from core.titles import find_date

from ..page import Page
from .base import MAX_PAGES, Entry, Follow, ListResult, Platform, register

_RECORD = re.compile(r"<record[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TOTAL = re.compile(r"(?:<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+))", re.I)


def _param(text: str, name: str) -> str | None:
    m = re.search(r"[\"']?\b" + name + r"\b[\"']?\s*[:=]\s*[\"']?([^\"'&,}\s<>]+)", text, re.I)
    return m.group(1) if m else None


class Hanweb(Platform):
    name = "hanweb"
    order = 20

    def detect(self, page: Page) -> bool:
        t = page.text.lower()
        return "<datastore" in t or "<recordset" in t or "dataproxy.jsp" in page.url or "/module/web/jpage/" in t

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
                 listing_url: str, res: ListResult) -> list[Follow]:
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
        if total is not None and (stop - start) // chunk + 1 > MAX_PAGES:
            res.capped.append(f"totalrecord says {total} records; read the first {MAX_PAGES * chunk}")
            stop = start + MAX_PAGES * chunk - 1
        out = []
        s = start
        while s <= stop:
            e = s + chunk - 1
            url = f"{proxy_url}?startrecord={s}&endrecord={e}&perpage={perpage}"
            out.append(Follow(url=url, method="POST", body=body,
                              headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                                       "X-Requested-With": "XMLHttpRequest", "Referer": listing_url},
                              meta={"nb_hanweb": {"params": params, "proxy": proxy_url, "listing": listing_url,
                                                  "total_known": total is not None}}, next_page=True))
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
                                                    page.url, res))
            res.follow.extend(self.subcolumns(page, links, meta.get("nb_column_root")))
        elif not state.get("total_known") and total is not None:
            # A first POST made before the total was known: now ask for the rest.
            m2 = re.search(r"endrecord=(\d+)", page.url)
            if m2:
                res.follow.extend(self.requests(state["params"], state["proxy"], int(m2.group(1)) + 1, total,
                                                state["listing"], res))
        return res


register(Hanweb())
