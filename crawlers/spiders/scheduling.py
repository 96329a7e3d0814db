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
            conditional: bool | DocState | None = None, sig: str | None = None, prev: DocState | None = None,
            priority: int | None = None) -> Request | None:
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
                ctx.note_cap(f"more list pages than max_list_pages ({p.max_list_pages}): the rest not read")
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
            "nb_known_sha": conditional.sha256 if isinstance(conditional, DocState) else None,
            "download_timeout": p.timeout, "download_maxsize": p.max_size, "max_retry_times": p.retry_times,
            "handle_httpstatus_all": True,
        }
        if meta:
            m.update(meta)
        ctx.pending += 1
        ctx.counts["requests"] += 1
        return Request(fetch_url, method=method, body=body, headers=hdrs or None, meta=m, callback=self._on_response,
                       errback=self._on_error, dont_filter=True,
                       priority=ROLE_PRIORITY.get(role, 0) if priority is None else priority)


    def schedule_report(self, ctx: PortalRun, url: str, title: str, date: str | None, listing: str,
                        ranked: bool = True) -> Request | None:
        """A column entry: fetched unless an earlier run stored it and the list shows no change. Entries whose title
        is not a report title (`ranked` False) come after the report titles of the same portal."""
        url = clean_url(url)
        priority = None if ranked else ROLE_PRIORITY["report"] - 1
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
                            conditional=prev, priority=priority)
        return self.req(ctx, url, "report", title=title, listing=listing, date=date, sig=sig,
                        prev=prev if prev and prev.sha256 else None, conditional=prev if self.full else None,
                        priority=priority)

    def walk_due(self, ctx: PortalRun, known: dict[str, Any] | None) -> bool:
        """A full walk this run (home, navigation, every list page)? Always with --full, on a portal's first run
        and when no column is remembered; otherwise about every `walk_days` (spread per portal)."""
        days = float(ctx.portal.walk_days)
        if self.full or days <= 0 or not known or not known.get("column_urls") or not known.get("walked_at"):
            return True
        spread = 0.75 + 0.5 * (int(hashlib.sha1(ctx.portal.id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF)
        return time.time() - float(known["walked_at"]) >= days * 86400 * spread

    def state_rechecks(self, ctx: PortalRun) -> list[Request]:
        """Between full walks the later list pages are not read, so known reports are re-validated from the crawl
        state (same rule as for entries seen in a list: recheck_days, and every run while recently published)."""
        out = []
        for prev, link_title, listing in self.state.known_reports(ctx.portal.id):
            if prev.url in ctx.reports:
                continue
            try:
                list_date = (json.loads(prev.list_sig or "null") or [None, None])[1]
            except (ValueError, TypeError, IndexError):
                list_date = None
            if not self.recheck_due(ctx, prev.url, prev, list_date):
                continue
            ctx.reports.add(prev.url)
            r = self.req(ctx, prev.url, "report", title=link_title, listing=listing, date=list_date, sig=prev.list_sig,
                         prev=prev, conditional=prev)
            if r is not None:
                ctx.counts["rechecked"] += 1
                out.append(r)
        return out

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

