"""OCR reader: scanned pages (pictures, image-only PDF pages, Word files of pictures) to cells.

Behind the same seam as every reader: page images go through `ocr_layout.read_page` (grey, red seals
lifted, deskew, rapidocr once on the whole page, ruling lines and grid from the image itself, boxes
placed into cells, trust), each page becomes a `pages.Page` of lines and tables, and `pages.assemble`
makes the cells exactly as for a PDF text layer (furniture dropped, tables continued across pages, rows
cut by a page break joined).  The table parser then reads them like any other format: there is no
second table parser.

Trust: every cell carries the OCR confidence of its text (the weakest character probability).  A value
that OCR could not read with confidence (below settings.ocr_min_confidence, not a clean number, ink that
the page pass missed and a re-read contradicts) is never guessed: its text is handed on blank, with its
confidence, and the pipeline stores it as null with the reason (extract/ocr_trust.py).

Cost and control: settings.ocr switches it off (nianbao extract --no-ocr, NIANBAO_OCR=0); at most
settings.ocr_max_pages pages per document (more: unreadable, too_many_pages); the document gets
settings.ocr_timeout seconds once OCR starts (limits.extend), checked before every page; a page larger
than settings.ocr_max_pixels is scaled down, and a picture of more than 16 times that is refused as an
image bomb.  `set_progress` lets a caller see pages as they are recognised.
"""
from __future__ import annotations

import dataclasses
import io
import os
import time
from collections.abc import Callable, Sequence

import numpy as np

from ..model import Cell, ParsedDocument
from ..settings import ExtractSettings
from . import limits, ocr_engine
from .limits import Refused
from .pages import Line, Page, Table, assemble

ENGINE_NAME = "rapidocr-onnxruntime 1.4.4 (PP-OCRv4)"
BOMB_FACTOR = 16  # a picture of more than ocr_max_pixels x this is refused, not scaled

_progress: Callable[[int, int], None] | None = None


def set_progress(fn: Callable[[int, int], None] | None) -> None:
    """Call fn(pages_done, pages_total) after each page this process recognises (None: silent)."""
    global _progress
    _progress = fn


# --- page images ----------------------------------------------------------------------------------

def _pil_to_array(im) -> np.ndarray:
    if im.mode in ("1", "L", "I;16", "I", "F", "P", "LA", "PA"):
        if im.mode == "P" and "transparency" not in im.info:
            im = im.convert("RGB")
        elif im.mode in ("P", "PA", "LA"):
            im = im.convert("RGBA")
        else:
            return np.asarray(im.convert("L"))
    if im.mode == "RGBA":
        from PIL import Image

        bg = Image.new("RGB", im.size, "white")
        bg.paste(im, mask=im.split()[-1])
        im = bg
    elif im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im)


def _fit(im, settings: ExtractSettings):
    """A PIL image within the pixel budget: refused when absurd, scaled down when large."""
    w, h = im.size
    if w * h > BOMB_FACTOR * settings.ocr_max_pixels:
        raise Refused(limits.TOO_LARGE, f"picture of {w}x{h} pixels (image bomb?)")
    if w * h > settings.ocr_max_pixels:
        scale = (settings.ocr_max_pixels / (w * h)) ** 0.5
        size = (max(1, int(w * scale)), max(1, int(h * scale)))
        try:
            im.draft(im.mode if im.mode in ("L", "RGB") else "RGB", size)  # JPEG: decode at a lower resolution
        except Exception:  # noqa: BLE001 - draft is an optimisation only
            pass
        im = im.resize(size)
    return im


def image_pages(data: bytes, settings: ExtractSettings) -> list[np.ndarray]:
    """The pages of one picture file: one per frame (multi-page TIFF), at most ocr_max_pages."""
    from PIL import Image, ImageSequence

    try:
        im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise Refused(limits.TOO_LARGE, str(exc)[:160]) from None
    except Exception as exc:  # noqa: BLE001 - not a picture PIL can read
        raise Refused(limits.CORRUPT, f"unreadable picture: {type(exc).__name__}") from None
    out: list[np.ndarray] = []
    with im:
        n = getattr(im, "n_frames", 1)
        if n > settings.ocr_max_pages:
            raise Refused(limits.TOO_MANY_PAGES, f"{n} frames > ocr_max_pages {settings.ocr_max_pages}")
        try:
            for frame in ImageSequence.Iterator(im):
                out.append(_pil_to_array(_fit(frame.copy(), settings)))
        except Refused:
            raise
        except Image.DecompressionBombError as exc:
            raise Refused(limits.TOO_LARGE, str(exc)[:160]) from None
        except (OSError, ValueError, SyntaxError) as exc:
            if not out:
                raise Refused(limits.TRUNCATED if "truncated" in str(exc).lower() else limits.CORRUPT,
                              f"{type(exc).__name__}: {str(exc)[:120]}") from None
    return out


def pdf_page_image(page, settings: ExtractSettings) -> np.ndarray:
    """A PDF page as a picture: its one page-sized image at its own resolution, else rendered at 200 dpi."""
    import pypdfium2.raw as R

    pw, ph = page.get_size()
    imgs = [o for o in page.get_objects(max_depth=1) if o.type == R.FPDF_PAGEOBJ_IMAGE]
    if len(imgs) == 1:
        left, bottom, right, top = imgs[0].get_bounds()
        if (right - left) * (top - bottom) >= 0.8 * pw * ph:
            try:
                w, h = imgs[0].get_px_size()
                if w * h <= settings.ocr_max_pixels:
                    return _pil_to_array(imgs[0].get_bitmap(render=False).to_pil())
            except Exception:  # noqa: BLE001 - an odd image filter: render the page instead
                pass
    scale = 200 / 72
    if pw * ph * scale * scale > settings.ocr_max_pixels:
        scale = (settings.ocr_max_pixels / (pw * ph)) ** 0.5
    return _pil_to_array(page.render(scale=scale, grayscale=True).to_pil())


# --- OCR ----------------------------------------------------------------------------------------

_ocr_started: float | None = None  # when this document's OCR began (its ocr_timeout runs from there)


def ocr_pages(images: Sequence[np.ndarray], settings: ExtractSettings, first_index: int = 0, done: int = 0,
              total: int | None = None) -> list[Page]:
    """Recognise page images in order; each becomes a Page of lines and tables (pixel coordinates).

    `done`/`total`: pages of this document already recognised / in all (a PDF OCRs its pages one call each).
    """
    global _ocr_started
    total = total if total is not None else len(images)
    if total > settings.ocr_max_pages:
        raise Refused(limits.TOO_MANY_PAGES, f"{total} scanned pages > ocr_max_pages {settings.ocr_max_pages}")
    ocr_engine.engine(ocr_engine.ocr_threads(settings.ocr_threads))  # built once per process and thread count
    if done == 0 or _ocr_started is None:
        _ocr_started = time.monotonic()
        limits.extend(settings.ocr_timeout)
    out = []
    for i, img in enumerate(images):
        if time.monotonic() - _ocr_started > settings.ocr_timeout:
            raise Refused(limits.TIMED_OUT, f"ocr_timeout {settings.ocr_timeout:g}s at scanned page {done + i + 1}")
        limits.check_time(f"at scanned page {done + i + 1}")
        res = _read_page_cached(img, first_index + i, settings.ocr_min_confidence)
        out.append(_page_of(res))
        if _progress is not None:
            _progress(done + i + 1, total)
    return out


_CACHE: dict[tuple[str, float], object] = {}
# pages remembered per process; $NIANBAO_OCR_CACHE_PAGES=0 turns the cache off (benchmarks time cold reads)
_CACHE_PAGES = int(os.environ.get("NIANBAO_OCR_CACHE_PAGES") or 32)


def _read_page_cached(img: np.ndarray, index: int, min_confidence: float):
    """ocr_layout.read_page, remembered for the last pages this process read (the same picture met twice:
    a page and an attachment with the same bytes, a re-run in one process)."""
    import hashlib

    from . import ocr_layout

    key = (hashlib.sha1(img.tobytes() + repr(img.shape).encode()).hexdigest(), min_confidence)
    hit = _CACHE.get(key)
    if hit is not None:
        return dataclasses.replace(hit, index=index)
    res = ocr_layout.read_page(img, index, min_confidence)
    if _CACHE_PAGES <= 0:
        return res
    if len(_CACHE) >= _CACHE_PAGES:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = res
    return res


def _region_cell(reg) -> tuple[str, float | None]:
    """A grid region's text and confidence; a value OCR could not confirm is blank with its confidence."""
    if reg is None:
        return "", None
    if reg.flag and reg.numeric:
        return "", (reg.conf if reg.conf is not None else 0.0)
    return reg.text, (reg.conf if reg.text.strip() else None)


def _page_of(res) -> Page:
    from .ocr_layout import _Table

    page = Page(height=float(res.size[1]), chars=sum(len(b.text) for b in res.boxes), images=1, page_images=1,
                ruled=True, ocr=True)
    flags = []
    for it in res.items:
        if isinstance(it, _Table):
            rows, confs = [], []
            for row in it.rows:
                pairs = [_region_cell(reg) for reg in row]
                rows.append([t for t, _ in pairs])
                confs.append([c for _, c in pairs])
                flags += [reg.flag for reg in row if reg is not None and reg.flag]
            if rows:
                page.items.append(Table(rows, it.top, it.bottom, it.x0, it.x1, it.ncols, positional=it.positional,
                                        confidences=confs))
        else:
            page.items.append(Line(it.text, it.top, it.bottom, size=it.size, confidence=it.conf))
    page.flags = flags  # type: ignore[attr-defined]
    page.skew = res.skew  # type: ignore[attr-defined]
    return page


def document(pages: list[Page], fmt: str, meta: dict[str, str] | None = None, title: str | None = None,
             before: list[Cell] | None = None) -> ParsedDocument:
    """The ParsedDocument of OCR'd pages (layout "ocr"); `before`: text cells that precede the pictures."""
    out = assemble(pages)
    meta = dict(meta or {})
    ocr_pages_n = sum(1 for p in pages if p.ocr)
    flags = [f for p in pages for f in getattr(p, "flags", [])]
    meta.update({"pages": meta.get("pages") or str(len(pages)), "ocr_pages": str(ocr_pages_n), "ocr_engine": ENGINE_NAME,
                 "ocr_flagged_cells": str(len(flags))})
    if flags:
        meta["ocr_flags"] = "; ".join(flags[:5])
    skews = [getattr(p, "skew", 0.0) for p in pages if p.ocr]
    if skews:
        meta["ocr_skew_deg"] = ",".join(f"{s:+.2f}" for s in skews)
    if out.rows_joined:
        meta["rows_joined_across_pages"] = str(out.rows_joined)
    cells = list(before or []) + out.cells
    text = "\n".join([c.text for c in before or []] + [out.text])
    return ParsedDocument(format=fmt, layout="ocr", cells=cells, text=text, title=title,
                          title_candidates=out.title_candidates, meta=meta, images=len(pages))


def read_image(data: bytes | Sequence[bytes], settings: ExtractSettings, fmt: str = "image") -> ParsedDocument:
    """One picture file, or the picture files of one report in page order."""
    parts = [data] if isinstance(data, (bytes, bytearray, memoryview)) else list(data)
    try:
        images: list[np.ndarray] = []
        for part in parts:
            limits.check_size(bytes(part), settings)
            images += image_pages(bytes(part), settings)
            if len(images) > settings.ocr_max_pages:
                raise Refused(limits.TOO_MANY_PAGES, f"more than ocr_max_pages {settings.ocr_max_pages} pages")
        if not images:
            raise Refused(limits.CORRUPT, "no picture")
        pages = ocr_pages(images, settings)
    except Refused as exc:
        return limits.refused(fmt, exc)
    return document(pages, fmt, {"pictures": str(len(parts))})
