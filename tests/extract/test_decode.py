"""Charset handling: the bytes decide, GB family decodes as GB18030."""
from core.decode import decode_bytes

TEXT = "政府信息公开工作年度报告：镕𠀀"  # 镕 is outside GB2312; 𠀀 needs GB18030's four-byte form


def test_utf8_without_declaration():
    text, enc = decode_bytes(TEXT.encode("utf-8"))
    assert text == TEXT and enc == "utf-8"


def test_gbk_bytes_declared_as_utf8_are_decoded_as_gb():
    page = f'<meta charset="utf-8"><p>{TEXT[:12]}</p>'.encode("gbk")
    text, enc = decode_bytes(page)
    assert TEXT[:12] in text and enc == "gb18030"


def test_gb2312_declared_page_with_gb18030_characters():
    page = f'<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>{TEXT}</p>'.encode("gb18030")
    text, _ = decode_bytes(page)
    assert TEXT in text


def test_gbk_without_any_declaration():
    text, enc = decode_bytes(TEXT[:12].encode("gbk"))
    assert text == TEXT[:12] and enc == "gb18030"


def test_bom_wins():
    text, enc = decode_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    assert text == TEXT and enc == "utf-8"
