"""Portal platforms (CMS families), one file each; importing this package registers every one of them.

`PLATFORMS` (name → platform), `platform_names()` and `detect(page)` are what the spiders, the sources
validation and the CLI read. To add a platform: docs/platforms.md.
"""
from . import generic, gkmlpt, hanweb, jpaas, openness, trs, xxgk  # noqa: F401  (each module registers its platform)
from .base import (MAX_PAGES, PLATFORMS, Entry, Follow, ListResult, Platform, detect, enumerate_pages,
                   platform_names, register, url_dir)

__all__ = ["MAX_PAGES", "PLATFORMS", "Entry", "Follow", "ListResult", "Platform", "detect", "enumerate_pages",
           "platform_names", "register", "url_dir"]
