"""The saved pages of each platform (tests/crawlers/pages/<platform>/), read as the crawler would read them.

Each folder has a SOURCE.txt with one line per file: `file | kind | real or synthetic | URL | evidence`. The URL
is where the page is taken to have been served (platforms detect and resolve links by it).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crawlers.page import Page

PAGES = Path(__file__).resolve().parent.parent / "pages"
KINDS = ("list", "api", "detail")
LABELS = ("real", "synthetic")


@dataclass(frozen=True)
class SavedPage:
    platform: str
    file: str
    kind: str  # list (a column page), api (a list API answer), detail (a report page)
    label: str  # real or synthetic
    url: str
    evidence: str

    @property
    def path(self) -> Path:
        return PAGES / self.platform / self.file

    def page(self) -> Page:
        return Page(self.url, self.path.read_bytes())


def saved_pages(platform: str) -> list[SavedPage]:
    out = []
    source = PAGES / platform / "SOURCE.txt"
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|", 4)]
        out.append(SavedPage(platform, *parts))
    return out


def saved(platform: str, file: str) -> SavedPage:
    for p in saved_pages(platform):
        if p.file == file:
            return p
    raise KeyError(f"{platform}/{file} is not listed in its SOURCE.txt")
