"""Discovery: from a home page to the 年报 column, from a list page to its entries, from a report to its attachments.

The platform of a list page (crawlers/platforms/) reads it; this module decides what of it to fetch.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response

from core.titles import is_column_title, is_nav_title, is_report_title, nav_score

from ..page import IMAGE_EXTS, Page, attachment_ext, clean_url, is_chrome_image
from ..platforms import PLATFORMS, ListResult, detect, platform_names, url_dir
from .context import PortalRun, site_of
from .rendering import xhr_list_result


class DiscoveryMixin:
    """Navigation, lists and report pages: what each page leads to."""

    # --- discovery ------------------------------------------------------------------------------------------
    def nav_allowed(self, ctx: PortalRun, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        if host in ctx.hosts:
            return True
        if site_of(host) in ctx.sites:
            ctx.hosts.add(host)
            return True
        return False

    def discover(self, ctx: PortalRun, page: Page, response: Response) -> list[Any]:
        """A home or navigation page: find the 年报 column, else follow 信息公开 navigation."""
        meta = response.meta
        depth = meta.get("nb_depth", 0)
        links = page.links()
        units = self.follow_units(ctx, page, links, meta)  # 部门/乡镇信息公开 directories (units.py)
        if any(PLATFORMS[name].is_list_entry(page) for name in platform_names()):
            return units + self.handle_list(ctx, page, response)
        out: list[Any] = units
        columns = []
        seen_urls: set[str] = set()
        for link in links:
            if link.url in seen_urls or link.url == page.url or attachment_ext(link.url, ""):
                continue
            if is_column_title(link.text) and self.nav_allowed(ctx, link.url):
                seen_urls.add(link.url)
                columns.append(link)
        if columns:
            for link in columns[:8]:
                r = self.req(ctx, link.url, "list", title=link.text, listing=page.url, depth=depth + 1,
                             meta={"nb_column_root": url_dir(link.url), "nb_column_start": True}, conditional=True)
                if r is not None:
                    out.append(r)
            return out
        if any(is_report_title(link.text) for link in links):
            out.extend(self.handle_list(ctx, page, response, as_found_column=False))
        if depth < ctx.portal.max_depth:
            navs = []
            for link in links:
                if link.url in seen_urls or link.url == page.url or attachment_ext(link.url, ""):
                    continue
                if is_nav_title(link.text) and self.nav_allowed(ctx, link.url):
                    seen_urls.add(link.url)
                    navs.append(link)
            navs.sort(key=lambda l: -nav_score(l.text))
            for link in navs[:5]:
                if ctx.nav_pages >= 25 + 2 * ctx.counts["subsites"]:
                    break
                r = self.req(ctx, link.url, "column", title=link.text, listing=page.url, depth=depth + 1,
                             conditional=True)
                if r is not None:
                    ctx.nav_pages += 1
                    out.append(r)
        return out

    # --- lists ----------------------------------------------------------------------------------------------
    def parse_list(self, ctx: PortalRun, page: Page, meta: dict[str, Any]) -> ListResult:
        if meta.get("nb_reader") == "xhr":  # a page of a list API learnt from a rendered page (rendering.py)
            return xhr_list_result(page)
        platform = ctx.portal.platform
        if platform != "auto":
            res = PLATFORMS[platform].parse_list(page, meta)
            if res.entries or res.follow:
                return res
        return detect(page).parse_list(page, meta)

    def handle_list(self, ctx: PortalRun, page: Page, response: Response, as_found_column: bool = True) -> list[Any]:
        meta = response.meta
        res = self.parse_list(ctx, page, meta)
        if as_found_column:
            ctx.column_found = True
            ctx.list_pages += 1
            starts_list = meta.get("nb_column_start") or meta["nb_role"] in ("home", "column")
            if starts_list and meta["nb_url"] not in ctx.column_urls:
                ctx.column_urls.append(meta["nb_url"])
        ctx.platforms.add(res.platform)
        out: list[Any] = []
        for entry in res.entries:
            if not is_report_title(entry.title):
                ctx.counts["decoys"] += 1
                continue
            r = self.schedule_report(ctx, entry.url, entry.title, entry.date, page.url)
            if r is not None:
                out.append(r)
        root = meta.get("nb_column_root") or url_dir(page.url)
        for f in res.follow:
            extra = dict(f.meta)
            extra["nb_column_root"] = root
            if f.subcolumn:
                extra["nb_column_start"] = True
                extra["nb_column_root"] = url_dir(f.url)
            r = self.req(ctx, f.url, "list", title=f.title or meta.get("nb_title"), listing=page.url,
                         depth=meta.get("nb_depth", 0), method=f.method, body=f.body, headers=f.headers, meta=extra,
                         conditional=f.method == "GET")
            if r is not None:
                out.append(r)
        out.extend(self.render_after_list(ctx, page, meta, res))
        return out

    # --- report pages -------------------------------------------------------------------------------------
    def find_attachments(self, page: Page) -> list[tuple[str, str]]:
        """(url, name) of every attachment of a report page: its platform's own markup, the links outside the
        page's chrome, and the images of its body (图片版 reports)."""
        found: dict[str, str] = {}

        def add(url: str, title: str) -> None:
            url = clean_url(url)
            if url != page.url and url.startswith(("http://", "https://")) and url not in found:
                found[url] = title

        for name in platform_names():  # what only a platform's own markup reveals (gkmlpt's DETAIL JSON)
            for url, title in PLATFORMS[name].attachments(page):
                add(url, title)
        for link in page.links():
            if link.in_chrome:
                continue
            if attachment_ext(link.url, link.text):
                add(link.url, link.text)
        root = page.content_root()
        if root is not None:
            for src in page.images(root):
                if is_chrome_image(src):
                    continue
                ext = attachment_ext(src) or ""
                if ext in IMAGE_EXTS or not ext:
                    add(src, "")
        return list(found.items())

    def handle_report(self, ctx: PortalRun, page: Page, response: Response, refresh: bool) -> list[Any]:
        meta = response.meta
        out = []
        for url, title in self.find_attachments(page):
            r = self.schedule_attachment(ctx, url, title, parent=meta["nb_url"], listing=meta.get("nb_listing"),
                                         refresh=refresh, date=meta.get("nb_date"))
            if r is not None:
                out.append(r)
        return out

