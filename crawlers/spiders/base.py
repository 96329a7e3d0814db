"""The base spider: from each portal's home page to its 年报 column, every report page and every attachment.

One crawl handles any number of portals (the national crawl is ~3,200). Per portal it:

1. fetches the home page (or the configured column URLs) and follows navigation text
   (政务公开 / 信息公开 / 政府信息公开 → 政府信息公开年报 / 年报 / 年度报告) to the 年报 column;
2. reads the column with its platform's adapter (TRS, Hanweb, gkmlpt, OpennessContent, generic), page by page;
3. keeps list entries whose title is a report title, fetches each report page (unless an earlier run fetched it
   and the list shows no change), then every attachment linked from it;
4. records every response as a FetchItem (stored content-addressed, one manifest row) and, when nothing is
   left to fetch for the portal, its summary row in portals.jsonl.

Hostile answers are classified before any parsing: challenges (by the challenge middleware), deleted pages
answering 200 with a meta refresh, JS redirect shells, HTTP errors.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from core import layout
from core.records import PortalRecord
from core.sniff import sniff

from ..adapters import ADAPTERS, GkmlptAdapter, ListResult, detect, url_dir
from ..hostile import is_folder_url, is_soft_404
from ..items import FetchItem
from ..middlewares import slot_key, to_http
from ..page import IMAGE_EXTS, Page, attachment_ext, clean_url
from ..sources import Portal, load_sources
from ..store import CrawlStore, DocState, utcnow
from core.titles import is_column_title, is_nav_title, is_report_title, nav_score

from ..outcome import BASELINE_STATES, portal_state, sharp_drop, state_reason
from .rendering import RenderingMixin, xhr_list_result

logger = logging.getLogger(__name__)

ROLE_PRIORITY = {"home": 0, "column": 5, "list": 10, "report": 20, "attachment": 30}
_CHROME_IMG = ("icon", "logo", "qrcode", "ewm", "erweima", "share", "weixin", "weibo", "wx_", "banner", "arrow", "btn",
               "button", "/bg", "spacer", "blank.gif", "jiucuo", "conac", "dzjg", "govicon", "red.png")


def site_of(host: str) -> str:
    """The registrable site of a host (xx.gov.cn → three labels), used to keep navigation on the portal."""
    host = (host or "").lower()
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return host
    labels = host.split(".")
    if host.endswith((".gov.cn", ".org.cn", ".com.cn", ".net.cn", ".edu.cn")):
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@dataclass
class PortalRun:
    """What the spider knows about one portal during this run."""

    portal: Portal
    hosts: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    pending: int = 0
    counts: Counter = field(default_factory=Counter)
    reports: set[str] = field(default_factory=set)
    column_urls: list[str] = field(default_factory=list)
    platforms: set[str] = field(default_factory=set)
    home_ok: bool = False
    home_error: str | None = None
    column_found: bool = False
    challenged: str | None = None  # challenge kind, when a page needed to crawl the portal was challenged
    challenge_hits: Counter = field(default_factory=Counter)  # per host
    tried_remembered: bool = False
    finished: bool = False
    started_at: str | None = None
    finished_at: str | None = None
    list_pages: int = 0
    nav_pages: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def sites(self) -> set[str]:
        return {site_of(h) for h in self.hosts}


class BasePortalSpider(RenderingMixin, scrapy.Spider):
    """Crawl the portals of a sources file into a run directory (see docs/crawling.md)."""

    name = "nianbao-base"
    force_platform: str | None = None  # thin subclasses pin every portal to one adapter

    def __init__(self, run_dir: str | None = None, data_dir: str | None = None, sources: str | None = None,
                 run_id: str | None = None, full: str = "0", options: str = "{}", **kwargs: Any):
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
        self.store = CrawlStore(self.data_dir, self.run_dir, self.run_id)
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
        if p.column_urls:
            for url in p.column_urls:
                r = self.req(ctx, url, "list", title="(column_url)",
                             meta={"nb_column_root": url_dir(url), "nb_column_start": True})
                if r is not None:
                    out.append(r)
        else:
            r = self.req(ctx, p.url, "home", conditional=True)
            if r is not None:
                out.append(r)
        if not out:
            self.finalize(ctx)
        return out

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
            key = f"RENDER {key}"  # a rendering of a page fetched before
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
        if not ctx.column_found and not ctx.tried_remembered and not ctx.challenged:
            ctx.tried_remembered = True
            known = self.state.portal(ctx.portal.id)
            reqs = []
            for url in (known or {}).get("column_urls", []):
                r = self.req(ctx, url, "list", title="(column found by an earlier run)",
                             meta={"nb_column_root": url_dir(url), "nb_column_start": True})
                if r is not None:
                    reqs.append(r)
            if reqs:
                ctx.counts["remembered_columns"] += len(reqs)
                return reqs
        rendered = self.render_at_end(ctx)
        if rendered:
            return rendered
        self.finalize(ctx)
        return []

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
            out.extend(self.handle_list(ctx, page, response))
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
        ctx.counts["errors"] += 1
        ctx.errors.append(f"{msg} {request.url}"[:300])
        if role == "home":
            ctx.home_error = msg
        return [self.item(ctx, request, None, "error", error=msg)]

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
        if "window._CONFIG" in page.text and "TREE" in page.text:
            return self.handle_list(ctx, page, response)
        links = page.links()
        out: list[Any] = []
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
                if ctx.nav_pages >= 25:
                    break
                r = self.req(ctx, link.url, "column", title=link.text, listing=page.url, depth=depth + 1,
                             conditional=True)
                if r is not None:
                    ctx.nav_pages += 1
                    out.append(r)
        return out

    # --- lists ----------------------------------------------------------------------------------------------
    def parse_list(self, ctx: PortalRun, page: Page, meta: dict[str, Any]) -> ListResult:
        if meta.get("nb_reader") == "xhr":  # a page of a list API learnt from a rendered page
            return xhr_list_result(page)
        platform = ctx.portal.platform
        if platform != "auto":
            res = ADAPTERS[platform].parse_list(page, meta)
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

    # --- reports and attachments ----------------------------------------------------------------------------
    def _count_report(self, ctx: PortalRun, meta: dict[str, Any], sha: str | None) -> bool:
        """Count a fetched report; True when its body is new or changed (so its attachments are checked too)."""
        prev_sha = meta.get("nb_prev_sha")
        self._note_body(ctx, meta, sha)
        if meta.get("nb_new") and not prev_sha:
            ctx.counts["new"] += 1
            return True
        if prev_sha != sha:
            ctx.counts["changed"] += 1
            return True
        ctx.counts["unchanged"] += 1
        return False

    def _count_attachment(self, ctx: PortalRun, meta: dict[str, Any], sha: str | None) -> None:
        self._note_body(ctx, meta, sha)
        ctx.counts["attachments"] += 1
        if meta.get("nb_new"):
            ctx.counts["new_attachments"] += 1

    def _note_body(self, ctx: PortalRun, meta: dict[str, Any], sha: str | None) -> None:
        if not sha:
            return
        url = meta["nb_url"]
        first = self.bodies_this_run.get(sha)
        if first is None:
            seen = self.state.body_seen(sha)
            first = seen[0] if seen else None
        if first is not None and first != url:
            ctx.counts["duplicate_bodies"] += 1
        self.bodies_this_run.setdefault(sha, url)

    def find_attachments(self, page: Page) -> list[tuple[str, str]]:
        found: dict[str, str] = {}

        def add(url: str, title: str) -> None:
            url = clean_url(url)
            if url != page.url and url.startswith(("http://", "https://")) and url not in found:
                found[url] = title

        if "window._CONFIG" in page.text:
            detail = GkmlptAdapter.detail(page)
            if detail is not None:
                content = detail.get("content") or detail.get("Content") or ""
                if isinstance(content, str) and content:
                    sub = Page(page.url, b"", text=f"<html><body><div id='zoom'>{content}</div></body></html>")
                    for link in sub.links():
                        if attachment_ext(link.url, link.text):
                            add(link.url, link.text)
                    for src in sub.images():
                        if not any(w in src.lower() for w in _CHROME_IMG):
                            add(src, "")
                for url, title in _walk_urls(detail):
                    if attachment_ext(url, title):
                        add(page.urljoin(url), title)
        for link in page.links():
            if link.in_chrome:
                continue
            if attachment_ext(link.url, link.text):
                add(link.url, link.text)
        root = page.content_root()
        if root is not None:
            for src in page.images(root):
                low = src.lower()
                if any(w in low for w in _CHROME_IMG):
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

    # --- the end --------------------------------------------------------------------------------------------
    def portal_state(self, ctx: PortalRun) -> str:
        return portal_state(challenged=bool(ctx.challenged), column_found=ctx.column_found, home_ok=ctx.home_ok,
                            has_column_urls=bool(ctx.portal.column_urls), home_error=ctx.home_error,
                            reports=len(ctx.reports),
                            failures=ctx.counts["errors"] + ctx.counts["challenged"] + ctx.counts["too_large"])

    def summary_row(self, ctx: PortalRun) -> dict[str, Any]:
        p = ctx.portal
        c = ctx.counts
        counts = {
            "pages": c["pages"], "reports": len(ctx.reports), "new": c["new"], "changed": c["changed"],
            "unchanged": c["unchanged"], "attachments": c["attachments"], "new_attachments": c["new_attachments"],
            "errors": c["errors"], "not_found": c["not_found"], "challenged": c["challenged"],
            "deleted": c["deleted"], "not_modified": c["not_modified"], "decoys": c["decoys"],
            "duplicate_urls": c["duplicate_urls"], "duplicate_bodies": c["duplicate_bodies"],
            "robots_blocked": c["robots_blocked"], "known_dead": c["known_dead"],
            "rechecked": c["rechecked"], "too_large": c["too_large"], "truncated": c["truncated"],
            "list_pages": ctx.list_pages, "rendered": c["rendered"],
        }
        for k, v in sorted(c.items()):
            counts.setdefault(k, v)
        previous = (self.state.portal(p.id) or {}).get("reports")
        if previous is not None:
            counts["previous_reports"] = previous
            if sharp_drop(previous, counts["reports"]):
                counts["reports_drop"] = previous - counts["reports"]
        state = self.portal_state(ctx)
        return PortalRecord(
            id=p.id, name=p.name, url=p.url, platform=p.platform, region_code=p.region_code,
            state=state, counts=counts, column_urls=list(ctx.column_urls),
            platforms_detected=sorted(ctx.platforms),
            error=state_reason(state, column_urls=ctx.column_urls, errors=ctx.errors, home_error=ctx.home_error),
            province=p.province, city=p.city, run_id=self.run_id, started_at=ctx.started_at,
            finished_at=ctx.finished_at,
        ).to_dict()

    def finalize(self, ctx: PortalRun, interrupted: bool = False) -> None:
        if ctx.finished:
            return
        ctx.finished = True
        ctx.finished_at = utcnow()
        row = self.summary_row(ctx)
        if interrupted and row["state"] in ("ok", "partial", "no_column", "empty_column", "unreachable"):
            row["state"] = "interrupted"
            row["counts"].pop("reports_drop", None)
            row["error"] = row["error"] or "the crawl stopped before the portal was done"
        self.store.write_portal(row)
        self.state.record_portal(ctx.portal.id, ctx.column_urls, sorted(ctx.platforms), row["state"], self.run_id,
                                 sorted(ctx.hosts),
                                 reports=row["counts"]["reports"] if row["state"] in BASELINE_STATES else None)
        logger.info("portal %s finished: %s, %d pages, %d reports (%d new), %d attachments, %d errors",
                    ctx.portal.id, row["state"], row["counts"]["pages"], row["counts"]["reports"],
                    row["counts"]["new"], row["counts"]["attachments"], row["counts"]["errors"])

    def _spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        for ctx in self.portals.values():
            if not ctx.finished:
                self.finalize(ctx, interrupted=reason != "finished" or ctx.pending > 0)
        stats = self.crawler.stats.get_stats() if self.crawler and self.crawler.stats else {}
        run_json = self.run_dir / layout.RUN_FILE
        try:
            run = json.loads(run_json.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            run = {}
        run.update({
            "run_id": self.run_id, "crawl_started_at": self.started_at, "finished_at": utcnow(),
            "elapsed_seconds": round(time.monotonic() - self.t0, 3), "finish_reason": reason,
            "sources_file": str(self.sources_path), "data_dir": str(self.data_dir),
            "full": self.full, "portals": len(self.portals), "manifest_rows": self.store.rows,
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
        })
        run.setdefault("started_at", self.started_at)
        run.setdefault("sources", str(self.sources_path))
        run.setdefault("options", self.options)
        run_json.write_text(json.dumps(run, ensure_ascii=False, indent=2), encoding="utf-8")
        (self.run_dir / layout.STATS_FILE).write_text(json.dumps(stats, ensure_ascii=False, indent=2, default=str),
                                                 encoding="utf-8")
        self.store.close()


def _walk_urls(obj: Any, title: str = "") -> Iterable[tuple[str, str]]:
    """(url, title) pairs from a JSON-like object (gkmlpt DETAIL attachment lists)."""
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
