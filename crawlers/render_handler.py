"""scrapy-playwright's download handler, started only when a first page is to be rendered.

scrapy-playwright starts the Playwright driver when the engine starts; most crawls render nothing, so this
subclass waits for the first request that asks for a browser. Plain requests go through Scrapy's own HTTP/1.1
handler either way (scrapy-playwright passes them on), all behind the per-host send gate (crawlers/polite.py).
Imported only when rendering is on (crawlers/render.py).
"""
from __future__ import annotations

import asyncio
from typing import Any

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from .polite import SendGate


class LazyPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._nb_started = False
        self._nb_start_lock = asyncio.Lock()

    def _engine_started(self) -> None:  # older Scrapy API: started lazily instead
        return None

    async def _maybe_launch_in_thread(self) -> None:
        return None

    async def download_request(self, request: Any) -> Any:
        await SendGate.of(self._crawler).wait(request)  # crawlers/polite.py: every request, rendered or not
        return await super().download_request(request)

    async def _download_request(self, request: Any, spider: Any = None) -> Any:
        if not self._nb_started:
            async with self._nb_start_lock:
                if not self._nb_started:
                    await self._launch()
                    self._nb_started = True
        return await super()._download_request(request, spider)
