"""The crawler: Scrapy spiders that find each portal's 年报 column and keep every fetched byte.

Entry points: `nianbao crawl` (crawlers/command.py), `crawlers.run.crawl(...)` (a `scrapy crawl` subprocess),
sources files (crawlers/sources.py, docs/sources.md). How it works: docs/crawling.md.
"""
