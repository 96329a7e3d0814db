"""PDF reader: pdfplumber geometry for tables, text lines for the rest, in page reading order.

Per page:
- ruled tables are found from the drawn lines and rectangles (pdfplumber `find_tables`, lines
  strategy); each table row is emitted as its physical cells left to right, whatever order the
  text layer stores the characters in (column order is common).  A cell's characters are joined
  line by line ("商 业 企\\n业" stays one cell).  A grid position covered by a cell from the left
  (a column span) is skipped; one covered from above (a row span) is "".
- text outside the tables → narrative lines (table=None), interleaved with the tables by their
  vertical position.
- a page with no ruled table falls back to text positions: a line whose characters fall into
  two or more runs separated by wide gaps, one of them a number, is a table row of its runs.
- page furniture is dropped: page numbers ("— 4 —", "第4页 共9页", "4/9") in the top or bottom
  band, and lines repeated in those bands across pages (running headers; page 1 keeps its copy).
- a table that ends a page and one that starts the next page with the same columns are one table:
  rows continue with the same table id.
Before any parsing, the file is checked: size (too_large), %%EOF / startxref (truncated), the
page count with pdfium (too_many_pages), a user password (encrypted).  Owner-password PDFs
(permissions only) open as usual.  Documents with (almost) no text and page-sized images are
scans: status no_tables, reason "scanned".  The /Title metadata is used when meaningful.
"""
from __future__ import annotations

import io
import logging
import re
import statistics
import time
from dataclasses import dataclass, field

from ..model import Cell, ParsedDocument
from ..settings import ExtractSettings
from . import limits
from ._util import clean_cell_text, meaningful_title, pdf_date
from .limits import Refused

log = logging.getLogger(__name__)

TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
    "edge_min_length": 3,
}

_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－~〜_·•.]*(第\s*)?\d{1,4}(\s*页)?[\s\-—–－~〜_·•.]*$"
    r"|^第\s*\d{1,4}\s*页[\s,，/]*共\s*\d{1,4}\s*页$"
    r"|^\d{1,4}\s*/\s*\d{1,4}$"
    r"|^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$"
    r"|^[\s\-—–－]*[ivxlcIVXLC]{1,6}[\s\-—–－]*$",
    re.I,
)
_NUMERIC = re.compile(r"^[\s+\-−－]*[0-9０-９][0-9０-９,，.．]*\s*(元|万元|件|个|项|%)?$|^[/—\-－–]+$")


@dataclass
class _Line:
    text: str
    top: float
    bottom: float
    size: float = 0.0
    segments: list[tuple[float, float, str]] | None = None  # runs separated by wide gaps (x0, x1, text)


@dataclass
class _Table:
    rows: list[list[str]]
    top: float
    bottom: float
    x0: float
    x1: float
    ncols: int
    positional: bool = False


@dataclass
class _Page:
    items: list = field(default_factory=list)  # _Line | _Table, top to bottom
    height: float = 0.0
    chars: int = 0
    cid_chars: int = 0
    images: int = 0
    page_images: int = 0
    ruled: bool = False


def _check_structure(data: bytes) -> None:
    last = data.rfind(b"%%EOF")
    if last < 0:
        raise Refused(limits.TRUNCATED, "no %%EOF marker (cut download?)")
    after = data[last + 5:]
    if len(after) > 64 and re.search(rb"\d+\s+\d+\s+obj\b|\bendobj\b|\bstream\b", after):
        raise Refused(limits.TRUNCATED, f"{len(after)} bytes of objects after the last %%EOF (cut download?)")
    sx = data.rfind(b"startxref", 0, last)
    if sx >= 0:
        m = re.match(rb"startxref\s+(\d+)", data[sx:sx + 48])
        if m and int(m.group(1)) >= len(data):
            raise Refused(limits.TRUNCATED, "startxref points past the end of the file")


def _open_checks(data: bytes, settings: ExtractSettings) -> int:
    """Page count with pdfium; raises Refused for encrypted, corrupt, or too long files."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise Refused(limits.ENCRYPTED, "a password is needed to open the file") from None
        raise Refused(limits.CORRUPT, msg[:160]) from None
    try:
        n = len(doc)
    finally:
        doc.close()
    if n > settings.max_pdf_pages:
        raise Refused(limits.TOO_MANY_PAGES, f"{n} pages > max_pdf_pages {settings.max_pdf_pages}")
    if n == 0:
        raise Refused(limits.CORRUPT, "no pages")
    return n


def _segments(chars: list[dict], size: float) -> list[tuple[float, float, str]]:
    """Split a line's characters into runs at wide horizontal gaps (borderless tables): (x0, x1, text)."""
    if not chars:
        return []
    chars = sorted(chars, key=lambda c: c["x0"])
    gap_min = max(0.9 * size, 6.0)
    runs: list[list[dict]] = [[chars[0]]]
    for prev, ch in zip(chars, chars[1:]):
        if ch["x0"] - prev["x1"] > gap_min:
            runs.append([ch])
        else:
            runs[-1].append(ch)
    out = []
    for run in runs:
        text = ""
        for prev, ch in zip([None] + run[:-1], run):
            if prev is not None and ch["x0"] - prev["x1"] > 0.6 * size:
                text += " "
            text += ch["text"]
        text = text.strip()
        if text:
            out.append((float(run[0]["x0"]), float(run[-1]["x1"]), text))
    return out


def _table_rows(table, chars: list[dict]) -> list[list[str]]:
    from pdfplumber.utils import extract_text

    rows = table.rows
    xs = sorted({c[0] for c in table.cells})
    out: list[list[str]] = []
    for row in rows:
        cells = row.cells
        rx0, rtop, rx1, rbottom = row.bbox
        row_chars = [c for c in chars if rtop <= (c["top"] + c["bottom"]) / 2 < rbottom]
        texts: list[str] = []
        for j, cell in enumerate(cells):
            if cell is None:
                x = xs[j] if j < len(xs) else None
                spanned = x is not None and any(
                    c is not None and c[0] < x - 0.5 and c[2] > x + 1.0 for c in cells[:j])
                if not spanned:
                    texts.append("")
                continue
            x0, top, x1, bottom = cell
            cell_chars = [c for c in row_chars
                          if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom]
            texts.append(clean_cell_text(extract_text(cell_chars)) if cell_chars else "")
        if texts:
            out.append(texts)
    return out


def _read_page(page, is_first: bool) -> _Page:
    res = _Page(height=float(page.height))
    chars = page.chars
    res.chars = sum(1 for c in chars if not c["text"].isspace())
    res.cid_chars = sum(1 for c in chars if c["text"].startswith("(cid:"))
    area = float(page.width) * float(page.height)
    imgs = page.images
    res.images = len(imgs)
    res.page_images = sum(1 for im in imgs
                          if (float(im["x1"]) - float(im["x0"])) * (float(im["bottom"]) - float(im["top"])) >= 0.25 * area)
    if res.chars == 0:
        return res
    # fake bold (each glyph drawn twice, slightly offset) doubles the text: dedupe only when it is there
    seen: set[tuple] = set()
    dupes = 0
    for c in chars:
        key = (c["text"], round(c["x0"]), round(c["top"]))
        if key in seen:
            dupes += 1
        seen.add(key)
    if dupes > 2:
        page = page.dedupe_chars()
    found = []
    try:
        for t in page.find_tables(TABLE_SETTINGS):
            if len(t.cells) < 2:
                continue  # a frame around text, not a table
            found.append(t)
    except Exception as exc:  # noqa: BLE001 - geometry trouble on one page: read it as text
        log.debug("find_tables failed: %s", exc)
        found = []
    bboxes = [t.bbox for t in found]
    all_chars = page.chars

    def in_tables(obj) -> bool:
        mx = (obj["x0"] + obj["x1"]) / 2
        my = (obj["top"] + obj["bottom"]) / 2
        return any(b[0] <= mx <= b[2] and b[1] <= my <= b[3] for b in bboxes)

    for t in found:
        x0, top, x1, bottom = t.bbox
        tchars = [c for c in all_chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
        rows = _table_rows(t, tchars)
        ncols = len({c[0] for c in t.cells})
        if rows:
            res.items.append(_Table(rows, top, bottom, x0, x1, ncols))
    outside = page.filter(lambda o: o.get("object_type") != "char" or not in_tables(o)) if bboxes else page
    want_chars = is_first or not found
    for ln in outside.extract_text_lines(return_chars=want_chars, x_tolerance=1.5, y_tolerance=3):
        text = ln["text"].strip()
        if not text:
            continue
        size = 0.0
        segs = None
        if want_chars and ln.get("chars"):
            lchars = [c for c in ln["chars"] if not c["text"].isspace()]
            if lchars:
                size = statistics.median(float(c["size"]) for c in lchars)
                if not found:
                    segs = _segments(lchars, size)
        res.items.append(_Line(text, float(ln["top"]), float(ln["bottom"]), size, segs))
    res.items.sort(key=lambda it: it.top)
    res.ruled = bool(found)
    return res


_ENUMERATED = re.compile(r"^(第.{1,8}[条项]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")


def _is_value_row(it) -> bool:
    segs = it.segments if isinstance(it, _Line) else None
    return bool(segs) and len(segs) >= 2 and any(_NUMERIC.match(t) for _, _, t in segs[1:])


def _positional_tables(items: list) -> list:
    """Borderless tables from text positions.

    Lines whose runs hold numbers are table rows.  Between the first and the last such row, a line
    inside the label column (left of the first number column) that does not start with an
    enumerator ("1.", "（三）", "第二十条…") continues the label of the nearest row (a label wrapped
    in its cell); other lines are rows of their own (headers, group labels); a long line of prose
    ends the table.
    """
    rows_at = [i for i, it in enumerate(items) if _is_value_row(it)]
    if len(rows_at) < 2:
        return items
    out: list = []
    i = 0
    n = len(items)
    while i < n:
        if not _is_value_row(items[i]):
            out.append(items[i])
            i += 1
            continue
        # a block: from this value row to the last value row before a line of prose
        j = i
        last_row = i
        while j + 1 < n:
            nxt = items[j + 1]
            if _is_value_row(nxt):
                last_row = j + 1
            elif len(nxt.text) > 30 and not (nxt.segments and len(nxt.segments) >= 3):
                break
            j += 1
        rows_in = [it for it in items[i:last_row + 1] if _is_value_row(it)]
        if len(rows_in) < 2:
            out.append(items[i])
            i += 1
            continue
        labelled = [it for it in rows_in if not _NUMERIC.match(it.segments[0][2])] or rows_in
        num_x = min(next(x0 for x0, _, t in it.segments[1:] if _NUMERIC.match(t)) for it in labelled)
        # label lines wrapped below the last row still belong to it
        while (last_row + 1 < n and isinstance(items[last_row + 1], _Line)
               and not _ENUMERATED.match(items[last_row + 1].text.strip())
               and all(x1 < num_x - 2 for _, x1, _ in (items[last_row + 1].segments or [(0.0, 1e9, "")]))
               and items[last_row + 1].top - items[last_row].bottom < 0.8 * max(items[last_row].size, 8.0)):
            last_row += 1
        block = items[i:last_row + 1]
        table = _Table([], block[0].top, block[-1].bottom, 0.0, 0.0,
                       max(len(it.segments) for it in rows_in), positional=True)
        tol = 2.0 * max(rows_in[0].size, 8.0)
        rows: list[list[list]] = []  # [x0, x1, text] cells
        tops: list[float] = []
        is_value: list[bool] = []
        pending: list[list] = []  # label pieces seen above the row they belong to

        def merge(cells: list[list], pieces: list, before: bool) -> None:
            """Join wrapped label pieces to the label cells above/below them, column by column."""
            for x0, x1, t in pieces:
                best = None
                for c in cells:
                    if c[0] < num_x - 2 and abs(c[0] - x0) <= tol and (best is None or abs(c[0] - x0) < abs(best[0] - x0)):
                        best = c
                if best is None:
                    cells.append([x0, x1, t])
                    cells.sort(key=lambda c: c[0])
                elif before:
                    best[2] = t + "\n" + best[2]
                else:
                    best[2] = best[2] + "\n" + t

        for k, it in enumerate(block):
            segs = it.segments or [(0.0, 0.0, it.text)]
            if _is_value_row(it):
                cells = [list(sg) for sg in segs]
                if pending:
                    merge(cells, pending, before=True)
                    pending = []
                rows.append(cells)
                tops.append(it.top)
                is_value.append(True)
                continue
            in_label = all(x1 < num_x - 2 for _, x1, _ in segs)
            if in_label and not _ENUMERATED.match(it.text.strip()):
                # attach to the nearer value row: the previous one, or the next one
                prev_d = it.top - tops[-1] if tops and is_value[-1] else None
                nxt = next((b for b in block[k + 1:] if _is_value_row(b)), None)
                next_d = nxt.top - it.top if nxt is not None else None
                # a label starts with its enumerator: nothing goes in front of "2.重复申请"
                next_starts = nxt is not None and bool(_ENUMERATED.match(nxt.segments[0][2]))
                if prev_d is not None and (next_d is None or next_starts or prev_d <= next_d):
                    merge(rows[-1], list(segs), before=False)
                else:
                    pending.extend(segs)
                continue
            if pending:
                rows.append([list(sg) for sg in pending])
                tops.append(it.top)
                is_value.append(False)
                pending = []
            rows.append([list(sg) for sg in segs])
            tops.append(it.top)
            is_value.append(False)
        if pending:
            rows.append([list(sg) for sg in pending])
        rows = [[c[2] for c in r] for r in rows]
        table.rows = rows
        out.append(table)
        i = last_row + 1
    return out


def _furniture(pages: list[_Page]) -> set[tuple[int, int]]:
    """(page, item index) of page numbers and running headers/footers."""
    drop: set[tuple[int, int]] = set()
    band_keys: dict[str, set[int]] = {}
    band_items: list[tuple[int, int, str]] = []
    for pi, pg in enumerate(pages):
        h = pg.height or 842.0
        for ii, it in enumerate(pg.items):
            if not isinstance(it, _Line):
                continue
            in_band = it.top < 0.09 * h or it.bottom > 0.91 * h
            if not in_band:
                continue
            if _PAGE_NUMBER.match(it.text.strip()):
                drop.add((pi, ii))
                continue
            key = re.sub(r"\d+", "#", re.sub(r"\s+", "", it.text))
            band_keys.setdefault(key, set()).add(pi)
            band_items.append((pi, ii, key))
    if len(pages) >= 2:
        for pi, ii, key in band_items:
            seen = band_keys[key]
            if len(seen) >= max(2, len(pages) // 2) and pi != min(seen):
                drop.add((pi, ii))
    return drop


def _pdf_meta(pdf) -> tuple[str | None, dict[str, str]]:
    meta: dict[str, str] = {}
    info = pdf.metadata or {}
    title = meaningful_title(info.get("Title"))
    for key, out in (("Creator", "creator_app"), ("Producer", "generator"), ("Author", "creator")):
        v = info.get(key)
        if isinstance(v, bytes):
            v = v.decode("latin-1", "replace")
        if isinstance(v, str) and v.strip():
            meta[out] = v.strip()[:200]
    for key, out in (("CreationDate", "created"), ("ModDate", "modified")):
        d = pdf_date(info.get(key))
        if d:
            meta[out] = d
    return title, meta


def read(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    t0 = time.monotonic()
    try:
        limits.check_size(data, settings)
        _check_structure(data)
        n_pages = _open_checks(data, settings)
    except Refused as exc:
        return limits.refused("pdf", exc)
    pages: list[_Page] = []
    errors: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            title, meta = _pdf_meta(pdf)
            for i, page in enumerate(pdf.pages):
                if time.monotonic() - t0 > settings.read_timeout:
                    return limits.failed("pdf", limits.TIMED_OUT, f"read_timeout {settings.read_timeout:g}s at page {i + 1}")
                try:
                    pages.append(_read_page(page, i == 0))
                except (PDFPasswordIncorrect, PDFEncryptionError):
                    raise
                except Exception as exc:  # noqa: BLE001 - one broken page does not sink the document
                    errors.append(f"page {i + 1}: {type(exc).__name__}: {str(exc)[:80]}")
                    pages.append(_Page())
                finally:
                    try:
                        page.close()
                    except Exception:  # noqa: BLE001
                        pass
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        return limits.failed("pdf", limits.ENCRYPTED, str(exc)[:160])
    except Exception as exc:  # noqa: BLE001 - pdfminer's many parse errors
        return limits.failed("pdf", limits.CORRUPT, f"{type(exc).__name__}: {str(exc)[:160]}")
    if errors:
        meta["page_errors"] = "; ".join(errors[:5])
    if errors and len(errors) == len(pages):
        return limits.failed("pdf", limits.CORRUPT, meta["page_errors"])
    return _assemble(pages, n_pages, title, meta, settings)


def _assemble(pages: list[_Page], n_pages: int, title: str | None, meta: dict[str, str],
              settings: ExtractSettings) -> ParsedDocument:
    total_chars = sum(p.chars for p in pages)
    cid_chars = sum(p.cid_chars for p in pages)
    images = sum(p.images for p in pages)
    page_images = sum(p.page_images for p in pages)
    meta["pages"] = str(n_pages)
    if total_chars < max(50, settings.pdf_scan_min_chars_per_page * n_pages) and (page_images or images):
        return ParsedDocument(format="pdf", layout="pdf_scan", cells=[], text="", title=title, meta=meta,
                              images=images, status="no_tables", reason="scanned")
    if total_chars == 0:
        return ParsedDocument(format="pdf", layout="none", cells=[], text="", title=title, meta=meta,
                              images=images, status="no_tables", reason="no text layer")
    if cid_chars > 0.5 * total_chars:
        return ParsedDocument(format="pdf", layout="none", cells=[], text="", title=title, meta=meta,
                              images=images, status="no_tables", reason="no text layer (fonts without unicode map)")
    drop = _furniture(pages)
    cells: list[Cell] = []
    lines: list[str] = []
    table_id = -1
    rows_in: dict[int, int] = {}
    prev_last: _Table | None = None  # the previous page's last item, when a table
    prev_tid = -1
    positional = ruled = 0
    for pi, pg in enumerate(pages):
        items = [it for ii, it in enumerate(pg.items) if (pi, ii) not in drop]
        if not pg.ruled:
            items = _positional_tables(items)
        for k, it in enumerate(items):
            if isinstance(it, _Table):
                cont = (k == 0 and prev_last is not None and prev_last.positional == it.positional
                        and (prev_last.ncols == it.ncols
                             or (abs(prev_last.x0 - it.x0) < 6 and abs(prev_last.x1 - it.x1) < 6)))
                if cont:
                    tid = prev_tid
                else:
                    table_id += 1
                    tid = table_id
                if it.positional:
                    positional += 1
                else:
                    ruled += 1
                for row in it.rows:
                    r = rows_in.get(tid, 0)
                    rows_in[tid] = r + 1
                    for text in row:
                        cells.append(Cell(text, tid, r))
                    lines.append("\t".join(t.replace("\n", " ") for t in row))
                prev_tid = tid
            else:
                cells.append(Cell(it.text))
                lines.append(it.text)
        prev_last = items[-1] if items and isinstance(items[-1], _Table) else None
    # title candidates: the first page's large lines (joined), then its first lines
    candidates: list[str] = []
    if pages:
        first = [it for ii, it in enumerate(pages[0].items) if (0, ii) not in drop]
        head: list[_Line] = []
        for it in first:
            if isinstance(it, _Table):
                break
            head.append(it)
        sizes = [it.size for it in head if it.size]
        if sizes:
            body = statistics.median(sizes)
            big: list[str] = []
            for it in head:
                if it.size > body + 0.5:
                    big.append(it.text)
                elif big:
                    break
            if big:
                candidates.append("".join(big))
        for it in head[:6]:
            if it.text not in candidates and len(it.text) <= 80:
                candidates.append(it.text)
    layout = "pdf_table" if ruled else ("pdf_positions" if positional else "pdf_text")
    return ParsedDocument(format="pdf", layout=layout, cells=cells, text="\n".join(lines), title=title,
                          title_candidates=candidates[:8], meta=meta, images=images)
