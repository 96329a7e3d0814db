"""The rendering fallback: a navigation page that static reading could not read, rendered in headless Chromium.

Since about 2019–2022 most county sites sit on provincial platforms whose 年报 column is an empty shell: the list
is drawn by script from a JSON API, written by `document.write`, loaded into an iframe, or reached only through a
menu drawn by script (docs/platforms.md). Where no static reading helps, the crawler renders the page in a real
browser and reads

- the rendered DOM of the page and of every frame in it (links made absolute against each frame's own URL), and
- the answers the page fetched (XHR / fetch): often the cleanest source, and they teach the list API so that the
  other pages are then asked for directly as plain requests (`crawlers/xhrlist.py`).

The browser is Debian's `chromium` (`/usr/bin/chromium`, installed by scripts/setup.sh), driven by Playwright
through scrapy-playwright with `executable_path`; Playwright's own browser download is never used.
`NIANBAO_CHROMIUM` points at another Chromium build.

Rendering is the exception and is budgeted: only navigation (home, column and list pages) is rendered, never a
report or an attachment (those are fetched as bytes and stored raw); a page gets `render_timeout` seconds; a portal
gets `render_max_pages` rendered pages. The browser's own requests keep the host's politeness: each one waits in
the host's Scrapy download slot (the same `delay` since the last request to that host, the slot's clock moved on
after it), one at a time per host; images, fonts, style sheets and media are not fetched at all. Every answer the
browser received is kept like any other fetched body (a manifest row each; the navigation itself with its raw
bytes, marked `x-nianbao-rendered` in its headers).
"""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

from .middlewares import slot_key
from .page import Page

logger = logging.getLogger(__name__)

CHROMIUM_ENV = "NIANBAO_CHROMIUM"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium",
                       "/usr/bin/google-chrome")
# Resource types the browser may skip: nothing in them can name a report.
SKIPPED_TYPES = frozenset({"image", "media", "font", "stylesheet", "texttrack", "manifest", "websocket",
                           "eventsource", "ping", "beacon", "csp_report"})
MAX_SUBREQUESTS = 80  # per rendered page; a page that asks for more is cut off (counted)
RENDERED_HEADER = "x-nianbao-rendered"
# A quiet browser: no GPU, no background traffic, no images decoded; it shares 2 cores with the crawl.
CHROMIUM_ARGS = ["--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps", "--mute-audio",
                 "--disable-gpu", "--disable-software-rasterizer", "--disable-extensions",
                 "--renderer-process-limit=2", "--blink-settings=imagesEnabled=false"]
CONTEXT = "nianbao"


def chromium_path() -> str | None:
    """The Chromium executable to drive: $NIANBAO_CHROMIUM, else Debian's /usr/bin/chromium (or a known path)."""
    env = os.environ.get(CHROMIUM_ENV)
    if env:
        return env if os.access(env, os.X_OK) else None
    for path in CHROMIUM_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found


def unavailable_reason() -> str | None:
    """Why rendering cannot run on this machine (None: it can)."""
    try:
        import playwright  # noqa: F401
        import scrapy_playwright  # noqa: F401
    except ImportError as exc:
        return f"rendering needs the playwright and scrapy-playwright packages ({exc.name} missing; make setup)"
    if chromium_path() is None:
        return (f"rendering needs Chromium: apt-get install chromium (or set {CHROMIUM_ENV}); "
                "Playwright's own browser download is not used")
    return None


def install(settings: Any, user_agent: str | None = None, want: bool = True) -> str | None:
    """Make the crawl able to render: scrapy-playwright's download handler (started only when a first page is
    rendered) on Debian's Chromium. Returns why rendering is off, or None when it is on. Either way every request
    goes through the per-host send gate (crawlers/polite.py)."""
    reason = unavailable_reason() if want else "render: off"
    if reason:
        gated = "crawlers.polite.GatedHTTPHandler"
        settings.set("DOWNLOAD_HANDLERS", {"http": gated, "https": gated}, priority="spider")
        return reason
    handler = "crawlers.render_handler.LazyPlaywrightHandler"
    settings.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="spider")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="spider")
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {"executable_path": chromium_path(), "headless": True,
                                               "args": CHROMIUM_ARGS},
                 priority="spider")
    context = {"java_script_enabled": True, "ignore_https_errors": True, "locale": "zh-CN",
               "service_workers": "block", "viewport": {"width": 1366, "height": 900}}
    if user_agent:
        context["user_agent"] = user_agent
    settings.set("PLAYWRIGHT_CONTEXTS", {CONTEXT: context}, priority="spider")
    settings.set("PLAYWRIGHT_MAX_CONTEXTS", 1, priority="spider")
    settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", 1, priority="spider")  # one page at a time: 2-core machines
    return None


# --- what a rendering gives back --------------------------------------------------------------------------------

@dataclass
class Captured:
    """One answer the browser received while rendering (the navigation itself, a script, an XHR, a frame)."""

    url: str
    method: str
    post_data: str | None
    resource_type: str  # document | script | xhr | fetch | other
    status: int | None  # None: sent, but no answer came before the page was read (the time limit)
    headers: dict[str, str]
    body: bytes | None  # None for redirects and bodies the browser did not keep
    is_navigation: bool  # the page's own document
    frame_url: str | None = None
    request_headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Rendered:
    """The outcome of rendering one page."""

    url: str  # as requested
    final_url: str  # where the main frame ended
    frames: list[tuple[str, str, bool]]  # (frame URL, its rendered HTML, is the main frame)
    captured: list[Captured]
    seconds: float
    timed_out: bool = False
    subrequests: int = 0  # requests the browser sent beyond the navigation
    skipped: int = 0  # requests not sent: images, fonts, style sheets, media
    cut_off: int = 0  # requests refused after the budget ran out
    waited: float = 0.0  # seconds subrequests waited for the host's politeness

    @property
    def navigation(self) -> Captured | None:
        return next((c for c in self.captured if c.is_navigation and c.body is not None), None)

    def page(self) -> Page:
        """One page holding the rendered DOM of the main frame and every child frame, links made absolute
        against each frame's own URL (a list in an iframe keeps its own base)."""
        parts = []
        for url, html, is_main in self.frames:
            if not html or not url.startswith(("http://", "https://")):
                continue
            try:
                doc = lxml_html.document_fromstring(html)
                doc.make_links_absolute(url, resolve_base_href=True)
                body = doc.find("body")
                inner = lxml_html.tostring(body if body is not None else doc, encoding="unicode")
            except Exception:  # noqa: BLE001 - an unparsable frame is skipped, the rest still counts
                continue
            if is_main:
                title = doc.findtext(".//title") or ""
                parts.insert(0, (title, inner))
            else:
                parts.append(("", f'<div class="nb-frame" data-frame-url="{url}">{inner}</div>'))
        title = parts[0][0] if parts else ""
        body = "\n".join(p[1] for p in parts)
        return Page(self.final_url or self.url, b"", text=f"<html><head><title>{title}</title></head>{body}</html>")

    def fetched(self) -> list[Captured]:
        """The answers that came back with data a list can be read from (XHR, fetch, frame documents)."""
        return [c for c in self.captured if not c.is_navigation and c.body is not None and (c.status or 0) < 400
                and c.resource_type in ("xhr", "fetch", "document", "other")]


# --- driving one page -------------------------------------------------------------------------------------------

class _Capture:
    """Per rendered page: the answers seen, the politeness of the subrequests, the time limit."""

    def __init__(self, renderer: Renderer, url: str, timeout: float):
        self.renderer = renderer
        self.url = url
        self.timeout = timeout
        self.started = time.monotonic()
        self.responses: list[Any] = []
        self.sent: list[Any] = []  # subrequests let through
        self.held: dict[int, str] = {}  # request id -> host key whose turn it holds until it finishes
        self.main_frame: Any = None
        self.navigation_seen = False
        self.closed = False
        self.subrequests = 0
        self.skipped = 0
        self.cut_off = 0
        self.waited = 0.0

    @property
    def remaining(self) -> float:
        return max(0.0, self.timeout - (time.monotonic() - self.started))

    async def init(self, page: Any, request: Any) -> None:
        """scrapy-playwright's page init callback: route every request through the politeness gate, keep every
        answer."""
        self.started = time.monotonic()
        self.main_frame = page.main_frame
        page.on("response", self._on_response)
        page.on("requestfinished", self._on_done)
        page.on("requestfailed", self._on_done)
        page.on("close", lambda _page: self.release_all())  # a page that failed before it settled
        await page.route("**/*", self.route)

    def _on_response(self, response: Any) -> None:
        self.responses.append(response)

    def _on_done(self, request: Any) -> None:
        key = self.held.pop(id(request), None)
        if key is not None:
            self.renderer.release(key)

    def release_all(self) -> None:
        for key in self.held.values():
            self.renderer.release(key)
        self.held.clear()

    async def route(self, route: Any, request: Any) -> None:
        try:
            if not self.navigation_seen and request.is_navigation_request() and request.frame == self.main_frame:
                self.navigation_seen = True  # the page itself: Scrapy's slot already paced it; it holds the
                key = await self.renderer.acquire(request.url, self.remaining, paced=True)  # host's turn until done
                if key is not None:
                    self.held[id(request)] = key
                await route.fallback()
                return
            if request.resource_type in SKIPPED_TYPES or not request.url.startswith(("http://", "https://")):
                self.skipped += 1
                await route.abort()
                return
            if self.closed or self.subrequests >= MAX_SUBREQUESTS or self.remaining <= 0:
                self.cut_off += 1
                await route.abort()
                return
            t0 = time.monotonic()
            key = await self.renderer.acquire(request.url, self.remaining)
            self.waited += time.monotonic() - t0
            if key is None or self.closed:
                if key is not None:
                    self.renderer.release(key)
                self.cut_off += 1
                await route.abort()
                return
            self.subrequests += 1
            self.held[id(request)] = key
            self.sent.append(request)
            await route.fallback()
        except Exception as exc:  # noqa: BLE001 - a page closed while a request waited
            logger.debug("route %s: %s", request.url, exc)

    async def settle(self, page: Any) -> Rendered:
        """The page method run after the navigation: wait until the network is idle (within the time limit),
        then read every frame and every answer."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        timed_out = False
        try:
            await page.wait_for_load_state("networkidle", timeout=max(self.remaining, 0.2) * 1000)
        except PlaywrightTimeout:
            timed_out = True
        except Exception as exc:  # noqa: BLE001
            logger.debug("networkidle %s: %s", self.url, exc)
        self.closed = True
        self.release_all()
        frames: list[tuple[str, str, bool]] = []
        for frame in page.frames:
            try:
                html = await asyncio.wait_for(frame.content(), timeout=5)
            except Exception:  # noqa: BLE001 - a detached frame
                continue
            frames.append((frame.url, html, frame == page.main_frame))
        captured = []
        answered = set()
        for resp in list(self.responses):
            answered.add(id(resp.request))
            captured.append(await _capture(resp, self.main_frame))
        for req in self.sent:
            if id(req) not in answered:
                try:
                    post = req.post_data
                except Exception:  # noqa: BLE001
                    post = None
                captured.append(Captured(url=req.url, method=req.method, post_data=post,
                                         resource_type=req.resource_type, status=None, headers={}, body=None,
                                         is_navigation=False, request_headers=dict(req.headers)))
        return Rendered(url=self.url, final_url=page.url, frames=frames, captured=captured,
                        seconds=round(time.monotonic() - self.started, 3), timed_out=timed_out,
                        subrequests=self.subrequests, skipped=self.skipped, cut_off=self.cut_off,
                        waited=round(self.waited, 3))


async def _capture(resp: Any, main_frame: Any) -> Captured:
    req = resp.request
    body: bytes | None = None
    if not 300 <= resp.status < 400:
        try:
            body = await asyncio.wait_for(resp.body(), timeout=5)
        except Exception:  # noqa: BLE001 - the browser did not keep it
            body = None
    try:
        headers = await resp.all_headers()
    except Exception:  # noqa: BLE001
        headers = dict(resp.headers)
    try:
        frame = req.frame
        frame_url = frame.url
        is_nav = req.is_navigation_request() and frame == main_frame and req.redirected_to is None
    except Exception:  # noqa: BLE001
        frame_url, is_nav = None, False
    try:
        post = req.post_data
    except Exception:  # noqa: BLE001 - binary post data
        post = None
    return Captured(url=resp.url, method=req.method, post_data=post, resource_type=req.resource_type,
                    status=resp.status, headers=dict(headers), body=body, is_navigation=is_nav, frame_url=frame_url,
                    request_headers=dict(req.headers))


class Renderer:
    """Per crawl: builds the request meta of a page to render, and keeps the browser's requests polite."""

    def __init__(self, crawler: Any, default_delay: float = 1.0, default_jitter: float = 0.5):
        from .polite import SendGate

        self.crawler = crawler
        self.gate = SendGate.of(crawler)
        self.default_delay = default_delay
        self.default_jitter = default_jitter
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    def meta(self, url: str, timeout: float) -> dict[str, Any]:
        """The meta keys that make a Scrapy request a rendering of `url` within `timeout` seconds."""
        from scrapy_playwright.page import PageMethod

        cap = _Capture(self, url, timeout)
        return {
            "playwright": True,
            "playwright_context": CONTEXT,
            "playwright_page_init_callback": cap.init,
            "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": timeout * 1000},
            "playwright_page_methods": [PageMethod(cap.settle)],
            "autothrottle_dont_adjust_delay": True,  # a render's latency says nothing about the host
            "dont_retry": True,
            "download_timeout": timeout + 30,
        }

    def _slot(self, key: str) -> Any:
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        return downloader.slots.get(key) if downloader is not None else None

    def _delay(self, slot: Any) -> float:
        if slot is not None:
            return slot.download_delay()
        import random

        return self.default_delay * (1 + random.uniform(-self.default_jitter, self.default_jitter))  # noqa: S311

    async def acquire(self, url: str, budget: float, paced: bool = False) -> str | None:
        """Wait for the turn of the host of `url`: one browser request at a time per host, each sent at least the
        host's delay after the previous one to that host finished (Scrapy's or the browser's). `paced`: Scrapy
        already waited (the navigation). Returns the host key (hand it to `release` when the request is done), or
        None when the time budget ran out first."""
        key = slot_key(url)
        lock = self._locks.setdefault(key, asyncio.Lock())
        deadline = time.monotonic() + max(budget, 0.0)
        try:
            await asyncio.wait_for(lock.acquire(), timeout=max(budget, 0.01))
        except asyncio.TimeoutError:
            return None
        try:
            if not paced:
                slot = self._slot(key)
                last = max(slot.lastseen if slot is not None else 0.0, self._last.get(key, 0.0),
                           self.gate.last.get(key, 0.0))
                wait = last + self._delay(slot) - time.monotonic()
                if wait > deadline - time.monotonic():
                    lock.release()
                    return None
                if wait > 0:
                    await asyncio.sleep(wait)
            self._touch(key)
            return key
        except BaseException:
            lock.release()
            raise

    def release(self, key: str) -> None:
        """The request holding the host's turn is done: the host's clock runs from now (Scrapy's slot too)."""
        self._touch(key)
        lock = self._locks.get(key)
        if lock is not None and lock.locked():
            lock.release()

    def _touch(self, key: str) -> None:
        now = time.monotonic()  # the clock of Scrapy's download slots
        slot = self._slot(key)
        if slot is not None:
            slot.lastseen = max(slot.lastseen, now)
        self._last[key] = max(self._last.get(key, 0.0), now)
        self.gate.sent(key)


def rendered_of(response: Any) -> Rendered | None:
    """The Rendered outcome carried by a scrapy-playwright response (None when the page method did not run)."""
    for pm in response.meta.get("playwright_page_methods") or ():
        if isinstance(getattr(pm, "result", None), Rendered):
            return pm.result
    return None


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
