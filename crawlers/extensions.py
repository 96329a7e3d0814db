"""AutoThrottle that never goes below a portal's configured delay.

Scrapy's AutoThrottle clamps slot delays to the global DOWNLOAD_DELAY only, so a host configured with a 2 s
delay would drift down to its latency. Here each slot's floor is its own configured delay (DOWNLOAD_SLOTS /
the per-portal settings the slot middleware installs), and slow hosts still push the delay up.
"""
from __future__ import annotations

from typing import Any

from scrapy.extensions.throttle import AutoThrottle


class PortalAutoThrottle(AutoThrottle):
    _key: str | None = None

    def _response_downloaded(self, response: Any, request: Any, spider: Any = None) -> None:
        self._key = request.meta.get("download_slot")
        try:
            super()._response_downloaded(response, request, spider)
        finally:
            self._key = None

    def _adjust_delay(self, slot: Any, latency: float, response: Any) -> None:
        floor = self.mindelay
        downloader = getattr(self.crawler.engine, "downloader", None)
        if downloader is not None and self._key is not None:
            floor = float(downloader.per_slot_settings.get(self._key, {}).get("delay", self.mindelay))
        old_min = self.mindelay
        self.mindelay = floor
        try:
            super()._adjust_delay(slot, latency, response)
        finally:
            self.mindelay = old_min
