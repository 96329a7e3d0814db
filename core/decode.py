"""Bytes to text for pages whose charset declarations cannot be trusted.

County portals serve GBK pages without a charset, declare gb2312 for text that uses characters
outside it, or declare utf-8 over GBK bytes.  The bytes decide: valid UTF-8 is UTF-8; otherwise
the GB family is decoded as GB18030, the superset of gb2312 and gbk.
"""
from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "gb_2312-80", "cp936", "euc-cn", "hz-gb-2312"}


def normalise_charset(name: str | None) -> str | None:
    """Map a declared charset to the codec we actually use (GB family → gb18030)."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY or name.startswith("gb"):
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (meta tag or XML prolog), if any."""
    m = _META_CHARSET.search(data[:4096])
    if m:
        return m.group(1).decode("ascii", "ignore")
    m = re.match(rb"""<\?xml[^>]*encoding=["']([A-Za-z0-9_\-]+)""", data[:200])
    return m.group(1).decode("ascii", "ignore") if m else None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode page bytes; return (text, encoding used).

    `declared` is the HTTP header's charset when known.  Order: BOM, then strict UTF-8 (GBK text
    is almost never valid UTF-8), then the declared charsets if they are not GB, then GB18030.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for name in (declared, declared_charset(data)):
        enc = normalise_charset(name)
        if enc and enc not in ("utf-8", "gb18030", "ascii"):
            try:
                return data.decode(enc), enc
            except (UnicodeDecodeError, LookupError):
                continue
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        # Mostly GB text with a few broken bytes (a truncated download, a bad editor):
        # keep what can be read rather than dropping the page.
        return data.decode("gb18030", errors="replace"), "gb18030"


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Alias kept for callers that think in pages (crawler, HTML reader)."""
    return decode_bytes(data, declared)


def charset_from_content_type(content_type: str | bytes | None) -> str | None:
    """The charset parameter of a Content-Type header, if any (the crawler reads it before the bytes)."""
    if not content_type:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
    return m.group(1) if m else None
