"""Write a report's truth as DOCX and XLSX documents laid out like the official template (used by build_files)."""

from __future__ import annotations

import io
from decimal import Decimal

# ---------------------------------------------------------------------------------------------- table layouts

APPLY_COLS = ["person", "business", "research", "nonprofit", "legal", "other_org", "total"]
REVIEW_GROUPS = ["reconsideration", "suit_direct", "suit_after"]
REVIEW_COLS = ["upheld", "corrected", "other", "pending", "total"]
REVIEW_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

ACTIVE_2021 = [
    ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
     [("规章", "art20_1.rules", ["issued", "repealed", "in_force"]),
      ("行政规范性文件", "art20_1.normative", ["issued", "repealed", "in_force"])]),
    ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("行政许可", "art20_5.licensing", ["decisions"])]),
    ("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
     [("行政处罚", "art20_6.penalty", ["decisions"]), ("行政强制", "art20_6.coercion", ["decisions"])]),
    ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], [("行政事业性收费", "art20_8.fees", ["amount"])]),
]

ACTIVE_2019 = [
    ("第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("规章", "art20_1.rules", ["made", "published", "total_published"]),
      ("规范性文件", "art20_1.normative", ["made", "published", "total_published"])]),
    ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政许可", "art20_5.licensing", ["prev_items", "change", "decisions"]),
      ("其他对外管理服务事项", "art20_5.other_services", ["prev_items", "change", "decisions"])]),
    ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政处罚", "art20_6.penalty", ["prev_items", "change", "decisions"]),
      ("行政强制", "art20_6.coercion", ["prev_items", "change", "decisions"])]),
    ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"],
     [("行政事业性收费", "art20_8.fees", ["prev_items", "change"])]),
    ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额"],
     [("政府集中采购", "art20_9.procurement", ["items", "amount"])]),
]

# apply rows: (level, label, key or None). level 0: spans all label columns; "g": group heading of 三;
# 1: direct child of 三 spanning cols 1-2; 2: sub-row under a group.
def apply_rows(template: str, other_single_row: bool) -> list[tuple[str, str, str | None]]:
    rows: list[tuple[str, str, str | None]] = [
        ("top", "一、本年新收政府信息公开申请数量", "new"),
        ("top", "二、上年结转政府信息公开申请数量", "carried_over"),
        ("three", "三、本年度办理结果", None),
        ("one", "（一）予以公开", "granted"),
        ("one", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partial"),
        ("group", "（三）不予公开", None),
        ("sub", "1.属于国家秘密", "denied.state_secret"),
        ("sub", "2.其他法律行政法规禁止公开", "denied.law_prohibited"),
        ("sub", "3.危及“三安全一稳定”", "denied.security_stability"),
        ("sub", "4.保护第三方合法权益", "denied.third_party"),
        ("sub", "5.属于三类内部事务信息", "denied.internal_affairs"),
        ("sub", "6.属于四类过程性信息", "denied.process_info"),
        ("sub", "7.属于行政执法案卷", "denied.enforcement_file"),
        ("sub", "8.属于行政查询事项", "denied.query_matter"),
        ("group", "（四）无法提供", None),
        ("sub", "1.本机关不掌握相关政府信息", "unable.not_held"),
        ("sub", "2.没有现成信息需要另行制作", "unable.needs_creation"),
        ("sub", "3.补正后申请内容仍不明确", "unable.unclear"),
        ("group", "（五）不予处理", None),
        ("sub", "1.信访举报投诉类申请", "rejected.petition"),
        ("sub", "2.重复申请", "rejected.duplicate"),
        ("sub", "3.要求提供公开出版物", "rejected.publication"),
        ("sub", "4.无正当理由大量反复申请", "rejected.excessive"),
        ("sub", "5.要求行政机关确认或重新出具已获取信息", "rejected.confirm"),
    ]
    if template == "2019" or other_single_row:
        rows.append(("one", "（六）其他处理", "other"))
    else:
        rows += [
            ("group", "（六）其他处理", None),
            ("sub", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other.no_correction"),
            ("sub", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other.no_fee"),
            ("sub", "3.其他", "other.other"),
        ]
    rows.append(("one", "（七）总计", "total"))
    rows.append(("top", "四、结转下年度继续办理", "carried_forward"))
    return rows


def is_other_single_row(truth: dict) -> bool:
    if truth.get("other_single_row") is not None:
        return bool(truth["other_single_row"])
    cells = truth.get("cells", {})
    return truth.get("template") == "2021" and cells.get("apply.other.total") is not None


def fmt_value(truth: dict, key: str) -> str:
    raw = (truth.get("raw") or {}).get(key)
    if raw is not None:
        return str(raw)
    v = truth.get("cells", {}).get(key)
    if v is None:
        return "/"
    if key.endswith(".change") and isinstance(v, (int, float)):
        return "+%s" % _num(v) if v > 0 else _num(v)
    s = _num(v) if isinstance(v, (int, float, Decimal)) else str(v)
    unit = (truth.get("units") or {}).get(key)
    if unit and key.endswith("procurement.amount"):
        s += unit
    return s


def _num(v) -> str:
    if isinstance(v, float):
        return format(Decimal(repr(v)).normalize(), "f")
    return str(v)


# ---------------------------------------------------------------------------------------------- text

def sections_text(truth: dict) -> dict[str, list[str]]:
    agency = truth.get("agency", "")
    year = truth.get("report_year")
    c = truth.get("cells", {})
    new_total = c.get("apply.new.total")
    recon = c.get("review.reconsideration.total")
    suits = [c.get("review.suit_direct.total"), c.get("review.suit_after.total")]
    suit_n = sum(v for v in suits if isinstance(v, int))
    p1 = (f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》"
          f"（以下简称《条例》）和上级关于政务公开工作的部署要求，围绕中心工作，持续深化主动公开，规范依申请公开办理，"
          f"加强政府信息管理和平台建设，政府信息公开工作取得新成效。")
    p2 = "（一）主动公开。通过门户网站政府信息公开专栏、政务新媒体等渠道，及时公开机构职能、政策文件、财政预决算、" \
         "重点领域信息等内容。"
    if isinstance(new_total, int):
        p3 = (f"（二）依申请公开。全年共收到政府信息公开申请{new_total}件，均在法定期限内依法答复。"
              if new_total else "（二）依申请公开。全年未收到政府信息公开申请。")
    else:
        p3 = "（二）依申请公开。严格按照《条例》规定的程序和时限办理政府信息公开申请。"
    p4 = "（三）政府信息管理。严格落实公开前保密审查制度，动态调整主动公开基本目录，规范性文件实行统一登记、统一编号、统一公开。"
    p5 = "（四）平台建设。依托全省政府网站集约化平台，优化政府信息公开专栏设置，提升栏目规范化水平。"
    p6 = "（五）监督保障。将政务公开工作纳入年度目标考核，加强业务培训，畅通社会评议和意见反馈渠道。"
    if isinstance(recon, int):
        p7 = f"全年因政府信息公开被申请行政复议{recon}件，被提起行政诉讼{suit_n}件。"
    else:
        p7 = ""
    return {
        "一、总体情况": [p1, p2, p3, p4, p5, p6] + ([p7] if p7 else []),
        "五、存在的主要问题及改进情况": [
            "一是公开内容的全面性和及时性有待加强；二是政策解读形式较为单一；三是工作人员业务能力有待提升。",
            "下一步，将进一步加强业务学习，丰富解读形式，压实工作责任，推动政务公开工作提质增效。",
        ],
        "六、其他需要报告的事项": [
            "本机关未收取信息处理费。" if truth.get("template") != "2019" else "无其他需要报告的事项。",
        ],
    }


# ---------------------------------------------------------------------------------------------- DOCX

def build_docx(truth: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "WenQuanYi Zen Hei"
    style.font.size = Pt(10.5)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "WenQuanYi Zen Hei")
    for sec in doc.sections:
        sec.left_margin = sec.right_margin = Pt(54)

    title = (truth.get("title") or f"{truth['agency']}{truth['report_year']}年政府信息公开工作年度报告").replace("（图片版）", "")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(title)
    run.bold = True
    run.font.size = Pt(16)
    intro = (f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。报告中所列数据的统计期限自"
             f"{truth['report_year']}年1月1日起至{truth['report_year']}年12月31日止。")
    doc.add_paragraph(intro)
    texts = sections_text(truth)

    def heading(t: str) -> None:
        hp = doc.add_paragraph()
        hr = hp.add_run(t)
        hr.bold = True

    heading("一、总体情况")
    for t in texts["一、总体情况"]:
        doc.add_paragraph(t)

    heading("二、主动公开政府信息情况")
    _docx_active(doc, truth)
    heading("三、收到和处理政府信息公开申请情况")
    _docx_apply(doc, truth)
    heading("四、政府信息公开行政复议、行政诉讼情况")
    _docx_review(doc, truth)
    for h in ("五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        heading(h)
        for t in texts[h]:
            doc.add_paragraph(t)
    sig = doc.add_paragraph(truth["agency"])
    sig.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if truth.get("published"):
        y, m, d = truth["published"].split("-")
        dp = doc.add_paragraph(f"{int(y)}年{int(m)}月{int(d)}日")
        dp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _set(cell, text: str, bold: bool = False, small: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cell.text = ""
    par = cell.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = par.add_run(text)
    run.bold = bold
    run.font.size = Pt(8 if small else 9)


def _docx_active(doc, truth: dict) -> None:
    layout = ACTIVE_2019 if truth.get("template") == "2019" else ACTIVE_2021
    nrows = sum(2 + len(rows) for _, _, rows in layout)
    t = doc.add_table(rows=nrows, cols=4)
    t.style = "Table Grid"
    r = 0
    for head, cols, rows in layout:
        m = t.cell(r, 0).merge(t.cell(r, 3))
        _set(m, head, bold=True)
        r += 1
        ncols = len(cols)
        for i, label in enumerate(cols):
            if i == ncols - 1 and ncols < 4:
                cell = t.cell(r, i).merge(t.cell(r, 3))
            else:
                cell = t.cell(r, i)
            _set(cell, label, bold=True)
        r += 1
        for label, prefix, keys in rows:
            _set(t.cell(r, 0), label)
            for i, k in enumerate(keys):
                if i == len(keys) - 1 and len(keys) < 3:
                    cell = t.cell(r, i + 1).merge(t.cell(r, 3))
                else:
                    cell = t.cell(r, i + 1)
                _set(cell, fmt_value(truth, f"active.{prefix}.{k}"))
            r += 1


def _apply_layout(truth: dict) -> list[tuple[str, str, str | None, str | None]]:
    """Data rows of the apply table: (level, label, key, group label); group headings become a merged column."""
    out = []
    group = None
    for level, label, key in apply_rows(truth.get("template", "2021"), is_other_single_row(truth)):
        if level == "three":
            continue
        if level == "group":
            group = label
            continue
        if level != "sub":
            group = None
        out.append((level, label, key, group))
    return out


def _docx_apply(doc, truth: dict) -> None:
    rows = _apply_layout(truth)
    header = 3
    t = doc.add_table(rows=header + len(rows), cols=10)
    t.style = "Table Grid"
    _set(t.cell(0, 0).merge(t.cell(2, 2)), "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", small=True)
    _set(t.cell(0, 3).merge(t.cell(0, 9)), "申请人情况", bold=True)
    _set(t.cell(1, 3).merge(t.cell(2, 3)), "自然人", bold=True)
    _set(t.cell(1, 4).merge(t.cell(1, 8)), "法人或其他组织", bold=True)
    _set(t.cell(1, 9).merge(t.cell(2, 9)), "总计", bold=True)
    for i, lab in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        _set(t.cell(2, 4 + i), lab, bold=True)
    three = [header + i for i, row in enumerate(rows) if row[0] != "top"]
    _widths(t, [1.7, 2.6, 4.4] + [1.25] * 7)
    for i, (level, label, key, group) in enumerate(rows):
        ri = header + i
        if level == "top":
            _set(t.cell(ri, 0).merge(t.cell(ri, 2)), label)
        elif level == "one":
            _set(t.cell(ri, 1).merge(t.cell(ri, 2)), label)
        else:
            _set(t.cell(ri, 2), label, small=True)
            first = i == 0 or rows[i - 1][3] != group
            if first:
                last = i
                while last + 1 < len(rows) and rows[last + 1][3] == group:
                    last += 1
                _set(t.cell(ri, 1).merge(t.cell(header + last, 1)), group)
        for ci, col in enumerate(APPLY_COLS):
            _set(t.cell(ri, 3 + ci), fmt_value(truth, f"apply.{key}.{col}"))
    if three:
        _set(t.cell(three[0], 0).merge(t.cell(three[-1], 0)), "三、本年度办理结果")


def _widths(table, cms: list[float]) -> None:
    from docx.shared import Cm

    table.autofit = False
    for i, col in enumerate(table.columns):
        if i < len(cms):
            col.width = Cm(cms[i])
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            if i < len(cms):
                cell.width = Cm(cms[i])


def _docx_review(doc, truth: dict) -> None:
    t = doc.add_table(rows=4, cols=15)
    t.style = "Table Grid"
    _set(t.cell(0, 0).merge(t.cell(1, 4)), "行政复议", bold=True)
    _set(t.cell(0, 5).merge(t.cell(0, 14)), "行政诉讼", bold=True)
    _set(t.cell(1, 5).merge(t.cell(1, 9)), "未经复议直接起诉", bold=True)
    _set(t.cell(1, 10).merge(t.cell(1, 14)), "复议后起诉", bold=True)
    for g in range(3):
        for i, lab in enumerate(REVIEW_LABELS):
            _set(t.cell(2, g * 5 + i), lab, bold=True, small=True)
    for g, group in enumerate(REVIEW_GROUPS):
        for i, col in enumerate(REVIEW_COLS):
            _set(t.cell(3, g * 5 + i), fmt_value(truth, f"review.{group}.{col}"))


# ---------------------------------------------------------------------------------------------- XLSX

def build_xlsx(truth: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "年报数据"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    r = 1
    title = (truth.get("title") or f"{truth['agency']}{truth['report_year']}年政府信息公开工作年度报告").replace("（图片版）", "")
    ws.cell(r, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=10)
    r += 2

    def put(row, col, value, bold=False):
        c = ws.cell(row, col, value)
        c.alignment = center
        c.border = border
        if bold:
            c.font = Font(bold=True)
        return c

    def merge(r1, c1, r2, c2):
        for rr in range(r1, r2 + 1):
            for cc in range(c1, c2 + 1):
                ws.cell(rr, cc).border = border
        if (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)

    def value(key):
        s = fmt_value(truth, key)
        if s.lstrip("-").isdigit() and not s.startswith("+"):
            return int(s)
        return s

    ws.cell(r, 1, "二、主动公开政府信息情况").font = Font(bold=True)
    r += 1
    layout = ACTIVE_2019 if truth.get("template") == "2019" else ACTIVE_2021
    for head, cols, rows in layout:
        put(r, 1, head, bold=True)
        merge(r, 1, r, 4)
        r += 1
        for i, label in enumerate(cols):
            put(r, i + 1, label, bold=True)
        if len(cols) < 4:
            merge(r, len(cols), r, 4)
        r += 1
        for label, prefix, keys in rows:
            put(r, 1, label)
            for i, k in enumerate(keys):
                put(r, i + 2, value(f"active.{prefix}.{k}"))
            if len(keys) < 3:
                merge(r, len(keys) + 1, r, 4)
            r += 1
    r += 1
    ws.cell(r, 1, "三、收到和处理政府信息公开申请情况").font = Font(bold=True)
    r += 1
    h0 = r
    put(h0, 1, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    merge(h0, 1, h0 + 2, 3)
    put(h0, 4, "申请人情况", bold=True)
    merge(h0, 4, h0, 10)
    put(h0 + 1, 4, "自然人", bold=True)
    merge(h0 + 1, 4, h0 + 2, 4)
    put(h0 + 1, 5, "法人或其他组织", bold=True)
    merge(h0 + 1, 5, h0 + 1, 9)
    put(h0 + 1, 10, "总计", bold=True)
    merge(h0 + 1, 10, h0 + 2, 10)
    for i, lab in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        put(h0 + 2, 5 + i, lab, bold=True)
    r = h0 + 3
    rows = _apply_layout(truth)
    first_three = None
    for i, (level, label, key, group) in enumerate(rows):
        if level == "top":
            put(r, 1, label)
            merge(r, 1, r, 3)
        else:
            first_three = first_three or r
            if level == "one":
                put(r, 2, label)
                merge(r, 2, r, 3)
            else:
                put(r, 3, label)
                if i == 0 or rows[i - 1][3] != group:
                    last = i
                    while last + 1 < len(rows) and rows[last + 1][3] == group:
                        last += 1
                    put(r, 2, group)
                    merge(r, 2, r + last - i, 2)
        for ci, col in enumerate(APPLY_COLS):
            put(r, 4 + ci, value(f"apply.{key}.{col}"))
        r += 1
    if first_three:
        put(first_three, 1, "三、本年度办理结果")
        merge(first_three, 1, r - 2, 1)
    r += 1
    ws.cell(r, 1, "四、政府信息公开行政复议、行政诉讼情况").font = Font(bold=True)
    r += 1
    put(r, 1, "行政复议", bold=True)
    merge(r, 1, r + 1, 5)
    put(r, 6, "行政诉讼", bold=True)
    merge(r, 6, r, 15)
    put(r + 1, 6, "未经复议直接起诉", bold=True)
    merge(r + 1, 6, r + 1, 10)
    put(r + 1, 11, "复议后起诉", bold=True)
    merge(r + 1, 11, r + 1, 15)
    for g in range(3):
        for i, lab in enumerate(REVIEW_LABELS):
            put(r + 2, 1 + g * 5 + i, lab, bold=True)
    for g, group in enumerate(REVIEW_GROUPS):
        for i, col in enumerate(REVIEW_COLS):
            put(r + 3, 1 + g * 5 + i, value(f"review.{group}.{col}"))
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
