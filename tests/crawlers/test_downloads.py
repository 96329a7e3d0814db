"""Download endpoints that name the file only in Content-Disposition (issue 8 item 2), through a real crawl of a
site on 127.0.0.1: the body is stored content-addressed, the decoded name is recorded, and a hostile name never
becomes a path."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from core.records import ManifestRow, disposition_filename, read_manifest
from crawlers.run import crawl

from tests.crawlers.minisite import MiniSite, Reply, html, sources_for

pytestmark = [pytest.mark.timeout(180), pytest.mark.portal]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "示例县财政局2023年政府信息公开工作年度报告"


@pytest.mark.slow
def test_content_disposition_names(tmp_path):
    routes = {
        "/nb/index.html": html(f'<ul class="list"><li><a href="/nb/t1.html">{TITLE}</a><span>2024-01-20</span></li></ul>'),
        "/nb/t1.html": html(f'<h1>{TITLE}</h1><div id="zoom"><p>附件：<a href="/download.jsp?fileid=1">附件1</a> '
                            '<a href="/download.jsp?fileid=2">点击下载</a> <a href="/download.jsp?fileid=3">附件3</a></p></div>'),
        "/download.jsp?fileid=1": Reply(200, PDF, {"Content-Type": "application/octet-stream", "Content-Disposition":
                                                   f'attachment; filename="{quote(f"{TITLE}.pdf".encode("gbk"))}"'}),
        "/download.jsp?fileid=2": Reply(200, PDF + b"2", {"Content-Type": "application/octet-stream",
                                                          "Content-Disposition": "attachment; filename*=UTF-8''"
                                                          + quote("统计表（附件2）.pdf")}),
        "/download.jsp?fileid=3": Reply(200, PDF + b"3", {"Content-Type": "application/pdf", "Content-Disposition":
                                                          'attachment; filename="../../../../evil_nianbao.pdf"; '
                                                          "filename*=UTF-8''..%2F..%2Fevil_nianbao2.pdf"}),
    }
    with MiniSite(routes) as site:
        src = sources_for(tmp_path / "s.yaml", [{"id": "cd", "name": "CD", "url": site.url("/"),
                                                 "column_url": site.url("/nb/index.html")}])
        summary = crawl(src, tmp_path / "data", run_id="cd")
    assert summary.returncode == 0
    rows = {r.url: r for r in read_manifest(summary.run_dir)}
    one, two, three = (rows[site.url(f"/download.jsp?fileid={i}")] for i in (1, 2, 3))
    assert one.state == "ok" and one.detected_type == "pdf" and one.filename == f"{TITLE}.pdf"
    assert two.filename == "统计表（附件2）.pdf"
    assert three.filename == "evil_nianbao2.pdf"
    stored = (tmp_path / "data" / "raw" / three.sha256[:2] / three.sha256).read_bytes()
    assert stored == PDF + b"3"
    made = [p for p in Path(tmp_path).rglob("*") if "evil" in p.name] + [p for p in Path("/tmp").glob("evil_nianbao*")]
    assert made == []


@pytest.mark.parametrize("value,name", [
    ("attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf", "年报.pdf"),
    ('attachment; filename="%C4%EA%B1%A8.pdf"', "年报.pdf"),  # GBK, percent-encoded
    ('attachment; filename="' + "年报.pdf".encode("gbk").decode("latin-1") + '"', "年报.pdf"),  # raw GBK bytes
    ('attachment; filename="' + "年报.pdf".encode("utf-8").decode("latin-1") + '"', "年报.pdf"),  # raw UTF-8 bytes
    ("attachment; filename*=GBK''%C4%EA%B1%A8.xls", "年报.xls"),
    ('attachment; filename="a.pdf"; filename*=UTF-8\'\'b.pdf', "b.pdf"),  # filename* wins
    ('attachment; filename="C:\\\\Windows\\\\x.doc"', "x.doc"),
    ('attachment; filename="..\x00.pdf"', "pdf"),  # control characters and leading dots go
    ('attachment; filename=".."', None),
    ("inline", None),
])
def test_disposition_filename(value, name):
    assert disposition_filename(value) == name


def test_manifest_row_filename_reads_the_header():
    row = ManifestRow(run_id="r", portal_id="p", url="http://h/d?id=1", role="attachment", state="ok",
                      headers={"content-disposition": "attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf"})
    assert row.filename == "年报.pdf"
