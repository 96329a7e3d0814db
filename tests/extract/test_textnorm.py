"""Label similarity (extract/textnorm.similarity) against the textbook LCS table, which it replaces for speed."""
from __future__ import annotations

import random

import pytest

from extract.textnorm import similarity

pytestmark = pytest.mark.timeout(60)


def _similarity_by_table(a: str, b: str) -> float:
    """2·LCS/(len a + len b) from the dynamic-programming table (the definition)."""
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(cur[j], prev[j + 1]))
        prev = cur
    return 2 * prev[-1] / (len(a) + len(b))


@pytest.mark.parametrize("a,b", [
    ("程过性", "过程性"), ("其他法律行政止公开", "其他法律行政法规禁止公开"), ("申清", "申请"), ("", "申请"), ("申请", ""),
    ("予以公开", "予以公开"), ("保护第三方合法权益", "保護第三方合法權益"), ("aaaa", "a"), ("abcabcabc", "cbacba"),
])
def test_known_pairs(a, b):
    assert similarity(a, b) == _similarity_by_table(a, b)


@pytest.mark.slow
def test_random_pairs_agree_with_the_table():
    rnd = random.Random(12)
    alphabets = ("ab", "公开属于国家秘密其他法律行政法规禁止", "abcdefghijklmnopqrstuvwxyz0123456789")
    for _ in range(3000):
        alphabet = rnd.choice(alphabets)
        a = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 70)))
        b = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 70)))
        assert similarity(a, b) == _similarity_by_table(a, b), (a, b)


def test_clean_space_shortcut_is_exact():
    """clean_space returns text that has no space and is printable untouched: no other whitespace is printable."""
    import re

    ws = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000]+")
    printable_ws = [hex(c) for c in range(0x110000)
                    if chr(c) != " " and chr(c).isprintable() and (ws.match(chr(c)) or chr(c).isspace())]
    assert printable_ws == []


@pytest.mark.parametrize("text", ["规章", "（一）予以公开", "商业\n企业", " 12 ", "a\u3000b", "x\u200by", "", "\xa0", "1,234"])
def test_clean_space(text):
    import re

    from extract.textnorm import clean_space

    assert clean_space(text) == re.sub(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000]+", " ", text).strip()
