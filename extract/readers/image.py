"""Pictures (PNG, JPEG, GIF, BMP, TIFF, WEBP): a scanned page, a photo of a table, a multi-page TIFF.

With OCR on (the default) the picture is read by the OCR reader (extract/readers/ocr.py): its tables
become cells like every other format's, layout "ocr", each cell with its confidence.  With OCR off
(settings.ocr False: `nianbao extract --no-ocr`, NIANBAO_OCR=0) the document is recorded as status
no_tables, reason "scanned", never as zeros; then only the header is read (format and size, for the
record) and no pixel is decoded, so an image bomb costs nothing.
"""
from __future__ import annotations

import io

from ..model import ParsedDocument
from ..settings import ExtractSettings
from . import limits
from .limits import Refused


def header(data: bytes) -> dict[str, str]:
    meta: dict[str, str] = {}
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:  # lazy: reads the header only
            meta["image_format"] = str(im.format)
            meta["image_size"] = f"{im.width}x{im.height}"
            frames = getattr(im, "n_frames", 1)
            if frames > 1:
                meta["image_frames"] = str(frames)
    except Exception as exc:  # noqa: BLE001 - a broken picture is still a picture, not text
        if type(exc).__name__ == "DecompressionBombError":
            meta["bomb"] = str(exc)[:160]
        else:
            meta["detail"] = f"unreadable image header: {type(exc).__name__}"
    return meta


def read(data: bytes, settings: ExtractSettings) -> ParsedDocument:
    try:
        limits.check_size(data, settings)
    except Refused as exc:
        return limits.refused("image", exc)
    meta = header(data)
    if "bomb" in meta:  # more pixels than any scan has: refused before a pixel is decoded
        return limits.failed("image", limits.TOO_LARGE, meta["bomb"])
    if settings.ocr and "detail" not in meta:
        from . import ocr

        doc = ocr.read_image(data, settings)
        doc.meta = {**meta, **doc.meta}
        return doc
    return ParsedDocument(format="image", layout="image", cells=[], text="", images=1, meta=meta,
                          status="no_tables", reason="scanned")
