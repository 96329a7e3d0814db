"""Issue 10 item 5: a DOCX that stays under the zip-bomb guards but inflates to hundreds of MB is stopped
by a size limit and a time limit per document, with the right reason, in every path that reads documents:
`nianbao extract`, the extract stage's worker processes (the nightly flow) and re-extraction.

The files are real DOCX packages written here: a word/document.xml of ~280 MB of ordinary paragraphs
(compression ratio ~67, under max_zip_ratio 200; total under max_unzipped_bytes 300 MiB), ~4 MB on disk;
and one of ~30 MB of XML, under max_xml_bytes, that takes longer than a short time limit to read.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from extract.readers import docx
from extract.settings import ExtractSettings

ROOT = Path(__file__).resolve().parents[3]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PARA = ('<w:p><w:pPr><w:jc w:val="both"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="仿宋" w:eastAsia="仿宋"/>'
        '<w:sz w:val="32"/></w:rPr><w:t>本机关依法公开政府信息，第{n}条记录。</w:t></w:r></w:p>')

pytestmark = pytest.mark.slow


def make_docx(path: Path, inflated_mb: float) -> Path:
    """A valid DOCX whose document.xml inflates to about inflated_mb MB of varied paragraphs."""
    chunk = "".join(PARA.format(n=n) for n in range(20000)).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                    '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
                    'document.main+xml"/></Types>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'
                     '<w:p><w:r><w:t>某某县财政局2021年政府信息公开工作年度报告</w:t></w:r></w:p>'.encode())
            total = 0
            while total < inflated_mb * 1024 * 1024:
                fh.write(chunk)
                total += len(chunk)
            fh.write(b"</w:body></w:document>")
    return path


@pytest.fixture(scope="module")
def huge_docx(tmp_path_factory) -> Path:
    path = make_docx(tmp_path_factory.mktemp("inflate") / "huge.docx", 280)
    info = zipfile.ZipFile(path).getinfo("word/document.xml")
    s = ExtractSettings()
    # it really passes the zip-bomb guards: only the new size limit stops it
    assert info.file_size <= s.max_unzipped_bytes and info.file_size / info.compress_size < s.max_zip_ratio
    assert info.file_size > 250 * 1024 * 1024 and path.stat().st_size < 8 * 1024 * 1024
    return path


@pytest.fixture(scope="module")
def slow_docx(tmp_path_factory) -> Path:
    path = make_docx(tmp_path_factory.mktemp("slow") / "slow.docx", 30)
    assert zipfile.ZipFile(path).getinfo("word/document.xml").file_size < ExtractSettings().max_xml_bytes
    return path


def test_reader_refuses_before_inflating(huge_docx):
    doc = docx.read(huge_docx.read_bytes(), ExtractSettings())
    assert (doc.status, doc.reason) == ("unreadable", "too_large")
    assert "word/document.xml" in doc.meta["detail"] and "max_xml_bytes" in doc.meta["detail"]


def test_reader_stops_at_the_time_limit(slow_docx):
    from extract.pipeline import extract_bytes

    res = extract_bytes(slow_docx.read_bytes(), "slow.docx", settings=ExtractSettings(read_timeout=0.5))
    assert (res.status, res.reason) == ("unreadable", "timed_out")
    # with time to spare the same file reads (a long free-text document, no tables)
    res = extract_bytes(slow_docx.read_bytes(), "slow.docx", settings=ExtractSettings(read_timeout=600))
    assert res.status != "unreadable", res.reason


def _cli(path: Path, env_extra: dict[str, str] | None = None) -> tuple[dict, int]:
    """`nianbao extract --json PATH` in a child process; returns its JSON line and its peak RSS in MB.

    The peak is the child's own (VmHWM of its memory map; ru_maxrss would carry the parent's peak over exec).
    """
    code = ("import re, sys\nfrom nianbao.cli import main\nrc = main(['extract', '--json', sys.argv[1]])\n"
            "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())\n"
            "print('maxrss_kb', hwm.group(1) if hwm else 0, file=sys.stderr)\n"
            "sys.exit(rc)\n")
    env = dict(os.environ, **(env_extra or {}))
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1]
    rss = int(proc.stderr.split("maxrss_kb")[-1].split()[0]) // 1024
    return json.loads(line), rss


def test_cli_size_limit(huge_docx):
    out, rss_mb = _cli(huge_docx)
    assert (out["status"], out["reason"]) == ("unreadable", "too_large")
    if rss_mb:  # 0 where /proc is missing
        assert rss_mb < 200  # nothing of the 280 MB was inflated (the whole command peaks near 40 MB)


def test_cli_time_limit(slow_docx):
    out, _ = _cli(slow_docx, {"NIANBAO_READ_TIMEOUT": "1"})
    assert (out["status"], out["reason"]) == ("unreadable", "timed_out")


def _run_with(data_dir: Path, bodies: dict[str, bytes], results: dict[str, dict] | None = None):
    from tests.warehouse.wh_synth import RunBuilder

    b = RunBuilder(data_dir)
    b.portal("p1", "某某县人民政府", "511702")
    for url, body in bodies.items():
        b.fetch("p1", url, "report", body=body, detected_type="docx", result=(results or {}).get(url))
    return b.write()


def test_flow_workers_size_and_time_limits(tmp_path, huge_docx, slow_docx, monkeypatch):
    """The extract stage of the nightly flow: documents of a run, batches, two worker processes."""
    from flows import extract_stage

    monkeypatch.setenv("NIANBAO_READ_TIMEOUT", "1")  # the spawned workers inherit it
    urls = {"https://www.example.gov.cn/a/huge.docx": huge_docx.read_bytes(),
            "https://www.example.gov.cn/a/slow.docx": slow_docx.read_bytes()}
    run_dir, _ = _run_with(tmp_path, urls)
    refs = extract_stage.documents_of_run(run_dir)
    assert len(refs) == 2
    results = extract_stage.extract_batches(tmp_path, extract_stage.batches(refs, 1), workers=2)
    got = {r["url"]: (r["status"], r["reason"]) for r in results}
    assert got == {"https://www.example.gov.cn/a/huge.docx": ("unreadable", "too_large"),
                   "https://www.example.gov.cn/a/slow.docx": ("unreadable", "timed_out")}
    # a time limit hit is not cached (it depends on the machine's load); a size refusal is
    from core.layout import cache_path
    from extract.pipeline import EXTRACTOR_VERSION

    cached = {r.url: cache_path(tmp_path, r.sha256, EXTRACTOR_VERSION).is_file() for r in refs}
    assert cached == {"https://www.example.gov.cn/a/huge.docx": True, "https://www.example.gov.cn/a/slow.docx": False}


def test_reextract_size_limit(tmp_path, huge_docx):
    """Re-extraction of a report that an older extractor had read: the new result is too_large."""
    from flows.stages import reextract
    from tests.warehouse.wh_helpers import reader, rows
    from tests.warehouse.wh_synth import make_result
    from warehouse.load import load_run

    url = "https://www.example.gov.cn/a/huge.docx"
    old = make_result(agency="某某县财政局", seed=3, version="0.9")
    run_dir, extracted = _run_with(tmp_path, {url: huge_docx.read_bytes()}, {url: old})
    load_run(tmp_path, run_dir, extracted)
    s = reextract(tmp_path, workers=2)  # stale: extracted by version 0.9
    assert not s.skipped and s.documents_extracted == 1
    with reader(tmp_path) as con:
        assert rows(con, "SELECT status, reason FROM documents WHERE url = ?", [url]) == [("unreadable", "too_large")]
