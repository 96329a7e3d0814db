"""Sources files: which portals to crawl, and how (format documented in docs/sources.md).

A sources file is YAML::

    version: 1
    defaults:                 # optional; any per-portal setting below, applied to every portal
      delay: 1.0
    portals:
      - id: gov-510703
        name: 涪城区人民政府
        url: https://www.example.gov.cn/   # the home page
        platform: auto
        region_code: "510703"

`load_sources(path)` reads and validates one; `national_sources()` builds the default national list from
core/data/portals.csv + divisions.csv; `select(...)` picks portals by id, province or region.
Every problem is reported as one `UserError` line that names the file, the portal and the field.
"""
from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import yaml

from core.bundled import division_rows, portal_rows
from core.errors import UserError



def platform_choices() -> tuple[str, ...]:
    """`auto` and every registered platform (crawlers/platforms/); imported on demand, as the registry pulls in
    the page parser."""
    from .platforms import platform_names

    return ("auto", *platform_names())
TLS_PROFILES = ("auto", "strict", "http", "legacy")
RENDER_MODES = ("auto", "off")  # auto: render a navigation page in Chromium when static reading fails
LEVELS = ("province", "city", "county")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
REGION_RE = re.compile(r"^\d{6}$")

NATIONAL_CITATION = (
    "Portal list: core/data/portals.csv, from anyi-econ/china-public-debt@9b01b30:data/website-gov.xlsx "
    "(see core/data/portals.SOURCE.md; no licence stated, only the facts are used and the source is cited). "
    "Region codes and names: core/data/divisions.csv, from yescallop/areacodes data/2024.txt, CC0 1.0 "
    "(see core/data/divisions.SOURCE.md)."
)

# Settings a portal may override, with their defaults (the polite national defaults).
DEFAULTS: dict[str, Any] = {
    "delay": 1.0,  # seconds between two requests to one host (a minimum; AutoThrottle may raise it)
    "jitter": 0.5,  # the delay varies by ±jitter×delay
    "concurrency": 1,  # requests in flight at once per host
    "tls": "auto",  # auto: https, falling back to http when TLS or the connection fails; see TLS_PROFILES
    "timeout": 60.0,  # seconds per request
    "max_size": 100 * 1024 * 1024,  # bytes per body; larger bodies are cut off and recorded as too_large
    "retry_times": 3,  # retries on timeouts, 429 and 5xx (never on 404)
    "retry_backoff": 5.0,  # first retry waits this long; each further retry doubles it
    "max_list_pages": 300,  # pages of one 年报 list (and its sub-columns) followed at most
    "max_depth": 3,  # navigation hops from the home page while looking for the 年报 column
    "recheck_days": 7.0,  # a known report unchanged in its list is re-validated (conditional GET) about this often
    "render": "auto",  # auto: render column/list/home pages static reading cannot read (docs/crawling.md); off
    "render_timeout": 30.0,  # seconds one rendered page may take (navigation, scripts, its own requests)
    "render_max_pages": 10,  # pages rendered per portal at most
    "walk_days": 7.0,  # home, navigation and every page of the 年报 lists re-read in full about this often
}

_TYPES: dict[str, tuple[type, ...]] = {
    "delay": (int, float),
    "jitter": (int, float),
    "concurrency": (int,),
    "tls": (str,),
    "timeout": (int, float),
    "max_size": (int,),
    "retry_times": (int,),
    "retry_backoff": (int, float),
    "max_list_pages": (int,),
    "max_depth": (int,),
    "recheck_days": (int, float),
    "render": (str,),
    "render_timeout": (int, float),
    "render_max_pages": (int,),
    "walk_days": (int, float),
}
_LIMITS: dict[str, tuple[float, float]] = {
    "delay": (0, 600),
    "jitter": (0, 1),
    "concurrency": (1, 64),
    "timeout": (0.1, 3600),
    "max_size": (1024, 10 * 1024**3),
    "retry_times": (0, 20),
    "retry_backoff": (0, 3600),
    "max_list_pages": (1, 100000),
    "max_depth": (0, 6),
    "recheck_days": (0, 3650),
    "render_timeout": (1, 600),
    "render_max_pages": (0, 1000),
    "walk_days": (0, 3650),
}

PORTAL_KEYS = {
    "id", "name", "url", "platform", "region_code", "province", "city", "level", "column_url", "source", "note",
    *DEFAULTS,
}


@dataclass
class Portal:
    """One portal to crawl, with every setting resolved (defaults filled in)."""

    id: str
    name: str
    url: str
    platform: str = "auto"
    region_code: str = ""
    province: str = ""
    city: str = ""
    level: str = ""
    column_urls: list[str] = field(default_factory=list)
    source: str = ""
    note: str = ""
    delay: float = DEFAULTS["delay"]
    jitter: float = DEFAULTS["jitter"]
    concurrency: int = DEFAULTS["concurrency"]
    tls: str = DEFAULTS["tls"]
    timeout: float = DEFAULTS["timeout"]
    max_size: int = DEFAULTS["max_size"]
    retry_times: int = DEFAULTS["retry_times"]
    retry_backoff: float = DEFAULTS["retry_backoff"]
    max_list_pages: int = DEFAULTS["max_list_pages"]
    max_depth: int = DEFAULTS["max_depth"]
    recheck_days: float = DEFAULTS["recheck_days"]
    render: str = DEFAULTS["render"]
    render_timeout: float = DEFAULTS["render_timeout"]
    render_max_pages: int = DEFAULTS["render_max_pages"]
    walk_days: float = DEFAULTS["walk_days"]

    def to_yaml_dict(self, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
        """The portal as a sources-file entry, leaving out settings equal to *defaults*."""
        defaults = DEFAULTS if defaults is None else defaults
        out: dict[str, Any] = {"id": self.id, "name": self.name, "url": self.url, "platform": self.platform}
        for key in ("region_code", "province", "city", "level", "source", "note"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.column_urls:
            out["column_url"] = self.column_urls[0] if len(self.column_urls) == 1 else list(self.column_urls)
        for key in DEFAULTS:
            value = getattr(self, key)
            if value != defaults.get(key, DEFAULTS[key]):
                out[key] = value
        return out


@dataclass
class Sources:
    portals: list[Portal]
    defaults: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    path: str = ""

    def to_yaml(self, header: str = "") -> str:
        overrides = {k: v for k, v in self.defaults.items() if v != DEFAULTS[k]}
        doc: dict[str, Any] = {"version": 1}
        if overrides:
            doc["defaults"] = overrides
        doc["portals"] = [p.to_yaml_dict(self.defaults) for p in self.portals]
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200)
        if header:
            text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
        return text

    def write(self, path: Path, header: str = "") -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_yaml(header), encoding="utf-8")
        return path


def _where(path: str, index: int | None = None, pid: str | None = None) -> str:
    where = path or "sources"
    if index is not None:
        where += f": portal #{index + 1}" + (f" ({pid})" if pid else "")
    return where


def _check_setting(key: str, value: Any, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, _TYPES[key]):
        want = " or ".join(t.__name__ for t in _TYPES[key])
        raise UserError(f"{where}: {key} must be {want}, not {value!r}")
    if key == "tls":
        if value not in TLS_PROFILES:
            raise UserError(f"{where}: tls must be one of {', '.join(TLS_PROFILES)}, not {value!r}")
        return value
    if key == "render":
        if value not in RENDER_MODES:
            raise UserError(f"{where}: render must be one of {', '.join(RENDER_MODES)}, not {value!r}")
        return value
    lo, hi = _LIMITS[key]
    if not lo <= value <= hi:
        raise UserError(f"{where}: {key} must be between {lo:g} and {hi:g}, not {value!r}")
    return float(value) if float in _TYPES[key] else value


def check_url(url: Any, where: str, key: str = "url") -> str:
    if not isinstance(url, str) or not url.strip():
        raise UserError(f"{where}: {key} must be an http(s) URL, not {url!r}")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{where}: {key} must be an http(s) URL, not {url!r}")
    if not parts.path:
        url = url + "/"
    return url


def parse_portal(raw: Any, defaults: dict[str, Any], where: str) -> Portal:
    if not isinstance(raw, dict):
        raise UserError(f"{where}: each portal must be a mapping, not {type(raw).__name__}")
    unknown = sorted(set(map(str, raw)) - PORTAL_KEYS)
    if unknown:
        raise UserError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(PORTAL_KEYS))})")
    pid = raw.get("id")
    if not isinstance(pid, str) or not ID_RE.match(pid):
        raise UserError(f"{where}: id must be letters, digits, '.', '_' or '-' (at most 80), not {pid!r}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UserError(f"{where}: name is required")
    url = check_url(raw.get("url"), where)
    platform = raw.get("platform", "auto")
    if platform not in platform_choices():
        raise UserError(f"{where}: platform must be one of {', '.join(platform_choices())}, not {platform!r}")
    region = raw.get("region_code", "")
    if isinstance(region, int) and not isinstance(region, bool):
        region = f"{region:06d}"
    if region is None:
        region = ""
    if not isinstance(region, str) or (region and not REGION_RE.match(region)):
        raise UserError(f"{where}: region_code must be a 6-digit 行政区划代码, not {region!r}")
    level = raw.get("level", "") or ""
    if level and level not in LEVELS:
        raise UserError(f"{where}: level must be one of {', '.join(LEVELS)}, not {level!r}")
    cols = raw.get("column_url") or []
    if isinstance(cols, str):
        cols = [cols]
    if not isinstance(cols, list):
        raise UserError(f"{where}: column_url must be a URL or a list of URLs")
    column_urls = [check_url(c, where, "column_url") for c in cols]
    values = dict(defaults)
    for key in DEFAULTS:
        if key in raw:
            values[key] = _check_setting(key, raw[key], where)
    for key in ("province", "city", "source", "note"):
        if key in raw and raw[key] is not None and not isinstance(raw[key], str):
            raise UserError(f"{where}: {key} must be text")
    return Portal(
        id=pid, name=name.strip(), url=url, platform=platform, region_code=region,
        province=raw.get("province") or "", city=raw.get("city") or "", level=level,
        column_urls=column_urls, source=raw.get("source") or "", note=raw.get("note") or "", **values,
    )


def parse_sources(doc: Any, path: str = "") -> Sources:
    where = _where(path)
    if isinstance(doc, list):  # a bare list of portals is accepted too
        doc = {"portals": doc}
    if not isinstance(doc, dict):
        raise UserError(f"{where}: expected a mapping with a 'portals' list")
    unknown = sorted(set(map(str, doc)) - {"version", "defaults", "portals"})
    if unknown:
        raise UserError(f"{where}: unknown top-level key {unknown[0]!r} (allowed: version, defaults, portals)")
    version = doc.get("version", 1)
    if version != 1:
        raise UserError(f"{where}: unsupported version {version!r} (this nianbao reads version 1)")
    raw_defaults = doc.get("defaults") or {}
    if not isinstance(raw_defaults, dict):
        raise UserError(f"{where}: defaults must be a mapping")
    defaults = dict(DEFAULTS)
    for key, value in raw_defaults.items():
        if key not in DEFAULTS:
            raise UserError(f"{where}: defaults: unknown key {key!r} (allowed: {', '.join(DEFAULTS)})")
        defaults[key] = _check_setting(key, value, f"{where}: defaults")
    raw_portals = doc.get("portals")
    if not isinstance(raw_portals, list) or not raw_portals:
        raise UserError(f"{where}: 'portals' must be a non-empty list")
    portals: list[Portal] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_portals):
        pid = raw.get("id") if isinstance(raw, dict) else None
        portal = parse_portal(raw, defaults, _where(path, i, pid if isinstance(pid, str) else None))
        if portal.id in seen:
            raise UserError(f"{_where(path, i, portal.id)}: duplicate id {portal.id!r}")
        seen.add(portal.id)
        portals.append(portal)
    return Sources(portals=portals, defaults=defaults, path=path)


def load_sources(path: str | Path) -> Sources:
    """Read and validate a sources file; raise UserError with one line on any problem."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"sources file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read sources file {p}: {exc}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"{p}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    return parse_sources(doc, str(p))


# --- the national default ------------------------------------------------------------------------------------

def national_sources() -> Sources:
    """The portals of every province, city and county-level government (portals.csv + divisions.csv)."""
    divisions = {row["code"]: row for row in division_rows()}
    portals: list[Portal] = []
    for row in portal_rows():
        code = row["region_code"].strip()
        url = (row.get("url") or "").strip()
        if not code or not url:
            continue
        div = divisions.get(code, {})
        try:
            url = check_url(url, f"portals.csv: {code}")
        except UserError:
            continue
        portals.append(Portal(
            id=f"gov-{code}", name=row["name"].strip(), url=url, platform="auto", region_code=code,
            province=div.get("province", ""), city=div.get("city", ""), level=div.get("level", ""),
            source=(row.get("source") or "").strip(),
        ))
    return Sources(portals=portals, path="<national default: core/data/portals.csv>")


def write_national_sources(path: str | Path) -> Path:
    """Write the national default as a sources file (with the citation of its sources in the header)."""
    src = national_sources()
    header = ("nianbao national sources: the people's-government portals of China's provinces, cities and counties.\n"
              "Generated from the data shipped with nianbao; edit a copy, not this file.\n" + NATIONAL_CITATION)
    return src.write(Path(path), header=header)


def _matches_place(portal: Portal, wanted: str, *, province_only: bool) -> bool:
    wanted = wanted.strip()
    if not wanted:
        return False
    if wanted.isdigit():
        code = portal.region_code
        if province_only:
            return bool(code) and code[:2] == wanted[:2]
        prefix = wanted.rstrip("0") if len(wanted) == 6 else wanted
        if len(prefix) % 2:
            prefix += "0"
        return bool(code) and code.startswith(prefix)
    names = [portal.province] if province_only else [portal.province, portal.city, portal.name]
    for name in names:
        if not name:
            continue
        if name == wanted or name.startswith(wanted) or (not province_only and wanted in name):
            return True
    return False


def select(sources: Sources, only: Iterable[str] | None = None, province: Iterable[str] | None = None,
           region: Iterable[str] | None = None) -> Sources:
    """Keep the portals named by id (`only`), by province (name or code) or region (code prefix or name).

    The filters combine with AND between kinds and OR within a kind. A filter that matches nothing is an error.
    """
    portals = list(sources.portals)
    only = [o for item in (only or []) for o in str(item).split(",") if o.strip()]
    if only:
        ids = {p.id for p in portals}
        missing = [o for o in only if o.strip() not in ids]
        if missing:
            hint = ""
            if missing[0].strip().isdigit() and f"gov-{missing[0].strip()}" in ids:
                hint = f" (did you mean gov-{missing[0].strip()}?)"
            raise UserError(f"no portal with id {missing[0]!r} in {sources.path or 'the sources'}{hint}")
        wanted = {o.strip() for o in only}
        portals = [p for p in portals if p.id in wanted]
    for kind, values in (("province", province), ("region", region)):
        values = [v for item in (values or []) for v in str(item).split(",") if v.strip()]
        if not values:
            continue
        portals = [p for p in portals if any(_matches_place(p, v, province_only=kind == "province") for v in values)]
        if not portals:
            raise UserError(f"no portal matches --{kind} {','.join(values)}")
    return Sources(portals=portals, defaults=sources.defaults, path=sources.path)


def adhoc_source(url: str, platform: str = "auto", portal_id: str | None = None, name: str | None = None) -> Sources:
    """A one-portal sources list for `nianbao crawl --url URL`."""
    url = check_url(url, "--url")
    host = urlsplit(url).hostname or "portal"
    pid = portal_id or re.sub(r"[^A-Za-z0-9._-]+", "-", host).strip("-")[:80] or "adhoc"
    if platform not in platform_choices():
        raise UserError(f"--platform must be one of {', '.join(platform_choices())}, not {platform!r}")
    return Sources(portals=[Portal(id=pid, name=name or host, url=url, platform=platform)], path="--url")


def portal_settings(portal: Portal) -> dict[str, Any]:
    return {f.name: getattr(portal, f.name) for f in fields(Portal)}


__all__ = [
    "DEFAULTS", "NATIONAL_CITATION", "TLS_PROFILES", "Portal", "Sources", "adhoc_source", "platform_choices",
    "load_sources", "national_sources", "write_national_sources", "parse_sources", "portal_settings", "select", "asdict",
]
