"""PDF reader on pdfium: our own table geometry over pdfium's characters and ruling lines.

pdfium (pypdfium2, Apache-2.0/BSD) parses the file; `pdfium_page` asks it for each character's
box, the axis-parallel segments of the path objects and the image boxes; `grid` turns the segments
into ruled tables.  No pdfplumber or pdfminer on this path (pdfminer's Python interpreter cost
about 10x what pdfium does for the same characters and paths).

Per page:
- ruled tables are found from the drawn lines and rectangles (`grid.find_tables`: snapped and
  joined segments, their intersections, the smallest rectangles between them); each table row is
  emitted as its physical cells left to right, whatever order the text layer stores the
  characters in (column order is common).  A cell's characters are joined line by line
  ("商 业 企\\n业" stays one cell).  A grid position covered by a cell from the left (a column
  span) is skipped; one covered from above (a row span) is "".
- text outside the tables → narrative lines (table=None), interleaved with the tables by their
  vertical position.
- a page with no ruled table falls back to text positions: a line whose characters fall into
  two or more runs separated by wide gaps, one of them a number, is a table row of its runs.
- page furniture is dropped: page numbers ("— 4 —", "第4页 共9页", "4/9") in the top or bottom
  band, and lines repeated in those bands across pages (running headers; page 1 keeps its copy).
- a table that ends a page and one that starts the next page with the same columns are one table:
  rows continue with the same table id.  A row that the page break cut in two (a label wrapped
  onto the next page, the values left on the first) is joined back into one row.
Before any parsing, the file is checked: size (too_large), %%EOF / startxref (truncated), the
page count with pdfium (too_many_pages), a user password (encrypted).  Owner-password PDFs
(permissions only) open as usual.  Documents with (almost) no text and page-sized images are
scans: status no_tables, reason "scanned".  The /Title metadata is used when meaningful.
"""
from __future__ import annotations

import bisect
import re
import time

from ..model import ParsedDocument
from ..settings import ExtractSettings
from . import limits
from ._util import clean_cell_text, meaningful_title, pdf_date
from .grid import GridTable, find_tables
from .limits import Refused
from .pages import ENUMERATED, NUMERIC, Line, Page, Table, assemble
from .pdfium_page import Glyph, PageContent, read_page

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


def _open(data: bytes, settings: ExtractSettings):
    """The pdfium document; raises Refused for encrypted, corrupt, or too long files."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise Refused(limits.ENCRYPTED, "a password is needed to open the file") from None
        raise Refused(limits.CORRUPT, msg[:160]) from None
    n = len(doc)
    if n > settings.max_pdf_pages:
        doc.close()
        raise Refused(limits.TOO_MANY_PAGES, f"{n} pages > max_pdf_pages {settings.max_pdf_pages}")
    if n == 0:
        doc.close()
        raise Refused(limits.CORRUPT, "no pages")
    return doc


def _segments(glyphs: list[Glyph], size: float) -> list[tuple[float, float, str]]:
    """Split a line's characters into runs at wide horizontal gaps (borderless tables): (x0, x1, text)."""
    if not glyphs:
        return []
    gap_min = max(0.9 * size, 6.0)
    runs: list[list[Glyph]] = [[glyphs[0]]]
    for prev, ch in zip(glyphs, glyphs[1:]):
        if ch.x0 - prev.x1 > gap_min:
            runs.append([ch])
        else:
            runs[-1].append(ch)
    out = []
    for run in runs:
        text = _join_run(run, 0.6 * size)
        if text:
            out.append((run[0].x0, run[-1].x1, text))
    return out


def _join_run(glyphs: list[Glyph], space_gap: float) -> str:
    """The text of characters in one line, left to right, with a space at each gap wider than space_gap."""
    parts = [glyphs[0].text]
    for prev, ch in zip(glyphs, glyphs[1:]):
        if ch.x0 - prev.x1 > space_gap:
            parts.append(" ")
        parts.append(ch.text)
    return "".join(parts).strip()


def _line_groups(glyphs: list[Glyph], y_tol: float = 3.0) -> list[list[Glyph]]:
    """Characters grouped into lines by their baseline (chains closer than y_tol), top to bottom,
    each line left to right."""
    if not glyphs:
        return []
    ordered = sorted(glyphs, key=lambda g: g.base)
    lines: list[list[Glyph]] = [[ordered[0]]]
    last = ordered[0].base
    for g in ordered[1:]:
        if g.base - last <= y_tol:
            lines[-1].append(g)
        else:
            lines.append([g])
        last = g.base
    for ln in lines:
        ln.sort(key=lambda g: g.x0)
    return lines


def _cell_text(glyphs: list[Glyph]) -> str:
    """A table cell's text: its lines joined by newlines (a label wrapped in its cell stays one cell)."""
    if not glyphs:
        return ""
    return clean_cell_text("\n".join(_join_run(ln, 3.0) for ln in _line_groups(glyphs)))


def _dedupe(glyphs: list[Glyph]) -> list[Glyph]:
    """Drop fake-bold doubles (each character drawn twice, slightly offset), only when they are there."""
    seen: set[tuple] = set()
    dupes = 0
    for g in glyphs:
        key = (g.text, round(g.x0), round(g.top))
        if key in seen:
            dupes += 1
        seen.add(key)
    if dupes <= 2:
        return glyphs
    kept: list[Glyph] = []
    buckets: dict[tuple[str, int, int], list[Glyph]] = {}
    for g in glyphs:
        bx, by = int(g.x0 // 1), int(g.top // 1)
        dup = False
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for o in buckets.get((g.text, bx + dx, by + dy), ()):
                    if abs(o.x0 - g.x0) <= 1.0 and abs(o.top - g.top) <= 1.0:
                        dup = True
                        break
        if not dup:
            kept.append(g)
            buckets.setdefault((g.text, bx, by), []).append(g)
    return kept


def _table_rows(table: GridTable, glyphs: list[Glyph]) -> tuple[list[list[str]], list[list[tuple[float, float]]]]:
    """Each row's cell texts (see GridTable.slots) and the x-extent of each slot."""
    by_cy = sorted(glyphs, key=lambda g: g.top + g.bottom)
    keys = [g.top + g.bottom for g in by_cy]
    out: list[list[str]] = []
    spans: list[list[tuple[float, float]]] = []
    for r in range(len(table.rows)):
        texts: list[str] = []
        xr: list[tuple[float, float]] = []
        for cell, sx0, sx1 in table.slots(r):
            if cell is None:
                texts.append("")
                xr.append((sx0, sx1))
                continue
            lo = bisect.bisect_left(keys, 2 * cell.top)
            hi = bisect.bisect_left(keys, 2 * cell.bottom)
            inside = [g for g in by_cy[lo:hi] if cell.x0 <= (g.x0 + g.x1) / 2 < cell.x1]
            texts.append(_cell_text(inside))
            xr.append((cell.x0, cell.x1))
        if texts:
            out.append(texts)
            spans.append(xr)
    return out, spans


def _read_page(content: PageContent, is_first: bool) -> Page:
    res = Page(height=content.height)
    glyphs = content.glyphs
    res.chars = len(glyphs)
    res.cid_chars = content.unmapped
    area = content.width * content.height
    res.images = len(content.images)
    res.page_images = sum(1 for x0, top, x1, bottom in content.images if (x1 - x0) * (bottom - top) >= 0.25 * area)
    if res.chars == 0:
        return res
    glyphs = _dedupe(glyphs)
    found = find_tables(content.hsegs, content.vsegs)
    bboxes = [t.bbox for t in found]
    outside: list[Glyph] = []
    inside: list[list[Glyph]] = [[] for _ in found]
    for g in glyphs:
        mx, my = (g.x0 + g.x1) / 2, (g.top + g.bottom) / 2
        for k, b in enumerate(bboxes):
            if b[0] <= mx <= b[2] and b[1] <= my <= b[3]:
                inside[k].append(g)
                break
        else:
            outside.append(g)
    for t, tglyphs in zip(found, inside):
        rows, spans = _table_rows(t, tglyphs)
        x0, top, x1, bottom = t.bbox
        if rows:
            res.items.append(Table(rows, top, bottom, x0, x1, t.ncols, spans=spans))
    want_size = is_first or not found
    for ln in _line_groups(outside):
        text = _join_run(ln, 1.5)
        if not text:
            continue
        size = content.font_size(ln) if want_size else 0.0
        segs = _segments(ln, size) if (size and not found) else None
        res.items.append(Line(text, min(g.top for g in ln), max(g.bottom for g in ln), size, segs))
    res.items.sort(key=lambda it: it.top)
    res.ruled = bool(found)
    return res


def _is_value_row(it) -> bool:
    segs = it.segments if isinstance(it, Line) else None
    return bool(segs) and len(segs) >= 2 and any(NUMERIC.match(t) for _, _, t in segs[1:])


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
        labelled = [it for it in rows_in if not NUMERIC.match(it.segments[0][2])] or rows_in
        num_x = min(next(x0 for x0, _, t in it.segments[1:] if NUMERIC.match(t)) for it in labelled)
        # label lines wrapped below the last row still belong to it
        while (last_row + 1 < n and isinstance(items[last_row + 1], Line)
               and not ENUMERATED.match(items[last_row + 1].text.strip())
               and all(x1 < num_x - 2 for _, x1, _ in (items[last_row + 1].segments or [(0.0, 1e9, "")]))
               and items[last_row + 1].top - items[last_row].bottom < 0.8 * max(items[last_row].size, 8.0)):
            last_row += 1
        block = items[i:last_row + 1]
        table = Table([], block[0].top, block[-1].bottom, 0.0, 0.0,
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
            if in_label and not ENUMERATED.match(it.text.strip()):
                # attach to the nearer value row: the previous one, or the next one
                prev_d = it.top - tops[-1] if tops and is_value[-1] else None
                nxt = next((b for b in block[k + 1:] if _is_value_row(b)), None)
                next_d = nxt.top - it.top if nxt is not None else None
                # a label starts with its enumerator: nothing goes in front of "2.重复申请"
                next_starts = nxt is not None and bool(ENUMERATED.match(nxt.segments[0][2]))
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


def _pdf_meta(doc) -> tuple[str | None, dict[str, str]]:
    meta: dict[str, str] = {}
    try:
        info = doc.get_metadata_dict(skip_empty=True)
    except Exception:  # noqa: BLE001 - broken metadata is no reason to lose the text
        info = {}
    title = meaningful_title(info.get("Title"))
    for key, out in (("Creator", "creator_app"), ("Producer", "generator"), ("Author", "creator")):
        v = info.get(key)
        if isinstance(v, str) and v.strip():
            meta[out] = v.strip()[:200]
    for key, out in (("CreationDate", "created"), ("ModDate", "modified")):
        d = pdf_date(info.get(key))
        if d:
            meta[out] = d
    return title, meta


def _is_scan_page(pg: Page, settings: ExtractSettings) -> bool:
    """A page whose content is a picture: (almost) no text layer and a page-sized image."""
    return pg.chars < settings.pdf_scan_min_chars_per_page and pg.page_images > 0


def read(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    t0 = time.monotonic()
    try:
        limits.check_size(data, settings)
        _check_structure(data)
        doc = _open(data, settings)
    except Refused as exc:
        return limits.refused("pdf", exc)
    pages: list[Page] = []
    errors: list[str] = []
    try:
        n_pages = len(doc)
        title, meta = _pdf_meta(doc)
        for i in range(n_pages):
            if time.monotonic() - t0 > settings.read_timeout or (limits.remaining(1.0) or 0.0) <= 0.0:
                return limits.failed("pdf", limits.TIMED_OUT, f"read_timeout {settings.read_timeout:g}s at page {i + 1}")
            page = content = None
            try:
                page = doc[i]
                content = read_page(page)
                pages.append(_read_page(content, i == 0))
            except Exception as exc:  # noqa: BLE001 - one broken page does not sink the document
                errors.append(f"page {i + 1}: {type(exc).__name__}: {str(exc)[:80]}")
                pages.append(Page())
            finally:
                if content is not None:
                    content.close()
                if page is not None:
                    page.close()
        scans = [i for i, pg in enumerate(pages) if _is_scan_page(pg, settings)]
        if scans and settings.ocr:
            try:
                _ocr_scan_pages(doc, pages, scans, settings)
            except Refused as exc:
                return limits.refused("pdf", exc)
    finally:
        doc.close()
    if errors:
        meta["page_errors"] = "; ".join(errors[:5])
    if errors and len(errors) == len(pages):
        return limits.failed("pdf", limits.CORRUPT, meta["page_errors"])
    return _assemble(pages, n_pages, title, meta, settings)


def _ocr_scan_pages(doc, pages: list[Page], scans: list[int], settings: ExtractSettings) -> None:
    """Replace the pages that are pictures by their OCR reading (rendered with pdfium, in process)."""
    from . import ocr

    if len(scans) > settings.ocr_max_pages:
        raise Refused(limits.TOO_MANY_PAGES, f"{len(scans)} scanned pages > ocr_max_pages {settings.ocr_max_pages}")
    for k, i in enumerate(scans):
        page = doc[i]
        try:
            image = ocr.pdf_page_image(page, settings)
        finally:
            page.close()
        text_page = pages[i]
        [ocr_page] = ocr.ocr_pages([image], settings, first_index=i, done=k, total=len(scans))
        ocr_page.chars = max(ocr_page.chars, text_page.chars)
        pages[i] = ocr_page


def _assemble(pages: list[Page], n_pages: int, title: str | None, meta: dict[str, str],
              settings: ExtractSettings) -> ParsedDocument:
    total_chars = sum(p.chars for p in pages)
    cid_chars = sum(p.cid_chars for p in pages)
    images = sum(p.images for p in pages)
    page_images = sum(p.page_images for p in pages)
    meta["pages"] = str(n_pages)
    if any(p.ocr for p in pages):
        from . import ocr

        return ocr.document(pages, "pdf", meta, title=title)
    if total_chars < max(50, settings.pdf_scan_min_chars_per_page * n_pages) and (page_images or images):
        return ParsedDocument(format="pdf", layout="pdf_scan", cells=[], text="", title=title, meta=meta,
                              images=images, status="no_tables", reason="scanned")
    if total_chars == 0:
        return ParsedDocument(format="pdf", layout="none", cells=[], text="", title=title, meta=meta,
                              images=images, status="no_tables", reason="no text layer")
    if cid_chars > 0.5 * total_chars:
        return ParsedDocument(format="pdf", layout="none", cells=[], text="", title=title, meta=meta,
                              images=images, status="no_tables", reason="no text layer (fonts without unicode map)")
    out = assemble(pages, _positional_tables)
    if out.rows_joined:
        meta["rows_joined_across_pages"] = str(out.rows_joined)
    layout = "pdf_table" if out.ruled_tables else ("pdf_positions" if out.positional_tables else "pdf_text")
    return ParsedDocument(format="pdf", layout=layout, cells=out.cells, text=out.text, title=title,
                          title_candidates=out.title_candidates, meta=meta, images=images)
