"""The layout of one OCR'd page: ruling lines, the table grid, boxes placed into cells, and trust.

From the recognised boxes (ocr_engine) and the page image itself:
1. ruling lines: adaptive threshold, morphological opening with horizontal / vertical kernels scaled to
   the text height (OpenCV); a segment is a rule only when both its ends meet a rule of the other
   direction (a dash "—" or a stroke inside a cell never does); touching rules form a table; its grid
   comes from the clustered line positions, and merged cells (rowspan / colspan) from the grid
   topology: two neighbouring grid cells are one cell when the rule between them is missing;
2. placement: every recognised box goes to the grid cell under its centre; a box that crosses a rule
   is split between the cells by its character boxes;
3. trust: ink left in a cell that no recognised box covers is re-read from the cell crop (recognition
   only); if that re-read disagrees with the page OCR, or nothing readable is there, the cell is
   flagged; a value cell (in a column of numbers) whose text is not a clean number / not-reported
   marker, or whose weakest character probability is below `min_confidence`, is flagged.  A flagged
   value is never guessed: the reader hands it on blank, with its confidence (ocr.py);
4. tables without rules: lines whose boxes fall in two or more runs with numbers become rows, with
   columns found by clustering the x centres of the number boxes (a blank cell stays a blank cell);
5. page numbers in the top and bottom bands are dropped.
Rows come out the way the PDF reader emits them (a cell where it starts, "" under a row span, nothing for
the columns a column span covers), so the table parser sees OCR'd tables as it sees every other format.
"""
from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass, field

import cv2
import numpy as np

from .ocr_engine import TextBox, estimate_skew, ocr_page, reread, rotate, to_grey


@dataclass
class PageResult:
    index: int
    size: tuple[int, int]  # (width, height) of the deskewed page
    skew: float  # degrees the page was rotated by to straighten it
    items: list = field(default_factory=list)  # _Table | _Line, top to bottom, furniture dropped
    boxes: list[TextBox] = field(default_factory=list)
    tables: int = 0
    ruled: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def confidences(self) -> list[float]:
        return [b.min_conf for b in self.boxes if b.text.strip()]

    @property
    def min_confidence(self) -> float | None:
        c = self.confidences
        return min(c) if c else None

    @property
    def mean_confidence(self) -> float | None:
        c = [b.conf for b in self.boxes if b.text.strip()]
        return float(np.mean(c)) if c else None



_MARKERS = {"", "/", "//", "\\", "-", "--", "---", "—", "——", "–", "一", "一一", "无", "不适用", "暂无", "空"}
_UNITS = "万元|亿元|千元|元|件次|人次|件|个|项|条|次|宗|家|份|%"
_CLEAN_NUMBER = re.compile(rf"^[+-]?(\d{{1,3}}(,\d{{3}})+|\d+)(\.\d+)?({_UNITS})?$")
_DIGIT = re.compile(r"\d")


def norm_value_text(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"[\s\u3000]+", "", s)
    return s.replace("−", "-").replace("﹢", "+").replace("—", "—")


def is_clean_value(text: str) -> bool:
    if re.search(r"\d[\s\u3000]+[\d+\-]", unicodedata.normalize("NFKC", text)):
        return False  # two numbers in one cell: a missed rule or a merged box, never one value
    s = norm_value_text(text)
    return s in _MARKERS or bool(_CLEAN_NUMBER.match(s))


def looks_numeric(text: str) -> bool:
    s = norm_value_text(text)
    return bool(s) and (s in _MARKERS or bool(_DIGIT.search(s)) and len(re.sub(r"[\d,.+\-元万件个项%]", "", s)) <= 1)


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch in "（）、：，。“”《》"


# ----------------------------------------------------------------------------------------------------------
# Ruling lines and grids
# ----------------------------------------------------------------------------------------------------------

@dataclass
class _Seg:
    a0: float  # start along the line
    a1: float  # end along the line
    p: float  # position across (y for horizontal, x for vertical)
    t: float  # thickness


@dataclass
class _Region:
    r0: int
    c0: int
    r1: int  # inclusive
    c1: int
    bbox: tuple[int, int, int, int]
    pieces: list = field(default_factory=list)  # (y, x0, x1, text, confs)
    text: str = ""
    conf: float | None = None
    flag: str | None = None
    numeric: bool = False


@dataclass
class _Table:
    top: float
    bottom: float
    x0: float
    x1: float
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    regions: list[_Region] = field(default_factory=list)
    owner: list[list[int]] = field(default_factory=list)  # grid (row, col) -> region index
    rows: list[list[_Region | None]] = field(default_factory=list)  # emitted rows (None: blank positional cell)
    positional: bool = False

    @property
    def ncols(self) -> int:
        return max(1, len(self.xs) - 1) if not self.positional else max((len(r) for r in self.rows), default=0)


@dataclass
class _Line:
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    boxes: list[TextBox]
    size: float

    @property
    def conf(self) -> float | None:
        c = [b.min_conf for b in self.boxes if b.text.strip()]
        return min(c) if c else None


def _segments(mask: np.ndarray, horizontal: bool, min_len: int, max_thick: float, max_gap: float) -> list[_Seg]:
    """Rules of one direction from an opened mask.  A component thicker than a rule (a rule with glyph
    strokes touching it) is cut down to the rows (columns) where the run is nearly as long as the rule."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segs: list[_Seg] = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        length, thick = (w, h) if horizontal else (h, w)
        if length < min_len:
            continue
        if thick <= max_thick * 3:
            if horizontal:
                segs.append(_Seg(float(x), float(x + w - 1), y + h / 2.0, max(1.0, area / max(w, 1))))
            else:
                segs.append(_Seg(float(y), float(y + h - 1), x + w / 2.0, max(1.0, area / max(h, 1))))
            continue
        sub = labels[y:y + h, x:x + w] == i
        prof = sub.sum(axis=1 if horizontal else 0)
        keep = prof >= 0.6 * prof.max()
        k = 0
        while k < len(keep):
            if not keep[k]:
                k += 1
                continue
            e = k
            while e + 1 < len(keep) and keep[e + 1]:
                e += 1
            band = sub[k:e + 1, :] if horizontal else sub[:, k:e + 1]
            along = np.nonzero(band.any(axis=0 if horizontal else 1))[0]
            if len(along) and along[-1] - along[0] + 1 >= min_len and e - k + 1 <= max_thick * 3:
                base = x if horizontal else y
                pos = (y if horizontal else x) + (k + e) / 2.0
                segs.append(_Seg(float(base + along[0]), float(base + along[-1]), pos, float(e - k + 1)))
            k = e + 1
    # join collinear pieces broken by noise
    out: list[_Seg] = []
    for s in sorted(segs, key=lambda s: (s.p, s.a0)):
        for o in out:
            if abs(o.p - s.p) <= 2.5 and s.a0 - o.a1 <= max_gap and s.a1 >= o.a0 - max_gap:
                o.a0, o.a1 = min(o.a0, s.a0), max(o.a1, s.a1)
                break
        else:
            out.append(_Seg(s.a0, s.a1, s.p, s.t))
    return out


def _trim(segs: list[_Seg], others: list[_Seg], tol: float, min_len: float) -> list[_Seg]:
    """Rules met by at least two perpendicular rules, cut to the span between the outermost two (ink
    beyond them is a glyph stroke touching the rule, or a tick)."""
    out = []
    for sg in segs:
        cross = [o.p for o in others if o.a0 - tol <= sg.p <= o.a1 + tol and sg.a0 - tol <= o.p <= sg.a1 + tol]
        if len(cross) < 2:
            continue
        a0, a1 = max(sg.a0, min(cross)), min(sg.a1, max(cross))
        if a1 - a0 + 2 * tol < min_len:
            continue
        out.append(_Seg(a0, a1, sg.p, sg.t))
    return out


def _touches(end: float, pos: float, others: list[_Seg], tol: float) -> bool:
    """Does the end of a segment (`end` along it, at `pos` across it) meet one of `others` (perpendicular)?"""
    for o in others:
        if abs(o.p - end) <= tol and o.a0 - tol <= pos <= o.a1 + tol:
            return True
    return False


def find_tables(grey: np.ndarray, text_h: float, boxes: list[TextBox] | None = None) -> tuple[list[_Table], np.ndarray, np.ndarray]:
    """Ruled tables of a deskewed page; also the ink mask and the mask of the rules."""
    h, w = grey.shape
    block = int(max(15, (text_h * 1.5) // 2 * 2 + 1))
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    kh = int(max(12, text_h * 2.0))
    kv = int(max(10, text_h * 0.9))
    # a faint rule under dense glyphs falls below the local mean: rules also from a global threshold
    otsu = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
    ink_l = cv2.bitwise_or(ink, ((grey < otsu - 10) * 255).astype(np.uint8))
    # a thin rule wavers by a pixel (residual skew, JPEG, blur): thicken it across before the opening
    ink_h = cv2.dilate(ink_l, np.ones((3, 1), np.uint8))
    ink_v = cv2.dilate(ink_l, np.ones((1, 3), np.uint8))
    hmask = cv2.morphologyEx(ink_h, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (kh, 1)))
    vmask = cv2.morphologyEx(ink_v, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, kv)))
    thick = max(2.0, text_h / 8) + 2
    hs = _segments(hmask, True, kh, thick, 1.2 * text_h)
    vs = _segments(vmask, False, kv, thick, 1.2 * text_h)
    tol = max(4.0, text_h * 0.3)
    # rules belong to a frame: a component of the rule masks much larger than a glyph
    both = cv2.bitwise_or(hmask, vmask)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
    big = np.zeros(n, dtype=bool)
    for i in range(1, n):
        big[i] = stats[i][2] >= 3 * text_h and stats[i][3] >= 1.2 * text_h

    def on_frame(sg: _Seg, horizontal: bool) -> bool:
        for a in (sg.a0 + 1, (sg.a0 + sg.a1) / 2, sg.a1 - 1):
            x, y = (int(a), int(round(sg.p))) if horizontal else (int(round(sg.p)), int(a))
            lab = labels[min(max(y, 0), h - 1), min(max(x, 0), w - 1)]
            if lab and big[lab]:
                return True
        return False

    hs = [sg for sg in hs if on_frame(sg, True)]
    vs = [sg for sg in vs if on_frame(sg, False)]
    # both ends of a rule meet a rule of the other direction (tight: the ink is connected)
    th_med = float(np.median([sg.t for sg in hs + vs])) if hs or vs else 2.0
    tol_end = th_med / 2 + max(2.0, 0.06 * text_h)
    for _ in range(3):
        hk = _trim(hs, vs, tol_end, kh)
        vk = _trim(vs, hs, tol_end, kv)
        if boxes:
            # a vertical "rule" running through recognised text is glyph strokes touching the rules of
            # tight rows ("十" in a bold heading, "案" over "事" in two rows at 150 dpi), not a rule
            m = 0.15 * text_h

            def glyph(sg: _Seg) -> bool:
                inside = 0.0
                straddle = 0
                for b in boxes:
                    if b.x0 + m < sg.p < b.x1 - m:
                        ov = max(0.0, min(sg.a1, b.y1) - max(sg.a0, b.y0))
                        inside += ov
                        if ov > 0.5 * b.h and b.x0 < sg.p - 0.5 * text_h and b.x1 > sg.p + 0.5 * text_h:
                            straddle += 1
                if inside >= 0.6 * (sg.a1 - sg.a0):
                    return True
                rows = sum(1 for o in hk if o.a0 - tol_end <= sg.p <= o.a1 + tol_end
                           and sg.a0 - tol_end <= o.p <= sg.a1 + tol_end) - 1
                if straddle >= max(1.0, 0.5 * rows):
                    return True
                # a rule never runs through the middle of a recognised character
                through = 0
                for b in boxes:
                    if not b.char_x or not (b.x0 < sg.p < b.x1):
                        continue
                    if min(sg.a1, b.y1) - max(sg.a0, b.y0) <= 0.5 * b.h:
                        continue
                    for cx0, cx1 in b.char_x:
                        cw = cx1 - cx0
                        if cx0 + 0.25 * cw < sg.p < cx1 - 0.25 * cw:
                            through += 1
                            break
                return through >= max(1.0, 0.5 * rows)

            vk = [sg for sg in vk if not glyph(sg)]
        done = len(hk) == len(hs) and len(vk) == len(vs) and all(
            (a.a0, a.a1) == (b.a0, b.a1) for a, b in zip(hk + vk, hs + vs))
        hs, vs = hk, vk
        if done:
            break
    # tables: groups of touching rules
    items = [("h", s) for s in hs] + [("v", s) for s in vs]
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (ki, si) in enumerate(items):
        if ki != "h":
            continue
        for j, (kj, sj) in enumerate(items):
            if kj != "v":
                continue
            if sj.a0 - tol <= si.p <= sj.a1 + tol and si.a0 - tol <= sj.p <= si.a1 + tol:
                pi, pj = find(i), find(j)
                if pi != pj:
                    parent[pi] = pj
    groups: dict[int, list[tuple[str, _Seg]]] = {}
    for i, it in enumerate(items):
        groups.setdefault(find(i), []).append(it)
    rules = np.zeros_like(ink)
    tables: list[_Table] = []
    for g in groups.values():
        gh = [s for k, s in g if k == "h"]
        gv = [s for k, s in g if k == "v"]
        if len(gh) < 2 or len(gv) < 2:
            continue
        x0 = min(s.p for s in gv)
        x1 = max(s.p for s in gv)
        y0 = min(s.p for s in gh)
        y1 = max(s.p for s in gh)
        if x1 - x0 < 3 * text_h or y1 - y0 < text_h:
            continue
        t = _Table(top=y0, bottom=y1, x0=x0, x1=x1)
        t.ys = _cluster([s.p for s in gh], tol)
        t.xs = _cluster([s.p for s in gv], tol)
        for s in gh:
            cv2.line(rules, (int(s.a0), int(round(s.p))), (int(s.a1), int(round(s.p))), 255, int(max(1, round(s.t))))
        for s in gv:
            cv2.line(rules, (int(round(s.p)), int(s.a0)), (int(round(s.p)), int(s.a1)), 255, int(max(1, round(s.t))))
        _build_regions(t, gh, gv, tol)
        tables.append(t)
    tables.sort(key=lambda t: t.top)
    return tables, ink, rules


def _cluster(values: list[float], tol: float) -> list[float]:
    vals = sorted(values)
    out: list[list[float]] = []
    for v in vals:
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [float(np.mean(c)) for c in out]


def _coverage(segs: list[_Seg], pos: float, a: float, b: float, tol: float) -> float:
    """Fraction of [a, b] covered by segments at `pos` (perpendicular position)."""
    if b <= a:
        return 0.0
    spans = sorted((max(a, s.a0), min(b, s.a1)) for s in segs if abs(s.p - pos) <= tol and s.a1 > a and s.a0 < b)
    covered = 0.0
    cur_a, cur_b = None, None
    for sa, sb in spans:
        if cur_b is None or sa > cur_b:
            if cur_b is not None:
                covered += cur_b - cur_a
            cur_a, cur_b = sa, sb
        else:
            cur_b = max(cur_b, sb)
    if cur_b is not None:
        covered += cur_b - cur_a
    return covered / (b - a)


def _build_regions(t: _Table, hs: list[_Seg], vs: list[_Seg], tol: float) -> None:
    """Grid cells merged where the rule between them is missing (rowspan / colspan)."""
    nr, nc = len(t.ys) - 1, len(t.xs) - 1
    if nr < 1 or nc < 1:
        return
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        pa, pb = find(a), find(b)
        if pa != pb:
            parent[pa] = pb

    for r in range(nr):
        ya, yb = t.ys[r], t.ys[r + 1]
        m = (yb - ya) * 0.2
        for c in range(nc - 1):
            if _coverage(vs, t.xs[c + 1], ya + m, yb - m, tol) < 0.5:
                union(r * nc + c, r * nc + c + 1)
    for c in range(nc):
        xa, xb = t.xs[c], t.xs[c + 1]
        m = (xb - xa) * 0.2
        for r in range(nr - 1):
            if _coverage(hs, t.ys[r + 1], xa + m, xb - m, tol) < 0.5:
                union(r * nc + c, (r + 1) * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(find(r * nc + c), []).append((r, c))
    t.owner = [[-1] * nc for _ in range(nr)]
    cells = sorted(groups.values(), key=lambda g: (min(r for r, _ in g), min(c for _, c in g)))
    for g in cells:
        r0, r1 = min(r for r, _ in g), max(r for r, _ in g)
        c0, c1 = min(c for _, c in g), max(c for _, c in g)
        idx = len(t.regions)
        t.regions.append(_Region(r0, c0, r1, c1, (int(t.xs[c0]), int(t.ys[r0]), int(t.xs[c1 + 1]), int(t.ys[r1 + 1]))))
        for r, c in g:
            t.owner[r][c] = idx


# ----------------------------------------------------------------------------------------------------------
# Placement
# ----------------------------------------------------------------------------------------------------------

def _split_box(b: TextBox, cuts: list[float]) -> list[tuple[float, float, str, list[float]]]:
    """Split a box's text at x positions (rules); by character boxes, else proportionally."""
    n = len(b.text)
    if n == 0:
        return []
    if b.char_x and len(b.char_x) == n:
        centres = [(a + c) / 2 for a, c in b.char_x]
    else:
        step = (b.x1 - b.x0) / n
        centres = [b.x0 + step * (i + 0.5) for i in range(n)]
    edges = [b.x0 - 1] + sorted(cuts) + [b.x1 + 1]
    out = []
    for a, c in zip(edges, edges[1:]):
        idx = [i for i in range(n) if a <= centres[i] < c]
        if not idx:
            continue
        txt = "".join(b.text[i] for i in idx).strip()
        if txt:
            out.append((max(a, b.x0), min(c, b.x1), txt, [b.char_conf[i] for i in idx]))
    return out


def place_boxes(t: _Table, boxes: list[TextBox]) -> list[TextBox]:
    """Put the boxes inside the table into its cells; returns the boxes left outside."""
    outside = []
    nr, nc = len(t.ys) - 1, len(t.xs) - 1
    for b in boxes:
        if not (t.x0 - 2 <= b.cx <= t.x1 + 2 and t.top - 2 <= b.cy <= t.bottom + 2):
            outside.append(b)
            continue
        if nr < 1 or nc < 1:
            continue
        r = int(np.clip(np.searchsorted(t.ys, b.cy) - 1, 0, nr - 1))
        # regions along this row crossed by the box
        cols = [c for c in range(nc) if min(b.x1, t.xs[c + 1]) - max(b.x0, t.xs[c]) > 0]
        regs: list[int] = []
        for c in cols:
            ri = t.owner[r][c]
            if ri >= 0 and ri not in regs:
                regs.append(ri)
        if not regs:
            continue
        if len(regs) == 1:
            t.regions[regs[0]].pieces.append((b.cy, b.x0, b.x1, b.text, list(b.char_conf), b.h))
            continue
        # the box crosses rules: cut it at the region borders that lie inside it
        cuts = []
        for ra, rb in zip(regs, regs[1:]):
            cut = t.regions[ra].bbox[2]
            if b.x0 < cut < b.x1:
                cuts.append(cut)
        parts = _split_box(b, cuts)
        for x0, x1, txt, confs in parts:
            cx = (x0 + x1) / 2
            target = None
            for ri in regs:
                bx0, _, bx1, _ = t.regions[ri].bbox
                if bx0 <= cx <= bx1:
                    target = ri
                    break
            if target is None:
                target = regs[-1]
            t.regions[target].pieces.append((b.cy, x0, x1, txt, confs, b.h))
            if not b.char_x:
                t.regions[target].flag = "a text box crossed a rule (split by width)"
    return outside


def _join_pieces(pieces: list, text_h: float, width: float | None = None) -> tuple[str, float | None]:
    """Text of a cell: pieces in lines (joined with "\n"); a number wrapped in a narrow cell ("13\n5")
    is joined back only when its first line fills the cell."""
    if not pieces:
        return "", None
    pieces = sorted(pieces, key=lambda p: p[0])
    lines: list[list] = []
    for p in pieces:
        if lines and abs(p[0] - np.mean([q[0] for q in lines[-1]])) < 0.5 * max(p[5], text_h):
            lines[-1].append(p)
        else:
            lines.append([p])
    out_lines = []
    confs: list[float] = []
    for ln in lines:
        ln.sort(key=lambda p: p[1])
        s = ""
        prev = None
        for p in ln:
            if prev is not None and s and p[3]:
                gap = p[1] - prev[2]
                if gap > 0.45 * text_h and not (_is_cjk(s[-1]) and _is_cjk(p[3][0])):
                    s += " "
            s += p[3]
            prev = p
            confs += list(p[4])
        out_lines.append((s, ln[0][1], max(p[2] for p in ln)))
    text = "\n".join(t for t, _, _ in out_lines)
    if len(out_lines) > 1 and width and looks_numeric(text.replace("\n", "")):
        first = out_lines[0]
        if first[2] - first[1] >= 0.6 * width and all(_DIGIT.search(t) for t, _, _ in out_lines):
            text = text.replace("\n", "")
    return text, (min(confs) if confs else None)


def _cell_text_for_values(text: str) -> str:
    """A number wrapped inside its cell ("13\\n5") reads as one number."""
    if "\n" in text and looks_numeric(text.replace("\n", "")):
        return text.replace("\n", "")
    return text


# ----------------------------------------------------------------------------------------------------------
# Trust
# ----------------------------------------------------------------------------------------------------------

def _residual_ink(ink: np.ndarray, rules: np.ndarray, boxes_mask: np.ndarray, bbox, margin: int,
                  min_blob: int = 4):
    """Ink in a cell that no recognised box covers (specks below `min_blob` pixels ignored)."""
    x0, y0, x1, y1 = bbox
    x0, y0, x1, y1 = x0 + margin, y0 + margin, x1 - margin, y1 - margin
    if x1 - x0 < 3 or y1 - y0 < 3:
        return 0, None
    sub = (ink[y0:y1, x0:x1] > 0) & (rules[y0:y1, x0:x1] == 0) & (boxes_mask[y0:y1, x0:x1] == 0)
    if not sub.any():
        return 0, None
    n_cc, labels, stats, _ = cv2.connectedComponentsWithStats(sub.astype(np.uint8), connectivity=8)
    keep = np.zeros(n_cc, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_blob
    sub = keep[labels]
    n = int(sub.sum())
    if n == 0:
        return 0, None
    ys, xs = np.nonzero(sub)
    return n, (x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1)


def _speckle_free(ink: np.ndarray) -> np.ndarray:
    """Ink without isolated specks (noise, JPEG ringing)."""
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2, 2)))


def assess_table(t: _Table, grey: np.ndarray, ink: np.ndarray, rules: np.ndarray, boxes_mask: np.ndarray,
                 text_h: float, min_confidence: float) -> None:
    """Texts, value columns, residual ink, flags."""
    for reg in t.regions:
        reg.text, reg.conf = _join_pieces(reg.pieces, text_h, reg.bbox[2] - reg.bbox[0] - 0.4 * text_h)
    # value columns: a grid column whose cells (starting there, one column wide) mostly read as numbers
    nc = len(t.xs) - 1
    numeric_cols = set()
    for c in range(nc):
        cand = [r for r in t.regions if r.c0 == c and r.text.strip()]
        nums = [r for r in cand if looks_numeric(r.text)]
        if len(nums) >= 2 and len(nums) >= 0.5 * len(cand):
            numeric_cols.add(c)
    # rows that carry values
    value_rows = set()
    for r in t.regions:
        if r.text.strip() and _DIGIT.search(r.text) and is_clean_value(r.text):
            value_rows.add(r.r0)
    # value positions: in a row with a clean number, the cells after the row's last label (a cell that
    # is not a value and has two or more CJK characters), and the cells of number columns
    after_label: set[int] = set()
    by_row: dict[int, list[int]] = {}
    for i, r in enumerate(t.regions):
        by_row.setdefault(r.r0, []).append(i)
    for r0, idx in by_row.items():
        if r0 not in value_rows:
            continue
        idx.sort(key=lambda i: t.regions[i].c0)
        last_label = -1
        for k, i in enumerate(idx):
            tx = t.regions[i].text
            if tx.strip() and not is_clean_value(tx) and sum(_is_cjk(ch) for ch in tx) >= 2 \
                    and t.regions[i].c0 not in numeric_cols:
                last_label = k
        after_label.update(idx[last_label + 1:] if last_label >= 0 else [])
    margin = int(max(2, text_h * 0.12))
    for ri, reg in enumerate(t.regions):
        in_num_col = any(c in numeric_cols for c in range(reg.c0, reg.c1 + 1)) and reg.r0 in value_rows
        label_like = reg.text.strip() and sum(_is_cjk(ch) for ch in reg.text) >= 2 and not is_clean_value(reg.text)
        reg.numeric = bool((in_num_col and not (label_like and reg.c0 not in numeric_cols)) or ri in after_label)
        n_ink, ink_box = _residual_ink(ink, rules, boxes_mask, reg.bbox, margin, max(4, int(0.012 * text_h * text_h)))
        min_ink = max(6, int(0.04 * text_h * text_h))
        if n_ink >= min_ink and ink_box is not None and (ink_box[3] - ink_box[1]) >= 0.25 * text_h:
            if True:  # re-read the cell's ink with the recognition model alone
                bx0, by0, bx1, by1 = reg.bbox
                pad = margin
                crop = (bx0 + pad, by0 + pad, bx1 - pad, by1 - pad)
                txt, conf = reread(grey, crop)
                txt = _cell_text_for_values(txt.strip())
                same = norm_value_text(txt) == norm_value_text(reg.text)
                if not txt.strip():
                    reg.flag = reg.flag or "ink that nothing reads"
                elif reg.numeric or looks_numeric(txt):
                    if not reg.text.strip() and txt and is_clean_value(txt) and conf >= min_confidence:
                        reg.text, reg.conf = txt, conf  # the page OCR missed it; the cell re-read is sure
                    elif not same:
                        reg.flag = reg.flag or f"unread ink (re-read {txt!r} {conf:.2f} vs {reg.text!r})"
        if not reg.numeric:
            continue
        if reg.flag:
            continue
        if reg.text.strip() and not is_clean_value(reg.text):
            reg.flag = f"not a clean number: {reg.text!r}"
        elif reg.conf is not None and reg.conf < min_confidence:
            reg.flag = f"low confidence {reg.conf:.2f}"


def emit_rows(t: _Table) -> None:
    """Rows as the project's PDF reader emits them: a cell where it starts; "" under a row span; nothing
    for the columns a column span covers."""
    nr, nc = len(t.ys) - 1, len(t.xs) - 1
    t.rows = []
    for r in range(nr):
        row: list[_Region | None] = []
        for c in range(nc):
            ri = t.owner[r][c]
            if ri < 0:
                continue
            reg = t.regions[ri]
            if reg.c0 != c:
                continue  # covered from the left
            if reg.r0 == r:
                row.append(reg)
            else:
                row.append(None)  # covered from above: a blank cell
        if row:
            t.rows.append(row)


# ----------------------------------------------------------------------------------------------------------
# Lines outside tables; tables without rules
# ----------------------------------------------------------------------------------------------------------

def group_lines(boxes: list[TextBox], text_h: float) -> list[_Line]:
    boxes = sorted((b for b in boxes if b.text.strip()), key=lambda b: b.cy)
    lines: list[list[TextBox]] = []
    for b in boxes:
        placed = False
        for ln in reversed(lines[-4:]):
            cy = np.mean([q.cy for q in ln])
            hh = np.median([q.h for q in ln])
            if abs(b.cy - cy) < 0.45 * max(hh, b.h):
                ln.append(b)
                placed = True
                break
        if not placed:
            lines.append([b])
    out = []
    for ln in lines:
        ln.sort(key=lambda b: b.x0)
        s = ""
        prev = None
        for b in ln:
            if prev is not None:
                gap = b.x0 - prev.x1
                if gap > 0.4 * text_h and not (s and _is_cjk(s[-1]) and _is_cjk(b.text[0]) and gap < 1.5 * text_h):
                    s += " "
            s += b.text
            prev = b
        out.append(_Line(s.strip(), min(b.y0 for b in ln), max(b.y1 for b in ln), min(b.x0 for b in ln),
                         max(b.x1 for b in ln), ln, float(np.median([b.h for b in ln]))))
    out.sort(key=lambda l: l.top)
    return out


_ENUMERATED = re.compile(r"^(第.{1,8}[条项]|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")
_SECTION = re.compile(r"^([一二三四五六七八九十]+[、.．]|第.{1,8}[条项])")


def _runs(line: _Line, text_h: float) -> list[tuple[float, float, str, list[float]]]:
    """The line's boxes merged into runs separated by wide gaps: (x0, x1, text, confs)."""
    runs: list[list] = []
    for b in line.boxes:
        if runs and b.x0 - runs[-1][1] < 0.9 * text_h:
            runs[-1][1] = b.x1
            runs[-1][2] += b.text
            runs[-1][3] += list(b.char_conf)
        else:
            runs.append([b.x0, b.x1, b.text, list(b.char_conf)])
    return [tuple(r) for r in runs]


def positional_tables(lines: list[_Line], text_h: float, page_w: float) -> list:
    """Borderless tables: blocks of lines with values; columns from clustering the number boxes."""
    info = []
    for ln in lines:
        runs = _runs(ln, text_h)
        vals = [r for r in runs[1:] if looks_numeric(r[2])]
        is_row = len(runs) >= 2 and bool(vals)
        info.append((ln, runs, is_row))
    out: list = []
    i = 0
    n = len(info)
    while i < n:
        ln, runs, is_row = info[i]
        if not is_row:
            out.append(ln)
            i += 1
            continue
        # the block: value rows and the lines between them, up to prose or a section heading
        j = i
        last = i
        while j + 1 < n:
            nl, nruns, nrow = info[j + 1]
            if nrow:
                last = j + 1
            elif (len(nl.text) > 30 and len(nruns) < 3) or (_SECTION.match(nl.text) and len(nruns) == 1):
                break
            j += 1
        block = info[i:last + 1]
        rows = [b for b in block if b[2]]
        if len(rows) < 2:
            out.append(ln)
            i += 1
            continue
        # header lines just above the first value row belong to the table (they were passed over)
        start = i
        while out and isinstance(out[-1], _Line) and not _SECTION.match(out[-1].text) and len(out[-1].text) <= 30 \
                and len(_runs(out[-1], text_h)) >= 2:
            start -= 1
            out.pop()
        head = info[start:i]
        centres = []
        for _, rr, _ in rows:
            for r in rr[1:]:
                if looks_numeric(r[2]):
                    centres.append((r[0] + r[1]) / 2)
        cols = _cluster(centres, 1.6 * text_h)
        first_col_x = min(cols) - 1.2 * text_h if cols else page_w
        t = _Table(top=block[0][0].top if not head else head[0][0].top, bottom=block[-1][0].bottom, x0=0, x1=0,
                   positional=True)
        t.xs = cols
        trows: list[list[_Region | None]] = []
        labels_at: list[int] = []
        for ln2, rr, isr in head + block:
            if isr:
                label = [r for r in rr if (r[0] + r[1]) / 2 < first_col_x and not looks_numeric(r[2])]
                cells: list[_Region | None] = []
                ltxt = "".join(r[2] for r in label)
                cells.append(_pos_region(ltxt, label, ln2))
                slots: list[list] = [[] for _ in cols]
                for r in rr:
                    if r in label:
                        continue
                    cx = (r[0] + r[1]) / 2
                    k = int(np.argmin([abs(cx - c) for c in cols]))
                    slots[k].append(r)
                for k, sl in enumerate(slots):
                    if not sl:
                        cells.append(_pos_region("", [], ln2, numeric=True))
                    else:
                        reg = _pos_region("".join(s[2] for s in sl), sl, ln2, numeric=True)
                        if len(sl) > 1:
                            reg.flag = "two boxes in one column"
                        cells.append(reg)
                trows.append(cells)
                labels_at.append(len(trows) - 1)
            else:
                in_label = all(r[1] < first_col_x for r in rr)
                if in_label and not _ENUMERATED.match(ln2.text) and trows and labels_at:
                    prev = trows[labels_at[-1]][0]
                    if prev is not None:
                        prev.text = (prev.text + "\n" + ln2.text).strip()
                        continue
                trows.append([_pos_region(r[2], [r], ln2) for r in rr])
        for cells in trows:
            for reg in cells:
                if reg is not None and reg.numeric:
                    reg.text = _cell_text_for_values(reg.text)
                    if reg.text and not is_clean_value(reg.text):
                        reg.flag = reg.flag or f"not a clean number: {reg.text!r}"
        t.rows = trows
        out.append(t)
        i = last + 1
    return out


def _pos_region(text: str, runs: list, line: _Line, numeric: bool = False) -> _Region:
    confs = [c for r in runs for c in r[3]]
    x0 = int(min((r[0] for r in runs), default=line.x0))
    x1 = int(max((r[1] for r in runs), default=line.x0))
    reg = _Region(0, 0, 0, 0, (x0, int(line.top), x1, int(line.bottom)))
    reg.text = text
    reg.conf = min(confs) if confs else None
    reg.numeric = numeric
    return reg


# ----------------------------------------------------------------------------------------------------------
# Pages and documents
# ----------------------------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－~〜_·•.一]*(第\s*)?\d{1,4}(\s*页)?[\s\-—–－~〜_·•.一]*$"
    r"|^第\s*\d{1,4}\s*页[\s,，/]*共\s*\d{1,4}\s*页$"
    r"|^\d{1,4}\s*/\s*\d{1,4}$",
    re.I,
)


def read_page(img: np.ndarray, index: int = 0, min_confidence: float = 0.90) -> PageResult:
    """One page image: prepared, recognised once, its tables found and filled, its lines read."""
    tm: dict[str, float] = {}
    t0 = time.perf_counter()
    grey = to_grey(img)
    skew = estimate_skew(grey)
    grey = rotate(grey, skew)
    tm["deskew"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    boxes = ocr_page(grey)
    tm["ocr"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    hs = [b.h for b in boxes if b.text.strip()]
    text_h = float(np.median(hs)) if hs else 20.0
    tables, ink, rules = find_tables(grey, text_h, [b for b in boxes if b.text.strip()])
    boxes_mask = np.zeros_like(ink)
    g = max(1, int(text_h * 0.1))
    for b in boxes:
        if b.text.strip():
            cv2.rectangle(boxes_mask, (int(b.x0) - g, int(b.y0) - g), (int(b.x1) + g, int(b.y1) + g), 255, -1)
    rest = boxes
    for t in tables:
        rest = place_boxes(t, rest)
    for t in tables:
        assess_table(t, grey, ink, rules, boxes_mask, text_h, min_confidence)
        emit_rows(t)
    lines = group_lines(rest, text_h)
    page_h, page_w = grey.shape
    lines = [ln for ln in lines if not ((ln.top < 0.08 * page_h or ln.bottom > 0.92 * page_h)
                                        and _PAGE_NUMBER.match(ln.text.strip()))]
    items: list = list(lines)
    items = positional_tables(items, text_h, page_w)
    items += tables
    items.sort(key=lambda it: it.top)
    tm["layout"] = time.perf_counter() - t2
    tm["total"] = time.perf_counter() - t0
    res = PageResult(index=index, size=(page_w, page_h), skew=skew, items=items, boxes=boxes,
                     tables=sum(1 for it in items if isinstance(it, _Table)), ruled=bool(tables), timings=tm)
    return res
