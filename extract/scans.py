"""Reports printed as pictures: a report page and its pictures, or several picture files, read as one document.

Portals publish scanned reports as a page whose content is a run of <img> tags (图片版), or as picture
attachments, one per page.  Read one by one, each picture is a fragment (page 2 holds half of the
applications table); read together, in page order, they are the report.  So:

- `picture_groups(docs)`: which picture attachments belong to which report page (the crawl's manifest or
  the warehouse's documents: role, url, parent_url, detected_type, sha256);
- `picture_order(html, page_url, urls)`: page order is the order in which the page shows the pictures
  (<img src>, links, data-src/OLDSRC), never the file names; pictures the page does not show come last;
- `extract_page_with_pictures(...)`: the page is extracted as usual; when its own text has no tables, its
  pictures are OCR'd in page order and read together with the page's text (title, agency, date), as one
  document whose result is the page's (layout "ocr");
- `picture_part(...)`: the result of a picture read as part of its page (no OCR of its own: the page has it);
- `extract_pictures(...)`: picture files given as the pages of one report (`nianbao extract --pages`, the
  golden corpus's multi-image fixtures).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urldefrag, urljoin

from .model import NO_TABLES, OK, UNREADABLE, ExtractResult, ParsedDocument
from .settings import ExtractSettings, current_settings

PICTURE_KIND = "image"


def picture_groups(docs: Iterable[Mapping[str, Any]]) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str]]:
    """({report page url: [(picture url, sha256), ...]}, {picture url: its report page url}).

    A picture belongs to a page when it is an attachment (role "attachment", detected type image) whose
    parent_url is the page (by the URL requested or the final one).  Pages are role "report".
    """
    docs = list(docs)
    page_of_url: dict[str, str] = {}
    for d in docs:
        if d.get("role") == "report" and d.get("url"):
            for u in (d.get("url"), d.get("final_url")):
                if u:
                    page_of_url[_key(u)] = d["url"]
    pictures: dict[str, list[tuple[str, str]]] = {}
    part_of: dict[str, str] = {}
    for d in docs:
        if d.get("role") != "attachment" or d.get("detected_type") != PICTURE_KIND or not d.get("sha256"):
            continue
        page = page_of_url.get(_key(d.get("parent_url") or ""))
        if page is None:
            continue
        url = d.get("final_url") or d["url"]
        if url in part_of:
            continue
        pictures.setdefault(page, []).append((url, d["sha256"]))
        part_of[url] = page
        if d.get("url") and d["url"] != url:
            part_of[d["url"]] = page
    return pictures, part_of


def _key(url: str) -> str:
    return urldefrag(url)[0].strip()


_SRC = re.compile(rb"""(?:src|href|data-src|data-original|oldsrc)\s*=\s*["']?([^"'\s>]+)""", re.I)


def picture_order(html: bytes, page_url: str, urls: Sequence[str]) -> list[str]:
    """The picture URLs in the order the page shows them; those it does not show last, in URL order."""
    rank: dict[str, int] = {}
    for i, m in enumerate(_SRC.finditer(html)):
        try:
            ref = m.group(1).decode("utf-8", "replace").replace("&amp;", "&")
        except Exception:  # noqa: BLE001
            continue
        absolute = _key(urljoin(page_url, ref))
        rank.setdefault(absolute, i)
    def natural(u: str) -> list:
        return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", u)]
    return sorted(urls, key=lambda u: (rank.get(_key(u), 10**9), natural(u)))


def group_sha(page_sha: str, picture_shas: Sequence[str]) -> str:
    """The cache key of a page read together with its pictures (any change to one of them is a new key)."""
    h = hashlib.sha256(page_sha.encode())
    for s in picture_shas:
        h.update(b"\0" + s.encode())
    return h.hexdigest()


def picture_part(url: str, sha256: str | None, page_url: str) -> ExtractResult:
    from .pipeline import EXTRACTOR_VERSION

    return ExtractResult(source=url, url=url, sha256=sha256, status=NO_TABLES, format="image", layout="image",
                         reason=f"scanned page of the report on {page_url}: read with that page",
                         extractor_version=EXTRACTOR_VERSION)


def _combined(page: ParsedDocument, scans: ParsedDocument) -> ParsedDocument:
    meta = {**page.meta, **{k: v for k, v in scans.meta.items() if k not in page.meta}}
    return ParsedDocument(format=page.format, layout="ocr", cells=list(page.cells) + list(scans.cells),
                          text=page.text + "\n" + scans.text, title=page.title,
                          title_candidates=list(page.title_candidates) + list(scans.title_candidates),
                          meta=meta, images=page.images, links=page.links, report_links=page.report_links)


def extract_page_with_pictures(page_data: bytes, page_url: str, pictures: Sequence[tuple[str, bytes]],
                               settings: ExtractSettings | None = None) -> ExtractResult:
    """A report page and its pictures (url, bytes): the page's own tables if it has them, else its
    pictures OCR'd in page order and read with the page's text."""
    from core.sniff import sniff

    from .pipeline import EXTRACTOR_VERSION, extract_bytes, extract_document
    from .readers import limits, ocr, read
    from . import ocr_trust

    settings = settings or current_settings()
    res = extract_bytes(page_data, page_url, url=page_url, settings=settings)
    if res.status == OK or res.status == UNREADABLE or not pictures or not settings.ocr:
        return res
    order = picture_order(page_data, page_url, [u for u, _ in pictures])
    by_url = dict(pictures)
    datas = [by_url[u] for u in order if sniff(by_url[u]) == PICTURE_KIND]
    if not datas:
        return res
    try:
        with limits.time_limit(settings.read_timeout):
            kind = sniff(page_data)
            page_doc = read(page_data, kind, settings)
            scans = ocr.read_image(datas, settings)
            if scans.status:
                res.reason = f"{res.reason}; the page's {len(datas)} pictures: {scans.status} ({scans.reason})"
                return res
            doc = _combined(page_doc, scans)
            out = extract_document(doc, source=page_url, url=page_url, sha256=res.sha256,
                                   extractor_version=EXTRACTOR_VERSION)
            out = ocr_trust.apply(out, doc)
    except limits.HardTimeout:
        res.reason = f"{res.reason}; OCR of the page's {len(datas)} pictures: timed_out"
        return res
    if out.status != OK:
        res.reason = f"{res.reason}; OCR of the page's {len(datas)} pictures found no tables"
        res.ocr_pages = out.ocr_pages
        return res
    return out


def extract_pictures(pictures: Sequence[bytes], source: str, url: str | None = None,
                     settings: ExtractSettings | None = None) -> ExtractResult:
    """Picture files that are the pages of one report, in page order."""
    from .pipeline import EXTRACTOR_VERSION, extract_document
    from .readers import limits, ocr
    from . import ocr_trust

    settings = settings or current_settings()
    sha = group_sha("", [hashlib.sha256(p).hexdigest() for p in pictures])
    base = dict(source=source, url=url, sha256=sha, extractor_version=EXTRACTOR_VERSION)
    if not settings.ocr:
        return ExtractResult(status=NO_TABLES, reason="scanned", format="image", layout="image", **base)
    try:
        with limits.time_limit(settings.read_timeout):
            doc = ocr.read_image(list(pictures), settings)
            res = extract_document(doc, **base)
            return ocr_trust.apply(res, doc) if doc.layout == "ocr" else res
    except limits.HardTimeout:
        return ExtractResult(status=UNREADABLE, reason=limits.TIMED_OUT, format="image", **base)
