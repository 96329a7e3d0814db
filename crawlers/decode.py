"""Decode HTML bytes from portals whose charset headers are missing or wrong.

Uses `extract.decode.decode_html` when the project has it; otherwise the small decoder below:
BOM, then the declared charset (HTTP header), then <meta charset>, then UTF-8, then GB18030.
gb2312 / gbk / x-gbk declarations are read as gb18030, their superset (portals declare gb2312 and use
characters outside it).
"""
from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030",
            "x-euc-cn": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030", "utf8": "utf-8",
            "unicode": "utf-8", "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "utf-8",
            "us-ascii": "utf-8"}


def normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name if name not in ("gb18030",) else "gb18030"
    except LookupError:
        return None


def charset_from_content_type(content_type: str | bytes | None) -> str | None:
    if not content_type:
        return None
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
    return m.group(1) if m else None


def _strict(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def _own_decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    candidates: list[str] = []
    for name in (declared, (_META.search(data[:4096]) or [None, None])[1]):
        if isinstance(name, bytes):
            name = name.decode("ascii", "ignore")
        enc = normalise_charset(name)
        if enc and enc not in candidates:
            candidates.append(enc)
    # A header saying utf-8 over GBK bytes (or the reverse) is common: a strict decode decides.
    for enc in candidates + [e for e in ("utf-8", "gb18030") if e not in candidates]:
        text = _strict(data, enc)
        if text is not None:
            return text, enc
    # Nothing decodes cleanly (a few broken bytes): take the one with the fewest replacement characters.
    best = min(candidates + ["utf-8", "gb18030"], key=lambda e: data.decode(e, errors="replace").count("\ufffd"))
    return data.decode(best, errors="replace"), best


try:  # the project's shared decoder, when it exists
    from extract.decode import decode_html as _project_decode_html  # type: ignore[import-not-found]
except Exception:  # noqa: BLE001 - missing module or a broken import: use our own
    _project_decode_html = None


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used)."""
    if _project_decode_html is not None:
        try:
            return _project_decode_html(data, declared)
        except Exception:  # noqa: BLE001
            pass
    return _own_decode_html(data, declared)
