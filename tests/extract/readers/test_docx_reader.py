"""DOCX reader: merged cells, split tables, several paragraphs per cell, WPS quirks, nested tables."""
from __future__ import annotations

import io
import zipfile

import pytest

from extract.readers import docx

from tests.extract.readers.conftest import check_apply_rows, golden, rows, squash, truth_of

DOCX = ["01_docx-2021-merged.docx", "02_docx-2019-merged.docx", "03_docx-2021-split-apply.docx",
        "04_docx-2021-multipara.docx", "05_docx-2021-wps-sdt-textbox.docx", "06_docx-2021-layout-nested.docx",
        "07_docx-2021-other-single-row-flat.docx"]


@pytest.mark.parametrize("name", DOCX)
def test_apply_rows_match_truth(name, settings):
    doc = docx.read(golden(name), settings)
    assert doc.status is None, doc.reason
    assert doc.layout == "docx_table"
    assert check_apply_rows(doc, truth_of(name)) == []


def test_merged_cells(settings):
    doc = docx.read(golden("01_docx-2021-merged.docx"), settings)
    all_rows = rows(doc)
    new = next(r for r in all_rows if "本年新收" in squash(r[0]))
    assert len(new) == 8  # gridSpan=3 label: one cell
    secret = next(r for r in all_rows if any("国家秘密" in squash(c) for c in r))
    assert secret[0] == "" and len(secret) == 10  # vMerge continuation of 三、本年度办理结果 → ""
    law = next(r for r in all_rows if any("禁止公开" in squash(c) for c in r))
    assert law[:2] == ["", ""] and len(law) == 10  # and of （三）不予公开
    review = next(r for r in all_rows if len(r) == 15 and all(c.strip() for c in r))
    assert len(review) == 15


def test_split_table_keeps_one_table_id(settings):
    doc = docx.read(golden("03_docx-2021-split-apply.docx"), settings)
    ids = {kw: next(c.table for c in doc.cells if c.table is not None and kw in squash(c.text))
           for kw in ("本年新收", "第三方", "属于三类内部事务", "结转下")}
    assert len(set(ids.values())) == 1, ids


def test_cell_paragraphs_are_joined(settings):
    doc = docx.read(golden("04_docx-2021-multipara.docx"), settings)
    new = next(r for r in rows(doc) if "本年新收" in squash(r[0]))
    assert "\n" in new[0] and squash(new[0]) == "一、本年新收政府信息公开申请数量"
    assert all(v.strip() for v in new[1:])


def test_wps_flavour(settings):
    doc = docx.read(golden("05_docx-2021-wps-sdt-textbox.docx"), settings)
    assert doc.meta["generator"].startswith("WPS Office")
    # tables inside w:sdt, strict namespace: all read
    assert any(c.table is not None for c in doc.cells)
    # the signature sits in a text box: read once (mc:Choice only)
    agency = truth_of("05_docx-2021-wps-sdt-textbox.docx")["agency"]
    assert sum(1 for c in doc.cells if c.text == agency) == 1


def test_nested_layout_table(settings):
    doc = docx.read(golden("06_docx-2021-layout-nested.docx"), settings)
    narrative = [c.text for c in doc.cells if c.table is None]
    assert "一、总体情况" in narrative  # text inside the layout cell is narrative
    assert len({c.table for c in doc.cells if c.table is not None}) >= 3


def _docx(document_xml: str, core_title: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'/>")
        zf.writestr("word/document.xml", document_xml)
        if core_title is not None:
            zf.writestr("docProps/core.xml", "<cp:coreProperties xmlns:cp='http://schemas.openxmlformats.org/package/"
                        "2006/metadata/core-properties' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
                        f"<dc:title>{core_title}</dc:title></cp:coreProperties>")
    return buf.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_hand_made_xml(settings):
    xml = (f'<w:document {W}><w:body>'
           '<w:p><w:r><w:t>标题</w:t></w:r></w:p>'
           '<w:p><w:ins><w:r><w:t>插入</w:t></w:r></w:ins><w:del><w:r><w:delText>删除</w:delText></w:r></w:del></w:p>'
           '<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>'
           '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>A</w:t></w:r></w:p></w:tc>'
           '<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>'
           '<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge/></w:tcPr><w:p/></w:tc>'
           '<w:sdt><w:sdtContent><w:tc><w:p><w:r><w:t>2</w:t></w:r><w:r><w:fldChar/><w:instrText>PAGE</w:instrText></w:r></w:p></w:tc></w:sdtContent></w:sdt></w:tr>'
           '</w:tbl></w:body></w:document>')
    doc = docx.read(_docx(xml, "某某局2021年报告"), settings)
    assert doc.title == "某某局2021年报告"
    assert [c.text for c in doc.cells if c.table is None] == ["标题", "插入"]
    assert rows(doc) == [["A", "1"], ["", "2"]]


def test_numbering_is_rendered(settings):
    numbering = (f'<w:numbering {W}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')
    para = '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>{}</w:t></w:r></w:p>'
    xml = f'<w:document {W}><w:body>' + para.format("属于国家秘密") + para.format("其他法律行政法规禁止公开") + "</w:body></w:document>"
    buf = io.BytesIO(_docx(xml))
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("word/numbering.xml", numbering)
    doc = docx.read(buf.getvalue(), settings)
    assert [c.text for c in doc.cells] == ["1.属于国家秘密", "2.其他法律行政法规禁止公开"]
