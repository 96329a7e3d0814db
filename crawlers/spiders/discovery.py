"""Discovery: from a home page to the 年报 column, from a list page to its entries, from a report to its attachments.

The platform of a list page (crawlers/platforms/) reads it; this module decides what of it to fetch.
"""
from __future__ import annotations

import dataclasses
import hashlib
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response

from core.titles import excluded_kind, is_column_title, is_nav_title, is_report_title, nav_score

from ..page import DOWNLOAD_TEXT, IMAGE_EXTS, Page, attachment_ext, clean_url, is_chrome_image, visible_text
from ..platforms import PLATFORMS, Follow, ListResult, detect, platform_names, url_dir
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

    def handle_list(self, ctx: PortalRun, page: Page, response: Response, as_found_column: bool = True,
                    unchanged: bool = False) -> list[Any]:
        """A list page: schedule its entries and the pages it leads to. `unchanged`: a 304 (the stored body is
        read again). Between full walks a list is read page after page and stops at its first page that shows
        nothing new (unchanged, or only entries an earlier run already has) — new reports appear on page 1."""
        meta = response.meta
        res = self.parse_list(ctx, page, meta)
        if as_found_column:
            ctx.column_found = True
            ctx.list_pages += 1
            starts_list = meta.get("nb_column_start") or meta["nb_role"] in ("home", "column")
            if starts_list and meta["nb_url"] not in ctx.column_urls:
                ctx.column_urls.append(meta["nb_url"])
        ctx.platforms.add(res.platform)
        for reason in res.capped:
            ctx.note_cap(f"{reason} ({page.url})")
        out: list[Any] = []
        self.remember_list_source(ctx, meta, response, res, page)  # rendering.py: where a shell's list came from
        candidates = new = 0
        for entry in res.entries:
            ranked = is_report_title(entry.title)
            if as_found_column:
                # In the 年报 column the body decides: every entry is fetched, except those whose title clearly
                # names another kind of document; extraction says not_a_report for the rest.
                ctx.counts["entries"] += 1
                if not ranked and excluded_kind(entry.title):
                    ctx.counts["excluded"] += 1
                    continue
            elif not ranked:  # outside the column, discovery stays title-driven
                ctx.counts["decoys"] += 1
                continue
            candidates += 1
            if self.state.doc(ctx.portal.id, clean_url(entry.url)) is None:
                new += 1
            r = self.schedule_report(ctx, entry.url, entry.title, entry.date, page.url, ranked=ranked)
            if r is not None:
                out.append(r)
                if not ranked:
                    ctx.counts["unranked"] += 1
        self._count_javascript_links(ctx, page)
        root = meta.get("nb_column_root") or url_dir(page.url)
        pages = [f for f in res.follow if f.next_page] + [Follow(**d) for d in meta.get("nb_rest_pages") or ()]
        follows = [f for f in res.follow if not f.next_page]
        if not ctx.walk and pages:
            same_body = meta.get("nb_known_sha") is not None and \
                meta["nb_known_sha"] == hashlib.sha256(response.body).hexdigest()
            if unchanged or same_body or (candidates and not new):
                ctx.counts["pages_skipped"] += len({(f.url, f.body) for f in pages})
                pages = []
            else:  # the next page only; it decides about the rest
                pages = [dataclasses.replace(pages[0], meta={**pages[0].meta, "nb_rest_pages": [
                    dataclasses.asdict(f) for f in pages[1:]]})]
        starts = meta.get("nb_column_start") or meta["nb_role"] in ("home", "column")
        source_of = meta.get("nb_source_of") or (meta["nb_url"] if starts and not res.entries and as_found_column
                                                 else None)
        for f in follows + pages:
            extra = dict(f.meta)
            extra["nb_column_root"] = root
            if source_of and not f.next_page and not f.subcolumn:
                extra["nb_source_of"] = source_of
            if f.subcolumn:
                extra["nb_column_start"] = True
                extra["nb_column_root"] = url_dir(f.url)
            r = self.req(ctx, f.url, "list", title=f.title or meta.get("nb_title"), listing=page.url,
                         depth=meta.get("nb_depth", 0), method=f.method, body=f.body, headers=f.headers, meta=extra,
                         conditional=f.method == "GET")
            if r is not None:
                out.append(r)
        out.extend(self.render_after_list(ctx, page, meta, res, unchanged=unchanged or (
            meta.get("nb_known_sha") is not None and meta["nb_known_sha"] == hashlib.sha256(response.body).hexdigest())))
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
            if attachment_ext(link.url, link.text) or attachment_ext(link.url, link.name) \
                    or DOWNLOAD_TEXT.match(link.anchor or ""):
                add(link.url, link.label)
        host = urlsplit(page.url).hostname
        for link in page.written_links():  # script strings, OLDSRC/data-src, iframes, embeds, onclick
            if attachment_ext(link.url, link.text) or attachment_ext(link.url, link.name) \
                    or DOWNLOAD_TEXT.match(link.anchor or ""):
                add(link.url, link.label)
            elif link.via in ("iframe", "embed") and urlsplit(link.url).hostname == host:
                add(link.url, link.label)  # a page or document framed into the report's body
        root = page.content_root()
        if root is not None:
            for src in page.images(root):
                if is_chrome_image(src):
                    continue
                ext = attachment_ext(src) or ""
                if ext in IMAGE_EXTS or not ext:
                    add(src, "")
        return list(found.items())

    def _count_javascript_links(self, ctx: PortalRun, page: Page) -> None:
        """`javascript:` links that name no URL, where one was wanted (a report title, 点击下载): counted as
        skipped, so that a portal whose reports open only by script shows it (issue 10 item 7)."""
        n = 0
        for a in page.js_without_url:
            text = visible_text(a.text_content() if hasattr(a, "text_content") else "") or (a.get("title") or "")
            if is_report_title(text) or DOWNLOAD_TEXT.match(text) or attachment_ext("", text):
                n += 1
        page.js_without_url.clear()
        if n:
            ctx.counts["javascript_skipped"] += n

    def handle_report(self, ctx: PortalRun, page: Page, response: Response, refresh: bool) -> list[Any]:
        meta = response.meta
        out = []
        found = self.find_attachments(page)
        self._count_javascript_links(ctx, page)
        for url, title in found:
            r = self.schedule_attachment(ctx, url, title, parent=meta["nb_url"], listing=meta.get("nb_listing"),
                                         refresh=refresh, date=meta.get("nb_date"))
            if r is not None:
                out.append(r)
        return out

