"""Scheduling: every request of a crawl is made here, and here it is decided what not to ask for again.

`req` is the one way a request is made (per-portal de-duplication, the list-page cap, conditional GETs, the
https→http fallback); `schedule_report` and `schedule_attachment` compare a found document with what earlier
runs stored (state/crawl.sqlite) and skip, revalidate or fetch it.
"""
from __future__ import annotations

import hashlib
import json
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request

from ..middlewares import to_http
from ..page import clean_url
from ..store import DocState
from .context import ROLE_PRIORITY, PortalRun


class SchedulingMixin:
    """Requests and the skip / revalidate / fetch decision for reports and attachments."""

    # --- requests -------------------------------------------------------------------------------------------
    def req(self, ctx: PortalRun, url: str, role: str, *, title: str | None = None, listing: str | None = None,
            parent: str | None = None, date: str | None = None, depth: int = 0, method: str = "GET",
            body: str | None = None, headers: dict[str, str] | None = None, meta: dict[str, Any] | None = None,
            conditional: bool | DocState | None = None, sig: str | None = None, prev: DocState | None = None) -> Request | None:
        url = clean_url(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        key = url if method == "GET" else f"{method} {url} {body or ''}"
        if meta and meta.get("nb_render"):
            key = f"RENDER {key}"  # a rendering of a page fetched before (crawlers/render.py)
        if key in ctx.seen:
            ctx.counts["duplicate_urls"] += 1
            return None
        p = ctx.portal
        if role == "list":
            if ctx.counts["list_requests"] >= p.max_list_pages:
                ctx.counts["list_pages_capped"] += 1
                return None
            ctx.counts["list_requests"] += 1
        ctx.seen.add(key)
        fetch_url = url
        host = parts.hostname
        if url.startswith("https://") and (p.tls == "http" or (p.tls in ("auto", "legacy") and host in self.http_fallback_hosts)):
            fetch_url = to_http(url)
        hdrs = dict(headers or {})
        if conditional is True and method == "GET":
            conditional = self.state.doc(p.id, url)
        if isinstance(conditional, DocState) and conditional.sha256 and conditional.state in ("ok", "not_modified") \
                and self.store.raw.has(conditional.sha256):
            if conditional.etag:
                hdrs["If-None-Match"] = conditional.etag
            if conditional.last_modified:
                hdrs["If-Modified-Since"] = conditional.last_modified
        m: dict[str, Any] = {
            "nb_portal": p.id, "nb_role": role, "nb_url": url, "nb_title": title, "nb_listing": listing,
            "nb_parent": parent, "nb_date": date, "nb_depth": depth, "nb_sig": sig, "nb_tls": p.tls,
            "nb_backoff": p.retry_backoff, "nb_prev_sha": prev.sha256 if prev else None, "nb_new": prev is None,
            "download_timeout": p.timeout, "download_maxsize": p.max_size, "max_retry_times": p.retry_times,
            "handle_httpstatus_all": True,
        }
        if meta:
            m.update(meta)
        ctx.pending += 1
        return Request(fetch_url, method=method, body=body, headers=hdrs or None, meta=m, callback=self._on_response,
                       errback=self._on_error, dont_filter=True, priority=ROLE_PRIORITY.get(role, 0))


    def schedule_report(self, ctx: PortalRun, url: str, title: str, date: str | None, listing: str) -> Request | None:
        url = clean_url(url)
        if url in ctx.reports:
            ctx.counts["duplicate_urls"] += 1
            return None
        ctx.reports.add(url)
        sig = json.dumps([title, date], ensure_ascii=False)
        prev = self.state.doc(ctx.portal.id, url)
        if prev is not None and not self.full and prev.list_sig == sig and (
                prev.state in ("deleted", "challenged") or (prev.state == "error" and prev.status in (404, 410))):
            # Known dead (deleted, 404, challenged) and the list shows no change: do not ask again (--full does).
            ctx.counts["known_dead"] += 1
            self.state.touch_doc(ctx.portal.id, url, self.run_id)
            return None
        if prev is not None and prev.state in ("ok", "not_modified") and prev.sha256 and not self.full:
            if prev.list_sig == sig:
                if not self.recheck_due(ctx, url, prev, date):
                    ctx.counts["unchanged"] += 1
                    self.state.touch_doc(ctx.portal.id, url, self.run_id)
                    return None
                ctx.counts["rechecked"] += 1  # not checked for a while: a conditional GET tells
            # The list shows a change (title or date), or a recheck is due: ask again, conditionally.
            return self.req(ctx, url, "report", title=title, listing=listing, date=date, sig=sig, prev=prev,
                            conditional=prev)
        return self.req(ctx, url, "report", title=title, listing=listing, date=date, sig=sig,
                        prev=prev if prev and prev.sha256 else None, conditional=prev if self.full else None)

    def recheck_due(self, ctx: PortalRun, url: str, prev: DocState, list_date: str | None) -> bool:
        """Re-validate a known report whose list entry did not change? Pages get corrected in place (new
        numbers, same URL and title): recheck each about every `recheck_days` (spread per URL so a portal's
        reports do not all fall due on one night), and every run while recently published (60 days)."""
        days = float(ctx.portal.recheck_days)
        if days <= 0:
            return True
        now = time.time()
        if list_date:
            try:
                published = time.mktime(time.strptime(list_date, "%Y-%m-%d"))
                if 0 <= now - published <= 60 * 86400:
                    return True
            except ValueError:
                pass
        spread = 0.75 + 0.5 * (int(hashlib.sha1(url.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF)
        return now - (prev.checked_at or 0) >= days * 86400 * spread

    def schedule_attachment(self, ctx: PortalRun, url: str, title: str, parent: str, listing: str | None,
                            refresh: bool, date: str | None) -> Request | None:
        url = clean_url(url)
        prev = self.state.doc(ctx.portal.id, url)
        if prev is not None and prev.state in ("ok", "not_modified") and prev.sha256 and not refresh and not self.full:
            ctx.counts["unchanged_attachments"] += 1
            self.state.touch_doc(ctx.portal.id, url, self.run_id)
            return None
        return self.req(ctx, url, "attachment", title=title or None, listing=listing, parent=parent, date=date,
                        prev=prev if prev and prev.sha256 else None, conditional=prev)

