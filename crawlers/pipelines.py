"""Item pipelines: validate every FetchItem, then store its body content-addressed and write its manifest row."""
from __future__ import annotations

import hashlib
from typing import Any

from scrapy.exceptions import DropItem

from core.records import ManifestRow

from .store import MANIFEST_FIELDS, STORE_ERROR_LAST_STAT, STORE_ERRORS_STAT


class ValidatePipeline:
    """Reject malformed items loudly (a bug in a platform must not produce a bad manifest)."""

    def process_item(self, item: Any, spider: Any = None) -> Any:
        problems = [f"missing {key}" for key in MANIFEST_FIELDS if key not in item]
        if not problems:
            problems = ManifestRow.from_dict({k: item.get(k) for k in MANIFEST_FIELDS}).problems()
        body = item.get("body")
        sha = item.get("sha256")
        if body is not None:
            if not isinstance(body, bytes):
                problems.append("body is not bytes")
            elif sha != hashlib.sha256(body).hexdigest():
                problems.append("sha256 does not match the body")
            elif item.get("size") != len(body):
                problems.append("size does not match the body")
        if problems:
            raise DropItem(f"invalid fetch item for {item.get('url')}: {'; '.join(problems)}")
        return item


class StorePipeline:
    """raw/ab/<sha256> + one manifest row + the increment state, through the spider's CrawlStore."""

    def process_item(self, item: Any, spider: Any = None) -> Any:
        store = getattr(self, "_store", None)
        if store is None:
            raise DropItem("no store")
        try:  # Scrapy logs a pipeline's exception and goes on: count it, so the run is not reported a success
            store.write(item)
        except Exception as exc:
            stats = getattr(getattr(self, "crawler", None), "stats", None)
            if stats is not None:
                stats.inc_value(STORE_ERRORS_STAT)
                stats.set_value(STORE_ERROR_LAST_STAT, f"{type(exc).__name__}: {exc}"[:300])
            raise
        item["body"] = None  # stored; do not keep it in memory
        return item

    @classmethod
    def from_crawler(cls, crawler: Any) -> "StorePipeline":
        obj = cls()
        obj.crawler = crawler
        return obj

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        self._store = spider.store
