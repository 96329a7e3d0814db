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


def test_random_pairs_agree_with_the_table():
    rnd = random.Random(12)
    alphabets = ("ab", "公开属于国家秘密其他法律行政法规禁止", "abcdefghijklmnopqrstuvwxyz0123456789")
    for _ in range(3000):
        alphabet = rnd.choice(alphabets)
        a = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 70)))
        b = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 70)))
        assert similarity(a, b) == _similarity_by_table(a, b), (a, b)
