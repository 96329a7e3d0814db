"""The records that cross a stage boundary, each a dataclass with its own reading and writing.

- `ManifestRow`   one fetched response (or failed fetch) of a crawl run: runs/RUN_ID/manifest.jsonl
- `PortalRecord`  one portal's outcome in a crawl run: runs/RUN_ID/portals.jsonl
- `ExtractResult` one document's extraction: `nianbao extract --json`, runs/RUN_ID/extracted.jsonl, the cache

The crawler writes the first two, the extract stage the third, the loader reads all three. Field names are the
public contract (docs/CONTRACTS.md); a reader gets the typed record and never guesses between spellings.
`from_dict` ignores keys it does not know (a newer writer) and fills defaults for keys it lacks (an older one).
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

from .sniff import KINDS

# --- manifest ------------------------------------------------------------------------------------------------
ROLES = ("home", "column", "list", "report", "attachment")
FETCH_STATES = ("ok", "not_modified", "challenged", "deleted", "error", "too_large", "truncated", "redirect_loop")
DOCUMENT_ROLES = ("report", "attachment")  # the roles extraction reads
DOCUMENT_STATES = ("ok", "not_modified")  # the fetch states whose body is stored

# --- portal states -------------------------------------------------------------------------------------------
PORTAL_STATES = (
    "ok",            # the 年报 column was found and read, reports came out
    "partial",       # read, but some pages failed (errors, challenges, caps hit): the reason says which
    "empty_column",  # the column was found and read, and gave no report
    "no_column",     # the home page was read, the 年报 column was not found
    "unreachable",   # the home page could not be fetched
    "blocked",       # robots.txt forbids the portal
    "challenged",    # an anti-bot challenge (瑞数 412, 加速乐 521) stopped the portal
    "interrupted",   # the crawl ended before the portal was done
)
PORTAL_STATES_OK = ("ok",)

# --- portal counts (PortalRecord.counts; a crawl writes each, 0 when nothing happened) ---------------------------
PORTAL_COUNTS = (
    "pages",             # responses received for the portal
    "requests",          # requests made for the portal (its cost; retries not counted)
    "list_pages",        # pages of the 年报 column (and its sub-columns) read
    "entries",           # entries of the column's lists (report candidates)
    "excluded",          # entries not fetched: their title names another kind of document (core.titles.excluded_kind)
    "unranked",          # entries fetched although their title is not a report title (the body decides)
    "reports",           # report links found (entries fetched or known)
    "new", "changed", "unchanged", "rechecked", "known_dead",
    "attachments", "new_attachments", "unchanged_attachments",
    "errors", "not_found", "challenged", "deleted", "not_modified", "too_large", "truncated",
    "duplicate_urls", "duplicate_bodies", "robots_blocked",
    "decoys",            # entries outside the column (found by title) whose title is not a report title
    "capped",            # limits hit: page counts cut to the cap, max_list_pages reached (the portal is partial)
    "javascript_skipped",  # javascript: links where a report or file was wanted that name no URL to follow
    "redirect_loops",    # pages whose redirects came back to a URL of their chain (fetch state redirect_loop)
    "redirect_chains",   # pages with more redirects than REDIRECT_MAX_TIMES (fetch state error)
    "walked",            # 1: a full walk this run (home, navigation, every list page); 0: incremental (walk_days)
    "pages_skipped",     # list pages not fetched: an earlier page of the list showed nothing new (incremental run)
    "rendered",          # pages rendered in headless Chromium (static reading could not read them)
    "render_ms",         # milliseconds those pages took in the browser
    "render_subrequests",  # requests the browser made for them (scripts, XHR, frames; images etc. are not fetched)
    "render_timeouts",   # rendered pages that hit render_timeout (what was drawn by then was read)
    "render_failed",     # renderings that gave nothing (navigation failed, browser error)
    "render_over_budget",  # pages that needed rendering beyond render_max_pages
    "render_unavailable",  # pages that needed rendering on a machine without Chromium (the reason says so)
    "xhr_pages",         # pages of a list API learnt from a rendered page, then asked for directly
    "unit_directories",  # 部门 / 乡镇信息公开 directory pages followed
    "subsites",          # department and township sub-sites followed from them
    "render_skipped_unchanged",  # shells not rendered again between walks (unchanged, or read from their sources)
    "list_sources_direct",  # list APIs / frames of shell columns asked for directly between walks
    "previous_reports",  # reports of the last full walk that read the column (when known)
    "reports_drop",      # only when the count fell sharply since then: how many fewer (crawlers/outcome.py)
)

# --- extraction statuses -------------------------------------------------------------------------------------
OK = "ok"
LEGACY_FORMAT = "legacy_format"
NOT_A_REPORT = "not_a_report"
NO_TABLES = "no_tables"
UNREADABLE = "unreadable"
UNSUPPORTED = "unsupported"
STATUSES = (OK, LEGACY_FORMAT, NOT_A_REPORT, NO_TABLES, UNREADABLE, UNSUPPORTED)

R = TypeVar("R")

_DISPOSITION_PARAM = re.compile(r"""(?ix)(?:^|;)\s*(filename\*?)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)""")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


def _decode_name_bytes(raw: bytes, charset: str | None = None) -> str:
    tried = [charset] if charset else []
    for enc in tried + ["utf-8", "gb18030"]:
        enc = "gb18030" if enc and enc.lower().replace("-", "") in ("gbk", "gb2312", "gb18030") else enc
        try:
            return raw.decode(enc or "utf-8")
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")


def disposition_filename(value: str | None) -> str | None:
    """The file name of a Content-Disposition header value, decoded and reduced to a bare name.

    RFC 5987 `filename*=UTF-8''%E5%B9%B4…` wins over `filename=`; a `filename=` that is percent-encoded (often
    GBK on Chinese portals) or raw UTF-8/GBK bytes (read as latin-1 by the HTTP layer) is decoded too. The result
    is only ever a name to show: directories (`../`, `C:\\`), control characters and leading dots are removed, so
    it can never become a path. None when there is no usable name.
    """
    if not value:
        return None
    params: dict[str, str] = {}
    for m in _DISPOSITION_PARAM.finditer(value):
        v = m.group(2).strip()
        if v.startswith('"') and v.endswith('"') and len(v) >= 2:
            v = re.sub(r"\\(.)", r"\1", v[1:-1])
        params.setdefault(m.group(1).lower(), v)
    name = None
    ext = params.get("filename*")
    if ext and "'" in ext:
        charset, _, rest = ext.partition("'")
        _, _, encoded = rest.partition("'")
        name = _decode_name_bytes(unquote_to_bytes(encoded), charset or None)
    elif "filename" in params:
        v = params["filename"]
        if _PERCENT.search(v):
            name = _decode_name_bytes(unquote_to_bytes(v))
        else:
            try:
                name = _decode_name_bytes(v.encode("latin-1"))
            except UnicodeEncodeError:
                name = v
    if name is None:
        return None
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_NAME.sub("", name).strip().lstrip(".").strip()
    return name[:200] or None


def _from_dict(cls: type[R], row: dict[str, Any]) -> R:
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in row.items() if k in names})


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON Lines file (blank lines skipped; a missing file has none)."""
    path = Path(path)
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                obj = json.loads(line)
                if isinstance(obj, dict):
                    yield obj


def write_jsonl_atomic(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write JSON Lines to a temporary file and swap it in, so a reader never sees half a file."""
    path = Path(path)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    n = 0
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


@dataclass(kw_only=True)
class ManifestRow:
    """One response of a crawl run (or a fetch that failed), as written to manifest.jsonl (fields in this order)."""

    run_id: str
    portal_id: str
    url: str  # the URL as requested (the first of a redirect chain)
    final_url: str | None = None  # where the body came from, after redirects
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str | None = None
    sha256: str | None = None
    size: int | None = None
    detected_type: str = "binary"  # one of core.sniff.KINDS
    role: str  # one of ROLES
    listing_url: str | None = None
    link_title: str | None = None
    parent_url: str | None = None  # an attachment's report page
    list_date: str | None = None
    state: str  # one of FETCH_STATES
    error: str | None = None
    redirects: list[str] = field(default_factory=list)  # the URLs of a followed redirect chain, in order

    def problems(self) -> list[str]:
        """What makes this row invalid (empty when it is fine)."""
        out = []
        if self.role not in ROLES:
            out.append(f"role {self.role!r}")
        if self.state not in FETCH_STATES:
            out.append(f"state {self.state!r}")
        if self.detected_type not in KINDS:
            out.append(f"detected_type {self.detected_type!r}")
        if self.status is not None and not isinstance(self.status, int):
            out.append(f"status {self.status!r}")
        if self.is_document and not self.sha256:
            out.append("a document without a body")
        if not isinstance(self.headers, dict):
            out.append("headers is not a mapping")
        return out

    @property
    def is_document(self) -> bool:
        """A report page or attachment whose body is stored: extraction reads it."""
        return self.role in DOCUMENT_ROLES and self.state in DOCUMENT_STATES and bool(self.sha256)

    @property
    def source_url(self) -> str:
        return self.final_url or self.url

    @property
    def filename(self) -> str | None:
        """The file name the server gave in Content-Disposition (decoded, a bare name: never a path)."""
        return disposition_filename(self.headers.get("content-disposition") if isinstance(self.headers, dict) else None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> ManifestRow:
        return _from_dict(cls, row)


def read_manifest(run_dir: Path) -> list[ManifestRow]:
    """The manifest rows of a run: its own file, then every crawl shard's (core.layout.run_files)."""
    from .layout import MANIFEST_FILE, run_files

    return [ManifestRow.from_dict(r) for path in run_files(run_dir, MANIFEST_FILE) for r in read_jsonl(path)]


@dataclass
class PortalRecord:
    """One portal's outcome in a crawl run, as written to portals.jsonl."""

    id: str
    name: str = ""
    url: str = ""
    platform: str = "auto"
    region_code: str | None = None
    state: str = "ok"  # one of PORTAL_STATES
    counts: dict[str, int] = field(default_factory=dict)
    column_urls: list[str] = field(default_factory=list)
    platforms_detected: list[str] = field(default_factory=list)
    error: str | None = None  # the reason, for every state but ok
    province: str | None = None
    city: str | None = None
    run_id: str | None = None
    started_at: str | None = None
    finished_at: str | None = None

    def count(self, name: str) -> int:
        return int(self.counts.get(name) or 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> PortalRecord:
        return _from_dict(cls, row)


def read_portals(run_dir: Path) -> list[PortalRecord]:
    """The portal rows of a run, the last row of each portal winning."""
    from .layout import PORTALS_FILE, run_files

    out: dict[str, PortalRecord] = {}
    for path in run_files(run_dir, PORTALS_FILE):  # the run's own, then each crawl shard's
        for r in read_jsonl(path):
            rec = PortalRecord.from_dict(r)
            out[rec.id] = rec
    return list(out.values())


@dataclass
class ExtractResult:
    """One document's extraction: one line of `nianbao extract --json` (the public JSON contract)."""

    source: str
    status: str  # one of STATUSES
    reason: str | None = None
    template: str | None = None
    report_year: int | None = None
    agency: str | None = None
    published: str | None = None
    cells: dict[str, Any] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    format: str | None = None
    layout: str | None = None
    title: str | None = None
    url: str | None = None
    sha256: str | None = None
    extractor_version: str | None = None
    # verified: every table complete, every identity holds, text and table agree (None: not a report)
    verified: bool | None = None
    unverified_reasons: list[str] = field(default_factory=list)
    # OCR'd documents (layout "ocr"): the lowest and the mean confidence (0..1) of the cells read from images,
    # and the pages recognised; None for documents with a text layer
    ocr_confidence_min: float | None = None
    ocr_confidence_mean: float | None = None
    ocr_pages: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> ExtractResult:
        return _from_dict(cls, row)
