"""Documents we cannot read get a status and a reason, never a report of zeros."""
from extract.pipeline import extract_bytes


def html(body: str, title: str = "") -> bytes:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode("utf-8")


def test_guide_page_is_not_a_report():
    r = extract_bytes(html("<h1>XX县政府信息公开指南</h1><p>一、主动公开。本机关主动公开以下信息。</p>"), "guide.html")
    assert r.status == "not_a_report" and r.reason and r.cells == {}


def test_attachment_only_page_is_no_tables():
    r = extract_bytes(html('<h1>XX局2021年政府信息公开工作年度报告</h1><p>详见附件。</p>'
                           '<p><a href="/P020220115.pdf">XX局2021年政府信息公开工作年度报告.pdf</a></p>'), "a.html")
    assert r.status == "no_tables" and "attachment" in r.reason and r.cells == {}
    assert r.agency == "XX局" and r.report_year == 2021


def test_image_only_page_is_no_tables():
    r = extract_bytes(html('<h1>XX镇人民政府2022年政府信息公开工作年度报告（图片版）</h1>'
                           '<p><img src="1.jpg"></p><p><img src="2.jpg"></p>'), "img.html")
    assert r.status == "no_tables" and "image" in r.reason and r.cells == {}


def test_pre_2019_report_is_legacy():
    body = "<h1>XX县财政局2017年政府信息公开工作年度报告</h1>" + "<p>2017年，我局主动公开政府信息120条，受理依申请公开3件。</p>" * 5
    r = extract_bytes(html(body), "old.html")
    assert r.status == "legacy_format" and "2017" in r.reason and r.cells == {}


def test_free_text_report_is_legacy():
    body = "<h1>XX县财政局2020年政府信息公开工作年度报告</h1>" + "<p>2020年，我局主动公开政府信息120条，全年未收到申请。</p>" * 30
    r = extract_bytes(html(body), "free.html")
    assert r.status == "legacy_format" and r.cells == {}


def test_empty_files_are_unreadable_and_unknown_bytes_unsupported():
    assert extract_bytes(b"", "e").status == "unreadable"
    r = extract_bytes(b"\x00\x01\x02\x03garbage" * 100, "b")
    assert r.status == "unsupported" and "binary" in r.reason


def test_list_of_reports_is_not_a_report():
    links = "".join(f'<li><a href="/{i}.html">XX县第{i}局2021年政府信息公开工作年度报告</a></li>' for i in range(6))
    r = extract_bytes(html(f"<h2>2021年度政府信息公开工作年度报告</h2><ul>{links}</ul>"), "list.html")
    assert r.status == "not_a_report" and "list" in r.reason
