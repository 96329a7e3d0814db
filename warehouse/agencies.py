"""Who published a report: the agency's normalised name, its region and its level.

The region comes from the administrative divisions named in the agency's name
("达州市通川区经济和信息化局" → 511703 通川区 of 达州市), constrained by the portal the report was
found on (a county portal's reports belong to that county, its departments and townships).
The division table is the project's copy of the MCA list (`core/data/divisions.csv`).
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.bundled import division_rows
from core.titles import parse_title as grammar_parse_title
from core.titles import report_year

GOVERNMENT = "government"
DEPARTMENT = "department"
TOWNSHIP = "township"
LEVELS = (GOVERNMENT, DEPARTMENT, TOWNSHIP)

_SPACES = re.compile(r"\s+")
# A township (乡, 镇, 苏木, 街道) as the government itself, not a department whose name mentions one
# (乡村振兴局, 城乡建设局).
_TOWNSHIP = re.compile(r"(?:镇|乡|苏木|街道)(?:人民政府|政府|办事处)?$|街道办事处$|街道办$")
_GOVERNMENT = re.compile(r"(?:人民政府|行政公署)$")


def normalize_name(name: str | None) -> str | None:
    """Full-width → half-width (NFKC), all whitespace removed; None or empty → None."""
    if name is None:
        return None
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(name)))
    return text or None


def agency_level(normalized_name: str | None) -> str:
    """government (人民政府 / 行政公署), township (XX镇人民政府, XX街道办事处) or department."""
    name = normalized_name or ""
    if _TOWNSHIP.search(name):
        return TOWNSHIP
    if _GOVERNMENT.search(name):
        return GOVERNMENT
    return DEPARTMENT


def agency_id(normalized_name: str | None, region_code: str | None) -> str:
    key = f"{region_code or ''}|{normalized_name or ''}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province, city, county
    parent_code: str | None
    province: str
    city: str | None


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str | None  # as printed (first seen)
    normalized_name: str | None
    region_code: str | None
    province: str | None
    city: str | None
    county: str | None
    level: str
    # name: a division named in the agency's name, within the portal's region; name_elsewhere: a division named in
    # the name outside the portal's region (another region's report reposted on this portal: kept under its own
    # agency and region); portal: no division named, the portal's region; none: not placed (region_reason says why)
    resolved_by: str
    region_reason: str | None = None  # why region_code is NULL


def _load_divisions_csv(path: Path | None = None) -> list[Division]:
    rows = division_rows() if path is None else list(csv.DictReader(Path(path).read_text(encoding="utf-8").splitlines()))
    return [
        Division(r["code"], r["name"], r["level"], r["parent_code"] or None, r["province"], r["city"] or None)
        for r in rows
    ]


class Resolver:
    """Resolves agency names to regions with the division table; results are cached."""

    def __init__(self, divisions: list[Division] | None = None):
        self.divisions = divisions if divisions is not None else _load_divisions_csv()
        self.by_code = {d.code: d for d in self.divisions}
        self.by_name: dict[str, list[Division]] = {}
        for d in self.divisions:
            self.by_name.setdefault(d.name, []).append(d)
        self.lengths = sorted({len(n) for n in self.by_name}, reverse=True)
        self._cache: dict[tuple, Agency] = {}

    # -- the division tree -------------------------------------------------------------
    def ancestors(self, code: str) -> list[str]:
        out = []
        d = self.by_code.get(code)
        while d is not None and d.parent_code:
            out.append(d.parent_code)
            d = self.by_code.get(d.parent_code)
        return out

    def within(self, code: str, root: str) -> bool:
        return code == root or root in self.ancestors(code)

    def depth(self, code: str) -> int:
        return {"province": 0, "city": 1, "county": 2}.get(self.by_code[code].level, 0)

    def names(self, code: str | None) -> tuple[str | None, str | None, str | None]:
        """(province, city, county) names of a division code."""
        d = self.by_code.get(code or "")
        if d is None:
            return None, None, None
        if d.level == "province":
            return d.province, None, None
        if d.level == "city":
            return d.province, d.name, None
        return d.province, d.city, d.name

    # -- matching ------------------------------------------------------------------------
    def _matches(self, name: str) -> list[tuple[int, int, str]]:
        """Division names found in `name` as (start, end, division name), dropping matches inside longer ones."""
        found = []
        n = len(name)
        for i in range(n):
            for length in self.lengths:
                if i + length <= n and name[i : i + length] in self.by_name:
                    found.append((i, i + length, name[i : i + length]))
        kept = []
        for m in found:
            if not any(o is not m and o[0] <= m[0] and m[1] <= o[1] and (o[1] - o[0]) > (m[1] - m[0]) for o in found):
                kept.append(m)
        return kept

    def region_of(self, name: str | None, portal_region: str | None = None) -> str | None:
        """The most specific division named in `name` (within the portal's region when known)."""
        if not name:
            return None
        if portal_region and portal_region not in self.by_code:
            portal_region = None
        matches = self._matches(name)
        candidates: list[Division] = []
        for _, _, dname in matches:
            for d in self.by_name[dname]:
                if portal_region is None or self.within(d.code, portal_region):
                    candidates.append(d)
        if not candidates:
            return None
        named_codes = {d.code for d in candidates}

        def supported(d: Division) -> bool:
            # An ancestor also named, or the portal's own region being an ancestor.
            anc = self.ancestors(d.code)
            return any(a in named_codes for a in anc) or (portal_region is not None and portal_region in anc)

        def acceptable(d: Division) -> bool:
            ambiguous = len(self.by_name[d.name]) > 1
            if portal_region is not None and portal_region == d.code:
                return True
            if len(d.name) <= 2 or (ambiguous and portal_region is None):
                return supported(d) or (portal_region is not None and not ambiguous)
            return True

        candidates = [d for d in candidates if acceptable(d)]
        if not candidates:
            return None
        best_depth = max(self.depth(d.code) for d in candidates)
        deepest = [d for d in candidates if self.depth(d.code) == best_depth]
        if len({d.code for d in deepest}) > 1:
            # Same-level candidates: prefer those whose ancestors are named too; give up if still ambiguous.
            supported_ones = [d for d in deepest if supported(d)]
            if len({d.code for d in supported_ones}) == 1:
                return supported_ones[0].code
            # Several different divisions named at one level ("XX区和YY区联合…"): take the first named.
            first = min(matches, key=lambda m: m[0])
            firsts = [d for d in deepest if d.name == first[2]]
            if len({d.code for d in firsts}) == 1:
                return firsts[0].code
            return None
        return deepest[0].code

    def _named(self, name: str) -> list[Division]:
        return [d for _, _, dname in self._matches(name) for d in self.by_name[dname]]

    def _place(self, name: str, portal_region: str | None) -> tuple[str | None, str, str | None]:
        """(region, resolved_by, reason) of a named agency found on a portal of `portal_region`.

        A division named within the portal's region places the agency there. A name that names divisions only
        outside it is another region's agency reposted on this portal (a city's report on a county's list): it is
        placed where its name says, when that is unambiguous, and left unplaced (NULL, with the reason) when not.
        A name that names no division is the portal's own region's agency (县财政局 on the county's portal)."""
        region = self.region_of(name, portal_region)
        if region is not None:
            return region, "name", None
        named = self._named(name)
        if portal_region is not None and any(self.within(d.code, portal_region) for d in named):
            return portal_region, "portal", None  # named within the portal, ambiguously there: the portal's region
        elsewhere = self.region_of(name, None)
        if elsewhere is not None:
            return elsewhere, ("name_elsewhere" if portal_region is not None else "name"), None
        real = sorted({d.name for d in named if len(d.name) > 2 or len(self.by_name[d.name]) == 1})
        if real:
            places = ", ".join(f"{n} ({len(self.by_name[n])} divisions of that name)" for n in real)
            where = f"none within the portal's region {portal_region}" if portal_region else "and the portal has no region"
            return None, "none", f"the name names {places}, {where}: cannot tell which"
        if portal_region is not None:
            return portal_region, "portal", None
        return None, "none", "no division named in the agency's name, and the portal has no region"

    def resolve(
        self,
        name: str | None,
        portal_region: str | None = None,
        portal_name: str | None = None,
    ) -> Agency:
        """The agency behind a report; a missing name falls back to the portal's name and region."""
        key = (name, portal_region, portal_name)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        norm = normalize_name(name)
        display = name.strip() if name and name.strip() else None
        if portal_region is not None and portal_region not in self.by_code:
            portal_region = None
        reason = None
        if norm is None:
            norm = normalize_name(portal_name)
            display = portal_name
            region = portal_region
            resolved_by = "portal" if region else "none"
            if region is None:
                reason = "the report names no agency, and its portal has no region"
        else:
            region, resolved_by, reason = self._place(norm, portal_region)
        province, city, county = self.names(region)
        agency = Agency(
            agency_id=agency_id(norm, region),
            name=display,
            normalized_name=norm,
            region_code=region,
            province=province,
            city=city,
            county=county,
            level=agency_level(norm),
            resolved_by=resolved_by,
            region_reason=reason,
        )
        self._cache[key] = agency
        return agency


@lru_cache(maxsize=1)
def default_resolver() -> Resolver:
    return Resolver()


def parse_title(title: str | None) -> tuple[str | None, int | None]:
    """Agency and data year from a link or page title ("XX局2021年政府信息公开工作年度报告"), by the project's one
    title grammar (core/titles.py). An agency part that is not a name gives None, never a fragment; a title that
    is not a report title still gives the year it names."""
    if not title:
        return None, None
    parsed = grammar_parse_title(title)
    if parsed is None:
        return None, report_year(title)
    return parsed.agency, parsed.year
