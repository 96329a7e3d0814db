"""What a PDF page holds, read straight from pdfium: characters with boxes, ruling segments, images.

No PDF interpreter of our own and none in Python: pdfium (through pypdfium2's ctypes bindings)
parses the content streams; this module only asks it for
- every character's code point and its "loose" box (the advance width across, the font's height
  up and down: the box a human would draw around the character, not its ink);
- the axis-parallel segments of the page's path objects (lines, thin rectangles, the sides of
  rectangles), transformed to page space, including those inside form XObjects;
- the boxes of image objects (for telling scans apart).
Coordinates are returned y-down from the top-left corner of the displayed page (the crop box,
rotated as /Rotate says), in points, which is what the table geometry expects.

The per-character calls dominate the cost (one ctypes call per character for the box; the text
of the whole page comes in one call), so nothing else is asked per character.
"""
from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as R

# Segment types and object types of the pdfium API.
_LINETO, _BEZIERTO, _MOVETO = R.FPDF_SEGMENT_LINETO, R.FPDF_SEGMENT_BEZIERTO, R.FPDF_SEGMENT_MOVETO
_OBJ_TEXT, _OBJ_PATH, _OBJ_IMAGE, _OBJ_FORM = R.FPDF_PAGEOBJ_TEXT, R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_IMAGE, R.FPDF_PAGEOBJ_FORM

THIN = 2.5  # a filled or stroked rectangle no thicker than this (points) is a rule, not a box
_AXIS_TOL = 0.8  # a segment whose ends differ by less than this across its direction is axis-parallel
_MAX_FORM_DEPTH = 6


def _fast(name: str):
    """A prototype without argtypes for the hot per-character calls (about 2x cheaper in ctypes).

    Falls back to pypdfium2's own binding when the library handle is not where we expect it.
    """
    try:
        from pypdfium2_raw import bindings

        lib = next(iter(bindings._libs.values()))  # noqa: SLF001 - same handle, own prototype
        fn = lib[name]  # item access makes a new function object; bindings' one keeps its argtypes
        fn.restype = getattr(R, name).restype
        return fn, True
    except Exception:  # noqa: BLE001 - any surprise: the regular binding
        return getattr(R, name), False


_GET_LOOSE_BOX, _LOOSE_FAST = _fast("FPDFText_GetLooseCharBox")
_GET_ORIGIN, _ORIGIN_FAST = _fast("FPDFText_GetCharOrigin")
_GET_FONT_SIZE, _SIZE_FAST = _fast("FPDFText_GetFontSize")
_GET_FONT_SIZE.restype = ctypes.c_double


@dataclass(slots=True)
class Glyph:
    """One character: text, its loose box and its baseline, y-down page coordinates in points.

    The box's height is not the same for every character of a line (pdfium falls back to the
    glyph's own box when a font carries no usable ascent: "。" is a sliver at the bottom), so
    lines are told by the baseline, which every character of a line shares.
    """

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    base: float  # the baseline (y of the character's origin)
    index: int = -1  # the character's index in pdfium's text page (for its font size)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class PageContent:
    width: float
    height: float
    glyphs: list[Glyph] = field(default_factory=list)
    hsegs: list[tuple[float, float, float]] = field(default_factory=list)  # (x0, x1, y)
    vsegs: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y0, y1)
    images: list[tuple[float, float, float, float]] = field(default_factory=list)  # (x0, top, x1, bottom)
    unmapped: int = 0  # characters whose font has no Unicode map (U+FFFD, private use, controls)
    text_objects: int = 0
    _textpage: object = None  # pdfium's text page, open until close()

    def font_size(self, glyphs: list[Glyph], sample: int = 5) -> float:
        """The median font size of a few of these glyphs (0.0 when unknown)."""
        tp = self._textpage
        if tp is None or not glyphs:
            return 0.0
        step = max(1, len(glyphs) // sample)
        arg = ctypes.cast(tp, ctypes.c_void_p) if _SIZE_FAST else tp
        sizes = sorted(float(_GET_FONT_SIZE(arg, g.index)) for g in glyphs[::step][:sample])
        return sizes[len(sizes) // 2]

    def close(self) -> None:
        if self._textpage is not None:
            R.FPDFText_ClosePage(self._textpage)
            self._textpage = None


class _Transform:
    """User space → displayed page, y down: crop box offset and /Rotate."""

    def __init__(self, page: pdfium.PdfPage):
        left, bottom, right, top = page.get_cropbox()
        self.l, self.b, self.r, self.t = left, bottom, right, top
        self.rot = page.get_rotation() % 360
        w, h = right - left, top - bottom
        self.width, self.height = (h, w) if self.rot in (90, 270) else (w, h)

    def point(self, x: float, y: float) -> tuple[float, float]:
        rot = self.rot
        if rot == 0:
            return x - self.l, self.t - y
        if rot == 90:
            return y - self.b, x - self.l
        if rot == 180:
            return self.r - x, y - self.b
        return self.t - y, self.r - x

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        ax, ay = self.point(left, bottom)
        bx, by = self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


# U+FFFD/U+FFFE, the private use area and control characters: what pdfium gives for glyphs of fonts
# without a Unicode map (pdfminer's "(cid:N)")
_UNMAPPED = re.compile("[\ufffd\ufffe\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f]")


def read_page(page: pdfium.PdfPage) -> PageContent:
    """The characters, ruling segments and images of one page.

    The caller closes the result (pdfium's text page) and then the page.
    """
    tf = _Transform(page)
    out = PageContent(width=tf.width, height=tf.height)
    _read_objects(page, tf, out)
    tp = R.FPDFText_LoadPage(page.raw)
    if tp:
        out._textpage = tp
        try:
            _read_chars(tp, tf, out)
        except BaseException:
            out.close()
            raise
    return out


def _read_chars(tp, tf: _Transform, out: PageContent) -> None:
    n = R.FPDFText_CountChars(tp)
    if n <= 0:
        return
    buf = (ctypes.c_ushort * (2 * n + 2))()
    got = R.FPDFText_GetText(tp, 0, n, buf)
    text = bytes(buf)[: max(0, got - 1) * 2].decode("utf-16-le", "replace")
    if len(text) != n:  # characters outside the BMP shift the indices: ask one by one
        text = "".join(chr(R.FPDFText_GetUnicode(tp, i) or 0xFFFD) for i in range(n))
    rect = R.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    ox_ref, oy_ref = ctypes.byref(ox), ctypes.byref(oy)
    tp_arg = ctypes.cast(tp, ctypes.c_void_p) if _LOOSE_FAST else tp
    tp_org = ctypes.cast(tp, ctypes.c_void_p) if _ORIGIN_FAST else tp
    get_box = _GET_LOOSE_BOX
    get_origin = _GET_ORIGIN
    glyphs = out.glyphs
    out.unmapped = len(_UNMAPPED.findall(text))
    rot0 = tf.rot == 0
    l, t = tf.l, tf.t
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        if not get_box(tp_arg, i, rect_ref):
            continue
        get_origin(tp_org, i, ox_ref, oy_ref)
        if rot0:
            glyphs.append(Glyph(ch, rect.left - l, t - rect.top, rect.right - l, t - rect.bottom, t - oy.value, i))
        else:
            x0, y0, x1, y1 = tf.box(rect.left, rect.bottom, rect.right, rect.top)
            # the baseline runs across the displayed line: x for pages turned a quarter
            bx, by = tf.point(ox.value, oy.value)
            glyphs.append(Glyph(ch, x0, y0, x1, y1, by, i))


_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _matrix(obj) -> _Matrix:
    m = R.FS_MATRIX()
    if not R.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: _Matrix, outer: _Matrix) -> _Matrix:
    """inner then outer (PDF row-vector convention: p' = p · inner · outer)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _read_objects(page: pdfium.PdfPage, tf: _Transform, out: PageContent) -> None:
    raw = page.raw
    n = R.FPDFPage_CountObjects(raw)
    objs = [R.FPDFPage_GetObject(raw, i) for i in range(n)]
    _walk(objs, None, tf, out, 0)


def _walk(objs: list, parent: _Matrix | None, tf: _Transform, out: PageContent, depth: int) -> None:
    for obj in objs:
        kind = R.FPDFPageObj_GetType(obj)
        if kind == _OBJ_TEXT:
            out.text_objects += 1
        elif kind == _OBJ_PATH:
            _path(obj, parent, tf, out)
        elif kind == _OBJ_IMAGE:
            left, bottom, right, top = (ctypes.c_float() for _ in range(4))
            if R.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                if parent is None:
                    out.images.append(tf.box(left.value, bottom.value, right.value, top.value))
                else:
                    pts = [_apply(parent, x, y) for x, y in ((left.value, bottom.value), (right.value, top.value))]
                    out.images.append(tf.box(min(p[0] for p in pts), min(p[1] for p in pts),
                                             max(p[0] for p in pts), max(p[1] for p in pts)))
        elif kind == _OBJ_FORM and depth < _MAX_FORM_DEPTH:
            m = _matrix(obj)
            outer = m if parent is None else _compose(m, parent)
            k = R.FPDFFormObj_CountObjects(obj)
            _walk([R.FPDFFormObj_GetObject(obj, i) for i in range(max(0, k))], outer, tf, out, depth + 1)


def _apply(m: _Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return x * a + y * c + e, x * b + y * d + f


def _path(obj, parent: _Matrix | None, tf: _Transform, out: PageContent) -> None:
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if not R.FPDFPath_GetDrawMode(obj, fill, stroke):
        return
    filled, stroked = fill.value != 0, bool(stroke.value)
    if not filled and not stroked:
        return  # an invisible path (a clip or a placeholder)
    m = _matrix(obj)
    if parent is not None:
        m = _compose(m, parent)
    n = R.FPDFPath_CountSegments(obj)
    if n <= 0:
        return
    x = ctypes.c_float()
    y = ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    curved: list[bool] = []
    for i in range(n):
        seg = R.FPDFPath_GetPathSegment(obj, i)
        if not R.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        kind = R.FPDFPathSegment_GetType(seg)
        px, py = tf.point(*_apply(m, x.value, y.value))
        if kind == _MOVETO or not subpaths:
            subpaths.append([(px, py)])
            curved.append(False)
        else:
            subpaths[-1].append((px, py))
            if kind == _BEZIERTO:
                curved[-1] = True
        if R.FPDFPathSegment_GetClose(seg) and subpaths[-1][0] != (px, py):
            subpaths[-1].append(subpaths[-1][0])
    for pts, is_curved in zip(subpaths, curved):
        if is_curved or len(pts) < 2:
            continue
        rect = _as_rect(pts, filled)
        if rect is not None:
            x0, y0, x1, y1 = rect
            w, h = x1 - x0, y1 - y0
            if h <= THIN and w > h:
                out.hsegs.append((x0, x1, (y0 + y1) / 2))
            elif w <= THIN and h > w:
                out.vsegs.append(((x0 + x1) / 2, y0, y1))
            else:
                out.hsegs += [(x0, x1, y0), (x0, x1, y1)]
                out.vsegs += [(x0, y0, y1), (x1, y0, y1)]
            continue
        if not stroked:
            continue  # a filled shape that is not a rectangle: not a rule
        for (ax, ay), (bx, by) in zip(pts, pts[1:]):
            if abs(ay - by) <= _AXIS_TOL and abs(ax - bx) > _AXIS_TOL:
                out.hsegs.append((min(ax, bx), max(ax, bx), (ay + by) / 2))
            elif abs(ax - bx) <= _AXIS_TOL and abs(ay - by) > _AXIS_TOL:
                out.vsegs.append(((ax + bx) / 2, min(ay, by), max(ay, by)))


def _as_rect(pts: list[tuple[float, float]], filled: bool) -> tuple[float, float, float, float] | None:
    """The box of a closed 4-corner subpath whose sides are all axis-parallel, else None.

    A filled path is closed implicitly; a stroked-only one must close (or return to its start).
    """
    if len(pts) == 5 and pts[0] == pts[-1]:
        pts = pts[:-1]
    elif not (filled and len(pts) == 4):
        return None
    for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1]):
        if abs(ax - bx) > _AXIS_TOL and abs(ay - by) > _AXIS_TOL:
            return None  # a diagonal side
    return min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts)
