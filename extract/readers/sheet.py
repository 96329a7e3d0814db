"""Spreadsheet readers: XLS (BIFF, also Kingsoft ET) with xlrd, XLSX with openpyxl in read-only mode.

Each sheet with content is one table; each non-empty row a table row of its cells left to
right, over the sheet's used columns.  Merged ranges follow the DOCX convention: the value sits
in the top-left cell; the rest of the range's first row is skipped (a column span), the first
column of its lower rows is "" (a row-span continuation) and the rest skipped.  Numbers are
written as printed: an integral float 3.0 → "3", 1.5 → "1.5", no exponent; dates → ISO dates.
XLSX passes the zip/XML guards of `limits` first; both stop at `settings.max_sheet_cells`.
An XLSX whose formulas carry no cached result (written by openpyxl or a report generator) gets those results
computed by `formulas` (SUM and + - * / of cells only, no macros); a formula it cannot compute leaves its cell
empty and is named in the document's meta (`formulas_not_computed`), which makes the report unverified.
"""
from __future__ import annotations

import datetime as dt
import io
import posixpath
import time
from collections.abc import Iterable

from ..model import Cell, ParsedDocument
from ..settings import ExtractSettings
from . import limits
from ._util import meaningful_title
from .limits import Refused


def number_text(v: float | int) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if v != v or v in (float("inf"), float("-inf")):
        return ""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    s = format(v, ".15g")
    if "e" in s or "E" in s:
        s = format(v, ".10f").rstrip("0").rstrip(".")
    return s


def value_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return number_text(v)
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return str(v).strip()


class _Sheets:
    """Collects sheets as tables (merged-range aware) into cells and text lines."""

    def __init__(self, settings: ExtractSettings):
        self.settings = settings
        self.cells: list[Cell] = []
        self.lines: list[str] = []
        self.table = -1
        self.count = 0
        self.t0 = time.monotonic()
        self.names: list[str] = []

    def add_sheet(self, name: str, rows: Iterable[list[str]], merges: list[tuple[int, int, int, int]]) -> None:
        """rows: full rows (index = sheet row, position = sheet column); merges: (r0, r1, c0, c1) exclusive ends."""
        grid: list[list[str]] = []
        for r, row in enumerate(rows):
            self.count += len(row)
            if self.count > self.settings.max_sheet_cells:
                raise Refused(limits.TOO_LARGE, f"more than max_sheet_cells {self.settings.max_sheet_cells} cells")
            if r % 500 == 0 and time.monotonic() - self.t0 > self.settings.read_timeout:
                raise Refused(limits.TIMED_OUT, f"read_timeout {self.settings.read_timeout:g}s")
            grid.append(row)
        if not any(v != "" for row in grid for v in row):
            return
        skip: set[tuple[int, int]] = set()
        blank: set[tuple[int, int]] = set()
        for r0, r1, c0, c1 in merges:
            for r in range(r0, min(r1, len(grid) + 1)):
                for c in range(c0, c1):
                    if (r, c) == (r0, c0):
                        continue
                    if c == c0:
                        blank.add((r, c))
                    else:
                        skip.add((r, c))
        self.names.append(name)
        # blocks of rows separated by empty rows are tables of their own (with their own width)
        blocks: list[list[int]] = [[]]
        for r, row in enumerate(grid):
            if any(v != "" for v in row):
                blocks[-1].append(r)
            elif blocks[-1]:
                blocks.append([])
        for block in blocks:
            if not block:
                continue
            used = [c for r in block for c, v in enumerate(grid[r]) if v != ""]
            c_min, c_max = min(used), max(used)
            self.table += 1
            for row_id, r in enumerate(block):
                row = grid[r]
                out: list[str] = []
                for c in range(c_min, c_max + 1):
                    if (r, c) in skip:
                        continue
                    v = row[c] if c < len(row) else ""
                    out.append("" if (r, c) in blank else v)
                for v in out:
                    self.cells.append(Cell(v, self.table, row_id))
                self.lines.append("\t".join(v.replace("\n", " ") for v in out))

    def document(self, fmt: str, title: str | None = None, meta: dict | None = None) -> ParsedDocument:
        candidates = []
        for c in self.cells[:200]:
            if c.text and len(c.text) <= 80 and ("报告" in c.text or "年度" in c.text):
                candidates.append(c.text)
        meta = dict(meta or {})
        meta["sheets"] = ", ".join(self.names)[:300]
        return ParsedDocument(format=fmt, layout="sheet_table" if self.cells else "none", cells=self.cells,
                              text="\n".join(self.lines), title=title, title_candidates=candidates[:5], meta=meta,
                              status=None if self.cells else "no_tables", reason=None if self.cells else "empty workbook")


# --- XLS ---------------------------------------------------------------------------------------------

def read_xls(data: bytes, settings: ExtractSettings, fmt: str = "xls") -> ParsedDocument:
    import xlrd

    try:
        limits.check_size(data, settings)
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO())
        except NotImplementedError:  # formatting_info unsupported for this BIFF version
            book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
        except xlrd.XLRDError as exc:
            msg = str(exc)
            if "encrypt" in msg.lower():
                raise Refused(limits.ENCRYPTED, msg) from None
            raise Refused(limits.CORRUPT, msg[:160]) from None
        except Exception as exc:  # noqa: BLE001 - xlrd.compdoc errors, struct errors on cut files
            msg = f"{type(exc).__name__}: {exc}"[:160]
            reason = limits.TRUNCATED if any(w in msg.lower() for w in ("truncat", "beyond", "eof", "unpack")) else limits.CORRUPT
            raise Refused(reason, msg) from None
        sheets = _Sheets(settings)
        try:
            for idx in range(book.nsheets):
                sh = book.sheet_by_index(idx)
                if sh.nrows * max(sh.ncols, 1) > settings.max_sheet_cells:
                    raise Refused(limits.TOO_LARGE, f"sheet {sh.name}: {sh.nrows}x{sh.ncols} cells")
                rows = (_xls_row(book, sh, r) for r in range(sh.nrows))
                merges = [tuple(m) for m in getattr(sh, "merged_cells", [])]
                sheets.add_sheet(sh.name, rows, merges)
                book.unload_sheet(idx)
        except Refused:
            raise
        except Exception as exc:  # noqa: BLE001
            raise Refused(limits.CORRUPT, f"{type(exc).__name__}: {str(exc)[:120]}") from None
        title = None
        user = getattr(book, "user_name", "") or ""
        sheets_meta = {"creator": str(user)[:100]} if str(user).strip() else {}
        book.release_resources()
    except Refused as exc:
        return limits.refused(fmt, exc)
    return sheets.document(fmt, title, sheets_meta)


def _xls_row(book, sh, r: int) -> list[str]:
    import xlrd

    out = []
    for c in range(sh.ncols):
        cell = sh.cell(r, c)
        t = cell.ctype
        if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            out.append("")
        elif t == xlrd.XL_CELL_NUMBER:
            out.append(number_text(cell.value))
        elif t == xlrd.XL_CELL_DATE:
            try:
                out.append(value_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
            except Exception:  # noqa: BLE001
                out.append(number_text(cell.value))
        elif t == xlrd.XL_CELL_BOOLEAN:
            out.append("TRUE" if cell.value else "FALSE")
        else:
            out.append(str(cell.value).strip())
    return out


# --- XLSX --------------------------------------------------------------------------------------------

def _ref_to_rc(ref: str) -> tuple[int, int]:
    col = 0
    i = 0
    while i < len(ref) and ref[i].isalpha():
        col = col * 26 + (ord(ref[i].upper()) - 64)
        i += 1
    return int(ref[i:]) - 1, col - 1


def _xlsx_merges(zf, names: set[str], settings: ExtractSettings) -> dict[str, list[tuple[int, int, int, int]]]:
    """{sheet name: merged ranges} from the sheet parts (read-only openpyxl does not give them)."""
    from lxml import etree

    out: dict[str, list[tuple[int, int, int, int]]] = {}
    if "xl/workbook.xml" not in names:
        return out
    wb = limits.parse_xml(limits.read_member(zf, "xl/workbook.xml", settings), "xl/workbook.xml")
    rels: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        rr = limits.parse_xml(limits.read_member(zf, "xl/_rels/workbook.xml.rels", settings), "workbook rels")
        for rel in rr:
            rid = rel.get("Id")
            target = rel.get("Target") or ""
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            rels[rid] = path
    for el in wb.iter():
        if not isinstance(el.tag, str) or not el.tag.endswith("}sheet"):
            continue
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
        part = rels.get(rid or "")
        if not part or part not in names:
            continue
        ranges: list[tuple[int, int, int, int]] = []
        with zf.open(part) as fh:
            for _, mc in etree.iterparse(fh, events=("end",), tag="{*}mergeCell", resolve_entities=False,
                                         no_network=True, load_dtd=False, huge_tree=False):
                ref = mc.get("ref") or ""
                if ":" in ref:
                    a, b = ref.split(":", 1)
                    (r0, c0), (r1, c1) = _ref_to_rc(a), _ref_to_rc(b)
                    ranges.append((r0, r1 + 1, c0, c1 + 1))
                mc.clear()
        out[el.get("name") or ""] = ranges
    return out


def read_xlsx_as(data: bytes, settings: ExtractSettings, fmt: str) -> ParsedDocument:
    import openpyxl

    try:
        zf = limits.open_zip(data, settings)
        limits.check_xml_members(zf, settings)
        names = limits.member_names(zf)
        try:
            merges = _xlsx_merges(zf, names, settings)
        except Refused:
            raise
        except Exception:  # noqa: BLE001 - merges are a refinement; read the values anyway
            merges = {}
        formulas = _xlsx_formulas(data, zf, names, settings)
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on broken packages
            raise Refused(limits.CORRUPT, f"{type(exc).__name__}: {str(exc)[:140]}") from None
        sheets = _Sheets(settings)
        formula_meta: dict[str, str] = {}
        try:
            if formulas:
                grids = {ws.title: list(_xlsx_rows(ws, raw=True)) for ws in wb.worksheets if hasattr(ws, "iter_rows")}
                formula_meta = _compute_formulas(grids, formulas)
                for name, grid in grids.items():
                    sheets.add_sheet(name, ([value_text(v) for v in row] for row in grid), merges.get(name, []))
            else:
                for ws in wb.worksheets:
                    if not hasattr(ws, "iter_rows"):
                        continue
                    rows = _xlsx_rows(ws)
                    sheets.add_sheet(ws.title, rows, merges.get(ws.title, []))
        except Refused:
            raise
        except Exception as exc:  # noqa: BLE001
            raise Refused(limits.CORRUPT, f"{type(exc).__name__}: {str(exc)[:140]}") from None
        title = meaningful_title(getattr(wb.properties, "title", None))
        meta = dict(formula_meta)
        creator = getattr(wb.properties, "creator", None)
        if creator:
            meta["creator"] = str(creator)[:100]
        wb.close()
    except Refused as exc:
        return limits.refused(fmt, exc)
    return sheets.document(fmt, title, meta)


def _xlsx_rows(ws, raw: bool = False) -> Iterable[list]:
    """Rows indexed from the sheet's row 1 / column A (read-only mode may start later); texts, or raw values."""
    expected = 1
    for row in ws.iter_rows():
        cells = [c for c in row if getattr(c, "row", None) is not None]
        if not cells:
            continue
        r = cells[0].row
        while expected < r:
            yield []
            expected += 1
        width = max(c.column for c in cells)
        out: list = [None if raw else ""] * width
        for c in cells:
            out[c.column - 1] = c.value if raw else value_text(c.value)
        yield out
        expected = r + 1


def _xlsx_formulas(data: bytes, zf, names: set[str], settings: ExtractSettings) -> dict[str, dict[tuple[int, int], str]]:
    """{sheet: {(row, col): formula}} of the workbook's formula cells, or {} when no sheet part holds a formula
    (checked on the bytes first: most workbooks have none, and reading them twice would cost)."""
    import openpyxl

    parts = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if not any(b"<f>" in (blob := limits.read_member(zf, n, settings)) or b"<f " in blob for n in parts):
        return {}
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue
            found: dict[tuple[int, int], str] = {}
            for row in ws.iter_rows():
                for c in row:
                    v = getattr(c, "value", None)
                    if isinstance(v, str) and v.startswith("="):
                        found[(c.row - 1, c.column - 1)] = v
                    elif v is not None and type(v).__name__ in ("ArrayFormula", "DataTableFormula"):
                        found[(c.row - 1, c.column - 1)] = "=" + str(getattr(v, "text", "") or "?{array}")
            if found:
                out[ws.title] = found
    finally:
        wb.close()
    return out


def _compute_formulas(grids: dict[str, list[list]], formulas: dict[str, dict[tuple[int, int], str]]) -> dict[str, str]:
    """Fill the formula cells that carry no cached value with their computed result (formulas.Workbook).

    Returns metadata for the pipeline: how many were computed, and which could not be (their cells stay empty).
    """
    from .formulas import Workbook, cell_name

    values = {name: {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row) if v is not None}
              for name, grid in grids.items()}
    missing = {name: {rc: f for rc, f in cells.items() if values.get(name, {}).get(rc) is None}
               for name, cells in formulas.items() if name in grids}
    missing = {k: v for k, v in missing.items() if v}
    if not missing:
        return {}
    book = Workbook(values, missing)
    book.compute_all()
    for (name, r, c), v in book.done.items():
        grid = grids[name]
        while len(grid) <= r:
            grid.append([])
        row = grid[r]
        while len(row) <= c:
            row.append(None)
        row[c] = v
    meta = {"formulas_computed": str(len(book.done))}
    if book.failed:
        items = [f"{name}!{cell_name(r, c)} ({why})" for (name, r, c), why in sorted(book.failed.items())]
        meta["formulas_not_computed"] = "; ".join(items[:10]) + (f"; … {len(items) - 10} more" if len(items) > 10 else "")
    return meta


def read_xlsx(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    return read_xlsx_as(data, settings, "xlsx")


def read(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    from core.sniff import sniff

    return read_xls(data, settings) if sniff(data) == "xls" else read_xlsx(data, settings)
