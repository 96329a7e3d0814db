"""Normalising the text printed in reports, so that labels and numbers compare.

NFKC turns full-width digits, brackets and colons into ASCII ones; whitespace (spaces that PDF
and Word put inside words, "商业\n企业") and quotation marks carry no meaning in a label.
"""
from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000]+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』《》〈〉")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Enumerators in front of labels: 一、 （一） (1) 1. 1、 ① ...
_ENUM = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．,，:：]"
    r"|[(（][一二三四五六七八九十\d]+[)）][、.]?"
    r"|\d{1,2}(?:[、.．)）]|\.(?!\d))"
    r"|[①②③④⑤⑥⑦⑧⑨⑩])"
)


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def squash(text: str) -> str:
    """NFKC, no whitespace, no quotes: the form labels are compared in."""
    return _WS.sub("", nfkc(text)).translate(_QUOTES)


def squash_with_map(text: str) -> tuple[str, list[int]]:
    """squash(text) and, for each character of it, the index of the original character it came from.

    Matching happens on the squashed form; what is reported (an agency name) is cut from the original,
    so full-width brackets and the like stay as printed.
    """
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if _WS.fullmatch(ch):
            continue
        n = unicodedata.normalize("NFKC", ch).translate(_QUOTES)
        n = _WS.sub("", n)
        out.append(n)
        origin.extend([i] * len(n))
    return "".join(out), origin


def compact(text: str) -> str:
    """Whitespace removed, characters kept as printed (for names shown to users)."""
    return _WS.sub("", text)


def strip_enum(label: str) -> str:
    """Remove leading enumerators (possibly several: "三、(一)予以公开" → "予以公开")."""
    prev = None
    while prev != label:
        prev = label
        label = _ENUM.sub("", label, count=1)
    return label


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def clean_space(text: str) -> str:
    """Collapse runs of whitespace to one space (for raw cell text and titles)."""
    return _WS.sub(" ", text).strip()
