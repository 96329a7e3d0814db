"""Hanweb 信息公开目录 (/module/xxgk/): a shell page, a category tree in an iframe, the list from search.jsp.

The shell (a /col/ page, often `?vc_xxgkarea=<unit code>`) holds `<iframe src="/module/xxgk/tree.jsp?area=…&divid=…">`
and `loadDynamic('/module/xxgk/search.jsp?…&area=…', 'div…')`; read statically it looks like a 公开指南 page. The
unit (county, department, township) is the `area` value; the category is the tree node's `funclick('<infotypeId>',
…)`. The list is `POST /module/xxgk/search.jsp` with infotypeId, jdid (the site id), area, divid and currpage,
answering table rows (`tr.tr_main_value_odd/even`, `a[title]`, the date in a cell) and 共N页. Department and
township units are shells of their own (another area), reached from the 部门/乡镇信息公开 directory pages.
Used in Zhejiang, Jiangsu, Jiangxi, Shandong, Heilongjiang, Jilin. Evidence: docs/platforms.md §3,
tests/crawlers/pages/xxgk/SOURCE.txt.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from core.titles import is_column_title, norm

from ..page import Page
from .base import Entry, Follow, ListResult, Platform, capped_count, register

TREE, SEARCH = "/module/xxgk/tree.jsp", "/module/xxgk/search.jsp"
_TREE_SRC = re.compile(r"""(/module/xxgk/tree\.jsp[^"'\s>]*)""", re.I)
_AREA = re.compile(r"""[?&;]area=([^&"'\s]+)""")
_DIVID = re.compile(r"""divid=(div\w+)""")
_JDID = re.compile(r"""\b(?:jdid|webid)\s*[=:]\s*['"]?(\d+)""", re.I)
_NODE = re.compile(r"""funclick\(\s*['"]([^'"]+)['"][^)]*\)[^>]*>\s*(?:<[^>]+>\s*)*([^<]{2,40})""")
_PAGES = re.compile(r"共\s*(\d+)\s*页")


def _form(state: dict[str, Any], page_no: int) -> str:
    return urlencode({"infotypeId": state["infotypeId"], "jdid": state.get("jdid", ""), "area": state["area"],
                      "divid": state.get("divid", ""), "vc_title": "", "vc_number": "", "vc_filenumber": "",
                      "vc_all": "", "texttype": "0", "fbtime": "-1", "standardXxgk": "1",
                      "sortfield": ",createdatetime:0,orderid:0", "currpage": str(page_no)})


class Xxgk(Platform):
    name = "xxgk"
    order = 18

    def detect(self, page: Page) -> bool:
        path = urlsplit(page.url).path
        return path in (TREE, SEARCH) or TREE in page.text or SEARCH in page.text

    def is_list_entry(self, page: Page) -> bool:
        return urlsplit(page.url).path not in (TREE, SEARCH) and (TREE in page.text or SEARCH in page.text)

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        res = ListResult(platform=self.name)
        path = urlsplit(page.url).path
        state = dict(meta.get("nb_xxgk") or {})
        if path == SEARCH:
            if not state:  # an answer read on its own: its request said what it asked for
                q = dict(parse_qsl(urlsplit(page.url).query, keep_blank_values=True))
                state = {"infotypeId": q.get("infotypeId", ""), "area": q.get("area", ""), "first": True}
            return self._rows(page, state, res)
        if path == TREE:
            state.setdefault("area", dict(parse_qsl(urlsplit(page.url).query)).get("area", ""))
            state.setdefault("divid", dict(parse_qsl(urlsplit(page.url).query)).get("divid", ""))
            for infotype, text in _NODE.findall(page.text):
                if is_column_title(norm(text)):
                    s = {**state, "infotypeId": infotype, "first": True}
                    res.follow.append(self._search(page, s, 1))
            return res
        m = _TREE_SRC.search(page.text)
        area = _AREA.search(page.text) or _AREA.search("?" + urlsplit(page.url).query.replace("vc_xxgkarea", "area"))
        state = {"area": area.group(1) if area else "", "referer": page.url}
        for rx, key in ((_DIVID, "divid"), (_JDID, "jdid")):
            found = rx.search(page.text)
            if found:
                state[key] = found.group(1)
        tree = urljoin(page.url, m.group(1).replace("&amp;", "&")) if m else \
            urljoin(page.url, f"{TREE}?{urlencode({'standardXxgk': 1, 'area': state['area'], 'divid': state.get('divid', '')})}")
        res.follow.append(Follow(url=tree, title="(信息公开目录 tree)", meta={"nb_xxgk": state}))
        return res

    def _search(self, page: Page, state: dict[str, Any], page_no: int) -> Follow:
        return Follow(url=urljoin(page.url, SEARCH), title=f"(信息公开目录 {state['infotypeId']} page {page_no})",
                      method="POST", body=_form(state, page_no), next_page=page_no > 1,
                      headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                               "X-Requested-With": "XMLHttpRequest", "Referer": state.get("referer", page.url)},
                      meta={"nb_xxgk": {**state, "first": page_no == 1 and state.get("first", False)}})

    def _rows(self, page: Page, state: dict[str, Any], res: ListResult) -> ListResult:
        rows = page.sel.css("tr.tr_main_value_odd, tr.tr_main_value_even") or page.sel.css("tr")
        seen = set()
        for row in rows:
            for link in page.links(row):
                if len(link.text) >= 4 and link.url not in seen:
                    seen.add(link.url)
                    res.entries.append(Entry(url=link.url, title=link.text, date=link.date))
        m = _PAGES.search(page.visible)
        if state.get("first") and m:
            n = capped_count(int(m.group(1)), res, "search.jsp 共N页")
            res.follow += [self._search(page, state, k) for k in range(2, n + 1)]
        return res


register(Xxgk())
