"""The one item the crawl yields: a fetched response (or a failed fetch), with its body and manifest fields."""
from __future__ import annotations

import scrapy

from .store import MANIFEST_FIELDS


class FetchItem(scrapy.Item):
    # manifest.jsonl fields (docs/CONTRACTS.md), in order
    run_id = scrapy.Field()
    portal_id = scrapy.Field()
    url = scrapy.Field()
    final_url = scrapy.Field()
    status = scrapy.Field()
    headers = scrapy.Field()
    fetched_at = scrapy.Field()
    sha256 = scrapy.Field()
    size = scrapy.Field()
    detected_type = scrapy.Field()
    role = scrapy.Field()
    listing_url = scrapy.Field()
    link_title = scrapy.Field()
    parent_url = scrapy.Field()
    list_date = scrapy.Field()
    state = scrapy.Field()
    error = scrapy.Field()
    redirects = scrapy.Field()
    # not in the manifest
    body = scrapy.Field()  # bytes to store (None: nothing to store, or stored by an earlier run)
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    list_sig = scrapy.Field()
    key = scrapy.Field()  # the URL as found in the page (state key; the fetch may have gone to http instead)
    method = scrapy.Field()


assert all(f in FetchItem.fields for f in MANIFEST_FIELDS)
