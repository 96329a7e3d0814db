"""DOCX reader: the WordprocessingML of `word/document.xml`, parsed with lxml, in reading order.

- Elements are matched by local name, so the transitional and the strict OOXML namespaces (and
  the odd prefixes some WPS builds write) read the same.
- Paragraphs → narrative lines (table=None).  Content controls (`w:sdt`), `w:customXml`, smart
  tags and inserted revisions are unwrapped; deleted revisions and field codes are skipped.
  Text boxes (`w:txbxContent`, read once: the `mc:Choice` of an `mc:AlternateContent`) are read
  as blocks after the paragraph that anchors them.
- Tables → one structured row per `w:tr`, its physical cells left to right: a cell spanning grid
  columns (`w:gridSpan`) once, a vertical-merge continuation (`<w:vMerge/>`) as "", a legacy
  `w:hMerge` continuation skipped.  A cell's paragraphs are joined with "\n".  A row whose cells
  hold nested tables is a layout wrapper: its content is read as blocks (nested tables become
  tables of their own).  A table that directly follows another one with the same grid (only empty
  paragraphs between: Word's way of splitting a table) keeps the same table id.
- Automatic list numbering (`w:numPr`, decimal and Chinese counting) is rendered, because some
  reports number their row labels ("1.属于国家秘密") and headings that way.
- Core properties title → `title`; app.xml Application → `meta["generator"]`.
Every zip and XML guard of `limits` runs first (zip bombs, DTD/entities, truncation, an XML part
that would inflate past max_xml_bytes); the walk stops at the document's time limit (timed_out).
"""
from __future__ import annotations

import posixpath
import re
import zipfile

from ..model import Cell, ParsedDocument
from ..settings import ExtractSettings
from . import limits
from ._util import meaningful_title
from .limits import Refused

_SKIP = {"del", "delText", "instrText", "moveFrom", "rPr", "pPr", "fldData", "commentReference",
         "footnoteReference", "endnoteReference", "proofErr", "lastRenderedPageBreak", "bookmarkStart",
         "bookmarkEnd", "annotationRef", "delInstrText"}


def _ln(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _attr(el, name: str) -> str | None:
    """An attribute by local name (w:val, whatever the namespace)."""
    for k, v in el.attrib.items():
        if k.rsplit("}", 1)[-1] == name:
            return v
    return None


def _child(el, name: str):
    for ch in el:
        if _ln(ch) == name:
            return ch
    return None


# --- numbering ------------------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting",
               "taiwaneseCountingThousand", "chineseLegalSimplified", "ideographLegalTraditional"):
        if fmt == "ideographTraditional":
            return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10]
        return _chinese_number(n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                 (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += s
            n -= v
    return out


class _Numbering:
    """Just enough of numbering.xml to render "1." / "（一）" list labels."""

    def __init__(self, root=None, styles=None):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (fmt, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        if root is not None:
            abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
            for an in root:
                if _ln(an) != "abstractNum":
                    continue
                lv: dict[int, tuple[str, str, int]] = {}
                for lvl in an:
                    if _ln(lvl) != "lvl":
                        continue
                    try:
                        ilvl = int(_attr(lvl, "ilvl") or 0)
                    except ValueError:
                        continue
                    fmt_el, text_el, start_el = _child(lvl, "numFmt"), _child(lvl, "lvlText"), _child(lvl, "start")
                    fmt = _attr(fmt_el, "val") if fmt_el is not None else "decimal"
                    text = _attr(text_el, "val") if text_el is not None else ""
                    try:
                        start = int(_attr(start_el, "val") or 1) if start_el is not None else 1
                    except ValueError:
                        start = 1
                    lv[ilvl] = (fmt or "decimal", text or "", start)
                abstract[_attr(an, "abstractNumId") or ""] = lv
            for num in root:
                if _ln(num) != "num":
                    continue
                ref = _child(num, "abstractNumId")
                lv = dict(abstract.get(_attr(ref, "val") or "", {})) if ref is not None else {}
                for ov in num:
                    if _ln(ov) == "lvlOverride":
                        so = _child(ov, "startOverride")
                        if so is not None:
                            try:
                                ilvl = int(_attr(ov, "ilvl") or 0)
                                if ilvl in lv:
                                    f, t, _ = lv[ilvl]
                                    lv[ilvl] = (f, t, int(_attr(so, "val") or 1))
                            except ValueError:
                                pass
                self.levels[_attr(num, "numId") or ""] = lv
        if styles is not None:
            for st in styles:
                if _ln(st) != "style":
                    continue
                ppr = _child(st, "pPr")
                numpr = _child(ppr, "numPr") if ppr is not None else None
                if numpr is not None:
                    nid = _child(numpr, "numId")
                    il = _child(numpr, "ilvl")
                    if nid is not None:
                        try:
                            self.style_num[_attr(st, "styleId") or ""] = (
                                _attr(nid, "val") or "", int(_attr(il, "val") or 0) if il is not None else 0)
                        except ValueError:
                            pass

    def label(self, p) -> str:
        if not self.levels:
            return ""
        ppr = _child(p, "pPr")
        if ppr is None:
            return ""
        numpr = _child(ppr, "numPr")
        num_id, ilvl = None, 0
        if numpr is not None:
            nid, il = _child(numpr, "numId"), _child(numpr, "ilvl")
            num_id = _attr(nid, "val") if nid is not None else None
            try:
                ilvl = int(_attr(il, "val") or 0) if il is not None else 0
            except ValueError:
                ilvl = 0
        else:
            ps = _child(ppr, "pStyle")
            if ps is not None and (_attr(ps, "val") or "") in self.style_num:
                num_id, ilvl = self.style_num[_attr(ps, "val") or ""]
        if not num_id or num_id == "0" or num_id not in self.levels:
            return ""
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        fmt, text, start = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def sub(m: re.Match) -> str:
            lvl = int(m.group(1)) - 1
            f, _, st = levels.get(lvl, ("decimal", "", 1))
            return _format_number(counters.get(lvl, st), f)

        return re.sub(r"%(\d)", sub, text)


# --- the document walker ------------------------------------------------------------------------------

class _Walker:
    def __init__(self, numbering: _Numbering):
        self.numbering = numbering
        self.cells: list[Cell] = []
        self.lines: list[str] = []
        self.table_id = -1
        self.row_in_table: dict[int, int] = {}
        # the last block emitted: ("table", id, ncols) or None after any non-empty text
        self.last_table: tuple[int, int] | None = None
        self.tables_seen = 0
        self.depth = 0
        self.ticks = 0

    def tick(self) -> None:
        """A checkpoint every 256 paragraphs and rows: the document's time limit (limits.check_time)."""
        self.ticks += 1
        if not self.ticks & 255:
            limits.check_time(f"at block {self.ticks}")

    # paragraphs
    def _runs_text(self, el, parts: list[str], deferred: list) -> None:
        for ch in el:
            ln = _ln(ch)
            if not ln or ln in _SKIP:
                continue
            if ln == "t":
                parts.append(ch.text or "")
            elif ln == "tab" or ln == "ptab":
                parts.append("\t")
            elif ln in ("br", "cr"):
                parts.append("\n")
            elif ln == "noBreakHyphen":
                parts.append("-")
            elif ln == "sym":
                parts.append("")
            elif ln == "txbxContent":
                deferred.append(ch)
            elif ln == "AlternateContent":
                choice = next((c for c in ch if _ln(c) in ("Choice", "Fallback")), None)
                if choice is not None:
                    self._runs_text(choice, parts, deferred)
            elif ln == "tbl":  # a table inside a paragraph-level wrapper: read as a block later
                deferred.append(ch)
            else:
                self._runs_text(ch, parts, deferred)

    def paragraph_text(self, p, deferred: list) -> str:
        parts: list[str] = []
        self._runs_text(p, parts, deferred)
        text = "".join(parts)
        label = self.numbering.label(p) if text.strip() else ""
        if label:
            text = label + text
        return text

    def emit_paragraph(self, p) -> None:
        self.tick()
        deferred: list = []
        text = self.paragraph_text(p, deferred)
        lines = [ln.strip() for ln in text.split("\n")]
        lines = [ln for ln in lines if ln]
        if lines:
            self.last_table = None
        for line in lines:
            self.cells.append(Cell(line))
            self.lines.append(line)
        for block in deferred:
            if _ln(block) == "tbl":
                self.emit_table(block)
            else:
                self.walk(block)

    # tables
    @staticmethod
    def _rows(tbl):
        for ch in tbl:
            ln = _ln(ch)
            if ln == "tr":
                yield ch
            elif ln in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
                yield from _Walker._rows(ch)

    @staticmethod
    def _tcs(tr):
        for ch in tr:
            ln = _ln(ch)
            if ln == "tc":
                yield ch
            elif ln in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
                yield from _Walker._tcs(ch)

    @staticmethod
    def _has_nested_table(tc) -> bool:
        for el in tc.iter():
            if el is not tc and _ln(el) == "tbl":
                return True
        return False

    def cell_text(self, tc) -> str:
        paras: list[str] = []

        def walk(el):
            for ch in el:
                ln = _ln(ch)
                if ln == "p":
                    deferred: list = []
                    t = self.paragraph_text(ch, deferred)
                    if t.strip():
                        paras.append(t.strip())
                    for d in deferred:
                        walk(d)
                elif ln in ("sdt", "sdtContent", "customXml", "ins", "moveTo", "txbxContent"):
                    walk(ch)
        walk(tc)
        return "\n".join(paras)

    def emit_table(self, tbl) -> None:
        self.depth += 1
        if self.depth > 20:  # absurd nesting: read no deeper
            self.depth -= 1
            return
        grid = _child(tbl, "tblGrid")
        ncols = sum(1 for g in grid if _ln(g) == "gridCol") if grid is not None else 0
        if self.last_table is not None and self.last_table[1] == ncols and ncols > 0:
            tid = self.last_table[0]
        else:
            self.table_id += 1
            tid = self.table_id
        self.last_table = (tid, ncols)
        for tr in self._rows(tbl):
            self.tick()
            tcs = list(self._tcs(tr))
            if any(self._has_nested_table(tc) for tc in tcs):
                # a layout row: its cells hold whole blocks (text and tables of their own)
                self.last_table = None
                for tc in tcs:
                    self.walk(tc)
                self.last_table = None
                continue
            row_cells: list[str] = []
            for tc in tcs:
                tcpr = _child(tc, "tcPr")
                if tcpr is not None:
                    hm = _child(tcpr, "hMerge")
                    if hm is not None and (_attr(hm, "val") or "continue") == "continue":
                        continue
                    vm = _child(tcpr, "vMerge")
                    if vm is not None and (_attr(vm, "val") or "continue") == "continue":
                        row_cells.append("")
                        continue
                row_cells.append(self.cell_text(tc))
            if not row_cells:
                continue
            row = self.row_in_table.get(tid, 0)
            self.row_in_table[tid] = row + 1
            for text in row_cells:
                self.cells.append(Cell(text, tid, row))
            self.lines.append("\t".join(t.replace("\n", " ") for t in row_cells))
            # a layout row may have reset last_table: this table goes on
            self.last_table = (tid, ncols)
        self.depth -= 1

    def walk(self, container) -> None:
        for ch in container:
            ln = _ln(ch)
            if ln == "p":
                self.emit_paragraph(ch)
            elif ln == "tbl":
                self.emit_table(ch)
            elif ln in ("sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo", "txbxContent", "tc", "body"):
                self.walk(ch)
            elif ln == "AlternateContent":
                choice = next((c for c in ch if _ln(c) in ("Choice", "Fallback")), None)
                if choice is not None:
                    self.walk(choice)


# --- package ------------------------------------------------------------------------------------------

def _rels_target(zf: zipfile.ZipFile, names: set[str], settings: ExtractSettings) -> str:
    if "_rels/.rels" in names:
        try:
            rels = limits.parse_xml(limits.read_member(zf, "_rels/.rels", settings), "_rels/.rels")
            for rel in rels:
                if (_attr(rel, "Type") or "").endswith("/officeDocument"):
                    target = (_attr(rel, "Target") or "").lstrip("/")
                    target = posixpath.normpath(target)
                    if target in names:
                        return target
        except Refused:
            raise
    for cand in ("word/document.xml", "word/document2.xml"):
        if cand in names:
            return cand
    for n in names:
        if n.lower() == "word/document.xml":
            return n
    raise Refused(limits.CORRUPT, "no main document part")


def _optional_xml(zf, names: set[str], name: str, settings: ExtractSettings):
    if name not in names:
        return None
    try:
        return limits.parse_xml(limits.read_member(zf, name, settings), name)
    except Refused as exc:
        if exc.reason in (limits.XML_ENTITIES, limits.ZIP_BOMB):
            raise
        return None


def read_package(data: bytes, settings: ExtractSettings, fmt: str = "docx") -> ParsedDocument:
    try:
        zf = limits.open_zip(data, settings)
        limits.check_xml_members(zf, settings)
        names = limits.member_names(zf)
        main = _rels_target(zf, names, settings)
        root = limits.parse_xml(limits.read_member(zf, main, settings), main)
        base = posixpath.dirname(main)
        numbering = _Numbering(_optional_xml(zf, names, posixpath.join(base, "numbering.xml"), settings),
                               _optional_xml(zf, names, posixpath.join(base, "styles.xml"), settings))
        core = _optional_xml(zf, names, "docProps/core.xml", settings)
        app = _optional_xml(zf, names, "docProps/app.xml", settings)
        images = sum(1 for n in names if n.startswith(base + "/media/"))
    except Refused as exc:
        return limits.refused(fmt, exc)
    body = _child(root, "body")
    walker = _Walker(numbering)
    try:
        walker.walk(body if body is not None else root)
    except Refused as exc:
        return limits.refused(fmt, exc)
    meta: dict[str, str] = {}
    title = None
    if core is not None:
        for el in core:
            ln = _ln(el)
            if ln == "title":
                title = meaningful_title(el.text)
            elif ln in ("created", "modified") and el.text:
                meta[ln] = el.text.strip()
            elif ln == "creator" and el.text:
                meta["creator"] = el.text.strip()
    if app is not None:
        appl = _child(app, "Application")
        if appl is not None and appl.text:
            meta["generator"] = appl.text.strip()
    candidates: list[str] = []
    for c in walker.cells:
        if c.table is not None:
            break
        if len(candidates) >= 6:
            break
        if len(c.text) <= 80:
            candidates.append(c.text)
    has_tables = any(c.table is not None for c in walker.cells)
    if settings.ocr and images and not has_tables and len("".join(walker.lines)) < _PICTURES_ONLY_TEXT:
        # a Word file of page pictures (scans pasted in): read the pictures in document order
        try:
            pictures = _pictures(zf, names, main, root, settings)
            if pictures:
                from . import ocr

                pages = ocr.ocr_pages(pictures, settings)
                meta["pictures"] = str(len(pictures))
                return ocr.document(pages, fmt, meta, title=title, before=walker.cells)
        except Refused as exc:
            return limits.refused(fmt, exc)
    return ParsedDocument(format=fmt, layout="docx_table" if has_tables else "docx_text", cells=walker.cells,
                          text="\n".join(walker.lines), title=title, title_candidates=candidates, meta=meta,
                          images=images)


_PICTURES_ONLY_TEXT = 300  # characters of text at most in a Word file read as pictures (a title, a date)


def _pictures(zf: zipfile.ZipFile, names: set[str], main: str, root, settings: ExtractSettings) -> list:
    """The pictures the main part shows (a:blip r:embed, v:imagedata r:id), in document order, as arrays."""
    from . import ocr

    base = posixpath.dirname(main)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(main) + ".rels")
    targets: dict[str, str] = {}
    if rels_name in names:
        for rel in limits.parse_xml(limits.read_member(zf, rels_name, settings), rels_name):
            if (_attr(rel, "TargetMode") or "").lower() == "external":
                continue
            rid, target = _attr(rel, "Id"), _attr(rel, "Target") or ""
            path = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(base, target))
            if rid and path in names:
                targets[rid] = path
    order: list[str] = []
    for el in root.iter():
        ln = _ln(el)
        if ln not in ("blip", "imagedata"):
            continue
        rid = _attr(el, "embed") or _attr(el, "id")
        path = targets.get(rid or "")
        if path and path not in order:
            order.append(path)
    out = []
    for path in order:
        data = limits.read_member(zf, path, settings)
        try:
            out += ocr.image_pages(data, settings)
        except Refused as exc:
            if exc.reason in (limits.TOO_LARGE, limits.TOO_MANY_PAGES):
                raise
            continue  # not a picture PIL reads (EMF, WMF, an OLE preview): skipped
        if len(out) > settings.ocr_max_pages:
            raise Refused(limits.TOO_MANY_PAGES, f"more than ocr_max_pages {settings.ocr_max_pages} pictures")
    return out


def read(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    return read_package(data, settings, "docx")
