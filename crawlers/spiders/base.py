"""The base spider: from each portal's home page to its 年报 column, every report page and every attachment.

One crawl handles any number of portals (the national crawl is ~3,200). Per portal it:

1. fetches the home page (or the configured column URLs) and follows navigation text
   (政务公开 / 信息公开 / 政府信息公开 → 政府信息公开年报 / 年报 / 年度报告) to the 年报 column;
2. reads the column with its platform (crawlers/platforms/: TRS, Hanweb, gkmlpt, OpennessContent, generic),
   page by page;
3. fetches the column's entries (unless an earlier run fetched them and the list shows no change), then every
   attachment linked from each report page;
4. records every response as a FetchItem (stored content-addressed, one manifest row) and, when nothing is
   left to fetch for the portal, its summary row in portals.jsonl.

Hostile answers are classified before any parsing: challenges (by the challenge middleware), deleted pages
answering 200 with a meta refresh, JS redirect shells, HTTP errors.

The spider is cut along its seams: this module holds Scrapy's plumbing and the handling of each response;
discovery.py what a page leads to, scheduling.py what is requested (and what is not asked for again),
bookkeeping.py the counts and each portal's outcome at the end, context.py the per-portal state.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from twisted.internet.defer import CancelledError

try:  # Scrapy ≥ 2.13 turns a cancelled download into its own exception
    from scrapy.exceptions import DownloadCancelledError
except ImportError:  # pragma: no cover - older Scrapy
    DownloadCancelledError = CancelledError
from scrapy.http import Response

from core.sniff import sniff

from ..hostile import is_folder_url, is_gone_redirect, is_soft_404
from ..items import FetchItem
from ..middlewares import slot_key
from ..page import Page
from ..sources import load_sources
from ..platforms import url_dir
from ..store import CrawlStore, utcnow
from .bookkeeping import BookkeepingMixin
from .context import PortalRun
from .discovery import DiscoveryMixin
from .rendering import RenderingMixin
from .scheduling import SchedulingMixin
from .units import UnitsMixin

logger = logging.getLogger(__name__)


class BasePortalSpider(DiscoveryMixin, SchedulingMixin, BookkeepingMixin, RenderingMixin, UnitsMixin, scrapy.Spider):
    """Crawl the portals of a sources file into a run directory (see docs/crawling.md)."""

    name = "nianbao-base"
    force_platform: str | None = None  # the per-platform spiders pin every portal to one platform

    def __init__(self, run_dir: str | None = None, data_dir: str | None = None, sources: str | None = None,
                 run_id: str | None = None, full: str = "0", options: str = "{}", state: str | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        if not run_dir:
            raise ValueError("the spider needs -a run_dir=DATA_DIR/runs/RUN_ID")
        self.run_dir = Path(run_dir)
        self.data_dir = Path(data_dir) if data_dir else self.run_dir.parent.parent
        self.sources_path = Path(sources) if sources else self.run_dir / "sources.yaml"
        self.run_id = run_id or self.run_dir.name
        self.full = str(full).lower() in ("1", "true", "yes")
        try:
            self.options = json.loads(options) if options else {}
        except ValueError:
            self.options = {}
        src = load_sources(self.sources_path)
        self.sources = src
        self.portals: dict[str, PortalRun] = {}
        for p in src.portals:
            if self.force_platform:
                p.platform = self.force_platform
            ctx = PortalRun(portal=p)
            for url in [p.url, *p.column_urls]:
                ctx.hosts.add(urlsplit(url).hostname or "")
            self.portals[p.id] = ctx
        self.store = CrawlStore(self.data_dir, self.run_dir, self.run_id, state_path=Path(state) if state else None)
        self.state = self.store.state
        self.http_fallback_hosts: set[str] = set()
        self.https_ok_hosts: set[str] = set()
        self.blocked_hosts: set[str] = set()
        self.bodies_this_run: dict[str, str] = {}
        self.started_at = utcnow()
        self.t0 = time.monotonic()
        for ctx in self.portals.values():
            for host in ctx.hosts:
                if ctx.portal.tls in ("auto", "legacy") and self.state.https_broken(host):
                    self.http_fallback_hosts.add(host)

    # --- Scrapy plumbing ------------------------------------------------------------------------------------
    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BasePortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        d = spider.sources.defaults
        s = crawler.settings
        s.set("DOWNLOAD_DELAY", d["delay"], priority="spider")
        s.set("DOWNLOAD_DELAY_JITTER", d["jitter"], priority="spider")
        s.set("AUTOTHROTTLE_START_DELAY", d["delay"], priority="spider")
        s.set("CONCURRENT_REQUESTS_PER_DOMAIN", d["concurrency"], priority="spider")
        s.set("DOWNLOAD_TIMEOUT", d["timeout"], priority="spider")
        s.set("DOWNLOAD_MAXSIZE", d["max_size"], priority="spider")
        s.set("RETRY_TIMES", d["retry_times"], priority="spider")
        s.set("RETRY_BACKOFF_BASE", d["retry_backoff"], priority="spider")
        slots: dict[str, dict[str, Any]] = {}
        for ctx in spider.portals.values():
            for url in [ctx.portal.url, *ctx.portal.column_urls]:
                key = slot_key(url)
                want = spider.slot_settings_for(ctx.portal.id)
                have = slots.get(key)
                slots[key] = want if have is None else {
                    "delay": max(have["delay"], want["delay"]), "concurrency": min(have["concurrency"], want["concurrency"]),
                    "jitter": min(have["jitter"], want["jitter"])}
        s.set("DOWNLOAD_SLOTS", slots, priority="spider")
        crawler.signals.connect(spider._spider_closed, signal=signals.spider_closed)
        spider.setup_rendering(crawler)
        return spider

    def slot_settings_for(self, portal_id: str) -> dict[str, Any]:
        p = self.portals[portal_id].portal
        return {"delay": float(p.delay), "concurrency": int(p.concurrency), "jitter": float(p.jitter)}

    async def start(self) -> Any:
        for ctx in self.portals.values():
            for req in self.initial_requests(ctx):
                yield req

    def initial_requests(self, ctx: PortalRun) -> list[Request]:
        ctx.started_at = utcnow()
        p = ctx.portal
        out: list[Request] = []
        known = self.state.portal(p.id)
        ctx.walk = self.walk_due(ctx, known)
        if p.column_urls:
            for url in p.column_urls:
                r = self.req(ctx, url, "list", title="(column_url)",
                             meta={"nb_column_root": url_dir(url), "nb_column_start": True})
                if r is not None:
                    out.append(r)
        elif not ctx.walk:  # between full walks: start from the column found last time (discovery if it fails)
            out.extend(self.remembered_columns(ctx, known))
        else:
            r = self.req(ctx, p.url, "home", conditional=True)
            if r is not None:
                out.append(r)
        if not out:
            self.finalize(ctx)
        return out

    # --- hooks called by the middlewares --------------------------------------------------------------------
    def note_challenge(self, request: Request, kind: str) -> None:
        pid = request.meta.get("nb_portal")
        key = slot_key(request.url)
        self.state.record_host(key, self.run_id, challenged=kind)
        ctx = self.portals.get(pid) if pid else None
        if ctx is None:  # robots.txt and the like: say nothing, the page itself will tell
            return
        ctx.challenge_hits[key] += 1
        role = request.meta.get("nb_role")
        # A challenged home / navigation / list page stops the portal; scattered challenged documents
        # do not, until they repeat on the host.
        if role in ("home", "column", "list") or ctx.challenge_hits[key] >= 3:
            ctx.challenged = kind
            self.blocked_hosts.add(key)

    def note_https_broken(self, host: str, reason: str, remember: bool = True) -> None:
        if host not in self.http_fallback_hosts:
            self.http_fallback_hosts.add(host)
            if remember:
                self.state.record_host(host, self.run_id, https_broken=True)

    # --- callbacks ------------------------------------------------------------------------------------------
    def _on_response(self, response: Response) -> list[Any]:
        ctx = self.portals[response.meta["nb_portal"]]
        out: list[Any] = []
        try:
            out = self.handle_response(ctx, response)
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the portal
            logger.exception("error handling %s", response.url)
            ctx.counts["errors"] += 1
            ctx.errors.append(f"{type(exc).__name__}: {exc}"[:300])
        out.extend(self._done(ctx))
        return out

    def _on_error(self, failure: Any) -> list[Any]:
        request = failure.request
        ctx = self.portals[request.meta["nb_portal"]]
        out: list[Any] = []
        try:
            if request.meta.get("nb_render"):
                out = self.render_failure(ctx, request, failure.value)
            else:
                out = self.handle_failure(ctx, request, failure.value)
        except Exception:  # noqa: BLE001
            logger.exception("error handling the failure of %s", request.url)
        out.extend(self._done(ctx))
        return out

    def _done(self, ctx: PortalRun) -> list[Any]:
        ctx.pending -= 1
        if ctx.pending > 0 or ctx.finished:
            return []
        if not ctx.column_found and not ctx.challenged and not ctx.walk and not ctx.portal.column_urls:
            ctx.walk = True  # the remembered column did not answer with a list: find it again from the home page
            r = self.req(ctx, ctx.portal.url, "home", conditional=True)
            if r is not None:
                return [r]
        if not ctx.column_found and not ctx.tried_remembered and not ctx.challenged:
            reqs = self.remembered_columns(ctx, self.state.portal(ctx.portal.id))
            if reqs:
                return reqs
        if ctx.column_found and not ctx.walk and not ctx.rechecked_from_state and not ctx.challenged:
            ctx.rechecked_from_state = True
            reqs = self.state_rechecks(ctx)
            if reqs:
                return reqs
        rendered = self.render_at_end(ctx)
        if rendered:
            return rendered
        self.finalize(ctx)
        return []

    def remembered_columns(self, ctx: PortalRun, known: dict[str, Any] | None) -> list[Request]:
        """Requests for the column URLs an earlier run found (read as column starts)."""
        ctx.tried_remembered = True
        reqs = []
        for url in (known or {}).get("column_urls", []):
            direct = self.list_sources_of(ctx, url)  # a shell column: its list API or frame directly (rendering.py)
            if direct:
                reqs.extend(direct)
                continue
            r = self.req(ctx, url, "list", title="(column found by an earlier run)", conditional=True,
                         meta={"nb_column_root": url_dir(url), "nb_column_start": True, "nb_remembered": True})
            if r is not None:
                reqs.append(r)
        ctx.counts["remembered_columns"] += len(reqs)
        return reqs

    # --- items ----------------------------------------------------------------------------------------------
    def item(self, ctx: PortalRun, request: Request, response: Response | None, state: str, *,
             body: bytes | None = None, sha256: str | None = None, size: int | None = None,
             detected_type: str = "binary", error: str | None = None) -> dict[str, Any]:
        meta = request.meta
        headers: dict[str, str] = {}
        etag = last_modified = None
        if response is not None:
            for k, vs in response.headers.items():
                headers[k.decode("latin-1").lower()] = ", ".join(v.decode("latin-1") for v in vs)
            etag = headers.get("etag")
            last_modified = headers.get("last-modified")
        if body is not None:
            sha256 = hashlib.sha256(body).hexdigest()
            size = len(body)
        first_url = (meta.get("redirect_urls") or [request.url])[0]
        return FetchItem(
            run_id=self.run_id, portal_id=ctx.portal.id, url=first_url,
            final_url=response.url if response is not None else request.url,
            status=response.status if response is not None else None, headers=headers, fetched_at=utcnow(),
            sha256=sha256, size=size, detected_type=detected_type, role=meta["nb_role"],
            listing_url=meta.get("nb_listing"), link_title=meta.get("nb_title"), parent_url=meta.get("nb_parent"),
            list_date=meta.get("nb_date"), state=state, error=error, redirects=list(meta.get("redirect_urls") or []),
            body=body, etag=etag,
            last_modified=last_modified, list_sig=meta.get("nb_sig"), key=meta.get("nb_url"), method=request.method,
        )

    # --- responses ------------------------------------------------------------------------------------------
    def handle_response(self, ctx: PortalRun, response: Response) -> list[Any]:
        request = response.request
        meta = response.meta
        role = meta["nb_role"]
        status = response.status
        ctx.counts["pages"] += 1
        if response.url.startswith("https://"):
            self.https_ok_hosts.add(urlsplit(response.url).hostname or "")
        body = response.body
        if meta.get("nb_challenge"):
            kind = meta["nb_challenge"]
            ctx.counts["challenged"] += 1
            if role == "home":
                ctx.challenged = kind
            return [self.item(ctx, request, response, "challenged", body=body or None, detected_type=self._type(body),
                              error=f"{kind} challenge (HTTP {status})")]
        if meta.get("nb_render"):
            return self.handle_rendered(ctx, response)
        if status == 304:
            return self.handle_not_modified(ctx, request, response)
        problem = meta.get("nb_redirect_problem")
        if problem is not None:  # a redirect loop, or a chain longer than REDIRECT_MAX_TIMES
            state, reason = problem
            ctx.counts["errors"] += 1
            ctx.counts["redirect_loops" if state == "redirect_loop" else "redirect_chains"] += 1
            if role == "home":
                ctx.home_error = reason
            ctx.errors.append(reason[:300])
            return [self.item(ctx, request, response, state, body=body or None, detected_type=self._type(body),
                              error=reason)]
        if status >= 300 and meta.get("nb_remembered") and status in (404, 410):
            # a column found by an earlier run is gone (the site moved): discovery looks for it again
            ctx.counts["remembered_gone"] += 1
            return [self.item(ctx, request, response, "error", body=body or None, detected_type=self._type(body),
                              error=f"HTTP {status}: the column found by an earlier run is gone")]
        if status >= 300:
            if status != 404 or role in ("home", "column", "list"):
                ctx.counts["errors"] += 1
            else:
                ctx.counts["not_found"] += 1
            if role == "home":
                ctx.home_error = f"HTTP {status}"
            ctx.errors.append(f"HTTP {status} {response.url}"[:300])
            return [self.item(ctx, request, response, "error", body=body or None, detected_type=self._type(body),
                              error=f"HTTP {status}")]
        dtype = self._type(body)
        truncated = "dataloss" in response.flags
        page = None
        if dtype in ("html", "text") and role != "attachment":
            page = Page(response.url, body, response.headers.get(b"Content-Type"))
        out: list[Any] = []
        if page is not None:
            shell = self._redirect_target(page)
            if shell is not None and shell != response.url:
                hops = meta.get("nb_hops", 0)
                if role == "report" and is_folder_url(shell, response.url):
                    ctx.counts["deleted"] += 1
                    return [self.item(ctx, request, response, "deleted", body=body, detected_type=dtype,
                                      error=f"deleted: answers 200 with a redirect to {shell}")]
                if hops < 3:
                    follow = self.req(ctx, shell, role, title=meta.get("nb_title"), listing=meta.get("nb_listing"),
                                      parent=meta.get("nb_parent"), date=meta.get("nb_date"),
                                      depth=meta.get("nb_depth", 0), sig=meta.get("nb_sig"),
                                      meta={k: v for k, v in meta.items() if k in ("nb_column_root", "nb_column_start")}
                                      | {"nb_hops": hops + 1})
                    if follow is not None:
                        if role == "home":
                            ctx.hosts.add(urlsplit(shell).hostname or "")
                        out.append(follow)
                    state = "ok" if role in ("home", "column", "list") else "error"
                    return out + [self.item(ctx, request, response, state, body=body, detected_type=dtype,
                                            error=None if state == "ok" else f"redirect shell to {shell} (followed)")]
        if page is not None and role == "report" and meta.get("redirect_urls") \
                and is_gone_redirect(response.url, meta["nb_url"]):
            ctx.counts["deleted"] += 1
            return [self.item(ctx, request, response, "deleted", body=body, detected_type=dtype,
                              error=f"deleted: redirected to {response.url}")]
        if page is not None and role == "report" and is_soft_404(page):
            ctx.counts["deleted"] += 1
            return [self.item(ctx, request, response, "deleted", body=body, detected_type=dtype,
                              error="deleted: answers 200 with a 'page not found' page")]
        state = "truncated" if truncated else "ok"
        if truncated:
            ctx.counts["truncated"] += 1
        it = self.item(ctx, request, response, state, body=body, detected_type=dtype)
        out.append(it)
        if role == "home":
            ctx.home_ok = True
            ctx.hosts.add(urlsplit(response.url).hostname or "")
        if page is None:
            if role == "report":
                self._count_report(ctx, meta, it["sha256"])
            elif role == "attachment":
                self._count_attachment(ctx, meta, it["sha256"])
            return out
        if role in ("home", "column"):
            self.note_nav_page(ctx, meta["nb_url"], role)
            out.extend(self.discover(ctx, page, response))
        elif role == "list":
            out.extend(self.handle_list(ctx, page, response))
        elif role == "report":
            changed = self._count_report(ctx, meta, it["sha256"])
            out.extend(self.handle_report(ctx, page, response, refresh=changed or self.full))
        elif role == "attachment":
            self._count_attachment(ctx, meta, it["sha256"])
        return out

    def handle_not_modified(self, ctx: PortalRun, request: Request, response: Response) -> list[Any]:
        meta = request.meta
        prev = self.state.doc(ctx.portal.id, meta["nb_url"])
        old = self.store.raw.get(prev.sha256) if prev and prev.sha256 else None
        if prev is None or old is None:
            ctx.counts["errors"] += 1
            return [self.item(ctx, request, response, "error", error="304 without a stored body")]
        ctx.counts["not_modified"] += 1
        it = self.item(ctx, request, response, "not_modified", sha256=prev.sha256, size=prev.size,
                       detected_type=prev.detected_type or "binary")
        it["etag"] = it["etag"] or prev.etag
        it["last_modified"] = it["last_modified"] or prev.last_modified
        out: list[Any] = [it]
        role = meta["nb_role"]
        if role == "home":
            ctx.home_ok = True
        if role == "report":
            ctx.counts["unchanged"] += 1
        if role in ("report", "attachment") or (prev.detected_type not in ("html", "text")):
            return out
        page = Page(response.url, old, None)
        if role in ("home", "column"):
            self.note_nav_page(ctx, meta["nb_url"], role)
            out.extend(self.discover(ctx, page, response))
        elif role == "list":
            out.extend(self.handle_list(ctx, page, response, unchanged=True))
        return out

    def handle_failure(self, ctx: PortalRun, request: Request, exc: BaseException) -> list[Any]:
        role = request.meta["nb_role"]
        msg = f"{type(exc).__name__}: {exc}"[:300]
        if isinstance(exc, IgnoreRequest):
            if "robots.txt" in str(exc):
                ctx.counts["robots_blocked"] += 1
                if role == "home":
                    ctx.home_error = "robots.txt disallows the home page"
            else:
                ctx.counts["skipped"] += 1
            return []
        if "max size" in str(exc) or "maxsize" in str(exc).lower():
            ctx.counts["too_large"] += 1
            return [self.item(ctx, request, None, "too_large", error=msg)]
        if isinstance(exc, (CancelledError, DownloadCancelledError)) and not str(exc):
            # Scrapy stops a body that grows past the limit without a Content-Length by cancelling its download,
            # with no message (a graceful stop lets running downloads finish; a timeout is a TimeoutError).
            ctx.counts["too_large"] += 1
            limit = request.meta.get("download_maxsize")
            return [self.item(ctx, request, None, "too_large",
                              error=f"body larger than max_size ({limit} bytes) without a Content-Length: download stopped")]
        ctx.counts["errors"] += 1
        ctx.errors.append(f"{msg} {request.url}"[:300])
        if role == "home":
            ctx.home_error = msg
        return [self.item(ctx, request, None, "error", error=msg)]

    # --- helpers --------------------------------------------------------------------------------------------
    @staticmethod
    def _type(body: bytes) -> str:
        return sniff(body) if body else "empty"

    @staticmethod
    def _redirect_target(page: Page) -> str | None:
        refresh = page.meta_refresh()
        if refresh is not None and refresh[0] <= 10 and len(page.visible) < 500:
            return refresh[1]
        return page.js_redirect()

