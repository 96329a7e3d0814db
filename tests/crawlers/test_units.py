"""Fast tests of the crawler's parts (no network, no subprocess)."""
from __future__ import annotations

import pytest

from crawlers.platforms import PLATFORMS, detect, enumerate_pages
from core.decode import decode_html
from crawlers.hostile import detect_challenge, is_folder_url
from crawlers.jsobj import find_assignment
from crawlers.page import Page, attachment_ext, clean_url
from crawlers.sources import load_sources, national_sources, parse_sources, select
from core.titles import is_column_title, is_nav_title, is_report_title, report_year
from core.errors import UserError

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("title", [
    "示例县财政局2021年政府信息公开工作年度报告",
    "样例市人民政府关于2022年政府信息公开年度工作报告",
    "模拟县公安局2021年度政府信息公开工作报告",
    "示例县青石乡人民政府2020年政府信息公开工作年度报告（图片版）",
    "演示区人民政府2022年政府信息公开工作年度报告（超链版）",
    "二〇二一年政府信息公开工作年度报告",
    "2023年政务公开工作年度报告",
])
def test_report_titles(title):
    assert is_report_title(title)


@pytest.mark.parametrize("title", [
    "示例县召开2022年度政务公开工作推进会",
    "示例县人民政府信息公开指南",
    "示例县政府信息公开保密审查制度",
    "图解：示例县人民政府2021年政府信息公开工作年度报告",
    "样例市人民政府办公室关于做好2023年度政府信息公开工作年度报告编制发布工作的通知",
    "示范区2022年政府信息公开工作年度报告政策解读",
    "演示区政务公开工作要点任务分解表",
    "模拟县2023年政务公开工作总结",
    "关于开展2021年度企业年报公示工作的通知",
    "2021年政府工作报告",
    "政府信息公开年报",
])
def test_not_report_titles(title):
    assert not is_report_title(title)


def test_column_and_nav_titles():
    assert is_column_title("政府信息公开年报")
    assert is_column_title("政府信息公开年度报告")
    assert is_column_title("年报")
    assert not is_column_title("企业年报")
    assert not is_column_title("示例县2021年政府信息公开工作年度报告")
    assert not is_column_title("政府信息公开指南")
    assert is_nav_title("政务公开") and is_nav_title("政府信息公开") and is_nav_title("信息公开目录")
    assert not is_nav_title("依申请公开") and not is_nav_title("新闻中心")
    assert report_year("关于二〇二一年政府信息公开") == 2021


def test_sources_validation(tmp_path):
    good = tmp_path / "s.yaml"
    good.write_text("version: 1\ndefaults: {delay: 0.1}\nportals:\n"
                    "  - {id: a, name: A, url: 'http://127.0.0.1:1/', region_code: 510703}\n"
                    "  - {id: b, name: B, url: 'https://x.example.gov.cn', platform: trs, delay: 2, column_url: 'http://x.example.gov.cn/nb/'}\n",
                    encoding="utf-8")
    src = load_sources(good)
    a, b = src.portals
    assert a.region_code == "510703" and a.delay == 0.1 and a.platform == "auto"
    assert b.delay == 2.0 and b.url == "https://x.example.gov.cn/" and b.column_urls == ["http://x.example.gov.cn/nb/"]
    for bad, msg in [
        ("portals: [{id: a, name: A, url: 'ftp://x/'}]", "url"),
        ("portals: [{id: a, name: A, url: 'http://x/', dealy: 1}]", "unknown key 'dealy'"),
        ("portals: [{id: a, name: A, url: 'http://x/', platform: wordpress}]", "platform"),
        ("portals: [{id: a, name: A, url: 'http://x/', region_code: '51'}]", "region_code"),
        ("portals: [{id: a, name: A, url: 'http://x/'}, {id: a, name: B, url: 'http://y/'}]", "duplicate id"),
        ("portals: [{id: a, name: A, url: 'http://x/', concurrency: 0}]", "concurrency"),
        ("portals: []", "non-empty"),
        ("portals: [{id: a, name: A, url: 'http://x/'}", "not valid YAML"),
    ]:
        f = tmp_path / "bad.yaml"
        f.write_text(bad, encoding="utf-8")
        with pytest.raises(UserError, match=msg):
            load_sources(f)


def test_national_sources_and_selection():
    src = national_sources()
    assert 3100 < len(src.portals) < 3300
    ids = {p.id for p in src.portals}
    assert "gov-510703" in ids and "gov-110000" in ids
    assert all(p.source for p in src.portals)
    sc = select(src, province=["四川"])
    assert sc.portals and all(p.province == "四川省" for p in sc.portals)
    assert {p.id for p in select(src, region=["5107"]).portals} == {p.id for p in select(src, region=["绵阳"]).portals}
    assert [p.id for p in select(src, only=["gov-510703"]).portals] == ["gov-510703"]
    with pytest.raises(UserError, match="gov-510703"):
        select(src, only=["510703"])
    with pytest.raises(UserError):
        select(src, province=["火星"])
    assert parse_sources([{"id": "x", "name": "X", "url": "http://a/"}]).portals[0].id == "x"


def test_challenge_detection():
    rs = (b"<html><head><script>var $_ts=window['$_ts'];$_ts.nsd=1;</script></head><body></body></html>")
    assert detect_challenge(412, {b"Set-Cookie": [b"FSSBBIl1UgzbN7N80S=abc"]}, rs) == "rs"
    jsl = b"<html><body><script>document.cookie=('_')+('_jsl_clearance_s=1')</script></body></html>"
    assert detect_challenge(521, {b"Set-Cookie": [b"__jsluid_h=1"]}, jsl) == "jsl"
    assert detect_challenge(200, {}, rs) == "rs"
    page = b"<html><body>" + "政府信息公开".encode() * 400 + b"<script>var $_ts = 1</script></body></html>"
    assert detect_challenge(200, {}, page) is None
    assert detect_challenge(404, {}, b"<html>not found</html>") is None


def test_deleted_and_folder_urls():
    p = Page("http://h/a/b/t1.html", b'<html><head><meta http-equiv="refresh" content="0;url=../"></head><body></body></html>')
    delay, target = p.meta_refresh()
    assert delay == 0 and target == "http://h/a/"
    assert is_folder_url(target, p.url)
    assert not is_folder_url("http://h/a/b/t2.html", p.url)


def test_gbk_without_charset():
    body = "<html><body><a href='x.html'>示例县2021年政府信息公开工作年度报告</a></body></html>".encode("gbk")
    text, enc = decode_html(body, None)
    assert "示例县" in text and enc == "gb18030"
    text, enc = decode_html(body, "gb2312")
    assert "年度报告" in text
    page = Page("http://h/", body, b"text/html")
    assert page.links()[0].text == "示例县2021年政府信息公开工作年度报告"


def test_urls_and_attachments():
    assert clean_url("http://h/a/t1.html?from=zhiding#x") == "http://h/a/t1.html"
    assert clean_url("http://h/a/list.jsp?page=2&from=x") == "http://h/a/list.jsp?page=2&from=x"
    assert attachment_ext("http://h/P020220101.pdf") == "pdf"
    assert attachment_ext("http://h/module/download/downfile.jsp?classid=0&filename=abc.docx") == "docx"
    assert attachment_ext("http://h/download?id=3", "附件：年报.xls") == "xls"
    assert attachment_ext("http://h/t1.html") is None
    assert enumerate_pages("http://h/nb/index_3.html", "http://h/nb/index.html")[-1] == "http://h/nb/index_3.html"
    assert len(enumerate_pages("http://h/list?page=4", "http://h/list?page=1")) == 4


def test_js_object_and_platforms():
    html = ("<html><script>window._CONFIG = {SID: 'x1', TREE: [{id: 5, name: '政务动态', children: []},"
            " {id: 9, name: '政府信息公开年报', children: [{id: 10, name: '2021年'}]}]};</script></html>")
    cfg = find_assignment(html, "window._CONFIG")
    assert cfg["SID"] == "x1" and cfg["TREE"][1]["id"] == 9
    page = Page("http://h/gkmlpt/index", html.encode())
    assert detect(page).name == "gkmlpt"
    res = PLATFORMS["gkmlpt"].parse_list(page, {})
    assert [f.url for f in res.follow][:1] == ["http://h/gkmlpt/api/all/9?page=1&sid=x1"]
    trs = Page("http://h/nb/index.html", b"<html><script>createPageHTML(3, 0, 'index', 'shtml');</script></html>")
    assert detect(trs).name == "trs"
    assert [f.url for f in PLATFORMS["trs"].parse_list(trs, {}).follow] == ["http://h/nb/index_1.shtml", "http://h/nb/index_2.shtml"]
    hw = Page("http://h/col/col123/index.html", (
        "<html><script>var webid=2; unitid: 456, perpage: 15, totalRecord: 50</script><div id='div456'><script type='text/xml'>"
        "<datastore><recordset><record><![CDATA[<li><a href='/art/2022/1/3/art_123_1.html' title='示范区卫生健康局2021年政府信息公开工作年度报告'>x</a><span>2022-01-03</span></li>]]></record>"
        "</recordset></datastore></script></div></html>").encode())
    assert detect(hw).name == "hanweb"
    res = PLATFORMS["hanweb"].parse_list(hw, {})
    assert res.entries[0].url == "http://h/art/2022/1/3/art_123_1.html" and res.entries[0].date == "2022-01-03"
    assert res.follow[0].method == "POST" and "startrecord=2" in res.follow[0].url and "columnid=123" in res.follow[0].body


def test_crawl_process_failure_is_reported(tmp_path):
    from crawlers.run import crawl, failure_reason

    src = tmp_path / "s.yaml"
    src.write_text("portals: [{id: a, name: A, url: 'http://127.0.0.1:9/'}]\n", encoding="utf-8")
    summary = crawl(src, tmp_path / "data", run_id="x", python="/bin/false")
    assert summary.returncode != 0 and not summary.ok and summary.portals == []
    assert failure_reason(summary) and summary.error


def test_soft_404():
    from crawlers.hostile import is_soft_404

    gone = Page("http://h/t.html", "<html><head><title>404-页面不存在</title></head><body>抱歉，您访问的页面不存在或已被删除！<a href='/'>返回首页</a></body></html>".encode())
    assert is_soft_404(gone)
    report = Page("http://h/t.html", ("<html><head><title>某县2021年政府信息公开工作年度报告</title></head><body>"
                                      + "一、总体情况。" * 200 + "</body></html>").encode())
    assert not is_soft_404(report)
