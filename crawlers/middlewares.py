"""Downloader middlewares: per-portal politeness slots, challenge detection, backoff retries, https→http fallback."""
from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from .hostile import detect_challenge

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def _offline_public_suffixes() -> None:
    """Scrapy's cookie middleware asks tldextract, which downloads the Public Suffix List on first use.
    Use the snapshot bundled with tldextract instead: a crawl contacts only the portals it crawls."""
    try:
        import scrapy.downloadermiddlewares.cookies as cookies_mw
        from tldextract import TLDExtract

        cookies_mw._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)
    except Exception:  # noqa: BLE001 - a newer Scrapy without this helper: nothing to do
        pass


_offline_public_suffixes()


def slot_key(url: str) -> str:
    """Politeness is per host: host[:port] (the port counts, as two ports are two servers)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def to_http(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.port == 443:
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit(("http", netloc, parts.path, parts.query, parts.fragment))


class PortalSlotMiddleware:
    """Put every request (robots.txt included) in its host's download slot, with the portal's delay and
    concurrency; rewrite https→http for hosts whose TLS is known broken; skip hosts that answered a challenge."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalSlotMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> Request | None:
        spider = self.crawler.spider
        key = slot_key(request.url)
        host = urlsplit(request.url).hostname or ""
        pid = request.meta.get("nb_portal")
        if request.url.startswith("https://") and hasattr(spider, "http_fallback_hosts") \
                and host in spider.http_fallback_hosts and request.meta.get("nb_tls", "auto") in ("auto", "legacy"):
            return request.replace(url=to_http(request.url))
        request.meta["download_slot"] = key
        downloader = getattr(self.crawler.engine, "downloader", None)
        if downloader is not None and pid and hasattr(spider, "slot_settings_for"):
            wanted = spider.slot_settings_for(pid)
            have = downloader.per_slot_settings.get(key)
            if have is None:
                downloader.per_slot_settings[key] = dict(wanted)
            else:  # a host shared by several portals gets the strictest settings
                merged = {"delay": max(have.get("delay", 0), wanted["delay"]),
                          "concurrency": min(have.get("concurrency", 1), wanted["concurrency"]),
                          "jitter": min(have.get("jitter", 0.5), wanted["jitter"])}
                if merged != have:
                    downloader.per_slot_settings[key] = merged
                    slot = downloader.slots.get(key)
                    if slot is not None:
                        slot.delay = max(slot.delay, merged["delay"])
                        slot.concurrency = merged["concurrency"]
                        slot.jitter = merged["jitter"]
        if pid and hasattr(spider, "blocked_hosts") and key in spider.blocked_hosts \
                and not request.meta.get("dont_obey_robotstxt"):
            raise IgnoreRequest(f"host challenged: {key}")
        return None


class ChallengeMiddleware:
    """Recognise JS challenges (瑞数 412/202, 加速乐 521, WAF walls) before anything parses the page."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        kind = detect_challenge(response.status, dict(response.headers), response.body)
        if kind:
            request.meta["nb_challenge"] = kind
            spider = self.crawler.spider
            if hasattr(spider, "note_challenge"):
                spider.note_challenge(request, kind)
        return response


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time()) if when else None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (timeouts, 429, 5xx; never 404) with exponential backoff between tries.

    The wait before retry n is `nb_backoff * 2**(n-1)` seconds (the portal's retry_backoff), at least the
    server's Retry-After (capped at RETRY_BACKOFF_MAX). A 429 also slows the whole host down.
    Truncated bodies (data loss) are retried too.
    """

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 300.0)
        self.default_backoff = settings.getfloat("RETRY_BACKOFF_BASE", 5.0)

    def _wait(self, request: Request, response: Response | None = None) -> float:
        base = float(request.meta.get("nb_backoff", self.default_backoff))
        n = request.meta.get("retry_times", 0) + 1
        wait = base * (2 ** (n - 1))
        if response is not None:
            ra = _retry_after(response)
            if ra is not None:
                wait = max(wait, ra)
        return min(wait, self.backoff_max)

    async def _sleep_then(self, request: Request, retry: Request | None, response: Response | None) -> Request | None:
        if retry is None:
            return None
        wait = self._wait(request, response)
        if response is not None and response.status == 429:
            downloader = getattr(self.crawler.engine, "downloader", None)
            slot = downloader.slots.get(request.meta.get("download_slot", "")) if downloader else None
            if slot is not None:
                slot.delay = min(max(slot.delay * 2, wait), self.backoff_max)
        if wait > 0:
            await asyncio.sleep(wait)
        return retry

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        if response.status in self.retry_http_codes or ("dataloss" in response.flags and response.status == 200):
            reason = f"HTTP {response.status}" if response.status in self.retry_http_codes else "dataloss"
            retry = await self._sleep_then(request, self._retry(request, reason), response)
            return retry or response
        return response

    async def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Request | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry", False):
            return await self._sleep_then(request, self._retry(request, exception), None)
        return None


_TLS_ERRORS = ("SSL", "TLS", "ssl", "tls", "handshake", "certificate", "ConnectionRefused", "ConnectionLost",
               "ResponseNeverReceived", "ConnectionDone", "ConnectError", "WrongVersion", "wrong version")


_TIMEOUTS = ("TimeoutError", "TimedOut", "timed out", "took longer than")


class HttpFallbackMiddleware:
    """When https fails at the TLS or connection level on a host whose TLS profile allows it, use http."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HttpFallbackMiddleware:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Request | None:
        if not request.url.startswith("https://") or request.meta.get("nb_tls", "auto") not in ("auto", "legacy"):
            return None
        desc = f"{type(exception).__name__}: {exception!r}"
        host = urlsplit(request.url).hostname or ""
        spider = self.crawler.spider
        tls_error = any(marker in desc for marker in _TLS_ERRORS)
        timeout = any(marker in desc for marker in _TIMEOUTS)
        # A timeout says less: fall back only while the host has not answered over https in this run
        # (port 443 filtered, http fine), and do not remember it for the next runs.
        if not tls_error and not (timeout and host not in getattr(spider, "https_ok_hosts", set())):
            return None
        if hasattr(spider, "note_https_broken"):
            spider.note_https_broken(host, desc, remember=tls_error)
        logger.info("https failed on %s (%s); falling back to http", host, type(exception).__name__)
        new = request.replace(url=to_http(request.url))
        new.meta["nb_https_fallback"] = True
        new.meta.pop("retry_times", None)
        new.dont_filter = True
        return new


_REDIRECT_STATUSES = {301, 302, 303, 307, 308}


def _same_url(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, (pa.hostname or "").lower(), pa.port, pa.path or "/", pa.query) == \
        (pb.scheme, (pb.hostname or "").lower(), pb.port, pb.path or "/", pb.query)


class PortalRedirectMiddleware(RedirectMiddleware):
    """Follow HTTP redirects with Scrapy's own logic (Location resolved, 303 and POST 301/302 turned into GET,
    Cookie and Authorization dropped across hosts, `redirect_urls` kept), although every request of the crawl
    asks to see every status itself (`handle_httpstatus_all`), which switches Scrapy's middleware off.

    Bounded (REDIRECT_MAX_TIMES) and loop-aware: a chain that comes back to a URL it passed, or grows too long,
    is not followed further; the 3xx answer goes to the spider with `nb_redirect_problem` = (state, reason), and
    is recorded as `redirect_loop` or `error`. Off-site targets are followed (report bodies and attachments often
    live on a file server or an OSS bucket); every redirected request passes the slot, robots.txt and challenge
    middlewares again like any other.
    """

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if (request.meta.get("dont_redirect", False) or response.status not in _REDIRECT_STATUSES
                or b"Location" not in response.headers):
            return response
        had_all = request.meta.pop("handle_httpstatus_all", None)
        try:
            result = super().process_response(request, response)
        except IgnoreRequest:
            chain = [*request.meta.get("redirect_urls", []), request.url]
            request.meta["nb_redirect_problem"] = (
                "error", f"more than {self.max_redirect_times} redirects: {' -> '.join(chain)[:400]}")
            return response
        finally:
            if had_all is not None:
                request.meta["handle_httpstatus_all"] = had_all
        if isinstance(result, Request):
            chain = result.meta.get("redirect_urls", [])
            if any(_same_url(result.url, u) for u in chain):
                request.meta["nb_redirect_problem"] = (
                    "redirect_loop", f"redirect loop: {' -> '.join([*chain, result.url])[:400]}")
                return response
            if had_all is not None:
                result.meta["handle_httpstatus_all"] = had_all
        return result


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with each host's robots.txt kept in the crawl state for
    ROBOTSTXT_CACHE_HOURS (24 by default, as large search engines do): a nightly run does not ask every host for
    it again. Only answers that say something are kept (2xx, and 404/410: no robots.txt); a challenge, another 4xx,
    a 5xx or a network failure is asked again next time. 0 hours: no cache."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.max_age = crawler.settings.getfloat("ROBOTSTXT_CACHE_HOURS", 24.0) * 3600

    def _state(self):
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "state", None)

    async def robot_parser(self, request: Request):
        from scrapy.utils.httpobj import urlparse_cached
        from scrapy.utils.misc import build_from_crawler

        url = urlparse_cached(request)
        state = self._state()
        if url.netloc not in self._parsers and state is not None and self.max_age > 0:
            body = state.robots(f"{url.scheme}://{url.netloc}", self.max_age)
            if body is not None:
                self._parsers[url.netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
                self._stats.inc_value("robotstxt/cached")
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        state = self._state()
        if state is not None and self.max_age > 0 and not response.meta.get("nb_challenge") \
                and (200 <= response.status < 300 or response.status in (404, 410)):
            body = response.body if 200 <= response.status < 300 else b""
            state.record_robots(f"{urlsplit(request.url).scheme}://{netloc}", response.status, body)
        await super()._parse_robots(response, netloc, request)
