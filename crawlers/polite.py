"""The per-host delay held where a request actually leaves: in the download handler, not only in Scrapy's queue.

Scrapy spaces requests to a host when it takes them from the host's queue (`slot.lastseen`), but a request can
still wait after that (callbacks parsing large pages hold the event loop), so two requests taken `delay` apart
may leave closer together. Measured on the demo portal with ten sites on two cores: gaps of 50–75 ms at a 120 ms
floor. The gate here waits, right before the handler sends, until `delay × (1 − jitter)` (the least delay the host
allows) has passed since the last request to that host left — Scrapy's own and the rendering browser's alike
(crawlers/render.py moves the same clock) — one host at a time.
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from .middlewares import slot_key


class SendGate:
    """Per host: when the last request left (monotonic seconds, the clock of Scrapy's slots)."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def of(cls, crawler: Any) -> SendGate:
        gate = getattr(crawler, "_nb_send_gate", None)
        if gate is None:
            gate = cls(crawler)
            crawler._nb_send_gate = gate
        return gate

    def slot(self, key: str) -> Any:
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        return downloader.slots.get(key) if downloader is not None else None

    async def wait(self, request: Any) -> float:
        """Wait for the host's turn; returns the seconds waited."""
        key = request.meta.get("download_slot") or slot_key(request.url)
        slot = self.slot(key)
        if slot is None or not slot.delay:
            return 0.0
        lock = self._locks.setdefault(key, asyncio.Lock())
        t0 = time.monotonic()
        async with lock:
            floor = slot.delay * (1 - min(max(slot.jitter, 0.0), 1.0))
            wait = self.last.get(key, 0.0) + floor - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.sent(key)
        return time.monotonic() - t0

    def sent(self, key: str) -> None:
        """A request to the host `key` leaves (or a browser request finished) now."""
        now = time.monotonic()
        self.last[key] = max(self.last.get(key, 0.0), now)
        slot = self.slot(key)
        if slot is not None:
            slot.lastseen = max(slot.lastseen, now)


class GatedHTTPHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler behind the send gate (the handler when rendering is off)."""

    async def download_request(self, request: Any) -> Any:
        await SendGate.of(self._crawler).wait(request)
        return await super().download_request(request)
