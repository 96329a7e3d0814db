"""Any other CMS: report-title links, 下一页 / 尾页 / numbered page links, TRS-style page counts when present.

The fallback: it always detects, and comes last in the detection order.
"""
from __future__ import annotations

from typing import Any

from ..page import Page
from .base import ListResult, Platform, register
from .trs import trs_pages


class Generic(Platform):
    name = "generic"
    order = 1000

    def detect(self, page: Page) -> bool:
        return True

    def parse_list(self, page: Page, meta: dict[str, Any]) -> ListResult:
        links = page.links()
        res = ListResult(platform=self.name, entries=self.column_entries(page, links))
        res.follow.extend(self.pagination_links(page, links))
        res.follow.extend(trs_pages(page, res))
        res.follow.extend(self.subcolumns(page, links, meta.get("nb_column_root")))
        return res


register(Generic())
