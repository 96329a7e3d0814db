"""Bytes: a page encoded as utf-8 / gbk / gb18030 with a given (possibly wrong or missing) charset declaration."""
from __future__ import annotations

import re


_CHARSET_META = re.compile(
    r'<meta\s+http-equiv=["\']?Content-Type["\']?\s+content=["\']?text/html;\s*charset=[\w-]+["\']?\s*/?>\s*\n?'
    r'|<meta\s+charset=["\']?[\w-]+["\']?\s*/?>\s*\n?', re.I)


def encode_page(html: str, encoding: str, declare: str | None) -> bytes:
    """Encode a page as ``encoding`` (utf-8, gbk, gb18030) declaring ``declare`` as its charset (None: no declaration).

    Every existing charset <meta> is replaced by one declaring ``declare`` (in the same form as the first one found),
    or removed. The declaration may lie (declare="utf-8" with encoding="gbk"), as on real portals. Characters that
    the encoding cannot hold raise UnicodeEncodeError.
    """
    enc = encoding.lower()
    if enc not in ("utf-8", "utf8", "gbk", "gb18030", "gb2312"):
        raise ValueError(f"unsupported encoding {encoding!r}")
    m = _CHARSET_META.search(html)
    if declare is None:
        out = _CHARSET_META.sub("", html)
    else:
        if m and m.group(0).lower().startswith("<meta charset"):
            repl = f'<meta charset="{declare}">\n'
        else:
            repl = f'<meta http-equiv="Content-Type" content="text/html; charset={declare}" />\n'
        if m:
            out = html[: m.start()] + repl + _CHARSET_META.sub("", html[m.end():])
        else:
            out = re.sub(r"(<head[^>]*>\n?)", lambda mm: mm.group(1) + repl, html, count=1, flags=re.I)
    return out.encode(enc, errors="strict")
