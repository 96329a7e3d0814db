#!/usr/bin/env python
"""Build the golden corpus of non-HTML documents (tests/golden/files/) from truth values.

Usage: python tests/golden/build_files.py [--out DIR] [--only NAME_SUBSTRING]

Every document is NN_short-name.EXT with NN_short-name.truth.json next to it, in the seed truth format
(shared/fixtures/seeds/) plus "status" (and "reason" for negative files), "layout" (the file format:
docx, pdf, doc, wps, xls, xlsx, image) and "variants" (what is special about the file).

How the files are made (needs python-docx, openpyxl, pypdfium2, Pillow and LibreOffice `soffice`):
- truths come from demoportal.reports.random_truth / make_document (the same values, labels and
  printed value variants as the HTML corpus: "/", "—", "24850元", "+3", full-width digits, ...);
- DOCX are written with python-docx, tables on the official grid with merged cells (gridSpan/vMerge),
  then post-processed for the special cases (w:sdt wrappers, strict namespaces, a text box, WPS app.xml);
- PDF, DOC are converted from those DOCX by LibreOffice headless (writer_pdf_Export, "MS Word 97");
  the PDFs carry running headers and page-number footers ("— 3 —", "第 3 页 共 7 页", "3");
- WPS: a Kingsoft WPS Writer file is an OLE Word binary (the same format as DOC) whose document summary
  carries WPS's "KSOProductBuildVer" custom property.  Ours is LibreOffice's "MS Word 97" output of a DOCX
  that has that custom property (docProps/custom.xml), saved under a .wps name;
- XLSX are written with openpyxl (merged cells); XLS are LibreOffice's "MS Excel 97" conversion of them;
- negative files: an image-only PDF (the pages of a generated PDF rendered with pdfium and saved by
  Pillow), a PNG and a JPEG of a table page, a PDF with an open password, a PDF and a DOCX cut short.
The corpus tests the readers and the parser; it is not built from or tuned to extract/.
LibreOffice output is not byte-reproducible (dates, ids), the values are.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demoportal import reports as R  # noqa: E402
from tests.golden.expected_verified import document_text, expected_verified  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "files"

# HTML-corpus variants that change labels and values (see demoportal/reports.py VARIANTS)
BR, TYPO, CUTS, HALF, VAL = "br_in_headers", "label_typos", "header_cuts", "halfwidth", "value_styles"

# (number, short name, layout, template, report year, agency, label/value variants, options)
DOCS: list[tuple] = [
    (1, "docx-2021-merged", "docx", "2021", 2021, "达州市通川区市场监督管理局", [BR, VAL], {}),
    (2, "docx-2019-merged", "docx", "2019", 2020, "同江市农业农村局", [VAL], {}),
    (3, "docx-2021-split-apply", "docx", "2021", 2022, "杭州市西湖区民政局", [TYPO], {"split_apply": True}),
    (4, "docx-2021-multipara", "docx", "2021", 2021, "佛山市南海区人力资源和社会保障局", [BR, HALF],
     {"multipara": True}),
    (5, "docx-2021-wps-sdt-textbox", "docx", "2021", 2022, "泉州市丰泽区城市管理局", [VAL],
     {"wps": True, "strict": True}),
    (6, "docx-2021-layout-nested", "docx", "2021", 2021, "朝阳县人民政府", [BR], {"nested": True}),
    (7, "docx-2021-other-single-row-flat", "docx", "2021", 2023, "武义县桃溪镇人民政府", [CUTS],
     {"other_single_row": True, "spans": False}),
    (8, "pdf-2021-grid-header-footer", "pdf", "2021", 2021, "哈尔滨市南岗区卫生健康局", [BR, VAL],
     {"header": True, "footer": "dash", "repeat_header": True, "push": 9}),
    (9, "pdf-2019-grid-page-of", "pdf", "2019", 2019, "合肥市蜀山区教育局", [VAL], {"footer": "pageof"}),
    (10, "pdf-2021-page-number-interleaved", "pdf", "2021", 2022, "韶关市乳源瑶族自治县交通运输局", [TYPO],
     {"footer": "plain", "header": True, "big_tables": True, "title_meta": True, "push": 5}),
    (11, "pdf-2021-borderless", "pdf", "2021", 2021, "佳木斯市前进区司法局", [],
     {"borders": False, "footer": "dash"}),
    (12, "pdf-2021-permissions-only", "pdf", "2021", 2022, "广州市天河区科技工业和信息化局", [VAL],
     {"footer": "dash", "restrict": True}),
    (13, "doc-2021", "doc", "2021", 2021, "金华市金东区财政局", [BR, VAL], {}),
    (14, "doc-2019-multipara", "doc", "2019", 2020, "同江市水务局", [VAL], {"multipara": True}),
    (15, "wps-2021", "wps", "2021", 2022, "达州市通川区应急管理局", [VAL], {"wps": True}),
    (16, "xlsx-2021-merged", "xlsx", "2021", 2021, "朝阳市双塔区统计局", [VAL], {}),
    (17, "xlsx-2019-sheets", "xlsx", "2019", 2019, "杭州市西湖区审计局", [VAL], {"per_sheet": True}),
    (18, "xls-2021", "xls", "2021", 2022, "泉州市丰泽区退役军人事务局", [VAL], {}),
    (19, "xls-2019-sheets", "xls", "2019", 2020, "佛山市南海区文化广电旅游体育局", [], {"per_sheet": True}),
    # rows may break across pages: the page break cuts the apply row "2.重复申请" in two (label on one
    # page, its values on the next); push places the cut (LibreOffice 7.x layout)
    (26, "pdf-2021-row-split-across-pages", "pdf", "2021", 2021, "宜宾市翠屏区住房和城乡建设局", [],
     {"footer": "dash", "row_split": True, "multipara": True, "big_tables": True, "push": 1}),
    # table rules drawn as thin filled rectangles, as Word's and WPS's PDF export draw them
    (27, "pdf-2019-rules-as-filled-rects", "pdf", "2019", 2020, "宜宾市翠屏区自然资源局", [BR, VAL],
     {"footer": "pageof", "header": True, "rules_as_rects": True}),
]

# (number, short name, kind, source doc number, status, reason)
NEGATIVES: list[tuple] = [
    (20, "pdf-scanned", "scan_pdf", 8, "no_tables", "scanned"),
    (21, "png-table", "png", 9, "no_tables", "scanned"),
    (22, "jpg-table", "jpg", 10, "no_tables", "scanned"),
    (23, "pdf-encrypted", "encrypted_pdf", 12, "unreadable", "encrypted"),
    (24, "pdf-truncated", "truncated_pdf", 9, "unreadable", "truncated"),
    (25, "docx-truncated", "truncated_docx", 1, "unreadable", "truncated"),
]

SECTIONS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")


# ------------------------------------------------------------------------------------------------------------
# Truth and a format-neutral document model
# ------------------------------------------------------------------------------------------------------------

def make_truth(num: int, layout: str, template: str, year: int, agency: str, variants: list[str], opts: dict):
    seed = 5000 + num
    truth = R.random_truth(template, year, agency, seed, zero_share=0.12,
                           other_single_row=bool(opts.get("other_single_row")))
    v = {name: False for name in R.VARIANTS}
    v["rowspan_colspan"] = opts.get("spans", True)
    for name in variants:
        v[name] = True
    kw = {k: val for k, val in v.items() if val}
    _, t = R.make_document(truth, style="bare", seed=seed, **kw)
    t.pop("style", None)
    return t, v, seed


class Cell:
    """A table cell of the document model (text, rowspan, colspan, kind)."""

    def __init__(self, text: str, rs: int = 1, cs: int = 1, kind: str = "label"):
        self.text, self.rs, self.cs, self.kind = text, rs, cs, kind


def _convert_rows(rows) -> list[list[Cell]]:
    out = []
    for row in rows:
        out.append([Cell("" if c.text == "&nbsp;" else c.text, c.rs, c.cs, c.kind) for c in row])
    return out


def build_model(t: dict, v: dict, seed: int) -> dict:
    """Title, narrative, tables and signature of one report, from an adjusted truth."""
    rng = R._rng("page", seed, "files", t.get("agency"), t.get("report_year"))
    o = R._Opts(v, "bare", t["template"], R._rng("opts", seed, "files"))
    o.active_merged = True
    fmt = R._Fmt(t, seed, v["value_styles"])
    agency = t["agency"]
    t1, t2 = R.report_title(agency, t["report_year"], 0)
    site, _ = R._site_name(t)
    contact = R._contact(rng, False)
    text = R._narrative(t, o, rng, site, contact)
    active = [_convert_rows(x) for x in R._active_rows(t, o, fmt)]
    apply_rows = _convert_rows(R._apply_rows(t, o, fmt))
    review_rows = _convert_rows(R._review_rows(t, o, fmt))
    return {
        "title": t1 + t2, "intro": text["0"], "s1": text["1"], "s5": text["5"], "s6": text["6"],
        "active": active, "apply": apply_rows, "review": review_rows, "spans": o.spans,
        "signer": agency, "date": R._cn_date(t["published"]) if t.get("published") else None,
    }


def grid(rows: list[list[Cell]]) -> tuple[int, list[tuple[int, int, Cell]]]:
    """Place cells on the grid: (width, [(row, col, cell)])."""
    occ: set[tuple[int, int]] = set()
    placed = []
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in occ:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    occ.add((r + dr, c + dc))
            c += cell.cs
            width = max(width, c)
    return width, placed


def widen(rows: list[list[Cell]], width: int) -> list[list[Cell]]:
    w, placed = grid(rows)
    if w >= width:
        return rows
    for r, c, cell in placed:
        if c + cell.cs == w:
            cell.cs += width - w
    return rows


def split_rows(rows: list[list[Cell]], k: int) -> tuple[list[list[Cell]], list[list[Cell]]]:
    """Split a table before row k; cells spanning the cut continue as blank cells in the second part."""
    _, placed = grid(rows)
    first: list[list[Cell]] = [[] for _ in range(k)]
    second: list[list[tuple[int, Cell]]] = [[] for _ in range(len(rows) - k)]
    for r, c, cell in placed:
        if r < k:
            if r + cell.rs > k:
                second[0].append((c, Cell("", r + cell.rs - k, cell.cs, "pad")))
                first[r].append(Cell(cell.text, k - r, cell.cs, cell.kind))
            else:
                first[r].append(cell)
        else:
            second[r - k].append((c, cell))
    return first, [[cell for _, cell in sorted(row, key=lambda x: x[0])] for row in second]


# ------------------------------------------------------------------------------------------------------------
# DOCX
# ------------------------------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _set_font(run, size_pt: float, east_asia: str = "宋体", bold: bool = False):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size_pt)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), "Times New Roman")
    fonts.set(qn("w:hAnsi"), "Times New Roman")


def _para(container, text: str, size: float = 12, bold: bool = False, align=None, indent: bool = True,
          font: str = "仿宋"):
    from docx.shared import Pt

    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.space_after = Pt(2)
    run = p.add_run(text)
    _set_font(run, size, font, bold)
    return p


def _write_cell(tc, text: str, size: float, multipara: bool, kind: str):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for extra in tc.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    p = tc.paragraphs[0]
    for r in list(p.runs):
        r._element.getparent().remove(r._element)
    parts = text.split("\n") if multipara else [text]
    if multipara and len(parts) == 1 and kind == "label" and len(text) >= 10:
        cut = len(text) // 2
        parts = [text[:cut], text[cut:]]
    if multipara and kind == "value" and text:
        parts = ["", text]  # an empty paragraph before the number (as Word leaves it)
    for i, part in enumerate(parts):
        para = p if i == 0 else tc.add_paragraph()
        if kind in ("value", "head", "title"):
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(part)  # "\n" becomes <w:br/>
        _set_font(run, size, "宋体", bold=kind == "title")


def _add_table(container, rows: list[list[Cell]], widths_cm: list[float], size: float, opts: dict,
               header_rows: int = 0):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    width, placed = grid(rows)
    table = container.add_table(rows=len(rows), cols=width)
    if opts.get("borders", True):
        table.style = "Table Grid"
    table.autofit = False
    if len(widths_cm) < width:
        widths_cm = widths_cm + [widths_cm[-1]] * (width - len(widths_cm))
    for col, w in zip(table.columns, widths_cm):
        col.width = Cm(w)
        for c in col.cells:
            c.width = Cm(w)
    for r, c, cell in placed:
        tc = table.cell(r, c)
        if cell.rs > 1 or cell.cs > 1:
            tc = tc.merge(table.cell(r + cell.rs - 1, c + cell.cs - 1))
        _write_cell(tc, cell.text, size, bool(opts.get("multipara")), cell.kind)
    for i in range(min(header_rows, len(rows))):
        trpr = table.rows[i]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)
    # keep rows whole on a page (unless the document is about rows cut by a page break)
    for row in table.rows if not opts.get("row_split") else ():
        trpr = row._tr.get_or_add_trPr()
        el = OxmlElement("w:cantSplit")
        trpr.append(el)
    return table


def _field_run(paragraph, instr: str, size: float):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _footer(section, kind: str, size: float = 10.5):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if kind == "dash":
        _set_font(p.add_run("— "), size)
        _field_run(p, "PAGE", size)
        _set_font(p.add_run(" —"), size)
    elif kind == "pageof":
        _set_font(p.add_run("第 "), size)
        _field_run(p, "PAGE", size)
        _set_font(p.add_run(" 页 共 "), size)
        _field_run(p, "NUMPAGES", size)
        _set_font(p.add_run(" 页"), size)
    else:
        _field_run(p, "PAGE", size)


_EXTRA = (
    "坚持把政务公开作为建设法治政府、服务型政府的重要抓手，围绕中心工作和群众关切，持续深化决策、执行、管理、服务、结果公开，"
    "不断提升政务公开的标准化、规范化水平，切实保障人民群众的知情权、参与权、表达权和监督权。",
    "进一步规范政策解读工作，坚持政策文件与解读材料同步组织、同步审签、同步部署，综合运用图片图表、音频视频、新闻发布等多种形式，"
    "提高政策解读的针对性和可读性。",
    "加强公众参与，对涉及群众切身利益的重要政策，通过座谈会、网上征集意见等方式广泛听取社会各方面意见建议，并及时反馈意见采纳情况。",
    "落实政府信息公开保密审查制度，明确审查程序和责任，确保公开内容合法合规、准确无误，防止泄露国家秘密、工作秘密和个人隐私。",
)


def render_docx(model: dict, t: dict, opts: dict) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.6)
    sec.top_margin, sec.bottom_margin = Cm(3.0), Cm(2.6)
    if opts.get("header"):
        hp = sec.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(hp.add_run(model["title"]), 9)
    if opts.get("footer"):
        _footer(sec, opts["footer"])
    if opts.get("title_meta"):
        d.core_properties.title = model["title"]
    else:
        d.core_properties.title = ""
    d.core_properties.author = "Administrator"
    big = opts.get("big_tables")
    tsize = 10.5 if big else 9
    body = d
    if opts.get("nested"):
        _para(d, model["title"], 18, True, WD_ALIGN_PARAGRAPH.CENTER, False, "黑体")
        outer = d.add_table(rows=1, cols=1)
        outer.style = "Table Grid"
        body = outer.cell(0, 0)
        body.paragraphs[0].text = ""
    else:
        _para(d, model["title"], 18, True, WD_ALIGN_PARAGRAPH.CENTER, False, "黑体")
    for x in model["intro"]:
        _para(body, x)
    _para(body, SECTIONS[0], 12, True, font="黑体")
    for i, x in enumerate(model["s1"]):
        _para(body, x, 12, i % 2 == 0, font="楷体" if i % 2 == 0 else "仿宋")
    for i in range(opts.get("push", 0)):  # more prose, so that the apply table breaks across pages
        _para(body, _EXTRA[i % len(_EXTRA)])
    _para(body, SECTIONS[1], 12, True, font="黑体")
    active: list[list[Cell]] = []
    for sub in model["active"]:
        active += widen(sub, 4)
    aw = [4.6, 3.8, 3.8, 3.6] if not opts.get("nested") else [4.0, 3.4, 3.4, 3.4]
    _add_table(body, active, aw, tsize, opts)
    _para(body, SECTIONS[2], 12, True, font="黑体")
    apply_rows = model["apply"]
    ncols, _ = grid(apply_rows)
    if ncols == 10:
        widths = [1.2, 1.9, 4.0] + [1.25] * 7
    elif ncols == 8:
        widths = [5.0] + [1.4] * 7
    else:
        widths = [15.8 / ncols] * ncols
    if opts.get("nested"):
        widths = [w * 0.92 for w in widths]
    hdr = 3 if opts.get("repeat_header") else 0
    if opts.get("split_apply"):
        k = next(i for i, row in enumerate(apply_rows) if any("第三方" in c.text for c in row)) + 1
        first, second = split_rows(apply_rows, k)
        _add_table(body, first, widths, tsize, opts, hdr)
        body.add_paragraph()  # an empty paragraph keeps Word from joining the two tables
        _add_table(body, second, widths, tsize, opts)
    else:
        _add_table(body, apply_rows, widths, tsize, opts, hdr)
    _para(body, SECTIONS[3], 12, True, font="黑体")
    review = model["review"]
    rw, _ = grid(review)
    _add_table(body, review, [15.8 / rw] * rw, 8 if not big else 9, opts, 3 if opts.get("repeat_header") else 0)
    _para(body, SECTIONS[4], 12, True, font="黑体")
    for x in model["s5"]:
        _para(body, x)
    _para(body, SECTIONS[5], 12, True, font="黑体")
    for x in model["s6"]:
        _para(body, x)
    if not opts.get("wps_textbox_signature"):
        _para(body, model["signer"], 12, False, WD_ALIGN_PARAGRAPH.RIGHT, False)
        if model["date"]:
            _para(body, model["date"], 12, False, WD_ALIGN_PARAGRAPH.RIGHT, False)
    buf = io.BytesIO()
    d.save(buf)
    data = buf.getvalue()
    if opts.get("wps"):
        data = wps_flavour(data, model, strict=bool(opts.get("strict")),
                           textbox=bool(opts.get("wps_textbox_signature")))
    return data


_TEXTBOX = """<w:p xmlns:w="{w}"><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
 xmlns:v="urn:schemas-microsoft-com:vml"><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0"
 distR="0" simplePos="0" relativeHeight="2" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>
<wp:positionH relativeFrom="column"><wp:posOffset>3600000</wp:posOffset></wp:positionH><wp:positionV relativeFrom="paragraph">
<wp:posOffset>0</wp:posOffset></wp:positionV><wp:extent cx="2400000" cy="700000"/><wp:wrapNone/><wp:docPr id="99" name="文本框 99"/>
<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1"/>
<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2400000" cy="700000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>
<wps:txbx><w:txbxContent>{content}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor>
</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape id="文本框 99" style="position:absolute;width:189pt;height:55pt"><v:textbox>
<w:txbxContent>{content}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"""


def wps_flavour(data: bytes, model: dict, strict: bool, textbox: bool) -> bytes:
    """Make a python-docx file look like WPS wrote it: tables inside w:sdt, a text box, WPS app/custom
    properties, and optionally the strict OOXML namespace for the main document part."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    zout = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
    custom = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/'
              'officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
              'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer">'
              '<vt:lpwstr>2052-11.1.0.11365</vt:lpwstr></property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" '
              'pid="3" name="ICV"><vt:lpwstr>5E3A7D4C1B2F4A8C9D0E1F2A3B4C5D6E</vt:lpwstr></property></Properties>')
    for info in zin.infolist():
        raw = zin.read(info)
        if info.filename == "word/document.xml":
            s = raw.decode("utf-8")
            counter = iter(range(100, 10_000))
            s = re.sub(r"<w:tbl>.*?</w:tbl>",
                       lambda m: (f'<w:sdt><w:sdtPr><w:id w:val="{next(counter)}"/></w:sdtPr><w:sdtContent>'
                                  f'{m.group(0)}</w:sdtContent></w:sdt>'), s, flags=re.S)
            if textbox:
                content = "".join(f'<w:p><w:pPr><w:jc w:val="right"/></w:pPr><w:r><w:t>{x}</w:t></w:r></w:p>'
                                  for x in (model["signer"], model["date"]) if x)
                box = _TEXTBOX.format(w=W_NS, content=content).replace("\n", "")
                s = s.replace("<w:sectPr", box.replace(f' xmlns:w="{W_NS}"', "") + "<w:sectPr", 1)
            if strict:
                s = s.replace(W_NS, "http://purl.oclc.org/ooxml/wordprocessingml/main")
            raw = s.encode("utf-8")
        elif info.filename == "docProps/app.xml":
            raw = re.sub(rb"<Application>.*?</Application>", b"<Application>WPS Office_11.1.0.11365_F1E327BC-269C-435d-A152-05C5408002CA</Application>", raw)
        elif info.filename == "[Content_Types].xml":
            raw = raw.replace(b"</Types>", b'<Override PartName="/docProps/custom.xml" ContentType="application/'
                              b'vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
        elif info.filename == "_rels/.rels":
            raw = raw.replace(b"</Relationships>", b'<Relationship Id="rIdKSO" Type="http://schemas.openxmlformats.org/'
                              b'officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
                              b"</Relationships>")
        zout.writestr(info, raw)
    zout.writestr("docProps/custom.xml", custom)
    zout.close()
    return out.getvalue()


# ------------------------------------------------------------------------------------------------------------
# XLSX
# ------------------------------------------------------------------------------------------------------------

def _xl_value(text: str):
    if re.fullmatch(r"-?\d{1,12}", text):
        return int(text)
    if re.fullmatch(r"-?\d{1,12}\.\d{1,6}", text):
        return float(text)
    return text


def render_xlsx(model: dict, t: dict, opts: dict) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = openpyxl.Workbook()
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    def put_rows(ws, start: int, rows: list[list[Cell]]) -> int:
        width, placed = grid(rows)
        for r, c, cell in placed:
            ws.cell(row=start + r, column=c + 1, value=_xl_value(cell.text) if cell.text else None)
            ws.cell(row=start + r, column=c + 1).alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            if cell.rs > 1 or cell.cs > 1:
                ws.merge_cells(start_row=start + r, start_column=c + 1, end_row=start + r + cell.rs - 1,
                               end_column=c + cell.cs)
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    ws.cell(row=start + r + dr, column=c + 1 + dc).border = border
        return start + len(rows)

    def put_line(ws, row: int, text: str, width: int, bold: bool = False) -> int:
        ws.cell(row=row, column=1, value=text).font = Font(bold=bold, size=14 if bold else 11)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        return row + 1

    active: list[list[Cell]] = []
    for sub in model["active"]:
        active += widen(sub, 4)
    if opts.get("per_sheet"):
        ws = wb.active
        ws.title = "主动公开"
        r = put_line(ws, 1, model["title"], 4, True)
        r = put_line(ws, r, SECTIONS[1], 4)
        put_rows(ws, r, active)
        ws2 = wb.create_sheet("依申请公开")
        r = put_line(ws2, 1, SECTIONS[2], 10)
        put_rows(ws2, r, model["apply"])
        ws3 = wb.create_sheet("复议诉讼")
        r = put_line(ws3, 1, SECTIONS[3], 15)
        r = put_rows(ws3, r, model["review"]) + 1
        r = put_line(ws3, r, model["signer"], 6)
        if model["date"]:
            put_line(ws3, r, model["date"], 6)
        wb.create_sheet("Sheet4")  # an empty sheet, as templates leave them
    else:
        ws = wb.active
        ws.title = "年报"
        r = put_line(ws, 1, model["title"], 10, True)
        r = put_line(ws, r, SECTIONS[1], 10)
        r = put_rows(ws, r, active) + 1
        r = put_line(ws, r, SECTIONS[2], 10)
        r = put_rows(ws, r, model["apply"]) + 1
        r = put_line(ws, r, SECTIONS[3], 10)
        r = put_rows(ws, r, model["review"]) + 1
        r = put_line(ws, r, model["signer"], 6)
        if model["date"]:
            put_line(ws, r, model["date"], 6)
    for ws in wb.worksheets:
        for col in "ABCDEFGHIJKLMNO":
            ws.column_dimensions[col].width = 12
    wb.properties.title = model["title"] if not opts.get("per_sheet") else None
    wb.properties.creator = "Administrator"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------------------
# LibreOffice and pictures
# ------------------------------------------------------------------------------------------------------------

class Office:
    """Runs soffice headless with one private profile for the whole build."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="nianbao-golden-")
        self.profile = os.path.join(self.tmp, "profile")
        self.soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not self.soffice:
            sys.exit("soffice not found: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui")

    def convert(self, data: bytes, src_ext: str, target: str, out_ext: str) -> bytes:
        work = tempfile.mkdtemp(dir=self.tmp)
        src = os.path.join(work, f"doc.{src_ext}")
        with open(src, "wb") as fh:
            fh.write(data)
        cmd = [self.soffice, f"-env:UserInstallation=file://{self.profile}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", work, src]
        subprocess.run(cmd, check=True, capture_output=True, timeout=300)
        with open(os.path.join(work, f"doc.{out_ext}"), "rb") as fh:
            return fh.read()

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def _pdf_filter(opts: dict) -> str:
    if opts.get("encrypt"):
        o = {"EncryptFile": {"type": "boolean", "value": "true"},
             "DocumentOpenPassword": {"type": "string", "value": "nianbao"}}
    elif opts.get("restrict"):
        o = {"RestrictPermissions": {"type": "boolean", "value": "true"},
             "PermissionPassword": {"type": "string", "value": "owner-only"},
             "Changes": {"type": "long", "value": "0"}, "EnableCopyingOfContent": {"type": "boolean", "value": "false"}}
    else:
        return "pdf:writer_pdf_Export"
    return "pdf:writer_pdf_Export:" + json.dumps(o, separators=(",", ":"))


_LO_RULE = re.compile(rb"(-?[\d.]+) (-?[\d.]+) m\n(-?[\d.]+) (-?[\d.]+) l S")


def rules_as_filled_rects(pdf: bytes, thickness: float = 0.5) -> bytes:
    """Redraw a LibreOffice PDF's table rules the way Word's and WPS's PDF export draw them: each rule a
    thin filled rectangle ("x y w h re f") instead of a stroked line ("x0 y0 m x1 y1 l S").

    The content streams are inflated, rewritten and deflated again, and the file is written anew with a
    fresh cross-reference table (LibreOffice writes one classic xref section and no object streams).
    Text objects are not touched, so the characters stay exactly as LibreOffice wrote them.
    """
    import zlib

    def restyle(m: re.Match) -> bytes:
        x0, y0, x1, y1 = (float(v) for v in m.groups())
        h = thickness / 2
        if abs(y0 - y1) < 0.01:
            box = (min(x0, x1), y0 - h, abs(x1 - x0), thickness)
        else:
            box = (x0 - h, min(y0, y1), thickness, abs(y1 - y0))
        return ("%.3f %.3f %.3f %.3f re f" % box).encode()

    objs = list(re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj\s*", pdf, re.S))
    plain_len: dict[bytes, int] = {}
    for m in objs:
        body = m.group(2).strip()
        if re.fullmatch(rb"\d+", body):
            plain_len[m.group(1)] = int(body)
    out = bytearray(pdf[: objs[0].start()])
    offsets: dict[int, int] = {}
    changed = 0
    for m in objs:
        num, body = m.group(1), m.group(2)
        sm = re.match(rb"(\s*<<)(.*?)(>>\s*stream\r?\n)", body, re.S)
        if sm and b"/FlateDecode" in sm.group(2) and b"/Subtype" not in sm.group(2) and b"/Length1" not in sm.group(2):
            lm = re.search(rb"/Length (\d+)( 0 R)?", sm.group(2))
            length = plain_len[lm.group(1)] if lm.group(2) else int(lm.group(1))
            raw = zlib.decompressobj().decompress(body[sm.end(): sm.end() + length])
            new, n = _LO_RULE.subn(restyle, raw)
            if n:
                changed += n
                packed = zlib.compress(new, 9)
                head = sm.group(2).replace(lm.group(0), b"/Length %d" % len(packed))
                body = sm.group(1) + head + sm.group(3) + packed + b"\nendstream\n"
        offsets[int(num)] = len(out)
        out += num + b" 0 obj\n" + body.strip() + b"\nendobj\n"
    if not changed:
        raise ValueError("no stroked rules found to restyle")
    trailer = re.search(rb"trailer\s*(<<.*?>>)\s*startxref", pdf, re.S).group(1)
    size = max(offsets) + 1
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[i]) if i in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def render_pages(pdf: bytes, scale: float = 1.4) -> list:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    images = [doc[i].render(scale=scale, grayscale=True).to_pil() for i in range(len(doc))]
    doc.close()
    return images


# ------------------------------------------------------------------------------------------------------------
# Build
# ------------------------------------------------------------------------------------------------------------

def _write(out: Path, stem: str, ext: str, data: bytes, truth: dict) -> None:
    name = f"{stem}.{ext}"
    (out / name).write_bytes(data)
    truth = dict(truth)
    truth["document"] = name
    truth["verified"] = expected_verified(truth, document_text(out / name, truth))
    order = ["document", "status", "template", "report_year", "agency", "published", "region", "units", "note",
             "layout", "variants", "verified", "cells"]
    if "reason" in truth:
        order.insert(2, "reason")
    ordered = {k: truth[k] for k in order if k in truth}
    (out / f"{stem}.truth.json").write_text(json.dumps(ordered, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


_VARIANT_NAMES = {
    "split_apply": "apply table split over two Word tables",
    "multipara": "cell text in several paragraphs",
    "wps": "WPS flavour (w:sdt-wrapped tables, KSOProductBuildVer, WPS app.xml)",
    "strict": "strict OOXML namespace",
    "nested": "report inside a layout table (nested tables)",
    "other_single_row": "（六）其他处理 printed as one row",
    "header": "running page header",
    "repeat_header": "table header rows repeated on each page",
    "big_tables": "larger table font (tables span pages)",
    "title_meta": "/Title metadata",
    "push": "apply table broken across pages",
    "per_sheet": "one sheet per table, plus an empty sheet",
    "restrict": "owner password (permissions only)",
    "row_split": "a table row cut in two by a page break (label on one page, values on the next)",
    "rules_as_rects": "table rules drawn as thin filled rectangles (Word/WPS PDF export style)",
}


def build(out: Path, only: str | None = None) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    office = Office()
    made: list[str] = []
    produced: dict[int, dict] = {}
    try:
        for num, short, layout, template, year, agency, variants, opts in DOCS:
            stem = f"{num:02d}_{short}"
            t, v, seed = make_truth(num, layout, template, year, agency, variants, opts)
            model = build_model(t, v, seed)
            opts = dict(opts)
            if layout == "wps":
                opts["wps"] = True
            if opts.get("wps") and layout == "docx":
                opts["wps_textbox_signature"] = True
            names = [x for x in variants]
            if opts.get("spans", True):
                names.append("merged cells (gridSpan/vMerge)" if layout not in ("xls", "xlsx") else "merged cells")
            else:
                names.append("unmerged grid (empty filler cells)")
            names += [_VARIANT_NAMES[k] for k in opts if k in _VARIANT_NAMES and opts[k]]
            if opts.get("footer"):
                names.append(f"page-number footer ({opts['footer']})")
            if opts.get("borders") is False:
                names.append("borderless tables (text positions)")
            if opts.get("wps_textbox_signature"):
                names.append("signature and date in a text box (mc:AlternateContent)")
            t["layout"] = layout
            t["status"] = "ok"
            t["variants"] = names
            t["note"] = (t.get("note") or "") + f" Layout {layout}, built by tests/golden/build_files.py."
            if layout in ("docx", "pdf", "doc", "wps"):
                docx_bytes = render_docx(model, t, opts)
                produced[num] = {"docx": docx_bytes, "opts": opts, "truth": t}
                if layout == "docx":
                    data, ext = docx_bytes, "docx"
                elif layout == "pdf":
                    data, ext = office.convert(docx_bytes, "docx", _pdf_filter(opts), "pdf"), "pdf"
                    if opts.get("rules_as_rects"):
                        data = rules_as_filled_rects(data)
                    produced[num]["pdf"] = data
                elif layout == "doc":
                    data, ext = office.convert(docx_bytes, "docx", "doc:MS Word 97", "doc"), "doc"
                else:
                    data, ext = office.convert(docx_bytes, "docx", "doc:MS Word 97", "doc"), "wps"
            else:
                xlsx_bytes = render_xlsx(model, t, opts)
                if layout == "xlsx":
                    data, ext = xlsx_bytes, "xlsx"
                else:
                    data, ext = office.convert(xlsx_bytes, "xlsx", "xls:MS Excel 97", "xls"), "xls"
            if only and only not in stem:
                continue
            _write(out, stem, ext, data, t)
            made.append(f"{stem}.{ext}")
        for num, short, kind, src, status, reason in NEGATIVES:
            stem = f"{num:02d}_{short}"
            base = produced[src]
            bt = base["truth"]
            truth = {"status": status, "reason": reason, "template": None, "report_year": None, "agency": None,
                     "published": None, "region": None, "units": {}, "cells": {}, "variants": []}
            if kind == "scan_pdf":
                pages = render_pages(base["pdf"], 1.2)
                buf = io.BytesIO()
                pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=86.4)
                data, ext, lay = buf.getvalue(), "pdf", "pdf"
                truth["note"] = f"Image-only PDF: the pages of {bt['agency']}'s {bt['report_year']} report rendered as pictures."
            elif kind in ("png", "jpg"):
                pages = render_pages(base["pdf"], 1.6)
                page = next((p for p in pages[1:]), pages[0])
                buf = io.BytesIO()
                page.save(buf, "PNG" if kind == "png" else "JPEG", **({"quality": 80} if kind == "jpg" else {}))
                data, ext, lay = buf.getvalue(), kind, "image"
                truth["note"] = "A picture of a table page, as portals publish 图片版 reports."
            elif kind == "encrypted_pdf":
                data = office.convert(base["docx"], "docx", _pdf_filter({"encrypt": True}), "pdf")
                ext, lay = "pdf", "pdf"
                truth["note"] = "PDF with an open (user) password."
            elif kind == "truncated_pdf":
                full = base["pdf"]
                data, ext, lay = full[: int(len(full) * 0.55)], "pdf", "pdf"
                truth["note"] = "A PDF download cut at 55% (no %%EOF, no trailer)."
            else:
                full = base["docx"]
                data, ext, lay = full[: int(len(full) * 0.7)], "docx", "docx"
                truth["note"] = "A DOCX download cut at 70% (no central directory)."
            truth["layout"] = lay
            if only and only not in stem:
                continue
            _write(out, stem, ext, data, truth)
            made.append(f"{stem}.{ext}")
    finally:
        office.close()
    return made


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--only", default=None, help="write only documents whose name contains this")
    args = ap.parse_args(argv)
    made = build(args.out, args.only)
    print(f"{len(made)} documents written to {args.out}")
    for m in made:
        print("  " + m)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
