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
    if text.isascii():  # NFKC leaves ASCII alone: "0", "12", "/"
        return "".join(text.split()).translate(_QUOTES)
    return _WS.sub("", nfkc(text)).translate(_QUOTES)


_SQUASHED: dict[str, str] = {}


def squash_text(text: str) -> str:
    """squash() of a whole document's text, line by line through a cache: table labels and numbers repeat in every
    report, so only the narrative is normalised anew (NFKC does not join characters across a line break here)."""
    out = []
    cache = _SQUASHED
    for line in text.split("\n"):
        hit = cache.get(line)
        if hit is None:
            hit = squash(line)
            if len(cache) < 100_000 and len(line) < 200:
                cache[line] = hit
        out.append(hit)
    return "".join(out)


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
    if text.isalnum():  # "0", "12", "规章": nothing to collapse (the common table cell)
        return text
    if " " not in text and text.isprintable():
        return text  # no whitespace at all: every other whitespace character (\t \n \u3000 \xa0 \u200b …) is unprintable
    return _WS.sub(" ", text).strip()


# --- enumerators and label similarity (for labels with printing errors) ------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# Enumerators as they read after squash (NFKC turns （一） into (一), １． into 1., ① into 1):
# (一) (1) 一) 1) 一、 一. 1、 1. and a bare leading digit before a Chinese character ("①本机关" → "1本机关").
_ENUM_ANY = re.compile(
    r"\((?P<p>[一二三四五六七八九十]{1,2}|\d{1,2})\)"
    r"|(?<![\d一二三四五六七八九十])(?P<c>[一二三四五六七八九十]{1,2})[、.,:)]"
    r"|(?<![\d.])(?P<d>\d{1,2})(?:[、.)](?!\d))"
    r"|^(?P<b>\d{1,2})(?=[\u4e00-\u9fff])"
)


def _cn_number(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if len(s) == 1:
        return _CN_DIGITS.get(s)
    if s[0] == "十":  # 十一 …
        return 10 + _CN_DIGITS.get(s[1], 0)
    return None


_ENUMS: dict[tuple[str, int | None], int | None] = {}


def enumerator_before(label: str, pos: int | None = None) -> int | None:
    """The number of the last enumerator printed before `pos` in a squashed label ("(三)不予公开1.属于…" → 1 before
    属于), or None when the label has none.  Cached: the template's labels recur in every report."""
    key = (label, pos)
    try:
        return _ENUMS[key]
    except KeyError:
        pass
    last = _enumerator_before(label, pos)
    if len(_ENUMS) < 100_000:
        _ENUMS[key] = last
    return last


def _enumerator_before(label: str, pos: int | None) -> int | None:
    last = None
    for m in _ENUM_ANY.finditer(label):
        if pos is not None and m.start() >= pos:
            break
        g = m.group("p") or m.group("c") or m.group("d") or m.group("b")
        n = _cn_number(g)
        if n is not None:
            last = n
    return last


# Traditional characters that appear in the template's labels and headers, to their simplified forms (a report
# copied from a traditional-character mirror, or a font substitution, prints 保護第三方合法權益).
_T2S = str.maketrans(
    "國屬務過執詢無關現補確訪舉報訴復請購採費許罰強規範權護險穩開處計總結轉內類於機構業組織實數項認獲書議訟經維糾審決條辦"
    "門違級單產證據應當對為與從後這進體區縣鄉鎮監紀檔條號態動會員",
    "国属务过执询无关现补确访举报诉复请购采费许罚强规范权护险稳开处计总结转内类于机构业组织实数项认获书议讼经维纠审决条办"
    "门违级单产证据应当对为与从后这进体区县乡镇监纪档条号态动会员")


_LABEL_PUNCT = re.compile(r"[、,.:;!?()\[\]<>{}\-—_·…/\\|]")


def label_forms(label: str) -> tuple[str, ...]:
    """A squashed label as compared with the official ones: enumerators and a bracketed note at the end removed,
    traditional characters simplified, punctuation dropped; and, when the label holds several enumerators
    ("(三)不予公开1.属于…"), also the part after the last one."""
    s = label
    while True:
        t = re.sub(r"\([^()]*\)$", "", s)
        if t == s or not t:
            break
        s = t
    s = s.translate(_T2S)
    last = None
    for m in _ENUM_ANY.finditer(s):
        last = m
    whole = _LABEL_PUNCT.sub("", _ENUM_ANY.sub("", s))
    if last is not None and last.start() > 0:
        tail = _LABEL_PUNCT.sub("", s[last.end():])
        if tail and tail != whole:
            return (whole, tail)
    return (whole,)


def similarity(a: str, b: str) -> float:
    """2·LCS / (len a + len b): 1.0 for equal strings; a missing, extra or substituted character costs about one
    character's share, two swapped characters about one ("程过性" against "过程性").

    The LCS length is computed bit-parallel (Allison & Dix 1986; Crochemore et al. 2001): one integer holds a row of
    the LCS table, so a pair costs one step per character of `b` instead of one per pair of characters."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    masks: dict[str, int] = {}
    bit = 1
    for ch in a:
        masks[ch] = masks.get(ch, 0) | bit
        bit <<= 1
    row = bit - 1  # len(a) ones: a zero bit counts one character of the common subsequence
    get = masks.get
    for ch in b:
        m = get(ch)
        if m:
            u = row & m
            row = (row + u) | (row - u)
    lcs = len(a) - (row & (bit - 1)).bit_count()
    return 2 * lcs / (len(a) + len(b))
