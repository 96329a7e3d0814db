"""What the spider knows about each portal during a run (shared by discovery, scheduling and bookkeeping)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..sources import Portal

ROLE_PRIORITY = {"home": 0, "column": 5, "list": 10, "report": 20, "attachment": 30}


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
    caps: list[str] = field(default_factory=list)  # limits that were hit (the portal is partial, with these reasons)
    # A full walk (home, navigation, every list page) this run, or an incremental one (walk_days): start from the
    # remembered column, stop each list at its first page showing nothing new, re-validate known reports from state.
    walk: bool = True
    rechecked_from_state: bool = False

    def note_cap(self, reason: str) -> None:
        self.counts["capped"] += 1
        if reason not in self.caps:
            self.caps.append(reason)

    @property
    def sites(self) -> set[str]:
        return {site_of(h) for h in self.hosts}

