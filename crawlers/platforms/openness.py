"""Anhui OpennessContent (also Inner Mongolia): /OpennessContent/showList/{site}/{cat}/page_{n}.html.

Department sites use /BranchOpennessContent/showList/{siteId}/{cat}/page_{n}.html; details are
/OpennessContent/show/{id}.html. The page count comes from 共N页 (or a totalPage/pageCount script value) and the
page links themselves. Evidence: tests/crawlers/pages/openness/SOURCE.txt (URL shapes are real; no list HTML
was found in the stored material, so the saved list page is synthetic).
"""
from __future__ import annotations

import re
from typing import Any

from ..page import Page
from .base import Follow, ListResult, Platform, capped_count, register, url_dir

_PAGED = re.compile(r"/page_(\d+)(\.html?)$")


class Openness(Platform):
    name = "openness"
    order = 30

    def detect(self, page: Page) -> bool:
        return "OpennessContent/" in page.url or "/opennessContent/" in page.url

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        links = page.links()
        res = ListResult(platform=self.name, entries=self.column_entries(page, links))
        if _PAGED.search(page.url):
            n = 0
            m = re.search(r"共\s*(\d+)\s*页", page.visible) or re.search(
                r"(?:totalPage|pageCount|countPage)\s*[:=]\s*['\"]?(\d+)", page.text)
            if m:
                n = int(m.group(1))
            for link in links:
                m2 = _PAGED.search(link.url)
                if m2 and url_dir(link.url) == url_dir(page.url):
                    n = max(n, int(m2.group(1)))
            n = capped_count(n, res, "共N页")
            for k in range(1, n + 1):
                res.follow.append(Follow(url=_PAGED.sub(rf"/page_{k}\2", page.url), next_page=True))
        res.follow.extend(self.pagination_links(page, links))
        res.follow.extend(self.subcolumns(page, links, meta.get("nb_column_root")))
        return res


register(Openness())
