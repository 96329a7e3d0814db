"""The spiders `scrapy crawl` knows. All the work is in BasePortalSpider and the platforms; these only pin settings.

    scrapy crawl nianbao -a run_dir=DATA_DIR/runs/RUN_ID [-a sources=FILE] [-a full=1]

One `nianbao-<platform>` spider per registered platform (nianbao-trs, nianbao-hanweb, nianbao-gkmlpt, …) reads
every portal of the sources file with that one platform (for a sources file of one CMS family, or to debug a
platform). They are made from the registry, so a new platform gets its spider without an edit here.
"""
from __future__ import annotations

from ..platforms import platform_names
from .base import BasePortalSpider


class NianbaoSpider(BasePortalSpider):
    name = "nianbao"


def _platform_spider(platform: str) -> type[BasePortalSpider]:
    cls_name = "".join(part.capitalize() for part in platform.replace("-", "_").split("_")) + "Spider"
    return type(cls_name, (BasePortalSpider,), {"name": f"nianbao-{platform}", "force_platform": platform,
                                                "__module__": __name__})


PLATFORM_SPIDERS = {name: _platform_spider(name) for name in platform_names()}
globals().update({cls.__name__: cls for cls in PLATFORM_SPIDERS.values()})  # Scrapy's loader reads module members
