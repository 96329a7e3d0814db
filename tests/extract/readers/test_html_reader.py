"""The HTML reader's shortcuts must give what the long way gives."""
from __future__ import annotations

import lxml.html
import pytest
from trafilatura.metadata import examine_meta

from extract.readers.html import _trafilatura_title
from extract.textnorm import clean_space

BODY = "<body><p>正文</p></body></html>"


def _head(*metas: str) -> str:
    return "<html><head><meta charset='utf-8'><title>标签标题</title>" + "".join(metas) + "</head>" + BODY


@pytest.mark.parametrize("page", [
    _head(),  # no meta: no title
    _head('<meta name="ArticleTitle" content="某局2021年政府信息公开工作年度报告">'),  # not a name trafilatura reads
    _head('<meta property="og:title" content="某局2021年报">'),
    _head('<meta property="og:title" content="   ">'),  # blank: not taken
    _head('<meta name="Title" content="某局 2021 年报">'),  # names compare lower-cased
    _head("<META NAME=dc.title CONTENT='某局2021年报'>"),
    _head('<meta name="twitter:title" content="某局2021年报">'),
    _head('<meta itemprop="headline" content="某局2021年报">'),
    _head('<meta name="description" content="标题 title">'),  # the word in a value, not in a name: no title
    _head('<meta content="某局2021年报" name="citation_title">'),  # attribute order does not matter
    _head('<meta property="article:title" name="title" content="x">'),  # a property attribute wins over name
])
def test_meta_title_as_trafilatura_reads_it(page):
    """_trafilatura_title skips parsing the head when no attribute can name a title; either way the result is what
    trafilatura's examine_meta gives on the parsed head."""
    head = lxml.html.document_fromstring(page)
    expected = examine_meta(head).title
    assert _trafilatura_title(page) == (clean_space(expected) if expected else None)
