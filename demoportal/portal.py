"""The demo portal: several imitation government sites, each on its own port of 127.0.0.1.

    from demoportal.portal import start_portal
    portal = start_portal()            # seed=0, slow_seconds=2.0, generation=1, free ports
    portal.write_sources("sources.yaml")
    truth = portal.expected()          # what a crawler must find (and must not take as a report)
    ...
    portal.mutate()                    # generation 2: one new report, one report page changed
    portal.stop()

``expected()`` (a deep copy; stable for a seed except for the ports in URLs)::

    {"seed": 0, "generation": 1,
     "counts": {"sites", "reports", "reports_with_truth", "attachments", "decoys", "by_format", "by_template",
                "by_site", "decoys_by_kind"},
     "sites": {SITE_ID: {
        "id", "name", "platform" (as in the sources file), "cms" (what it really runs: trs|hanweb|gkmlpt|openness|
        generic|waf), "region_code", "base_url", "encoding" (utf-8|gbk), "challenged" (the whole host answers 412),
        "column_urls" (the 年报 column entry page(s)), "nav_path" (home -> ... -> column, the pages a person clicks),
        "notes",
        "reports": [{"url" (the report page), "title" (link text = page title), "report_year", "agency",
                     "agency_kind" (gov|dept|town), "template" ("2019"|"2021"), "published" (list date, YYYY-MM-DD),
                     "list_date", "format" (where the numbers are: html|pdf|docx|doc|xls|xlsx|image),
                     "attachments" [absolute URLs], "listing_urls" [list pages / API URLs linking it],
                     "aliases" [other URLs of the same page, e.g. with a tracking query], "encoding",
                     "behaviour" (None|slow|fail_once|gbk_nodecl), "generation" (first generation it exists in),
                     "changed_in" (generation whose page changed, else None), "needs_ocr",
                     "truth" {template, report_year, agency, published (as printed, may be None), cells {key: value},
                              units, title, ...}, "notes", "site_id", "key"}],
        "decoys": [{"url", "title", "kind" (news|guide|rule|notice|interpretation|challenge_412|challenge_521|
                    deleted|not_found|robots_disallowed), "status" (HTTP status it answers), "listing_urls",
                    "site_id"}]}}}

Every report has a truth (for ``format == "image"`` the numbers are only in scanned JPEGs: ``needs_ocr``). An
agency's reports chain across years (上年结转 = last year's 结转下年度, 现行有效件数 carried on; a few deliberate
breaks: ``chain.breaks()``), and about one department or government report in eight is published after its legal
deadline (``published`` and ``list_date`` show the late date; the URL keeps the planned one).
``request_log`` records (site_id, method, path, timestamp, status, headers) for every request, in arrival order.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import catalog
from .server import LogEntry, SiteContent, SiteServer
from .sitekit import SiteBuild, not_found_page, robots_txt, ruishu_412

__all__ = ["Portal", "Site", "start_portal"]


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    platform: str  # trs | hanweb | gkmlpt | openness | generic | auto (the platform as configured in sources)
    region_code: str
    base_url: str
    cms: str  # the CMS the site really runs (for tests): trs | hanweb | gkmlpt | openness | generic | waf


_BUILDERS = {}


def _builder(platform: str):
    if not _BUILDERS:
        from . import site_generic, site_gkmlpt, site_hanweb, site_jpaas, site_openness, site_script, site_trs, site_xxgk

        _BUILDERS.update({"trs": site_trs.build, "hanweb": site_hanweb.build, "gkmlpt": site_gkmlpt.build,
                          "openness": site_openness.build, "generic": site_generic.build, "jpaas": site_jpaas.build,
                          "xxgk": site_xxgk.build, "script": site_script.build})
    return _BUILDERS[platform]


# How each site is configured in the sources file: some sites name their platform, others leave it to detection.
_SOURCE_PLATFORM = {"demo-trs": "auto", "demo-trs-city": "trs", "demo-hanweb": "hanweb", "demo-gkmlpt": "gkmlpt",
                    "demo-openness": "auto", "demo-generic": "generic", "demo-waf": "auto",
                    "demo-jpaas": "auto", "demo-xxgk": "auto", "demo-script": "auto"}


class Portal:
    """Running demo sites. Build with :func:`start_portal`."""

    def __init__(self, *, host: str = "127.0.0.1", slow_seconds: float = 2.0, seed: int = 0, generation: int = 1,
                 port_base: int | None = None):
        self.host = host
        self.slow_seconds = slow_seconds
        self.seed = seed
        self.generation = generation
        self._log: list[LogEntry] = []
        self._log_lock = threading.Lock()
        self._servers: dict[str, SiteServer] = {}
        self._expected: dict | None = None
        self._lock = threading.Lock()
        try:
            for i, spec in enumerate(catalog.SITES):
                port = 0 if port_base is None else port_base + i
                self._servers[spec.id] = SiteServer(spec.id, SiteContent(), self._log, self._log_lock, host=host,
                                                    port=port, slow_seconds=slow_seconds)
        except Exception:
            for s in self._servers.values():
                s.httpd.server_close()
            raise
        self.sites: list[Site] = [
            Site(spec.id, spec.name, _SOURCE_PLATFORM.get(spec.id, spec.platform), spec.region_code,
                 self._servers[spec.id].base_url, "waf" if spec.id == "demo-waf" else spec.platform)
            for spec in catalog.SITES
        ]
        self._build()
        for s in self._servers.values():
            s.start()

    # ------------------------------------------------------------------ content
    def _build(self) -> None:
        plans = catalog.plan_reports(self.generation)
        decoys = catalog.plan_decoys()
        base_urls = {sid: s.base_url for sid, s in self._servers.items()}
        sites_expected = {}
        contents = {}
        for spec in catalog.SITES:
            server = self._servers[spec.id]
            b = SiteBuild(spec, server.base_url, self.seed, self.generation, all_base_urls=base_urls)
            if spec.id == "demo-waf":
                b.content.host_challenge = ruishu_412(spec.id)
                b.content.not_found = not_found_page(spec)
                b.add("/robots.txt", robots_txt([]), "text/plain")
                b.notes.append("every path, robots.txt included, answers a 瑞数-style HTTP 412 challenge")
            else:
                _builder(spec.platform)(b, [p for p in plans if p.site_id == spec.id],
                                        [d for d in decoys if d.site_id == spec.id])
            contents[spec.id] = b.content
            sites_expected[spec.id] = {
                "id": spec.id, "name": spec.name, "platform": _SOURCE_PLATFORM.get(spec.id, spec.platform),
                "cms": "waf" if spec.id == "demo-waf" else spec.platform, "region_code": spec.region_code,
                "base_url": server.base_url, "encoding": spec.encoding, "challenged": spec.id == "demo-waf",
                "column_urls": b.column_urls, "nav_path": b.nav_path, "notes": b.notes,
                "script_built": spec.platform == "script",
                "reports": sorted(b.reports, key=lambda r: r["url"]),
                "decoys": sorted(b.decoys, key=lambda d: d["url"]),
            }
        reports = [r for s in sites_expected.values() for r in s["reports"]]
        decoy_list = [d for s in sites_expected.values() for d in s["decoys"]]
        expected = {
            "seed": self.seed,
            "generation": self.generation,
            "sites": sites_expected,
            "counts": {
                "sites": len(sites_expected),
                "reports": len(reports),
                "reports_with_truth": sum(1 for r in reports if r["truth"] is not None),
                "attachments": sum(len(r["attachments"]) for r in reports),
                "decoys": len(decoy_list),
                "by_format": dict(sorted(Counter(r["format"] for r in reports).items())),
                "by_template": dict(sorted(Counter(r["template"] for r in reports).items())),
                "by_site": {sid: len(s["reports"]) for sid, s in sites_expected.items()},
                "decoys_by_kind": dict(sorted(Counter(d["kind"] for d in decoy_list).items())),
            },
        }
        with self._lock:
            for sid, content in contents.items():
                self._servers[sid].content = content
            self._expected = expected

    def mutate(self) -> None:
        """Go to the next generation: one new report appears in a list, one report page changes (new numbers,
        new Last-Modified/ETag). The same ports keep serving."""
        self.generation += 1
        self._build()

    # ------------------------------------------------------------------ ground truth
    def expected(self) -> dict:
        """Ground truth for the current generation (a deep copy; see the module doc of :mod:`demoportal`)."""
        with self._lock:
            return copy.deepcopy(self._expected)

    def expected_reports(self) -> list[dict]:
        return [r for s in self.expected()["sites"].values() for r in s["reports"]]

    def expected_decoys(self) -> list[dict]:
        return [d for s in self.expected()["sites"].values() for d in s["decoys"]]

    @property
    def request_log(self) -> list[LogEntry]:
        """Every request so far: (site_id, method, path, timestamp, status, headers), in arrival order."""
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def site(self, site_id: str) -> Site:
        for s in self.sites:
            if s.id == site_id:
                return s
        raise KeyError(site_id)

    # ------------------------------------------------------------------ sources file
    def sources_yaml(self, site_ids: list[str] | None = None, platforms: str = "mixed") -> str:
        """The sources file for the running ports. ``platforms``: "mixed" (some sites name their platform, others say
        ``auto``), "auto" (every site ``auto``) or "declared" (every site names the CMS it runs; the WAF site stays
        ``auto``)."""
        if platforms not in ("mixed", "auto", "declared"):
            raise ValueError("platforms must be mixed, auto or declared")
        lines = ["portals:"]
        for s in self.sites:
            if site_ids is not None and s.id not in site_ids:
                continue
            plat = {"mixed": s.platform, "auto": "auto",
                    "declared": "auto" if s.cms in ("waf", "script") else s.cms}[platforms]
            lines += [f"  - id: {s.id}", f"    name: {s.name}", f"    url: {s.base_url}",
                      f"    platform: {plat}", f'    region_code: "{s.region_code}"']
        return "\n".join(lines) + "\n"

    def write_sources(self, path: str | Path, site_ids: list[str] | None = None, platforms: str = "mixed") -> Path:
        """Write :meth:`sources_yaml` to ``path`` (parents created) and return the path."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(self.sources_yaml(site_ids, platforms), encoding="utf-8")
        return p

    # ------------------------------------------------------------------ lifecycle
    def stop(self) -> None:
        """Stop every site (idempotent)."""
        def _stop(server: SiteServer) -> None:
            try:
                server.stop()
            except Exception:  # noqa: BLE001 - stopping is best effort
                pass

        threads = [threading.Thread(target=_stop, args=(s,), daemon=True) for s in self._servers.values()
                   if s.thread.is_alive()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)

    def __enter__(self) -> "Portal":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_portal(*, host: str = "127.0.0.1", slow_seconds: float = 2.0, seed: int = 0, generation: int = 1,
                 port_base: int | None = None) -> Portal:
    """Start every demo site in background threads (one threaded HTTP server per site, each on a free port, or on
    ``port_base + i`` when given) and return the running :class:`Portal`."""
    return Portal(host=host, slow_seconds=slow_seconds, seed=seed, generation=generation, port_base=port_base)
