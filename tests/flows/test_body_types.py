"""No body is ever dropped because of its type (issue 8 item 3): one body of each kind the sniffer names is
fetched through a real `scrapy crawl` of a site on 127.0.0.1, extracted by the flows' extract stage and loaded into
a real DuckDB warehouse, where each is a row of `documents` with a status (read, or `unsupported` /
`unreadable` with a reason). No Prefect: the stages are called the way the flows call them."""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import duckdb
import pytest

from core.layout import published_path
from core.sniff import KINDS, OLE_MAGIC, sniff
from crawlers.run import crawl
from flows.extract_stage import documents_of_run, extract_many, write_results
from warehouse.load import load_run

from tests.crawlers.minisite import MiniSite, Reply, html, sources_for

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow, pytest.mark.portal]

ROOT = Path(__file__).resolve().parents[2]
TITLE = "示例县财政局2023年政府信息公开工作年度报告"


def _zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, b in names.items():
            z.writestr(n, b)
    return buf.getvalue()


def _ppt() -> bytes:
    """An OLE file whose main stream is named as PowerPoint's (a Word file with its directory entry renamed:
    the sniffer and the readers go by that name)."""
    data = bytearray((ROOT / "tests/golden/files/13_doc-2021.doc").read_bytes())
    i = data.find("WordDocument".encode("utf-16le") + b"\x00\x00")
    name = "PowerPoint Document".encode("utf-16le") + b"\x00\x00"
    data[i:i + 64] = name.ljust(64, b"\x00")
    data[i + 64:i + 66] = struct.pack("<H", len(name))
    return bytes(data)


def samples() -> dict[str, tuple[str, bytes]]:
    """kind -> (file name as linked, bytes). The .doc that is really RTF is its own entry."""
    files = ROOT / "demoportal" / "files"
    golden = ROOT / "tests" / "golden" / "files"
    return {
        "pdf": ("a.pdf", (files / "trs-czj-2021.pdf").read_bytes()),
        "docx": ("a.docx", (files / "hw-wjj-2022.docx").read_bytes()),
        "doc": ("a.doc", (files / "ah-nyj-2022.doc").read_bytes()),
        "wps": ("a.wps", (golden / "15_wps-2021.wps").read_bytes()),
        "xls": ("a.xls", (files / "city-tjj-2020.xls").read_bytes()),
        "xlsx": ("a.xlsx", (files / "hn-wgl-2022.xlsx").read_bytes()),
        "ofd": ("a.ofd", _zip({"OFD.xml": b"<ofd:OFD/>"})),
        "odt": ("a.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.text"})),
        "ods": ("a.ods", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),
        "rtf": ("a.rtf", b"{\\rtf1\\ansi\\deff0 " + TITLE.encode("gbk").hex().encode() + b"}"),
        "rtf-as-doc": ("b.doc", b"{\\rtf1\\ansi\\deff0 {\\fonttbl{\\f0 SimSun;}} hello}"),
        "ppt": ("a.ppt", _ppt()),
        "ole": ("a.et", OLE_MAGIC + b"\x00" * 1024),
        "zip": ("a.zip", _zip({"a.txt": b"x"})),
        "image": ("a.jpg", (golden / next(p.name for p in golden.iterdir() if p.suffix == ".jpg")).read_bytes()),
        "text": ("a.txt", "一、总体情况\n本机关2023年共收到申请3件。\n".encode("utf-8")),
        "mht": ("a.mht", b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\n"
                         b"Content-Type: text/html; charset=\"utf-8\"\r\n\r\n<html><body>x</body></html>\r\n--b--\r\n"),
        "empty": ("empty.pdf", b""),
        "binary": ("a.dat", b"\x00\x01\x02\x03\xfe\xff" * 200),
    }


def test_every_kind_of_body_lands_in_documents_with_a_status(tmp_path):
    files = samples()
    links = "".join(f'<p><a href="/files/{name}">附件{i + 1}</a></p>' for i, (name, _) in enumerate(files.values()))
    routes = {
        "/nb/index.html": html(f'<ul class="list"><li><a href="/nb/t1.html">{TITLE}</a><span>2024-01-20</span></li></ul>'),
        "/nb/t1.html": html(f'<h1>{TITLE}</h1><div id="zoom"><p>详见附件。</p>{links}</div>'),
    }
    for name, data in files.values():
        routes[f"/files/{name}"] = Reply(200, data, {"Content-Type": "application/octet-stream"})
    data_dir = tmp_path / "data"
    with MiniSite(routes) as site:
        src = sources_for(tmp_path / "s.yaml", [{"id": "types", "name": "类型", "url": site.url("/"),
                                                 "column_url": site.url("/nb/index.html")}])
        summary = crawl(src, data_dir, run_id="types")
    assert summary.returncode == 0
    refs = documents_of_run(summary.run_dir)
    results = extract_many(str(data_dir), [(r.sha256, r.url) for r in refs])
    write_results(summary.run_dir / "extracted.jsonl", results)
    load_run(data_dir, summary.run_dir, summary.run_dir / "extracted.jsonl")

    with duckdb.connect(str(published_path(data_dir)), read_only=True) as con:
        docs = {url: (dtype, status, reason) for url, dtype, status, reason in con.execute(
            "SELECT url, detected_type, status, reason FROM documents WHERE role IN ('report', 'attachment')").fetchall()}
    kinds_seen = set()
    for kind, (name, data) in files.items():
        url = site.url(f"/files/{name}")
        assert url in docs, (kind, url)
        dtype, status, reason = docs[url]
        assert dtype == sniff(data), (kind, dtype)
        assert status, (kind, url)
        if status != "ok":
            assert reason, (kind, status)
        kinds_seen.add(dtype)
    assert docs[site.url("/files/b.doc")][0] == "rtf"  # a .doc whose bytes are RTF is kept as what it is
    assert docs[site.url("/nb/t1.html")][1]  # the report page itself
    # every kind the sniffer can name is covered here except html (the page above)
    assert set(KINDS) - kinds_seen <= {"html"}, set(KINDS) - kinds_seen
