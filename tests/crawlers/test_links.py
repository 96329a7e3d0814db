"""Links wherever a report page writes them (issue 8 item 2): script strings, OLDSRC, iframes, embeds, onclick,
download texts, names in alt= / download= / the query, javascript: links; never from header, footer or navigation."""
from __future__ import annotations

import pytest

from crawlers.page import Page
from crawlers.spiders.discovery import DiscoveryMixin

from tests.crawlers.platforms.saved import saved

pytestmark = pytest.mark.timeout(60)


def attachments(page: Page) -> dict[str, str]:
    return dict(DiscoveryMixin().find_attachments(page))


def html_page(url: str, body: str) -> Page:
    return Page(url, f"<html><head><title>t</title></head><body>{body}</body></html>".encode())


def test_link_only_in_a_script_string_is_found():
    found = attachments(saved("trs", "detail_script_string.html").page())
    assert "http://spxz.tax.sh.gov.cn/pub/bsfw/xzzx/201607/P020160711317006236449.xlsx" in found


def test_script_link_keeps_its_text_as_name():
    found = attachments(saved("trs", "detail_script_string.html").page())
    assert found["http://spxz.tax.sh.gov.cn/pub/bsfw/xzzx/201607/P020160711317006236449.xlsx"] == "上海市印花税应税凭证清单"


def test_header_link_is_not_an_attachment():
    found = attachments(saved("trs", "detail_script_string.html").page())
    assert "http://spxz.tax.sh.gov.cn/pub/xxgk/P020150101000000000001.pdf" not in found


def test_relative_p0_link_resolves_against_the_article():
    found = attachments(saved("trs", "detail_oldsrc_appendix.html").page())
    assert "https://zjj.ankang.gov.cn/P020260612342787864103.pdf" in found


def test_oldsrc_of_a_link_with_a_real_href_is_not_fetched():
    found = attachments(saved("trs", "detail_oldsrc_appendix.html").page())
    assert "https://zjj.ankang.gov.cn/protect/P0202606/P020260612/P020260612342787864103.pdf" not in found


def test_oldsrc_is_read_when_it_is_the_only_target():
    found = attachments(saved("trs", "detail_oldsrc_appendix.html").page())
    assert "https://zjj.ankang.gov.cn/protect/P0202606/P020260612/P020260612342787864104.doc" in found


def test_download_attribute_gives_the_name():
    found = attachments(saved("trs", "detail_oldsrc_appendix.html").page())
    assert found["https://zjj.ankang.gov.cn/P020260612342787864103.pdf"] == "《安康建设工程造价信息》2026年第5期.pdf"


def test_body_image_is_found():
    found = attachments(saved("trs", "detail_oldsrc_appendix.html").page())
    assert "https://zjj.ankang.gov.cn/W020200830011894747757.jpg" in found


def test_gkmlpt_name_only_in_alt():
    page = html_page("https://www.yunfu.gov.cn/a/post_1.html", '<div id="zoom"><a class="nfw-cms-attachment" '
                     'href="https://www.yunfu.gov.cn/attachment/0/131/131339/2020043.pdf" '
                     'alt="云浮市2025年政府信息公开工作年度报告.pdf">点击下载</a></div>')
    assert attachments(page) == {"https://www.yunfu.gov.cn/attachment/0/131/131339/2020043.pdf":
                                 "云浮市2025年政府信息公开工作年度报告.pdf"}


def test_download_endpoint_named_only_by_its_text():
    page = html_page("http://h/a/t1.html", '<div id="zoom"><p>附件：<a href="/attachment/download.jsp?fileid=42">附件1</a>'
                     '</p></div>')
    assert "http://h/attachment/download.jsp?fileid=42" in attachments(page)


def test_name_in_the_query():
    page = html_page("http://h/a/t1.html", '<div id="zoom"><a href="/api-gateway/jpaas-web-server/front/document/download'
                     '?fileUrl=abc&fileName=%E5%B9%B4%E6%8A%A5.pdf">下载</a></div>')
    assert list(attachments(page).values()) == ["年报.pdf"]


def test_iframe_pdf_viewer_is_unwrapped():
    page = html_page("http://h/a/t1.html", '<div id="zoom"><iframe src="/pdfjs/web/viewer.html?file=%2Fup%2Fnb2023.pdf">'
                     '</iframe></div>')
    assert "http://h/up/nb2023.pdf" in attachments(page)


def test_framed_page_in_the_body_is_fetched():
    page = html_page("http://h/a/t1.html", '<div id="zoom"><iframe src="/a/t1_body.html"></iframe></div>')
    assert "http://h/a/t1_body.html" in attachments(page)


def test_embed_and_object():
    page = html_page("http://h/a/t1.html", '<div id="zoom"><embed src="/up/a.pdf" type="application/pdf">'
                     '<object data="/up/b.pdf"></object></div>')
    assert {"http://h/up/a.pdf", "http://h/up/b.pdf"} <= set(attachments(page))


def test_onclick_window_open():
    page = html_page("http://h/a/t1.html", '<div id="zoom"><span onclick="window.open(\'/up/c.pdf\')">下载年报</span></div>')
    assert "http://h/up/c.pdf" in attachments(page)


def test_data_src_attribute():
    page = html_page("http://h/a/t1.html", '<div id="zoom"><div id="pdfshow" data-value="/up/d.pdf"></div></div>')
    assert "http://h/up/d.pdf" in attachments(page)


def test_javascript_link_with_a_url_inside_is_followed():
    page = html_page("http://h/a/t1.html", '<div id="zoom"><a href="javascript:openFile(\'/up/e.pdf\')">年报全文</a></div>')
    assert "http://h/up/e.pdf" in attachments(page)


def test_javascript_link_without_a_url_is_kept_for_counting():
    page = html_page("http://h/a/t1.html", '<div id="zoom"><a href="javascript:void(0)">点击下载</a></div>')
    page.links()
    assert len(page.js_without_url) == 1


def test_links_in_footer_and_navigation_are_skipped():
    page = html_page("http://h/a/t1.html", '<div class="nav"><a href="/up/nav.pdf">导航.pdf</a></div>'
                     '<div class="footer"><iframe src="/up/f.pdf"></iframe>'
                     '<script>document.write(\'<a href="/up/g.pdf">页脚.pdf</a>\')</script></div>')
    assert attachments(page) == {}


def test_pager_script_is_not_a_link():
    page = html_page("http://h/a/index.html", '<div id="zoom"><script>document.write("<a href=\\"index"+"_" + n + '
                     '"."+"html\\">下一页</a>");</script></div>')
    assert page.written_links() == []
