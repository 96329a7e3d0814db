"""Decoding pages for the crawler: the project's decoder (extract.decode) plus the HTTP header's charset.

One decoder serves crawl and extraction, so a page is read the same way when its links are followed
and when its tables are extracted: BOM, strict UTF-8, a declared non-GB charset, else GB18030 (the
superset of the gb2312/gbk that portals declare and exceed).
"""
from __future__ import annotations

import re

from extract.decode import decode_html, normalise_charset

__all__ = ["charset_from_content_type", "decode_html", "normalise_charset"]


def charset_from_content_type(content_type: str | bytes | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
    return m.group(1) if m else None
