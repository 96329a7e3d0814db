"""The spiders `scrapy crawl` knows. All the work is in BasePortalSpider and the adapters; these only pin settings.

    scrapy crawl nianbao -a run_dir=DATA_DIR/runs/RUN_ID [-a sources=FILE] [-a full=1]

`nianbao-trs`, `nianbao-hanweb`, `nianbao-gkmlpt`, `nianbao-openness`, `nianbao-generic` read every portal of the
sources file with that one adapter (for a sources file of one CMS family, or to debug an adapter).
"""
from __future__ import annotations

from .base import BasePortalSpider


class NianbaoSpider(BasePortalSpider):
    name = "nianbao"


class TrsSpider(BasePortalSpider):
    name = "nianbao-trs"
    force_platform = "trs"


class HanwebSpider(BasePortalSpider):
    name = "nianbao-hanweb"
    force_platform = "hanweb"


class GkmlptSpider(BasePortalSpider):
    name = "nianbao-gkmlpt"
    force_platform = "gkmlpt"


class OpennessSpider(BasePortalSpider):
    name = "nianbao-openness"
    force_platform = "openness"


class GenericSpider(BasePortalSpider):
    name = "nianbao-generic"
    force_platform = "generic"
