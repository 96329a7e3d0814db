"""Guangdong gkmlpt (政府信息公开目录平台): every Guangdong unit, department and town sub-site.

The index page (/gkmlpt/index) carries `window._CONFIG = {SID: '…', TREE: [...]}`: the category tree. The
categories whose name says 年报 (and everything under them) are read from the JSON list API
/gkmlpt/api/all/{id}?page=n&sid=… (100 rows per API page; the page count from `total`). A report page
/gkmlpt/content/{a}/{b}/post_{id}.html has its body and attachments inside `window._CONFIG.DETAIL`; attachment
links there say only 点击下载, the file name is in `alt=`. Evidence: tests/crawlers/pages/gkmlpt/SOURCE.txt.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from typing import Any, Iterable
from urllib.parse import urljoin

from core.titles import find_date, is_column_title, norm

from ..jsobj import find_assignment
from ..page import Page, attachment_ext, is_chrome_image
from .base import Entry, Follow, ListResult, Platform, capped_count, register, url_dir


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


def _walk_urls(obj: Any, title: str = "") -> Iterable[tuple[str, str]]:
    """(url, title) pairs from a JSON-like object (DETAIL attachment lists)."""
    if isinstance(obj, dict):
        t = str(obj.get("name") or obj.get("title") or obj.get("filename") or title or "")
        for k, v in obj.items():
            if isinstance(v, str) and k.lower() in ("url", "href", "link", "path", "file", "fileurl", "file_url", "src"):
                yield v, t
            elif isinstance(v, (dict, list)):
                yield from _walk_urls(v, t)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk_urls(v, title)


def detail(page: Page) -> dict[str, Any] | None:
    """window._CONFIG.DETAIL of a report page (assigned on its own, or inside window._CONFIG)."""
    found = find_assignment(page.text, "window._CONFIG.DETAIL")
    if found is None:
        config = find_assignment(page.text, "window._CONFIG")
        if isinstance(config, dict):
            found = config.get("DETAIL")
    return found if isinstance(found, dict) else None


class Gkmlpt(Platform):
    name = "gkmlpt"
    order = 10

    def detect(self, page: Page) -> bool:
        return "/gkmlpt/" in page.url or ("window._CONFIG" in page.text and "TREE" in page.text)

    def is_list_entry(self, page: Page) -> bool:
        return "window._CONFIG" in page.text and "TREE" in page.text

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
                pages = capped_count(math.ceil(int(total) / int(size)) if size else 1, res, "total")
                for n in range(2, pages + 1):
                    url = re.sub(r"([?&]page=)\d+", lambda m: f"{m.group(1)}{n}", page.url)
                    res.follow.append(Follow(url=url, meta={"nb_gkmlpt": {"first": False}}, next_page=True))
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

    def attachments(self, page: Page) -> list[tuple[str, str]]:
        """Links and images of the body inside window._CONFIG.DETAIL, and its attachment lists."""
        if "window._CONFIG" not in page.text:
            return []
        found = detail(page)
        if found is None:
            return []
        out: list[tuple[str, str]] = []
        content = found.get("content") or found.get("Content") or ""
        if isinstance(content, str) and content:
            sub = Page(page.url, b"", text=f"<html><body><div id='zoom'>{content}</div></body></html>")
            for link in sub.links():
                if attachment_ext(link.url, link.text):
                    out.append((link.url, link.text))
            for src in sub.images():
                if not is_chrome_image(src):
                    out.append((src, ""))
        for url, title in _walk_urls(found):
            if attachment_ext(url, title):
                out.append((page.urljoin(url), title))
        return out


register(Gkmlpt())
